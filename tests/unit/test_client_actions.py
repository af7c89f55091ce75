"""Client actions have their own event type; the log written before it existed still reads the same."""

from datetime import UTC, datetime

from domain.events import SYSTEM, Actor, ActorKind, ClientAction, Event, EventType, is_staff_command

CLIENT = Actor(ActorKind.CLIENT, "C-1001")
AT = datetime(2026, 11, 29, 12, tzinfo=UTC)


def event(type_: EventType, data: dict, actor: Actor = CLIENT) -> Event:
    return Event("conversation:C-1001", 1, type_, AT, actor, "tg:1/x", data)


def test_a_client_action_round_trips() -> None:
    for action in (
        ClientAction("ask", "R-1001"),
        ClientAction("tap", "R-1002"),
        ClientAction("decline", "R-3", True),
    ):
        assert ClientAction.of(event(EventType.CLIENT_ACTION_TAKEN, action.to_data())) == action


def test_the_legacy_staff_command_shape_reads_as_the_client_action_it_was() -> None:
    legacy = {
        ("client-asks", "R-1001"): ClientAction("ask", "R-1001"),
        ("client-one-tap", "R-1002"): ClientAction("tap", "R-1002"),
        ("client-decline-stale", "decline:R-1003:2"): ClientAction("decline", "R-1003", stale=True),
        ("client-tap-stale", "tap:R-1004:1"): ClientAction("tap", "R-1004", stale=True),
    }
    for (command, args), expected in legacy.items():
        old = event(EventType.STAFF_COMMAND_ISSUED, {"command": command, "args": args})
        assert ClientAction.of(old) == expected
        assert not is_staff_command(old)


def test_real_staff_commands_are_not_client_actions() -> None:
    typed = event(
        EventType.STAFF_COMMAND_ISSUED, {"command": "quote", "args": "100"}, Actor(ActorKind.ASSISTANT, "A-1")
    )
    assert ClientAction.of(typed) is None and is_staff_command(typed)
    assert ClientAction.of(event(EventType.NOTE_ADDED, {"text": "x"}, SYSTEM)) is None
    assert not is_staff_command(event(EventType.CLIENT_ACTION_TAKEN, ClientAction("ask", "R-1").to_data()))
