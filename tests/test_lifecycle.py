"""fleetcalc.lifecycle: cash flows by cost category, against hand computations."""

import numpy as np
import pytest

from fleetcalc.lifecycle import CATEGORIES, lifecycle_cash_flows

#: One unit delivered at t = 0, in service in years 1 and 2, horizon 2, paid at signing.
ONE_UNIT = {
    "unit_price": [100.0], "payment_shares": [[1.0, 0.0, 0.0]], "initial_support": [5.0],
    "first_delivery_time": [0], "units_in_service": [[0, 1, 1]], "annual_km": 1_000.0,
    "fuel_litres_per_km": [2.0], "fuel_price": 0.5, "maintenance_per_km": [0.25],
    "overhaul_counts": [[0, 0, 1]], "overhaul_cost": [10.0], "residual_units": [0.5],
    "horizon_years": 2,
}


def flows_of(**changes):
    """{category: list of amounts at t = 0..T} of the one bid."""
    flows = lifecycle_cash_flows(**{**ONE_UNIT, **changes})
    return dict(zip(CATEGORIES, flows[0].tolist()))


def test_every_category_by_hand():
    flows = flows_of()
    # price 100 paid at signing; support 5 with the first delivery (t = 0)
    assert flows["acquisition"] == [100.0, 0.0, 0.0]
    assert flows["initial_support"] == [5.0, 0.0, 0.0]
    # energy: 1,000 km x 2 L/km x 0.5 = 1,000 per unit-year, paid at the end of the year
    assert flows["energy"] == [0.0, 1_000.0, 1_000.0]
    # maintenance: 1,000 km x 0.25 = 250 per unit-year
    assert flows["maintenance"] == [0.0, 250.0, 250.0]
    # one overhaul in year 2 at 10
    assert flows["overhaul"] == [0.0, 0.0, 10.0]
    # half the price is left at the horizon, a negative cost
    assert flows["residual_value"] == [0.0, 0.0, -50.0]
    assert flows["financing"] == flows["shortfall"] == [0.0, 0.0, 0.0]


def test_escalation_compounds_from_year_zero_prices():
    flows = flows_of(energy_escalation=0.10, maintenance_escalation=-0.5)
    # 1,000 x 1.1^t and 250 x 0.5^t at t = 1, 2
    assert flows["energy"] == pytest.approx([0.0, 1_100.0, 1_210.0], rel=1e-15)
    assert flows["maintenance"] == pytest.approx([0.0, 125.0, 62.5], rel=1e-15)


def test_shortfall_days_are_priced_per_day():
    flows = flows_of(shortfall_unit_days=[[0.0, 2.0, 3.0]], shortfall_cost_per_unit_day=100.0)
    assert flows["shortfall"] == [0.0, 200.0, 300.0]


def test_aged_maintenance_units_replace_the_units_in_service():
    # an age factor of 1.5 in year 2: maintenance 250 x 1.5
    flows = flows_of(maintenance_units=[[0.0, 1.0, 1.5]])
    assert flows["maintenance"] == [0.0, 250.0, 375.0]
    assert flows["energy"] == [0.0, 1_000.0, 1_000.0]   # fuel follows the units themselves


def test_a_leading_axis_of_draws_is_linear_in_the_price():
    flows = lifecycle_cash_flows(**{**ONE_UNIT, "unit_price": [[100.0], [200.0], [300.0]]})
    assert flows.shape == (3, 1, len(CATEGORIES), 3)
    acquisition = flows[:, 0, CATEGORIES.index("acquisition"), 0]
    np.testing.assert_array_equal(acquisition, [100.0, 200.0, 300.0])
    residual = flows[:, 0, CATEGORIES.index("residual_value"), 2]
    np.testing.assert_array_equal(residual, [-50.0, -100.0, -150.0])
