r"""The bid evaluation table of the World Bank / ADB forms, and what decides the award.

:func:`evaluation_table` lays each bid out in the order of the World Bank
*Standard Bid Evaluation Form* (1996) and the ADB *Guide on Bid Evaluation*
(2018): read-out price, arithmetic correction, discount, scope lines, price
adjusted for scope, technical, performance, commercial and payment, delivery,
guarantee loading, life-cycle components, evaluated price, domestic
preference, evaluated price with preference, rank. :func:`decisive_lines`
decomposes the difference between bids by cost category and adjustment line
and names the lines that alone would swap two bids.

Evaluation maths (orchestration): :func:`evaluation_table` (DataFrame),
:func:`evaluation_table_rows` (the JSON shape, ``evaluation_table``) and
:func:`decisive_lines` (the JSON shape, ``decisive_lines``). Their text forms
are in :mod:`fleetcalc.reports.evaluation_table`.

Rows whose ``in_total`` is true add up to the evaluated price before the
domestic preference (``evaluated_cost_before_preference``):
:math:`E = LCC + \sum \text{lines}`. The price rows (read-out price,
correction, discount, price adjusted for scope) are nominal amounts, as on
the form, and are *not* in the total: the price enters the evaluated cost as
paid, in the life-cycle components (acquisition and financing), with the
correction and discount valued on the bid's payment schedule.
"""


from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["evaluation_table", "evaluation_table_rows", "decisive_lines"]

#: Adjustment groups of the form (key, label, how to pick the lines).
_GROUPS = (
    ("scope", "Scope lines", lambda s, k: (s == "priced") & (k == "scope")),
    ("technical", "Technical deviations", lambda s, k: (s == "priced") & (k == "technical")),
    ("performance", "Performance", lambda s, k: (s == "priced") & (k == "performance")),
    ("commercial", "Commercial and payment terms",
     lambda s, k: ((s == "priced") & (k == "commercial")) | (s == "payment")),
    ("delivery", "Delivery", lambda s, k: s == "delivery"),
    ("other", "Other priced lines", lambda s, k: (s == "priced") & ~k.isin(
        ["scope", "technical", "performance", "commercial"])),
    ("correction_discount", "Correction and discount, valued as paid",
     lambda s, k: s.isin(["correction", "discount"])),
    ("quantity", "Quantity normalisation", lambda s, k: s == "quantity"),
)


def _group_amounts(result):
    """Amount of each adjustment group per bid (DataFrame, groups x bidders in input order)."""
    bidders = list(result.pv_by_category.index)
    lines = result.adjustments
    out = pd.DataFrame(0.0, index=[g[0] for g in _GROUPS], columns=bidders)
    if lines is None or lines.empty:
        return out
    lines = lines[lines["stage"] != "domestic_preference"]
    kind = lines["kind"].fillna("") if "kind" in lines else pd.Series("", index=lines.index)
    for key, _, pick in _GROUPS:
        chosen = lines[pick(lines["stage"], kind)]
        out.loc[key] = chosen.groupby("bidder")["amount"].sum().reindex(bidders, fill_value=0.0)
    return out


def _price_rows(result):
    """Nominal price rows per bid: read-out, correction, discount, price adjusted for scope."""
    tender = result.tender
    settings = tender.tender
    rows = {"read_out_price": [], "arithmetic_correction": [], "discount": []}
    for bid in tender.bids:
        price = settings.to_base(bid.unit_price, bid.currency) * bid.quantity
        correction = settings.to_base(bid.evaluation.arithmetic_correction, bid.currency)
        rows["read_out_price"].append(price)
        rows["arithmetic_correction"].append(correction)
        rows["discount"].append(0.0 - bid.evaluation.discount * (price + correction) + 0.0)
    return {k: np.array(v) for k, v in rows.items()}


def _delivery_rows(result):
    """Nominal delivery-terms and duty lines per bid (per-unit amounts x quantity).

    Information rows: the amounts that bring each bid to the tender's
    ``delivery_basis`` and the import duties; they enter the evaluated cost
    as paid, in the life-cycle rows ``delivery_terms`` and ``duties``.
    """
    settings = result.tender.tender
    rows = {"inland_transport": [], "insurance": [], "port_charges": [], "import_duties": []}
    for bid in result.tender.bids:
        def total(value, bid=bid):
            return settings.to_base(value, bid.currency) * bid.quantity
        for key in ("inland_transport", "insurance", "port_charges"):
            rows[key].append(total(getattr(bid, key)))
        rows["import_duties"].append(
            bid.import_duty_rate * total(bid.unit_price) + total(bid.import_duties))
    return {k: np.array(v) for k, v in rows.items()}


def evaluation_table(result):
    """The evaluation table: one column per bid (rank order), rows in the order of the forms.

    Parameters
    ----------
    result : fleetcalc.EvaluationResult

    Returns
    -------
    pandas.DataFrame
        Index ``key`` (binding row names); columns ``label``, ``section``
        (``price``: nominal, information; ``evaluation``: present values at
        ``t = 0``; ``result``), ``in_total`` (the rows adding up to the
        evaluated cost), then one column per bidder [base currency; rank].

    Examples
    --------
    >>> import fleetcalc
    >>> result = fleetcalc.evaluate(fleetcalc.load_tender(
    ...     "examples/pakistan_locomotives_2026.toml"))
    >>> table = evaluation_table(result)
    >>> list(table.index[:5])
    ['read_out_price', 'arithmetic_correction', 'discount', 'scope', 'price_adjusted_for_scope']
    >>> bidder = table.columns[3]
    >>> parts = table.loc[table["in_total"], bidder].sum()
    >>> bool(abs(parts - table.loc["evaluated_price", bidder]) < 1e-3)
    True
    """
    ranking = result.ranking
    bidders = list(result.pv_by_category.index)
    groups = _group_amounts(result)
    prices = _price_rows(result)
    rows = []

    def add(key, label, section, in_total, values):
        rows.append({"key": key, "label": label, "section": section, "in_total": in_total,
                     **dict(zip(bidders, np.asarray(values, dtype=float)))})

    add("read_out_price", "Read-out price", "price", False, prices["read_out_price"])
    add("arithmetic_correction", "Arithmetic correction", "price", False,
        prices["arithmetic_correction"])
    add("discount", "Unconditional discount", "price", False, prices["discount"])
    add("scope", "Scope lines", "evaluation", True, groups.loc["scope"])
    add("price_adjusted_for_scope", "Price adjusted for scope", "price", False,
        prices["read_out_price"] + prices["arithmetic_correction"] + prices["discount"]
        + groups.loc["scope"].to_numpy())
    delivery_terms = _delivery_rows(result)
    basis = result.tender.tender.evaluation.delivery_basis
    if basis is not None or any(v.any() for v in delivery_terms.values()):
        for key, label in (("inland_transport", f"Inland transport to {basis or 'site'}"),
                           ("insurance", "Insurance"), ("port_charges", "Port charges"),
                           ("import_duties", "Import duties and taxes")):
            add(key, label, "price", False, delivery_terms[key])
    for key in ("technical", "performance", "commercial", "delivery", "other"):
        add(key, dict((g[0], g[1]) for g in _GROUPS)[key], "evaluation", True, groups.loc[key])
    loading = ranking["guarantee_loading"].reindex(bidders) if (
        "guarantee_loading" in ranking) else pd.Series(np.nan, index=bidders)
    add("guarantee_loading", "Guarantee loading (in the life-cycle cost)", "evaluation", False,
        loading)
    for category in result.categories:
        add(f"lcc_{category}", f"Life-cycle cost: {category.replace('_', ' ')}", "evaluation",
            True, result.pv_by_category[category])
    add("correction_discount", "Correction and discount, valued as paid", "evaluation", True,
        groups.loc["correction_discount"])
    add("quantity", "Quantity normalisation", "evaluation", True, groups.loc["quantity"])
    add("evaluated_price", "Evaluated price", "result", False,
        ranking["evaluated_cost_before_preference"].reindex(bidders))
    add("domestic_preference", "Domestic preference (for comparison only)", "result", False,
        ranking["domestic_preference"].reindex(bidders))
    add("evaluated_price_with_preference", "Evaluated price with preference", "result", False,
        ranking["evaluated_cost"].reindex(bidders))
    if result.do_nothing is not None:      # issue 13: against the existing fleet alone
        add("incremental_npv", "Incremental NPV (evaluated cost minus doing nothing)",
            "result", False, ranking["incremental_npv"].reindex(bidders))
    add("rank", "Rank", "result", False, ranking["rank"].reindex(bidders).astype(float))
    table = pd.DataFrame(rows).set_index("key")
    return table[["label", "section", "in_total"] + list(ranking.index)]


def evaluation_table_rows(result):
    """The evaluation table as JSON-ready rows (``evaluation_table`` in the JSON).

    Returns
    -------
    list of dict
        ``{"key", "label", "section", "in_total", "values": {bidder: number or null}}``
        in the order of the forms; bidders in rank order. A row with a null
        value also has ``null_reasons``: ``{bidder: why}`` (a non-responsive
        bid has no rank).
    """
    table = evaluation_table(result)
    bidders = [c for c in table.columns if c not in ("label", "section", "in_total")]
    out = []
    for key, row in table.iterrows():
        values, reasons = {}, {}
        for bidder in bidders:
            value = float(row[bidder])
            values[bidder] = (None if not np.isfinite(value)
                              else int(value) if key == "rank" else value)
            if values[bidder] is None:
                reasons[bidder] = _null_reason(result, bidder, key)
        entry = {"key": key, "label": row["label"], "section": row["section"],
                 "in_total": bool(row["in_total"]), "values": values}
        if reasons:
            entry["null_reasons"] = reasons
        out.append(entry)
    return out


def _null_reason(result, bidder, key):
    """Why a value of the evaluation table is null (JSON ``null_reasons`` of a row)."""
    row = result.ranking.loc[bidder]
    if key == "rank" and not bool(row.get("responsive", True)):
        return "not ranked: the bid is non-responsive"
    if key == "rank":
        return "not ranked: the bid's evaluated cost is not a finite number"
    return "not a finite number"


def _components(result):
    """Per bid, the parts of the compared cost: (key, label, kind) and amounts (parts x bids)."""
    table = evaluation_table(result)
    parts = table[table["in_total"] | (table.index == "domestic_preference")]
    labels = [(key, row["label"], "life_cycle" if key.startswith("lcc_") else "rule")
              for key, row in parts.iterrows()]
    return labels, parts


#: Relative size of a difference between two bids' lines taken as round-off [-].
ROUND_OFF = 1e-12


def decisive_lines(result):
    """What decides each pairwise order: adjacent ranks, and the winner against each other bid.

    For two ranked bids *a* (better) and *b*, with compared costs
    :math:`C_a \\le C_b` (``evaluated_cost``, with the domestic preference
    where it applies), the difference :math:`D = C_b - C_a = \\sum_k (x_{b,k} - x_{a,k})`
    is decomposed over the life-cycle cost categories and the adjustment
    lines :math:`k` of :func:`evaluation_table`. Removing line :math:`k` from
    both bids, or giving *b* the value of *a*, leaves :math:`D - d_k`; the
    line **alone swaps** the two bids when :math:`d_k > D` (ties when equal).
    A domestic preference margin removed this way keeps the other margins
    (a first-order reading of the group procedure).

    Returns
    -------
    list of dict
        ``{"better", "worse", "relation": "adjacent" | "winner", "difference",
        "life_cycle_difference", "rules_difference", "by_line": [{"line",
        "label", "kind", "difference"}], "decisive": [{"line", "label",
        "difference", "statement"}]}`` [base currency]; ``kind`` is
        ``life_cycle`` (the locomotive) or ``rule`` (an evaluation rule).
    """
    labels, parts = _components(result)
    ranking = result.ranking
    ranked = [b for b in ranking.index if not pd.isna(ranking.loc[b, "rank"])]
    cost = ranking["evaluated_cost"]
    pairs = [(a, b, "adjacent") for a, b in zip(ranked, ranked[1:])]
    pairs += [(ranked[0], b, "winner") for b in ranked[2:]]
    out = []
    for a, b, relation in pairs:
        total = float(cost[b] - cost[a])
        # a line that differs by round-off only (1e-12 of the costs: far below a cent)
        # does not separate the bids
        noise = ROUND_OFF * max(abs(float(cost[a])), abs(float(cost[b])), 1.0)
        by_line, decisive = [], []
        for key, label, kind in labels:
            d = float(parts.loc[key, b] - parts.loc[key, a])
            if abs(d) <= noise:
                continue
            by_line.append({"line": key, "label": label, "kind": kind, "difference": d})
            if d >= total:  # without the line, b is cheaper (d > total) or ties (d == total)
                decisive.append({"line": key, "label": label, "difference": d,
                                 "statement": f"without {label.lower()}, {b} ranks before {a}"
                                 if d > total else f"without {label.lower()}, {a} and {b} tie"})
        life = sum(x["difference"] for x in by_line if x["kind"] == "life_cycle")
        out.append({"better": a, "worse": b, "relation": relation, "difference": total,
                    "life_cycle_difference": life, "rules_difference": total - life,
                    "by_line": by_line, "decisive": decisive})
    return out
