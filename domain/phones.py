import phonenumbers

from domain.errors import InvalidValue


def to_e164(raw: str, region: str | None = None) -> str:
    """'+971 50 123 4567', '971501234567' (Telegram sends contacts without '+') → '+971501234567'."""
    text = raw.strip().removeprefix("whatsapp:")
    if region is None and not text.startswith("+"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidValue("that is not a phone number") from None
    if not phonenumbers.is_possible_number(number):
        raise InvalidValue("that is not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
