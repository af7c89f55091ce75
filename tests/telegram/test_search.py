"""The console's search: a request number, a client's name or phone digits, and words from the conversation in
all three languages (the intake's normal form: Arabic clitics and letter variants, Russian case endings,
English plurals), a message found by its translation too — each hit opening its entry in the timeline; an
assistant finds only their own clients."""

import re

import pytest

from engine import queries as q
from storage.timefmt import to_ms
from storage.words import FORMAT
from tests.console_client import signed_in
from tests.harness import Harness, user
from tests.telegram.test_console import staff_says


@pytest.fixture
async def conversations(tg: Harness) -> tuple[Harness, dict[str, dict]]:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    await tg.add_staff(9002, "Omar", "en,ar")
    people = {}
    for name, language, text in (
        ("Layla", "ar", "أريد طاولة في المطعم بالفندق الليلة"),
        ("James", "en", "Book one of the Ritz restaurants for Friday, please"),
        ("Irina", "ru", "Забронируйте столик в ресторане на вечер"),
    ):
        person = people[name] = user(name, language)
        await tg.send(tg.fake.user_message(person, text="/start"), tg.fake.user_message(person, text=text))
        await tg.settle()
    return tg, people


def hits(page: str) -> list[str]:
    """The messages found, as their links (each opens the message's entry in a timeline)."""
    section = page.split('id="found-messages"', 1)[1]
    return re.findall(r'<a href="([^"]+)" class="open">', section)


async def found(console, text: str) -> str:
    response = await console.post("/console/search", {"q": text}, "/console/search")
    assert response.status == 200
    return await response.text()


async def test_words_from_the_conversation_are_found_in_every_language_and_open_in_the_timeline(
    conversations: tuple[Harness, dict[str, dict]],
) -> None:
    tg, people = conversations
    anna = await signed_in(tg, 9001)
    layla = await tg.client_of(people["Layla"])
    await staff_says(tg, await tg.thread_of(people["Layla"]), "Certainly, the table at Nobu is yours")

    arabic = await found(anna, "فندق")  # written "بالفندق": in the hotel
    assert len(hits(arabic)) == 1 and "<mark>بالفندق</mark>" in arabic
    (link,) = hits(arabic)
    assert link.startswith("/console/requests/R-1001#e-conversation-C-")
    timeline = await (await anna.get(link.split("#")[0])).text()
    assert f'id="{link.split("#")[1]}"' in timeline  # the entry the hit opens
    assert len(hits(await found(anna, "ٱلْمَطْعَم"))) == 1  # diacritics and a variant alef: one normal form

    english = await found(anna, "restaurant")
    assert len(hits(english)) == 1 and "<mark>restaurants</mark>" in english
    assert len(hits(await found(anna, "рестораны"))) == 1  # Russian: another ending of the same word
    assert len(hits(await found(anna, "ресторан ритц"))) == 0  # every word must be in one message

    staff = await found(anna, "nobu table")
    assert len(hits(staff)) == 1 and "<mark>Nobu</mark>" in staff  # what the assistant wrote, too
    assert "R-1001" in hits(staff)[0]
    assert "/console/requests/R-1001" in staff.split('id="found-messages"')[0]  # its request, too

    by_number = await found(anna, "r-1002")
    assert '<a href="/console/requests/R-1002">R-1002</a>' in by_number.split('id="found-messages"')[0]
    by_name = await found(anna, "Layla")
    assert f'href="/console/clients/{layla.id}"' in by_name
    assert "/console/requests/R-1001" in by_name.split('id="found-messages"')[0]
    nothing = await found(anna, "zzzz")
    assert hits(nothing) == [] and "No message has these words." in nothing


async def test_a_clients_command_is_not_found_but_the_same_word_in_a_message_is(
    conversations: tuple[Harness, dict[str, dict]],
) -> None:
    """Every client's /start (and /help) is a command, not words to anyone: a search for "start" finds only
    the message that says it."""
    tg, people = conversations
    await tg.send(tg.fake.user_message(people["James"], text="/help"))
    await tg.send(tg.fake.user_message(people["James"], text="Please start the car ten minutes early"))
    await tg.settle()
    anna = await signed_in(tg, 9001)
    (hit,) = hits(await found(anna, "start"))
    james = await tg.client_of(people["James"])
    assert f"conversation-{james.id}-" in hit
    assert hits(await found(anna, "help")) == []


async def test_an_assistant_finds_only_their_own_clients(
    conversations: tuple[Harness, dict[str, dict]],
) -> None:
    tg, people = conversations
    anna, omar = await signed_in(tg, 9001), await signed_in(tg, 9002)
    clients = {name: await tg.client_of(people[name]) for name in ("Layla", "James")}
    everyone = hits(await found(anna, "طاولة")) + hits(await found(anna, "ritz"))
    assert len(everyone) == 2
    theirs = hits(await found(omar, "طاولة")) + hits(await found(omar, "ritz"))
    mine = {c.id for c in clients.values() if c.assistant_id == "A-9002"}
    assert len(theirs) == len(mine) < 2  # (the team's two share the clients: one is not Omar's)
    other = next(c for c in clients.values() if c.id not in mine)
    assert other.id not in "".join(theirs)
    refused = await found(omar, next(r.id for r in await q.requests_of(tg.store, other.id)))
    assert "No request matches." in refused


async def with_assistant(tg: Harness, person: dict, name: str) -> str:
    client = await tg.client_of(person)
    if client.assistant_id != {"Anna": "A-9001", "Omar": "A-9002"}[name]:
        await staff_says(tg, await tg.thread_of(person), f"/assign {name}")
    return client.id


async def test_an_assistant_finds_their_own_however_often_other_clients_wrote_the_word(
    conversations: tuple[Harness, dict[str, dict]],
) -> None:
    """Each word reads its newest rows, up to a cap (5000; here 3): a word other clients wrote more often and
    more lately takes none of an assistant's away (read client by client); a lead reads the newest."""
    tg, people = conversations
    karim = user("Karim", "en")
    await tg.send(tg.fake.user_message(karim, text="/start"))
    await tg.send(tg.fake.user_message(karim, text="A table by the window tonight, please"))
    await tg.settle()
    omars = await with_assistant(tg, karim, "Omar")
    await with_assistant(tg, people["James"], "Anna")
    tg.store.words.scan = 3
    for n in range(tg.store.words.scan + 1):  # later, and more than the cap
        tg.clock.advance(seconds=1)
        await tg.send(tg.fake.user_message(people["James"], text=f"And another table, number {n}"))
        await tg.settle()
    omar, anna = await signed_in(tg, 9002), await signed_in(tg, 9001)
    (theirs,) = hits(await found(omar, "table"))
    assert f"conversation-{omars}-" in theirs
    newest = hits(await found(anna, "table"))
    assert len(newest) == 3 and not any(omars in link for link in newest)  # the cap, across all clients


async def test_the_index_is_made_good_after_a_crash_and_at_its_first_start(
    conversations: tuple[Harness, dict[str, dict]],
) -> None:
    """A crash between a message's event and its words: the next start indexes what was written since the
    last one; a store that never had the index (an older version's) gets the whole log indexed."""
    tg, _people = conversations
    anna = await signed_in(tg, 9001)
    rows = tg.store.db["message_keys"]
    assert len(hits(await found(anna, "ritz"))) == 1
    ritz = {"key": {"$gte": "ritz\x1f", "$lt": "ritz\x1f\U0010ffff"}}
    await rows.delete_many(ritz)  # (as if the process died right after the event)
    assert hits(await found(anna, "ritz")) == []
    assert await tg.store.words.start_up(tg.store.events, tg.clock.now()) > 0
    assert len(hits(await found(anna, "ritz"))) == 1
    await rows.delete_many({})
    await tg.store.db["jobs"].delete_one({"_id": "message_keys"})
    await tg.store.words.start_up(tg.store.events, tg.clock.now())
    assert len(hits(await found(anna, "restaurant"))) == 1 and len(hits(await found(anna, "ресторан"))) == 1
    mark = await tg.store.db["jobs"].find_one({"_id": "message_keys"})
    assert mark["checked_ms"] == to_ms(tg.clock.now())


async def test_the_first_start_of_a_new_row_format_completes_the_rows_in_place(
    conversations: tuple[Harness, dict[str, dict]],
) -> None:
    """Rows an older version wrote (no `client_key`) are completed, none taken away."""
    tg, _people = conversations
    rows = tg.store.db["message_keys"]
    older = [{k: v for k, v in r.items() if k != "client_key"} async for r in rows.find({})]
    await rows.delete_many({})
    await rows.insert_many(older)
    await tg.store.db["jobs"].update_one({"_id": "message_keys"}, {"$set": {"format": FORMAT - 1}})
    await tg.store.words.start_up(tg.store.events, tg.clock.now())
    now = [r async for r in rows.find({})]
    assert len(now) == len(older) and all(r["client_key"].startswith(r["key"].split("\x1f")[0]) for r in now)


async def test_a_phone_typed_in_groups_and_a_request_number_typed_in_russian_are_found(tg: Harness) -> None:
    """Found by hand: '+44 7700 900002' (as a number is written, and as the pinned card shows it) found
    nobody while '447700900002' did; 'Р-1001' typed on a Russian keyboard found no request."""
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    await tg.wa("+971501234567", "A car to the airport tomorrow at 7", name="Layla")
    await tg.settle()
    anna = await signed_in(tg, 9001)
    for typed in ("+971 50 123 4567", "50 123 45 67", "971501234567", "4567"):
        page = await found(anna, typed)
        assert 'href="/console/clients/C-1001"' in page, typed
    assert "R-1001" in await found(anna, "Р-1001") and "R-1001" in await found(anna, "р1001")
    assert 'href="/console/clients/C-1001"' not in await found(anna, "50 999 45 67")  # another number
    for typed in ("C-1001", "c1001", "\u0441-1001"):  # the id the pinned card and escalations show
        assert 'href="/console/clients/C-1001"' in await found(anna, typed), typed
    assert 'href="/console/clients/C-1001"' not in await found(anna, "C-1002")


async def test_words_that_opened_one_of_several_requests_are_found_under_that_request(tg: Harness) -> None:
    """James asked for a car, tickets and a table within seconds: "Swan Lake" was found under R-1003 (the
    table, opened a moment later), the request list too. The words are found under the request they opened."""
    await tg.add_staff(9001, "Anna", "en", lead=True)
    james = user("James", "en")
    await tg.send(tg.fake.user_message(james, text="/start"))
    for text in (
        "A Mercedes from the Ritz tomorrow at 8pm",
        "Also 2 tickets to Swan Lake at the Bolshoi on Friday evening",
        "And a table for 4 at White Rabbit on Saturday at 9pm",
    ):
        await tg.send(tg.fake.user_message(james, text=text))
        tg.clock.advance(seconds=2)
    await tg.settle()
    assert (await q.request(tg.store, "R-1003")) is not None
    anna = await signed_in(tg, 9001)
    page = await found(anna, "Swan Lake")
    (link,) = hits(page)
    assert link.startswith("/console/requests/R-1002#")
    requests = page.split('id="found-messages"', 1)[0]
    assert "/console/requests/R-1002" in requests and "/console/requests/R-1003" not in requests
    (link,) = hits(await found(anna, "Mercedes"))
    assert link.startswith("/console/requests/R-1001#")
