"""Bid data forms: Excel workbooks that bidders fill in, and reading them back.

:func:`write_forms` writes one form per bidder of a tender (or one blank
form); :func:`read_forms` reads filled forms and returns the tender with their
bids, checked by the same loader as a tender file
(:func:`fleetcalc.io.tender_file.structure_tender`); :func:`import_forms`
also writes the result to a TOML file without ever losing the input.

A form has the sheets ``About`` (the tender, the layout; locked),
``Price schedule``, ``Technical data``, ``Guarantees`` and ``Financing``.
Each input row reads ``Key | Item | Value | Unit | Currency | Allowed |
Default``: the key path in the ``[[bids]]`` table, the key's meaning (also as
the value cell's comment), the input cell, its unit, an optional currency
(money rows only; blank is the bid's currency), the allowed range (also an
Excel data validation) and the default. Sheets and workbook structure are
protected; only the input cells are unlocked. Every text from the tender or a
bid is written as a text cell (never a formula), and on reading a formula, an
error value, an extra sheet or a moved key is reported, never evaluated.

Every problem is reported at once, each naming the form file, the sheet, the
cell and the key path::

    forms/acme.xlsx, sheet 'Price schedule', cell C9: bids[ACME].unit_price = 'abc': ...
"""

from __future__ import annotations

import ast
import os
import re
import tempfile
import typing
from pathlib import Path

import attrs

from fleetcalc.exceptions import Problem, TenderError
from fleetcalc.money import Money
from fleetcalc.tender import (
    PAYMENT_EVENTS,
    Ageing,
    Bid,
    Financing,
    Guarantees,
    PaymentMilestone,
    PriceAdjustment,
)
from fleetcalc.validation import INVALID, integer

__all__ = ["FORM_VERSION", "SHEETS", "form_layout", "write_form", "write_forms", "read_forms",
           "import_forms", "form_file_name"]

#: Version of the form layout, stored in the About sheet and checked on reading.
FORM_VERSION = 1

#: The input sheets of a form, in order (the About sheet comes first).
SHEETS = ("Price schedule", "Technical data", "Guarantees", "Financing")

#: Columns of an input row.
HEADER = ("Key", "Item", "Value", "Unit", "Currency", "Allowed", "Default")
_KEY, _ITEM, _VALUE, _UNIT, _CURRENCY, _ALLOWED, _DEFAULT = range(1, 8)
_FIRST_ROW = 4  # rows 1-2 title and note, row 3 the header

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_RULE = re.compile(r"^(>=|>|<=) (-?[0-9.e+-]+)$")


@attrs.frozen
class Row:
    """One row of a form: a section heading (``key`` None) or an input.

    Attributes
    ----------
    key : str or None
        Key path in the ``[[bids]]`` table: ``unit_price``, ``ageing.failure_rate_growth``,
        ``payments.signing``, ``delivery[0]``, ``financing.reference_rate[0]``.
    label : str
        The key's meaning (a section's title for a heading).
    unit, allowed, default : str
        As shown in the row.
    kind : {"number", "integer", "money", "text", "choice", "currency"}
    low, high : tuple or None
        ``(operator, bound)`` of the Excel data validation, e.g. ``(">=", 0.0)``.
    choices : tuple of str
        Allowed values of a choice.
    """

    key: str | None
    label: str
    unit: str = ""
    allowed: str = ""
    default: str = ""
    kind: str = "number"
    low: tuple | None = None
    high: tuple | None = None
    choices: tuple = ()


def _bounds(rules):
    low = high = None
    for rule in rules:
        match = _RULE.match((rule.__doc__ or "").strip())
        if match:
            op, bound = match.group(1), float(match.group(2))
            if op == "<=":
                high = (op, bound)
            else:
                low = (op, bound)
        elif (rule.__doc__ or "").startswith("money >= "):
            low = (">=", float(rule.__doc__.split()[-1]))
    return low, high


def _choices(rules):
    for rule in rules:
        doc = rule.__doc__ or ""
        if doc.startswith("one of "):
            return tuple(ast.literal_eval(f"({doc[len('one of '):]},)"))
    return ()


def _allowed_text(kind, low, high, choices):
    if choices:
        return "one of " + ", ".join(choices)
    parts = {"integer": ["whole number"], "money": ["amount"], "number": ["number"],
             "text": ["text"], "currency": ["currency code"]}[kind]
    parts += [f"{b[0]} {b[1]:g}" for b in (low, high) if b]
    return parts[0] + (", " + " and ".join(parts[1:]) if parts[1:] else "")


def _default_text(attribute):
    if attribute.default is attrs.NOTHING:
        return "required"
    if attribute.metadata.get("optional") and attribute.default is None:
        return "blank: none"
    default = attribute.default
    if isinstance(default, attrs.Factory):
        return ""
    return f"{default:g}" if isinstance(default, float) else str(default)


def _field_row(cls, name, prefix="", *, default=None):
    attribute = attrs.fields_dict(cls)[name]
    meta = attribute.metadata
    rules = meta.get("rules", ())
    hint = typing.get_type_hints(cls)[name]
    args = typing.get_args(hint)
    if Money in args:
        kind = "money"
    elif hint is int or int in args:
        kind = "integer"
    elif hint is str or str in args:
        kind = "currency" if name == "currency" else "text"
    else:
        kind = "number"
    choices = _choices(rules)
    if choices:
        kind = "choice"
    low, high = _bounds(rules)
    return Row(key=prefix + name, label=meta.get("doc", ""), unit=meta.get("unit") or "",
               allowed=_allowed_text(kind, low, high, choices),
               default=_default_text(attribute) if default is None else default,
               kind=kind, low=low, high=high, choices=choices)


def _heading(title):
    return Row(key=None, label=title)


def form_layout(*, evaluation_year, delivery_years, reference_rate_years):
    """The rows of each input sheet of a form.

    Parameters
    ----------
    evaluation_year : int
        Calendar year of t = 0, shown next to the delivery years.
    delivery_years : int
        Rows of the delivery schedule (the tender's horizon).
    reference_rate_years : int
        Rows of the floating reference rate.

    Returns
    -------
    dict of str to list of Row
        Sheet name -> rows, starting at row 4 of the sheet.

    Examples
    --------
    >>> layout = form_layout(evaluation_year=2026, delivery_years=3, reference_rate_years=2)
    >>> [row.key for row in layout["Price schedule"]][:4]
    [None, 'bidder', 'currency', 'notes']
    >>> layout["Price schedule"][-1].label
    'Units entering service at the start of year 3 (2028)'
    """
    price = [
        _heading("Bidder"),
        *[_field_row(Bid, n) for n in ("bidder", "currency", "notes")],
        _heading("Price"),
        *[_field_row(Bid, n) for n in ("unit_price", "quantity", "initial_support",
                                       "warranty_years")],
        _heading("Payment milestones (shares sum to 1; all blank: all on delivery)"),
        *[attrs.evolve(_field_row(PaymentMilestone, "share"), key=f"payments.{event}",
                       label=f"Share of the price paid at {event}.",
                       default="blank: none" if event != "delivery" else "1 if all blank")
          for event in PAYMENT_EVENTS],
        _heading("Price adjustment P1 = P0 (a + b L1/L0 + c M1/M0) (all blank: fixed price)"),
        *[_field_row(PriceAdjustment, n, "price_adjustment.") for n in ("a", "b", "c")],
        _heading("Delivery schedule (units entering service; sums to the quantity)"),
        *[Row(key=f"delivery[{k}]",
              label=f"Units entering service at the start of year {k + 1} "
                    f"({evaluation_year + k})",
              unit="units", allowed="whole number, >= 0", default="0", kind="integer",
              low=(">=", 0.0))
          for k in range(delivery_years)],
    ]
    technical = [
        _heading("Locomotive"),
        *[_field_row(Bid, n) for n in ("model", "platform", "service_life_years",
                                       "fuel_litres_per_km")],
        _heading("Maintenance and overhauls"),
        *[_field_row(Bid, n) for n in ("maintenance_per_km", "overhaul_interval_years",
                                       "overhaul_cost", "scheduled_maintenance_days",
                                       "overhaul_downtime_days")],
        _heading("Reliability"),
        *[_field_row(Bid, n) for n in ("mtbf_hours", "mean_downtime_hours")],
        _heading("Ageing"),
        *[_field_row(Ageing, n, "ageing.") for n in ("failure_rate_growth",
                                                     "maintenance_cost_growth",
                                                     "overhaul_restoration")],
    ]
    guarantees = [
        _heading("Performance guarantees (all blank: none offered)"),
        *[_field_row(Guarantees, a.name, "guarantees.") for a in attrs.fields(Guarantees)],
    ]
    scalars = [a.name for a in attrs.fields(Financing) if a.name != "reference_rate"]
    rate = attrs.fields_dict(Financing)["reference_rate"]
    financing = [
        _heading("Financing offer (all blank: none offered)"),
        *[_field_row(Financing, n, "financing.") for n in scalars],
        _heading("Floating reference rate by year (a fixed rate: leave blank; "
                 "the last value holds after)"),
        *[Row(key=f"financing.reference_rate[{k}]",
              label=f"Reference rate per year in year {k + 1} of the loan, decimal.",
              unit=rate.metadata.get("unit") or "", allowed="number, > -1",
              default="blank: none", kind="number", low=(">", -1.0))
          for k in range(reference_rate_years)],
    ]
    layout = {"Price schedule": price, "Technical data": technical, "Guarantees": guarantees,
              "Financing": financing}
    optional = ("price_adjustment.", "guarantees.", "financing.")
    return {title: [attrs.evolve(row, default="required if offered")
                    if (row.key or "").startswith(optional) and row.default == "required"
                    else row for row in rows]
            for title, rows in layout.items()}


def form_file_name(bidder, taken=()):
    """A safe file name for a bidder's form (ASCII letters, digits and dashes).

    Examples
    --------
    >>> form_file_name("Wabtec (GE Transportation)")
    'bid-form-wabtec-ge-transportation.xlsx'
    >>> form_file_name("../../etc", taken={"bid-form-etc.xlsx"})
    'bid-form-etc-2.xlsx'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", str(bidder).lower()).strip("-")[:60] or "bidder"
    name, n = f"bid-form-{slug}.xlsx", 2
    while name in taken:
        name, n = f"bid-form-{slug}-{n}.xlsx", n + 1
    return name


# -- writing -----------------------------------------------------------------------------------


def _text_cell(ws, coordinate, value):
    """A text cell that is never a formula (formula-like text gets the quote prefix)."""
    text = _ILLEGAL.sub("\ufffd", str(value))
    cell = ws[coordinate]
    cell.value = text
    cell.data_type = "s"
    if text.startswith(_FORMULA_TRIGGERS):
        cell.quotePrefix = True
    return cell


def _bid_values(bid):
    """Key path -> (value, currency or None) of a bid, as the form shows them."""
    values = {}

    def put(key, value):
        if value is None:
            return
        if isinstance(value, Money):
            values[key] = (value.amount, value.currency)
        else:
            values[key] = (value, None)

    for name in ("bidder", "currency", "notes", "unit_price", "quantity", "initial_support",
                 "warranty_years", "model", "platform", "service_life_years",
                 "fuel_litres_per_km", "maintenance_per_km", "overhaul_interval_years",
                 "overhaul_cost", "scheduled_maintenance_days", "overhaul_downtime_days",
                 "mtbf_hours", "mean_downtime_hours"):
        put(name, getattr(bid, name))
    for milestone in bid.payments:
        put(f"payments.{milestone.event}", milestone.share)
    for k, units in enumerate(bid.delivery):
        put(f"delivery[{k}]", units)
    for prefix, table in (("ageing.", bid.ageing), ("guarantees.", bid.guarantees),
                          ("price_adjustment.", bid.price_adjustment),
                          ("financing.", bid.financing)):
        if table is None:
            continue
        for attribute in attrs.fields(type(table)):
            value = getattr(table, attribute.name)
            if attribute.name == "reference_rate" and value is not None:
                for k, rate in enumerate(value if isinstance(value, tuple) else (value,)):
                    put(f"financing.reference_rate[{k}]", rate)
            else:
                put(prefix + attribute.name, value)
    return values


def _validation(row, currencies):
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

    if row.kind in ("choice", "currency"):
        choices = row.choices or tuple(currencies)
        return DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                              allow_blank=True)
    if row.kind == "text":
        return DataValidation(type="textLength", operator="greaterThan", formula1="0",
                              allow_blank=True)
    kind = "whole" if row.kind == "integer" else "decimal"
    ops = {">=": "greaterThanOrEqual", ">": "greaterThan", "<=": "lessThanOrEqual"}
    if row.low and row.high:  # between is inclusive; a strict bound is checked on import
        return DataValidation(type=kind, operator="between", formula1=f"{row.low[1]!r}",
                              formula2=f"{row.high[1]!r}", allow_blank=True)
    bound = row.low or row.high
    if bound:
        return DataValidation(type=kind, operator=ops[bound[0]], formula1=f"{bound[1]!r}",
                              allow_blank=True)
    return DataValidation(type=kind, operator="between", formula1="-1E+15",
                          formula2="1E+15", allow_blank=True)


def _write_sheet(wb, title, rows, values, currencies):
    from openpyxl.comments import Comment  # noqa: PLC0415
    from openpyxl.styles import Font, PatternFill, Protection  # noqa: PLC0415

    ws = wb.create_sheet(title)
    _text_cell(ws, "A1", title).font = Font(bold=True, size=14)
    _text_cell(ws, "A2", "Fill in the yellow cells only; leave a cell blank for its default. "
                         "Money is in the bid's currency unless a currency is given.")
    for column, name in enumerate(HEADER, start=1):
        _text_cell(ws, f"{chr(64 + column)}3", name).font = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    validations = {}
    for r, row in enumerate(rows, start=_FIRST_ROW):
        if row.key is None:
            _text_cell(ws, f"B{r}", row.label).font = Font(bold=True)
            continue
        _text_cell(ws, f"A{r}", row.key)
        _text_cell(ws, f"B{r}", row.label)
        for column, text in ((_UNIT, row.unit), (_ALLOWED, row.allowed),
                             (_DEFAULT, row.default)):
            if text:
                _text_cell(ws, f"{chr(64 + column)}{r}", text)
        inputs = [f"C{r}"] + ([f"E{r}"] if row.kind == "money" else [])
        value, currency = values.get(row.key, (None, None))
        cell = ws[f"C{r}"]
        if value is not None:
            if row.kind in ("text", "choice", "currency"):
                _text_cell(ws, f"C{r}", value)
            else:
                cell.value = value
        if currency is not None:
            _text_cell(ws, f"E{r}", currency)
        comment = Comment(f"{row.key}: {row.label}" + (f" [{row.unit}]" if row.unit else ""),
                          "fleetcalc")
        comment.width, comment.height = 300, 120
        cell.comment = comment
        for coordinate in inputs:
            ws[coordinate].protection = Protection(locked=False)
            ws[coordinate].fill = fill
        key = (row.kind, row.low, row.high, row.choices)
        if key not in validations:
            validations[key] = _validation(row, currencies)
            validations[key].error = f"Allowed: {row.allowed}"
            validations[key].errorTitle = "Not allowed"
            validations[key].showErrorMessage = True
            ws.add_data_validation(validations[key])
        validations[key].add(f"C{r}")
        if row.kind == "money":
            if ("currency",) not in validations:
                validations[("currency",)] = _validation(Row(key="", label="",
                                                             kind="currency"), currencies)
                validations[("currency",)].showErrorMessage = True
                ws.add_data_validation(validations[("currency",)])
            validations[("currency",)].add(f"E{r}")
    for column, width in zip("ABCDEFG", (34, 70, 16, 16, 10, 26, 14)):
        ws.column_dimensions[column].width = width
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widths may be changed
    return ws


def _about_rows(tender, bidder, delivery_years, reference_rate_years):
    from fleetcalc import __version__  # noqa: PLC0415

    settings = tender.tender
    currencies = [settings.base_currency, *sorted(settings.exchange_rates)]
    return [
        ("form_version", FORM_VERSION, "Version of the form layout."),
        ("tender", settings.name, "The tender this form belongs to."),
        ("bidder", bidder or "", "The bidder the form was issued to (blank: any)."),
        ("base_currency", settings.base_currency, "Currency of the evaluation."),
        ("currencies", ", ".join(dict.fromkeys(currencies)),
         "Currencies a bid may use (the tender states a rate for each)."),
        ("evaluation_year", settings.evaluation_year, "Calendar year of t = 0."),
        ("delivery_years", delivery_years, "Rows of the delivery schedule."),
        ("reference_rate_years", reference_rate_years, "Rows of the reference rate."),
        ("fleetcalc", __version__, "Version of fleetcalc that wrote the form."),
    ]


def write_form(tender, path, *, bid=None, force=False):
    """Write one bid data form (Excel) for ``tender``.

    Parameters
    ----------
    tender : fleetcalc.Tender
        The tender: its settings give the currencies, the years and the horizon.
    path : str or os.PathLike
        The ``.xlsx`` file to write.
    bid : fleetcalc.Bid, optional
        A bid whose figures fill the form; None writes a blank form.
    force : bool
        Replace ``path`` if it exists (never through a link).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``force`` is False, or is a link.

    Examples
    --------
    >>> import tempfile, pathlib, fleetcalc, openpyxl
    >>> tender = fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_form(tender, pathlib.Path(tmp) / "f.xlsx", bid=tender.bids[0])
    ...     wb = openpyxl.load_workbook(path)
    ...     wb.sheetnames, wb["Price schedule"]["C9"].value
    (['About', 'Price schedule', 'Technical data', 'Guarantees', 'Financing'], 4250000)
    """
    import openpyxl  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415

    path = Path(path)
    settings = tender.tender
    currencies = list(dict.fromkeys([settings.base_currency, *sorted(settings.exchange_rates)]))
    values = _bid_values(bid) if bid is not None else {}
    rates = sum(1 for key in values if key.startswith("financing.reference_rate["))
    layout = form_layout(evaluation_year=settings.evaluation_year,
                         delivery_years=max(settings.horizon_years,
                                            len(bid.delivery) if bid else 0),
                         reference_rate_years=max(settings.horizon_years, rates))
    delivery_years = sum(1 for r in layout["Price schedule"] if (r.key or "").startswith("del"))
    rate_years = sum(1 for r in layout["Financing"] if (r.key or "").startswith("financing.ref"))
    wb = openpyxl.Workbook()
    about = wb.active
    about.title = "About"
    _text_cell(about, "A1", "Bid data form").font = Font(bold=True, size=14)
    _text_cell(about, "A2", "Fill in the sheets Price schedule, Technical data, Guarantees and "
                            "Financing. Do not add, remove or rename sheets, rows or keys.")
    for r, (key, value, meaning) in enumerate(
            _about_rows(tender, bid.bidder if bid else None, delivery_years, rate_years),
            start=_FIRST_ROW):
        _text_cell(about, f"A{r}", key)
        if isinstance(value, int):
            about[f"B{r}"].value = value
        else:
            _text_cell(about, f"B{r}", value)
        _text_cell(about, f"C{r}", meaning)
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 60
    about.column_dimensions["C"].width = 60
    about.protection.sheet = True
    for title in SHEETS:
        _write_sheet(wb, title, layout[title], values, currencies)
    wb.security.lockStructure = True
    _replace_file(path, wb.save, force=force)
    return path


def write_forms(tender, directory, *, blank=False, force=False):
    """Write a form for every bidder of ``tender`` (or one blank form) into ``directory``.

    Parameters
    ----------
    tender : fleetcalc.Tender
    directory : str or os.PathLike
        Created if missing.
    blank : bool
        Write one blank form, ``bid-form.xlsx``, instead.
    force : bool
        Replace existing files of the same names.

    Returns
    -------
    list of pathlib.Path

    Raises
    ------
    FileExistsError
        If a form exists and ``force`` is False; then nothing is written.
    """
    directory = Path(directory)
    if blank:
        targets = [(directory / "bid-form.xlsx", None)]
    else:
        taken, targets = set(), []
        for bid in tender.bids:
            name = form_file_name(bid.bidder, taken)
            taken.add(name)
            targets.append((directory / name, bid))
    existing = [str(p) for p, _ in targets if p.exists() or p.is_symlink()]
    if existing and not force:
        raise FileExistsError(f"{', '.join(existing)} already exist"
                              f"{'s' if len(existing) == 1 else ''}; use --force to replace")
    directory.mkdir(parents=True, exist_ok=True)
    return [write_form(tender, p, bid=bid, force=force) for p, bid in targets]


def _replace_file(path, write, *, force):
    """Write through ``write(temp_path)`` then rename over ``path`` (never through a link)."""
    path = Path(path)
    if path.is_symlink():
        raise FileExistsError(f"{path} is a link; fleetcalc does not write through links")
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists; use --force to replace it")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


# -- reading -----------------------------------------------------------------------------------


@attrs.frozen
class _Cell:
    source: str
    sheet: str
    coordinate: str

    def where(self):
        return f"{self.source}, sheet {self.sheet!r}, cell {self.coordinate}"


def _problem(cell, path, message, value=None):
    kwargs = {} if value is None else {"value": value}
    return Problem(path, message, source=cell.where(), **kwargs)


def _cell_value(cell, row, location, path, problems):
    """The value of an input cell for the loader; INVALID after a reported problem."""
    if cell.data_type == "f" or type(cell.value).__name__ in ("ArrayFormula",
                                                                 "DataTableFormula"):
        problems.append(_problem(location, path, "holds a formula; type the value itself "
                                 "(formulas in a form are never calculated)"))
        return INVALID
    if cell.data_type == "e":
        problems.append(_problem(location, path, f"holds the error value {cell.value}"))
        return INVALID
    value = cell.value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if row.kind == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    if row.kind in ("text", "choice", "currency") and isinstance(value, (int, float)) and (
            not isinstance(value, bool)):
        return str(value)
    return value


def _read_about(ws, location_of, problems):
    values, rows = {}, {}
    for r in range(_FIRST_ROW, ws.max_row + 1):
        key = ws[f"A{r}"].value
        if isinstance(key, str):
            values[key], rows[key] = ws[f"B{r}"].value, r
    for key in ("form_version", "delivery_years", "reference_rate_years"):
        value = values.get(key)
        if integer(value) is not None or value < 0 or value > 1000:
            where = f"B{rows[key]}" if key in rows else "A:B"
            problems.append(_problem(location_of("About", where), key, "is not a form "
                                     "layout fleetcalc wrote; issue the form again with "
                                     "'fleetcalc forms'", value=value))
            return None
    values["rows"] = rows
    if values["form_version"] != FORM_VERSION:
        problems.append(_problem(location_of("About", f"B{rows['form_version']}"),
                                 "form_version",
                                 f"is not {FORM_VERSION}; issue the form again with this "
                                 "version of fleetcalc", value=values["form_version"]))
        return None
    return values


def _read_form(path, source):
    """(bid dict, cells by key path, problems, about) of one form file."""
    import openpyxl  # noqa: PLC0415

    problems = []

    def location_of(sheet, coordinate):
        return _Cell(source, sheet, coordinate)

    try:
        wb = openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:
        return None, {}, [Problem("", f"cannot be read as an Excel form ({type(exc).__name__}: "
                                      f"{exc})", source=source)], {}
    expected = ("About", *SHEETS)
    for name in wb.sheetnames:
        if name not in expected:
            problems.append(Problem("", f"has a sheet {name!r} that is not part of the form; "
                                        "remove it", source=f"{source}, sheet {name!r}"))
    for name in expected:
        if name not in wb.sheetnames:
            problems.append(Problem("", f"the sheet {name!r} is missing", source=source))
    if "About" not in wb.sheetnames:
        return None, {}, problems, {}
    about = _read_about(wb["About"], location_of, problems)
    if about is None or any(name not in wb.sheetnames for name in expected):
        return None, {}, problems, about or {}
    layout = form_layout(evaluation_year=about.get("evaluation_year") or 0,
                         delivery_years=about["delivery_years"],
                         reference_rate_years=about["reference_rate_years"])
    raw, cells = {}, {}
    for title in SHEETS:
        ws = wb[title]
        rows = layout[title]
        last = _FIRST_ROW + len(rows) - 1
        for r, row in enumerate(rows, start=_FIRST_ROW):
            key_cell = ws[f"A{r}"]
            if (key_cell.value or None) != row.key:
                problems.append(_problem(location_of(title, f"A{r}"), row.key or "",
                                         f"should read {row.key or '(blank)'!r}, not "
                                         f"{key_cell.value!r}: the form's structure was "
                                         "changed; issue it again"))
                continue
            if row.key is None:
                continue
            location = location_of(title, f"C{r}")
            cells[row.key] = location
            value = _cell_value(ws[f"C{r}"], row, location, row.key, problems)
            currency = None
            if row.kind == "money":
                currency = _cell_value(ws[f"E{r}"], Row(key=None, label="", kind="currency"),
                                       location_of(title, f"E{r}"), row.key, problems)
            if value is not None:
                raw[row.key] = (value, currency)
            elif currency is not None and currency is not INVALID:
                problems.append(_problem(location_of(title, f"E{r}"), row.key,
                                         "has a currency but no amount in column C",
                                         value=currency))
        for extra in ws.iter_rows(min_row=1, max_row=ws.max_row):
            for cell in extra:
                inside = (cell.row <= 3 and cell.column <= len(HEADER)) or (
                    _FIRST_ROW <= cell.row <= last and cell.column <= len(HEADER))
                if cell.value is not None and not inside:
                    problems.append(_problem(location_of(title, cell.coordinate), "",
                                             "is not part of the form; clear it"))
    return raw, cells, problems, about


def _bid_dict(raw, cells, problems):
    """The ``[[bids]]`` table of a form, and the cells of composite keys."""
    bid, extra_cells = {}, {}

    def value(key):
        amount, currency = raw[key]
        if currency is not None and amount is not INVALID:
            return {"amount": amount, "currency": currency}
        return amount

    def listed(prefix, *, blank_is_zero):
        keys = sorted((k for k in raw if k.startswith(prefix + "[")),
                      key=lambda k: int(k[len(prefix) + 1:-1]))
        if not keys:
            return None
        last = int(keys[-1][len(prefix) + 1:-1])
        items = []
        for k in range(last + 1):
            key = f"{prefix}[{k}]"
            if key in raw:
                items.append(raw[key][0])
            elif blank_is_zero:
                items.append(0)
            else:
                problems.append(_problem(cells[key], key, "is blank; give a value for every "
                                         "year up to the last one given"))
                items.append(INVALID)
        return INVALID if INVALID in items else items

    for key in raw:
        if "." not in key and "[" not in key:
            bid[key] = value(key)
    payments = [{"event": e, "share": raw[f"payments.{e}"][0]} for e in PAYMENT_EVENTS
                if f"payments.{e}" in raw]
    if payments:
        bid["payments"] = payments
        for i, item in enumerate(payments):
            extra_cells[f"payments[{i}]"] = cells[f"payments.{item['event']}"]
    delivery = listed("delivery", blank_is_zero=True)
    if delivery is not None:
        bid["delivery"] = delivery
    for table in ("ageing", "guarantees", "price_adjustment", "financing"):
        entries = {k.split(".", 1)[1]: value(k) for k in raw
                   if k.startswith(table + ".") and "[" not in k}
        if table == "financing":
            rates = listed("financing.reference_rate", blank_is_zero=False)
            if rates is not None:
                entries["reference_rate"] = rates[0] if rates is not INVALID and len(
                    rates) == 1 else rates
        if entries:
            bid[table] = entries
    return bid, extra_cells


def _cell_for(path, cells, extra_cells, layout_rows):
    """The cell (or range) a loader problem's relative key path points at."""
    if path in cells:
        return cells[path]
    match = re.match(r"^payments\[(\d+)\](?:\.(\w+))?$", path)
    if match and f"payments[{match.group(1)}]" in extra_cells:
        return extra_cells[f"payments[{match.group(1)}]"]
    for prefix in ("delivery", "financing.reference_rate", "payments"):
        if path == prefix:
            keys = [k for k in layout_rows if k.startswith(prefix + ("[" if prefix != "payments"
                                                                     else "."))]
            if keys:
                first, last = layout_rows[keys[0]], layout_rows[keys[-1]]
                return attrs.evolve(first, coordinate=f"{first.coordinate}:{last.coordinate}")
    parent = path.rsplit(".", 1)[0] if "." in path else None
    if parent:
        for key, cell in layout_rows.items():
            if key.startswith(parent + "."):
                return attrs.evolve(cell, coordinate=f"{cell.coordinate} (section {parent})")
    return None


_BID_PATH = re.compile(r"^bids\[([^\]]*)\](?:\.(.*))?$")


def read_forms(paths, tender, *, replace=False, tender_source=None):
    """Read filled forms into ``tender``: its bids plus (or replaced by) the forms' bids.

    The forms' bids are checked together with the tender by
    :func:`fleetcalc.io.tender_file.structure_tender`, the tender-file loader.
    A form whose bidder already has a bid replaces it only with
    ``replace=True``; the committee's findings of the replaced bid
    (``[bids.evaluation]``, not part of a form) are kept.

    Parameters
    ----------
    paths : sequence of str or os.PathLike
        The filled ``.xlsx`` forms.
    tender : fleetcalc.Tender
        The tender the bids go into.
    replace : bool
        Replace the bids of bidders that already have one.
    tender_source : str, optional
        Name of the tender file, for messages.

    Returns
    -------
    tender : fleetcalc.Tender
        The tender with the forms' bids.
    report : dict
        ``{"added": [bidder, ...], "replaced": [...], "warnings": [Problem, ...]}``.

    Raises
    ------
    TenderError
        With every problem of every form at once; each problem's ``source``
        names the form file, the sheet and the cell, and its ``path`` the key
        (``bids[ACME].unit_price``).
    """
    import tomllib  # noqa: PLC0415

    from fleetcalc.io.tender_file import dumps_tender, structure_tender  # noqa: PLC0415

    raw_tender = tomllib.loads(dumps_tender(tender))
    existing = {b["bidder"]: i for i, b in enumerate(raw_tender.get("bids", []))}
    problems, forms = [], []
    for path in paths:
        source = str(path)
        raw, cells, form_problems, about = _read_form(path, source)
        problems += form_problems
        if raw is None:
            continue
        bid, extra_cells = _bid_dict(raw, cells, problems)
        if about.get("tender") not in (None, tender.tender.name):
            problems.append(Problem("", f"was issued for the tender {about.get('tender')!r}, "
                                        f"not {tender.tender.name!r}", severity="warning",
                                    source=f"{source}, sheet 'About', cell "
                                           f"B{about['rows'].get('tender', 5)}"))
        forms.append((source, bid, cells, extra_cells))
    bids = list(raw_tender.get("bids", []))
    placed, added, replaced = [], [], []
    for source, bid, cells, extra_cells in forms:
        bidder = bid.get("bidder")
        if isinstance(bidder, str) and bidder in existing and bidder not in replaced:
            if not replace:
                problems.append(_problem(cells["bidder"], "bids[" + bidder + "].bidder",
                                         f"already has a bid in {tender_source or 'the tender'}"
                                         "; use --replace to replace it", value=bidder))
                continue
            old = bids[existing[bidder]]
            if "evaluation" in old:
                bid["evaluation"] = old["evaluation"]
            bids[existing[bidder]] = bid
            placed.append((existing[bidder], source, bid, cells, extra_cells))
            replaced.append(bidder)
        else:
            bids.append(bid)
            placed.append((len(bids) - 1, source, bid, cells, extra_cells))
            if isinstance(bidder, str):
                added.append(bidder)
    raw_tender["bids"] = bids
    result, loader_problems = None, []
    try:
        result = structure_tender(raw_tender, source=tender_source)
        loader_problems = list(result.warnings)
    except TenderError as exc:
        loader_problems = list(exc.problems)
    by_index = {i: (source, bid, cells, extra) for i, source, bid, cells, extra in placed}
    names = {b.get("bidder"): i for i, b in enumerate(bids) if isinstance(b, dict)}
    for problem in loader_problems:
        problems.append(_locate(problem, by_index, names))
    if any(p.severity == "error" for p in problems):
        raise TenderError(problems)
    return result, {"added": added, "replaced": replaced,
                    "warnings": [p for p in problems if p.severity == "warning"]}


def _locate(problem, by_index, names):
    """A loader problem on a form's bid, pointed at the form's cell."""
    match = _BID_PATH.match(problem.path)
    if not match:
        return problem
    token, rest = match.group(1), match.group(2) or ""
    index = int(token) if token.isdigit() else names.get(token)
    if index not in by_index:
        return problem
    source, bid, cells, extra_cells = by_index[index]
    bidder = bid.get("bidder")
    label = bidder if isinstance(bidder, str) and bidder.strip() else str(index)
    path = f"bids[{label}]" + (f".{rest}" if rest else "")
    cell = _cell_for(rest, cells, extra_cells, cells)
    where = cell.where() if cell is not None else source
    return attrs.evolve(problem, path=path, source=where)


def import_forms(paths, tender_path, *, output=None, replace=False, force=False):
    """Read filled forms and write their bids into a tender file.

    The result is written to a temporary file and renamed over the target,
    so the target is either the old file or the complete new one. Adding bids
    to the tender file itself appends their tables to its text (comments and
    layout kept); replacing a bid rewrites the file from its data
    (:func:`~fleetcalc.io.tender_file.dumps_tender`, comments are not kept)
    after keeping the previous file as ``TENDER.toml.<UTC time>.bak``.

    Parameters
    ----------
    paths : sequence of str or os.PathLike
        The filled forms.
    tender_path : str or os.PathLike
        The tender file (``--into``).
    output : str or os.PathLike, optional
        Write the result here instead of updating ``tender_path``.
    replace : bool
        Replace the bids of bidders that already have one.
    force : bool
        Replace ``output`` if it exists.

    Returns
    -------
    dict
        ``{"path": Path, "added": [...], "replaced": [...], "backup": Path or None,
        "warnings": [Problem, ...]}``.

    Raises
    ------
    TenderError
        With every problem of the tender file or the forms; nothing is written.
    FileExistsError
        If ``output`` exists without ``force``, or a target is a link.
    """
    import datetime  # noqa: PLC0415
    import shutil  # noqa: PLC0415

    from fleetcalc.io.tender_file import dumps_tender, parse_tender, read_tender  # noqa: PLC0415

    tender_path = Path(tender_path)
    tender = read_tender(tender_path)
    original = tender_path.read_text(encoding="utf-8")
    result, report = read_forms(paths, tender, replace=replace, tender_source=str(tender_path))
    target = Path(output) if output is not None else tender_path
    in_place = target.resolve() == tender_path.resolve()
    if not in_place and (target.exists() or target.is_symlink()) and not force:
        raise FileExistsError(f"{target} already exists; use --force to replace it")
    text = None
    if not report["replaced"]:
        added = attrs.evolve(result, bids=result.bids[len(tender.bids):], fleet=(),
                             uncertainty=(), correlation=None)
        tail = dumps_tender(added)
        tail = tail[tail.index("[[bids]]"):] if "[[bids]]" in tail else ""
        candidate = original.rstrip("\n") + "\n\n" + tail
        try:
            if parse_tender(candidate) == result:
                text = candidate
        except TenderError:
            text = None
    backup = None
    if text is None:
        text = dumps_tender(result)
        if in_place:
            stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
            backup, n = tender_path.with_name(f"{tender_path.name}.{stamp}.bak"), 2
            while backup.exists() or backup.is_symlink():
                backup, n = tender_path.with_name(f"{tender_path.name}.{stamp}-{n}.bak"), n + 1
            shutil.copy2(tender_path, backup)
    _replace_file(target, lambda temp: Path(temp).write_text(text, encoding="utf-8"),
                  force=True)
    return {"path": target, "added": report["added"], "replaced": report["replaced"],
            "backup": backup, "warnings": report["warnings"]}
