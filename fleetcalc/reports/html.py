"""A self-contained HTML report of an evaluation.

One file, no external resource and no script: CSS inline, charts inline as
base64 PNG images, a Content-Security-Policy that forbids anything else.
Rendered with Jinja2 (autoescaping on) from ``templates/report.html.j2``.

Numbers of the ranking carry their unrounded value in ``data-value``
attributes, so that a reader (or a test) can check the page against
``fleetcalc compare --format json``.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import math
import numbers
from pathlib import Path

import numpy as np

__all__ = ["write_html", "render_html"]

_CATEGORY_LABELS = {"initial_support": "Initial support", "residual_value": "Residual value"}

_CHART_CAPTIONS = {
    "pv_by_category": "Present value of each bid by cost category; residual value (a credit) "
                      "is below zero; the diamond is the net LCC NPV.",
    "cumulative_discounted_cost": "Cumulative present value of each bid's cash flows; the end "
                                  "point is the LCC NPV.",
    "available_vs_demand": "Locomotives available for service against the demand, by year.",
    "available_units": "Locomotives available for service (expected), by year; the tender "
                       "gives no demand to compare them with.",
    "fleet_age_profile": "Mean age of the units in service, weighted by units.",
    "evaluated_cost_distribution": "Distribution of evaluated cost over the Monte Carlo draws.",
    "tornado": "Evaluated cost of the rank-1 bid with one input at a time at its low and high "
               "value.",
}


def _environment():
    import jinja2  # noqa: PLC0415 - optional dependency, imported when used

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("fleetcalc.reports", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True)
    env.filters["money"] = _money
    env.filters["millions"] = _millions
    env.filters["percent"] = _percent
    env.filters["raw"] = _raw
    env.filters["label"] = _label
    return env


def _finite(value):
    return (value is not None and isinstance(value, numbers.Number)
            and not isinstance(value, bool) and math.isfinite(float(value)))


def _shown_not_finite(value, undefined):
    """An infinite value as ``+∞``/``−∞``; NaN or None as ``undefined``."""
    if value is not None and isinstance(value, numbers.Number) and math.isinf(float(value)):
        return _not_finite_text(value)
    return undefined


def _money(value, decimals=0, undefined="\u2013"):
    """``1,234,567``; ``+∞``/``−∞`` when infinite; ``undefined`` (an en dash) when NaN."""
    if _finite(value):
        return f"{float(value):,.{decimals}f}"
    return _shown_not_finite(value, undefined)


def _millions(value, decimals=1, undefined="\u2013"):
    if _finite(value):
        return f"{float(value) / 1e6:,.{decimals}f}"
    return _shown_not_finite(value, undefined)


def _percent(value, decimals=None):
    """A share as a percentage (:func:`fleetcalc.reports.formatting.percent`)."""
    from fleetcalc.reports.formatting import percent  # noqa: PLC0415

    return percent(value, decimals)


def _raw(value):
    """The unrounded value for a ``data-value`` attribute (empty when undefined)."""
    return repr(float(value)) if _finite(value) else ""


def _label(name):
    name = str(name)
    return _CATEGORY_LABELS.get(name, name.replace("_", " ").capitalize())


def _optional(result, name):
    value = getattr(result, name, None)
    if value is None or getattr(value, "empty", False):
        return None
    return value


def _chart_images(result, simulation):
    from fleetcalc.reports.charts import available_charts, has_demand, render_png  # noqa: PLC0415

    images = {}
    for name, draw in available_charts(result, simulation=simulation).items():
        data = base64.b64encode(render_png(draw)).decode("ascii")
        caption = _CHART_CAPTIONS[name]
        if name == "available_vs_demand" and not has_demand(result):
            caption = _CHART_CAPTIONS["available_units"]
        if name == "pv_by_category" and _adjusted(result):  # as the chart's legend says
            caption = caption.replace(
                "the diamond is the net LCC NPV.",
                "hatched: the evaluation adjustments; the diamond is the evaluated cost "
                "(LCC NPV + adjustments).")
        images[name] = {"src": f"data:image/png;base64,{data}", "caption": caption,
                        "alt": caption}
    return images


def _adjusted(result):
    """True if an evaluated cost differs from its LCC NPV (the charts' rule)."""
    ranking = result.ranking
    if "lcc_npv" not in ranking:
        return False
    return not np.allclose(ranking["evaluated_cost"], ranking["lcc_npv"], rtol=0, atol=0.5,
                           equal_nan=True)


def _rank(value):
    import pandas as pd  # noqa: PLC0415

    return None if value is None or pd.isna(value) else int(value)


def _not_finite_text(value):
    """``"+∞"``, ``"−∞"`` or ``"undefined (NaN)"`` for a value that is not finite."""
    value = float(value)
    if math.isnan(value):
        return "undefined (NaN)"
    return "+\u221e" if value > 0 else "\u2212\u221e"


def _ranking_rows(result):
    """Ranked bids first (in rank order), then unranked (non-responsive) bids, then bids
    whose cost is not a finite number (never ranked, whatever the ranking says)."""
    import pandas as pd  # noqa: PLC0415

    ranking = result.ranking
    costs = ranking[["evaluated_cost", "lcc_npv"]].astype(float).to_numpy()
    finite = np.isfinite(costs).all(axis=1)
    ranked = ranking["rank"].notna().to_numpy() & finite
    ranking = pd.concat([ranking[ranked], ranking[~ranked & finite], ranking[~finite]])
    finite = np.isfinite(ranking[["evaluated_cost", "lcc_npv"]].astype(float).to_numpy()).all(1)
    best = float(ranking["evaluated_cost"].iloc[0]) if finite.any() else math.nan
    never_fails = {bid.bidder for bid in result.tender.bids
                   if getattr(bid, "mtbf_hours", 0) is None}
    rows = []
    for (bidder, row), is_finite in zip(ranking.iterrows(), finite):
        reason = row.get("non_responsive_reason")
        rank = _rank(row["rank"]) if is_finite else None
        problems = [] if is_finite else [
            f"{name} is {_not_finite_text(row[column])}"
            for column, name in (("evaluated_cost", "evaluated cost"), ("lcc_npv", "LCC NPV"))
            if not _finite(float(row[column]))]
        rows.append({
            "bidder": str(bidder), "model": str(row["model"]), "rank": rank,
            "responsive": bool(row.get("responsive", True)) and rank is not None,
            "finite": bool(is_finite), "not_finite": "; ".join(problems),
            "reason": str(reason) if isinstance(reason, str) and reason else None,
            "evaluated_cost": float(row["evaluated_cost"]), "lcc_npv": float(row["lcc_npv"]),
            "difference": float(row["evaluated_cost"]) - best,
            "equivalent_annual_cost": float(row.get("equivalent_annual_cost", math.nan)),
            "cost_per_km": float(row.get("cost_per_km", math.nan)),
            "availability": float(row["availability"]) if "availability" in row else None,
            "no_failure_data": bidder in never_fails,
            "p_meet_demand": float(row["p_meet_demand"]) if "p_meet_demand" in row else None,
            "incremental_npv": float(row.get("incremental_npv", math.nan)),
            "pv": {c: float(row[f"pv_{c}"]) for c in result.categories
                   if f"pv_{c}" in row},
        })
    return rows


def _recommendation(result, rows):
    """The award sentence's facts; None when no bid is responsive with a finite cost."""
    rows = [r for r in rows if r["responsive"] and r["finite"]]
    if not rows:
        return None
    first = rows[0]
    settings = result.tender.tender
    text = {"bidder": first["bidder"], "model": first["model"],
            "cost": first["evaluated_cost"], "runner_up": None,
            "ties": [r["bidder"] for r in rows[1:] if r["rank"] == first["rank"]],
            "rate": settings.discount_rate, "horizon": settings.horizon_years}
    if len(rows) > 1:
        second = rows[1]
        text["runner_up"] = second["bidder"]
        text["margin"] = second["evaluated_cost"] - first["evaluated_cost"]
        text["margin_share"] = (text["margin"] / abs(first["evaluated_cost"])
                                if first["evaluated_cost"] else math.nan)
    return text


def _financing_rows(frame):
    columns = [c for c in ("drawdown", "interest", "principal", "fees", "premium",
                           "debt_service") if c in frame.columns]
    totals = frame.groupby("bidder", sort=False)[columns].sum()
    # the schedule's own calendar years (the JSON's convention), else its years t
    year_column = "calendar_year" if "calendar_year" in frame.columns else "year"
    rows = []
    for bidder, row in totals.iterrows():
        item = {"bidder": str(bidder), **{c: float(row[c]) for c in columns}}
        if "balance" in frame.columns:
            item["peak_balance"] = float(frame.loc[frame["bidder"] == bidder, "balance"].max())
        years = frame.loc[frame["bidder"] == bidder, year_column]
        item["years"] = f"{int(years.min())}\u2013{int(years.max())}" if len(years) else ""
        rows.append(item)
    return {"columns": columns, "rows": rows, "has_balance": "balance" in frame.columns,
            "years": "Calendar years" if year_column == "calendar_year" else "Years t"}


def _fleet_rows(frame):
    rows = []
    for bidder, group in frame.groupby("bidder", sort=False):
        needed = group[group["demand"] > 0] if "demand" in group else group
        met = needed[needed["available_units"] >= needed["demand"]] if len(needed) else needed
        x = "calendar_year" if "calendar_year" in group else "year"
        rows.append({
            "bidder": str(bidder),
            "years_short": int((needed["available_units"] < needed["demand"]).sum())
            if len(needed) else 0,
            "first_met": int(met[x].min()) if len(met) else None,
            "mean_p_meet": float(needed["p_meet_demand"].mean())
            if "p_meet_demand" in needed and len(needed) else None,
            "min_p_meet": float(needed["p_meet_demand"].min())
            if "p_meet_demand" in needed and len(needed) else None,
            "shortfall": float(group["shortfall_unit_days"].sum())
            if "shortfall_unit_days" in group else None,
        })
    return rows


def _simulation_context(result, simulation):
    if simulation is None:
        return None
    summary = getattr(simulation, "summary", None)
    if summary is None or summary.empty:
        return None
    order = {b: i for i, b in enumerate(result.ranking.index)}
    records = sorted(summary.to_dict("records"), key=lambda r: order.get(r["bidder"], 1e9))
    draws = getattr(simulation, "draws_evaluated_cost", None)
    return {"rows": records, "draws": int(len(draws)) if draws is not None else None,
            "has_availability": "availability_mean" in summary.columns,
            "has_p_first": "p_rank_first" in summary.columns}


def _format_assumption(value, unit, base):
    from fleetcalc.reports.formatting import is_share_unit, percent  # noqa: PLC0415

    if value is None or value == "":
        return "\u2013"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{value}" if unit == "year" else f"{value:,}"
    if isinstance(value, numbers.Number):
        if is_share_unit(unit):
            return percent(value)
        return _decimal(value)
    return str(value)


def _decimal(value):
    """A number with two decimals, or as many as it needs (``4.60``, ``0.00356``).

    Examples
    --------
    >>> _decimal(4.6), _decimal(257.08), _decimal(0.00356), _decimal(1_500_000.0)
    ('4.60', '257.08', '0.00356', '1,500,000.00')
    """
    if not _finite(value):
        return _money(value)
    for decimals in range(2, 10):
        if math.isclose(round(value, decimals), value, rel_tol=1e-12, abs_tol=1e-12):
            break
    return f"{value:,.{decimals}f}"


_PLURAL = {"year": "years", "day": "days", "week": "weeks", "point": "points"}


def _with_unit(shown, unit):
    """``"4.60 L/km"``, ``"30 years"``; a percentage keeps only a per-time part
    (``"1%/year"``); a dimensionless ``-`` is not shown.

    Examples
    --------
    >>> _with_unit("0.1%", "-/week"), _with_unit("1", "year"), _with_unit("30", "year")
    ('0.1%/week', '1 year', '30 years')
    >>> _with_unit("signing: 10%", "-"), _with_unit("4.60", "L/km")
    ('signing: 10%', '4.60 L/km')
    """
    if shown == "\u2013" or not unit or unit == "-":
        return shown
    if shown.endswith("%"):
        return f"{shown}{unit.lstrip('-')}" if unit.startswith("-/") else shown
    if unit in _PLURAL and shown.replace(",", "") not in {"1", "1.00"}:
        unit = _PLURAL[unit]
    return f"{shown} {unit}"


def _unit_column(shown, unit):
    """The unit shown beside a setting: ``/year`` for a rate, nothing for ``-``."""
    unit = unit or ""
    if shown == "\u2013":  # nothing given: no unit either
        return ""
    if unit == "-" or (unit.startswith("-/") and not shown.endswith("%")):
        return unit.lstrip("-") if unit.startswith("-/") else ""
    return unit.lstrip("-") if shown.endswith("%") else unit


def _assumptions(result):
    from fleetcalc.reports.excel import assumption_rows  # noqa: PLC0415

    tender = result.tender
    base = tender.tender.base_currency
    settings, bids, parameters = [], {}, []
    n_bids = len(tender.bids)
    for section, parameter, value, unit, meaning in assumption_rows(tender):
        shown = _format_assumption(value, unit or "", base)
        if section.startswith("Bid "):
            index = int(section.split()[1].split(":")[0]) - 1
            key = (section.split(":", 1)[1].strip() + "." if ":" in section else "") + parameter
            if key not in bids:
                bids[key] = {"parameter": key, "meaning": meaning, "values": [""] * n_bids}
                parameters.append(key)
            bids[key]["values"][index] = _with_unit(shown, unit)
        else:
            group = section.split(":", 1)[1].strip().replace("_", " ") if ":" in section else ""
            settings.append({"group": group, "parameter": parameter, "value": shown,
                             "unit": _unit_column(shown, unit), "meaning": meaning})
    # A table absent from some bids (financing, guarantees): its keys' rows only, with a
    # dash where a bid has none.
    parameters = [k for k in parameters if not any(o.startswith(k + ".") for o in parameters)]
    for key in parameters:
        bids[key]["values"] = [v if v != "" else "\u2013" for v in bids[key]["values"]]
    return {"settings": settings, "bids": [bids[k] for k in parameters],
            "bidders": [b.bidder for b in tender.bids]}


def render_html(result, *, source_bytes=None, simulation=None, today=None):
    """The HTML report as a string (see :func:`write_html`).

    Parameters
    ----------
    result : fleetcalc.EvaluationResult
    source_bytes : bytes, optional
        The tender file's bytes; their SHA-256 goes in the footer.
    simulation : object, optional
        Monte Carlo result (default: ``result.simulation`` if present).
    today : datetime.date, optional
        Date of the report (default: today).

    Returns
    -------
    str
    """
    from fleetcalc import __version__  # noqa: PLC0415

    simulation = simulation if simulation is not None else getattr(result, "simulation", None)
    settings = result.tender.tender
    rows = _ranking_rows(result)
    adjustments = _optional(result, "adjustments")
    financing = _optional(result, "financing")
    fleet_years = _optional(result, "fleet_years")
    from fleetcalc.reports.charts import has_demand  # noqa: PLC0415

    demand_given = has_demand(result)
    context = {
        "title": settings.name,
        "settings": settings,
        "currency": settings.base_currency,
        "rows": rows,
        "categories": [c for c in result.categories
                       if any(r["pv"].get(c, 0.0) != 0.0 for r in rows)],
        "not_finite": [r for r in rows if not r["finite"]],
        "recommendation": _recommendation(result, rows),
        "has_availability": any(r["availability"] is not None for r in rows),
        "no_failure_data": any(r["no_failure_data"] and r["availability"] is not None
                               for r in rows),
        "has_p_meet": demand_given and any(r["p_meet_demand"] is not None for r in rows),
        "has_incremental": result.do_nothing is not None,
        "has_demand": demand_given,
        "has_adjusted": any(not math.isclose(r["evaluated_cost"], r["lcc_npv"], rel_tol=1e-12,
                                             abs_tol=1e-6) for r in rows),
        "adjustments": adjustments.to_dict("records") if adjustments is not None else None,
        "financing": _financing_rows(financing) if financing is not None else None,
        "fleet": _fleet_rows(fleet_years) if fleet_years is not None and demand_given else None,
        "simulation": _simulation_context(result, simulation),
        "charts": _chart_images(result, simulation),
        "assumptions": _assumptions(result),
        "warnings": [str(w) for w in (getattr(result, "warnings", ()) or ())],
        "version": __version__,
        "generated": (today or _dt.date.today()).isoformat(),
        "sha256": hashlib.sha256(source_bytes).hexdigest() if source_bytes is not None else None,
        "n_cash_flows": len(result.cash_flows),
    }
    return _environment().get_template("report.html.j2").render(**context)


def write_html(result, path, *, source_bytes=None, simulation=None):
    """Write a self-contained HTML report of an evaluation.

    Sections (each only when its data exist): summary and recommendation,
    ranking, present value by category, adjustments, financing, fleet
    availability against demand, uncertainty, assumptions, methodology, and
    a footer with the fleetcalc version, the dates and the SHA-256 of the
    input file.

    Parameters
    ----------
    result : fleetcalc.EvaluationResult
        The evaluation; optional attributes (``adjustments``, ``financing``,
        ``fleet``, ``fleet_years``, ``simulation``) add sections.
    path : str or os.PathLike
        The ``.html`` file to write (UTF-8, overwritten).
    source_bytes : bytes, optional
        The tender file's bytes, so a reader can check which input was used.
    simulation : object, optional
        Monte Carlo result (default: ``result.simulation`` if present).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib, fleetcalc
    >>> result = fleetcalc.evaluate(fleetcalc.load_tender(
    ...     "examples/pakistan_locomotives_2026.toml"))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_html(result, pathlib.Path(tmp) / "report.html")
    ...     "<script" in path.read_text(encoding="utf-8")
    False
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(result, source_bytes=source_bytes, simulation=simulation),
                    encoding="utf-8")
    return path
