"""The Excel workbook: read back with openpyxl, recalculated by LibreOffice.

openpyxl stores formulas without results, so the numbers of the formulas are
checked after a headless LibreOffice has recalculated the workbook (see
``report_helpers.recalculate_with_libreoffice``). These tests fail under CI
when LibreOffice is missing and are skipped elsewhere.
"""

from __future__ import annotations

import math
import warnings
import zipfile
from xml.sax.saxutils import escape

import attrs
import numpy as np
import openpyxl
import pytest

import fleetcalc
from fleetcalc.reports.excel import write_workbook
from tests.report_helpers import EXAMPLE

from .report_helpers import (
    INJECTION,
    bare_result,
    extended_result,
    injected_result,
    rank_or_none,
    recalculate_with_libreoffice,
)

CENT = 0.005


@pytest.fixture(scope="module")
def result():
    """The example without issue 14's money rules (deflated fixed prices, exchange-rate
    paths, delivery terms, externalities): the formula model of the workbook mirrors the
    ledger without them; with them those columns are marked values
    (``test_the_full_example_recalculates_to_the_cent``)."""
    from .test_money import old_convention

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fleetcalc.evaluate(old_convention(fleetcalc.load_tender(EXAMPLE)))


@pytest.fixture(scope="module")
def workbook_path(result, tmp_path_factory):
    return write_workbook(result, tmp_path_factory.mktemp("xlsx") / "evaluation.xlsx")


@pytest.fixture(scope="module")
def recalculated(workbook_path, tmp_path_factory):
    """The workbook recalculated by LibreOffice, values only."""
    path = recalculate_with_libreoffice(workbook_path, tmp_path_factory.mktemp("lo"))
    return openpyxl.load_workbook(path, data_only=True)


def _rows(ws):
    """Data rows of a sheet's table (header in row 1) as dicts, until a blank row."""
    header = [c.value for c in ws[1]]
    rows = []
    for values in ws.iter_rows(min_row=2, values_only=True):
        if values[0] is None:
            break
        rows.append(dict(zip(header, values)))
    return rows


def _rate_cell(wb):
    name = wb.defined_names["discount_rate"]
    ((sheet, reference),) = list(name.destinations)
    return wb[sheet][reference.replace("$", "")]


class TestReadBack:
    def test_sheets(self, workbook_path):
        wb = openpyxl.load_workbook(workbook_path)
        assert wb.sheetnames[:2] == ["Summary", "Cash flows"]
        assert wb.sheetnames[-1] == "Assumptions"

    def test_summary_matches_the_json(self, workbook_path, result):
        wb = openpyxl.load_workbook(workbook_path)
        rows = _rows(wb["Summary"])
        bids = result.to_dict()["bids"]
        assert [r["Bidder"] for r in rows] == [b["bidder"] for b in bids]
        assert [r["Model"] for r in rows] == [b["model"] for b in bids]
        numbers = {bid.bidder: i for i, bid in enumerate(result.tender.bids, start=1)}
        assert [r["Bid no."] for r in rows] == [numbers[b["bidder"]] for b in bids]

    def test_cash_flows_match_the_json(self, workbook_path, result):
        wb = openpyxl.load_workbook(workbook_path)
        ws = wb["Cash flows"]
        flows = result.to_dict()["cash_flows"]
        assert ws.max_row == len(flows) + 1
        for r, flow in enumerate(flows, start=2):
            assert ws.cell(r, 1).value == flow["bidder"]
            assert ws.cell(r, 2).value == flow["year"]
            assert ws.cell(r, 3).value == flow["calendar_year"]
            assert ws.cell(r, 4).value == flow["category"]
            # the amount refers to the Calculation sheet's formulas (values: recalculated)
            assert ws.cell(r, 5).data_type == "f"
            assert ws.cell(r, 5).value.startswith("=Calculation!$")

    def test_formulas_are_formulas(self, workbook_path):
        wb = openpyxl.load_workbook(workbook_path)
        flows = wb["Cash flows"]
        assert flows["F2"].value == "=1/(1+discount_rate)^B2"
        assert flows["G2"].value == "=E2*F2"
        assert flows["F2"].data_type == flows["G2"].data_type == "f"
        summary = wb["Summary"]
        assert summary["F2"].value == "=SUMIFS('Cash flows'!$G:$G,'Cash flows'!$H:$H,$C2)"
        assert summary["D2"].value.startswith("=RANK(")
        assert summary["E2"].value.startswith("=F2")  # LCC NPV (+ adjustments)

    def test_without_adjustments_evaluated_cost_is_the_npv(self, tmp_path):
        wb = openpyxl.load_workbook(write_workbook(bare_result(), tmp_path / "bare.xlsx"))
        assert wb["Summary"]["E2"].value == "=F2"

    def test_discount_rate_is_one_named_cell(self, workbook_path, result):
        wb = openpyxl.load_workbook(workbook_path)
        cell = _rate_cell(wb)
        assert cell.parent.title == "Inputs"  # the live inputs; Assumptions lists the file
        assert cell.value == result.tender.tender.discount_rate
        assert "horizon_years" in wb.defined_names

    def test_formats_panes_and_widths(self, workbook_path):
        wb = openpyxl.load_workbook(workbook_path)
        flows = wb["Cash flows"]
        assert flows["E2"].number_format == "#,##0.00"
        assert flows["G2"].number_format == "#,##0.00"
        assert wb["Summary"]["F2"].number_format == "#,##0.00"
        for name in ("Summary", "Cash flows", "Assumptions"):
            assert wb[name].freeze_panes in {"A2", "B2"}
            assert wb[name].column_dimensions["A"].width >= 8
        assert wb.calculation.fullCalcOnLoad

    def test_assumptions_list_every_input(self, workbook_path, result):
        wb = openpyxl.load_workbook(workbook_path)
        rows = [r for r in wb["Assumptions"].iter_rows(min_row=2, values_only=True) if r[1]]
        found = {(r[0], r[1]): (r[2], r[3]) for r in rows}
        settings = result.tender.tender
        assert found[("Tender settings", "horizon_years")] == (settings.horizon_years, "year")
        assert found[("Tender settings: exchange_rates", "PKR")] == (
            settings.exchange_rates["PKR"], "USD per PKR")
        assert found[("Tender settings: prices", "diesel_per_litre")][1] == "PKR/L"
        for i, bid in enumerate(result.tender.bids, start=1):
            assert found[(f"Bid {i}", "bidder")][0] == bid.bidder
            assert found[(f"Bid {i}", "quantity")] == (bid.quantity, "units")
            assert found[(f"Bid {i}", "delivery")][0] == ", ".join(map(str, bid.delivery))

    def test_rates_and_shares_keep_their_digits(self, workbook_path, result):
        """A share cell's percentage format shows the value exactly (0.001 is 0.1%, not
        0.00%); the recommendation sentence too."""
        wb = openpyxl.load_workbook(workbook_path)
        checked = 0
        for row in wb["Assumptions"].iter_rows(min_row=2):
            section, parameter, value, unit = (c.value for c in row[:4])
            if not unit or not (unit == "-" or unit.startswith("-/")) \
                    or not isinstance(value, float):
                continue
            fmt = row[2].number_format
            assert fmt.endswith("%"), (parameter, fmt)
            decimals = len(fmt.split(".", 1)[1]) - 1 if "." in fmt else 0
            assert round(value * 100, decimals) == pytest.approx(value * 100, abs=1e-9), (
                section, parameter, value, fmt)
            checked += 1
        assert checked > 40
        rows = {(r[0].value, r[1].value): r for r in wb["Assumptions"].iter_rows(min_row=2)
                if r[1].value}
        cell = rows[("Tender settings: evaluation", "delivery_adjustment_per_week")][2]
        assert (cell.value, cell.number_format) == (0.001, "0.0%")
        sentence = next(c.value for c in wb["Summary"]["B"] if str(c.value).startswith(
            "Recommendation"))
        assert "discount rate of 8% over" in sentence

    def test_optional_sheets_only_when_present(self, tmp_path, result):
        wb = openpyxl.load_workbook(write_workbook(bare_result(result), tmp_path / "a.xlsx"))
        assert wb.sheetnames == ["Summary", "Cash flows", "Inputs", "Calculation", "Assumptions"]
        wb = openpyxl.load_workbook(write_workbook(extended_result(result), tmp_path / "b.xlsx"))
        for name in ("Adjustments", "Financing schedules", "Fleet projection",
                     "Fleet vs demand", "Simulation summary", "Tornado"):
            assert name in wb.sheetnames
        summary = _rows(wb["Summary"])
        assert all(0 <= r["Availability [-]"] <= 1 for r in summary)


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    """Workbook of a tender whose bidder, model and notes look like formulas."""
    return write_workbook(injected_result(), tmp_path_factory.mktemp("inj") / "i.xlsx")


class TestFormulaInjection:
    def test_bidder_is_text(self, path):
        wb = openpyxl.load_workbook(path)
        for sheet in ("Summary", "Cash flows", "Assumptions"):
            cells = [c for row in wb[sheet].iter_rows() for c in row if c.value == INJECTION]
            assert cells, sheet
            assert all(c.data_type == "s" for c in cells)

    def test_no_tender_text_became_a_formula(self, path):
        with zipfile.ZipFile(path) as archive:
            xml = "".join(archive.read(n).decode() for n in archive.namelist()
                          if n.startswith("xl/worksheets/"))
        assert f"<t>{escape(INJECTION)}</t>" in xml  # an inline string, not <f>
        for formula in xml.split("<f>")[1:]:
            body = formula.split("</f>", 1)[0]
            assert "HYPERLINK" not in body and "cmd|" not in body and "SUM(1+1)" not in body

    def test_other_leading_characters(self, path):
        wb = openpyxl.load_workbook(path)
        values = {c.value: c.data_type for row in wb["Summary"].iter_rows() for c in row}
        assert values["-2+3"] == "s"
        assert values["+cmd|' /C calc'!A0"] == "s"
        assert values["\tTabbed model"] == "s"

    def test_libreoffice_keeps_the_text(self, path, tmp_path):
        wb = openpyxl.load_workbook(recalculate_with_libreoffice(path, tmp_path), data_only=True)
        names = [row[0] for row in wb["Summary"].iter_rows(min_row=2, max_row=4,
                                                           values_only=True)]
        assert INJECTION in names and "-2+3" in names


class TestLibreOfficeRecalculation:
    def test_present_values_to_the_cent(self, recalculated, result):
        ws = recalculated["Cash flows"]
        flows = result.to_dict()["cash_flows"]
        rate = result.tender.tender.discount_rate
        for r, flow in enumerate(flows, start=2):
            assert abs(ws.cell(r, 5).value - flow["amount"]) < CENT
            assert ws.cell(r, 6).value == pytest.approx((1 + rate) ** -flow["year"], rel=1e-12)
            assert abs(ws.cell(r, 7).value - flow["present_value"]) < CENT

    def test_npv_per_bid_to_the_cent(self, recalculated, result):
        rows = {r["Bidder"]: r for r in _rows(recalculated["Summary"])}
        currency = result.tender.tender.base_currency
        for bid in result.to_dict()["bids"]:
            row = rows[bid["bidder"]]
            assert abs(row[f"LCC NPV [{currency}]"] - bid["lcc_npv"]) < CENT
            assert abs(row[f"Evaluated cost [{currency}]"] - bid["evaluated_cost"]) < CENT
            assert rank_or_none(row["Rank"]) == bid["rank"]
            assert abs(row[f"Equivalent annual cost [{currency}/year]"]
                       - bid["equivalent_annual_cost"]) < CENT
            for category, value in bid["pv_by_category"].items():
                label = f"PV {category.replace('_', ' ')} [{currency}]"
                assert abs(row[label] - value) < CENT, category

    def test_changing_the_discount_rate_moves_the_npv(self, workbook_path, result, tmp_path):
        wb = openpyxl.load_workbook(workbook_path)
        new_rate = 0.10
        _rate_cell(wb).value = new_rate
        modified = tmp_path / "rate_010.xlsx"
        wb.save(modified)
        recalculated = openpyxl.load_workbook(recalculate_with_libreoffice(modified, tmp_path),
                                              data_only=True)
        tender = result.tender
        expected = fleetcalc.evaluate(
            attrs.evolve(tender, tender=attrs.evolve(tender.tender, discount_rate=new_rate)))
        currency = tender.tender.base_currency
        rows = {r["Bidder"]: r for r in _rows(recalculated["Summary"])}
        for bid in expected.to_dict()["bids"]:
            npv = rows[bid["bidder"]][f"LCC NPV [{currency}]"]
            assert abs(npv - bid["lcc_npv"]) < CENT
            assert rank_or_none(rows[bid["bidder"]]["Rank"]) == bid["rank"]
            assert not math.isclose(npv, result.ranking.loc[bid["bidder"], "lcc_npv"])

    def test_adjusted_evaluated_cost_is_live(self, result, tmp_path):
        extended = extended_result(result)
        path = write_workbook(extended, tmp_path / "ext.xlsx")
        assert openpyxl.load_workbook(path)["Summary"]["E2"].value.startswith("=F2+SUMIFS(")
        wb = openpyxl.load_workbook(recalculate_with_libreoffice(path, tmp_path), data_only=True)
        currency = extended.tender.tender.base_currency
        for row in _rows(wb["Summary"]):
            expected = extended.ranking.loc[row["Bidder"], "evaluated_cost"]
            assert abs(row[f"Evaluated cost [{currency}]"] - expected) < CENT


class TestCostsThatAreNotFinite:
    """An overflowed cost is written as +∞ and explained, never ranked or summed away."""

    def test_shown_explained_and_not_ranked(self, result, tmp_path):
        from .report_helpers import overflowed_result

        broken = overflowed_result(result)
        bidder = broken.ranking.index[0]  # ranked 1 by the broken ranking
        wb = openpyxl.load_workbook(write_workbook(broken, tmp_path / "b.xlsx"))
        rows = _rows(wb["Summary"])
        assert rows[0]["Bidder"] != bidder and rows[-1]["Bidder"] == bidder
        last = rows[-1]
        assert last["Rank"] == "not ranked: cost not finite"
        assert last["Evaluated cost [USD]"] == "+\u221e" and last["LCC NPV [USD]"] == "+\u221e"
        texts = [c.value for c in wb["Summary"]["A"] if isinstance(c.value, str)]
        assert any(t.startswith(f"Warning: the evaluated cost of {bidder} is not a finite")
                   for t in texts)
        sentence = next(c.value for c in wb["Summary"]["B"]
                        if str(c.value).startswith("Recommendation"))
        assert bidder not in sentence

    def test_no_recommendation_when_no_cost_is_finite(self, result, tmp_path):
        from .report_helpers import overflowed_result

        broken = overflowed_result(result, bidders=list(result.ranking.index))
        wb = openpyxl.load_workbook(write_workbook(broken, tmp_path / "b.xlsx"))
        assert {r["Rank"] for r in _rows(wb["Summary"])} == {"not ranked: cost not finite"}
        assert any(str(c.value).startswith("No recommendation") for c in wb["Summary"]["B"])
        formulas = [c.value for row in wb["Summary"].iter_rows() for c in row
                    if c.data_type == "f"]
        assert not any("RANK(" in f or "MATCH(" in f for f in formulas)


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    """Workbook of a tender with formula-like text in every text key."""
    from .report_helpers import injected_everywhere_result

    return write_workbook(injected_everywhere_result(), tmp_path_factory.mktemp("inj2") / "i.xlsx")


class TestEveryTextCell:
    """Every text of the tender file is a text cell on every sheet, never a formula."""

    def test_on_every_sheet_as_text(self, injected):
        wb = openpyxl.load_workbook(injected)
        found = {}
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and "INJ" in cell.value:
                        found.setdefault(ws.title, []).append(cell)
                        assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                        if cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                            assert cell.quotePrefix, (ws.title, cell.coordinate)
        # the tender's text reaches every sheet that shows tender text
        assert set(found) >= {"Summary", "Cash flows", "Adjustments", "Financing schedules",
                              "Fleet projection", "Fleet vs demand", "Simulation summary",
                              "Tornado", "Inputs", "Calculation", "Assumptions"}, set(found)
        cohorts = {c.value for c in found["Fleet projection"]}
        assert any(v.startswith(("@SUM", "=")) for v in cohorts), cohorts

    def test_no_formula_holds_tender_text(self, injected):
        with zipfile.ZipFile(injected) as archive:
            xml = "".join(archive.read(n).decode() for n in archive.namelist()
                          if n.startswith("xl/worksheets/"))
        formulas = [f.split("</f>", 1)[0] for f in xml.split("<f>")[1:]]
        assert formulas  # the workbook's own formulas are there
        assert not [f for f in formulas if "INJ" in f]


class TestYears:
    """Every sheet's years are the JSON's: (year t, calendar year) pairs read from the
    result's frames, never recomputed by the workbook."""

    @pytest.mark.parametrize(("sheet", "key"), [
        ("Cash flows", "cash_flows"), ("Fleet projection", "fleet"),
        ("Fleet vs demand", "fleet_years"), ("Financing schedules", "financing")])
    def test_each_sheet_follows_the_json(self, workbook_path, result, sheet, key):
        wb = openpyxl.load_workbook(workbook_path)
        rows = _rows(wb[sheet])
        shown = {(r["Bidder"], r["Year t"], r["Calendar year"]) for r in rows}
        expected = {(r["bidder"], r["year"], r["calendar_year"]) for r in result.to_dict()[key]}
        assert shown == expected

    def test_the_json_convention_is_not_recomputed(self, result, tmp_path):
        """A result whose frames use another calendar-year convention is written as is."""
        from .report_helpers import ExtendedResult

        shifted = {name: getattr(result, name).assign(
            calendar_year=getattr(result, name)["calendar_year"] + 100)
            for name in ("cash_flows", "fleet", "fleet_years", "financing")}
        wb = openpyxl.load_workbook(write_workbook(ExtendedResult(result, **shifted),
                                                   tmp_path / "s.xlsx"))
        for sheet in ("Cash flows", "Fleet projection", "Fleet vs demand",
                      "Financing schedules"):
            years = {r["Calendar year"] for r in _rows(wb[sheet])}
            assert min(years) >= result.tender.tender.evaluation_year + 100, sheet


def test_without_demand_no_demand_columns(tmp_path):
    """A tender without [tender.demand]: no 'Demand 0' and no 'P(meet demand) 100 %'."""
    from .report_helpers import minimal_result

    wb = openpyxl.load_workbook(write_workbook(minimal_result(), tmp_path / "m.xlsx"))
    assert "Fleet vs demand" not in wb.sheetnames and "Fleet by year" in wb.sheetnames
    for ws in wb.worksheets:
        header = [c.value for c in ws[1]]
        assert not [h for h in header if h and ("demand" in h.lower() or "Shortfall [" in h)], (
            ws.title, header)
    notes = [c.value for c in wb["Summary"]["A"] if isinstance(c.value, str)]
    assert any("gives no demand" in n for n in notes)


def test_with_demand_the_demand_columns_stay(workbook_path):
    wb = openpyxl.load_workbook(workbook_path)
    assert "Demand [units]" in [c.value for c in wb["Fleet vs demand"][1]]
    assert "P(meet demand) [-]" in [c.value for c in wb["Summary"][1]]


# --- the live model: Inputs and Calculation sheets ---------------------------------------


def _named_cell(wb, name):
    """The cell of a defined name (a single cell)."""
    ((sheet, reference),) = list(wb.defined_names[name].destinations)
    return wb[sheet][reference.replace("$", "")]


def _recalculated_after(path, edits, tmp_path):
    """The workbook at ``path`` with ``{defined name: value}`` edited by openpyxl, then
    recalculated by LibreOffice (values only)."""
    wb = openpyxl.load_workbook(path)
    for name, value in edits.items():
        cell = _named_cell(wb, name)
        assert cell.parent.title == "Inputs", name
        cell.value = value
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    return openpyxl.load_workbook(recalculate_with_libreoffice(edited, tmp_path),
                                  data_only=True)


def _assert_summary_equals(wb, expected):
    """Evaluated cost and LCC NPV to the cent, and the rank, of every bid."""
    currency = expected.tender.tender.base_currency
    rows = {r["Bidder"]: r for r in _rows(wb["Summary"])}
    bids = expected.to_dict()["bids"]
    assert set(rows) == {b["bidder"] for b in bids}
    for bid in bids:
        row = rows[bid["bidder"]]
        assert abs(row[f"Evaluated cost [{currency}]"] - bid["evaluated_cost"]) < CENT, bid
        assert abs(row[f"LCC NPV [{currency}]"] - bid["lcc_npv"]) < CENT, bid
        assert rank_or_none(row["Rank"]) == bid["rank"], bid


def _ranks(result):
    return {b["bidder"]: b["rank"] for b in result.to_dict()["bids"]}


def _with_bid(tender, index, **changes):
    bids = list(tender.bids)
    bids[index] = attrs.evolve(bids[index], **changes)
    return attrs.evolve(tender, bids=tuple(bids))


def _edited_tenders(tender):
    """The edits of the tests below: Inputs edits and the edited tenders (for fleetcalc)."""
    diesel = tender.tender.prices.diesel_per_litre
    priced = tender.bids[2].evaluation.priced_adjustments[0]
    return {
        "diesel price": (
            {"diesel_price": 330.0},
            attrs.evolve(tender, tender=attrs.evolve(tender.tender, prices=attrs.evolve(
                tender.tender.prices, diesel_per_litre=attrs.evolve(diesel, amount=330.0))))),
        "unit price": (
            # issue 13's example: Wabtec ranks second by USD 20 m; 3.5 m a unit moves it
            {"bid_1_unit_price": 3_500_000},
            _with_bid(tender, 0, unit_price=3_500_000)),
        "adjustment amount": (
            {"bid_3_priced_1": 200_000_000},   # CNY: CRRC then ranks second
            _with_bid(tender, 2, evaluation=attrs.evolve(
                tender.bids[2].evaluation,
                priced_adjustments=(attrs.evolve(priced, amount=200_000_000),)))),
        "arithmetic correction": (
            {"bid_2_correction": -2_500_000},
            _with_bid(tender, 1, evaluation=attrs.evolve(tender.bids[1].evaluation,
                                                         arithmetic_correction=-2_500_000))),
        "discount rate": (
            {"discount_rate": 0.05},
            attrs.evolve(tender, tender=attrs.evolve(tender.tender, discount_rate=0.05))),
    }


class TestLiveInputs:
    """The Inputs sheet drives the ledger, the adjustments, the evaluated cost and the rank:
    an edit there, recalculated by LibreOffice, gives fleetcalc's evaluation of the
    correspondingly edited tender, to the cent."""

    def test_recalculated_costs_and_ranks_equal_fleetcalc(self, recalculated, result):
        _assert_summary_equals(recalculated, result)
        rows = {r["Bidder"]: r for r in _rows(recalculated["Adjustments"])}
        assert rows  # every adjustment line, formula or marked value, to the cent
        for r, line in enumerate(result.adjustments.to_dict("records"), start=2):
            assert abs(recalculated["Adjustments"].cell(r, 3).value - line["amount"]) < CENT

    @pytest.mark.parametrize("edit", ["diesel price", "unit price", "adjustment amount",
                                      "arithmetic correction", "discount rate"])
    def test_an_edit_of_the_inputs_equals_fleetcalc(self, edit, workbook_path, result,
                                                    tmp_path):
        edits, tender = _edited_tenders(result.tender)[edit]
        expected = fleetcalc.evaluate(tender)
        wb = _recalculated_after(workbook_path, edits, tmp_path)
        _assert_summary_equals(wb, expected)
        # the edit matters: some evaluated cost moved by more than a cent
        moved = [abs(a - b) for a, b in zip(expected.ranking["evaluated_cost"],
                                            result.ranking.loc[expected.ranking.index,
                                                               "evaluated_cost"])]
        assert max(moved) > 1.0

    def test_the_unit_price_and_the_adjustment_move_the_ranking(self, result):
        """The edits chosen above change the ranks, so that the rank formulas are tested."""
        edited = _edited_tenders(result.tender)
        assert _ranks(fleetcalc.evaluate(edited["unit price"][1])) != _ranks(result)
        assert _ranks(fleetcalc.evaluate(edited["adjustment amount"][1])) != _ranks(result)

    @pytest.mark.parametrize("edit", ["diesel price", "unit price", "adjustment amount",
                                      "arithmetic correction", "discount rate"])
    def test_marked_values_do_not_depend_on_the_edited_inputs(self, edit, result):
        """What holds: the marked (undiscounted) figures of the Calculation sheet are the
        same for the edited tender, so the workbook's formulas carry every change."""
        from fleetcalc.adjustments import damage_schedules
        from fleetcalc.evaluate import tender_arrays

        before = tender_arrays(result.tender)
        after = tender_arrays(_edited_tenders(result.tender)[edit][1])
        for name in ("maintenance_units", "shortfall_unit_days", "payment_shares",
                     "financing_shares"):
            assert np.array_equal(getattr(before, name), getattr(after, name)), name
        assert np.array_equal(damage_schedules(result.tender, before)[0],
                              damage_schedules(result.tender, after)[0])


class TestModelSheets:
    def test_inputs_are_named_cells(self, workbook_path, result):
        from fleetcalc.evaluate import tender_arrays

        wb = openpyxl.load_workbook(workbook_path)
        tender = result.tender
        ledger_delivery = tender_arrays(tender).delivery  # as the ledger takes the units
        assert _named_cell(wb, "diesel_price").value == tender.tender.prices.diesel_per_litre \
            .amount
        assert _named_cell(wb, "annual_km").value == tender.tender.annual_km
        for i, bid in enumerate(tender.bids, start=1):
            assert _named_cell(wb, f"bid_{i}_unit_price").value == bid.unit_price
            assert _named_cell(wb, f"bid_{i}_quantity").value == bid.quantity
            assert _named_cell(wb, f"bid_{i}_life").value == bid.service_life_years
            ((sheet, reference),) = list(wb.defined_names[f"bid_{i}_delivery"].destinations)
            cells = [c.value for row in wb[sheet][reference.replace("$", "")] for c in row]
            assert cells == ledger_delivery[i - 1].tolist()

    def test_calculation_columns_are_formulas_or_marked(self, workbook_path):
        from fleetcalc.reports.excel_model import MARKED_FILL

        wb = openpyxl.load_workbook(workbook_path)
        ws = wb["Calculation"]
        header_row = next(c.row for c in ws["C"] if c.value == "Calendar year")
        header = [c.value for c in ws[header_row]]
        sources = [c.value for c in ws[header_row + 1]]
        row = ws[header_row + 2]
        for label, source, cell in zip(header, sources, row):
            if label in ("Bidder", "Year t"):
                continue
            assert source, label  # each block says which library function it mirrors
            if cell.data_type == "n":  # a marked value: said so, and filled
                assert "marked value" in label, label
                assert cell.fill.fgColor.rgb.endswith(MARKED_FILL), label
            else:
                assert cell.data_type == "f", label
        notes = " ".join(str(c.value) for c in ws["A"][:4] if c.value)
        for source in ("fleet.maintenance_age_factor", "financing.financing_schedules",
                       "fleet.fleet_outlook", "adjustments.damage_schedules"):
            assert source in notes

    def test_adjustment_lines_are_formulas_where_simple(self, workbook_path, result):
        wb = openpyxl.load_workbook(workbook_path)
        ws = wb["Adjustments"]
        stages = {}
        for r, line in enumerate(result.adjustments.to_dict("records"), start=2):
            if line["amount"]:  # a zero line may be a decision (e.g. no margin): a value
                stages.setdefault(ws.cell(r, 4).value, []).append(ws.cell(r, 3))
        # issue 13: the example has no domestic preference (government-financed)
        rules = result.tender.tender.evaluation
        for stage in ("correction", "discount", "priced") + (
                ("domestic_preference",) if rules.domestic_preference else ()):
            assert all(c.data_type == "f" for c in stages[stage]), stage
        assert "bid_3_priced_1" in stages["priced"][0].value

    def test_an_unknown_line_is_a_marked_value(self, tmp_path):
        from fleetcalc.reports.excel_model import MARKED_FILL

        extended = extended_result()  # adjustment lines without a stage
        wb = openpyxl.load_workbook(write_workbook(extended, tmp_path / "x.xlsx"))
        ws = wb["Adjustments"]
        for r in range(2, len(extended.adjustments) + 2):
            assert ws.cell(r, 3).data_type == "n"
            assert ws.cell(r, 3).fill.fgColor.rgb.endswith(MARKED_FILL)
            assert ws.cell(r, 7).value.startswith("marked value")

    def test_new_sheets_keep_formula_like_text(self, injected, tmp_path):
        wb = openpyxl.load_workbook(injected)
        for sheet in ("Inputs", "Calculation"):
            texts = [c for row in wb[sheet].iter_rows() for c in row
                     if isinstance(c.value, str) and "INJ" in c.value]
            assert texts, sheet
            assert all(c.data_type == "s" for c in texts)
        recalculated = openpyxl.load_workbook(recalculate_with_libreoffice(injected, tmp_path),
                                              data_only=True)
        names = {c.value for c in recalculated["Calculation"]["A"] if c.value}
        assert any(str(n).startswith('=HYPERLINK("http://x","INJ")') for n in names)


def test_without_the_model_the_ledger_is_values(result, tmp_path, monkeypatch):
    """A result whose tender the model cannot rebuild: the ledger amounts are fleetcalc's
    values (marked), and discounting, NPV and rank stay formulas of a named discount rate."""
    from fleetcalc.reports import excel

    def fail(*args, **kwargs):
        raise ValueError("cannot rebuild")

    monkeypatch.setattr(excel, "write_model", fail)
    wb = openpyxl.load_workbook(write_workbook(result, tmp_path / "v.xlsx"))
    assert "Calculation" not in wb.sheetnames
    assert _rate_cell(wb).value == result.tender.tender.discount_rate
    from fleetcalc.reports.excel_model import MARKED_FILL

    flows = wb["Cash flows"]
    assert flows["E2"].data_type == "n" and flows["F2"].value == "=1/(1+discount_rate)^B2"
    assert flows["E2"].fill.fgColor.rgb.endswith(MARKED_FILL)
    adjustments = wb["Adjustments"]
    assert all(adjustments.cell(r, 3).data_type == "n"
               for r in range(2, len(result.adjustments) + 2))
    assert wb["Summary"]["F2"].value.startswith("=SUMIFS(")


def test_a_rule_the_workbook_does_not_mirror_becomes_a_marked_value(result, tmp_path,
                                                                      monkeypatch):
    """If the library evaluates a figure another way than the workbook's formula, the cell
    holds fleetcalc's value, marked, never a formula that gives another number."""
    import importlib

    from fleetcalc.reports.excel_model import MARKED_FILL

    monkeypatch.setattr(importlib.import_module("fleetcalc.evaluate"), "_evaluated_fuel",
                        lambda bid, rules: float(bid.fuel_litres_per_km) * 1.1)
    wb = openpyxl.load_workbook(write_workbook(result, tmp_path / "m.xlsx"))
    cell = _named_cell(wb, "bid_1_fuel_evaluated")
    assert cell.data_type == "n" and cell.fill.fgColor.rgb.endswith(MARKED_FILL)
    assert cell.value == pytest.approx(result.tender.bids[0].fuel_litres_per_km * 1.1)
    assert _named_cell(wb, "bid_1_price_base").data_type == "f"  # the others stay formulas


def test_a_schedule_the_workbook_does_not_mirror_becomes_marked_values(result, tmp_path,
                                                                        monkeypatch):
    """Units in service computed another way by the library: the column holds the library's
    numbers, marked, and the block says which columns are marked."""
    from fleetcalc import schedules
    from fleetcalc.reports.excel_model import MARKED_FILL

    original = schedules.units_in_service
    monkeypatch.setattr(schedules, "units_in_service",
                        lambda delivery, life: original(delivery, life) * 2)
    wb = openpyxl.load_workbook(write_workbook(result, tmp_path / "s.xlsx"))
    ws = wb["Calculation"]
    flagged = [c for c in ws["C"] if isinstance(c.value, str) and "column(s) E" in c.value]
    assert len(flagged) == len(result.tender.bids)
    cells = [c for c in ws["E"] if isinstance(c.value, (int, float))]
    assert cells and all(c.fill.fgColor.rgb.endswith(MARKED_FILL) for c in cells)
    assert max(c.value for c in cells) > 0


def test_the_evaluation_table_sheet_equals_the_json(result, tmp_path):
    """Issue 12 item 8: the bid evaluation table in World Bank/ADB form order is also in the
    workbook, each figure equal to the JSON's ``evaluation_table`` and the rows marked to add
    up summing to the evaluated price."""
    wb = openpyxl.load_workbook(write_workbook(result, tmp_path / "e.xlsx"))
    ws = wb["Evaluation table"]
    rows = result.to_dict()["evaluation_table"]
    bidders = list(rows[0]["values"])
    assert [c.value for c in ws[1]][3:] == [
        f"{b} [{result.tender.tender.base_currency}]" for b in bidders]
    for r, row in enumerate(rows, start=2):
        assert ws.cell(r, 1).value == row["label"]
        for c, bidder in enumerate(bidders, start=4):
            if row["values"][bidder] is not None:
                assert ws.cell(r, c).value == pytest.approx(row["values"][bidder], abs=1e-6)
    for c, bidder in enumerate(bidders, start=4):
        total = sum(ws.cell(r, c).value or 0.0 for r, row in enumerate(rows, start=2)
                    if row["in_total"] and isinstance(ws.cell(r, c).value, (int, float)))
        price = next(row["values"][bidder] for row in rows
                     if row["key"] == "evaluated_price")
        assert total == pytest.approx(price, abs=1.0)
