"""An Excel workbook of an evaluation whose numbers are formulas.

The workbook lets a reader audit and re-run the evaluation. Every tender and
bid input that drives the ledger is a named cell of the *Inputs* sheet
(``discount_rate``, ``diesel_price``, ``bid_1_unit_price``, deliveries by
year, ...); the *Calculation* sheet computes, per bid and year, units in
service, km, fuel, maintenance, overhauls, escalation, payment milestones,
initial support, shortfall cost and residual value from them with formulas
(:mod:`fleetcalc.reports.excel_model`); every *Cash flows* amount refers to
that sheet and computes its discount factor and present value; the
*Adjustments* lines are formulas where a line is a simple function of the
inputs; the *Summary* sums present values and adjustments per bid and ranks
the bids. Changing an input moves every figure that depends on it, up to the
ranking. Figures a spreadsheet cannot reasonably hold (the fleet
distribution behind the shortfall, ageing, loan schedules, price
adjustment, availability damages) are marked values (orange fill, a note
naming the library function), kept undiscounted. The *Assumptions* sheet
lists the tender file as read.

openpyxl writes formulas without cached results; the workbook asks for a
full recalculation on load (``calcPr fullCalcOnLoad``), which Excel honours.

Every string that comes from the tender (bidder names, models, notes,
cohort names, ...) is written as a text cell, never as a formula, whatever
its first character (``=``, ``+``, ``-``, ``@``, tab, CR): see
:func:`_text_cell`; defined names are built from indices, never from tender
text.
"""

from __future__ import annotations

import math
import numbers
import re
from pathlib import Path

import attrs

from fleetcalc.reports.excel_model import MARKED_FILL, adjustment_formula, write_model

__all__ = ["write_workbook", "assumption_rows", "SHEETS"]

#: Sheet names, in workbook order (optional sheets only when their data exist).
SHEETS = ("Summary", "Cash flows", "Adjustments", "Financing schedules", "Fleet projection",
          "Fleet vs demand", "Fleet by year", "Simulation summary", "Tornado", "Inputs",
          "Calculation", "Assumptions")

#: Columns about a demand, left out when the tender gives none (no zero demand, no
#: "100 %" chance of meeting it); the fleet-by-year sheet is then "Fleet by year".
_DEMAND_COLUMNS = ("demand", "p_meet_demand", "shortfall_unit_days")

_MONEY = "#,##0.00"
_FACTOR = "0.000000"
_RATE = "0.00%"
_SHARE = "0.0%"
_INTEGER = "0"
_COUNT = "#,##0"
_DECIMAL = "#,##0.00"

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

#: Column labels and number formats of the optional frames (by column name).
_LABELS = {
    "bidder": "Bidder", "year": "Year t", "calendar_year": "Calendar year",
    "cohort": "Cohort", "units": "Units", "mean_age": "Mean age [year]",
    "availability": "Availability [-]", "available_units": "Available units",
    "demand": "Demand [units]", "p_meet_demand": "P(meet demand) [-]",
    "shortfall_unit_days": "Shortfall [unit-days]", "name": "Adjustment",
    "basis": "Basis", "drawdown": "Drawdown", "interest": "Interest",
    "principal": "Principal", "fees": "Fees", "debt_service": "Debt service",
    "balance": "Balance", "mean": "Mean", "std": "Standard deviation",
    "p10": "P10", "p50": "P50 (median)", "p90": "P90",
    "p_rank_first": "P(ranked first) [-]", "availability_mean": "Mean availability [-]",
    "input": "Input", "low": "Low", "high": "High", "swing": "Swing",
    "fleet_availability": "Fleet availability [-]", "required_fleet_size":
    "Required fleet size [units]", "spare_ratio": "Spare ratio [-]",
}
_MONEY_COLUMNS = {"amount", "drawdown", "interest", "principal", "fees", "debt_service",
                  "balance", "mean", "std", "p10", "p50", "p90", "low", "high", "swing"}
_SHARE_COLUMNS = {"availability", "p_meet_demand", "p_rank_first", "availability_mean",
                  "fleet_availability", "spare_ratio"}
_INTEGER_COLUMNS = {"year", "calendar_year"}


def _openpyxl():
    import openpyxl  # noqa: PLC0415 - optional dependency, imported when used

    return openpyxl


def _is_formula_like(text):
    return text.startswith(_FORMULA_TRIGGERS)


def _text_cell(ws, row, column, value):
    """Write ``value`` as a text cell, never as a formula.

    openpyxl turns any string starting with ``=`` into a formula; here the
    cell's type is forced to string (and, for text that looks like a
    formula, the quote prefix is set so that editing the cell in a
    spreadsheet keeps it text). Control characters that XML cannot hold
    become U+FFFD.

    Parameters
    ----------
    ws : openpyxl.worksheet.worksheet.Worksheet
    row, column : int
        1-based cell position.
    value : object
        Written as ``str(value)``.

    Returns
    -------
    openpyxl.cell.cell.Cell
    """
    text = _ILLEGAL.sub("\ufffd", str(value))
    cell = ws.cell(row=row, column=column)
    cell.value = text
    cell.data_type = "s"
    if _is_formula_like(text):
        cell.quotePrefix = True
    return cell


def _number_cell(ws, row, column, value, number_format=_DECIMAL):
    """Write a finite number with a number format; an infinite one as the text ``+∞`` or
    ``−∞`` (never silently empty); NaN (not applicable) stays empty."""
    cell = ws.cell(row=row, column=column)
    if value is None:
        return cell
    value = int(value) if isinstance(value, numbers.Integral) else float(value)
    if isinstance(value, float) and math.isinf(value):
        return _text_cell(ws, row, column, "+\u221e" if value > 0 else "\u2212\u221e")
    if isinstance(value, float) and math.isnan(value):
        return cell
    cell.value = value
    cell.number_format = number_format
    return cell


def _formula_cell(ws, row, column, formula, number_format=_DECIMAL):
    """Write a formula that fleetcalc composed (never tender text)."""
    cell = ws.cell(row=row, column=column)
    cell.value = formula
    cell.number_format = number_format
    return cell


def _value_cell(ws, row, column, value, number_format=_DECIMAL):
    if value is None:
        return ws.cell(row=row, column=column)
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return _number_cell(ws, row, column, value, number_format)
    if isinstance(value, bool):
        return _text_cell(ws, row, column, "yes" if value else "no")
    try:
        import pandas as pd  # noqa: PLC0415

        if pd.isna(value):
            return ws.cell(row=row, column=column)
    except (TypeError, ValueError):
        pass
    return _text_cell(ws, row, column, value)


def _header(ws, row, labels):
    """Bold, shaded, wrapped header cells."""
    styles = _openpyxl().styles
    font = styles.Font(bold=True)
    fill = styles.PatternFill("solid", fgColor="E8ECF1")
    border = styles.Border(bottom=styles.Side(style="thin", color="7F8C9A"))
    align = styles.Alignment(wrap_text=True, vertical="bottom")
    for column, label in enumerate(labels, start=1):
        cell = _text_cell(ws, row, column, label)
        cell.font, cell.fill, cell.border, cell.alignment = font, fill, border, align


def _size_columns(ws, *, minimum=8, maximum=60, numeric=16):
    """Column widths from the longest text (formulas count as ``numeric`` wide)."""
    widths = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            if cell.data_type == "f" or isinstance(cell.value, numbers.Number):
                width = numeric
            else:
                width = max(len(line) for line in str(cell.value).split("\n")) + 2
                if cell.row == 1:
                    width = min(width, 24)  # headers wrap
            widths[cell.column_letter] = max(widths.get(cell.column_letter, 0), width)
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = max(minimum, min(maximum, width))


def _frame_or_none(value):
    """``value`` if it is a non-empty table, else None."""
    if value is None:
        return None
    if getattr(value, "empty", False):
        return None
    return value


def _optional(result, name):
    return _frame_or_none(getattr(result, name, None))


def _criterion(text):
    """A string literal for a formula (quotes doubled)."""
    return '"' + str(text).replace('"', '""') + '"'


def _format_for(column, currency):
    if column in _MONEY_COLUMNS:
        return _MONEY
    if column in _SHARE_COLUMNS:
        return _SHARE
    if column in _INTEGER_COLUMNS:
        return _INTEGER
    if column in {"units", "available_units", "demand"}:
        return _DECIMAL
    return _DECIMAL


def _label_for(column, currency):
    label = _LABELS.get(column, str(column).replace("_", " ").capitalize())
    if column in _MONEY_COLUMNS:
        label = f"{label} [{currency}]"
    return label


def _write_frame(ws, frame, currency, *, bid_numbers=None):
    """A DataFrame as a table from A1: header, typed cells, frozen header."""
    from fleetcalc.reports.formatting import percent_number_format  # noqa: PLC0415

    columns = list(frame.columns)
    labels = [_label_for(c, currency) for c in columns]
    if bid_numbers is not None and "bidder" in columns:
        labels.append("Bid no.")
    _header(ws, 1, labels)
    for i, record in enumerate(frame.itertuples(index=False), start=2):
        for j, (column, value) in enumerate(zip(columns, record), start=1):
            number_format = (percent_number_format(value, 1) if column in _SHARE_COLUMNS
                             else _format_for(column, currency))
            _value_cell(ws, i, j, value, number_format)
        if bid_numbers is not None and "bidder" in columns:
            number = bid_numbers.get(record[columns.index("bidder")])
            _value_cell(ws, i, len(columns) + 1, number, _INTEGER)
    ws.freeze_panes = "B2"
    if len(frame):
        last = ws.cell(row=1, column=len(labels)).column_letter
        ws.auto_filter.ref = f"A1:{last}{len(frame) + 1}"
    _size_columns(ws)


# --- Assumptions -------------------------------------------------------------------------


def _unit(unit, currency):
    if unit is None:
        return ""
    return unit.replace("currency", currency) if "currency" in unit else unit


def _item_text(item, currency):
    """One table of an array (a payment milestone, a priced adjustment) as text.

    The first field names the item; the others follow with their units, shares
    as percentages: ``"signing: 10%"``, ``"Spare motors: 18,000,000 CNY (basis)"``.
    """
    from fleetcalc.money import Money  # noqa: PLC0415
    from fleetcalc.reports.formatting import is_share_unit, percent  # noqa: PLC0415

    parts = []
    for field in attrs.fields(type(item)):
        value = getattr(item, field.name)
        unit = field.metadata.get("unit")
        if value is None or value == "":
            continue
        if isinstance(value, Money):
            parts.append(f"{value.amount:,.10g} {value.currency}")
        elif isinstance(value, bool):
            parts.append(f"{field.name} {'yes' if value else 'no'}")
        elif isinstance(value, numbers.Number) and is_share_unit(unit):
            parts.append(percent(value))
        elif isinstance(value, numbers.Number) and unit == "currency":
            parts.append(f"{value:,.10g} {currency}")
        elif isinstance(value, numbers.Number):
            parts.append(f"{value:,.10g}" + (f" {_unit(unit, currency)}" if unit else ""))
        else:
            parts.append(str(value))
    if len(parts) <= 1:
        return "".join(parts)
    head, *rest = parts
    return f"{head}: {rest[0]}" + "".join(f" ({p})" for p in rest[1:])


def _plain(value, currency=""):
    """A scalar for a cell: numbers stay numbers, sequences become readable text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Number):
        return value
    if isinstance(value, str):
        return value
    if isinstance(value, tuple | list):
        if any(attrs.has(type(item)) for item in value):
            return "; ".join(_item_text(item, currency) if attrs.has(type(item)) else str(item)
                             for item in value)
        return ", ".join(f"{item:,.10g}" if isinstance(item, float) else str(item)
                         for item in value)
    return str(value)


def _assumption_rows(obj, section, currency):
    """(section, parameter, value, unit, meaning) of every field of an attrs object."""
    from fleetcalc.money import Money  # noqa: PLC0415

    rows = []
    nested = []
    first = ("bidder", "model", "currency")
    fields = sorted(attrs.fields(type(obj)),
                    key=lambda f: first.index(f.name) if f.name in first else len(first))
    for field in fields:
        value = getattr(obj, field.name)
        unit = field.metadata.get("unit")
        doc = field.metadata.get("doc", "")
        if isinstance(value, Money):
            rows.append((section, field.name, value.amount, _unit(unit, value.currency), doc))
        elif attrs.has(type(value)) or isinstance(value, dict):
            nested.append((field.name, value, doc))
        else:
            rows.append((section, field.name, _plain(value, currency), _unit(unit, currency),
                         doc))
    for name, value, doc in nested:
        title = f"{section}: {name}"
        if isinstance(value, dict):
            for key, item in value.items():
                unit = f"{currency} per {key}" if name == "exchange_rates" else ""
                rows.append((title, str(key), _plain(item, currency), unit, doc))
        else:
            rows.extend(_assumption_rows(value, title, currency))
    return rows


def _assumption_format(value, unit, base):
    from fleetcalc.reports.formatting import is_share_unit, percent_number_format  # noqa: PLC0415

    if isinstance(value, numbers.Integral):
        return _INTEGER if unit == "year" else _COUNT
    if is_share_unit(unit):
        return percent_number_format(value)
    if unit.startswith(f"{base} per "):
        return "General"
    return _DECIMAL


def assumption_rows(tender):
    """Every input of a tender as rows: section, parameter, value, unit, meaning.

    Parameters
    ----------
    tender : fleetcalc.Tender

    Returns
    -------
    list of tuple
        ``(section, parameter, value, unit, meaning)``; sections are
        ``"Tender settings"`` (with sub-sections such as ``"Tender settings:
        prices"``) and ``"Bid 1"``, ``"Bid 2"``, ... in tender order. Money
        values are amounts in the unit's currency; sequences are text.

    Examples
    --------
    >>> import fleetcalc
    >>> rows = assumption_rows(fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml"))
    >>> [r[2:4] for r in rows if r[1] == "discount_rate"]
    [(0.08, '-/year')]
    """
    settings = tender.tender
    base = settings.base_currency
    rows = _assumption_rows(settings, "Tender settings", base)
    for i, bid in enumerate(tender.bids, start=1):
        rows.extend(_assumption_rows(bid, f"Bid {i}", getattr(bid, "currency", base)))
    return rows


def _write_assumptions(wb, tender):
    """The Assumptions sheet: every field of the tender file as read (for reference)."""
    ws = wb.create_sheet("Assumptions")
    base = tender.tender.base_currency
    rows = assumption_rows(tender)
    _header(ws, 1, ["Section", "Parameter", "Value", "Unit", "Meaning"])
    for r, (section, parameter, value, unit, doc) in enumerate(rows, start=2):
        _text_cell(ws, r, 1, section)
        _text_cell(ws, r, 2, parameter)
        _value_cell(ws, r, 3, value, _assumption_format(value, unit, base))
        _text_cell(ws, r, 4, unit)
        _text_cell(ws, r, 5, doc)
    note_row = len(rows) + 3
    _text_cell(ws, note_row, 1, "The tender file as read, for reference: the live inputs "
                                "(defined names such as discount_rate and diesel_price) are on "
                                "the Inputs sheet; change them there to re-run the evaluation.")
    ws.freeze_panes = "A2"
    _size_columns(ws, maximum=70)
    ws.column_dimensions["C"].width = 18


# --- Cash flows and summary -----------------------------------------------------------


def _write_cash_flows(wb, result, bid_numbers, currency, layout=None):
    """The ledger: one row per bid, year and category; the amount refers to the
    *Calculation* sheet's cell (a value, with the marked fill, if not modelled)."""
    ws = wb.create_sheet("Cash flows")
    marked = _openpyxl().styles.PatternFill("solid", fgColor=MARKED_FILL)
    _header(ws, 1, ["Bidder", "Year t", "Calendar year", "Category", f"Amount [{currency}]",
                    "Discount factor [-]", f"Present value [{currency}]", "Bid no."])
    ledger = result.cash_flows
    for r, (bidder, year, calendar_year, category, amount) in enumerate(
            zip(ledger["bidder"], ledger["year"], ledger["calendar_year"], ledger["category"],
                ledger["amount"]), start=2):
        _text_cell(ws, r, 1, bidder)
        _number_cell(ws, r, 2, int(year), _INTEGER)
        _number_cell(ws, r, 3, int(calendar_year), _INTEGER)
        _text_cell(ws, r, 4, category)
        reference = layout.cell(bidder, category, year) if layout is not None else None
        if reference is None:  # not modelled: fleetcalc's value, marked
            _number_cell(ws, r, 5, float(amount), _MONEY).fill = marked
        else:
            _formula_cell(ws, r, 5, f"={reference}", _MONEY)
        _formula_cell(ws, r, 6, f"=1/(1+discount_rate)^B{r}", _FACTOR)
        _formula_cell(ws, r, 7, f"=E{r}*F{r}", _MONEY)
        _number_cell(ws, r, 8, bid_numbers[bidder], _INTEGER)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:H{max(len(ledger) + 1, 2)}"
    _size_columns(ws)
    return len(ledger)


def _adjustment_totals(adjustments):
    if adjustments is None:
        return {}
    return adjustments.groupby("bidder", sort=False)["amount"].sum().to_dict()


def _close(a, b):
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def _write_summary(wb, result, bid_numbers, currency, adjustments):
    import pandas as pd  # noqa: PLC0415

    from fleetcalc.reports.formatting import percent  # noqa: PLC0415

    ws = wb.active
    ws.title = "Summary"
    import numpy as np  # noqa: PLC0415

    costs = result.ranking[["evaluated_cost", "lcc_npv"]].astype(float).to_numpy()
    finite = np.isfinite(costs).all(axis=1)
    ranked = result.ranking["rank"].notna().to_numpy() & finite
    # Ranked bids first (rank order), then unranked (non-responsive) ones, then bids whose
    # cost is not finite (never ranked, whatever the ranking says).
    ranking = pd.concat([result.ranking[ranked], result.ranking[~ranked & finite],
                         result.ranking[~finite]])
    not_finite = list(result.ranking.index[~finite])
    n_ranked = int(ranked.sum())
    settings = result.tender.tender
    categories = list(result.categories)
    live = {"rank", "model", "evaluated_cost", "lcc_npv", "equivalent_annual_cost",
            "cost_per_km"} | {f"pv_{c}" for c in categories}
    extras = [c for c in ranking.columns if c not in live
              and not (c in _DEMAND_COLUMNS and not _has_demand(result))]
    labels = (["Bidder", "Model", "Bid no.", "Rank", f"Evaluated cost [{currency}]",
               f"LCC NPV [{currency}]"]
              + [f"PV {c.replace('_', ' ')} [{currency}]" for c in categories]
              + [f"Equivalent annual cost [{currency}/year]"]
              + [_label_for(c, currency) for c in extras])
    _header(ws, 1, labels)
    n = len(ranking)
    last = n_ranked + 1  # last row of the ranked bids
    totals = _adjustment_totals(adjustments)
    static_evaluated = []
    flows = "'Cash flows'"
    for r, (bidder, row) in enumerate(ranking.iterrows(), start=2):
        _text_cell(ws, r, 1, bidder)
        _text_cell(ws, r, 2, row["model"])
        _number_cell(ws, r, 3, bid_numbers[bidder], _INTEGER)
        if bidder in not_finite:
            _text_cell(ws, r, 4, "not ranked: cost not finite")
            for j, column in enumerate(["evaluated_cost", "lcc_npv"]
                                       + [f"pv_{c}" for c in categories]
                                       + ["equivalent_annual_cost"], start=5):
                _number_cell(ws, r, j, row[column], _MONEY)
            for j, column in enumerate(extras, start=len(categories) + 8):
                _value_cell(ws, r, j, row[column], _format_for(column, currency))
            continue
        if r <= last:
            _formula_cell(ws, r, 4, f"=RANK(E{r},$E$2:$E${last},1)", _INTEGER)
        else:
            _text_cell(ws, r, 4, "not ranked")
        lcc_formula = f"=SUMIFS({flows}!$G:$G,{flows}!$H:$H,$C{r})"
        difference = float(row["evaluated_cost"]) - float(row["lcc_npv"])
        if _close(row["evaluated_cost"], row["lcc_npv"]):
            evaluated = f"=F{r}"
        elif adjustments is not None and _close(difference, totals.get(bidder, 0.0)):
            evaluated = f"=F{r}+SUMIFS(Adjustments!$C:$C,Adjustments!$F:$F,$C{r})"
        else:
            evaluated = None
            static_evaluated.append(bidder)
        if evaluated is None:
            _number_cell(ws, r, 5, float(row["evaluated_cost"]), _MONEY)
        else:
            _formula_cell(ws, r, 5, evaluated, _MONEY)
        _formula_cell(ws, r, 6, lcc_formula, _MONEY)
        for j, category in enumerate(categories, start=7):
            _formula_cell(ws, r, j, f"=SUMIFS({flows}!$G:$G,{flows}!$H:$H,$C{r},"
                                    f"{flows}!$D:$D,{_criterion(category)})", _MONEY)
        eac = len(categories) + 7
        _formula_cell(ws, r, eac, f"=IF(discount_rate=0,F{r}/horizon_years,F{r}*discount_rate/"
                                  f"(1-(1+discount_rate)^-horizon_years))", _MONEY)
        for j, column in enumerate(extras, start=eac + 1):
            _value_cell(ws, r, j, row[column], _format_for(column, currency))

    if n_ranked:
        first = ranking.iloc[0]
        winner = ranking.index[0]
        sentence = (f"Recommendation: award to {winner} ({first['model']}), the lowest evaluated "
                    f"cost, {currency} {first['evaluated_cost']:,.0f} in present value at a real "
                    f"discount rate of {percent(settings.discount_rate)} over "
                    f"{settings.horizon_years} years")
        if n_ranked > 1:
            runner = ranking.index[1]
            gap = float(ranking.iloc[1]["evaluated_cost"] - first["evaluated_cost"])
            share = percent(gap / abs(float(first["evaluated_cost"])), 1)
            sentence += f"; {currency} {gap:,.0f} ({share}) below {runner}"
        sentence += "."
    else:
        sentence = "No recommendation: no bid is responsive with a finite evaluated cost."
    notes = n + 3
    bold = _openpyxl().styles.Font(bold=True)
    _text_cell(ws, notes, 1, "Recommendation").font = bold
    _text_cell(ws, notes, 2, sentence)
    if n_ranked:
        _text_cell(ws, notes + 1, 1, "Lowest at the current discount rate").font = bold
        _formula_cell(ws, notes + 1, 2,
                      f"=INDEX($A$2:$A${last},MATCH(MIN($E$2:$E${last}),$E$2:$E${last},0))",
                      "General")
    lines = [
        f"{settings.name}. Present values in {currency} at t = 0 ({settings.evaluation_year}); "
        "rank 1 = lowest evaluated cost" + ("; bids below the ranked ones are not ranked "
                                           "(non-responsive)." if n > n_ranked else "."),
        "LCC NPV, PV by category, rank and equivalent annual cost are live formulas over the "
        "'Cash flows' sheet and the discount rate on the 'Assumptions' sheet.",
    ]
    lines.append("Every amount of the 'Cash flows' sheet refers to the 'Calculation' sheet, "
                 "whose formulas run on the 'Inputs' sheet (discount rate, prices, escalation, "
                 "unit prices, quantities, deliveries, payment shares, ...); orange cells there "
                 "are marked values fleetcalc computed (fleet distribution and shortfall, "
                 "ageing, loan schedules, price adjustment, availability damages), kept "
                 "undiscounted so that discounting stays a formula.")
    if adjustments is not None:
        lines.append("Adjustment amounts (sheet 'Adjustments') are formulas over the 'Inputs' "
                     "sheet where a line is a simple function of the inputs; the orange ones "
                     "are fleetcalc's values.")
    if static_evaluated:
        lines.append("Evaluated cost is fleetcalc's value at the tender's discount rate (not a "
                     "formula) for: " + ", ".join(static_evaluated) + ".")
    if not _has_demand(result):
        lines.append("The tender gives no demand ([tender.demand]): no demand, probability "
                     "of meeting it or shortfall is shown, and no shortfall is costed.")
    if extras:
        lines.append("Columns after the equivalent annual cost (" + ", ".join(
            _label_for(c, currency) for c in extras) + ") are fleetcalc's values, not formulas.")
    lines.extend(f"Warning: the evaluated cost of {bidder} is not a finite number "
                 f"({_not_finite(result.ranking.loc[bidder, 'evaluated_cost'])}): inputs far "
                 "outside a plausible range made a cost overflow; the bid is not ranked."
                 for bidder in not_finite)
    lines.extend(f"Warning: {w}" for w in getattr(result, "warnings", ()) or ())
    for k, line in enumerate(lines, start=notes + 3):
        _text_cell(ws, k, 1, line)
    ws.freeze_panes = "B2"
    _size_columns(ws, maximum=40)
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width, 28)
    ws.column_dimensions["B"].width = max(ws.column_dimensions["B"].width, 30)
    ws.row_dimensions[1].height = 45


def _write_model(wb, result):
    """The *Inputs* and *Calculation* sheets (:func:`~fleetcalc.reports.excel_model.
    write_model`), or, for a result whose tender the model cannot rebuild, the discount
    rate and horizon alone as named *Inputs* cells (the ledger amounts are then values)."""
    import sys  # noqa: PLC0415

    try:
        return write_model(wb, result, sys.modules[__name__])
    except Exception:
        for title in ("Inputs", "Calculation"):
            if title in wb.sheetnames:
                del wb[title]
        for name in list(wb.defined_names):
            del wb.defined_names[name]
    from openpyxl.workbook.defined_name import DefinedName  # noqa: PLC0415

    ws = wb.create_sheet("Inputs")
    settings = result.tender.tender
    _header(ws, 1, ["Section", "Parameter", "Value", "Unit", "Defined name", "Note"])
    for r, (name, value, unit) in enumerate((
            ("discount_rate", float(settings.discount_rate), "-/year"),
            ("horizon_years", int(settings.horizon_years), "year"),
            ("evaluation_year", int(settings.evaluation_year), "year")), start=2):
        _text_cell(ws, r, 1, "Tender")
        _text_cell(ws, r, 2, name)
        _number_cell(ws, r, 3, value, _RATE if name == "discount_rate" else _INTEGER)
        _text_cell(ws, r, 4, unit)
        _text_cell(ws, r, 5, name)
        wb.defined_names[name] = DefinedName(name, attr_text=f"Inputs!$C${r}")
    return None


def _has_demand(result):
    from fleetcalc.reports.charts import has_demand  # noqa: PLC0415 - no matplotlib import

    return has_demand(result)


def _not_finite(value):
    value = float(value)
    return "undefined, NaN" if math.isnan(value) else ("+\u221e" if value > 0 else "\u2212\u221e")


def _bid_column(frame):
    """Letter of the ``Bid no.`` column that :func:`_write_frame` appends."""
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    return get_column_letter(len(frame.columns) + 1)


_ADJUSTMENT_HEADER = ("Bidder", "Adjustment", "Amount [{c}]", "Stage", "Basis", "Bid no.",
                      "Formula mirrors / source of the value")


def _write_evaluation_table(wb, result, currency):
    """Sheet *Evaluation table*: the bid evaluation table in World Bank/ADB form order.

    The rows of :func:`fleetcalc.evaluation_table.evaluation_table_rows` (issue 12 item 8),
    as values: they are the evaluation's own figures, traceable to the *Summary* and
    *Adjustments* sheets; rows marked "yes" under "Adds up" sum to the evaluated price.
    Left out when the table does not add up to the ranking (a result altered after
    :func:`fleetcalc.evaluate`), as in the HTML report.
    """
    from fleetcalc.evaluation_table import evaluation_table_rows  # noqa: PLC0415
    from fleetcalc.reports.charts import table_adds_up  # noqa: PLC0415

    if not table_adds_up(result):
        return
    rows = evaluation_table_rows(result)
    bidders = list(rows[0]["values"]) if rows else []
    ws = wb.create_sheet("Evaluation table")
    _header(ws, 1, ["Line", "Section", "Adds up", *[f"{b} [{currency}]" for b in bidders]])
    for r, row in enumerate(rows, start=2):
        _text_cell(ws, r, 1, row["label"])
        _text_cell(ws, r, 2, row["section"])
        _text_cell(ws, r, 3, "yes" if row["in_total"] else "")
        for c, bidder in enumerate(bidders, start=4):
            value = row["values"][bidder]
            if value is None:
                _text_cell(ws, r, c, (row.get("null_reasons") or {}).get(bidder, ""))
            else:
                _number_cell(ws, r, c, float(value),
                             "0" if row["key"] == "rank" else _MONEY)
    _size_columns(ws)


def _write_adjustments(wb, result, adjustments, bid_numbers, currency, layout):
    """The adjustment lines: each amount a formula over the *Inputs* sheet where the line
    is a simple function of the inputs (:func:`~fleetcalc.reports.excel_model.
    adjustment_formula`), else fleetcalc's value with the marked fill and its source."""
    from fleetcalc.reports.excel_model import bid_values  # noqa: PLC0415

    ws = wb.create_sheet("Adjustments")
    _header(ws, 1, [label.format(c=currency) for label in _ADJUSTMENT_HEADER])
    marked = _openpyxl().styles.PatternFill("solid", fgColor=MARKED_FILL)
    bids = {bid.bidder: bid for bid in result.tender.bids}
    values = {}
    if layout is not None:  # formulas need the Inputs sheet's names
        values = bid_values(result)
    for r, line in enumerate(adjustments.to_dict("records"), start=2):
        bidder = line["bidder"]
        _text_cell(ws, r, 1, bidder)
        _text_cell(ws, r, 2, line.get("name", ""))
        stage = line.get("stage")
        formula = None
        if bidder in bids and bidder in values:
            formula = adjustment_formula(line, bid_numbers[bidder], bids[bidder], result.tender,
                                         values[bidder])
        if formula is not None:
            _formula_cell(ws, r, 3, formula[0], _MONEY)
            _text_cell(ws, r, 7, f"formula: {formula[1]} (adjustments.evaluate_adjustments)")
        else:
            _number_cell(ws, r, 3, float(line["amount"]), _MONEY).fill = marked
            _text_cell(ws, r, 7, "marked value: fleetcalc's amount (adjustments."
                                 "evaluate_adjustments) at the tender's inputs")
        _value_cell(ws, r, 4, stage)
        _value_cell(ws, r, 5, line.get("basis"))
        _number_cell(ws, r, 6, bid_numbers.get(bidder), _INTEGER)
    note = len(adjustments) + 3
    _text_cell(ws, note, 1, "Amounts with a formula move with the Inputs sheet; orange "
                            "amounts are fleetcalc's values. The basis texts quote the "
                            "figures of the evaluation as run, not the live ones.")
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:G{max(len(adjustments) + 1, 2)}"
    _size_columns(ws, maximum=60)


def _adjustments_frame(result):
    frame = _optional(result, "adjustments")
    if frame is None:
        return None
    # Amount third, so that the Summary formula can sum column C.
    first = [c for c in ("bidder", "name", "amount") if c in frame.columns]
    return frame[first + [c for c in frame.columns if c not in first]]


def write_workbook(result, path, *, simulation=None, sheets=()):
    """Write an evaluation to an Excel workbook whose numbers are formulas.

    Sheets: *Summary* (ranking, evaluated cost, LCC NPV, PV by category,
    equivalent annual cost, availability when known, the recommendation),
    *Cash flows* (the ledger: each amount refers to the *Calculation* sheet,
    with a discount-factor and a present-value formula per row), then, when
    the result has them, *Adjustments* (formulas where a line is a simple
    function of the inputs, else marked values), *Financing schedules*,
    *Fleet projection*, *Fleet vs demand* (*Fleet by year*, without demand
    columns, when the tender gives no demand), *Simulation summary* and
    *Tornado*, then *Inputs* (every input that drives the ledger, as named
    cells; the discount rate is ``discount_rate``), *Calculation* (formulas
    per bid and year, see :func:`fleetcalc.reports.excel_model.write_model`)
    and *Assumptions* (every field of the tender file as read, with its unit).

    Parameters
    ----------
    result : fleetcalc.EvaluationResult
        The evaluation. Optional attributes (``adjustments``, ``financing``,
        ``fleet``, ``fleet_years``, ``simulation``) add sheets when present.
    path : str or os.PathLike
        The ``.xlsx`` file to write (overwritten).
    simulation : object, optional
        A Monte Carlo result with ``.summary`` (and ``.tornado``) DataFrames;
        default: ``result.simulation`` if present.
    sheets : iterable of callable, optional
        Each called as ``add(workbook)`` to add its sheets after the optional ones,
        e.g. *Perspectives* and *Renewal plan*
        (:mod:`fleetcalc.reports.workbook_sheets`).

    Returns
    -------
    pathlib.Path
        ``path``.

    Notes
    -----
    Formulas are stored without cached results (openpyxl computes nothing);
    the workbook is flagged for a full recalculation on load. Strings from
    the tender are always text cells, never formulas. Recalculated (e.g. by
    LibreOffice), the evaluated costs and ranks equal fleetcalc's to the
    cent, and still do after an edit of the diesel price, a unit price, an
    adjustment amount or the discount rate on *Inputs*. Marked values
    (orange) do not follow edits of the inputs they come from (deliveries,
    reliability, financing): re-run fleetcalc for those.

    Examples
    --------
    >>> import tempfile, pathlib, fleetcalc
    >>> result = fleetcalc.evaluate(fleetcalc.load_tender(
    ...     "examples/pakistan_locomotives_2026.toml"))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_workbook(result, pathlib.Path(tmp) / "evaluation.xlsx")
    ...     path.stat().st_size > 0
    True
    """
    openpyxl = _openpyxl()

    path = Path(path)
    tender = result.tender
    currency = tender.tender.base_currency
    bid_numbers = {bid.bidder: i for i, bid in enumerate(tender.bids, start=1)}
    simulation = simulation if simulation is not None else getattr(result, "simulation", None)
    adjustments = _adjustments_frame(result)

    wb = openpyxl.Workbook()
    _write_summary(wb, result, bid_numbers, currency, adjustments)
    layout = _write_model(wb, result)
    _write_cash_flows(wb, result, bid_numbers, currency, layout)
    if adjustments is not None:
        _write_adjustments(wb, result, adjustments, bid_numbers, currency, layout)
        _write_evaluation_table(wb, result, currency)
    optional = [
                ("Financing schedules", _optional(result, "financing")),
                ("Fleet projection", _optional(result, "fleet")),
                ("Fleet vs demand", _optional(result, "fleet_years"))]
    if not _has_demand(result):  # no demand columns, and a title that says no demand
        optional = [(("Fleet by year" if title == "Fleet vs demand" else title),
                     frame.drop(columns=[c for c in _DEMAND_COLUMNS if c in frame.columns])
                     if frame is not None and title.startswith("Fleet") else frame)
                    for title, frame in optional]
    if simulation is not None:
        optional += [("Simulation summary", _frame_or_none(getattr(simulation, "summary", None))),
                     ("Tornado", _frame_or_none(getattr(simulation, "tornado", None)))]
    for title, frame in optional:
        if frame is not None:
            _write_frame(wb.create_sheet(title), frame, currency, bid_numbers=bid_numbers)
    for add in sheets:
        add(wb)
    if layout is not None:
        for title in ("Inputs", "Calculation"):  # after the optional sheets
            wb.move_sheet(title, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(title))
    _write_assumptions(wb, tender)

    from fleetcalc import __version__  # noqa: PLC0415

    wb.properties.title = _ILLEGAL.sub("\ufffd", str(tender.tender.name))
    wb.properties.creator = f"fleetcalc {__version__}"
    wb.calculation.fullCalcOnLoad = True
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
