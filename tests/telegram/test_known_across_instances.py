"""Review of issue 26's sixth round (review/rt6): a pass the Telegram worker timed itself begins its sends
with the documents the last pass's sends ended with (`step_reads.Known`), while another instance may change
them meanwhile. A card posted from such a document must still end up showing the store as it is: the edit
the other instance stored for its change is not settled unsent ("moot", on the grounds that the post shows
the card as it is when it goes) while a post may still go from a document older than that change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from aiohttp import web

from bot.workers.telegram_deliveries import TelegramDeliveryWorker
from engine.team import admin as staff_admin
from storage.budgets import Budgets
from tests.harness import Harness, user
from tests.telegram.test_worker_reads import LAYLA, new_client_asks  # (the new client: Layla)

OWN_FORUM = -1007770000001


def instance_a(tg: Harness, concurrency: int | None = None) -> TelegramDeliveryWorker:
    """Another instance's Telegram worker on the same store, sender and hooks: nothing the harness's engine
    (instance B's) stores wakes it. (`concurrency`: its sends at once; the worker's default when None.)"""
    running = tg.rt.delivery_worker
    extra = {} if concurrency is None else {"concurrency": concurrency}
    return TelegramDeliveryWorker(
        tg.store.deliveries,
        running._sender,
        tg.clock,
        running._hooks,
        Budgets(tg.store.db, running._budgets.limits),
        **extra,
    )


async def one_card_showing_four(tg: Harness) -> None:
    """Layla's topic has one request card, and it shows her change (👥 4)."""
    thread = await tg.thread_of(LAYLA)
    assert thread is not None
    cards = tg.request_cards(thread)
    assert len(cards) == 1
    assert "👥 4" in cards[0], cards[0]


async def topic_and_pinned_card(tg: Harness, a: TelegramDeliveryWorker) -> datetime:
    """Layla's /start, then her first request: A creates her topic, then (timed) posts its pinned card."""
    await new_client_asks(tg)
    due = await a.run_once()  # A: the topic created
    assert due is not None
    tg.clock.advance_to(due)
    due = await a.run_once()  # A, timed: the pinned card (its list of open requests read the request)
    assert a.trusted and due is not None
    return due


async def test_a_card_posted_from_what_a_timed_pass_knew_is_put_right_after_another_instance_s_change(
    tg: Harness,
) -> None:
    """Instance A's worker creates a new client's topic and posts the pinned card (its list reads the new
    request), then waits a second for the forum's budget before the request card. Meanwhile instance B
    handles the client's next message, which changes the request, and B's worker looks at the queue: the
    card's edit waits behind the card's post. A's timed pass then posts the request card from the request
    its last pass knew; the card must not stay without the change."""
    running = tg.rt.delivery_worker  # instance B's worker: woken by B's engine (the harness's)
    a = instance_a(tg)
    due = await topic_and_pinned_card(tg, a)
    await tg.send(tg.fake.user_message(LAYLA, text="We will be 4 people"))
    await tg.process_inbox()  # B: the request changed, the card's edit stored
    await running.run_once()  # B's worker, woken: the forum's budget is A's for a second yet
    tg.clock.advance_to(due)
    await a.run_once()  # A, timed: the request card
    assert a.trusted
    await tg.settle()
    await one_card_showing_four(tg)


async def test_a_later_chunk_of_a_slow_pass_posts_a_card_from_the_store_not_from_the_last_pass(
    tg: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pass claims and calls its sends in chunks (`concurrency` at once). Behind a slow chunk (a media
    upload: up to 90 s; Telegram degraded), a later chunk begins long after the queue was read — by then the
    edit another instance stored for its change is old enough to be mooted, so the card's post that chunk
    makes must read the store, not begin with what the last pass's sends ended with."""
    tg.fake.forum(OWN_FORUM, "Omar's forum")
    await staff_admin.add(tg.engine.deps, 9001, "Anna", "en")
    await staff_admin.add(tg.engine.deps, 9002, "Omar", "en", staff_chat_id=OWN_FORUM)
    james = user("James")
    running = tg.rt.delivery_worker  # instance B's worker: woken by B's engine (the harness's)
    a = instance_a(tg, concurrency=1)  # (one send at a time: nothing B stores wakes it)
    for person in (james, LAYLA):
        await tg.send(tg.fake.user_message(person, text="/start"))
        await tg.settle()
    tg.clock.advance(seconds=30)
    for person in (james, LAYLA):
        await tg.send(tg.fake.user_message(person, text="Book a car tonight at 8 from the Ritz"))
    await tg.process_inbox()
    due = await a.run_once()  # A: both topics created (one forum each)
    layla = await tg.client_of(LAYLA)
    assert layla.topic is not None and due is not None
    assert (await tg.client_of(james)).topic.chat_id != layla.topic.chat_id  # type: ignore[union-attr]
    tg.clock.advance_to(due)
    due = await a.run_once()  # A, timed: both pinned cards (their lists read the requests)
    assert a.trusted and due is not None
    for person in (james, LAYLA):
        await tg.send(tg.fake.user_message(person, text="We will be 4 people"))
    await tg.process_inbox()  # B: both requests changed, their cards' edits stored
    params_of, slow = tg.fake._params, {"n": 0, "chat": ""}
    forums = {str(c.topic.chat_id) for c in (await tg.client_of(james), layla) if c.topic}

    async def the_first_card_is_slow(request: web.Request) -> dict[str, Any]:  # (the network edge)
        params = await params_of(request)
        if request.match_info["method"] == "sendMessage" and not slow["n"]:
            # (whichever card the pass sends first — the two lanes may be in either order — is the slow one;
            # the other client's card goes in the next chunk)
            slow["n"], slow["chat"] = 1, str(params.get("chat_id"))
            tg.clock.advance(seconds=7)  # (the call took this long)
            # meanwhile the other forum took another instance's post; B's worker looks: that card's edit
            # waits behind the card's post, and is old enough now to be settled unsent
            (other,) = forums - {slow["chat"]}
            assert await Budgets(tg.store.db, running._budgets.limits).take(other, tg.clock.now())
            await running.run_once()
        return params

    tg.clock.advance_to(due)
    monkeypatch.setattr(tg.fake, "_params", the_first_card_is_slow)
    await a.run_once()  # A, timed: one request card (slow), then the other's
    assert a.trusted and slow["n"] == 1
    assert running.coalesced == 1  # (B settled the other card's edit unsent: the post was to show the change)
    monkeypatch.undo()
    await tg.settle()
    for person in (james, LAYLA):  # (the slow card by its edit, the other by a post made from the store)
        topic = (await tg.client_of(person)).topic
        assert topic is not None
        posts = tg.fake.topic_messages(topic.chat_id, topic.thread_id)
        cards = [m["text"] for m in posts if m.get("text", "").startswith("📋 ")]
        assert len(cards) == 1, cards
        assert "👥 4" in cards[0], cards[0]


async def test_a_card_s_edit_is_not_settled_unsent_while_its_post_is_on_its_way(
    tg: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Instance A's worker posts the request card, its text made from the request as it was; while Telegram
    takes its time answering (and the pass waits for the wave), instance B handles the client's change and
    B's worker looks at the queue: the card's post is being sent. The edit must not be settled unsent then —
    the post on its way shows the card as it was before the change."""
    running = tg.rt.delivery_worker
    a = instance_a(tg)
    due = await topic_and_pinned_card(tg, a)
    params_of, slow = tg.fake._params, {"n": 0}

    async def the_card_is_slow(request: web.Request) -> dict[str, Any]:  # (the network edge)
        params = await params_of(request)
        card = request.match_info["method"] == "sendMessage" and str(params.get("text", "")).startswith("📋")
        if card and not slow["n"]:
            slow["n"] += 1
            await tg.send(tg.fake.user_message(LAYLA, text="We will be 4 people"))
            await tg.process_inbox()  # B: the request changed, the card's edit stored
            tg.clock.advance(seconds=7)  # (Telegram answers late)
            await running.run_once()  # B's worker looks: the card's post is being sent
        return params

    tg.clock.advance_to(due)
    monkeypatch.setattr(tg.fake, "_params", the_card_is_slow)
    await a.run_once()  # A: the request card
    assert slow["n"] == 1
    monkeypatch.undo()
    await tg.settle()
    await one_card_showing_four(tg)
