"""Workbook sheets of issues 14 and 16: *Perspectives* and *Renewal plan*.

Each function returns a callable ``add(workbook)`` for the ``sheets`` argument of
:func:`fleetcalc.reports.excel.write_workbook` (``fleetcalc report`` passes both):

>>> from fleetcalc.reports.excel import write_workbook  # doctest: +SKIP
>>> write_workbook(result, "evaluation.xlsx", sheets=[
...     perspectives_sheet(perspective_lines(tender)), plan_sheet(fleetcalc.plan(tender))])
... # doctest: +SKIP

The values are fleetcalc's own (no formulas): the *Renewal plan* sheet holds the
JSON of ``fleetcalc plan --format json`` as a table, the *Perspectives* sheet
the table of :func:`fleetcalc.reports.perspectives.perspective_lines`.
"""

from __future__ import annotations

from fleetcalc.reports.excel import (
    _DECIMAL,
    _INTEGER,
    _MONEY,
    _header,
    _number_cell,
    _size_columns,
    _text_cell,
)

__all__ = ["plan_sheet", "perspectives_sheet", "PLAN_SHEET", "PERSPECTIVES_SHEET",
           "PLAN_TABLE_ROW"]

PLAN_SHEET = "Renewal plan"
PERSPECTIVES_SHEET = "Perspectives"
#: Row of the year table's header on the *Renewal plan* sheet (the summary is above it).
PLAN_TABLE_ROW = 10
_SHARE_FORMAT = "0.0000%"


def _bold(cell):
    from openpyxl.styles import Font  # noqa: PLC0415 - optional dependency

    cell.font = Font(bold=True)
    return cell


def plan_sheet(plan):
    """A sheet *Renewal plan*: the plan's summary, then one row per year.

    Parameters
    ----------
    plan : fleetcalc.PlanResult

    Returns
    -------
    callable
        ``add(workbook)``.

    Notes
    -----
    Rows 1-8: plan NPV, optimality gap (empty when not known), confidence, the bid as
    filed that the plan is compared with, its NPV and whether it meets the confidence
    every year, the gain and the solver's source. From row :data:`PLAN_TABLE_ROW`: the
    year table, columns ``year``, ``calendar_year``, ``bought: <type>`` per type,
    ``rebuilt: <cohort>`` and ``retired: <cohort>`` per cohort, ``units_in_service``,
    ``p_meet_demand``, ``capital_spent``, ``budget`` (the keys of the JSON) and
    ``demand``.
    """

    def add(workbook):
        ws = workbook.create_sheet(PLAN_SHEET)
        currency = plan.base_currency
        best = plan.as_filed_best
        summary = [
            ("Plan NPV", f"[{currency}]", float(plan.npv), _MONEY),
            ("Optimality gap", "[-]", float(plan.optimality_gap), _SHARE_FORMAT),
            ("Confidence", "[-]", float(plan.confidence), _SHARE_FORMAT),
            ("As filed: bid", "", str(best["bidder"]), None),
            ("As filed: NPV", f"[{currency}]", float(best["npv"]), _MONEY),
            ("As filed: feasible", "", "yes" if bool(best["feasible"]) else "no", None),
            ("Gain (as filed minus plan)", f"[{currency}]", float(plan.gain), _MONEY),
            ("Source", "", str(plan.source), None),
        ]
        for row, (label, unit, value, number_format) in enumerate(summary, start=1):
            _bold(_text_cell(ws, row, 1, label))
            _text_cell(ws, row, 2, unit)
            if number_format is None:
                _text_cell(ws, row, 3, value)
            else:
                _number_cell(ws, row, 3, value, number_format)
        types = [str(c) for c in plan.bought.columns]
        cohorts = [str(c) for c in plan.rebuilt.columns]
        retired_cohorts = [str(c) for c in plan.retired.columns]
        columns = (["year", "calendar_year"] + [f"bought: {t}" for t in types]
                   + [f"rebuilt: {c}" for c in cohorts]
                   + [f"retired: {c}" for c in retired_cohorts]
                   + ["units_in_service", "p_meet_demand", f"capital_spent [{currency}]",
                      f"budget [{currency}]", "demand"])
        _header(ws, PLAN_TABLE_ROW, columns)
        for i, (_, year_row) in enumerate(plan.years.iterrows(), start=PLAN_TABLE_ROW + 1):
            year = int(year_row["year"])
            values = ([(year, _INTEGER), (int(year_row["calendar_year"]), _INTEGER)]
                      + [(int(plan.bought.loc[year, t]), _INTEGER)
                         for t in plan.bought.columns]
                      + [(int(plan.rebuilt.loc[year, c]), _INTEGER)
                         for c in plan.rebuilt.columns]
                      + [(int(plan.retired.loc[year, c]), _INTEGER)
                         for c in plan.retired.columns]
                      + [(int(year_row["units_in_service"]), _INTEGER),
                         (float(year_row["p_meet_demand"]), _SHARE_FORMAT),
                         (float(year_row["capital_spent"]), _MONEY),
                         (float(year_row["budget"]), _MONEY),  # NaN (no budget): empty
                         (float(year_row["demand"]), _DECIMAL)])
            for j, (value, number_format) in enumerate(values, start=1):
                _number_cell(ws, i, j, value, number_format)
        ws.freeze_panes = ws.cell(row=PLAN_TABLE_ROW + 1, column=3)
        _size_columns(ws)
        ws.column_dimensions["A"].width = 28

    return add


def perspectives_sheet(lines):
    """A sheet *Perspectives*: each bid in the financial and the economic view.

    Parameters
    ----------
    lines : fleetcalc.reports.perspectives.PerspectiveLines

    Returns
    -------
    callable
        ``add(workbook)``.

    Notes
    -----
    Row 1: headers; one row per bid (input order): ``bidder``, the financial LCC NPV,
    evaluated cost and rank, the lines from the financial to the economic evaluated
    cost (:data:`fleetcalc.reports.perspectives.LINES`), the economic LCC NPV,
    evaluated cost and rank, the PV of emissions and the CO2 tonnes. Below: the
    tender's own perspective (the one the award uses) and the shadow exchange rate
    factor.
    """
    from fleetcalc.reports.perspectives import LINES  # noqa: PLC0415

    def add(workbook):
        ws = workbook.create_sheet(PERSPECTIVES_SHEET)
        currency = lines.base_currency
        table = lines.table
        keys = (["financial_lcc_npv", "financial_cost", "financial_rank"] + list(LINES)
                + ["economic_lcc_npv", "economic_cost", "economic_rank", "pv_emissions",
                   "co2_tonnes"])
        names = {"financial_lcc_npv": "LCC NPV, financial",
                 "financial_cost": "Evaluated cost, financial",
                 "financial_rank": "Rank, financial",
                 "economic_lcc_npv": "LCC NPV, economic",
                 "economic_cost": "Evaluated cost, economic",
                 "economic_rank": "Rank, economic",
                 "pv_emissions": "PV of emissions (economic)", "co2_tonnes": "CO2 [t]",
                 **LINES}
        labels = ["Bidder"] + [names[k] + ("" if k.endswith("_rank") or k == "co2_tonnes"
                                           else f" [{currency}]") for k in keys]
        _header(ws, 1, labels)
        for i, record in enumerate(lines.to_records(), start=2):
            _text_cell(ws, i, 1, record["bidder"])
            for j, key in enumerate(keys, start=2):
                value = record[key]
                if key.endswith("_rank"):
                    if value is None:
                        _text_cell(ws, i, j, "not ranked")
                    else:
                        _number_cell(ws, i, j, value, _INTEGER)
                else:
                    _number_cell(ws, i, j, value, _DECIMAL if key == "co2_tonnes" else _MONEY)
        row = len(table) + 3
        _bold(_text_cell(ws, row, 1, "Perspective of the award"))
        _text_cell(ws, row, 2, lines.perspective)
        _bold(_text_cell(ws, row + 1, 1, "Shadow exchange rate factor"))
        _number_cell(ws, row + 1, 2, lines.shadow_exchange_rate_factor, _DECIMAL)
        _text_cell(ws, row + 1, 3, f"on flows in currencies other than {lines.local_currency}")
        _text_cell(ws, row + 2, 1, "Economic = financial + the lines; sources and method: "
                                   "docs/methodology/money.md section 4.")
        ws.freeze_panes = "B2"
        _size_columns(ws)

    return add
