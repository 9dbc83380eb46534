"""End-to-end evaluation against hand-computed cases."""

import attrs
import numpy as np
import pytest

import fleetcalc
from fleetcalc import Money
from tests.hand_cases import small_tender


def test_hand_computed_life_cycle_cost():
    # Hand computation (this file's small_tender), r = 10 %, H = 3, life 3:
    #   acquisition: t0 0.1*2M + 0.8*1M = 1,000,000; t1 0.1*1M + 0.8*1M = 900,000;
    #                t2 0.1*1M = 100,000
    #   initial support: t0 50,000
    #   units in service: year 1: 1, years 2-3: 2
    #   energy: 10,000 km * 4 L/km * 1 USD/L = 40,000 per unit-year -> t1 40k, t2 80k, t3 80k
    #   maintenance: 10,000 * 0.5 = 5,000 per unit-year -> t1 5k, t2 10k, t3 10k
    #   overhaul (I = 2 < L = 3): year-1 unit at t2, year-2 unit at t3: 100k each
    #   residual at t3: year-1 unit age 3 -> 0; year-2 unit age 2 -> 1M * (1 - 2/3)
    flows = {0: 1_050_000, 1: 945_000, 2: 290_000, 3: 190_000 - 1_000_000 / 3}
    expected = sum(amount / 1.1**t for t, amount in flows.items())
    result = fleetcalc.evaluate(small_tender())
    assert result.ranking.loc["A", "lcc_npv"] == pytest.approx(expected, rel=1e-12)
    assert result.ranking.loc["A", "pv_overhaul"] == pytest.approx(
        100_000 / 1.1**2 + 100_000 / 1.1**3, rel=1e-12)
    assert result.ranking.loc["A", "pv_residual_value"] == pytest.approx(
        -1_000_000 / 3 / 1.1**3, rel=1e-12)
    by_year = result.cash_flows.groupby("year")["amount"].sum()
    assert by_year.to_dict() == pytest.approx(flows)


def test_acceptance_after_the_horizon_is_discounted_at_its_time():
    # warranty 3: the year-2 batch's acceptance falls at t = 1 + 3 = 4 > H = 3
    result = fleetcalc.evaluate(small_tender(warranty_years=3))
    late = result.cash_flows.query("year == 4")
    assert late["category"].tolist() == ["acquisition"]
    assert late["present_value"].iloc[0] == pytest.approx(100_000 / 1.1**4)


def test_money_in_another_currency_is_converted():
    # 1 PKR = 0.004 USD; plain numbers are in the bid's currency (PKR)
    tender = small_tender(exchange_rates={"PKR": 0.004}, currency="PKR",
                          unit_price=Money(1_000_000, "USD"), initial_support=50_000 / 0.004,
                          maintenance_per_km=0.5 / 0.004, overhaul_cost=Money(100_000, "USD"))
    same = fleetcalc.evaluate(small_tender()).ranking["lcc_npv"]
    assert fleetcalc.evaluate(tender).ranking["lcc_npv"].to_numpy() == pytest.approx(
        same.to_numpy(), rel=1e-12)


def test_example_json_invariants():
    result = fleetcalc.evaluate(fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml"))
    data = result.to_dict()
    rate = data["tender"]["discount_rate"]
    for row in data["cash_flows"]:
        assert row["present_value"] == pytest.approx(row["amount"] / (1 + rate) ** row["year"],
                                                     rel=1e-12)
    for bid in data["bids"]:
        rows = [r["present_value"] for r in data["cash_flows"] if r["bidder"] == bid["bidder"]]
        assert sum(rows) == pytest.approx(bid["lcc_npv"], rel=1e-12)
        assert sum(bid["pv_by_category"].values()) == pytest.approx(bid["lcc_npv"], rel=1e-12)
    ranked = [b for b in data["bids"] if b["responsive"]]
    costs = [b["evaluated_cost"] for b in ranked]
    assert [b["rank"] for b in ranked] == list(range(1, len(costs) + 1))
    assert costs == sorted(costs)
    # non-responsive bids are listed last, with their reasons, and not ranked
    rejected = data["bids"][len(ranked):]
    assert rejected and all(b["rank"] is None and b["non_responsive_reasons"] for b in rejected)
    assert [r["bidder"] for r in data["non_responsive"]] == [b["bidder"] for b in rejected]
    for bid in data["bids"]:
        assert bid["evaluated_cost"] == pytest.approx(
            bid["lcc_npv"] + sum(line["amount"] for line in bid["adjustments"]), rel=1e-12)


def test_ties_share_a_rank():
    tender = small_tender()
    twin = attrs.evolve(tender.bids[0], bidder="B")
    result = fleetcalc.evaluate(attrs.evolve(tender, bids=(tender.bids[0], twin)))
    assert result.ranking["rank"].tolist() == [1, 1]


def test_service_life_inside_horizon_warns():
    tender = small_tender()
    longer = attrs.evolve(tender, tender=attrs.evolve(tender.tender, horizon_years=5))
    with pytest.warns(fleetcalc.ServiceLifeWarning, match="retire at t = 3"):
        result = fleetcalc.evaluate(longer)
    assert result.warnings


def test_eac_and_cost_per_km_follow_their_definitions():
    result = fleetcalc.evaluate(small_tender())
    row = result.ranking.loc["A"]
    # levelised: km run 10k, 20k, 20k at t = 1, 2, 3
    pv_km = 10_000 / 1.1 + 20_000 / 1.1**2 + 20_000 / 1.1**3
    assert row["cost_per_km"] == pytest.approx(row["lcc_npv"] / pv_km, rel=1e-12)
    annuity = sum(1 / 1.1**t for t in (1, 2, 3))
    assert row["equivalent_annual_cost"] == pytest.approx(row["lcc_npv"] / annuity, rel=1e-12)
    money = ["evaluated_cost", "lcc_npv", "equivalent_annual_cost", "cost_per_km"]
    assert np.isfinite(result.ranking[money].to_numpy(dtype=float)).all()


# --- no result changes: the example's full JSON against a stored reference -------------

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "data" / "compare_example.json"

#: Probabilities per year are resolved to about 2e-16 absolute by the FFT (measured: the
#: old and new pmfs differ from direct convolution by 1.7e-17 and 2.1e-16 on a value of
#: 7.7e-7), so ``p_meet_demand`` fields may also differ by this much absolutely.
PROBABILITY_RESOLUTION = 1e-15


#: Round-off of a difference of two of the example's costs (~USD 2.1e9 x 1e-12 x 2) [USD]:
#: well below a cent.
DIFFERENCE_RESOLUTION = 5e-3


def _differences(reference, current, path=""):
    """(path, reference, current) of every leaf that differs beyond the tolerances."""
    import math

    if isinstance(reference, dict):
        assert isinstance(current, dict) and reference.keys() == current.keys(), path
        for key in reference:
            yield from _differences(reference[key], current[key], f"{path}/{key}")
    elif isinstance(reference, list):
        assert isinstance(current, list) and len(reference) == len(current), path
        for i, (a, b) in enumerate(zip(reference, current)):
            yield from _differences(a, b, f"{path}[{i}]")
    elif isinstance(reference, float) and isinstance(current, (int, float)):
        atol = PROBABILITY_RESOLUTION if path.endswith("/p_meet_demand") else 0.0
        if path.startswith("/decisive_lines") and path.endswith("difference"):
            # a line's difference between two bids of ~USD 2e9 each carries their
            # round-off (1e-12 relative of the costs, fleetcalc.evaluation_table.ROUND_OFF)
            atol = DIFFERENCE_RESOLUTION
        if not math.isclose(reference, current, rel_tol=1e-12, abs_tol=atol):
            yield path, reference, current
    elif reference != current:
        yield path, reference, current


def test_example_json_matches_the_reference():
    """The example's ``compare --format json`` output equals the stored reference to 1e-12.

    ``tests/data/compare_example.json`` was generated from main 93b5c06 (see
    ``tests/data/README.md``); regenerate it only for an intentional, changelogged
    result change.
    """
    import io
    import json

    from fleetcalc.cli import main

    out = io.StringIO()
    assert main(["compare", str(ROOT / "examples" / "pakistan_locomotives_2026.toml"),
                 "--format", "json"], stdout=out, stderr=io.StringIO()) == 0
    current = json.loads(out.getvalue())
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    differences = list(_differences(reference, current))
    assert not differences, differences[:5]


def test_the_comparison_fails_on_a_change():
    reference = {"a": [1.0, {"p_meet_demand": 1e-6, "x": "s"}]}
    assert not list(_differences(reference, {"a": [1.0 + 1e-13, {"p_meet_demand": 1e-6 + 1e-16,
                                                                   "x": "s"}]}))
    assert list(_differences(reference, {"a": [1.0 + 1e-11, {"p_meet_demand": 1e-6, "x": "s"}]}))
    assert list(_differences(reference, {"a": [1.0, {"p_meet_demand": 1e-6 + 1e-14, "x": "s"}]}))
    assert list(_differences(reference, {"a": [1.0, {"p_meet_demand": 1e-6, "x": "t"}]}))
