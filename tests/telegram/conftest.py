import pytest

from tests.harness import Harness, start_harness


@pytest.fixture
async def tg(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock) -> Harness:
    harness = await start_harness(aiohttp_server, aiohttp_client, mongo_url, db_name, tmp_path, clock)
    yield harness
    await harness.store.client.drop_database(db_name)
