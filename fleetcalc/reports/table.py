"""Aligned text tables of an evaluation, for a terminal."""

from __future__ import annotations

__all__ = ["format_ranking", "format_table"]


def format_table(headers, rows, *, align=None):
    """Align ``rows`` of strings under ``headers``.

    Parameters
    ----------
    headers : list of str
    rows : list of list of str
    align : str, optional
        One character per column, ``"<"`` (left) or ``">"`` (right);
        default: first column left, others right.

    Examples
    --------
    >>> print(format_table(["a", "bb"], [["x", "1"], ["yy", "22"]]))
    a    bb
    --  ---
    x     1
    yy   22
    """
    align = align or "<" + ">" * (len(headers) - 1)
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]
    widths = [w + (1 if i else 0) for i, w in enumerate(widths)]

    def line(cells):
        return " ".join(f"{c:{a}{w}}" for c, a, w in zip(cells, align, widths)).rstrip()

    rule = " ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule] + [line(r) for r in rows])


def _money(value):
    return f"{value:,.0f}"


def format_ranking(result):
    """The ranking as an aligned table: one row per bid, ranked, by category.

    Money is in the base currency, rounded to whole units for reading (the
    JSON output keeps unrounded values).

    Parameters
    ----------
    result : fleetcalc.EvaluationResult

    Returns
    -------
    str
    """
    settings = result.tender.tender
    currency = settings.base_currency
    categories = result.categories
    headers = (["Rank", "Bidder", "Evaluated cost", "LCC NPV"]
               + [c.replace("_", " ") for c in categories]
               + ["Annual equiv.", "Per km"])
    rows = []
    for bidder, row in result.ranking.iterrows():
        rows.append([str(row["rank"]), bidder, _money(row["evaluated_cost"]),
                     _money(row["lcc_npv"])]
                    + [_money(row[f"pv_{c}"]) for c in categories]
                    + [_money(row["equivalent_annual_cost"]), f"{row['cost_per_km']:,.2f}"])
    title = (f"{settings.name}\n"
             f"Present values in {currency} at t = 0 ({settings.evaluation_year}); "
             f"real discount rate {settings.discount_rate:.2%}; horizon "
             f"{settings.horizon_years} years. Rank 1 = lowest evaluated cost.\n")
    return title + "\n" + format_table(headers, rows, align="><" + ">" * (len(headers) - 2))
