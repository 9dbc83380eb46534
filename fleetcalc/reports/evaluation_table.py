"""The bid evaluation table and what decides the award, as text (``compare --detail``).

The table and the decomposition are evaluation maths and live in
:mod:`fleetcalc.evaluation_table` (orchestration); this module formats them
and re-exports :func:`evaluation_table`, :func:`evaluation_table_rows` and
:func:`decisive_lines` from there for old imports.
"""

from __future__ import annotations

import numpy as np

from fleetcalc.evaluation_table import decisive_lines, evaluation_table, evaluation_table_rows

__all__ = ["evaluation_table", "evaluation_table_rows", "format_evaluation_table",
           "decisive_lines", "format_decisive_lines"]


def format_evaluation_table(result):
    """The evaluation table as text, amounts to the currency unit (``compare --detail``)."""
    table = evaluation_table(result)
    bidders = [c for c in table.columns if c not in ("label", "section", "in_total")]
    width = max(len(label) for label in table["label"]) + 2
    cols = [max(14, len(b) + 1) for b in bidders]
    head = " " * width + "".join(f"{b:>{w}}" for b, w in zip(bidders, cols))
    lines = [f"Bid evaluation table [{result.tender.tender.base_currency}] "
             "(World Bank / ADB form order; * = adds up to the evaluated price)", head]
    for key, row in table.iterrows():
        mark = "*" if row["in_total"] else " "
        cells = []
        for bidder, w in zip(bidders, cols):
            value = row[bidder]
            if not np.isfinite(value):
                cells.append(f"{'-':>{w}}")
            elif key == "rank":
                cells.append(f"{int(value):>{w}d}")
            else:
                cells.append(f"{value:>{w},.0f}")
        lines.append(f"{mark}{row['label']:<{width - 1}}" + "".join(cells))
    return "\n".join(lines)


def format_decisive_lines(result):
    """:func:`decisive_lines` as text (``compare --detail``)."""
    currency = result.tender.tender.base_currency
    lines = [f"What decides the award [{currency}]"]
    for pair in decisive_lines(result):
        lines.append(
            f"{pair['better']} before {pair['worse']} ({pair['relation']}): by "
            f"{pair['difference']:,.0f} = life-cycle {pair['life_cycle_difference']:,.0f} "
            f"+ rules {pair['rules_difference']:,.0f}")
        for item in sorted(pair["by_line"], key=lambda x: -abs(x["difference"])):
            lines.append(f"    {item['label']:<48} {item['difference']:>16,.0f}")
        if pair["decisive"]:
            lines += [f"  decisive: {d['statement']}" for d in pair["decisive"]]
        else:
            lines.append("  decisive: no single line swaps these two bids")
    return "\n".join(lines)
