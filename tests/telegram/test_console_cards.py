"""The client's pinned card and topic name follow what happens: a quote, a payment, a refund, a VIP tag."""

import pytest

from tests.console_client import signed_in
from tests.harness import STAFF_CHAT, Harness
from tests.telegram.test_console import client_with_request, staff_says
from tests.telegram.test_lifecycle import order_of, pay, quote_message


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    return tg


def pinned_card(tg: Harness) -> str:
    chat = tg.fake.chats[STAFF_CHAT]
    return chat.messages[max(chat.pinned)]["text"]


async def test_the_pinned_card_follows_a_quote_a_payment_and_a_refund(team: Harness) -> None:
    tg = team
    layla, thread, _client_id = await client_with_request(tg)
    assert "R-1001 (new)" in pinned_card(tg)
    await staff_says(tg, thread, "/quote 45000 RUB Mercedes S-Class")
    assert "R-1001 (quoted)" in pinned_card(tg)
    await pay(tg, order_of(tg, quote_message(tg, layla)))
    assert "R-1001 (paid)" in pinned_card(tg)
    anna = await signed_in(tg, 9001)
    page = "/console/requests/R-1001"
    token, action = await anna.form(f"{page}/refund")
    refunded = await anna.post(f"{page}/refund", {"confirm": "yes", "csrf": token, "action": action})
    assert refunded.status == 303
    await tg.settle()
    card = pinned_card(tg)
    assert "(paid)" not in card and ("R-1001 (refunded)" in card or "R-1001" not in card)


async def test_tagging_a_client_vip_renames_their_topic_and_untagging_renames_it_back(team: Harness) -> None:
    tg = team
    _layla, thread, client_id = await client_with_request(tg)
    topics = tg.fake.chats[STAFF_CHAT].topics
    assert topics[thread] == "Layla · EN"
    anna = await signed_in(tg, 9001)
    page = f"/console/clients/{client_id}"
    assert (await anna.post(f"{page}/profile", {"tags": "vip", "preferences": ""}, page)).status == 303
    await tg.settle()
    assert topics[thread] == "Layla · EN · VIP"
    assert "VIP" in pinned_card(tg)
    assert (await anna.post(f"{page}/profile", {"tags": "gold", "preferences": ""}, page)).status == 303
    await tg.settle()
    assert topics[thread] == "Layla · EN"
    calls = [c for c in tg.fake.calls if c.method == "editForumTopic"]
    assert len(calls) == 2  # a tag that leaves VIP as it was renames nothing
