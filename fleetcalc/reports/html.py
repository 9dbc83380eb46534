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
    "decisive_lines": "Difference in evaluated cost between the two bids, line by line "
                      "(worse minus better, largest first), ending at the net difference; "
                      "blue: life-cycle cost of the locomotive, orange: an evaluation rule; "
                      "hatched (\u2605): a line that alone would swap the two bids.",
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
    env.filters["decimal"] = _decimal
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
        caption = _CHART_CAPTIONS.get(name) or _CHART_CAPTIONS["decisive_lines"]
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


#: Noun phrases of the adjustment lines in the "what decides" sentences.
_LINE_NOUNS = {
    "domestic_preference": "the domestic preference margin",
    "scope": "the scope lines",
    "technical": "the technical deviation lines",
    "performance": "the performance lines",
    "commercial": "the commercial and payment terms lines",
    "delivery": "the delivery line",
    "other": "the other priced lines",
    "correction_discount": "the arithmetic correction and discount",
    "quantity": "the quantity normalisation",
}

#: Where the workbook holds each figure of the bid evaluation report:
#: ``(sheet, "columns" | "rows" | "stages", names)`` per table.
WORKBOOK_SOURCES = {
    "read_out": (("Assumptions", "rows", ("Bid n: currency", "Bid n: unit_price",
                                          "Bid n: quantity",
                                          "Tender settings: exchange_rates")),),
    "corrections": (("Assumptions", "rows", ("Bid n: evaluation: arithmetic_correction",
                                             "Bid n: evaluation: discount")),
                    ("Adjustments", "stages", ("correction", "discount"))),
    "responsiveness": (("Summary", "columns", ("Responsive", "Non responsive reason")),),
    "adjustments": (("Adjustments", "columns", ("Adjustment", "Amount", "Stage", "Basis")),),
    "evaluated": (("Summary", "columns", ("LCC NPV", "Evaluated cost before preference",
                                          "Preference group", "Domestic preference",
                                          "Evaluated cost")),),
    "ranking": (("Summary", "columns", ("Rank", "Evaluated cost")),),
}


def _source_text(sources):
    """``sheet “Summary”, columns LCC NPV, Evaluated cost``; sources joined by ``; ``."""
    return "; ".join(f"sheet \u201c{sheet}\u201d, {kind} " + ", ".join(names)
                     for sheet, kind, names in sources)


def _evaluation_table(result):
    """The bid evaluation table (World Bank / ADB form order) for the template; None when the
    result cannot give it, or its rows do not add up to the ranking's evaluated costs."""
    from fleetcalc.reports.charts import table_adds_up  # noqa: PLC0415
    from fleetcalc.reports.evaluation_table import evaluation_table_rows  # noqa: PLC0415

    if not table_adds_up(result):  # never a table whose figures contradict the ranking
        return None
    rows = evaluation_table_rows(result)
    bidders = list(rows[0]["values"]) if rows else []
    return {"bidders": bidders, "rows": rows,
            "by_key": {row["key"]: row for row in rows}}


def _decisive_context(result, table, charts):
    """Per pair of ranked bids: the decomposition, its chart and the decisive sentences."""
    from fleetcalc.reports.charts import _decisive_pairs, decisive_line_label  # noqa: PLC0415

    if table is None:
        return None
    pairs = _decisive_pairs(result)
    if not pairs:
        return None
    by_key = table["by_key"]
    ranked = [b for b in table["bidders"]
              if by_key["rank"]["values"].get(b) is not None]
    cost = {b: by_key["evaluated_price_with_preference"]["values"][b] for b in ranked}
    out = []
    for i, pair in enumerate(pairs):
        better, worse = pair["better"], pair["worse"]
        sentences = []
        for item in pair["decisive"]:
            line = item["line"]
            # the line removed from every ranked bid: does the worse bid then rank first?
            moved = {b: cost[b] - (by_key[line]["values"].get(b) or 0.0) for b in ranked}
            first = min(moved.values()) == moved[worse]
            where = "ranks first" if first else f"ranks before {better}"
            if line.startswith("lcc_"):
                noun = line[4:].replace("_", " ")
                sentences.append(f"With the same {noun} cost for every bid, {worse} "
                                 f"{where.replace('ranks', 'would rank')}.")
            else:
                noun = _LINE_NOUNS.get(line, f"the line \u201c{item['label']}\u201d")
                sentences.append(f"Without {noun}, {worse} {where}.")
        lines = sorted(pair["by_line"], key=lambda x: -abs(x["difference"]))
        out.append({
            "better": better, "worse": worse, "relation": pair["relation"],
            "difference": pair["difference"], "life": pair["life_cycle_difference"],
            "rules": pair["rules_difference"], "sentences": sentences,
            "life_for": _favour(pair["life_cycle_difference"], better, worse),
            "rules_for": _favour(pair["rules_difference"], better, worse),
            "lines": [{**x, "short": decisive_line_label(x),
                       "decisive": any(d["line"] == x["line"] for d in pair["decisive"])}
                      for x in lines],
            "chart": charts.get(f"decisive_lines_{i + 1}"),
        })
    return out


def _favour(amount, better, worse):
    """The bid that a difference (worse minus better) favours."""
    return better if amount >= 0 else worse


def _evaluation_report(result, table, rows):
    """The facts of the "Bid evaluation report" section (World Bank / ADB forms)."""
    if table is None:
        return None
    tender = result.tender
    settings = tender.tender
    base = settings.base_currency
    by_key = table["by_key"]
    bids = {bid.bidder: (i + 1, bid) for i, bid in enumerate(tender.bids)}
    received = []
    for bidder, (number, bid) in bids.items():
        rate = 1.0 if bid.currency == base else settings.to_base(1.0, bid.currency)
        received.append({
            "number": number, "bidder": bidder, "model": bid.model,
            "quantity": bid.quantity, "currency": bid.currency, "unit_price": bid.unit_price,
            "price": bid.unit_price * bid.quantity, "rate": rate,
            "base_price": by_key["read_out_price"]["values"][bidder]})
    row_of = {r["bidder"]: r for r in rows}
    responsiveness = []
    for bidder, (number, _bid) in bids.items():
        row = row_of.get(bidder, {})
        reasons = [s.strip() for s in (row.get("reason") or "").split(";") if s.strip()]
        responsiveness.append({"number": number, "bidder": bidder,
                               "responsive": bool(row.get("responsive", False)),
                               "finite": bool(row.get("finite", True)), "reasons": reasons})
    lines = {}
    frame = _optional(result, "adjustments")
    if frame is not None:
        for record in frame.to_dict("records"):
            if record.get("stage") in ("conversion", "domestic_preference"):
                continue  # the rate is in the read-out table; the margin in evaluated prices
            lines.setdefault(record["bidder"], []).append(record)
    adjustments = [{"bidder": b, "number": bids[b][0], "lines": lines.get(b, [])}
                   for b in bids]
    groups = {b: (result.ranking.loc[b, "preference_group"]
                  if "preference_group" in result.ranking else None) for b in table["bidders"]}
    responsive = [r for r in rows if r["responsive"] and r["finite"]]
    recommendation = None
    if responsive:
        winner = responsive[0]["bidder"]
        number, bid = bids[winner]
        base_amount = sum(by_key[k]["values"][winner] for k in
                          ("read_out_price", "arithmetic_correction", "discount"))
        bid_amount = ((bid.unit_price * bid.quantity + bid.evaluation.arithmetic_correction)
                      * (1.0 - bid.evaluation.discount))
        recommendation = {"bidder": winner, "model": bid.model, "number": number,
                          "quantity": bid.quantity, "currency": bid.currency,
                          "bid_amount": bid_amount, "base_amount": base_amount,
                          "evaluated_cost": responsive[0]["evaluated_cost"]}
    return {"order": [(number, b) for b, (number, _) in bids.items()],
            "received": received, "responsiveness": responsiveness,
            "adjustments": adjustments, "groups": groups,
            "ranked": responsive, "recommendation": recommendation,
            "sources": {k: _source_text(v) for k, v in WORKBOOK_SOURCES.items()},
            "signatories": 5}


def _log_context(log_entry, sha256):
    """The decision-log entry shown in the footer (None when no entry was written)."""
    if not log_entry:
        return None
    source = log_entry.get("input") or {}
    entry_sha = source.get("sha256")
    return {"time": log_entry.get("time"), "sha256": entry_sha, "file": source.get("file"),
            "command": log_entry.get("command"),
            "matches": sha256 is None or entry_sha is None or entry_sha == sha256}


def _issue_sections(result, *, plan, perspectives):
    """The sections "Financial and economic views" and "Fleet-renewal plan" (issues 14, 16)."""
    from fleetcalc.reports.perspectives import perspective_lines, perspectives_context  # noqa: PLC0415
    from fleetcalc.reports.plan_section import plan_context  # noqa: PLC0415

    views = None
    if perspectives is not False:
        lines = perspectives if perspectives is not None else perspective_lines(result.tender)
        views = perspectives_context(lines, result)
    settings = getattr(result.tender, "plan", None)
    from_year = getattr(settings, "from_year", 1) if settings is not None else 1
    return {"perspectives": views,
            "plan": plan_context(plan, from_year=from_year) if plan is not None else None}


def render_html(result, *, source_bytes=None, simulation=None, today=None, log_entry=None,
                plan=None, perspectives=None):
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
    log_entry : dict, optional
        The decision-log entry of this evaluation
        (:func:`fleetcalc.io.decision_log.append_entry`), listed in the footer:
        ``time`` and ``input.sha256`` (also ``input.file`` and ``command`` when given).
    plan : fleetcalc.PlanResult or fleetcalc.planning.PlanError, optional
        The fleet-renewal plan (:func:`fleetcalc.plan`): adds the section "Fleet-renewal
        plan" (:mod:`fleetcalc.reports.plan_section`); a ``PlanError`` is shown as
        its message.
    perspectives : fleetcalc.reports.perspectives.PerspectiveLines or False, optional
        The financial and economic views (default: computed from ``result.tender``,
        :func:`fleetcalc.reports.perspectives.perspective_lines`); ``False`` leaves
        the section "Financial and economic views" out.

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
    charts = _chart_images(result, simulation)
    table = _evaluation_table(result)
    sha256 = hashlib.sha256(source_bytes).hexdigest() if source_bytes is not None else None
    extra = _issue_sections(result, plan=plan, perspectives=perspectives)
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
        "charts": charts,
        "table": table,
        "decisive": _decisive_context(result, table, charts),
        "report": _evaluation_report(result, table, rows),
        "log": _log_context(log_entry, sha256),
        "assumptions": _assumptions(result),
        "warnings": [str(w) for w in (getattr(result, "warnings", ()) or ())],
        "version": __version__,
        "generated": (today or _dt.date.today()).isoformat(),
        "sha256": sha256,
        "n_cash_flows": len(result.cash_flows),
        **extra,
    }
    return _environment().get_template("report.html.j2").render(**context)


def write_html(result, path, *, source_bytes=None, simulation=None, log_entry=None, plan=None,
               perspectives=None):
    """Write a self-contained HTML report of an evaluation.

    Sections (each only when its data exist): summary and recommendation,
    ranking, the bid evaluation table (World Bank / ADB form order), what
    decides the award (waterfall per pair of bids), present value by
    category, adjustments, financing, fleet availability against demand,
    uncertainty, the financial and economic views, the fleet-renewal plan (with
    ``plan``), assumptions, methodology, the bid evaluation report (forms
    a committee prints and signs), and a footer with the fleetcalc version,
    the dates, the SHA-256 of the input file and the decision-log entry.

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
    log_entry : dict, optional
        The decision-log entry written for this evaluation (``fleetcalc report
        --log``): its ``time`` and ``input.sha256`` are listed in the footer.
    plan, perspectives : optional
        The fleet-renewal plan and the financial and economic views
        (:func:`render_html`).

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
    path.write_text(render_html(result, source_bytes=source_bytes, simulation=simulation,
                                log_entry=log_entry, plan=plan, perspectives=perspectives),
                    encoding="utf-8")
    return path
