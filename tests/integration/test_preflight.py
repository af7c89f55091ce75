"""`concierge check`: each integration asked through its real client (aiogram, the Twilio SDK, the
CloudPayments adapter, PyMongo) against the local stand-ins, every failure mode once, one line each."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from bot import app as app_module
from bot.preflight import Finding, Verdict, _bounded, check, topology
from bot.settings import Settings, StoreSettings, TelegramSettings, TranslationSettings
from sandbox.cloudpayments import FakeCloudPayments
from sandbox.interpreter import FakeInterpreter
from sandbox.telegram import ApiError, FakeTelegram
from sandbox.twilio import FakeTwilio, MessagingService, WhatsAppSender
from storage.indexes import ensure_indexes
from storage.store import mongo_client
from tests.fake_mongod import FakeMongod
from tests.harness import (
    CP_PUBLIC_ID,
    CP_SECRET,
    DEEPL_KEY,
    PUBLIC,
    STAFF_CHAT,
    TOKEN,
    TWILIO_SID,
    TWILIO_TOKEN,
    VOICE_NUMBER,
    YANDEX_FOLDER,
    YANDEX_KEY,
)
from tests.harness import settings as harness_settings
from tests.integration.test_service_process import concierge, environment

CLOSED = "http://127.0.0.1:9"  # nothing listens there: a service that cannot be reached
VOICE_URL = f"{PUBLIC}/webhooks/twilio/voice"
WHATSAPP_URL = f"{PUBLIC}/webhooks/twilio/whatsapp"
SENDER = f"whatsapp:{VOICE_NUMBER}"  # an approved WhatsApp sender of the account (the phone's number too)


class World:
    def __init__(self, tg: FakeTelegram, tw: FakeTwilio, cp: FakeCloudPayments, settings: Settings) -> None:
        self.tg, self.tw, self.cp, self.settings = tg, tw, cp, settings

    async def findings(self, settings: Settings | None = None, starting: bool = False) -> list[Finding]:
        return await check(settings or self.settings, starting=starting)

    async def failures(self, settings: Settings | None = None, starting: bool = False) -> list[str]:
        return [
            f"{f.what}: {f.line}"
            for f in await self.findings(settings, starting)
            if f.verdict is Verdict.FAIL
        ]


@pytest.fixture
async def world(aiohttp_server, mongo_url: str, db_name: str, tmp_path) -> World:
    tg = FakeTelegram(TOKEN)
    tg.forum(STAFF_CHAT)
    tg.webhook = {"url": f"{PUBLIC}/webhooks/telegram"}  # as the service sets it when it starts
    tw = FakeTwilio(TWILIO_SID, TWILIO_TOKEN, numbers={VOICE_NUMBER: VOICE_URL})
    tw.senders[SENDER] = WhatsAppSender(WHATSAPP_URL)
    cp = FakeCloudPayments(CP_PUBLIC_ID, CP_SECRET)
    tg_server, tw_server, cp_server = [await aiohttp_server(f.app()) for f in (tg, tw, cp)]
    settings = harness_settings(
        mongo_url,
        db_name,
        str(tg_server.make_url("")).rstrip("/"),
        tmp_path,
        payments_base=str(cp_server.make_url("")).rstrip("/"),
        twilio_base=str(tw_server.make_url("")).rstrip("/"),
        voice=True,
    )
    settings = _with(settings, twilio__twilio_whatsapp_from=SENDER)
    client = mongo_client(mongo_url)
    await ensure_indexes(client[db_name], drop_stale=True)  # as the service does when it starts
    await client.close()
    return World(tg, tw, cp, settings)


def _with(settings: Settings, **changes: object) -> Settings:
    concern, field = next(iter(changes)).split("__")
    part = getattr(settings, concern).model_copy(update={field: next(iter(changes.values()))})
    return settings.model_copy(update={concern: part})


async def test_everything_set_up_right_says_so_line_by_line(world: World) -> None:
    findings = await world.findings()
    verdicts = {f.what: f.verdict for f in findings}
    assert verdicts["Telegram bot"] is Verdict.OK and verdicts["Telegram staff forum"] is Verdict.OK
    assert verdicts["Telegram webhook"] is Verdict.OK and verdicts["Twilio"] is Verdict.OK
    assert verdicts["Phone"] is Verdict.OK and verdicts["CloudPayments"] is Verdict.OK
    assert verdicts["MongoDB indexes"] is Verdict.OK
    assert verdicts["WhatsApp sender"] is Verdict.OK
    assert [call.endpoint for call in world.cp.calls] == ["test"]  # CloudPayments' own method for this
    # the embedded engine is no replica set: that is the one failure here
    assert await world.failures() == [
        "MongoDB: a standalone server, not a replica set: run it with --replSet (docker-compose.yml)"
    ]
    assert all("\n" not in str(f) and TOKEN not in str(f) and TWILIO_TOKEN not in str(f) for f in findings)


async def test_a_refused_bot_token(world: World) -> None:
    wrong = _with(world.settings, telegram__telegram_bot_token=SecretStr("123456:" + "B" * 35))
    assert (
        "Telegram bot: TELEGRAM_BOT_TOKEN is refused: copy it again from @BotFather"
        in await world.failures(wrong)
    )


async def test_a_staff_chat_that_is_not_set_unknown_or_not_a_forum(world: World) -> None:
    unset = _with(world.settings, telegram__telegram_staff_chat_id=None)
    assert any("TELEGRAM_STAFF_CHAT_ID is not set" in f for f in await world.failures(unset))
    unknown = _with(world.settings, telegram__telegram_staff_chat_id=-100999)
    assert any("cannot see chat -100999" in f for f in await world.failures(unknown))
    world.tg.chats[STAFF_CHAT].is_forum = False
    assert any("is not a forum: turn Topics on" in f for f in await world.failures())


async def test_a_bot_that_is_no_administrator_or_may_not_manage_topics(world: World) -> None:
    world.tg.chats[STAFF_CHAT].bot_rights = {"can_manage_topics": False}
    assert any("may not manage topics" in f for f in await world.failures())
    world.tg.chats[STAFF_CHAT].bot_rights = {"status": "member"}
    assert any("is not an administrator" in f for f in await world.failures())
    world.tg.chats[STAFF_CHAT].bot_rights = {"can_delete_messages": False}
    assert await world.failures() == [
        "MongoDB: a standalone server, not a replica set: run it with --replSet (docker-compose.yml)"
    ]
    (note,) = [f for f in await world.findings() if "may not delete messages" in f.line]
    assert note.verdict is Verdict.NOTE and "a /quote that says a cost" in note.line


async def test_the_bot_api_unreachable_or_the_bots_rights_unreadable(world: World) -> None:
    away = _with(world.settings, telegram__telegram_api_base=CLOSED)
    assert f"Telegram bot: the Bot API at {CLOSED} could not be reached" in await world.failures(away)
    world.tg.fail(ApiError(400, "Bad Request: PARTICIPANT_ID_INVALID"), method="getChatMember")
    assert (
        "Telegram staff forum: the bot's rights in Concierge staff could not be read"
        in await world.failures()
    )


async def test_a_webhook_elsewhere_and_telegrams_last_delivery_error(world: World) -> None:
    world.tg.webhook = {"url": "https://old.example/webhooks/telegram"}
    now = datetime.now(UTC).replace(second=0, microsecond=0)  # (Telegram's clock: the real one)
    world.tg.webhook_error = (now - timedelta(minutes=2), "Wrong response from the webhook: 502")
    failures = await world.failures()
    assert any("Telegram webhook: is https://old.example/webhooks/telegram, not" in f for f in failures)
    at = (now - timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M UTC")
    assert any(f"last delivery failed at {at}: Wrong response from the webhook: 502" in f for f in failures)
    # as the service starts it sets the webhook itself: only the error is worth a warning then
    starting = await world.failures(starting=True)
    assert not any("old.example" in f for f in starting) and any("502" in f for f in starting)
    polling = _with(world.settings, telegram__telegram_mode="polling")
    assert any("is set (https://old.example" in f for f in await world.failures(polling))


async def test_twilio_credentials_account_and_the_voice_number(world: World) -> None:
    world.tw.numbers[VOICE_NUMBER] = "https://elsewhere.example/voice"
    assert any(
        f"calls to {VOICE_NUMBER} go to https://elsewhere.example/voice, not {VOICE_URL}" in f
        for f in await world.failures()
    )
    world.tw.numbers.clear()
    assert any("is not a number of this Twilio account" in f for f in await world.failures())
    world.tw.account_status = "suspended"
    assert "Twilio: the account is suspended" in await world.failures()
    wrong = _with(world.settings, twilio__twilio_auth_token=SecretStr("not-the-token"))
    assert "Twilio: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are refused" in await world.failures(wrong)


async def test_the_whatsapp_sender_missing_offline_or_posting_elsewhere(world: World) -> None:
    world.tw.senders[SENDER].callback_url = "https://old.example/whatsapp"
    assert (
        f"WhatsApp sender: messages to {SENDER} go to https://old.example/whatsapp, not {WHATSAPP_URL}: "
        "set the sender's webhook URL" in await world.failures()
    )
    world.tw.senders[SENDER].status = "OFFLINE"
    assert (
        f"WhatsApp sender: {SENDER} is OFFLINE, not ONLINE: WhatsApp does not carry its messages yet"
        in await world.failures()
    )
    del world.tw.senders[SENDER]
    world.tw.senders["whatsapp:+15550001111"] = WhatsAppSender(WHATSAPP_URL)  # another sender of theirs
    assert (
        f"WhatsApp sender: {SENDER} is not a WhatsApp sender of this Twilio account: fix TWILIO_WHATSAPP_FROM"
        in await world.failures()
    )


async def test_a_whatsapp_sender_in_a_messaging_service_is_judged_by_the_service(world: World) -> None:
    world.tw.senders[SENDER].callback_url = None  # the service's Incoming Messages URL decides
    world.tw.services.append(MessagingService("Other", "https://other.example/in", ["whatsapp:+15550001111"]))
    world.tw.services.append(MessagingService("Concierge", "https://old.example/in", [SENDER]))
    assert (
        f"WhatsApp sender: {SENDER} is in Messaging Service Concierge, whose incoming messages go to "
        f"https://old.example/in, not {WHATSAPP_URL}: set the service's Incoming Messages request URL"
        in await world.failures()
    )
    world.tw.services[1].inbound_request_url = WHATSAPP_URL
    (line,) = [f for f in await world.findings() if f.what == "WhatsApp sender"]
    assert line.verdict is Verdict.OK and "Messaging Service Concierge" in line.line
    world.tw.services[1].use_inbound_webhook_on_number = True  # it defers to the sender's own webhook
    assert any(f"messages to {SENDER} go to nowhere" in f for f in await world.failures())


async def test_the_twilio_sandbox_number_is_a_note_saying_where_to_set_it(world: World) -> None:
    sandbox = _with(world.settings, twilio__twilio_whatsapp_from="whatsapp:+14155238886")
    (line,) = [f for f in await world.findings(sandbox) if f.what == "WhatsApp sender"]
    assert line.verdict is Verdict.NOTE and "Twilio Sandbox for WhatsApp" in line.line
    assert WHATSAPP_URL in line.line


async def test_twilio_down_or_unreachable(world: World) -> None:
    world.tw.outage = 503
    assert "Twilio: the account could not be read (HTTP 503)" in await world.failures()
    away = _with(world.settings, twilio__twilio_api_base=CLOSED)
    assert any(f.startswith("Twilio: could not be reached (") for f in await world.failures(away))


async def test_refused_or_unreachable_cloudpayments(world: World) -> None:
    wrong = _with(world.settings, cloudpayments__cloudpayments_api_secret=SecretStr("not-the-secret"))
    failures = await world.failures(wrong)
    assert "CloudPayments: CLOUDPAYMENTS_PUBLIC_ID and CLOUDPAYMENTS_API_SECRET are refused" in failures
    away = _with(world.settings, cloudpayments__cloudpayments_api_base=CLOSED)
    assert "CloudPayments: CloudPayments could not be reached (ConnectionError)" in await world.failures(away)


async def test_mongodb_unreachable_missing_indexes_or_embedded(world: World, mongo_url: str) -> None:
    fresh = _with(world.settings, store__mongodb_db="t_never_started")
    assert any(f.startswith("MongoDB indexes:") and "missing" in f for f in await world.failures(fresh))
    gone = _with(world.settings, store__mongodb_url=SecretStr("mongodb://127.0.0.1:9"))
    assert any(
        f.startswith("MongoDB: could not be reached at MONGODB_URL") for f in await world.failures(gone)
    )
    embedded = world.settings.model_copy(update={"store": StoreSettings(mongodb_url=None)})
    (note,) = [f for f in await world.findings(embedded) if f.what == "MongoDB"]
    assert note.verdict is Verdict.NOTE and "embedded store" in note.line


async def test_only_what_is_configured_is_checked() -> None:
    bare = Settings(telegram=TelegramSettings(), store=StoreSettings(mongodb_url=None))
    assert [f.what for f in await check(bare)] == ["MongoDB"]


async def _concierge_check(env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *concierge("check"), env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_the_command_prints_a_line_each_and_exits_1_on_any_failure(world: World, tmp_path) -> None:
    env = environment(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE=world.settings.telegram.telegram_api_base,
        TELEGRAM_STAFF_CHAT_ID=str(STAFF_CHAT),
        TELEGRAM_WEBHOOK_SECRET="s3cret",
        PUBLIC_BASE_URL=PUBLIC,
    )
    code, out = await _concierge_check(env)
    assert code == 0, out
    assert out.splitlines()[0].startswith("note  MongoDB: MONGODB_URL is unset")
    assert "ok    Telegram staff forum: Concierge staff: a forum" in out
    world.tg.chats[STAFF_CHAT].is_forum = False
    code, out = await _concierge_check(env)
    assert code == 1 and "FAIL  Telegram staff forum: Concierge staff is not a forum" in out


async def test_at_start_up_the_failures_are_warnings_in_the_log(world: World, capsys) -> None:
    world.tg.chats[STAFF_CHAT].is_forum = False
    world.tg.webhook = None  # the service is about to set it: not a warning
    capsys.readouterr()
    await app_module._preflight(world.settings)
    logged = "".join(capsys.readouterr())
    assert "preflight.failed" in logged and "is not a forum" in logged and "Telegram webhook" not in logged
    assert TOKEN not in logged


async def test_an_old_delivery_error_is_history_and_a_surprise_is_one_line(world: World) -> None:
    world.tg.webhook_error = (datetime.now(UTC) - timedelta(days=3), "SSL error: certificate verify failed")
    (old,) = [f for f in await world.findings() if "SSL error" in f.line]
    assert old.verdict is Verdict.NOTE  # Telegram keeps its last error for ever: three days ago is history

    async def surprise() -> list[Finding]:
        raise KeyError("something nobody foresaw")

    (line,) = await _bounded("Twilio", surprise)
    assert line.verdict is Verdict.FAIL and line.line == "could not be checked (KeyError)"


async def test_the_translation_provider_its_key_and_its_languages(aiohttp_server, world: World) -> None:
    fake = FakeInterpreter(DEEPL_KEY, YANDEX_KEY, YANDEX_FOLDER)
    base = str((await aiohttp_server(fake.app())).make_url("")).rstrip("/")
    deepl = TranslationSettings(
        translation_provider="deepl", deepl_auth_key=SecretStr(DEEPL_KEY), deepl_api_base=base
    )
    yandex = TranslationSettings(
        translation_provider="yandex",
        yandex_translate_api_key=SecretStr(YANDEX_KEY),
        yandex_folder_id=YANDEX_FOLDER,
        yandex_translate_api_base=base,
    )
    for translation, what in ((deepl, "DeepL"), (yandex, "Yandex Translate")):
        settings = world.settings.model_copy(update={"translation": translation})
        (line,) = [f for f in await world.findings(settings) if f.what == what]
        assert line.verdict is Verdict.OK, line
    wrong_key = deepl.model_copy(update={"deepl_auth_key": SecretStr("wrong:fx")})
    wrong_folder = yandex.model_copy(update={"yandex_folder_id": "b1gother"})
    for translation, what in ((wrong_key, "DeepL"), (wrong_folder, "Yandex Translate")):
        settings = world.settings.model_copy(update={"translation": translation})
        failed = [line for line in await world.failures(settings) if line.startswith(what)]
        assert failed and "answered 40" in failed[0] and "check the key" in failed[0], failed
        assert all(DEEPL_KEY not in line and YANDEX_KEY not in line for line in failed)


@pytest.mark.parametrize(
    ("hello", "verdict", "line"),
    [
        (  # a replica set's primary (mongod 7, trimmed to what says what it is)
            {
                "isWritablePrimary": True,
                "setName": "rs0",
                "primary": "db1:27017",
                "secondary": False,
                "ok": 1.0,
            },
            Verdict.OK,
            "replica set rs0, a writable primary",
        ),
        (  # the member reached while the set has lost its majority: it will not become primary
            {
                "isWritablePrimary": False,
                "setName": "rs0",
                "secondary": True,
                "hosts": ["db1:27017"],
                "ok": 1.0,
            },
            Verdict.FAIL,
            "replica set rs0 has no writable primary: nothing can be kept",
        ),
        (  # mongos
            {"isWritablePrimary": True, "msg": "isdbgrid", "ok": 1.0},
            Verdict.OK,
            "a sharded cluster (mongos)",
        ),
        (  # a standalone mongod: transactions and change streams need a replica set
            {"isWritablePrimary": True, "maxWireVersion": 21, "ok": 1.0},
            Verdict.FAIL,
            "a standalone server, not a replica set: run it with --replSet (docker-compose.yml)",
        ),
    ],
)
def test_what_a_servers_hello_says_of_it(hello: dict, verdict: Verdict, line: str) -> None:
    assert topology(hello) == Finding("MongoDB", verdict, line)


@pytest.fixture
async def mongod() -> AsyncIterator[FakeMongod]:
    async with FakeMongod().running() as server:
        yield server


async def test_a_replica_set_with_every_index_is_ok_through_the_driver(
    world: World, mongod: FakeMongod
) -> None:
    on_a_set = _with(world.settings, store__mongodb_url=SecretStr(mongod.url))
    assert not [f for f in await world.failures(on_a_set) if f.startswith("MongoDB")]
    verdicts = {f.what: f for f in await world.findings(on_a_set)}
    assert verdicts["MongoDB"].line == "replica set rs0, a writable primary"
    assert verdicts["MongoDB indexes"].verdict is Verdict.OK


async def test_a_replica_set_without_a_primary(world: World, mongod: FakeMongod) -> None:
    mongod.writable = False
    lost = _with(world.settings, store__mongodb_url=SecretStr(mongod.url))
    assert "MongoDB: replica set rs0 has no writable primary: nothing can be kept" in await world.failures(
        lost
    )


async def test_refused_mongodb_credentials(world: World, mongod: FakeMongod) -> None:
    mongod.refuse_credentials = True
    wrong = _with(world.settings, store__mongodb_url=SecretStr(mongod.credentials_url("concierge", "wrong")))
    failures = await world.failures(wrong)
    assert "MongoDB: refused the credentials in MONGODB_URL or a command (18)" in failures
    assert not any("wrong" in f for f in failures)
