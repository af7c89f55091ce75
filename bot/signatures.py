"""Whose webhooks are believed, made from the settings: Twilio's signature and CloudPayments' HMAC are checked
with the current secret, and while it is being rotated with the previous one too. The webhooks check with
exactly these (the runtimes hand them to the intakes)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.settings import CloudPaymentsSettings, TwilioSettings
from payments.notifications import authentic
from webhooks.twilio import Signatures


def twilio_signatures(tw: TwilioSettings) -> Signatures:
    """For the WhatsApp and the voice webhooks alike."""
    assert tw.twilio_auth_token is not None
    return Signatures(tw.twilio_auth_token.get_secret_value(), tw.previous_token)


def cloudpayments_signatures(cp: CloudPaymentsSettings) -> Callable[[bytes, Mapping[str, str]], bool]:
    given = (cp.cloudpayments_api_secret, cp.cloudpayments_api_secret_previous)
    secrets = [each.get_secret_value() for each in given if each]
    return lambda body, headers: any(authentic(body, headers, secret) for secret in secrets)
