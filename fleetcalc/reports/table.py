"""Text tables of an evaluation for a terminal, sized to its width.

Tables are laid out by rich (imported when a table is drawn): long bidder
names and basis texts wrap within their column instead of being cut, and
numbers are never cut or wrapped. If even the narrowest layout is wider than
the terminal, the table is drawn at that narrowest width (the terminal
folds the lines) rather than cutting anything. The text is plain: no colour
and no escape codes. Every cell from a tender file goes through
:func:`printable`.
"""

from __future__ import annotations

import re
import shutil
import textwrap

__all__ = ["format_ranking", "format_perspectives", "format_table", "printable", "render",
           "terminal_width"]

#: Characters that a file must not send to a terminal raw: C0 and C1 control
#: characters (ESC starts colour and cursor sequences), DEL, the Unicode bidi
#: controls (which reorder what is shown) and the line/paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                     "\u202a-\u202e\u2066-\u2069]")
_UNSAFE_KEEP_LINES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f"
                                "\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _visible(match):
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text, *, keep_newlines=False):
    r"""``text`` with control, escape and bidi characters in a visible form.

    The one escaping function of everything printed for people (tables,
    messages, warnings): ``ESC`` becomes ``\x1b`` and U+202E becomes
    ``\u202e``, so a tender file cannot colour the terminal, move the
    cursor, reorder a line or start a forged ``error:`` line.

    Parameters
    ----------
    text : object
        Converted with ``str``.
    keep_newlines : bool, optional
        Keep ``\n`` (a multi-line block of output); default: escape it too
        (one cell or one message line).

    Returns
    -------
    str

    Examples
    --------
    >>> print(printable("Evil\x1b[31m Corp\u202e\nerror: forged"))
    Evil\x1b[31m Corp\u202e\x0aerror: forged
    >>> printable("two\nlines", keep_newlines=True) == "two\nlines"
    True
    """
    pattern = _UNSAFE_KEEP_LINES if keep_newlines else _UNSAFE
    return pattern.sub(_visible, str(text))


def terminal_width(stream=None):
    """Columns to lay a table out in: ``COLUMNS``, else the terminal's, else 100.

    Parameters
    ----------
    stream : file-like, optional
        The stream the table goes to; its terminal size is used when it is
        a terminal.

    Returns
    -------
    int

    Examples
    --------
    >>> import os
    >>> terminal_width() > 0
    True
    """
    import os  # noqa: PLC0415

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if stream is not None and stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        pass
    return shutil.get_terminal_size((100, 24)).columns if stream is None else 100


def _longest_word(cells):
    return max((len(w) for c in cells for w in str(c).split()), default=1)


def _widths(natural, minimum, available):
    """Column widths that fit ``available``: the widest wrapping columns give way first.

    Examples
    --------
    >>> _widths([10, 30, 8], [4, 6, 8], 30)
    [10, 12, 8]
    """
    widths = list(natural)
    excess = sum(widths) - available
    while excess > 0:
        shrinkable = [k for k, w in enumerate(widths) if w > minimum[k]]
        if not shrinkable:
            break
        widest = max(widths[k] for k in shrinkable)
        tops = [k for k in shrinkable if widths[k] == widest]
        following = max([widths[k] for k in shrinkable if widths[k] < widest]
                        + [max(minimum[k] for k in tops)])
        for k in tops:
            step = min(widest - max(following, minimum[k]), -(-excess // len(tops)), excess)
            widths[k] -= step
            excess -= step
    return widths


def _cell(value):
    """A cell's text: a tuple or list of values is a cell of several lines."""
    if isinstance(value, (tuple, list)):
        return "\n".join(printable(v) for v in value)
    return printable(value)


def _line_width(text):
    return max(len(line) for line in text.split("\n"))


class TextTable:
    """Rows of text under headers, laid out when the width is known (:func:`render`).

    Text columns (``"<"``) wrap at spaces (a word longer than 26 characters
    folds); number columns (``">"``) keep their cells whole. Cells go
    through :func:`printable`; a cell given as a tuple of values has one
    line per value.

    Parameters
    ----------
    headers : list of str
    rows : list of list of str
    align : str, optional
        One character per column: ``"<"`` left (text, wraps) or ``">"``
        right (numbers, kept whole); default first column left, others right.
    keep : int, optional
        Leading columns (e.g. rank and bidder) repeated in each part when the
        table is too wide even at its narrowest and is split in parts.
    """

    def __init__(self, headers, rows, *, align=None, keep=1):
        self.keep = keep
        self.headers = [printable(h) for h in headers]
        self.rows = [[_cell(c) for c in row] for row in rows]
        self.align = align or "<" + ">" * (len(headers) - 1)
        columns = list(zip(self.headers, *self.rows))
        self.natural = [max(_line_width(c) for c in col) for col in columns]
        self.minimum = [
            max([_line_width(c) for c in col[1:]] + [_longest_word(col[:1])]) if side == ">"
            else min(_longest_word(col), 26)
            for col, side in zip(columns, self.align)]
        self.minimum = [max(1, min(m, n)) for m, n in zip(self.minimum, self.natural)]

    def parts(self, width):
        """The table split by columns into parts that fit ``width`` (the key columns repeated)."""
        gap = 2
        key = list(range(min(self.keep, len(self.headers))))
        base = sum(self.minimum[k] + gap for k in key)
        parts, current, used = [], [], base
        for k in range(len(key), len(self.headers)):
            need = self.minimum[k] + gap
            if current and used + need - gap > width:
                parts.append(current)
                current, used = [], base
            current.append(k)
            used += need
        parts.append(current)
        if len(parts) == 1:
            return [self]
        pieces = []
        for columns in parts:
            picked = key + columns
            piece = TextTable([self.headers[k] for k in picked],
                              [[row[k] for k in picked] for row in self.rows],
                              align="".join(self.align[k] for k in picked), keep=self.keep)
            pieces.append(piece)
        return pieces

    def rich_table(self, width):
        """The rich table of these rows in at most ``width`` columns (or its narrowest)."""
        from rich import box  # noqa: PLC0415
        from rich.table import Table  # noqa: PLC0415
        from rich.text import Text  # noqa: PLC0415

        gaps = 2 * (len(self.headers) - 1)
        widths = _widths(self.natural, self.minimum, width - gaps)
        # two characters between columns: one of padding, one of (invisible) rule
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                      padding=(0, 1, 0, 0))
        for header, side, columns in zip(self.headers, self.align, widths):
            table.add_column(Text(header), justify="right" if side == ">" else "left",
                             width=columns, overflow="fold")
        for row in self.rows:
            table.add_row(*(Text(c) for c in row))
        return table, sum(widths) + gaps


def text_table(headers, rows, *, align=None, keep=1):
    """A :class:`TextTable` of ``rows`` under ``headers`` for :func:`render`."""
    return TextTable(headers, rows, align=align, keep=keep)


def render(*blocks, width):
    """Plain text of strings and tables laid out in ``width`` columns.

    A table too wide for ``width`` even at its narrowest is split by columns
    into parts, each repeating its key columns; a part still too wide is
    drawn at its narrowest width (nothing is cut). Trailing spaces are removed.

    Parameters
    ----------
    *blocks : str or TextTable
        Text (kept as it is, through :func:`printable`) or a table.
    width : int

    Returns
    -------
    str

    Examples
    --------
    >>> print(render("Title", text_table(["Bidder", "Cost"], [["A", "1"]]), width=40))
    Title
    Bidder  Cost
    ────────────
    A          1
    """
    import io  # noqa: PLC0415

    from rich.console import Console  # noqa: PLC0415

    stream = io.StringIO()
    for block in blocks:
        if isinstance(block, str):
            for line in printable(block, keep_newlines=True).split("\n"):
                indent = line[:len(line) - len(line.lstrip())]
                stream.write(textwrap.fill(line, width, subsequent_indent=indent + "  ",
                                           break_long_words=False, break_on_hyphens=False)
                             + "\n")
            continue
        for number, part in enumerate(block.parts(width)):
            if number:
                stream.write("\n")
            table, used = part.rich_table(width)
            Console(file=stream, width=max(width, used), color_system=None,
                    force_terminal=False, no_color=True, highlight=False, markup=False,
                    emoji=False, legacy_windows=False).print(table)
    return "\n".join(line.rstrip() for line in stream.getvalue().rstrip("\n").split("\n"))


def format_table(headers, rows, *, align=None, width=100):
    """Align ``rows`` of strings under ``headers`` in at most ``width`` columns.

    Parameters
    ----------
    headers : list of str
    rows : list of list of str
    align : str, optional
        One character per column, ``"<"`` (left) or ``">"`` (right);
        default: first column left, others right.
    width : int, optional
        Columns available (default 100); text cells wrap to fit.

    Examples
    --------
    >>> print(format_table(["a", "bb"], [["x", "1"], ["yy", "22"]]))
    a   bb
    ──────
    x    1
    yy  22
    """
    return render(text_table(headers, rows, align=align), width=width)



def _nonzero(categories):
    """The categories with an amount, in words (``existing fleet, shortfall``)."""
    return ", ".join(c.replace("_", " ") for c, v in categories.items() if v) or "nothing"

def _money(value):
    return f"{value:,.0f}"


def format_perspectives(tender, *, width=None):
    """Financial and economic evaluated costs side by side (``compare --detail``).

    See :func:`fleetcalc.evaluate.perspectives`.
    """
    import pandas as pd  # noqa: PLC0415 - heavy

    from fleetcalc.evaluate import perspectives  # noqa: PLC0415 - orchestration above

    table = perspectives(tender)
    settings = tender.tender

    def rank(value):
        return "-" if pd.isna(value) else str(int(value))

    rows = [[printable(str(bidder)), _money(r.financial_cost), rank(r.financial_rank),
             _money(r.economic_cost), rank(r.economic_rank), _money(r.pv_emissions),
             f"{r.co2_tonnes:,.0f}"] for bidder, r in table.iterrows()]
    headers = ["Bidder", f"Financial [{settings.base_currency}]", "Rank",
               f"Economic [{settings.base_currency}]", "Rank", "of which emissions",
               "CO2 [t]"]
    title = ("Financial (the railway's cash) and economic (transfers removed, foreign "
             f"exchange x {settings.shadow_exchange_rate_factor:g}, emissions priced) views")
    return title + "\n\n" + format_table(headers, rows, width=width or 100)


def _number(value, decimals=2):
    return "-" if value != value else f"{value:,.{decimals}f}"  # NaN -> "-"


def _share(value):
    return "-" if value != value else f"{value:.1%}"  # NaN -> "-"


def format_ranking(result, *, width=None):
    """The evaluation as aligned tables for a terminal.

    Blocks: the ranking (evaluated cost, LCC NPV, adjustments, availability),
    the present value by cost category, the evaluation adjustments line by
    line, financing, scores, non-responsive bids, and the existing fleet's
    baseline. Money is in the base currency, rounded to whole units for
    reading (the JSON output keeps unrounded values).

    Parameters
    ----------
    result : fleetcalc.EvaluationResult
    width : int, optional
        Columns available (default :func:`terminal_width`): long texts wrap
        within their column, numbers are never cut.

    Returns
    -------
    str
        Plain text, bids in rank order (non-responsive bids last).

    Examples
    --------
    >>> import fleetcalc
    >>> result = fleetcalc.evaluate(fleetcalc.load_tender(
    ...     "examples/pakistan_locomotives_2026.toml"))
    >>> text = format_ranking(result, width=80)
    >>> max(len(line) for line in text.splitlines()) <= 80
    True
    """
    import pandas as pd  # noqa: PLC0415 - heavy; only where a frame is built

    settings = result.tender.tender
    currency = settings.base_currency
    ranking = result.ranking
    demand = settings.demand is not None

    def rank(value):
        return "-" if pd.isna(value) else str(int(value))

    headers = ["Rank", "Bidder", "Model", f"Evaluated cost [{currency}]", "LCC NPV",
               "Adjustments", "Availability", "Fleet avail."]
    headers += ["P(meet demand)", "Shortfall [unit-days]",
                f"Incremental NPV [{currency}]"] if demand else []
    headers += [f"Annual equiv. [{currency}/yr]", f"Per km [{currency}]"]
    rows = []
    for bidder, row in ranking.iterrows():
        cells = [rank(row["rank"]), bidder, row["model"], _money(row["evaluated_cost"]),
                 _money(row["lcc_npv"]), _money(row["adjustments"]),
                 _share(row["availability"]), _share(row["fleet_availability"])]
        if demand:
            cells += [_share(row["p_meet_demand"]), _money(row["shortfall_unit_days"]),
                      _money(row["incremental_npv"])]
        cells += [_money(row["equivalent_annual_cost"]), f"{row['cost_per_km']:,.2f}"]
        rows.append(cells)
    categories = [c for c in result.categories if (ranking[f"pv_{c}"] != 0).any()]
    by_category = [[rank(row["rank"]), bidder] + [_money(row[f"pv_{c}"]) for c in categories]
                   + [_money(row["lcc_npv"])] for bidder, row in ranking.iterrows()]
    title = (f"{settings.name}\n"
             f"Present values in {currency} at t = 0 ({settings.evaluation_year}); "
             f"real discount rate {settings.discount_rate:.2%}; horizon "
             f"{settings.horizon_years} years. Rank 1 = lowest evaluated cost "
             "(LCC NPV + adjustments).\n")
    parts = [title, text_table(headers, rows, align="><<" + ">" * (len(headers) - 3), keep=2),
             f"\nPresent value by cost category [{currency}]\n",
             text_table(["Rank", "Bidder"] + [c.replace("_", " ") for c in categories]
                          + ["total"], by_category,
                          align="><" + ">" * (len(categories) + 1), keep=2)]
    lines = result.adjustments
    if lines is not None and len(lines):
        parts.append(f"\nEvaluation adjustments [{currency}], in the order applied\n")
        parts.append(text_table(
            ["Bidder", "Stage", "Adjustment", "Amount", "Basis"],
            [[r.bidder, r.stage, r.name, _money(r.amount), r.basis]
             for r in lines.itertuples()], align="<<<><"))
    financed = ranking[ranking["grant_element"].notna()]
    if len(financed):
        parts.append("\nFinancing offers\n")
        lenders = {b.bidder: b.financing.lender or "-" for b in result.tender.bids
                   if b.financing is not None}
        parts.append(text_table(
            ["Bidder", "Lender", "Grant element", f"PV saving [{currency}]"],
            [[bidder, lenders[bidder], _share(row["grant_element"]),
              _money(row["financing_pv_saving"])] for bidder, row in financed.iterrows()],
            align="<<>>"))
    if ranking["combined_score"].notna().any():
        weight = settings.evaluation.technical_weight
        parts.append(f"\nWeighted scores (technical weight {weight:.0%})\n")
        parts.append(text_table(
            ["Bidder", "Price score", "Technical score", "Combined", "Combined rank"],
            [[bidder, _number(row["price_score"]), _number(row["technical_score"], 1),
              _number(row["combined_score"]), rank(row["combined_rank"])]
             for bidder, row in ranking.iterrows()], align="<>>>>"))
    rejected = ranking[~ranking["responsive"].astype(bool)]
    if len(rejected):
        parts.append("\nNon-responsive bids (listed, not ranked)\n")
        parts += [f"  {bidder}: {row['non_responsive_reason']}"
                  for bidder, row in rejected.iterrows()]
    if result.do_nothing is not None:
        parts.append(f"\nDo nothing (the existing fleet alone carries the demand): "
                     f"{_money(sum(result.do_nothing.values()))} {currency} in present value "
                     f"({_nonzero(result.do_nothing)}). Incremental NPV = evaluated cost minus "
                     "this; the existing fleet's costs under each bid are in the LCC NPV "
                     "(existing fleet).")
    if result.fleet_baseline is not None:
        total = result.fleet_baseline.to_numpy().sum()
        parts.append(f"\nExisting fleet ({len(result.fleet_baseline)} cohorts): running costs "
                     f"{_money(total)} {currency} in present value, common to every bid and "
                     "not in the LCC NPV.")
    return render(*parts, width=terminal_width() if width is None else width)
