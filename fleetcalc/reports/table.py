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


def _number(value, decimals=2):
    return "-" if value != value else f"{value:,.{decimals}f}"  # NaN -> "-"


def _share(value):
    return "-" if value != value else f"{value:.1%}"  # NaN -> "-"


def format_ranking(result):
    """The evaluation as aligned tables for a terminal.

    Blocks: the ranking (evaluated cost, LCC NPV, adjustments, availability),
    the present value by cost category, the evaluation adjustments line by
    line, financing, scores, non-responsive bids, and the existing fleet's
    baseline. Money is in the base currency, rounded to whole units for
    reading (the JSON output keeps unrounded values).

    Parameters
    ----------
    result : fleetcalc.EvaluationResult

    Returns
    -------
    str
    """
    import pandas as pd

    settings = result.tender.tender
    currency = settings.base_currency
    ranking = result.ranking
    demand = settings.demand is not None

    def rank(value):
        return "-" if pd.isna(value) else str(int(value))

    headers = ["Rank", "Bidder", "Model", f"Evaluated cost [{currency}]", "LCC NPV",
               "Adjustments", "Availability", "Fleet avail."]
    headers += ["P(meet demand)", "Shortfall [unit-days]"] if demand else []
    headers += [f"Annual equiv. [{currency}/yr]", f"Per km [{currency}]"]
    rows = []
    for bidder, row in ranking.iterrows():
        cells = [rank(row["rank"]), bidder, row["model"], _money(row["evaluated_cost"]),
                 _money(row["lcc_npv"]), _money(row["adjustments"]),
                 _share(row["availability"]), _share(row["fleet_availability"])]
        if demand:
            cells += [_share(row["p_meet_demand"]), _money(row["shortfall_unit_days"])]
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
    parts = [title, format_table(headers, rows, align="><<" + ">" * (len(headers) - 3)),
             f"\nPresent value by cost category [{currency}]\n",
             format_table(["Rank", "Bidder"] + [c.replace("_", " ") for c in categories]
                          + ["total"], by_category,
                          align="><" + ">" * (len(categories) + 1))]
    lines = result.adjustments
    if lines is not None and len(lines):
        parts.append(f"\nEvaluation adjustments [{currency}], in the order applied\n")
        parts.append(format_table(
            ["Bidder", "Stage", "Adjustment", "Amount", "Basis"],
            [[r.bidder, r.stage, r.name, _money(r.amount), r.basis]
             for r in lines.itertuples()], align="<<<><"))
    financed = ranking[ranking["grant_element"].notna()]
    if len(financed):
        parts.append("\nFinancing offers\n")
        lenders = {b.bidder: b.financing.lender or "-" for b in result.tender.bids
                   if b.financing is not None}
        parts.append(format_table(
            ["Bidder", "Lender", "Grant element", f"PV saving [{currency}]"],
            [[bidder, lenders[bidder], _share(row["grant_element"]),
              _money(row["financing_pv_saving"])] for bidder, row in financed.iterrows()],
            align="<<>>"))
    if ranking["combined_score"].notna().any():
        weight = settings.evaluation.technical_weight
        parts.append(f"\nWeighted scores (technical weight {weight:.0%})\n")
        parts.append(format_table(
            ["Bidder", "Price score", "Technical score", "Combined", "Combined rank"],
            [[bidder, _number(row["price_score"]), _number(row["technical_score"], 1),
              _number(row["combined_score"]), rank(row["combined_rank"])]
             for bidder, row in ranking.iterrows()], align="<>>>>"))
    rejected = ranking[~ranking["responsive"].astype(bool)]
    if len(rejected):
        parts.append("\nNon-responsive bids (listed, not ranked)\n")
        parts += [f"  {bidder}: {row['non_responsive_reason']}"
                  for bidder, row in rejected.iterrows()]
    if result.fleet_baseline is not None:
        total = result.fleet_baseline.to_numpy().sum()
        parts.append(f"\nExisting fleet ({len(result.fleet_baseline)} cohorts): running costs "
                     f"{_money(total)} {currency} in present value, common to every bid and "
                     "not in the LCC NPV.")
    return "\n".join(parts)
