"""The webhook's quick check of a plain update (a private chat's text message) accepts only what aiogram
reads and the store holds: generated updates near that shape — wrong types, missing and extra fields, odd
numbers, integers past 64 bits, lone surrogates — are never accepted by the quick check and refused by aiogram
or by `check_storable`."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from aiogram.types import Update
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from channels.telegram.routers import check_update, plain_shape
from domain.errors import InvalidValue
from domain.payloads import check_storable
from sandbox.telegram import FakeTelegram
from tests.harness import TOKEN, user
from tests.realistic import conversation

scalars = (
    st.integers(-(2**63), 2**63 - 1)
    | st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**40, 10**12, 10**15])
    | st.booleans()
    | st.none()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5)
)
anything = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=4,
)


def near(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """An object with some of `fields` (each its right kind of value, or anything), now and then another."""
    chosen = st.dictionaries(st.sampled_from(sorted(fields)), st.none(), max_size=len(fields))

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        keys = set(draw(chosen)) | ({k for k in fields if draw(st.integers(0, 3))})
        value = {
            k: draw(fields[k] | anything) if draw(st.integers(0, 5)) == 0 else draw(fields[k]) for k in keys
        }
        if draw(st.integers(0, 7)) == 0:
            value[draw(st.sampled_from(["via_bot", "reply_to_message", "x", "chat_id"]))] = draw(anything)
        return value

    return build()


ints = st.integers(-(2**63), 2**63 - 1) | st.sampled_from(
    [0, 1, 2**31 - 1, 2**31, 10**12, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64]
)
texts = st.text(max_size=8) | st.sampled_from(["\ud800", "a\udfffb", "٣", "a.b", "$x"])
bools = st.booleans()
users = near(
    {
        "id": ints,
        "is_bot": bools,
        "first_name": texts,
        "last_name": texts,
        "username": texts,
        "language_code": texts,
        "is_premium": bools,
    }
)
chats = near({"id": ints, "type": texts, "first_name": texts, "last_name": texts, "username": texts})
entities = st.lists(near({"type": texts, "offset": ints, "length": ints}), max_size=2)
messages = near(
    {"message_id": ints, "date": ints, "chat": chats, "from": users, "text": texts, "entities": entities}
)
updates = near({"update_id": ints, "message": messages})


def aiogram_reads(update: dict[str, Any]) -> bool:
    try:
        Update.model_validate(update)
    except ValidationError:
        return False
    return True


def storable(update: dict[str, Any]) -> bool:
    try:
        check_storable(update)
    except InvalidValue:
        return False
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(updates)
def test_what_the_quick_check_accepts_aiogram_reads_and_the_store_holds(update: dict[str, Any]) -> None:
    if plain_shape(update):
        assert storable(update), update  # (the webhook checks nothing else before storing it)
        assert aiogram_reads(update), update
    else:
        with contextlib.suppress(InvalidValue):
            check_update(update)
        if not storable(update):
            with pytest.raises(InvalidValue):
                check_update(update)  # refused before aiogram is given it


def test_realistic_updates_take_the_quick_check_and_others_still_go_to_aiogram() -> None:
    fake = FakeTelegram(TOKEN)
    layla = user("Layla")
    said = [fake.user_message(layla, text=text) for text in conversation(1, 10)] + [
        fake.user_message(layla, text="/start")
    ]
    assert all(plain_shape(update) for update in said)
    assert all(aiogram_reads(update) for update in said)
    one = said[0]
    for odd in (
        one | {"message": one["message"] | {"date": True}},
        one | {"message": one["message"] | {"chat": {"id": 1}}},  # (no type)
        one | {"message": one["message"] | {"date": 2**40}},
    ):
        assert not plain_shape(odd)
        with contextlib.suppress(InvalidValue):
            check_update(odd)  # aiogram decides (a refusal is the webhook's answer)
    assert not plain_shape(one | {"callback_query": {}})  # another kind of update: aiogram's own check


def test_a_plain_update_the_store_cannot_hold_is_refused() -> None:
    one = FakeTelegram(TOKEN).user_message(user("Layla"), text="Hello")
    message = one["message"]
    for odd in (
        one | {"message": message | {"text": "Hello \ud800"}},
        one | {"message": message | {"from": message["from"] | {"first_name": "\udfff"}}},
        one | {"message": message | {"chat": message["chat"] | {"id": 2**63}}},
        one | {"message": message | {"message_id": -(2**63) - 1}},
        one | {"message": message | {"entities": [{"type": "bold", "offset": 0, "length": 2**64}]}},
    ):
        assert not plain_shape(odd)
        with pytest.raises(InvalidValue):
            check_update(odd)
