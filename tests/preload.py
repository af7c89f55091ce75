"""A pytest plugin (`-p tests.preload` in pyproject's addopts), loaded before pytest-cov starts measuring:
aiogram's types — some 440 pydantic models — built here are built without coverage's tracer, which would
cost every test process about 2.5 s of CPU more for code that is not ours. Nothing of ours is imported here,
so no line of ours goes unmeasured (tests/bin/concierge does the same for the service processes)."""

import aiogram.types  # noqa: F401
