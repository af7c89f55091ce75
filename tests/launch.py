"""How the tests start `concierge`: `python -m bot.cli`, except that when the tests measure coverage,
coverage starts after aiogram's types are built. Building them (pydantic, some 440 models) under coverage's
tracer costs about 2.5 s of CPU more in every service process the suite starts, for code that is not ours;
our own modules are all imported after coverage starts, so what is measured does not change."""

import os
import runpy
import sys

HELD = "LATE_COVERAGE_PROCESS_CONFIG"  # environment(): coverage's own variable, held back until here
SERVES = {"run", "check"}  # the commands that import aiogram (the others never do: they start in under 1 s)

del sys.path[0]  # this folder: nothing here may shadow the product's packages
config = os.environ.pop(HELD, None)
if config is not None:
    if SERVES & set(sys.argv[1:]):
        import aiogram.types  # noqa: F401
    os.environ["COVERAGE_PROCESS_CONFIG"] = config
    import coverage

    coverage.process_startup()
runpy.run_module("bot.cli", run_name="__main__", alter_sys=True)
