"""The live model of the evaluation workbook: an *Inputs* sheet and a *Calculation* sheet.

:func:`write_model` writes every tender and bid input that drives the ledger
as a named cell (defined names such as ``discount_rate``, ``diesel_price``,
``bid_1_unit_price``) and, per bid, one block of rows ``t = 0..T`` whose
columns are formulas over those names: units in service, km, fuel,
maintenance, overhauls, escalation, payment milestones, initial support,
shortfall cost, residual value and discount factors. The *Cash flows* sheet
then refers to these cells, and :func:`adjustment_formula` turns the
result's adjustment lines into formulas where a line is a simple function of
the inputs.

Each formula block mirrors one library function (named in its column
header): the library holds the formulas, the workbook repeats them so that
a reviewer can change an input and see the ranking move. Figures that a
spreadsheet cannot reasonably hold (the fleet distribution behind the
shortfall, age-weighted maintenance units, loan schedules, price adjustment
indices, availability damages) are *marked values*: an orange fill, and a
note naming the library function they come from. Marked values are
undiscounted amounts or unit counts, so discounting stays a formula.

Every string from the tender is written as a text cell (formula-injection
safe); defined names are built from indices, never from tender text.
"""

from __future__ import annotations

import math

import attrs
import numpy as np

__all__ = ["CATEGORY_COLUMNS", "MARKED_FILL", "ModelLayout", "adjustment_formula",
           "bid_values", "write_model"]

#: Fill colour of a marked value (a figure fleetcalc computed, not a formula).
MARKED_FILL = "FCE4D6"
_INPUT_FILL = "FFF4CC"
_DERIVED_FILL = "E2EFDA"

#: Calculation sheet: column letter of each ledger category's amount.
CATEGORY_COLUMNS = {"energy": "G", "maintenance": "I", "overhaul": "K", "acquisition": "P",
                    "financing": "Q", "initial_support": "R", "shortfall": "T",
                    "residual_value": "U", "existing_fleet": "AA"}

_CALC_HEADER = [
    ("Bidder", None), ("Year t", None),
    ("Calendar year", "result.cash_flows: evaluation_year + t"),
    ("Units delivered (enter at t) [units]", "schedules.pad_delivery"),
    ("Units in service [units] (a marked value where km follow demand)",
     "schedules.units_in_service; with demand fleet.allocate_km"),
    ("km [km]", "lifecycle_cash_flows: km = units x annual_km"),
    ("Energy [{c}]", "lifecycle_cash_flows: E = km x L/km x diesel price x (1+e_E)^t"),
    ("Age-weighted units for maintenance [units] (marked value)",
     "fleet.maintenance_age_factor via evaluate.tender_arrays"),
    ("Maintenance [{c}]", "lifecycle_cash_flows: M = weighted units x km x cost/km x (1+e_M)^t"),
    ("Overhauls [units]", "schedules.overhaul_counts"),
    ("Overhaul [{c}]", "lifecycle_cash_flows: O = overhauls x cost x (1+e_O)^t"),
    ("Contract payments [units-equivalent]", "schedules.payment_shares"),
    ("Price adjustment factor [-] (marked value)", "financing.price_adjustment_factors"),
    ("Acquisition paid [units-equivalent] (= L x M; a marked value for a financed bid)",
     "financing.financing_schedules (acquisition_shares)"),
    ("Financing paid [units-equivalent] (marked value)",
     "financing.financing_schedules (financing_shares)"),
    ("Acquisition [{c}]", "lifecycle_cash_flows: unit price x acquisition paid"),
    ("Financing [{c}]", "lifecycle_cash_flows: unit price x financing paid"),
    ("Initial support [{c}]", "lifecycle_cash_flows: paid at the first delivery"),
    ("Shortfall [unit-days] (marked value, undiscounted)",
     "fleet.fleet_outlook (shortfall_unit_days)"),
    ("Shortfall [{c}]", "lifecycle_cash_flows: S = unit-days x cost x (1+e_S)^t"),
    ("Residual value [{c}]", "schedules.residual_units: -P x sum d_k max(0, 1 - a_k/L) at t=H"),
    ("Discount factor [-]", "finance.discount_factors"),
    ("Availability damages before cap [{c}] (marked value, undiscounted)",
     "adjustments.damage_schedules"),
    ("Damages to date, capped [{c}]", "adjustments._expected_damages: min(cumulative, cap)"),
    ("Delivered to date [units]", "schedules.first_delivery_time"),
    ("Damages receivable [{c}]", "adjustments._expected_damages"),
    ("Existing fleet [{c}]",
     "lifecycle_cash_flows: X = AB x annual_km x diesel price x (1+e_E)^t + AC"),
    ("Existing fleet, litre-weighted running units [L/km x units] (marked value)",
     "fleet.allocate_km via evaluate._existing_fleet_arrays"),
    ("Existing fleet maintenance and overhauls, and its fuel's exchange-rate path "
     "adjustment [{c}] (marked value, undiscounted)",
     "evaluate._existing_fleet_arrays via lifecycle_cash_flows"),
]
_MARKED_COLUMNS = {"H", "M", "O", "S", "W", "AB", "AC"}


@attrs.frozen
class ModelLayout:
    """Where the model's cells are.

    Attributes
    ----------
    bid_rows : dict
        ``{bidder: (first row, last row)}`` of each bid's block on *Calculation*
        (row of ``t = 0`` and of ``t = T``).
    names : dict
        ``{bid number: {key: defined name}}`` of each bid's inputs and derived cells.
    notes : tuple of str
        What is a formula and what is a marked value, for the *Summary* sheet.
    """

    bid_rows: dict
    names: dict
    notes: tuple

    def cell(self, bidder, category, year):
        """Reference of a ledger amount on the *Calculation* sheet.

        Parameters
        ----------
        bidder : str
        category : str
            A ledger category (:data:`fleetcalc.lifecycle.CATEGORIES`).
        year : int
            Time point ``t``.

        Returns
        -------
        str or None
            ``"Calculation!$G$12"``; None when the category or the year is not
            modelled (the ledger then shows fleetcalc's value, marked).
        """
        column = CATEGORY_COLUMNS.get(category)
        if column is None or bidder not in self.bid_rows:
            return None
        first, last = self.bid_rows[bidder]
        row = first + int(year)
        if row > last:
            return None
        return f"Calculation!${column}${row}"


def _money(value, currency):
    """``(amount, currency)`` of a plain number (in ``currency``) or a Money."""
    from fleetcalc.money import Money  # noqa: PLC0415

    if isinstance(value, Money):
        return float(value.amount), value.currency
    return (0.0 if value is None else float(value)), currency


class _Sheet:
    """The Inputs sheet being written: rows of (section, parameter, value, unit, name, note)."""

    def __init__(self, ws, helpers):
        self.ws = ws
        self.h = helpers
        self.row = 1
        self.names = {}
        styles = helpers._openpyxl().styles
        self.fills = {kind: styles.PatternFill("solid", fgColor=colour) for kind, colour in
                      (("input", _INPUT_FILL), ("marked", MARKED_FILL),
                       ("derived", _DERIVED_FILL))}

    def title(self, text):
        self.row += 1
        cell = self.h._text_cell(self.ws, self.row, 1, text)
        cell.font = self.h._openpyxl().styles.Font(bold=True)
        self.row += 1

    def put(self, section, parameter, value, unit="", name=None, *, kind="input",
            number_format=None, note=""):
        """One row; ``value`` a number, a text (always a text cell) or a formula (tuple)."""
        h, ws, r = self.h, self.ws, self.row
        h._text_cell(ws, r, 1, section)
        h._text_cell(ws, r, 2, parameter)
        fmt = number_format or h._DECIMAL
        if isinstance(value, tuple):  # ("formula", text) composed here, never tender text
            cell = h._formula_cell(ws, r, 3, value[1], fmt)
        elif isinstance(value, str):
            cell = h._text_cell(ws, r, 3, value)
        else:
            cell = h._number_cell(ws, r, 3, value, fmt)
        cell.fill = self.fills[kind]
        h._text_cell(ws, r, 4, unit)
        if name:
            h._text_cell(ws, r, 5, name)
            self.names[name] = f"Inputs!$C${r}"
        if note:
            h._text_cell(ws, r, 6, note)
        self.row += 1
        return name


    def derive(self, section, parameter, formula, unit, name, *, mirror, fleetcalc,
               source, number_format=None, note=""):
        """A derived cell: ``formula`` if its value (``mirror``, computed here the way the
        formula does) is fleetcalc's (``fleetcalc``), else fleetcalc's value, marked."""
        if _close(mirror, fleetcalc):
            return self.put(section, parameter, ("formula", formula), unit, name,
                            kind="derived", number_format=number_format,
                            note=note or f"mirrors {source}")
        return self.put(section, parameter, float(fleetcalc), unit, name, kind="marked",
                        number_format=number_format,
                        note=f"marked value: {source} (no formula of the workbook gives it)")


def _formula(text):
    return ("formula", text)


def write_model(wb, result, helpers):
    """Write the *Inputs* and *Calculation* sheets of ``result``'s tender.

    Parameters
    ----------
    wb : openpyxl.Workbook
        The workbook (sheets are appended).
    result : fleetcalc.EvaluationResult
    helpers : module
        :mod:`fleetcalc.reports.excel` (its cell writers).

    Returns
    -------
    ModelLayout
    """
    from openpyxl.utils import get_column_letter  # noqa: PLC0415
    from openpyxl.workbook.defined_name import DefinedName  # noqa: PLC0415

    from fleetcalc.evaluate import tender_arrays  # noqa: PLC0415
    from fleetcalc.financing import price_adjustment_factors  # noqa: PLC0415

    h = helpers
    tender = result.tender
    settings = tender.tender
    base = settings.base_currency
    rules = settings.evaluation
    arrays = tender_arrays(tender)
    horizon = settings.horizon_years
    periods = arrays.periods
    ws = wb.create_sheet("Inputs")
    sheet = _Sheet(ws, h)
    h._header(ws, 1, ["Section", "Parameter", "Value", "Unit", "Defined name", "Note"])
    sheet.row = 2
    money_fmt, rate_fmt, int_fmt = h._MONEY, "0.0000%", h._INTEGER

    # --- exchange rates: names by index, never from tender text ---
    currencies = [base] + sorted(c for c in settings.exchange_rates if c != base)
    fx = {}
    for i, code in enumerate(currencies):
        name = f"fx_{i}"
        if code == base:
            sheet.put("Exchange rates", code, 1.0, f"{base} per {code}", name, kind="derived",
                      number_format="General", note="base currency")
        else:
            sheet.put("Exchange rates", code, float(settings.exchange_rates[code]),
                      f"{base} per {code}", name, number_format="General")
        fx[code] = name

    def fx_of(currency):
        return fx.get(currency, "1")

    def rate(currency):
        return settings.rate(currency) if currency in fx else 1.0

    put = sheet.put
    put("Tender", "discount_rate", float(settings.discount_rate), "-/year", "discount_rate",
        number_format=rate_fmt)
    put("Tender", "horizon_years", int(horizon), "year", "horizon_years", number_format=int_fmt,
        note="fixes the number of rows of the Calculation sheet: not live")
    put("Tender", "evaluation_year", int(settings.evaluation_year), "year", "evaluation_year",
        number_format=int_fmt)
    put("Tender", "annual_km", float(settings.annual_km), "km/year", "annual_km")
    diesel, diesel_currency = _money(settings.prices.diesel_per_litre, base)
    put("Tender", "diesel_per_litre", diesel, f"{diesel_currency}/L", "diesel_price",
        number_format="#,##0.0000")
    sheet.derive("Tender", "diesel_per_litre in base currency",
                 f"=diesel_price*{fx_of(diesel_currency)}", f"{base}/L", "diesel_price_base",
                 mirror=diesel * rate(diesel_currency), fleetcalc=arrays.fuel_price,
                 source="evaluate.tender_arrays (fuel_price)", number_format="#,##0.000000")
    for category in ("energy", "maintenance", "overhaul", "shortfall"):
        put("Tender: escalation", category, float(arrays.escalation[category]), "-/year",
            f"escalation_{category}", number_format=rate_fmt)
    demand = settings.demand
    cost, cost_currency = _money(demand.shortfall_cost_per_unit_day if demand else 0.0, base)
    put("Tender: demand", "shortfall_cost_per_unit_day", cost, f"{cost_currency}/unit-day",
        "shortfall_cost")
    sheet.derive("Tender: demand", "shortfall cost in base currency",
                 f"=shortfall_cost*{fx_of(cost_currency)}", f"{base}/unit-day",
                 "shortfall_cost_base", mirror=cost * rate(cost_currency),
                 fleetcalc=arrays.shortfall_cost_per_unit_day,
                 source="evaluate.tender_arrays (shortfall_cost_per_unit_day)")
    put("Tender: commonality", "maintenance", float(settings.commonality.maintenance), "-",
        "saving_maintenance", number_format=rate_fmt)
    put("Tender: commonality", "initial_support", float(settings.commonality.initial_support),
        "-", "saving_initial_support", number_format=rate_fmt)
    put("Tender: evaluation", "load_guarantees", 1 if rules.load_guarantees else 0, "1 = yes",
        "load_guarantees", number_format=int_fmt)
    put("Tender: evaluation", "domestic_preference_margin",
        float(rules.domestic_preference_margin if rules.domestic_preference else 0.0), "-",
        "domestic_margin", number_format=rate_fmt)

    yearly_damages = _damages(tender, arrays)
    milestones = _ledger_payments(tender)
    common = np.array([bool(b.platform) and b.platform in {c.platform for c in tender.fleet
                                                             if c.platform}
                       for b in tender.bids])
    names = {}
    delivery_rows = {}
    for i, bid in enumerate(tender.bids, start=1):
        p = f"bid_{i}_"
        sec = f"Bid {i}"
        n = {}
        sheet.title(f"Bid {i}")
        put(sec, "bidder", bid.bidder, "", kind="derived")
        put(sec, "currency", bid.currency, "", kind="derived")

        def money(field, value, key, suffix="", section=sec, bid=bid, n=n, p=p):
            amount, currency = _money(value, bid.currency)
            n[key] = put(section, field, amount, currency + suffix, p + key,
                         number_format=money_fmt)
            n[key + "_fx"] = fx_of(currency)
            return amount, currency

        money("unit_price", bid.unit_price, "unit_price")
        n["quantity"] = put(sec, "quantity", int(bid.quantity), "units", p + "quantity",
                            number_format=int_fmt)
        n["warranty"] = put(sec, "warranty_years", int(bid.warranty_years), "year",
                            p + "warranty", number_format=int_fmt)
        for event in ("signing", "delivery", "acceptance"):
            share = sum(m.share for m in milestones[i - 1] if m.event == event)
            n[f"share_{event}"] = put(
                sec, f"payment share in the ledger: {event}", float(share), "-",
                p + f"share_{event}", number_format=rate_fmt,
                note="" if milestones[i - 1] is bid.payments else
                "the tender's required payment schedule (a payment line prices the bid's "
                "deviation): adjustments.ledger_payments")
        money("initial_support", bid.initial_support, "initial_support")
        n["fuel"] = put(sec, "fuel_litres_per_km", float(bid.fuel_litres_per_km), "L/km",
                        p + "fuel", number_format="0.0000")
        guarantee = bid.guarantees
        g_fuel = guarantee.fuel_litres_per_km if guarantee is not None else None
        put(sec, "guarantees: fuel_litres_per_km", "" if g_fuel is None else float(g_fuel),
            "L/km", p + "fuel_guarantee", number_format="0.0000")
        put(sec, "guarantees: fuel_tolerance",
            float(guarantee.fuel_tolerance) if guarantee is not None else 0.0, "-",
            p + "fuel_tolerance", number_format=rate_fmt)
        put(sec, "guarantees: damages_cap", float(yearly_damages[1][i - 1]), "- of the price",
            p + "damages_cap", number_format=rate_fmt,
            note="availability damages: the yearly amounts are marked values (Calculation W)")
        money("maintenance_per_km", bid.maintenance_per_km, "maintenance", "/km")
        money("overhaul_cost", bid.overhaul_cost, "overhaul_cost")
        put(sec, "overhaul_interval_years", int(bid.overhaul_interval_years or 0), "year",
            p + "interval", number_format=int_fmt, note="0 = no overhaul")
        put(sec, "service_life_years", int(bid.service_life_years), "year", p + "life",
            number_format=int_fmt)
        put(sec, "common platform with an existing cohort", 1 if common[i - 1] else 0,
            "1 = yes", p + "common", kind="marked", number_format=int_fmt,
            note="marked value: evaluate._commonality_mask (platform names)")
        money("evaluation: arithmetic_correction", bid.evaluation.arithmetic_correction,
              "correction")
        put(sec, "evaluation: discount", float(bid.evaluation.discount), "-", p + "discount",
            number_format=rate_fmt)
        priced = []
        for k, line in enumerate(bid.evaluation.priced_adjustments, start=1):
            amount, currency = _money(line.amount, bid.currency)
            put(sec, f"evaluation: priced adjustment {k}", amount, currency,
                p + f"priced_{k}", number_format=money_fmt)
            h._text_cell(ws, sheet.row - 1, 6, line.name)
            priced.append((p + f"priced_{k}", fx_of(currency)))
        n["priced"] = priced
        # derived cells (formulas over the inputs above)
        d = "derived"
        b = i - 1
        amount, currency = _money(bid.unit_price, bid.currency)
        sheet.derive(sec, "unit price in base currency", f"={p}unit_price*{n['unit_price_fx']}",
                     base, p + "price_base", mirror=amount * rate(currency),
                     fleetcalc=arrays.unit_price[b], source="evaluate.tender_arrays (unit_price)",
                     number_format=money_fmt)
        loaded = rules.load_guarantees and g_fuel is not None
        sheet.derive(sec, "fuel evaluated",
                     f"=IF(AND(load_guarantees=1,ISNUMBER({p}fuel_guarantee)),"
                     f"{p}fuel_guarantee*(1+{p}fuel_tolerance),{p}fuel)", "L/km",
                     p + "fuel_evaluated",
                     mirror=(g_fuel * (1.0 + guarantee.fuel_tolerance) if loaded
                             else float(bid.fuel_litres_per_km)),
                     fleetcalc=arrays.fuel_litres_per_km[b],
                     source="evaluate._evaluated_fuel", number_format="0.0000")
        saving = settings.commonality
        amount, currency = _money(bid.maintenance_per_km, bid.currency)
        sheet.derive(sec, "maintenance per km, base currency, after commonality",
                     f"={p}maintenance*{n['maintenance_fx']}*(1-{p}common*saving_maintenance)",
                     f"{base}/km", p + "maintenance_base",
                     mirror=amount * rate(currency) * (1 - common[b] * saving.maintenance),
                     fleetcalc=arrays.maintenance_per_km[b],
                     source="evaluate.tender_arrays (maintenance_per_km)",
                     number_format="#,##0.000000")
        amount, currency = _money(bid.initial_support, bid.currency)
        sheet.derive(sec, "initial support, base currency, after commonality",
                     f"={p}initial_support*{n['initial_support_fx']}*(1-{p}common"
                     f"*saving_initial_support)", base, p + "support_base",
                     mirror=amount * rate(currency) * (1 - common[b] * saving.initial_support),
                     fleetcalc=arrays.initial_support[b],
                     source="evaluate.tender_arrays (initial_support)", number_format=money_fmt)
        amount, currency = _money(bid.overhaul_cost, bid.currency)
        sheet.derive(sec, "overhaul cost in base currency",
                     f"={p}overhaul_cost*{n['overhaul_cost_fx']}", base, p + "overhaul_base",
                     mirror=amount * rate(currency), fleetcalc=arrays.overhaul_cost[b],
                     source="evaluate.tender_arrays (overhaul_cost)", number_format=money_fmt)
        put(sec, "overhaul interval evaluated", _formula(
            f"=IF({p}interval<{p}life,{p}interval,0)"), "year", p + "interval_evaluated",
            kind=d, number_format=int_fmt,
            note="mirrors evaluate.tender_arrays: an interval not shorter than the life: none")
        life = float(bid.service_life_years)
        ages = horizon - np.arange(horizon)
        sheet.derive(sec, "residual units (units-equivalent at t = H)",
                     f"=SUMPRODUCT({p}delivery,((1-(horizon_years-(batch_year-1))/{p}life)>0)*"
                     f"(1-(horizon_years-(batch_year-1))/{p}life))", "units",
                     p + "residual_units",
                     mirror=float((arrays.delivery[b] * np.maximum(0.0, 1 - ages / life)).sum()),
                     fleetcalc=arrays.residual_units[b], source="schedules.residual_units",
                     number_format="0.000000")
        put(sec, "contract price", _formula(f"={p}price_base*{p}quantity"), base,
            p + "contract", kind=d, number_format=money_fmt,
            note="mirrors adjustments.evaluate_adjustments (contract)")
        put(sec, "corrected price", _formula(
            f"={p}contract+{p}correction*{n['correction_fx']}"), base, p + "corrected", kind=d,
            number_format=money_fmt, note="mirrors adjustments.evaluate_adjustments")
        priced_sum = "".join(f"+{name}*{rate}" for name, rate in priced)
        put(sec, "price after corrections, discount and priced lines", _formula(
            f"={p}corrected*(1-{p}discount){priced_sum}"), base, p + "price_after", kind=d,
            number_format=money_fmt, note="mirrors adjustments.evaluate_adjustments")
        put(sec, "PV of the price as paid (acquisition + financing)", _formula(
            f"=SUMPRODUCT({p}acquisition+{p}financing,{p}discount_factor)"), base,
            p + "pv_price", kind=d, number_format=money_fmt,
            note="mirrors evaluate.evaluate (pv_price = PV acquisition + PV financing)")
        put(sec, "PV factor of price (rho)", _formula(
            f"=IF({p}contract>0,{p}pv_price/{p}contract,0)"), "-", p + "rho", kind=d,
            number_format="0.000000", note="mirrors adjustments.evaluate_adjustments")
        put(sec, "PV of availability damages receivable", _formula(
            f"=SUMPRODUCT({p}damages,{p}discount_factor)"), base, p + "pv_damages", kind=d,
            number_format=money_fmt, note="mirrors adjustments._expected_damages")
        names[i] = n

    # --- delivery by year: one row per bid ---
    sheet.title("Delivery by year as the ledger takes it (units entering service at the start "
                "of year k): the bid's own schedule, or the required one where the tender "
                "prices a delay by a delivery line (adjustments.evaluation_delivery)")
    r = sheet.row
    h._text_cell(ws, r, 1, "Year k")
    h._text_cell(ws, r, 2, "")
    last_col = get_column_letter(2 + horizon)
    for k in range(1, horizon + 1):
        h._number_cell(ws, r, 2 + k, k, int_fmt).fill = sheet.fills["derived"]
    sheet.names["batch_year"] = f"Inputs!$C${r}:${last_col}${r}"
    for i, bid in enumerate(tender.bids, start=1):
        r += 1
        h._text_cell(ws, r, 1, f"Bid {i}")
        h._text_cell(ws, r, 2, bid.bidder)
        for k in range(horizon):
            h._number_cell(ws, r, 3 + k, int(arrays.delivery[i - 1, k]), int_fmt).fill = \
                sheet.fills["input"]
        sheet.names[f"bid_{i}_delivery"] = f"Inputs!$C${r}:${last_col}${r}"
        delivery_rows[i] = r
    sheet.row = r + 2
    legend = [
        "Yellow: inputs of the tender file (change them to re-run the evaluation); green: "
        "formulas over the inputs; orange: marked values that fleetcalc computed and the "
        "workbook does not recompute (the Note names the source function).",
        "The Calculation sheet has one block per bid, years t = 0..T, whose columns are "
        "formulas over these named cells; the Cash flows sheet refers to its amounts.",
        "The Assumptions sheet lists every field of the tender file as read, for reference; "
        "the live inputs are on this sheet.",
    ]
    for line in legend:
        h._text_cell(ws, sheet.row, 1, line)
        sheet.row += 1
    ws.freeze_panes = "A2"
    h._size_columns(ws, maximum=50)
    ws.column_dimensions["C"].width = 18

    # --- Calculation sheet ---
    cs = wb.create_sheet("Calculation")
    pa = price_adjustment_factors(tender, periods)
    intro = [
        "One block per bid, years t = 0..T. Columns are formulas over the Inputs sheet "
        "(each header names the library function it mirrors) except the orange marked "
        "values, which fleetcalc computed:",
        "H: age-weighted units for maintenance (fleet.maintenance_age_factor); M: price "
        "adjustment factors (financing.price_adjustment_factors); N, O: acquisition and "
        "financing shares of a financed bid (financing.financing_schedules: loan "
        "schedules); S: expected shortfall unit-days (fleet.fleet_outlook: the exact fleet "
        "distribution); W: availability damages before the cap "
        "(adjustments.damage_schedules).",
        "Marked values are undiscounted unit counts, shares or amounts: the discount rate, "
        "prices, escalation, the cap and discounting act on them through formulas. They do "
        "not move when delivery, reliability, life or financing inputs change: re-run "
        "fleetcalc for those.",
    ]
    for k, line in enumerate(intro, start=1):
        h._text_cell(cs, k, 1, line)
    styles = h._openpyxl().styles
    marked_fill = sheet.fills["marked"]
    bold = styles.Font(bold=True)
    row = len(intro) + 2
    bid_rows = {}
    for i, bid in enumerate(tender.bids, start=1):
        b = i - 1
        p = f"bid_{i}_"
        h._text_cell(cs, row, 1, f"Bid {i}").font = bold
        h._text_cell(cs, row, 2, bid.bidder).font = bold
        row += 1
        h._header(cs, row, [label.format(c=base) for label, _ in _CALC_HEADER])
        row += 1
        for j, (_, source) in enumerate(_CALC_HEADER, start=1):
            if source:
                h._text_cell(cs, row, j, source).font = styles.Font(italic=True, size=8)
        row += 1
        first, last = row, row + periods - 1
        bid_rows[bid.bidder] = (first, last)
        financed = bool(arrays.financing.financed[b]) if hasattr(
            arrays.financing, "financed") else False
        mirrors = _schedule_mirrors(bid, milestones[b], arrays.delivery[b], horizon, periods)
        ledger = result.cash_flows
        mine = ledger[(ledger["bidder"] == bid.bidder) & (ledger["category"] == "existing_fleet")]
        existing = dict(zip(mine["year"].astype(int), mine["amount"].astype(float)))
        existing_fuel = (np.zeros(0) if arrays.existing_fuel_units is None
                         else np.asarray(arrays.existing_fuel_units[b], dtype=float))
        live = {  # a column stays a formula only where its mirror gives fleetcalc's numbers
            "E": _same(mirrors["units"], arrays.units_in_service[b]),
            "J": _same(mirrors["overhauls"], arrays.overhaul_counts[b]),
            "L": _same(mirrors["contract"] * pa[b],
                       _pad(arrays.contract_payment_shares[b], periods)),
            "R": mirrors["first"] == int(arrays.first_delivery_time[b]),
        }
        own_acquisition = (not financed) and live["L"] and _same(
            arrays.payment_shares[b], mirrors["contract"] * pa[b])
        fallbacks = [column for column, ok in live.items() if not ok]
        if fallbacks:
            h._text_cell(cs, first - 3, 3, "marked values (the library's schedule, which the "
                                           "formula does not reproduce) in column(s) "
                                           + ", ".join(fallbacks)).fill = sheet.fills["marked"]
        for t in range(periods):
            r = first + t
            f = lambda column, text, fmt=h._MONEY, r=r: h._formula_cell(  # noqa: E731
                cs, r, ord(column) - 64, text, fmt)
            h._text_cell(cs, r, 1, bid.bidder)
            h._number_cell(cs, r, 2, t, int_fmt)
            f("C", f"=evaluation_year+B{r}", int_fmt)
            f("D", f"=IF(B{r}+1<=horizon_years,INDEX({p}delivery,1,B{r}+1),0)", int_fmt)
            f("E", f"=IF(OR(B{r}<1,B{r}>horizon_years),0,SUMPRODUCT({p}delivery,"
                   f"(batch_year<=B{r})*(B{r}-batch_year<{p}life)))", h._DECIMAL)
            f("F", f"=E{r}*annual_km", h._DECIMAL)
            f("G", f"=F{r}*{p}fuel_evaluated*diesel_price_base*(1+escalation_energy)^B{r}")
            units = float(arrays.maintenance_units[b, t]) if t <= horizon else 0.0
            h._number_cell(cs, r, 8, units, "#,##0.000000").fill = marked_fill
            f("I", f"=H{r}*annual_km*{p}maintenance_base*(1+escalation_maintenance)^B{r}")
            f("J", f"=IF(OR(B{r}<1,B{r}>horizon_years,{p}interval_evaluated=0),0,SUMPRODUCT("
                   f"{p}delivery,(B{r}-batch_year+1>0)*(MOD(B{r}-batch_year+1,"
                   f"MAX({p}interval_evaluated,1))=0)*(B{r}-batch_year+1<{p}life)))", int_fmt)
            f("K", f"=J{r}*{p}overhaul_base*(1+escalation_overhaul)^B{r}")
            for column, values in (("E", arrays.units_in_service[b]),
                                   ("J", arrays.overhaul_counts[b])):
                if not live[column]:
                    h._number_cell(cs, r, ord(column) - 64,
                                   float(values[t]) if t < len(values) else 0.0,
                                   h._DECIMAL).fill = marked_fill
            f("L", f"=IF(B{r}=0,{p}share_signing*{p}quantity,0)"
                   f"+IF(B{r}+1<=horizon_years,{p}share_delivery*INDEX({p}delivery,1,B{r}+1),0)"
                   f"+IF(AND(B{r}-{p}warranty+1>=1,B{r}-{p}warranty+1<=horizon_years),"
                   f"{p}share_acceptance*INDEX({p}delivery,1,B{r}-{p}warranty+1),0)",
              "0.000000")
            if not live["L"]:
                paid = _pad(arrays.contract_payment_shares[b], periods)[t]
                h._number_cell(cs, r, 12, paid / pa[b, t] if pa[b, t] else 0.0,
                               "0.000000").fill = marked_fill
            h._number_cell(cs, r, 13, float(pa[b, t]), "0.000000").fill = marked_fill
            if own_acquisition:
                f("N", f"=L{r}*M{r}", "0.000000")
            else:
                h._number_cell(cs, r, 14, float(arrays.payment_shares[b, t]),
                               "0.000000").fill = marked_fill
            h._number_cell(cs, r, 15, float(arrays.financing_shares[b, t]),
                           "0.000000").fill = marked_fill
            f("P", f"={p}price_base*N{r}")
            f("Q", f"={p}price_base*O{r}")
            if live["R"]:
                f("R", f"=IF(IF(SUM({p}delivery)=0,B{r}=0,AND(Y{r}>0,Y{r}-D{r}=0)),"
                       f"{p}support_base,0)")
            else:
                f("R", f"=IF(B{r}={int(arrays.first_delivery_time[b])},{p}support_base,0)")
                cs.cell(row=r, column=18).fill = marked_fill
            days = float(arrays.shortfall_unit_days[b, t]) if t <= horizon else 0.0
            h._number_cell(cs, r, 19, days, "#,##0.000000").fill = marked_fill
            f("T", f"=S{r}*shortfall_cost_base*(1+escalation_shortfall)^B{r}")
            f("U", f"=IF(B{r}=horizon_years,-{p}price_base*{p}residual_units,0)")
            f("V", f"=1/(1+discount_rate)^B{r}", h._FACTOR)
            damage = float(yearly_damages[0][b, t - 1]) if 1 <= t <= horizon else 0.0
            h._number_cell(cs, r, 23, damage, h._MONEY).fill = marked_fill
            f("X", f"=MIN(SUM(W${first}:W{r}),{p}damages_cap*{p}contract)")
            f("Y", f"=SUMPRODUCT({p}delivery,(batch_year<=B{r}+1)*1)", int_fmt)
            # column Y is the delivered-to-date helper; damages receivable go to Z
            f("Z", f"=X{r}-IF(B{r}=0,0,X{r - 1})" if t else f"=X{r}")
            # issue 13: the existing cohorts' running under this bid (km allocation)
            fuel_units = float(existing_fuel[t]) if t < len(existing_fuel) else 0.0
            fuel_money = fuel_units * float(arrays.annual_km) * float(arrays.fuel_price) * (
                1.0 + float(arrays.escalation["energy"])) ** t
            h._formula_cell(cs, r, 27, f"=AB{r}*annual_km*diesel_price_base"
                                       f"*(1+escalation_energy)^B{r}+AC{r}", h._MONEY)
            h._number_cell(cs, r, 28, fuel_units, "#,##0.000000").fill = marked_fill
            h._number_cell(cs, r, 29, existing.get(t, 0.0) - fuel_money,
                           h._MONEY).fill = marked_fill
        # ranges of the block for the Inputs' derived cells
        for key, column in (("acquisition", "P"), ("financing", "Q"), ("discount_factor", "V"),
                            ("damages", "Z")):
            sheet.names[p + key] = f"Calculation!${column}${first}:${column}${last}"
        row = last + 3
    # header of the last two columns: Y is "Delivered to date", Z "Damages receivable"
    cs.freeze_panes = "C1"
    for j in range(1, len(_CALC_HEADER) + 2):
        cs.column_dimensions[get_column_letter(j)].width = 16 if j > 2 else 28

    for name, reference in sheet.names.items():
        wb.defined_names[name] = DefinedName(name, attr_text=reference)
    notes = (
        "Inputs: every tender and bid input that drives the ledger, as named cells; "
        "Calculation: the cash flows of each bid as formulas over them; orange cells are "
        "marked values (fleet distribution, ageing, loan schedules, price adjustment, "
        "availability damages) that fleetcalc computed, undiscounted.",
    )
    return ModelLayout(bid_rows=bid_rows, names=names, notes=notes)


def _schedule_mirrors(bid, milestones, delivery, horizon, periods):
    """The Calculation sheet's schedule formulas, computed here the same way.

    Returns
    -------
    dict
        ``units`` and ``overhauls`` ``(H + 1,)``, ``contract`` ``(periods,)`` and the
        time ``first`` of the first delivery, as the workbook's formulas compute them.
    """
    d = np.asarray(delivery, dtype=float)
    k = np.arange(1, horizon + 1)
    t = np.arange(horizon + 1)[:, None]
    life = bid.service_life_years
    interval = bid.overhaul_interval_years or 0
    interval = interval if interval < life else 0
    units = ((k <= t) & (t - k < life) & (t >= 1)) @ d
    elapsed = t - k + 1
    due = (elapsed > 0) & (elapsed % max(interval, 1) == 0) & (elapsed < life) & (t >= 1)
    overhauls = (due @ d) if interval else np.zeros(horizon + 1)
    shares = {e: sum(m.share for m in milestones if m.event == e)
              for e in ("signing", "delivery", "acceptance")}
    contract = np.zeros(periods)
    contract[0] += shares["signing"] * bid.quantity
    for j, n in enumerate(d):  # batch of year j + 1, entering at t = j
        if j < periods:
            contract[j] += shares["delivery"] * n
        if j + bid.warranty_years < periods:
            contract[j + bid.warranty_years] += shares["acceptance"] * n
    first = int(np.argmax(d > 0)) if d.any() else 0
    return {"units": units, "overhauls": overhauls, "contract": contract, "first": first}


def _same(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n = max(a.size, b.size)
    return bool(np.allclose(_pad(a, n), _pad(b, n), rtol=1e-12, atol=1e-9))


def _pad(values, periods):
    out = np.zeros(periods)
    out[: min(len(values), periods)] = values[:periods]
    return out


def _ledger_payments(tender):
    """Payment milestones of each bid as the ledger pays them
    (:func:`fleetcalc.adjustments.ledger_payments` where the library has it: the
    required schedule when the tender gives one; else the bid's own)."""
    from fleetcalc import adjustments  # noqa: PLC0415

    if hasattr(adjustments, "ledger_payments"):
        return list(adjustments.ledger_payments(tender))
    return [bid.payments for bid in tender.bids]


def _damages(tender, arrays):
    """Yearly availability damages before the cap ``(n_bids, H)`` and the caps ``(n_bids,)``
    (:func:`fleetcalc.adjustments.damage_schedules`; zeros if the library has none)."""
    try:
        from fleetcalc.adjustments import damage_schedules  # noqa: PLC0415

        yearly, cap, _ = damage_schedules(tender, arrays)
    except (ImportError, AttributeError, TypeError, ValueError):
        n = len(tender.bids)
        return np.zeros((n, arrays.horizon_years)), np.zeros(n)
    return np.asarray(yearly, dtype=float), np.asarray(cap, dtype=float)


def adjustment_formula(line, bid_number, bid, tender, values):
    """A formula for one adjustment line, or None when it is a marked value.

    The line's formula mirrors :func:`fleetcalc.adjustments.evaluate_adjustments`
    for its stage, over the *Inputs* names of bid ``bid_number``; it is kept
    only if its value, computed here from the same inputs, equals the line's
    amount (so a rule that changes in the library falls back to a marked
    value rather than to a wrong formula).

    Parameters
    ----------
    line : Mapping
        ``stage``, ``name``, ``amount``, ``basis`` of the line.
    bid_number : int
        1-based number of the bid in the tender.
    bid : fleetcalc.tender.Bid
    tender : fleetcalc.Tender
    values : Mapping
        This bid's ``rho``, ``contract``, ``price_base``, ``pv_damages`` (floats).

    Returns
    -------
    tuple of (str, str) or None
        ``(formula, what it mirrors)``.
    """
    settings = tender.tender
    p = f"bid_{bid_number}_"
    stage = line.get("stage")
    amount = float(line["amount"])
    found = bid.evaluation
    correction, currency = _money(found.arithmetic_correction, bid.currency)
    correction_base = settings.to_base(correction, currency)
    fx_corr = _fx_name(settings, currency)
    corrected = values["contract"] + correction_base
    candidate = None
    if stage == "conversion":
        candidate = ("=0", 0.0, "information line (single exchange rate)")
    elif stage == "correction":
        candidate = (f"={p}correction*{fx_corr}*{p}rho", correction_base * values["rho"],
                     "correction x PV factor of price")
    elif stage == "discount":
        candidate = (f"=-{p}discount*{p}corrected*{p}rho",
                     -found.discount * corrected * values["rho"],
                     "-discount x corrected price x PV factor of price")
    elif stage == "priced":
        for k, item in enumerate(found.priced_adjustments, start=1):
            value, cur = _money(item.amount, bid.currency)
            if item.name == line.get("name") and _close(settings.to_base(value, cur), amount):
                candidate = (f"={p}priced_{k}*{_fx_name(settings, cur)}", amount,
                             "priced amount x exchange rate")
                break
    elif stage in {"delivery", "payment"} and values["price_base"]:
        coefficient = amount / values["price_base"]
        candidate = (f"={coefficient!r}*{p}price_base", amount,
                     f"unit price x {coefficient:.10g} (marked coefficient: "
                     f"evaluation_rules, proportional to the unit price)")
    elif stage == "guarantee":
        candidate = (f"=-{p}pv_damages", -values["pv_damages"],
                     "-PV of capped availability damages (Calculation columns W-Z)")
    elif stage == "domestic_preference" and amount:
        # the margin on a price basis, at t = 0 or valued with the PV factor of price; whether
        # the margin applies at all (the group procedure) is fleetcalc's decision
        margin = settings.evaluation.domestic_preference_margin
        for basis, price in ((f"{p}price_after", values["price_after"]),
                             (f"{p}corrected", corrected)):
            for factor, scale, text in (("", 1.0, ""),
                                        (f"*{p}rho", values["rho"], " x PV factor of price")):
                if _close(margin * price * scale, amount):
                    candidate = (f"=domestic_margin*{basis}{factor}", amount,
                                 f"margin x {basis.removeprefix(p).replace('_', ' ')} price"
                                 f"{text} (whether it applies: fleetcalc's decision)")
                    break
            if candidate is not None:
                break
    if candidate is None or not _close(candidate[1], amount):
        return None
    return candidate[0], candidate[2]


def _fx_name(settings, currency):
    base = settings.base_currency
    currencies = [base] + sorted(c for c in settings.exchange_rates if c != base)
    return f"fx_{currencies.index(currency)}" if currency in currencies else "1"


def _close(a, b):
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def bid_values(result):
    """Per bid, the values that :func:`adjustment_formula` checks its formulas against.

    Parameters
    ----------
    result : fleetcalc.EvaluationResult

    Returns
    -------
    dict
        ``{bidder: {"price_base", "contract", "rho", "price_after", "pv_damages"}}``
        in the base currency, from the evaluation's present values.
    """
    from fleetcalc.evaluate import tender_arrays  # noqa: PLC0415
    from fleetcalc.finance import npv  # noqa: PLC0415

    tender = result.tender
    settings = tender.tender
    arrays = tender_arrays(tender)
    contract = arrays.unit_price * np.array([bid.quantity for bid in tender.bids])
    yearly, cap = _damages(tender, arrays)
    # as the Calculation sheet's columns W-Z: capped cumulative damages, discounted
    capped = np.diff(np.minimum(np.cumsum(yearly, axis=1), (cap * contract)[:, None]),
                     axis=1, prepend=0.0)
    damages = npv(arrays.discount_rate, np.concatenate(
        [np.zeros((len(tender.bids), 1)), capped], axis=1))
    pv = result.pv_by_category
    out = {}
    for b, bid in enumerate(tender.bids):
        pv_price = float(pv.loc[bid.bidder, "acquisition"] + pv.loc[bid.bidder, "financing"]) \
            if bid.bidder in pv.index else float("nan")
        found = bid.evaluation
        corrected = contract[b] + settings.to_base(*_money(found.arithmetic_correction,
                                                          bid.currency))
        priced = sum(settings.to_base(*_money(item.amount, bid.currency))
                     for item in found.priced_adjustments)
        out[bid.bidder] = {
            "price_base": float(arrays.unit_price[b]), "contract": float(contract[b]),
            "rho": pv_price / contract[b] if contract[b] > 0 else 0.0,
            "price_after": float(corrected * (1.0 - found.discount) + priced),
            "pv_damages": float(damages[b])}
    return out
