from tests.harness import PUBLIC, SECRET, STAFF_CHAT, Harness, user


async def test_start_then_a_message_reaches_the_topic(tg: Harness) -> None:
    assert tg.fake.webhook["url"] == f"{PUBLIC}/webhooks/telegram"
    assert tg.fake.webhook["secret_token"] == SECRET
    await tg.add_staff(9001, "Anna", "en,ru")
    layla = user("Layla", "en", "layla")
    await tg.send(tg.fake.user_message(layla, text="/start"))
    await tg.settle()
    (welcome,) = tg.to_user(layla)
    assert "Anna" in welcome["text"] and "Layla" in welcome["text"]
    await tg.send(tg.fake.user_message(layla, text="A car tonight at 8 from the Ritz"))
    await tg.settle()
    thread = await tg.thread_of(layla)
    assert tg.fake.chats[STAFF_CHAT].topics[thread] == "Layla · EN"
    assert await tg.topic_words(thread) == ["A car tonight at 8 from the Ritz"]
