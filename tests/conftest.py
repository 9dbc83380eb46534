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
