"""Rotating a provider's secret loses nothing: while both are configured, a webhook signed with the previous
Twilio token (or CloudPayments secret) is accepted, one signed with anything else is not."""

from twilio.request_validator import RequestValidator

from payments.notifications import authentic
from sandbox.cloudpayments import sign
from webhooks.twilio import Signatures

URL = "https://concierge.example/webhooks/twilio/whatsapp"
FORM = {"From": "whatsapp:+971501234567", "Body": "hello", "MessageSid": "SM" + "0" * 32}


def signed(token: str) -> str:
    return RequestValidator(token).compute_signature(URL, FORM)


def test_while_rotating_the_twilio_token_both_sign_and_nothing_else_does() -> None:
    rotating = Signatures("new-token", "old-token")
    assert rotating.validate(URL, FORM, signed("new-token"))
    assert rotating.validate(URL, FORM, signed("old-token"))
    assert not rotating.validate(URL, FORM, signed("someone-elses"))
    after = Signatures("new-token")  # the previous one removed: it signs nothing any more
    assert not after.validate(URL, FORM, signed("old-token"))


def test_a_cloudpayments_notification_is_checked_against_each_configured_secret() -> None:
    body = b"TransactionId=1&Amount=10.00"
    headers = {"Content-HMAC": sign(body, "old-secret")}
    assert any(authentic(body, headers, secret) for secret in ("new-secret", "old-secret"))
    assert not authentic(body, headers, "new-secret")
