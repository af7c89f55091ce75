"""Setting up: /chatid in a group tells its id (to anyone while no forum is configured, to the team once one
is: a stranger writes nothing to the audit log), and in the staff forum says it is the one configured."""

from tests.harness import STAFF_CHAT, Harness, user

NEW_FORUM = -1001234567001


async def test_chatid_tells_the_team_in_a_new_group_the_id_to_configure(tg: Harness) -> None:
    tg.fake.forum(NEW_FORUM, "Our new forum")
    await tg.add_staff(9001, "Anna", "en", lead=True)
    founder = {"id": 9001, "is_bot": False, "first_name": "Anna"}
    said = tg.fake.user_message(founder, chat_id=NEW_FORUM, text="/chatid@concierge_bot")
    await tg.send(said, said)  # Telegram delivered it twice: answered once
    await tg.settle()
    (answer,) = [m["text"] for m in tg.fake.bot_messages(NEW_FORUM)]
    assert (
        f"This chat's id is {NEW_FORUM}" in answer and f"TELEGRAM_STAFF_CHAT_ID={NEW_FORUM} in .env" in answer
    )


async def test_chatid_in_the_staff_forum_says_it_is_the_one(tg: Harness) -> None:
    await tg.send(tg.fake.user_message(user("Anna", "ru"), chat_id=STAFF_CHAT, text="/chatid"))
    await tg.settle()
    assert f"This is the staff forum (TELEGRAM_STAFF_CHAT_ID={STAFF_CHAT})." in [
        m["text"] for m in tg.fake.bot_messages(STAFF_CHAT)
    ]


async def test_a_stranger_in_another_group_gets_no_answer_and_writes_nothing(tg: Harness) -> None:
    tg.fake.forum(NEW_FORUM, "Someone's group")
    await tg.send(tg.fake.user_message(user("Stranger", "en"), chat_id=NEW_FORUM, text="/chatid"))
    await tg.settle()
    assert tg.fake.bot_messages(NEW_FORUM) == []
    assert await tg.store.events.read(f"forum:{NEW_FORUM}") == []
