"""The sandbox's Telegram shows a request_contact keyboard as a button (pressing it shares the persona's own
number) while answering the Bot API as Telegram does: a reply keyboard is not in the returned message."""

from sandbox.telegram import FakeTelegram
from sandbox.web import SHARE_CONTACT, _buttons


def test_a_share_my_number_keyboard_is_kept_for_the_page_and_not_returned() -> None:
    fake = FakeTelegram("1:token")
    person = {"id": 7001, "is_bot": False, "first_name": "Layla"}
    fake.user_message(person, text="hello")  # the private chat exists once they wrote
    keyboard = [[{"text": "📱 Share my number", "request_contact": True}]]
    returned = fake._api_sendMessage(
        {"chat_id": 7001, "text": "Your number?", "reply_markup": {"keyboard": keyboard}}
    )
    assert "reply_markup" not in returned and "reply_keyboard" not in returned
    shown = fake.chats[7001].messages[returned["message_id"]]
    assert _buttons(shown) == [[{"text": "📱 Share my number", "data": SHARE_CONTACT}]]
