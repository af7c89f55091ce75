"""The console's pages offer the forms of exactly the commands the table lets the signed-in viewer give from
the console (its place, their role): a lead-only command's form is a lead's only, and a new row allowed in
the console is offered with no template edit."""

import re
from dataclasses import replace

import pytest

from bot.console import pages
from engine.commands.table import COMMANDS, IN_FORUM, Commands
from tests.console_client import Console, signed_in
from tests.harness import Harness
from tests.telegram.test_console import paid_request, staff_says
from tests.unit.test_commands_table import TOY

PAGE = "/console/requests/R-1001"
FORM_NAME = re.compile(r'<input type="hidden" name="name" value="([^"]+)">')


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    await tg.add_staff(9002, "Omar", "en,ar")
    return tg


async def offered(console: Console, path: str = PAGE) -> set[str]:
    """The commands a page offers: a form posting the command's name, or refund's link to its confirmation."""
    response = await console.get(path)
    assert response.status == 200, path
    text = await response.text()
    shown = set(FORM_NAME.findall(text))
    if f'href="{PAGE}/refund"' in text:
        shown.add("refund")
    if f'action="/console/clients/{path.rsplit("/", 1)[-1]}/merge"' in text:
        shown.add("merge")
    return shown


async def omar_has_the_paid_request(tg: Harness) -> str:
    _client, thread, client_id = await paid_request(tg)
    await staff_says(tg, thread, "/assign Omar")
    return str(client_id)


async def test_an_assistants_pages_offer_no_lead_only_command_and_a_leads_do(team: Harness) -> None:
    tg = team
    client_id = await omar_has_the_paid_request(tg)
    omar, anna = await signed_in(tg, 9002), await signed_in(tg, 9001)
    # the same forms as the page always showed for a paid request: lead-only ones (refund, reassign) for leads
    assert await offered(omar) == {"note", "progress", "done", "cancel"}
    assert await offered(anna) == {"note", "progress", "done", "cancel", "refund", "assign"}
    client_page = f"/console/clients/{client_id}"
    assert await offered(omar, client_page) == {"translate"}
    assert await offered(anna, client_page) == {"merge", "translate"}
    lead_only = {row.name for row in COMMANDS if row.lead_only}
    assert not await offered(omar) & lead_only
    assert lead_only - {"take"} <= await offered(anna) | await offered(anna, client_page)  # (take: no form)


async def test_a_new_row_allowed_in_the_console_gets_a_form_without_a_template_edit(
    team: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    tg = team
    await omar_has_the_paid_request(tg)
    omar, anna = await signed_in(tg, 9002), await signed_in(tg, 9001)
    before = await offered(omar), await offered(anna)
    table = COMMANDS.plus(
        TOY,  # /wave, in the console for everyone
        replace(TOY, name="salute", lead_only=True),  # for leads only
        replace(TOY, name="nod", form=False),  # may be sent from the console, but no form is offered
        replace(TOY, name="shrug", places=IN_FORUM),  # not in the console at all
    )
    monkeypatch.setattr(pages, "COMMANDS", table)
    assert await offered(omar) == before[0] | {"wave"}
    assert await offered(anna) == before[1] | {"wave", "salute"}
    form = around(await (await anna.get(PAGE)).text(), "wave")
    assert f'action="{PAGE}/command"' in form and 'name="args"' in form and "/wave</button>" in form
    assert "help-command-wave" in form  # its label: the row's Fluent help (this toy row has none: its id)


async def test_a_command_offered_with_no_form_of_its_own_is_labelled_by_its_help(
    team: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    tg = team
    await omar_has_the_paid_request(tg)
    omar = await signed_in(tg, 9002)
    assert "close" not in await offered(omar)  # the table offers no form for it today
    table = Commands(tuple(replace(row, form=True) if row.name == "close" else row for row in COMMANDS))
    monkeypatch.setattr(pages, "COMMANDS", table)
    assert "close" in await offered(omar)
    form = around(await (await omar.get(PAGE)).text(), "close")
    assert "close the conversation (the client is thanked)" in form and 'name="args"' in form


def around(text: str, name: str) -> str:
    """The form posting `name`."""
    at = text.index(f'name="name" value="{name}"')
    return text[text.rindex("<form", 0, at) : text.index("</form>", at)]
