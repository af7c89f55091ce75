"""Every file of a conversation in the console's timeline: a Telegram photo, a voice note and a WhatsApp
picture shown inline through the console's own link (fetched from the channel when the page asks), a document
as a download, and nothing for anyone who may not see the client."""

import re

import aiohttp
import pytest

from tests.console_client import signed_in
from tests.harness import STAFF_CHAT, Harness, user
from tests.telegram.test_whatsapp import NUMBER, client_of, wa

JPEG = b"\xff\xd8\xff\xe0" + b"jpeg-bytes" * 50


@pytest.fixture
async def team(tg: Harness) -> Harness:
    await tg.add_staff(9001, "Anna", "en,ru,ar", lead=True)
    await tg.add_staff(9002, "Omar", "ar")
    return tg


def links(page: str) -> dict[str, str]:
    """Each file's link in a timeline → how it is shown (img, audio, video or a download)."""
    shown = re.findall(r'<(img|audio|video) [^>]*src="(/console/media/[^"]+)"', page)
    downloads = re.findall(r'<a href="(/console/media/[^"]+)" download', page)
    return {src: tag for tag, src in shown} | dict.fromkeys(downloads, "download")


async def test_a_conversations_files_are_shown_in_its_timeline_to_whoever_may_see_it(team: Harness) -> None:
    tg = team
    layla = user("Layla", "en")
    tg.fake.files |= {"AgAC-photo": JPEG, "AwAC-voice": b"OggS voice", "BQAD-doc": b"%PDF-1.7 visa"}
    photo = [{"file_id": "AgAC-photo", "file_unique_id": "p1", "width": 800, "height": 600}]
    voice = {"file_id": "AwAC-voice", "file_unique_id": "v1", "duration": 3}
    document = {"file_id": "BQAD-doc", "file_unique_id": "d1", "file_name": "visa.pdf"}
    document["mime_type"] = "text/html"  # (what the sender's phone claimed)
    await tg.send(
        tg.fake.user_message(layla, text="A table at Nobu tonight at 9"),
        tg.fake.user_message(layla, photo=photo, caption="Like this one"),
        tg.fake.user_message(layla, voice=voice),
        tg.fake.user_message(layla, document=document),
    )
    await tg.settle()
    client = await tg.client_of(layla)
    anna = await signed_in(tg, 9001)
    page = await (await anna.get("/console/requests/R-1001")).text()
    found = links(page)
    assert sorted(found.values()) == ["audio", "download", "img"]
    (image,) = [src for src, tag in found.items() if tag == "img"]
    got = await anna.get(image)
    assert got.status == 200 and await got.read() == JPEG and got.content_type == "image/jpeg"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Cache-Control"] == "private, max-age=3600"  # (a page load fetches it once an hour)
    (doc,) = [src for src, tag in found.items() if tag == "download"]
    got = await anna.get(doc)  # said to be HTML: never shown as a page of the console
    assert got.content_type == "application/octet-stream"
    assert got.headers["Content-Disposition"] == "attachment"
    assert await got.read() == b"%PDF-1.7 visa"

    omar = await signed_in(tg, 9002)  # Layla is not his client: her files are not his either
    assert client.assistant_id != "A-9002" and (await omar.get(image)).status == 404
    assert (await anna.get(image.rsplit("/", 2)[0] + "/999/0")).status == 404  # no such message
    assert (await anna.get(image[:-1] + "5")).status == 404  # no such file in it
    assert (await anna.get(image.replace("/0", "/x"))).status == 404
    del tg.fake.files["AgAC-photo"]  # gone from Telegram: a 404, not an error page
    assert (await anna.get(image)).status == 404


async def test_a_whatsapp_picture_comes_from_twilio_through_the_console(team: Harness) -> None:
    tg = team
    await wa(tg, NUMBER, "A table at Nobu tonight at 9")
    await wa(tg, NUMBER, "This is the dress I will wear", media=[(JPEG, "image/jpeg")])
    assert await client_of(tg, NUMBER) is not None
    anna = await signed_in(tg, 9001)
    page = await (await anna.get("/console/requests/R-1001")).text()
    ((image, tag),) = links(page).items()
    assert tag == "img"
    got = await anna.get(image)
    assert got.status == 200 and await got.read() == JPEG and got.content_type == "image/jpeg"


async def send_file(console, page: str, content: bytes, name: str, kind: str, caption: str = "", action=None):
    token, fresh = await console.form(page)
    form = aiohttp.FormData()
    form.add_field("csrf", token)
    form.add_field("action", action or fresh)
    form.add_field("caption", caption)
    form.add_field("file", content, filename=name, content_type=kind)
    return await console.http.post(f"{page}/file", data=form, headers=console.headers, allow_redirects=False)


async def test_the_console_sends_a_file_to_the_client_on_their_channel_once(team: Harness) -> None:
    tg = team
    layla = user("Layla", "en")
    await tg.send(tg.fake.user_message(layla, text="A car to Sheremetyevo tomorrow at 7"))
    await tg.settle()
    client = await tg.client_of(layla)
    anna = await signed_in(tg, 9001)
    page = "/console/requests/R-1001"
    assert 'id="file-form"' in await (await anna.get(page)).text()
    _token, action = await anna.form(page)
    sent = await send_file(anna, page, JPEG, "car.jpg", "image/jpeg", "Your car, Layla", action)
    assert sent.status == 303
    again = await send_file(anna, page, JPEG, "car.jpg", "image/jpeg", "Your car, Layla", action)
    assert again.status == 303  # the same form twice: sent once
    await tg.settle()
    (photo,) = tg.fake.sent("sendPhoto", layla["id"])
    assert photo.params["caption"] == "Your car, Layla" and photo.params["photo"] == "car.jpg"  # (its name)
    topic = [c for c in tg.fake.sent("sendPhoto", STAFF_CHAT) if "from the console" in c.params["caption"]]
    assert len(topic) == 1 and topic[0].params["caption"].startswith("📎 Anna sent car.jpg from the console.")
    timeline = links(await (await anna.get(page)).text())
    (image,) = [src for src, tag in timeline.items() if tag == "img"]
    got = await anna.get(image)
    assert got.status == 200 and await got.read() == JPEG

    gif = await send_file(anna, page, b"GIF89a...", "wave.gif", "image/gif", "x" * 1000)
    assert gif.status == 303
    await tg.settle()
    (sent_gif,) = tg.fake.sent("sendDocument", layla["id"])  # (sendPhoto refuses a GIF: a file instead)
    assert sent_gif.params["document"] == "wave.gif"
    told = [c for c in tg.fake.sent("sendDocument", STAFF_CHAT) if "wave.gif" in c.params.get("caption", "")]
    assert len(told) == 1 and len(told[0].params["caption"]) <= 1024  # (Telegram's caption limit)
    empty = await send_file(anna, page, b"", "nothing.txt", "text/plain")
    assert empty.status == 400 and "Choose a file to send." in await empty.text()
    huge = await send_file(anna, page, b"0" * (16 * 1024 * 1024), "huge.bin", "application/octet-stream")
    assert huge.status in (400, 413)
    await tg.settle()
    assert (
        len(tg.fake.sent("sendPhoto", layla["id"])) == 1
        and len(tg.fake.sent("sendDocument", layla["id"])) == 1
    )
    assert client.id in image


async def test_a_file_from_the_console_reaches_a_whatsapp_client_through_a_signed_link(team: Harness) -> None:
    tg = team
    await wa(tg, NUMBER, "A table at Nobu tonight at 9")
    anna = await signed_in(tg, 9001)
    page = "/console/requests/R-1001"
    pdf = b"%PDF-1.7 the menu"
    assert (await send_file(anna, page, pdf, "menu.pdf", "application/pdf", "Tonight's menu")).status == 303
    await tg.settle()
    message = tg.tw.to(NUMBER)[-1]
    assert message.body == "Tonight's menu" and len(message.media_urls) == 1
    fetched = await tg.http.get(message.media_urls[0].removeprefix("https://concierge.example"))
    assert fetched.status == 200 and await fetched.read() == pdf
