"""Who a first contact is (storage/claims.py): the unique claim answers who was first, with no read before
the write; a twin or a replay gets the first one's client."""

from __future__ import annotations

import asyncio

from storage.claims import claimed, phone_claimed_for, reclaimed, release
from storage.counters import next_value
from storage.store import Store


async def test_twins_claiming_at_once_get_one_client_and_only_one_chose_it(store: Store) -> None:
    async def new_id() -> str:
        return f"C-{await next_value(store.db, 'client', 1001)}"

    results = await asyncio.gather(*(claimed(store.db, "telegram:42", new_id) for _ in range(5)))
    assert len({client_id for client_id, _ in results}) == 1
    assert [fresh for _, fresh in results].count(True) == 1
    again = await claimed(store.db, "telegram:42", new_id)  # a replay: the same client, not chosen now
    assert again == (results[0][0], False)
    # an erased client's claim moves to a new client (the twins' wasted numbers are gaps, never reused)
    moved = await reclaimed(store.db, "telegram:42", results[0][0], new_id)
    assert moved != results[0][0] and await claimed(store.db, "telegram:42", new_id) == (moved, False)


async def test_the_number_a_client_id_was_claimed_for_is_found_by_the_id(store: Store) -> None:
    """A call answered before its caller was registered names only the id its claim drew."""

    async def new_id() -> str:
        return f"C-{await next_value(store.db, 'client', 1001)}"

    caller, _fresh = await claimed(store.db, "phone:+971500000077", new_id)
    telegram, _fresh = await claimed(store.db, "telegram:77", new_id)
    assert await phone_claimed_for(store.db, caller) == "+971500000077"
    assert await phone_claimed_for(store.db, telegram) is None  # (a Telegram account names no number)
    await release(store.db, [caller])
    assert await phone_claimed_for(store.db, caller) is None
