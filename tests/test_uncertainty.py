"""fleetcalc.uncertainty: key paths, targets and their roles, changed inputs."""

import attrs
import pytest

from fleetcalc.evaluate import TenderArrays
from fleetcalc.tender import Bid
from fleetcalc.uncertainty import (
    AVAILABILITY_FIELDS,
    LINEAR_FIELDS,
    KeyPath,
    Role,
    input_value,
    parse_key_path,
    resolve_targets,
    with_input,
)


def test_linear_fields_are_the_numeric_bid_fields_of_the_tender_arrays(hand_tender):
    """The value layer's list agrees with the orchestration's arrays (it cannot import them)."""
    arrays = {a.name for a in attrs.fields(TenderArrays)}
    bid = hand_tender.bids[0]
    numeric = {a.name for a in attrs.fields(Bid)
               if isinstance(getattr(bid, a.name), (int, float))
               and not isinstance(getattr(bid, a.name), bool)}
    assert set(LINEAR_FIELDS) <= arrays
    assert set(LINEAR_FIELDS) == arrays & numeric
    assert not set(LINEAR_FIELDS) & set(AVAILABILITY_FIELDS)


def test_key_paths_by_hand():
    assert parse_key_path("bids[CRRC Ziyang].maintenance_per_km") == KeyPath(
        "bids", "CRRC Ziyang", "maintenance_per_km")
    assert parse_key_path("fleet[*].mtbf_hours") == KeyPath("fleet", "*", "mtbf_hours")
    assert parse_key_path("tender.exchange_rates.PKR").kind == "tender"
    with pytest.raises(ValueError):
        parse_key_path("bid[0].unit_price")


def test_each_target_has_its_role(example_tender):
    n_bids = len(example_tender.bids)
    [discount] = resolve_targets(example_tender, "tender.discount_rate")
    [rate] = resolve_targets(example_tender, "tender.exchange_rates.PKR")
    [km] = resolve_targets(example_tender, "tender.annual_km")
    prices = resolve_targets(example_tender, "bids[*].unit_price")
    mtbf = resolve_targets(example_tender, "bids[*].mtbf_hours")
    assert (discount.role, rate.role, km.role) == (Role.DISCOUNT, Role.RATE, Role.LINEAR)
    assert rate.field == "PKR" and rate.point == example_tender.tender.exchange_rates["PKR"]
    assert [t.role for t in prices] == [Role.LINEAR] * n_bids
    assert [t.array for t in prices] == ["unit_price"] * n_bids
    assert [t.role for t in mtbf] == [Role.AVAILABILITY] * n_bids
    assert [t.index for t in mtbf] == list(range(n_bids))


def test_roles_are_an_enumeration_with_the_old_names():
    assert [role.value for role in Role] == ["linear", "rate", "discount", "availability"]
    assert Role("rate") is Role.RATE and Role.RATE == "rate"


def test_fields_that_cannot_be_uncertain_say_why(example_tender):
    with pytest.raises(ValueError, match="did you mean 'warranty_years'"):
        resolve_targets(example_tender, "bids[*].warranty_cost")
    with pytest.raises(ValueError, match="shapes the schedules"):
        resolve_targets(example_tender, "bids[*].quantity")


def test_with_input_relative_and_absolute(example_tender):
    km = example_tender.tender.annual_km
    assert input_value(example_tender, "tender.annual_km") == [km]
    assert with_input(example_tender, "tender.annual_km", 1.1,
                      scale="relative").tender.annual_km == pytest.approx(1.1 * km)
    changed = with_input(example_tender, "bids[*].mtbf_hours", 500.0)
    assert [b.mtbf_hours for b in changed.bids] == [500.0] * len(example_tender.bids)
    assert example_tender.tender.annual_km == km                 # the tender is unchanged
