"""Review of issue 26's sixth round (review/rt6): a pass the Telegram worker timed itself begins its sends
with the documents the last pass's sends ended with (`step_reads.Known`), while another instance may change
them meanwhile. A card posted from such a document must still end up showing the store as it is: the edit
the other instance stored for its change is not settled unsent ("moot", on the grounds that the post shows
the card as it is when it goes) while a post may still go from a document older than that change."""

from __future__ import annotations

from bot.workers.telegram_deliveries import TelegramDeliveryWorker
from storage.budgets import Budgets
from tests.harness import Harness, user

LAYLA = user("Layla")


async def test_a_card_posted_from_what_a_timed_pass_knew_is_put_right_after_another_instance_s_change(
    tg: Harness,
) -> None:
    """Instance A's worker creates a new client's topic and posts the pinned card (its list reads the new
    request), then waits a second for the forum's budget before the request card. Meanwhile instance B
    handles the client's next message, which changes the request, and B's worker looks at the queue: the
    card's edit waits behind the card's post. A's timed pass then posts the request card from the request
    its last pass knew; the card must not stay without the change."""
    running = tg.rt.delivery_worker  # instance B's worker: woken by B's engine (the harness's)
    a = TelegramDeliveryWorker(  # instance A's: nothing B stores wakes it
        tg.store.deliveries,
        running._sender,
        tg.clock,
        running._hooks,
        Budgets(tg.store.db, running._budgets.limits),
    )
    await tg.add_staff(9001, "Anna", "en", lead=True)
    await tg.send(tg.fake.user_message(LAYLA, text="/start"))
    await tg.settle()
    tg.clock.advance(seconds=30)
    await tg.send(tg.fake.user_message(LAYLA, text="Book a car tonight at 8 from the Ritz"))
    await tg.process_inbox()
    due = await a.run_once()  # A: the topic created
    assert due is not None
    tg.clock.advance_to(due)
    due = await a.run_once()  # A, timed: the pinned card (its list of open requests read the request)
    assert a.trusted and due is not None
    await tg.send(tg.fake.user_message(LAYLA, text="We will be 4 people"))
    await tg.process_inbox()  # B: the request changed, the card's edit stored
    await running.run_once()  # B's worker, woken: the forum's budget is A's for a second yet
    tg.clock.advance_to(due)
    await a.run_once()  # A, timed: the request card
    assert a.trusted
    await tg.settle()
    thread = await tg.thread_of(LAYLA)
    assert thread is not None
    cards = tg.request_cards(thread)
    assert len(cards) == 1
    assert "👥 4" in cards[0], cards[0]
