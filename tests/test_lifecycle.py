"""fleetcalc.lifecycle: cash flows by cost category, against hand computations; and
kilometres from traffic (issue 13): allocation, the existing fleet, km-based reliability."""

import math
import warnings

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import fleetcalc
from fleetcalc import Ageing, Demand, fleet
from fleetcalc.evaluate import tender_arrays
from fleetcalc.exceptions import TenderError
from fleetcalc.lifecycle import CATEGORIES, lifecycle_cash_flows
from tests.strategies import tenders
from tests.test_evaluate import small_tender
from tests.test_fleet_model import cohort, with_fleet

pytestmark = pytest.mark.filterwarnings("ignore::fleetcalc.exceptions.TenderWarning")
fast = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _evaluate(tender):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fleetcalc.evaluate(tender)


# --------------------------------------------------------------------------- kernel

def test_hand_allocation_new_units_first_then_the_cheapest_cohort():
    # Hand case: demand 4 units; new group 2 units always up; cohort X (cost rank 1)
    # 1 unit always up; cohort Y (rank 0, cheaper) 3 units always up.
    # New units run 2; Y runs min(4, 5) - 2 = 2; X runs min(4, 6) - 4 = 0; unserved 0.
    units = [[0, 2], [0, 1], [0, 3]]
    avail = [[np.nan, 1.0], [np.nan, 1.0], [np.nan, 1.0]]
    out = fleet.allocate_km(units, avail, [0, 4], [0, 2, 1])
    assert out.running[:, 1] == pytest.approx([2.0, 0.0, 2.0], abs=1e-12)
    assert out.unserved[1] == pytest.approx(0.0, abs=1e-12)


def test_hand_allocation_with_breakdowns():
    # Hand case: demand 2; new group 2 units at A = 0.5 (X ~ Bin(2, .5): 0, 1, 2 with
    # 1/4, 1/2, 1/4); one old unit at A = 0.5 behind them.
    #   new runs E[min(2, X)] = 1.0
    #   S = X + Y: 0, 1, 2, 3 with 1/8, 3/8, 3/8, 1/8; E[min(2, S)] = 3/8 + 6/8 + 2/8 = 11/8
    #   old runs 11/8 - 1 = 3/8; unserved 2 - 11/8 = 5/8
    out = fleet.allocate_km([[0, 2], [0, 1]], [[np.nan, 0.5], [np.nan, 0.5]], [0, 2], [0, 1])
    assert out.running[:, 1] == pytest.approx([1.0, 3 / 8], abs=1e-15)
    assert out.unserved[1] == pytest.approx(5 / 8, abs=1e-15)


def test_a_block_shares_its_km_in_proportion_to_expected_available_units():
    # two groups of one block (the bid's delivery batches): 1 unit at 1.0 and 2 at 0.5,
    # demand 10 (never met): each runs what is available, 1.0 and 1.0
    out = fleet.allocate_km([[0, 1], [0, 2]], [[np.nan, 1.0], [np.nan, 0.5]], [0, 10], [0, 0])
    assert out.running[:, 1] == pytest.approx([1.0, 1.0])


@given(units=st.lists(st.integers(0, 30), min_size=1, max_size=5),
       avail=st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5),
       demand=st.floats(0.0, 120.0), priority=st.lists(st.integers(0, 3), min_size=5,
                                                       max_size=5))
@settings(max_examples=60, deadline=None)
def test_km_run_plus_unserved_is_the_demand(units, avail, demand, priority):
    g = len(units)
    n = np.array(units)[:, None] * np.array([0, 1])
    a = np.array(avail[:g])[:, None] * np.ones(2)
    out = fleet.allocate_km(n, a, [0.0, demand], priority[:g])
    assert out.running[:, 1].sum() + out.unserved[1] == pytest.approx(demand, abs=1e-9)
    assert (out.running >= -1e-12).all()
    assert (out.running[:, 1] <= n[:, 1] * a[:, 1] + 1e-9).all()   # at most what is up


@given(units=st.lists(st.integers(0, 30), min_size=1, max_size=5),
       avail=st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5),
       demand=st.floats(0.0, 120.0), priority=st.lists(st.integers(0, 3), min_size=5,
                                                       max_size=5))
@settings(max_examples=60, deadline=None)
def test_allocation_with_the_outlooks_whole_fleet_distribution_is_the_same(units, avail,
                                                                          demand, priority):
    # issue 15 (scale): the last prefix taken from fleet_outlook's distribution instead of
    # computed again gives the same allocation (round-off aside)
    g = len(units)
    n = np.array(units)[:, None] * np.array([0, 1])
    a = np.array(avail[:g])[:, None] * np.ones(2)
    plain = fleet.allocate_km(n, a, [0.0, demand], priority[:g])
    whole = fleet.fleet_outlook(n[None], a[None], [0, math.ceil(demand)]).distribution
    given_ = fleet.allocate_km(n[None], a[None], [0.0, demand], priority[:g],
                               whole_fleet=whole)
    assert given_.running[0] == pytest.approx(plain.running, abs=1e-12)
    assert given_.unserved[0] == pytest.approx(plain.unserved, abs=1e-12)


# --------------------------------------------------------------------------- evaluation

def _no_ageing(bid):
    return attrs.evolve(bid, ageing=Ageing(), financing=None, overhaul_cost=0.0)


@st.composite
def delayed_tenders(draw):
    """A rich tender with demand, one bid cheaper per km than every cohort, and a delay."""
    tender = draw(tenders(rich=True, max_bids=1))
    settings_ = tender.tender
    assume(settings_.demand is not None and tender.fleet)
    base = settings_.to_base
    fuel_price = base(settings_.prices.diesel_per_litre)
    cohorts = tuple(attrs.evolve(c, ageing=attrs.evolve(c.ageing, maintenance_cost_growth=0.0))
                    for c in tender.fleet)
    cheapest = min(c.fuel_litres_per_km * fuel_price + base(c.maintenance_per_km, c.currency)
                   for c in cohorts)
    dearest = max(c.fuel_litres_per_km * fuel_price + base(c.maintenance_per_km, c.currency)
                  for c in cohorts)
    share = draw(st.floats(0.0, 1.0))
    bid = _no_ageing(tender.bids[0])
    # units that serve to the horizon: a unit retiring inside it, delivered later, would
    # serve later years instead (a retirement effect, not an allocation one)
    bid = attrs.evolve(bid, currency=settings_.base_currency, unit_price=0.0,
                       initial_support=0.0, fuel_litres_per_km=0.0,
                       maintenance_per_km=share * cheapest,
                       service_life_years=max(bid.service_life_years,
                                              settings_.horizon_years + 1))
    delay = draw(st.integers(1, 5))
    assume(len(bid.delivery) + delay <= settings_.horizon_years)
    # a missing locomotive-day costs at least what any unit's day of running costs
    per_day = settings_.annual_km / fleet.DAYS_PER_YEAR * dearest
    demand = attrs.evolve(settings_.demand, shortfall_cost_per_unit_day=per_day * draw(
        st.floats(1.0, 3.0)))
    flat = fleetcalc.Escalation()
    settings_ = attrs.evolve(settings_, demand=demand, escalation=flat)
    on_time = attrs.evolve(tender, tender=settings_, bids=(bid,), fleet=cohorts)
    late_bid = attrs.evolve(bid, delivery=(0,) * delay + tuple(bid.delivery))
    return on_time, attrs.evolve(on_time, bids=(late_bid,))


@given(pair=delayed_tenders())
@fast
def test_delaying_a_cheaper_bid_never_lowers_its_evaluated_cost(pair):
    # new units cheaper per km than every cohort, a missing day dearer than any running
    # day, the contract price held out (unit price 0: paying later is worth something,
    # see docs/methodology/fleet.md): the later delivery hands km to dearer cohorts or to
    # shortfall, never cheaper
    on_time, late = pair
    cost = [_evaluate(t).ranking["evaluated_cost"].iloc[0] for t in (on_time, late)]
    assert cost[1] >= cost[0] - 1e-9 * max(1.0, abs(cost[0]))


@given(tender=tenders(rich=True))
@fast
def test_km_run_plus_unserved_km_is_the_demand_every_year(tender):
    assume(tender.tender.demand is not None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arrays = tender_arrays(tender)
    alloc = arrays.fleet.allocation
    need = arrays.fleet.demand_units
    total = alloc.running.sum(axis=1) + alloc.unserved            # (bids, H + 1)
    np.testing.assert_allclose(total * tender.tender.annual_km,
                               np.broadcast_to(need, total.shape) * tender.tender.annual_km,
                               rtol=1e-9, atol=1e-6)
    # the bid's energy is on the km its new units run
    np.testing.assert_allclose(arrays.units_in_service,
                               alloc.running[:, len(tender.fleet):].sum(axis=1), atol=1e-12)


@given(tender=tenders(rich=True, max_bids=1))
@fast
def test_no_existing_fleet_and_demand_equal_to_the_units_is_the_old_model(tender):
    # The old model ran annual_km on every unit in service. With no existing fleet, demand
    # equal to the bid's units in service and units that never fail, the km run are the
    # same, and every category equals the evaluation without demand to 1e-9 (shortfall 0).
    bid = attrs.evolve(tender.bids[0], mtbf_hours=None, mdbf_km=None,
                       scheduled_maintenance_days=0.0, overhaul_downtime_days=0.0)
    plain = attrs.evolve(tender, bids=(bid,), fleet=(),
                         tender=attrs.evolve(tender.tender, demand=None))
    arrays = tender_arrays(plain)
    levels = arrays.units_in_service[0, 1:].astype(int).tolist()
    with_demand = attrs.evolve(plain, tender=attrs.evolve(
        plain.tender, demand=Demand(units_in_service=levels, shortfall_cost_per_unit_day=99.0)))
    old = _evaluate(plain).ranking.iloc[0]
    new = _evaluate(with_demand).ranking.iloc[0]
    for c in fleetcalc.CATEGORIES:
        assert new[f"pv_{c}"] == pytest.approx(old[f"pv_{c}"], rel=1e-9, abs=1e-6), c
    assert new["evaluated_cost"] == pytest.approx(old["evaluated_cost"], rel=1e-9, abs=1e-6)


def test_with_breakdowns_the_bid_runs_only_its_available_units():
    # Hand case (small_tender, r = 10 %): units 1, 2, 2 in service; MTBF 900 h, MDT 100 h,
    # 36.5 days -> A = 0.81; demand = the units in service, no existing fleet. Km run
    # = E[min(n, X)] = E[X] = 0.81 n, so energy and maintenance are 0.81 of the old
    # model's and the missing days 365 x 0.19 n are shortfall.
    bid = dict(mtbf_hours=900.0, mean_downtime_hours=100.0, scheduled_maintenance_days=36.5)
    plain = small_tender(**bid)
    tender = with_fleet(plain, (), Demand(units_in_service=[1, 2, 2],
                                          shortfall_cost_per_unit_day=10.0))
    old, new = (_evaluate(t).ranking.loc["A"] for t in (plain, tender))
    assert new["pv_energy"] == pytest.approx(0.81 * old["pv_energy"], rel=1e-12)
    assert new["pv_maintenance"] == pytest.approx(0.81 * old["pv_maintenance"], rel=1e-12)
    shortfall = 365 * 0.19 * 10.0 * (1 / 1.1 + 2 / 1.1**2 + 2 / 1.1**3)
    assert new["pv_shortfall"] == pytest.approx(shortfall, rel=1e-12)


def test_hand_computed_existing_fleet_and_incremental_npv():
    # Hand case (small_tender: units 1, 2, 2 in service, never failing; 10,000 km/year,
    # diesel 1 USD/L, r = 10 %). Existing cohort: 2 units, never failing, 5 L/km,
    # 1 USD/km. Demand 3 units every year.
    #   under the bid: new units run 1, 2, 2; the cohort runs 2, 1, 1
    #     existing_fleet = 10,000 x (5 + 1) = 60,000 per unit-year -> 120k, 60k, 60k
    #     shortfall: none (3 always available)
    #   do nothing: the cohort runs 2 a year, 1 unit missing: 365 unit-days x 10 USD
    #     = 3,650 a year; existing fleet 120k a year
    old = cohort(units=2, fuel_litres_per_km=5.0, maintenance_per_km=1.0, mtbf_hours=None,
                 mean_downtime_hours=0.0)
    tender = with_fleet(small_tender(), [old],
                        Demand(units_in_service=3, shortfall_cost_per_unit_day=10.0))
    result = _evaluate(tender)
    row = result.ranking.loc["A"]
    d = [1 / 1.1, 1 / 1.1**2, 1 / 1.1**3]
    assert row["pv_existing_fleet"] == pytest.approx(120e3 * d[0] + 60e3 * (d[1] + d[2]),
                                                     rel=1e-12)
    assert row["pv_shortfall"] == pytest.approx(0.0, abs=1e-9)
    do_nothing = (120e3 + 3650) * sum(d)
    assert sum(result.do_nothing.values()) == pytest.approx(do_nothing, rel=1e-12)
    assert row["incremental_npv"] == pytest.approx(row["evaluated_cost"] - do_nothing,
                                                   rel=1e-12)
    data = result.to_dict()
    assert data["do_nothing"]["npv"] == pytest.approx(do_nothing, rel=1e-12)
    assert {b["bidder"]: b["incremental_npv"] for b in data["bids"]}["A"] == pytest.approx(
        row["incremental_npv"])


def test_without_demand_there_is_no_existing_fleet_cost_and_no_incremental_npv():
    tender = with_fleet(small_tender(), [cohort(fuel_litres_per_km=5.0)])
    row = _evaluate(tender).ranking.loc["A"]
    assert row["pv_existing_fleet"] == 0.0
    assert np.isnan(row["incremental_npv"])


def test_loco_km_equal_to_units_times_annual_km_is_the_same_demand():
    old = cohort(units=2, fuel_litres_per_km=5.0, maintenance_per_km=1.0)
    by_units = with_fleet(small_tender(), [old],
                          Demand(units_in_service=3, shortfall_cost_per_unit_day=10.0))
    by_km = with_fleet(small_tender(), [old],
                       Demand(loco_km=30_000, shortfall_cost_per_unit_day=10.0))
    a, b = (_evaluate(t).ranking.loc["A"] for t in (by_units, by_km))
    assert b["evaluated_cost"] == pytest.approx(a["evaluated_cost"], rel=1e-12)


def test_loco_km_growth_compounds_from_year_1():
    demand = Demand(loco_km=1_000_000, loco_km_growth=0.1)
    assert demand.km_levels(3, 10_000) == pytest.approx([1e6, 1.1e6, 1.21e6])
    assert demand.levels(3, 10_000) == [100, 110, 121]


@pytest.mark.parametrize(("changes", "words"), [
    (dict(units_in_service=3, loco_km=30_000), "exactly one of units_in_service and loco_km"),
    (dict(), "exactly one of units_in_service and loco_km"),
    (dict(loco_km=(1.0, 2.0), loco_km_growth=0.1), "applies to a single loco_km"),
])
def test_demand_errors(changes, words):
    with pytest.raises(TenderError, match=words):
        Demand(shortfall_cost_per_unit_day=1.0, **changes)


# --------------------------------------------------------------------------- km-based figures

def test_mdbf_km_is_mtbf_at_the_km_an_available_unit_runs():
    # small_tender runs 10,000 km a year: MDBF 1,000 km = a failure every 876 h
    by_km = small_tender(mdbf_km=1_000.0, mean_downtime_hours=100.0)
    by_hours = small_tender(mtbf_hours=876.0, mean_downtime_hours=100.0)
    a, b = (_evaluate(t).ranking.loc["A"] for t in (by_km, by_hours))
    assert a["availability"] == pytest.approx(b["availability"], rel=1e-12)
    assert a["availability"] == pytest.approx(876 / 976, rel=1e-12)


def test_overhaul_interval_km_gives_the_overhauls_of_the_equivalent_years():
    # small_tender without demand: every unit runs 10,000 km a year; 20,000 km = 2 years
    by_years = _evaluate(small_tender()).ranking.loc["A"]
    by_km = _evaluate(small_tender(overhaul_interval_years=None,
                                   overhaul_interval_km=20_000.0)).ranking.loc["A"]
    assert by_km["pv_overhaul"] == pytest.approx(by_years["pv_overhaul"], rel=1e-12)


def test_overhauls_by_km_follow_the_km_actually_run():
    # demand of one unit: the two-unit bid runs one unit-equivalent a year in all
    # (0.5 each once both are in service), so its overhauls come later than by years
    bid = _evaluate(with_fleet(small_tender(overhaul_interval_years=None,
                                            overhaul_interval_km=10_000.0), (),
                               Demand(units_in_service=1))).ranking.loc["A"]
    # hand: batch 1 runs 10,000 (t1), 5,000 (t2), 5,000 (t3): overhauls at t1 and t3;
    # batch 2 runs 5,000 (t2), 5,000 (t3): overhaul at t3 -> 100k/1.1 + 200k/1.1^3
    assert bid["pv_overhaul"] == pytest.approx(100e3 / 1.1 + 200e3 / 1.1**3, rel=1e-12)


@pytest.mark.parametrize(("changes", "path"), [
    (dict(mtbf_hours=900.0, mdbf_km=20_000.0), "mdbf_km"),
    (dict(overhaul_interval_km=700_000.0), "overhaul_interval_km"),
])
def test_exactly_one_of_each_pair(changes, path):
    with pytest.raises(TenderError, match=path):
        small_tender(**changes)


# --------------------------------------------------------------------------- cash flows by hand

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


def test_the_existing_fleet_by_hand():
    # issue 13: litre-weighted running units 3 L/km x 1 unit in year 1 (x 1,000 km x 0.5)
    # = 1,500; maintenance-weighted units 0.2 per km x 2 units in year 2 (x 1,000 km) =
    # 400; cohort overhaul money 7 in year 2. The bid's own categories are unchanged.
    flows = flows_of(existing_fuel_units=[[0.0, 3.0, 0.0]],
                     existing_maintenance_units=[[0.0, 0.0, 0.4]],
                     existing_overhaul=[[0.0, 0.0, 7.0]])
    assert flows["existing_fleet"] == pytest.approx([0.0, 1_500.0, 407.0], rel=1e-15)
    assert flows["energy"] == [0.0, 1_000.0, 1_000.0]


# ------------------------------------------------- issue 13 with issue 14's money rules

def test_existing_fleet_fuel_takes_the_energy_conversion_and_emissions_count_its_litres():
    # Hand case on ONE_UNIT (1 unit running in years 1-2, 1,000 km, 2 L/km, 0.5 a litre):
    #   existing fleet: 3 litre-weighted units in year 1 -> 3,000 L, 1,500 of fuel money,
    #   converted at the energy row (x 2) = 3,000; maintenance 0.4 x 1,000 = 400 and
    #   overhaul 7 in year 2, converted at the existing_fleet row (x 3) = 1,221;
    #   emissions at 0.1 a litre: (2,000 own + 3,000 existing) L = 500 in year 1,
    #   2,000 L = 200 in year 2, at the emissions row (1). Each litre priced once.
    conversion = np.ones((1, len(CATEGORIES), 3))
    conversion[0, CATEGORIES.index("energy")] = 2.0
    conversion[0, CATEGORIES.index("existing_fleet")] = 3.0
    flows = flows_of(existing_fuel_units=[[0.0, 3.0, 0.0]],
                     existing_maintenance_units=[[0.0, 0.0, 0.4]],
                     existing_overhaul=[[0.0, 0.0, 7.0]],
                     emission_cost_per_litre=[0.0, 0.1, 0.1], conversion=conversion)
    assert flows["existing_fleet"] == pytest.approx([0.0, 3_000.0, 1_221.0], rel=1e-15)
    assert flows["energy"] == pytest.approx([0.0, 2_000.0, 2_000.0], rel=1e-15)
    assert flows["emissions"] == pytest.approx([0.0, 500.0, 200.0], rel=1e-15)


def test_economic_view_of_the_existing_fleet_by_hand():
    # The hand case of test_hand_computed_existing_fleet_and_incremental_npv (new units
    # run 1, 2, 2; the cohort 2, 1, 1; do nothing: the cohort 2 a year, 1 unit missing)
    # in the economic perspective: diesel 1.0 less 0.4 of taxes (a transfer) for the
    # existing fleet as for the bid, and every litre burnt priced at 2.5 kg/L x 100 USD/t
    # = 0.25 USD/L (co2 only):
    #   existing_fleet: 10,000 km x (5 L x 0.6 + 1) = 40,000 per unit-year: 80k, 40k, 40k
    #   emissions: (4 L x 10,000 x (1, 2, 2) + 5 L x 10,000 x (2, 1, 1)) x 0.25
    #            = (140k, 130k, 130k) L x 0.25 = 35,000, 32,500, 32,500
    #   do nothing: 2 x 40,000 + 3,650 + 100,000 L x 0.25 = 108,650 a year
    from fleetcalc.tender import Externalities, Prices

    old = cohort(units=2, fuel_litres_per_km=5.0, maintenance_per_km=1.0, mtbf_hours=None,
                 mean_downtime_hours=0.0)
    tender = with_fleet(small_tender(), [old],
                        Demand(units_in_service=3, shortfall_cost_per_unit_day=10.0))
    tender = attrs.evolve(tender, tender=attrs.evolve(
        tender.tender, perspective="economic",
        prices=Prices(diesel_per_litre=1.0, diesel_taxes_per_litre=0.4),
        externalities=Externalities(co2_kg_per_litre=2.5, carbon_price_per_tonne=100.0)))
    result = _evaluate(tender)
    row = result.ranking.loc["A"]
    d = np.array([1 / 1.1, 1 / 1.1**2, 1 / 1.1**3])
    assert row["pv_existing_fleet"] == pytest.approx(
        (np.array([80e3, 40e3, 40e3]) * d).sum(), rel=1e-12)
    assert row["pv_emissions"] == pytest.approx(
        (np.array([35e3, 32.5e3, 32.5e3]) * d).sum(), rel=1e-12)
    assert row["co2_tonnes"] == pytest.approx(400e3 * 2.5 / 1e3, rel=1e-12)
    assert sum(result.do_nothing.values()) == pytest.approx(108_650 * d.sum(), rel=1e-12)
    frame = result.emissions.groupby("bidder")[["litres", "existing_litres"]].sum().loc["A"]
    assert frame.to_dict() == pytest.approx({"litres": 400e3, "existing_litres": 200e3})


# ------------------------------------------------- the keys from the file and the CLI

def test_issue13_keys_from_the_file_through_the_cli(tmp_path):
    """loco_km, loco_km_growth (the example), mdbf_km and overhaul_interval_km (a bid and a
    cohort here) from a file, through `fleetcalc compare` and `fleetcalc simulate`: the
    CLI's JSON is evaluate's, and an MDBF equal to the MTBF at annual_km
    (8,760 h x MDBF / annual_km) leaves the costs as they were."""
    import io
    import json
    from pathlib import Path

    from fleetcalc.cli import main

    example = Path("examples/pakistan_locomotives_2026.toml").read_text(encoding="utf-8")
    mdbf = 1_600 * 90_000 / 8_760               # Wabtec's 1,600 h at 90,000 km a year
    text = example.replace("mtbf_hours = 1_600                     # [E]",
                           f"mdbf_km = {mdbf!r}")
    text = text.replace('overhaul_interval_years = 6            # [E]\noverhaul_cost = 3_500',
                        'overhaul_interval_km = 540_000\noverhaul_cost = 3_500')
    assert text.count("mdbf_km") == 1 and text.count("overhaul_interval_km") == 1
    path = tmp_path / "km_keys.toml"
    path.write_text(text, encoding="utf-8")
    # the example draws every bid's MTBF: a bid stating mdbf_km is named with the rule
    out, err = io.StringIO(), io.StringIO()
    assert main(["compare", str(path)], stdout=out, stderr=err) == 2
    assert ('uncertainty[4].input = "bids[*].mtbf_hours": bids[Wabtec (GE Transportation)]'
            ".mtbf_hours is absent: the reliability is stated as mdbf_km") in err.getvalue()
    path.write_text(text.replace('input = "bids[*].mtbf_hours"',
                                 'input = "bids[CRRC Ziyang].mtbf_hours"'), encoding="utf-8")

    def run(*args):
        out, err = io.StringIO(), io.StringIO()
        code = main([str(a) for a in args], stdout=out, stderr=err)
        assert code == 0, err.getvalue()
        return json.loads(out.getvalue())

    data = run("compare", path, "--format", "json")
    cli = {b["bidder"]: b for b in data["bids"]}
    python = _evaluate(fleetcalc.load_tender(path)).ranking
    reference = _evaluate(fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml"))
    for bidder, row in python.iterrows():
        assert cli[bidder]["evaluated_cost"] == pytest.approx(row["evaluated_cost"], rel=1e-12)
        assert cli[bidder]["incremental_npv"] == pytest.approx(row["incremental_npv"],
                                                               rel=1e-12)
    wabtec = "Wabtec (GE Transportation)"
    assert python.loc[wabtec, "lcc_npv"] == pytest.approx(
        reference.ranking.loc[wabtec, "lcc_npv"], rel=1e-9)
    assert data["do_nothing"]["npv"] == pytest.approx(sum(reference.do_nothing.values()),
                                                      rel=1e-9)
    sim = run("simulate", path, "--draws", 64, "--seed", 3, "--format", "json")
    assert {b["bidder"] for b in sim["simulation"]["bids"]} == set(python.index)
