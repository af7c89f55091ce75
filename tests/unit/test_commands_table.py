"""One table of staff commands is the one source of the help in every place, Telegram's menus, the request
card's hint line, the console's allowed actions and the README."""

from pathlib import Path
from typing import Any

from domain.clients import Assistant
from domain.events import Actor, ActorKind
from engine.commands.dispatch import admit
from engine.commands.table import ANYWHERE, COMMANDS, IN_FORUM, Command, Commands
from engine.deps import Deps
from engine.invocation import Invocation, Place, parse
from engine.staff_texts import bound, st

README = Path(__file__).resolve().parents[2] / "README.md"


def ids(message_id: str, /, **_: Any) -> str:
    """A reader who sees message ids (so a row needs no Fluent text to be tested)."""
    return message_id


async def wave(_deps: Deps, cmd: Invocation) -> str:
    return f"👋 {cmd.args}"


TOY = Command("wave", wave, ANYWHERE | Place.CONSOLE, "<whom>", card="<whom>")


def test_the_help_of_each_place_lists_what_works_there_and_marks_lead_only_ones() -> None:
    for place in (Place.TOPIC, Place.FORUM, Place.ESCALATIONS, Place.PRIVATE):
        lines = COMMANDS.help(place, ids).splitlines()
        listed = {line.split()[0][1:] for line in lines if line.startswith("/")}
        assert listed == {c.name for c in COMMANDS if place & c.places and c.menu}, place
        for command in COMMANDS:
            for line in (line for line in lines if line.split()[0] == f"/{command.name}"):
                assert line.startswith(command.usage_line() + " — ")
                assert f"— {command.help_id}" in line
                assert line.endswith("help-leads") == command.lead_only
    english = COMMANDS.help(Place.TOPIC, bound("en")).splitlines()
    assert english[0] == "Commands in a client's topic:"
    assert english[-1] == "Anything else you write here goes to the client."
    assert "/refund [amount] — refund the paid request (leads)" in english
    assert COMMANDS.help(Place.PRIVATE, bound("ru")).startswith("Команды здесь:\n/away")


def test_the_places_of_each_command() -> None:
    assert COMMANDS.allowed(Place.PRIVATE) == (
        "away", "back", "stats", "translate", "console", "help", "start",
    )  # fmt: skip
    assert COMMANDS.allowed(Place.ESCALATIONS) == COMMANDS.allowed(Place.FORUM)
    assert COMMANDS.allowed(Place.FORUM) == (
        "assign",
        "take",
        "away",
        "back",
        "stats",
        "translate",
        "console",
        "help",
        "start",
    )
    assert set(COMMANDS.allowed(Place.CONSOLE)) == {
        "note", "close", "assign", "take", "merge", "quote", "edit", "progress", "done", "cancel", "refund",
        "translate", "r",
    }  # fmt: skip
    # the console's pages offer forms for the others (edit, close and take: typed in the topic; a quote has
    # a form of its own, read by the same parser)
    assert {c.name for c in COMMANDS if Place.CONSOLE & c.places and not c.form} == {"close", "take", "edit"}


def test_the_card_hint_is_generated_from_the_table() -> None:
    expected = "/quote · /edit when|category|guests|place|budget · /progress · /done · /cancel · /new"
    assert COMMANDS.card_hint() == expected


def test_the_forum_menu_has_every_command_of_the_forum_but_start() -> None:
    menu = COMMANDS.menu(bound("en"))
    assert [name for name, _ in menu] == [
        c.name for c in COMMANDS if c.places & IN_FORUM and c.name != "start"
    ]
    assert dict(COMMANDS.menu(bound("ru")))["done"] == "заявка выполнена (клиента поблагодарят)"


def test_a_new_row_appears_in_every_help_menu_hint_and_the_console_without_another_edit() -> None:
    table = COMMANDS.plus(TOY)
    for place in (Place.TOPIC, Place.FORUM, Place.ESCALATIONS, Place.PRIVATE):
        assert "/wave <whom> — help-command-wave" in table.help(place, ids).splitlines(), place
        assert "/wave" not in COMMANDS.help(place, ids)
    assert ("wave", "help-command-wave") in table.menu(ids)
    assert table.card_hint() == COMMANDS.card_hint() + " · /wave <whom>"
    assert "wave" in table.allowed(Place.CONSOLE) and "wave" not in COMMANDS.allowed(Place.CONSOLE)
    assert table.get("wave") is TOY and COMMANDS.get("wave") is None


def test_only_assign_take_merge_and_refund_are_for_leads_in_every_place() -> None:
    assert {c.name for c in COMMANDS if c.lead_only} == {"assign", "merge", "refund", "take"}
    lead, assistant = Assistant("A-1", 1, "Anna", lead=True), Assistant("A-2", 2, "Omar")
    for command in COMMANDS:
        for place in Place:
            for who in (lead, assistant):
                asked = Invocation(command.name, who, Actor(ActorKind.ASSISTANT, who.id), place, "", "c")
                refused = admit(command, asked)
                if not place & command.places:
                    assert refused and refused.startswith(f"Unknown command /{command.name} here."), place
                elif command.lead_only and who is assistant:
                    assert refused == f"Only a lead can {st(who, f'lead-only-{command.name}')}.", place
                else:
                    assert refused is None, (command.name, place)


def test_only_the_note_is_not_audited_it_is_its_own_event() -> None:
    assert [c.name for c in COMMANDS if not c.audited] == ["note"]


def test_the_table_holds_each_name_once() -> None:
    names = [c.name for c in COMMANDS]
    assert len(names) == len(set(names))
    assert isinstance(COMMANDS, Commands)


def test_a_command_is_read_whatever_its_case_and_bot_suffix() -> None:
    assert parse("/Quote@ConciergeBot 45000 RUB  car ") == ("quote", "45000 RUB  car")
    assert parse("/done") == ("done", "")


def test_the_readme_documents_every_command() -> None:
    text = README.read_text()
    assert [c.name for c in COMMANDS if f"`/{c.name}" not in text] == []
