"""One dispatch for every staff command, wherever it is given: a command where it does not work is refused
there, the lead-only rule holds in every place, and the console's action and the typed command leave the same
events. A new row of the table is dispatched like the others."""

import pytest

from domain.clients import Assistant, Client
from domain.events import Actor, ActorKind, Event, EventType
from engine import queries as q
from engine.commands.dispatch import dispatch
from engine.commands.table import COMMANDS
from engine.console import actions as act
from engine.invocation import Forbidden, Invocation, Place
from tests import reads
from tests.harness import STAFF_CHAT, Harness, user
from tests.telegram.test_clock import ANNA, OMAR, staff_says
from tests.unit.test_commands_table import TOY

REQUEST = "Please book a Mercedes with a driver tonight at 8 from the Ritz"


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru", lead=True)
    await tg.add_staff(9002, "Omar", "en,ar")
    return tg


async def client_with_request(tg: Harness, name: str) -> tuple[Client, int]:
    person = user(name, "en")
    await tg.send(tg.fake.user_message(person, text="/start"), tg.fake.user_message(person, text=REQUEST))
    await tg.settle()
    client = await tg.client_of(person)
    thread = reads.thread(client)
    assert thread is not None
    return client, thread


async def staff(tg: Harness, telegram_id: int) -> Assistant:
    found = await q.staff_member(tg.store, telegram_id)
    assert found is not None
    return found


def general(tg: Harness) -> list[str]:
    chat = tg.fake.chats[STAFF_CHAT]
    return [m["text"] for m in chat.messages.values() if m.get("from", {}).get("is_bot") and "text" in m]


async def staff_commands(tg: Harness) -> list[Event]:
    return await reads.events(tg.store, EventType.STAFF_COMMAND_ISSUED)


async def test_a_command_where_it_does_not_work_is_refused_there(team: Harness) -> None:
    tg = team
    _client, thread = await client_with_request(tg, "Layla")
    await staff_says(tg, None, "/quote 45000 RUB car")  # in General
    assert general(tg)[-1].startswith("⚠️ Unknown command /quote here.\nCommands anywhere in the staff forum:")
    await staff_says(tg, thread, "/start")  # in a client's topic
    assert tg.topic_texts(thread)[-1].startswith("⚠️ Unknown command /start here.\nCommands in a client's")
    await tg.send(tg.fake.user_message(ANNA, text="/done"))  # in her private chat with the bot
    await tg.settle()
    answer = tg.to_user(ANNA)[-1]["text"]
    assert answer.startswith("⚠️ Unknown command /done here.\nCommands here:\n/away")
    assert len(await reads.clients(tg.store)) == 1  # an assistant is never taken for a client
    refused = [e.data["command"] for e in await staff_commands(tg) if e.stream.startswith("staff:")]
    assert refused == ["quote", "done"]  # each refusal is on record


async def test_help_answers_with_what_works_where_it_is_asked(team: Harness) -> None:
    tg = team
    _client, thread = await client_with_request(tg, "Layla")
    await staff_says(tg, thread, "/help")
    topic_help = tg.topic_texts(thread)[-1]
    assert topic_help.startswith("Commands in a client's topic:\n/note <text>") and "/quote" in topic_help
    await staff_says(tg, None, "/help")
    assert general(tg)[-1].startswith("Commands anywhere in the staff forum:\n/assign <name>")
    await tg.send(tg.fake.user_message(OMAR, text="/help"))
    await tg.settle()
    assert tg.to_user(OMAR)[-1]["text"].startswith("Commands here:\n/away")  # not the clients' help


async def test_only_a_lead_may_assign_in_every_place(team: Harness) -> None:
    tg = team
    client, thread = await client_with_request(tg, "Layla")
    omar = await staff(tg, 9002)
    before = client.assistant_id
    actor = Actor(ActorKind.ASSISTANT, omar.id)
    for n, (place, about) in enumerate([(Place.TOPIC, client), (Place.FORUM, None)]):
        asked = Invocation("assign", omar, actor, place, "Omar", f"test:{n}", about, None, STAFF_CHAT)
        assert (await dispatch(tg.engine.deps, asked)).refused == "Only a lead can reassign a client."
    await tg.settle()
    assert tg.topic_texts(thread)[-1] == "⚠️ Only a lead can reassign a client."
    assert general(tg)[-1] == "⚠️ Only a lead can reassign a client."  # (Escalations: test_clock)
    events = await reads.event_count(tg.store)
    with pytest.raises(Forbidden):  # the console answers 403 and records nothing
        await act.command(tg.engine.deps, omar, client, "assign", "Omar", None, "a" * 16)
    assert await reads.event_count(tg.store) == events
    await tg.send(tg.fake.user_message(OMAR, text="/assign Omar"))  # not in a private chat, whoever asks
    await tg.settle()
    assert tg.to_user(OMAR)[-1]["text"].startswith("⚠️ Unknown command /assign here.")
    assert (await q.client(tg.store, client.id)).assistant_id == before  # type: ignore[union-attr]


async def test_a_lead_takes_a_client_by_id_in_general_and_an_assistant_may_not(team: Harness) -> None:
    tg = team
    client, _thread = await client_with_request(tg, "Layla")
    await staff_says(tg, None, f"/take {client.id}", who=OMAR)
    assert general(tg)[-1] == "⚠️ Only a lead can take a client."
    await staff_says(tg, None, f"/take {client.id}")
    assert general(tg)[-1] == "➡️ Layla is now with Anna."


async def test_a_console_action_and_the_typed_command_leave_the_same_events(team: Harness) -> None:
    tg = team
    anna = await staff(tg, 9001)
    typed, thread = await client_with_request(tg, "Layla")
    given, _ = await client_with_request(tg, "James")
    await staff_says(tg, thread, "/note prefers the Maybach")
    await staff_says(tg, thread, "/cancel the client changed plans")
    request = (await q.requests_of(tg.store, given.id))[-1].id
    assert (
        await act.command(tg.engine.deps, anna, given, "note", "prefers the Maybach", None, "n" * 16) is None
    )
    cancel = await act.command(
        tg.engine.deps, anna, given, "cancel", "the client changed plans", request, "c" * 16
    )
    assert cancel is None
    await tg.settle()

    async def effects(client: Client, prefix: str) -> list[tuple[str, str, str]]:
        shown = []
        for stream in (
            f"conversation:{client.id}",
            f"request:{(await q.requests_of(tg.store, client.id))[-1].id}",
        ):
            for event in await tg.store.events.read(stream):
                if event.cause.startswith(prefix) and event.actor.kind is ActorKind.ASSISTANT:
                    data = {k: v for k, v in event.data.items() if k not in ("via", "request_id")}
                    step = event.cause.split("/", 1)[1]
                    shown.append((event.type.value, step, str(sorted(data.items())).replace(client.id, "C")))
        return sorted(shown)

    by_hand = await effects(typed, "tg:")
    assert by_hand and {t for t, _, _ in by_hand} >= {"StaffCommandIssued", "NoteAdded", "RequestCancelled"}
    assert await effects(given, "console:") == by_hand
    issued = [
        e for e in await tg.store.events.read(f"conversation:{given.id}") if e.cause.startswith("console:")
    ]
    assert [(e.data["via"], e.data["request_id"]) for e in issued if "via" in e.data] == [
        ("console", request)
    ]


async def test_a_new_row_is_dispatched_like_the_others(team: Harness) -> None:
    tg = team
    anna = await staff(tg, 9001)
    client, thread = await client_with_request(tg, "Layla")
    table = COMMANDS.plus(TOY)
    actor = Actor(ActorKind.ASSISTANT, anna.id)
    asked = Invocation("wave", anna, actor, Place.TOPIC, "Layla", "test:wave", client, None, STAFF_CHAT)
    assert (await dispatch(tg.engine.deps, asked, table)).answer == "👋 Layla"
    await tg.settle()
    assert tg.topic_texts(thread)[-1] == "👋 Layla"
    (issued,) = [
        e for e in await tg.store.events.read(f"conversation:{client.id}") if e.cause == "test:wave/command"
    ]
    assert issued.data == {"command": "wave", "args": "Layla"} and issued.actor == actor
    console = Invocation("wave", anna, actor, Place.CONSOLE, "", "console:wave", client)
    assert (await dispatch(tg.engine.deps, console, table)).refused is None
    with pytest.raises(Exception, match="not a console action"):
        await dispatch(tg.engine.deps, console)  # the table without the row: the console may not give it
