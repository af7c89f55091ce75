"""The stateful property test: random interleavings of what clients, assistants, payments, the clock and a
restart do, with the product's invariants checked after every step (tests/stateful_machine.py). A bounded,
derandomized run here; the long run is bench/stateful.py."""

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.stateful_machine import ConciergeMachine

BOUNDED = settings(
    max_examples=4,  # about 60 s with coverage on the shared 2-core machine; bench/stateful.py runs more
    stateful_step_count=12,
    deadline=None,
    derandomize=True,  # the same sequences on every run: a failure here is reproducible as printed
    database=None,  # nothing written into the checkout; derandomized runs replay the same sequences anyway
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)


def test_what_people_do_in_any_order_keeps_the_invariants(mongo_url: str) -> None:
    ConciergeMachine.mongo_url = mongo_url
    run_state_machine_as_test(ConciergeMachine, settings=BOUNDED)
