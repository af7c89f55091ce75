"""A pytest plugin (`-p tests.preload` in pyproject's addopts), loaded before pytest-cov starts measuring:
aiogram's types — some 440 pydantic models — built here are built without coverage's tracer, which would
cost every test process about 2.5 s of CPU more for code that is not ours. Nothing of ours is imported here,
so no line of ours goes unmeasured (tests/bin/concierge does the same for the service processes).

Also kept here: the model aiogram reads each Bot API answer with (`Response[<what the method returns>]`, a
pydantic generic made on first use). pydantic caches such a model weakly only, so once a test's bot was gone
the garbage collector took it and the next test built it again — some 200 builds in 31 journeys, 1.2 s of
CPU under coverage (measured). Built once here, each is the very model aiogram asks for (41 of them).

Only in a process that runs tests: xdist's controller (`make test`'s `-n 5`) runs none."""

import os
from collections.abc import Generator
from typing import Any

import pytest

RESPONSES: list[Any] = []


def build() -> None:
    # an xdist worker measures from its first line (coverage's `patch = subprocess` starts it with the
    # interpreter): paused here, or each worker built the types under the tracer (measured, 2.5 s of CPU)
    import coverage

    measuring = coverage.Coverage.current()
    if measuring is not None:
        measuring.stop()
    try:
        _build()
    finally:
        if measuring is not None:
            measuring.start()


def _build() -> None:
    import aiogram.methods
    import aiogram.types
    from aiogram.client.session.base import Response
    from aiogram.methods.base import TelegramMethod

    RESPONSES.extend(
        Response[method.__returning__]
        for method in vars(aiogram.methods).values()
        if isinstance(method, type) and issubclass(method, TelegramMethod) and method is not TelegramMethod
    )


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> Generator[None, None, None]:
    """Before pytest-cov starts (its hook is an ordinary one: every wrapper runs first), in a process that
    runs tests: not in xdist's controller, which only hands files to its workers (3.5 s of CPU saved)."""
    distributing = getattr(early_config.known_args_namespace, "numprocesses", None)  # (None: no xdist)
    controller = distributing and "PYTEST_XDIST_WORKER" not in os.environ
    if not controller:
        build()
    return (yield)
