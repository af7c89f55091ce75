"""One-time sign-in links and console sessions: opaque tokens, signed with a key of the service's own
(CONSOLE_SECRET's, or one the store keeps) and stored only as digests, so a copy of the store signs nobody in:
a link is good only while its digest is stored unused, and a session only while its digest is stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

LINK_MINUTES = 10
SESSION_HOURS = 12
APP_LINK_MINUTES = 30  # a client's link to their own page (WhatsApp): opened once, within this
APP_SESSION_HOURS = 1  # … then a short session


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def digest(token: str) -> str:
    """What the store keeps of a link or a session."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Signer:
    key: bytes

    @classmethod
    def derived(cls, secret: str) -> Signer:
        """From CONSOLE_SECRET: the same on every instance that is given it."""
        return cls(hmac.new(secret.encode(), b"concierge console sign-in v1", hashlib.sha256).digest())

    def _mac(self, purpose: str, value: str) -> str:
        return _b64(hmac.new(self.key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()[:18])

    @staticmethod
    def nonce() -> str:
        return secrets.token_urlsafe(18)

    def link_token(self, nonce: str) -> str:
        return f"{nonce}.{self._mac('link', nonce)}"

    def authentic(self, token: str) -> bool:
        """A link we made (checked before anything is read); a forged or mangled one is not."""
        if len(token) > 100 or token.count(".") != 1:
            return False
        nonce, mac = token.split(".")
        return hmac.compare_digest(mac.encode(), self._mac("link", nonce).encode())  # (bytes: any text)

    def app_token(self, nonce: str) -> str:
        """A client's one-time link to their own page: signed for that purpose, so it never opens the console
        (nor a console link the client's page)."""
        return f"{nonce}.{self._mac('app-link', nonce)}"

    def app_authentic(self, token: str) -> bool:
        if len(token) > 100 or token.count(".") != 1:
            return False
        nonce, mac = token.split(".")
        return hmac.compare_digest(mac.encode(), self._mac("app-link", nonce).encode())

    def export_mac(self, client_id: str, expires: int) -> str:
        """A client's download of their own data, good until `expires` (epoch seconds)."""
        return self._mac("app-export", f"{client_id}:{expires}")

    def csrf(self, session_digest: str) -> str:
        """The form token of a session: derived, so nothing more is stored, and useless elsewhere."""
        return self._mac("csrf", session_digest)

    def csrf_ok(self, session_digest: str, token: str | None) -> bool:
        if not token:
            return False
        return hmac.compare_digest(token.encode(), self.csrf(session_digest).encode())


def session_token() -> str:
    return secrets.token_urlsafe(32)
