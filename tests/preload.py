"""A pytest plugin (`-p tests.preload` in pyproject's addopts), loaded before pytest-cov starts measuring:
aiogram's types — some 440 pydantic models — built here are built without coverage's tracer, which would
cost every test process about 2.5 s of CPU more for code that is not ours. Nothing of ours is imported here,
so no line of ours goes unmeasured (tests/bin/concierge does the same for the service processes).

Also kept here: the model aiogram reads each Bot API answer with (`Response[<what the method returns>]`, a
pydantic generic made on first use). pydantic caches such a model weakly only, so once a test's bot was gone
the garbage collector took it and the next test built it again — some 200 builds in 31 journeys, 1.2 s of
CPU under coverage (measured). Built once here, each is the very model aiogram asks for (41 of them)."""

import aiogram.methods
import aiogram.types
from aiogram.client.session.base import Response
from aiogram.methods.base import TelegramMethod

RESPONSES = [
    Response[method.__returning__]
    for method in vars(aiogram.methods).values()
    if isinstance(method, type) and issubclass(method, TelegramMethod) and method is not TelegramMethod
]
