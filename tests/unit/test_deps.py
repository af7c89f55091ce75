"""`Deps` is built once: it cannot be changed afterwards, and what the runtime fills are registries of its own
(wakes, listeners, the phone's caller), each with one way in."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from domain.calls import VoiceLine
from domain.clock import FrozenClock
from domain.errors import Unavailable
from domain.events import SYSTEM, Event, EventType
from engine.deps import CallPort, Deps, Listeners, Policy, Wakes
from engine.i18n import translator
from storage.store import Store

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def built() -> Deps:
    # (no store is touched: nothing here reads or writes)
    return Deps(cast(Store, object()), FrozenClock(NOW), translator(), None, Policy(test_payments=True))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("console_url", "http://elsewhere/console"),
        ("calls", CallPort(VoiceLine("+74951234567", "https://x/webhooks/twilio/voice"))),
        ("listeners", Listeners()),
        ("policy", Policy()),
    ],
)
def test_deps_cannot_be_changed_after_it_is_built(name: str, value: Any) -> None:
    deps = built()
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(deps, name, value)


def test_not_even_a_method_can_be_patched_onto_it() -> None:
    """(A test's crash is patched into the class, on purpose.) Python 3.11's frozen slotted dataclass refuses
    a name that is not a field with a TypeError rather than FrozenInstanceError: refused either way."""
    deps = built()
    with pytest.raises((dataclasses.FrozenInstanceError, TypeError, AttributeError)):
        deps.record = None  # type: ignore[method-assign,assignment]


def test_the_policy_is_one_value_that_cannot_be_changed_either() -> None:
    deps = built()
    assert deps.policy.test_payments and deps.policy.quote_validity == timedelta(hours=24)
    with pytest.raises(dataclasses.FrozenInstanceError):
        deps.policy.test_payments = False  # type: ignore[misc]


async def test_listeners_are_told_in_the_order_they_were_added() -> None:
    heard: list[str] = []
    listeners = Listeners()

    def named(name: str) -> Any:
        async def listener(event: Event) -> None:
            heard.append(f"{name}:{event.type.value}")

        return listener

    listeners.add(named("timers"))
    listeners.add(named("live"))
    event = Event("client:C-1", 1, EventType.CLIENT_REGISTERED, NOW, SYSTEM, "t/1")
    await listeners.notify(event)
    assert heard == ["timers:ClientRegistered", "live:ClientRegistered"]


def test_every_wake_added_is_woken() -> None:
    woken: list[int] = []
    wakes = Wakes()
    wakes.wake()  # none yet: nothing happens
    wakes.add(lambda: woken.append(1))
    wakes.add(lambda: woken.append(2))
    wakes.wake()
    assert woken == [1, 2]


def test_a_channel_s_wake_is_woken_for_its_channel_only() -> None:
    """A delivery worker woken for another channel's messages reads its queue for nothing."""
    woken: list[str] = []
    wakes = Wakes()
    wakes.add(lambda: woken.append("telegram"), "telegram")
    wakes.add(lambda: woken.append("whatsapp"), "whatsapp")
    wakes.add(lambda: woken.append("any"))
    wakes.wake("telegram")
    assert woken == ["telegram", "any"]
    woken.clear()
    wakes.wake()  # (no channel named: every one)
    assert woken == ["telegram", "whatsapp", "any"]


async def test_the_phone_rings_once_its_caller_is_connected_and_it_is_connected_once() -> None:
    line = VoiceLine("+74951234567", "https://example.org/webhooks/twilio/voice")
    port, placed = CallPort(line), []
    with pytest.raises(Unavailable):
        await port.place("+971500000001", line.bridge("e#1"))

    async def caller(to: str, from_: str, url: str, status: str) -> str:
        placed.append((to, from_, url, status))
        return "CA1"

    port.connect(caller)
    assert await port.place("+971500000001", line.bridge("e#1")) == "CA1"
    assert placed == [("+971500000001", "+74951234567", line.bridge("e#1"), line.leg_status)]
    with pytest.raises(RuntimeError):
        port.connect(caller)
