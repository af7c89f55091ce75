"""The toy's 'provider': it keeps what it was asked to send, as a fake does."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.outbound import Message, Outbound


@dataclass
class ToySender:
    sent: list[tuple[str, str]] = field(default_factory=list)  # (address, text)

    async def send(self, address: str, out: Outbound) -> str:
        match out:
            case Message(text=text):
                self.sent.append((address, text))
                return f"toy-{len(self.sent)}"
        raise ValueError(f"the toy cannot carry {type(out).__name__}")

    def to(self, address: str) -> list[str]:
        return [text for to, text in self.sent if to == address]
