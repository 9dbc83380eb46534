"""The report's and workbook's financial and economic views (issue 14 item 5) and
fleet-renewal plan (issue 16 items 4 and 6): figures equal to their sources
(`perspectives`, `PlanResult.to_dict()`), read back from the HTML, from the page in
headless Chromium and from the workbook (openpyxl)."""

from __future__ import annotations

import contextlib
import io
import json
import math
import warnings
from html.parser import HTMLParser

import attrs
import pytest

import fleetcalc
from fleetcalc.evaluate import perspectives
from fleetcalc.planning import PlanError
from fleetcalc.planning import plan as solve_plan
from fleetcalc.reports.html import render_html
from fleetcalc.reports.perspectives import LINES, perspective_lines
from fleetcalc.reports.report import write_report
from fleetcalc.reports.workbook_sheets import PLAN_TABLE_ROW

from .report_helpers import EXAMPLE, Chromium, assert_varied_png, extended_result
from .test_plan import small_tender


class _Cells(HTMLParser):
    """Elements with ``data-json`` or ``data-key`` (their attributes), and section ids."""

    def __init__(self):
        super().__init__()
        self.cells = []
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if "data-json" in attrs:
            self.cells.append(attrs)


def _cells(text):
    parser = _Cells()
    parser.feed(text)
    return parser


def _small_plan_tender():
    """Two types and one class whose cheap rebuild the plan takes (about 1 s of HiGHS)."""
    return small_tender(
        horizon=4, demand=(3, 3, 4, 4), plan_table="max_units_per_year = 2\nbudget = 40000\n",
        bids=[dict(bidder="A", price=30000.0, quantity=2, delivery=[1, 1], mtbf=1500.0,
                   maint=0.02),
              dict(bidder="B", price=25000.0, quantity=2, delivery=[2], mtbf=900.0,
                   maint=0.03)],
        cohort=dict(units=4, maint=0.05, mtbf=1500.0, life=5, year_built=2023,
                    rebuild=dict(cost=10.0, life_extension_years=5, restoration=1.0)))


@pytest.fixture(scope="module")
def small():
    tender = _small_plan_tender()
    return tender, fleetcalc.evaluate(tender), solve_plan(tender)


@pytest.fixture(scope="module")
def example_lines(example_tender):
    return perspective_lines(example_tender)


# --- the financial and economic views ------------------------------------------------


def test_views_equal_perspectives_and_the_lines_add_up(example_tender, example_lines):
    table = example_lines.table
    oracle = perspectives(example_tender)
    for column in ("financial_cost", "economic_cost", "pv_emissions", "co2_tonnes"):
        assert table[column].tolist() == oracle[column].tolist()
    for column in ("financial_rank", "economic_rank"):
        assert table[column].fillna(0).tolist() == oracle[column].fillna(0).tolist()
    difference = table["economic_cost"] - table["financial_cost"]
    assert ((table[list(LINES)].sum(axis=1) - difference).abs() < 1e-6 * difference.abs()
            ).all()
    assert (table["other"] == 0).all()


def test_each_line_is_the_convention_it_names(example_tender, example_lines):
    """Fuel taxes: the financial energy PV (the bid's units and the existing units it
    keeps running) with the levy taken off the diesel price;
    externalities: the economic PV of emissions (the financial view prices none)."""
    settings = example_tender.tender
    taxes = settings.prices.diesel_taxes_per_litre
    assert settings.prices.diesel_per_litre.currency == taxes.currency
    untaxed = attrs.evolve(settings.prices, diesel_per_litre=attrs.evolve(
        settings.prices.diesel_per_litre,
        amount=settings.prices.diesel_per_litre.amount - taxes.amount))
    with _quiet():
        fuel = ["energy", "existing_fleet"]
        before = fleetcalc.evaluate(example_tender).pv_by_category[fuel].sum(axis=1)
        after = fleetcalc.evaluate(attrs.evolve(example_tender, tender=attrs.evolve(
            settings, prices=untaxed))).pv_by_category[fuel].sum(axis=1)
    table = example_lines.table
    assert (table["fuel_taxes"] - (after - before).reindex(table.index)).abs().max() < 1e-3
    assert (table["fuel_taxes"] < 0).all()
    assert not settings.evaluation.include_externalities
    assert (table["externalities"] - table["pv_emissions"]).abs().max() < 1e-6
    assert (table["shadow_exchange_rate"] > 0).all()  # SERF 1.1 on the USD flows


@contextlib.contextmanager
def _quiet():
    """The example's evaluation warnings, tested elsewhere, silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _values(cells, key):
    return {c["data-bidder"]: c["data-value"] for c in cells
            if c.get("data-json") == f"perspectives.{key}"}


def test_section_figures_equal_the_views_and_name_the_award_view(example_result,
                                                                  example_lines):
    text = render_html(example_result, perspectives=example_lines)
    parsed = _cells(text)
    assert "perspectives" in parsed.ids
    records = {r["bidder"]: r for r in example_lines.to_records()}
    for key in ["financial_lcc_npv", "financial_cost", "economic_lcc_npv", "economic_cost",
                "fuel_taxes", "duties", "shadow_exchange_rate", "externalities"]:
        shown = _values(parsed.cells, key)
        assert set(shown) == set(records)
        for bidder, value in shown.items():
            assert float(value) == records[bidder][key]
    for key in ("financial_rank", "economic_rank"):
        shown = _values(parsed.cells, key)
        assert {b: (int(v) if v else None) for b, v in shown.items()} == {
            b: r[key] for b, r in records.items()}
    assert 'data-perspective="financial"' in text
    assert "The tender's own perspective is the <strong>financial</strong>" in text
    assert "ADB, Guidelines for the Economic Analysis of Projects, 2017" in text
    assert "2014/24 art. 68(1)(b)" in text
    # the ranking table and this section agree on the award view's costs
    for bidder, value in _values(parsed.cells, "financial_cost").items():
        assert float(value) == float(example_result.ranking.loc[bidder, "evaluated_cost"])


def test_an_economic_tender_awards_on_the_economic_view(example_tender):
    tender = attrs.evolve(example_tender, tender=attrs.evolve(example_tender.tender,
                                                               perspective="economic"))
    with _quiet():
        result = fleetcalc.evaluate(tender)
    text = render_html(result)
    assert 'data-perspective="economic"' in text
    shown = _values(_cells(text).cells, "economic_cost")
    for bidder, value in shown.items():
        assert float(value) == float(result.ranking.loc[bidder, "evaluated_cost"])


def test_no_views_when_they_contradict_the_ranking_or_are_declined(example_result):
    assert 'id="perspectives"' not in render_html(extended_result(example_result))
    assert 'id="perspectives"' not in render_html(example_result, perspectives=False)


# --- the renewal plan ----------------------------------------------------------------


def _plan_cells(text):
    """``{json path: value}`` of the plan section's ``data-json`` cells."""
    out = {}
    for cell in _cells(text).cells:
        path = cell["data-json"]
        if not path.startswith("plan"):
            continue
        if "data-key" in cell:
            path = f"{path}.{cell['data-key']}"
        out[path] = cell["data-value"]
    return out


def _assert_section_equals_json(text, result):
    data = result.to_dict()["plan"]
    cells = _plan_cells(text)
    assert float(cells["plan.npv"]) == data["npv"]
    assert float(cells["plan.as_filed.npv"]) == data["as_filed"]["npv"]
    assert cells["plan.as_filed.feasible"] == ("true" if data["as_filed"]["feasible"]
                                                else "false")
    gap = data["optimality_gap"]
    assert (cells["plan.optimality_gap"] == "") if gap is None else (
        float(cells["plan.optimality_gap"]) == gap)
    for i, year in enumerate(data["years"]):
        prefix = f"plan.years.{i}"
        for key in ("units_in_service",):
            assert int(cells[f"{prefix}.{key}"]) == year[key]
        for key in ("p_meet_demand", "capital_spent", "budget"):
            shown = cells.get(f"{prefix}.{key}")
            if year[key] is None:
                assert not shown
            else:
                assert float(shown) == year[key]
        for kind in ("bought", "rebuilt", "retired"):
            shown = {k.split(".", 4)[-1]: int(v) for k, v in cells.items()
                     if k.startswith(f"{prefix}.{kind}.")}
            assert {k: v for k, v in shown.items() if v} == year[kind]
    gain = result.gain
    assert math.isclose(gain, data["as_filed"]["npv"] - data["npv"], rel_tol=1e-12)


def test_plan_section_equals_the_json_of_fleetcalc_plan(small):
    _tender, result, planned = small
    text = render_html(result, plan=planned)
    assert 'id="renewal-plan"' in text and 'id="chart-renewal-plan"' in text
    assert planned.rebuilt.to_numpy().sum() > 0  # the rebuild column is exercised
    _assert_section_equals_json(text, planned)
    assert "<th class=\"num\">old</th>" in text   # the rebuilt cohort's column
    assert 'id="plan-gain"' in text


def test_plan_section_says_why_there_is_no_plan(small):
    _tender, result, _ = small
    text = render_html(result, plan=PlanError("no plan meets the confidence of 0.9"))
    assert 'id="plan-error"' in text and "no plan meets the confidence of 0.9" in text
    assert 'id="renewal-plan"' not in render_html(result)


def _sheet_rows(path, title):
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    return workbook, list(workbook[title].iter_rows(values_only=True))


def _stored(value):
    """A float as an .xlsx cell stores it (openpyxl writes 16 significant digits)."""
    return None if value is None else pytest.approx(value, rel=1e-15, abs=1e-300)


def test_workbook_sheets_equal_the_plan_json_and_the_views(small, tmp_path):
    tender, result, planned = small
    lines = perspective_lines(tender)
    paths = write_report(result, tmp_path, plan=planned, perspectives=lines)
    workbook, rows = _sheet_rows(paths["workbook"], "Renewal plan")
    assert workbook.sheetnames.index("Renewal plan") < workbook.sheetnames.index("Inputs")
    data = planned.to_dict()["plan"]
    summary = {r[0]: r[2] for r in rows[:PLAN_TABLE_ROW - 2]}
    assert summary["Plan NPV"] == _stored(data["npv"])
    assert summary["Optimality gap"] == _stored(data["optimality_gap"])
    assert summary["Confidence"] == data["confidence"]
    assert summary["As filed: NPV"] == _stored(data["as_filed"]["npv"])
    assert summary["As filed: feasible"] == ("yes" if data["as_filed"]["feasible"] else "no")
    header = rows[PLAN_TABLE_ROW - 1]
    body = rows[PLAN_TABLE_ROW:]
    assert len(body) == len(data["years"])
    for row, year in zip(body, data["years"]):
        cell = dict(zip(header, row))
        assert cell["year"] == year["year"] and cell["calendar_year"] == year["calendar_year"]
        for kind in ("bought", "rebuilt", "retired"):
            units = {k.split(": ", 1)[1]: v for k, v in cell.items()
                     if k.startswith(f"{kind}: ") and v}
            assert units == year[kind]
        assert cell["units_in_service"] == year["units_in_service"]
        assert cell["p_meet_demand"] == _stored(year["p_meet_demand"])
        assert cell["capital_spent [USD]"] == _stored(year["capital_spent"])
        assert cell["budget [USD]"] == _stored(year["budget"])
    _, rows = _sheet_rows(paths["workbook"], "Perspectives")
    header = rows[0]
    records = lines.to_records()
    for row, record in zip(rows[1:], records):
        cell = dict(zip(header, row))
        assert cell["Bidder"] == record["bidder"]
        assert cell["Evaluated cost, financial [USD]"] == _stored(record["financial_cost"])
        assert cell["Evaluated cost, economic [USD]"] == _stored(record["economic_cost"])
        assert cell["Rank, financial"] == (record["financial_rank"] or "not ranked")
        for key, label in LINES.items():
            assert cell[f"{label} [USD]"] == _stored(record[key])
    assert (tmp_path / "charts" / "renewal_plan.png").is_file()


def test_report_command_includes_the_plan_unless_told_not_to(small, tmp_path):
    from fleetcalc.cli import main

    tender, _, planned = small
    source = tmp_path / "t.toml"
    source.write_text(fleetcalc.dumps_tender(tender), encoding="utf-8")
    err = io.StringIO()
    assert main(["report", str(source), "-o", str(tmp_path / "with")], stdout=io.StringIO(),
                stderr=err) == 0
    assert "--no-plan" in err.getvalue()
    text = (tmp_path / "with" / "report.html").read_text(encoding="utf-8")
    out = io.StringIO()
    assert main(["plan", str(source), "--format", "json"], stdout=out,
                stderr=io.StringIO()) == 0
    data = json.loads(out.getvalue())["plan"]
    cells = _plan_cells(text)
    assert float(cells["plan.npv"]) == pytest.approx(data["npv"], rel=1e-9)
    assert (tmp_path / "with" / "charts" / "renewal_plan.png").is_file()
    err = io.StringIO()
    assert main(["report", str(source), "-o", str(tmp_path / "without"), "--no-plan"],
                stdout=io.StringIO(), stderr=err) == 0
    assert "renewal plan" not in err.getvalue()
    assert 'id="renewal-plan"' not in (tmp_path / "without" / "report.html").read_text(
        encoding="utf-8")
    assert not (tmp_path / "without" / "charts" / "renewal_plan.png").exists()


# --- the example in headless Chromium ------------------------------------------------


@pytest.fixture(scope="module")
def example_report(tmp_path_factory):
    """``fleetcalc report`` of the example (its [plan] solved once per session)."""
    from fleetcalc.cli import main

    folder = tmp_path_factory.mktemp("report1416")
    err = io.StringIO()
    assert main(["report", str(EXAMPLE), "-o", str(folder)], stdout=io.StringIO(),
                stderr=err) == 0, err.getvalue()
    with _quiet():
        planned = fleetcalc.planning.plan(fleetcalc.load_tender(EXAMPLE))
    return folder, planned


def test_example_report_shows_the_plan_and_its_gain(example_report):
    folder, planned = example_report
    text = (folder / "report.html").read_text(encoding="utf-8")
    _assert_section_equals_json(text, planned)
    best = planned.as_filed_best
    if best["feasible"]:
        # The tender as filed is one of the candidate plans (issue 16 item 5).
        assert planned.gain >= -planned.optimality_gap * abs(planned.npv)
        assert "Gain of the plan" in text
    else:
        # Nothing as filed meets the confidence: the card names the plan's extra cost.
        assert planned.gain < 0 or "Gain of the plan" in text
        if planned.gain < 0:
            assert "Cost of meeting the confidence" in text


def test_example_sections_in_chromium(example_report, tmp_path):
    folder, planned = example_report
    with Chromium(tmp_path) as browser:
        browser.load(folder / "report.html")
        assert browser.console_problems() == []
        shown = browser.evaluate(
            "({npv: document.querySelector('#plan-npv').dataset.value,"
            " gain: document.querySelector('#plan-gain').dataset.value,"
            " years: document.querySelectorAll('#plan-table tbody tr').length,"
            " chart: (i => i.complete && i.naturalWidth)("
            "document.querySelector('#chart-renewal-plan img')),"
            " views: document.querySelectorAll('#perspectives-table tbody tr').length,"
            " award: document.querySelector('#perspective-of-award').dataset.perspective,"
            " planTop: document.querySelector('#renewal-plan').getBoundingClientRect().top,"
            " planWidth: document.querySelector('#plan-table').scrollWidth,"
            " wrapWidth: document.querySelector('#plan-table').parentElement.clientWidth})")
        assert float(shown["npv"]) == planned.npv
        assert float(shown["gain"]) == pytest.approx(planned.gain, rel=1e-12)
        assert shown["years"] == len(planned.years)
        assert shown["chart"] > 500
        assert shown["views"] >= 9 and shown["award"] == "financial"
        assert shown["planWidth"] <= shown["wrapWidth"] + 1   # the year table fits the page
        browser.evaluate("document.querySelector('#renewal-plan').scrollIntoView()")
        image = browser.screenshot(full_page=False)
    assert_varied_png(image, min_bytes=20_000, min_colours=64)


def test_tender_text_in_the_new_sheets_is_never_a_formula(tmp_path):
    """Bidder names that look like formulas stay text on the Perspectives sheet."""
    import openpyxl

    from fleetcalc.reports.excel import write_workbook
    from fleetcalc.reports.workbook_sheets import perspectives_sheet

    from .report_helpers import INJECTION, injected_result

    with _quiet():
        result = injected_result()
    path = write_workbook(result, tmp_path / "w.xlsx",
                          sheets=[perspectives_sheet(perspective_lines(result.tender))])
    sheet = openpyxl.load_workbook(path)["Perspectives"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == INJECTION]
    assert cells and all(c.data_type == "s" for c in cells)
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
