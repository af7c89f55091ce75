"""Console links are signed with a key of their own: CONSOLE_SECRET's, or without it a random one the store
keeps for every instance, never one derived from the bot token. So rotating the token voids no link and ends
no session, and a link signed with a key derived from the old token opens nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.deps import build_deps
from bot.settings import AppSettings, Settings
from domain.clock import FrozenClock
from domain.errors import InvalidValue
from domain.signin import LINK_MINUTES, Signer, digest
from engine.deps import Deps
from engine.team import admin as staff_admin
from engine.team import sign_in
from storage.store import Store, open_store
from tests.harness import TOKEN
from tests.harness import settings as harness_settings

ROTATED = "987654321:AAH-the-rotated-token_abcdefghijklmn"


def _token(url: str) -> str:
    return url.split("t=", 1)[1]


@pytest.fixture
def service(mongo_url: str, db_name: str, tmp_path: Path) -> Settings:
    return harness_settings(mongo_url, db_name, "http://127.0.0.1:9", tmp_path)  # (no Bot API is asked)


def _with_token(settings: Settings, token: str) -> Settings:
    telegram = settings.telegram.model_copy(update={"telegram_bot_token": SecretStr(token)})
    return settings.model_copy(update={"telegram": telegram})


async def test_rotating_the_bot_token_voids_no_link_and_ends_no_session(
    service: Settings, store: Store, clock: FrozenClock
) -> None:
    assert service.app.console_secret is None  # the store keeps the key
    before = await build_deps(service, store, clock)
    anna = await staff_admin.add(before, 9001, "Anna", "en", lead=True)
    _, unused = await sign_in.issue(before, anna)
    _, used = await sign_in.issue(before, anna)
    session, _ = await sign_in.open_link(before, _token(used), "address")
    open_before = await sign_in.session_of(before, session)
    assert open_before is not None
    # a link as it was signed before keys of their own: with a key derived from the bot token, still stored
    derived = Signer.derived(TOKEN)
    old = derived.link_token(derived.nonce())
    await store.console.add_link(
        digest(old), anna.id, anna.telegram_id, clock.now() + timedelta(minutes=LINK_MINUTES)
    )

    after = await build_deps(_with_token(service, ROTATED), store, clock)  # the service restarted
    assert await sign_in.session_of(after, session) == open_before  # its form token (csrf) unchanged
    signed_in, assistant = await sign_in.open_link(after, _token(unused), "address")
    assert signed_in and assistant.id == anna.id
    with pytest.raises(InvalidValue, match="not valid any more"):
        await sign_in.open_link(after, old, "address")


async def test_two_instances_starting_together_sign_with_the_same_key(
    service: Settings, mongo_url: str, db_name: str, tmp_path: Path, clock: FrozenClock
) -> None:
    async with (
        open_store(mongo_url, db_name, tmp_path / "a", clock) as one,
        open_store(mongo_url, db_name, tmp_path / "b", clock) as other,
    ):
        first, second = await asyncio.gather(
            build_deps(service, one, clock), build_deps(service, other, clock)
        )
        assert first.signer == second.signer
        assert _key(first) != Signer.derived(TOKEN).key  # never the bot token's
        again = await build_deps(_with_token(service, ROTATED), one, clock)
        assert again.signer == first.signer
        await one.client.drop_database(db_name)


def _key(deps: Deps) -> bytes:
    assert deps.signer is not None
    return deps.signer.key


async def test_console_secret_signs_when_it_is_set_and_no_bot_means_no_links(
    service: Settings, store: Store, clock: FrozenClock
) -> None:
    secret = "s" * 40
    given = service.model_copy(update={"app": AppSettings(console_secret=SecretStr(secret))})
    assert (await build_deps(given, store, clock)).signer == Signer.derived(secret)
    botless = service.model_copy(
        update={"telegram": service.telegram.model_copy(update={"telegram_bot_token": None})}
    )
    assert (await build_deps(botless, store, clock)).signer is None
