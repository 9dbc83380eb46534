"""The fleet model inside the evaluation: availability, ageing, cohorts, demand."""

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fleetcalc
from fleetcalc import Ageing, Cohort, Commonality, Demand
from tests.hand_cases import small_tender
from tests.strategies import tenders
from tests.test_io import VALID, problems

pytestmark = pytest.mark.filterwarnings("ignore::fleetcalc.exceptions.TenderWarning")
fast = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

EXAMPLE = "examples/pakistan_locomotives_2026.toml"


def cohort(**changes):
    base = dict(name="Old", model="Old model", units=2, year_built=2020, service_life_years=40,
                fuel_litres_per_km=0.0, maintenance_per_km=0.0, mtbf_hours=100.0,
                mean_downtime_hours=100.0)
    return Cohort(**{**base, **changes})


def with_fleet(tender, cohorts=(), demand=None, commonality=None):
    settings_ = attrs.evolve(tender.tender, demand=demand,
                             commonality=commonality or tender.tender.commonality)
    return attrs.evolve(tender, tender=settings_, fleet=tuple(cohorts))


def test_hand_computed_shortfall_enters_lcc():
    # Hand computation. Existing cohort: 2 units with MTBF = MDT = 100 h, so A = 0.5.
    # The bid's units never fail (no mtbf): 1 unit in year 1, 2 in years 2-3 (A = 1).
    # Demand 3 a day at 10 per unit-day.
    #   year 1: X = 1 + Bin(2, .5): P(X >= 3) = .25; E[max(0, 3 - X)] = .5*1 + .25*2 = 1.0
    #   years 2, 3: X = 2 + Bin(2, .5): P = .75; E[max(0, 3 - X)] = .25*1 = .25
    # shortfall cost: 365 * 10 * (1.0 at t1, .25 at t2, .25 at t3)
    tender = with_fleet(small_tender(), [cohort()],
                        Demand(units_in_service=3, shortfall_cost_per_unit_day=10.0))
    result = fleetcalc.evaluate(tender)
    years = result.fleet_years
    assert years["p_meet_demand"].tolist() == pytest.approx([0.25, 0.75, 0.75])
    assert years["shortfall_unit_days"].tolist() == pytest.approx([365.0, 91.25, 91.25])
    expected = 3650 * (1.0 / 1.1 + 0.25 / 1.1**2 + 0.25 / 1.1**3)
    assert result.ranking.loc["A", "pv_shortfall"] == pytest.approx(expected, rel=1e-12)
    base = fleetcalc.evaluate(small_tender()).ranking.loc["A", "lcc_npv"]
    assert result.ranking.loc["A", "lcc_npv"] == pytest.approx(base + expected, rel=1e-12)
    assert result.ranking.loc["A", "p_meet_demand"] == pytest.approx((0.25 + 0.75 + 0.75) / 3)
    assert result.ranking.loc["A", "shortfall_unit_days"] == pytest.approx(547.5)


def test_availability_of_the_bids_own_units():
    # hand computation: MTBF 900 h, MDT 100 h, 36.5 days scheduled -> (1 - 0.1) * 0.9 = 0.81
    tender = small_tender(mtbf_hours=900.0, mean_downtime_hours=100.0,
                          scheduled_maintenance_days=36.5)
    row = fleetcalc.evaluate(tender).ranking.loc["A"]
    assert row["availability"] == pytest.approx(0.81)
    assert row["fleet_availability"] == pytest.approx(0.81)


def test_ageing_raises_maintenance_by_virtual_age():
    # hand computation: maintenance 5,000 per unit-year at age 0; growth 2 %/year,
    # no restoration: year 1: 1 unit age 0; years 2-3: ages (1, 0) and (2, 1)
    tender = small_tender(ageing=Ageing(maintenance_cost_growth=0.02))
    flows = fleetcalc.evaluate(tender).cash_flows.query("category == 'maintenance'")
    assert flows["amount"].tolist() == pytest.approx(
        [5000.0, 5000.0 * (1.02 + 1.0), 5000.0 * (1.02**2 + 1.02)])


def test_without_new_keys_the_numbers_do_not_change():
    plain = small_tender()
    explicit = small_tender(ageing=Ageing(failure_rate_growth=0.0, maintenance_cost_growth=0.0,
                                          overhaul_restoration=0.7))
    assert fleetcalc.evaluate(explicit).to_dict() == fleetcalc.evaluate(plain).to_dict()


@fast
@given(tenders())
def test_tenders_without_fleet_or_demand_have_no_shortfall(tender):
    result = fleetcalc.evaluate(tender)
    assert (result.ranking["pv_shortfall"] == 0).all()
    assert result.ranking["p_meet_demand"].isna().all()
    assert (result.cash_flows["category"] != "shortfall").all()


def test_commonality_saving_for_a_matching_platform():
    commonality = Commonality(initial_support=0.3, maintenance=0.05)
    same = with_fleet(small_tender(platform="P"), [cohort(platform="P")],
                      commonality=commonality)
    other = with_fleet(small_tender(platform="Q"), [cohort(platform="P")],
                       commonality=commonality)
    flows_same = fleetcalc.evaluate(same).cash_flows.set_index(["year", "category"])["amount"]
    flows_other = fleetcalc.evaluate(other).cash_flows.set_index(["year", "category"])["amount"]
    assert flows_same[(0, "initial_support")] == pytest.approx(0.7 * 50_000)
    assert flows_other[(0, "initial_support")] == pytest.approx(50_000)
    assert flows_same[(1, "maintenance")] == pytest.approx(0.95 * flows_other[(1, "maintenance")])


@pytest.fixture(scope="module")
def data():
    return fleetcalc.evaluate(fleetcalc.load_tender(EXAMPLE)).to_dict()


class TestExample:
    def test_bids_have_the_fleet_keys(self, data):
        for bid in data["bids"]:
            for key in ("availability", "fleet_availability", "p_meet_demand",
                        "shortfall_unit_days"):
                assert 0 <= bid[key] <= (1 if key != "shortfall_unit_days" else np.inf)
            assert "shortfall" in bid["pv_by_category"]

    def test_the_55_geu40_are_a_cohort_aged_9_to_10_in_2026(self, data):
        rows = [r for r in data["fleet"] if r["cohort"] == "GEU-40" and r["year"] == 1]
        assert len(rows) == len(data["bids"])
        assert all(r["units"] == 55 and r["calendar_year"] == 2026 for r in rows)
        assert all(9 <= r["mean_age"] <= 10 for r in rows)

    def test_fleet_rows_have_the_binding_keys(self, data):
        keys = {"bidder", "year", "cohort", "units", "mean_age", "availability",
                "available_units", "demand", "p_meet_demand"}
        assert keys <= set(data["fleet"][0])
        for row in data["fleet"]:
            assert row["available_units"] <= row["units"] + 1e-9

    def test_the_late_bid_is_not_the_cheapest_because_it_is_late(self, data):
        # issue 13: with km from traffic, the late bid's units leave the traffic to the
        # old fleet or to shortfall; before, its LCC NPV was the lowest of the four
        late = next(b for b in data["bids"] if b["bidder"].startswith("Late Bidder"))
        assert late["lcc_npv"] > min(b["lcc_npv"] for b in data["bids"])
        assert all(b["pv_by_category"]["existing_fleet"] > 0 for b in data["bids"])

    def test_the_hgmu30_run_until_2032(self, data):
        # issue 13: 27 units rehabilitated ~2017 "for further 15 years" (The Nation,
        # 3 Feb 2018): in service to 2017 + 15 = 2032, built 1982-85 (43 years old in 2026)
        rows = [r for r in data["fleet"] if r["cohort"] == "HGMU-30"]
        assert {r["units"] for r in rows} == {27}
        assert max(r["calendar_year"] for r in rows) == 2017 + 15
        assert min(r["mean_age"] for r in rows) == 2026 - 1983

    def test_availability_moves_the_gaps_between_bids(self, data):
        # the shortfall cost (fleet availability against demand) moves the gap between
        # the lowest ranked bid and every other ranked bid by more than 0.1 % of the lowest
        # evaluated cost (about USD 0.5 m; 0.98 m is the smallest since issue 14), on the
        # evaluated cost before the domestic preference (a comparison device whose group
        # procedure would itself react to the shortfall). Issue 12 item 4 (overhaul
        # downtime in the year of the overhaul) made CRRC the lowest both with and
        # without the shortfall, so the example no longer shows availability reversing
        # an order (it did before: Wabtec was lowest with the downtime spread over
        # every year).
        ranked = sorted((b for b in data["bids"] if b["responsive"]),
                        key=lambda b: b["evaluated_cost_before_preference"])
        first = ranked[0]
        for other in ranked[1:]:
            moved = first["pv_by_category"]["shortfall"] - other["pv_by_category"]["shortfall"]
            assert abs(moved) > 1e-3 * first["evaluated_cost_before_preference"], (
                first["bidder"], other["bidder"], moved)


@fast
@given(st.integers(2, 30), st.integers(1, 40))
def test_without_retirement_a_cohorts_mean_age_rises_by_one_a_year(horizon, age):
    tender = small_tender()
    tender = attrs.evolve(tender, tender=attrs.evolve(tender.tender, horizon_years=horizon))
    tender = with_fleet(tender, [cohort(year_built=2026 - age, service_life_years=age + 31)])
    fleet = fleetcalc.evaluate(tender).fleet.query("cohort == 'Old'")
    assert np.diff(fleet["mean_age"]).tolist() == [1.0] * (horizon - 1)
    assert fleet["mean_age"].iloc[0] == age


@fast
@given(st.integers(0, 6), st.floats(0.05, 0.95), st.integers(0, 8))
def test_p_meet_demand_does_not_fall_when_a_unit_is_added(units, mtbf_share, demand):
    def years(n):
        tender = with_fleet(small_tender(), [cohort(units=n, mtbf_hours=100 * mtbf_share,
                                                   mean_downtime_hours=100 * (1 - mtbf_share))],
                            Demand(units_in_service=demand, shortfall_cost_per_unit_day=1.0))
        return fleetcalc.evaluate(tender).fleet_years
    fewer, more = years(units), years(units + 1)
    assert (more["p_meet_demand"].to_numpy() >= fewer["p_meet_demand"].to_numpy() - 1e-12).all()
    assert (more["shortfall_unit_days"].to_numpy()
            <= fewer["shortfall_unit_days"].to_numpy() + 1e-9).all()
    assert (fewer["available_units"] <= fewer["units"] + 1e-9).all()


def test_an_overhaul_interval_beyond_the_life_costs_no_downtime():
    # review: the downtime of overhauls that never happen lowered availability
    tender = small_tender(overhaul_interval_years=8, overhaul_downtime_days=80,
                          overhaul_cost=0.0, mtbf_hours=900.0, mean_downtime_hours=100.0)
    assert [p.path for p in tender.warnings] == ["bids[A].overhaul_interval_years"]
    row = fleetcalc.evaluate(tender).ranking.loc["A"]
    assert row["availability"] == pytest.approx(0.9)  # 900 / (900 + 100), no downtime share


def test_zero_demand_gives_zero_shortfall():
    tender = with_fleet(small_tender(), [cohort()],
                        Demand(units_in_service=0, shortfall_cost_per_unit_day=1e6))
    result = fleetcalc.evaluate(tender)
    assert (result.fleet_years["shortfall_unit_days"] == 0).all()
    assert (result.fleet_years["p_meet_demand"] == 1).all()
    assert result.ranking.loc["A", "pv_shortfall"] == 0


def test_required_fleet_size_and_spare_ratio():
    # all-new fleet at A = 0.81 meeting a demand of 3 with 95 % confidence (hand computation):
    # P(Bin(5, .81) >= 3) = .34868 + .40895 + .19185 = .94948 < .95
    # P(Bin(6, .81) >= 3) = .28243 + .39750 + .23310 + .07290 = .98593 >= .95 -> 6 units
    tender = with_fleet(small_tender(mtbf_hours=900.0, mean_downtime_hours=100.0,
                                     scheduled_maintenance_days=36.5), [],
                        Demand(units_in_service=3, shortfall_cost_per_unit_day=1.0))
    row = fleetcalc.evaluate(tender).ranking.loc["A"]
    assert row["required_fleet_size"] == 6
    assert row["spare_ratio"] == pytest.approx(1.0)


@pytest.mark.parametrize(("add", "path", "words"), [
    ('[tender.demand]\nunits_in_servce = 3\n', "tender.demand.units_in_servce",
     "did you mean 'units_in_service'"),
    ('[tender.demand]\nconfidence = 0.9\n', "tender.demand.units_in_service",
     "give exactly one of units_in_service and loco_km"),
    ('[tender.demand]\nunits_in_service = [1, 2]\n', "tender.demand.units_in_service",
     "has 2 years but the horizon is 10"),
    ('[[fleet]]\nname = "X"\nmodel = "m"\nunits = 3\nyear_built = 2030\n'
     'service_life_years = 30\nfuel_litres_per_km = 4\nmaintenance_per_km = 1\n',
     "fleet[X].year_built", "must not be after evaluation_year"),
    ('[[fleet]]\nname = "X"\nmodel = "m"\nunits = 3\nyear_built = 2010\n'
     'service_life_years = 30\nfuel_litres_per_km = 4\nmaintenance_per_km = 1\n'
     'scheduled_maintenance_days = 300\noverhaul_interval_years = 1\n'
     'overhaul_downtime_days = 100\n', "fleet[X].scheduled_maintenance_days",
     "more than 365"),
    ('[[fleet]]\nname = "X"\nmodel = "m"\nunits = 3\nyear_built = 2010\n'
     'service_life_years = 30\nfuel_litres_per_km = 4\nmaintenance_per_km = 1\n'
     'ageing = { failure_rate_growth = 0.03, overhaul_restoraton = 0.5 }\n',
     "fleet[X].ageing.overhaul_restoraton", "did you mean 'overhaul_restoration'"),
])
def test_fleet_and_demand_input_errors(add, path, words):
    if add.startswith("[tender.demand]"):  # a [tender] sub-table goes before the bids
        text = VALID.replace("[tender.prices]", add + "\n[tender.prices]")
    else:
        text = VALID + "\n" + add
    found = {p.path: str(p) for p in problems(text)}
    assert path in found and words in found[path]


def test_the_distribution_is_computed_once_per_evaluation_and_simulation_build(monkeypatch):
    import warnings

    from fleetcalc import fleet, fleet_distribution, simulation
    from fleetcalc.evaluate import tender_arrays

    calls = []
    real = fleet_distribution.available_units_distribution

    def counting(units, availability):
        calls.append(np.shape(units))
        return real(units, availability)

    monkeypatch.setattr(fleet_distribution, "available_units_distribution", counting)
    monkeypatch.setattr(fleet, "_OUTLOOK_CACHE", type(fleet._OUTLOOK_CACHE)())
    tender = fleetcalc.load_tender(EXAMPLE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arrays = tender_arrays(tender)
        result = fleetcalc.evaluate(tender, arrays=arrays)
        # issue 13: three distinct computations, each once: the outlook (P(meet demand),
        # shortfall), the bids' km allocation (all prefixes in one batch) and the
        # do-nothing allocation of the existing fleet alone. With load_guarantees (the
        # example, since the engine follows issue 12) the evaluation also projects the
        # declared fleet once, for the guarantee_loading column
        fleets = 2 if tender.tender.evaluation.load_guarantees else 1
        # (its outlook and its bids' allocation; the do-nothing allocation is the same)
        assert len(calls) == 3 + 2 * (fleets - 1)
        assert fleetcalc.evaluate(tender).to_json() == result.to_json()
        during_evaluation = len(calls)
        simulation.build_model(tender)
    # the availability outlook is computed once per distinct fleet; the model builder
    # probes tenders with the diesel price set to 1 and 2 USD/L, where the cohorts' order
    # of running cost per km may change, and with it the two allocations (at most two
    # more each)
    outlooks = [c for c in calls if len(c) == 3]
    assert len(outlooks) == fleets
    assert len(calls) <= during_evaluation + 2 * 2
    dist = arrays.fleet.outlook.distribution
    assert dist.pmf.shape[:2] == arrays.fleet.outlook.p_meet_demand.shape
    assert not dist.pmf.flags.writeable   # shared by every user of the cache
