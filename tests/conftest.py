"""Fixtures shared by several test modules: the example tender, its result, a small tender.

Session-scoped: the value objects are frozen, so one load and one evaluation serve
every module that asks for them.
"""

import warnings
from pathlib import Path

import pytest

import fleetcalc
from tests.hand_cases import small_tender as _small_tender

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "pakistan_locomotives_2026.toml"


@pytest.fixture(scope="session")
def example_tender():
    """The Pakistan example tender (``examples/pakistan_locomotives_2026.toml``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # its evaluation warnings are tested elsewhere
        return fleetcalc.load_tender(EXAMPLE)


@pytest.fixture(scope="session")
def example_result(example_tender):
    """The evaluation of the example tender."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fleetcalc.evaluate(example_tender)


@pytest.fixture(scope="session")
def hand_tender():
    """The one-bid hand case of :func:`tests.hand_cases.small_tender`."""
    return _small_tender()


@pytest.fixture(scope="session", autouse=True)
def _plans_solved_once():
    """``fleetcalc report`` solves the renewal plan of a tender with ``[plan]`` (seconds of
    HiGHS on the example); in-process runs of the same tender share one solve per session.

    Wraps :func:`fleetcalc.planning.plan` (the name the CLI looks up when it runs) with a
    cache keyed on the tender's ``repr`` and the keyword arguments; test modules that
    imported ``plan`` themselves keep the uncached function."""
    import fleetcalc.planning as planning

    original = planning.plan
    solved = {}

    def plan(tender, **kwargs):
        key = (repr(tender), tuple(sorted(kwargs.items())))
        if key not in solved:
            try:
                solved[key] = original(tender, **kwargs)
            except planning.PlanError as exc:
                solved[key] = exc
        if isinstance(solved[key], planning.PlanError):
            raise solved[key]
        return solved[key]

    planning.plan = plan
    yield
    planning.plan = original
