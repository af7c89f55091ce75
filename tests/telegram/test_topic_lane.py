"""The staff forum used to its limit: the client's words go first, request cards never crowd them out, a new
client's topic does not wait behind the others' tails, and the group's budget is kept."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.workers.telegram_deliveries import RESERVE, WRITING
from channels.telegram.limits import KEEP_GROUP_LIMIT
from domain.outbound import EditCard, to_doc
from engine import queries as q
from engine.commands.table import COMMANDS
from engine.forum.topics import Topics
from sandbox.telegram import EDITING, SENDING
from storage.budgets import Budgets
from storage.deliveries import Delivery
from tests.harness import STAFF_CHAT, Harness, user
from tests.realistic import conversation, language_of
from tests.telegram.test_known_across_instances import instance_a


async def burst(tg: Harness, clients: int, messages: int) -> list[tuple[dict, list[str]]]:
    await tg.add_staff(9001, "Anna", "en,ru,ar")
    people = [(user(f"Guest{i:02d}", language_of(i)), conversation(i, messages)) for i in range(clients)]
    updates = [tg.fake.user_message(p, text=texts[n]) for n in range(messages) for p, texts in people]
    for start in range(0, len(updates), 50):
        await asyncio.gather(*(tg.post(u) for u in updates[start : start + 50]))
    await tg.settle(max_rounds=200_000)
    return people


async def test_a_realistic_burst_reaches_every_topic_in_order_new_topics_first(tg: Harness) -> None:
    people = await burst(tg, clients=24, messages=4)
    assert tg.fake.limit_violations == []
    first_relay, later_relays = [], []
    for person, texts in people:
        thread = await tg.thread_of(person)
        assert "\n\n".join(await tg.topic_words(thread)).split("\n\n") == texts  # all, once, in order
        relays = [
            c.at
            for c in tg.fake.sent(chat_id=STAFF_CHAT)
            if c.method == "sendMessage"
            and c.params.get("message_thread_id") == thread
            and any(t in c.params["text"] for t in texts)
        ]
        first_relay.append(relays[0])
        later_relays += relays[1:]
    assert len(tg.fake.sent("createForumTopic")) == 24
    # every client's first words were in their topic before any client's later ones
    assert max(first_relay) <= min(later_relays)


async def test_card_edits_share_the_group_s_allowance_leave_relays_room_and_show_the_latest_state(
    tg: Harness,
) -> None:
    """Telegram charges an edit like a message (20 a minute in a group, both together): edits coalesce, and
    while clients are writing they leave the group RESERVE slots for the words still coming."""
    people = await burst(tg, clients=12, messages=1)  # each opens a request: its card is posted
    more = ["We will be 4 people", "Our budget is around 50000 RUB", "Actually make it 5 people"]
    updates = [tg.fake.user_message(person, text=text) for text in more for person, _ in people]
    await asyncio.gather(*(tg.post(u) for u in updates))
    await tg.settle(max_rounds=200_000)

    assert tg.fake.limit_violations == []
    edits = tg.fake.sent("editMessageText", chat_id=STAFF_CHAT)
    assert edits and len(edits) < 12 * 3  # edits were made, fewer than the changes: they coalesced
    calls = [c for c in tg.fake.sent(chat_id=STAFF_CHAT) if c.method in SENDING or c.method in EDITING]
    relays = [c.at for c in calls if c.method == "sendMessage"]
    for edit in edits:
        if any(edit.at - WRITING < at <= edit.at for at in relays):  # clients were writing
            window = [c for c in calls if edit.at - timedelta(minutes=1) < c.at <= edit.at]
            assert len(window) <= KEEP_GROUP_LIMIT - RESERVE  # the last slots were left to relays
    assert tg.rt.delivery_worker.coalesced > 0
    topics = Topics(tg.engine.deps, card_hint=COMMANDS.card_hint())
    for person, texts in people:
        thread = await tg.thread_of(person)
        assert "\n\n".join(await tg.topic_words(thread)).split("\n\n") == texts + more
        client = await tg.client_of(person)
        (request,) = await q.requests_of(tg.store, client.id)
        current = await topics.card_text(client.id, f"request:{request.id}")
        assert "5 people" in current and tg.request_cards(thread) == [current]  # the card is up to date


async def test_a_burst_uses_the_group_s_19_a_minute_to_the_full_posts_and_edits_together(tg: Harness) -> None:
    people = await burst(tg, clients=20, messages=3)
    assert tg.fake.limit_violations == []
    calls = tg.fake.sent(chat_id=STAFF_CHAT)
    sends = [c.at for c in calls if c.method in SENDING or c.method in EDITING]  # (an edit is charged so)
    full_minutes = int((sends[-1] - sends[0]).total_seconds() // 60)
    assert full_minutes >= 3
    for k in range(full_minutes):  # the group's budget was used to the full (19 of 20) in every minute
        start = sends[0] + timedelta(minutes=k)
        assert sum(1 for at in sends if start <= at < start + timedelta(minutes=1)) == 19
    for person, texts in people:
        assert "\n\n".join(await tg.topic_words(await tg.thread_of(person))).split("\n\n") == texts


async def test_an_instance_that_relayed_nothing_leaves_room_for_the_words_another_instance_relays(
    tg: Harness,
) -> None:
    """N instances behave as one: the room a card's edit leaves to clients' words while they write is read
    from the budgets in the store (each group slot marks whether words took it), not from what this instance
    relayed itself. Another instance relayed the minute's words; this one, which relayed none, has only an
    edit to send: it waits while clients write, and goes once they stop."""
    people = await burst(tg, clients=1, messages=1)  # a request: its card posted
    client = await tg.client_of(people[0][0])
    tg.clock.advance(minutes=2)  # the group's minute empty again
    limits = tg.rt.delivery_worker._budgets.limits
    other = Budgets(tg.store.db, limits)
    words = KEEP_GROUP_LIMIT - RESERVE  # the other instance's relays leave RESERVE slots of the minute
    for _ in range(words):
        assert await other.take(str(STAFF_CHAT), tg.clock.now(), words=True)
        tg.clock.advance_to(tg.clock.now() + limits.per_chat)
    (request,) = await q.open_requests(tg.store, client.id)
    edit = Delivery(
        f"test-edit:{client.id}",
        "telegram",
        str(STAFF_CHAT),
        to_doc(EditCard(client.id, f"request:{request.id}")),
        "test-edit",
        lane=f"tg:{STAFF_CHAT}:{client.id}",
    )
    await tg.store.deliveries.enqueue(edit)
    this = instance_a(tg)

    def edits() -> int:  # (asked of Telegram: the card shows nothing new, "message is not modified")
        return len([c for c in tg.fake.calls if c.method == "editMessageText"])

    before = edits()
    await this.run_once()
    assert edits() == before  # clients were writing: the minute's last slots are left to their words
    tg.clock.advance_to(tg.clock.now() + WRITING)
    await this.run_once()
    assert edits() == before + 1  # they stopped: the card takes its slot
    assert tg.fake.limit_violations == []
