"""The table of topic commands is the one source of the forum help, the card's hint line and the README."""

from pathlib import Path

from engine.commands.topic import COMMANDS, card_hint, help_text, parse

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_help_lists_every_command_with_its_usage_and_marks_lead_only_ones() -> None:
    lines = help_text().splitlines()
    for name, command in COMMANDS.items():
        (line,) = [line for line in lines if line.startswith(f"/{name} ") or line == f"/{name}"]
        assert command.help in line
        assert line.endswith("(leads)") == (command.lead_only is not None)
    assert lines[-1] == "Anything else you write here goes to the client."


def test_the_card_hint_is_generated_from_the_table() -> None:
    expected = "/quote · /edit when|category|guests|place|budget · /progress · /done · /cancel · /new"
    assert card_hint() == expected


def test_only_assign_take_merge_and_refund_are_for_leads() -> None:
    assert {name for name, c in COMMANDS.items() if c.lead_only} == {"assign", "merge", "refund", "take"}


def test_a_command_is_read_whatever_its_case_and_bot_suffix() -> None:
    assert parse("/Quote@ConciergeBot 45000 RUB  car ") == ("quote", "45000 RUB  car")
    assert parse("/done") == ("done", "")


def test_the_readme_documents_every_command() -> None:
    text = README.read_text()
    assert [name for name in COMMANDS if f"`/{name}" not in text] == []
