"""Code the tests run only to compute what they expect, with coverage's tracer paused."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def untraced() -> Iterator[None]:
    """Pause the collector that traces now (an xdist worker stacks several: only the top one traces); a no-op
    when nothing is measured. What runs meanwhile goes unmeasured: only for a test's oracle (what its
    assertions compare against), run so often that measuring each run adds nothing."""
    try:
        from coverage.collector import Collector
    except ImportError:  # (coverage is a dev dependency; a plain pytest run measures nothing)
        yield
        return
    tracing = Collector._collectors[-1] if Collector._collectors else None
    if tracing is None:
        yield
        return
    tracing.pause()
    try:
        yield
    finally:
        tracing.resume()
