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


def staff_phone(raw: str) -> str:
    """An assistant's number as people in Moscow write it: international (+971…) or Russian (8 916 …)."""
    text = raw.strip()
    try:
        return to_e164(text, None if text.startswith("+") else "RU")
    except InvalidValue:
        raise InvalidValue(
            "write the phone with its country code, like +79161234567 or +971501234567 "
            "(a Russian number may start with 8: 8 916 123-45-67)"
        ) from None
