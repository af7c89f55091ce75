import itertools
from datetime import UTC, datetime, timedelta

from channels.telegram.limits import Budget

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def send_all(budget: Budget, chats: list[str], until: datetime) -> list[tuple[datetime, str]]:
    """Greedy sender: at each step send to the first chat whose slot has come."""
    now, sent = T0, []
    while now < until:
        for chat in chats:
            if budget.next_slot(chat, now) <= now:
                budget.reserve(chat, now)
                sent.append((now, chat))
        now += timedelta(milliseconds=100)
    return sent


def test_one_message_per_second_per_chat() -> None:
    sent = send_all(Budget(), ["42"], T0 + timedelta(seconds=10))
    assert len(sent) == 10
    assert all((b[0] - a[0]) >= timedelta(seconds=1) for a, b in itertools.pairwise(sent))


def test_twenty_per_minute_per_group_then_pressure() -> None:
    budget = Budget()
    sent = send_all(budget, ["-1001"], T0 + timedelta(minutes=2))
    for i, (at, _) in enumerate(sent):
        window = [t for t, _ in sent[: i + 1] if at - t < timedelta(minutes=1)]
        assert len(window) <= 20
    assert len(sent) == 40
    assert budget.group_under_pressure("-1001", T0 + timedelta(minutes=2))
    assert not Budget().group_under_pressure("-1001", T0)


def test_thirty_per_second_overall() -> None:
    chats = [str(1000 + i) for i in range(50)]
    sent = send_all(Budget(), chats, T0 + timedelta(seconds=3))
    for at, _ in sent:
        assert len([t for t, _ in sent if timedelta(0) <= at - t < timedelta(seconds=1)]) <= 30
    assert len(sent) >= 85


def test_a_429_blocks_the_chat_until_retry_after() -> None:
    budget = Budget()
    budget.block("42", T0 + timedelta(seconds=7))
    assert budget.next_slot("42", T0) == T0 + timedelta(seconds=7)
    assert budget.next_slot("43", T0) == T0
    budget.block(None, T0 + timedelta(seconds=3))
    assert budget.next_slot("43", T0) == T0 + timedelta(seconds=3)
