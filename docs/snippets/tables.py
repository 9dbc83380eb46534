# Helpers of the documentation pages (included, hidden, at the top of a page's
# markdown-exec session with `--8<-- "docs/snippets/tables.py"`). Not part of fleetcalc.
import math as _math

import pandas as _pd


def _cell(value, fmt):
    if value is None or (isinstance(value, float) and _math.isnan(value)) or value is _pd.NA:
        return "–"
    if callable(fmt):
        return fmt(value)
    if fmt:
        return format(value, fmt)
    return str(value).replace("|", "\\|")


def md_table(frame, formats=None, index=True, names=None):
    """Print a DataFrame as a Markdown table.

    formats: column -> format spec ("{:,.0f}" style spec without braces, e.g.
    ",.0f" or ".1%") or a callable; names: column -> header text.
    Numeric columns are right-aligned.
    """
    formats, names = formats or {}, names or {}
    frame = frame.reset_index() if index else frame
    columns = list(frame.columns)
    header = [names.get(c, str(c)) for c in columns]
    numeric = [_pd.api.types.is_numeric_dtype(frame[c]) and frame[c].dtype != bool
               for c in columns]
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v, formats.get(c)) for c, v in zip(columns, row))
                     + " |")
    print("\n".join(lines) + "\n")


def usd_m(value):
    """Money in millions, e.g. 516.60 (the unit is said in the header)."""
    return f"{value / 1e6:,.2f}"
