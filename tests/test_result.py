"""The result's JSON: every number finite, every null explained, one year convention."""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import fleetcalc
from fleetcalc.io import parse_tender
from fleetcalc.result import DOCUMENTED_NULLS, UNEXPLAINED, calendar_year
from tests.malformed import SMALL


def result_of(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fleetcalc.TenderWarning)
        return fleetcalc.evaluate(parse_tender(text))


def bids_json(text):
    data = json.loads(result_of(text).to_json(),
                      parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    return {b["bidder"]: b for b in data["bids"]}, data


def replaced(old, new, text=SMALL):
    assert old in text, old
    return text.replace(old, new, 1)


def nulls_unexplained(node, path="$", inherited=None):
    found = []
    if isinstance(node, dict):
        # a row's null_reasons also explains the nulls of its "values" (evaluation table)
        reasons = {**(inherited or {}), **(node.get("null_reasons") or {})}
        for key, value in node.items():
            if value is None and key not in reasons and key not in DOCUMENTED_NULLS:
                found.append(f"{path}.{key}")
            found += nulls_unexplained(value, f"{path}.{key}",
                                       (node.get("null_reasons") or {}) if key == "values"
                                       else None)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += nulls_unexplained(value, f"{path}[{i}]")
    return found


def test_a_negative_evaluated_cost_explains_its_null_scores():
    bids, _ = bids_json(replaced("amount = 1000 }", "amount = -1e12 }"))
    a = bids["A"]
    assert a["evaluated_cost"] < 0 and a["price_score"] is None and a["combined_score"] is None
    assert "positive evaluated cost" in a["null_reasons"]["price_score"]
    assert a["null_reasons"]["combined_score"] == a["null_reasons"]["price_score"]


def test_zero_demand_explains_the_null_spare_ratio():
    bids, _ = bids_json(replaced("units_in_service = 4", "units_in_service = 0"))
    assert bids["A"]["spare_ratio"] is None
    assert "demand is 0 units" in bids["A"]["null_reasons"]["spare_ratio"]


def test_a_bid_that_runs_no_km_explains_its_null_cost_per_km():
    bids, _ = bids_json(replaced("annual_km = 90000", "annual_km = 0"))
    assert bids["B"]["cost_per_km"] is None
    assert "no km" in bids["B"]["null_reasons"]["cost_per_km"]


def test_units_never_available_explain_the_null_fleet_size():
    text = replaced("mean_downtime_hours = 36", "mean_downtime_hours = 36\n"
                    "scheduled_maintenance_days = 365")
    bids, _ = bids_json(text)
    assert bids["A"]["required_fleet_size"] is None
    assert "never available" in bids["A"]["null_reasons"]["required_fleet_size"]


def test_no_financing_offer_and_no_demand_are_reasons():
    text = SMALL.split("[tender.demand]")[0] + "[tender.evaluation]" + SMALL.split(
        "[tender.evaluation]")[1]
    bids, data = bids_json(text)
    assert bids["B"]["null_reasons"]["grant_element"] == "the bid has no financing offer"
    assert "no demand" in bids["B"]["null_reasons"]["required_fleet_size"]
    assert nulls_unexplained(data) == []


def test_every_null_of_the_example_is_explained():
    data = json.loads(result_of(Path("examples/pakistan_locomotives_2026.toml").read_text())
                      .to_json())
    assert nulls_unexplained(data) == []
    assert UNEXPLAINED not in json.dumps(data)


def test_calendar_year_convention():
    assert calendar_year(2026, np.array([0, 1, 2])).tolist() == [2026, 2026, 2027]


def test_year_one_is_the_same_calendar_year_in_every_frame():
    # issue 10: "Year t = 1" was 2027 in cash_flows and 2026 in fleet_years
    result = result_of(SMALL)
    ledger = result.cash_flows
    first_ledger = set(ledger.loc[ledger["year"] == 1, "calendar_year"])
    first_fleet = set(result.fleet_years.loc[result.fleet_years["year"] == 1, "calendar_year"])
    first_loan = set(result.financing.loc[result.financing["year"] == 1, "calendar_year"])
    assert first_ledger == first_fleet == first_loan == {2026}
    assert set(ledger.loc[ledger["year"] == 0, "calendar_year"]) == {2026}
    last = result.tender.tender.horizon_years
    assert set(ledger.loc[ledger["year"] == last, "calendar_year"]) == set(
        result.fleet_years.loc[result.fleet_years["year"] == last, "calendar_year"])


def test_to_excel_and_to_html_call_the_registered_writers(example_result, tmp_path):
    """The result names its writers (the edges) as data; a registered one replaces them."""
    from fleetcalc.result import register_writer, writer

    calls = []
    previous = register_writer("excel", lambda result, path, **options: calls.append(
        (result, path, options)) or path)
    try:
        assert example_result.to_excel(tmp_path / "x.xlsx") == tmp_path / "x.xlsx"
    finally:
        register_writer("excel", previous)
    assert calls == [(example_result, tmp_path / "x.xlsx", {"simulation": None})]
    from fleetcalc.reports.html import write_html

    assert writer("html") is write_html
