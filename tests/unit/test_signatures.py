"""Rotating a provider's secret loses nothing: while both are configured, a webhook signed with the previous
Twilio token (or CloudPayments secret) is accepted, one signed with anything else is not. Checked with what
the webhooks check with: the validators the runtimes make from the settings (bot/signatures.py)."""

from pydantic import SecretStr
from twilio.request_validator import RequestValidator

from bot.settings import CloudPaymentsSettings, TwilioSettings
from bot.signatures import cloudpayments_signatures, twilio_signatures
from sandbox.cloudpayments import sign

URL = "https://concierge.example/webhooks/twilio/whatsapp"
FORM = {"From": "whatsapp:+971501234567", "Body": "hello", "MessageSid": "SM" + "0" * 32}
BODY = b"TransactionId=1&Amount=10.00"


def signed(token: str) -> str:
    return RequestValidator(token).compute_signature(URL, FORM)


def twilio(token: str, previous: str | None = None) -> TwilioSettings:
    return TwilioSettings(
        twilio_auth_token=SecretStr(token),
        twilio_auth_token_previous=SecretStr(previous) if previous else None,
    )


def cloudpayments(secret: str, previous: str | None = None) -> CloudPaymentsSettings:
    return CloudPaymentsSettings(
        cloudpayments_api_secret=SecretStr(secret),
        cloudpayments_api_secret_previous=SecretStr(previous) if previous else None,
    )


def test_while_rotating_the_twilio_token_both_sign_and_nothing_else_does() -> None:
    rotating = twilio_signatures(twilio("new-token", "old-token"))
    assert rotating.validate(URL, FORM, signed("new-token"))
    assert rotating.validate(URL, FORM, signed("old-token"))
    assert not rotating.validate(URL, FORM, signed("someone-elses"))
    after = twilio_signatures(twilio("new-token"))  # the previous one removed: it signs nothing any more
    assert after.validate(URL, FORM, signed("new-token"))
    assert not after.validate(URL, FORM, signed("old-token"))


def test_while_rotating_the_cloudpayments_secret_both_sign_and_nothing_else_does() -> None:
    rotating = cloudpayments_signatures(cloudpayments("new-secret", "old-secret"))
    assert rotating(BODY, {"Content-HMAC": sign(BODY, "new-secret")})
    assert rotating(BODY, {"Content-HMAC": sign(BODY, "old-secret")})
    assert not rotating(BODY, {"Content-HMAC": sign(BODY, "someone-elses")})
    assert not rotating(BODY + b"0", {"Content-HMAC": sign(BODY, "new-secret")})  # the body changed
    after = cloudpayments_signatures(cloudpayments("new-secret"))
    assert after(BODY, {"Content-HMAC": sign(BODY, "new-secret")})
    assert not after(BODY, {"Content-HMAC": sign(BODY, "old-secret")})
