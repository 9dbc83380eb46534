"""The fleet-renewal plan in the report: the facts of the HTML section and its chart.

The section "Fleet-renewal plan" of the HTML report (issue 16 items 4 and 6): the
plan's NPV against the tender as filed and the gain, the optimality gap, the
year-by-year table (units bought by type, rebuilt and retired by cohort, units in
service, P(meet demand), capital spent against the budget) and the chart of
:func:`fleetcalc.reports.plan_chart.plan_chart`. Every figure is the
:class:`fleetcalc.PlanResult`'s, as ``fleetcalc plan --format json`` gives it.
"""

from __future__ import annotations

import base64
import math

__all__ = ["plan_context", "plan_chart_png", "PLAN_CHART_CAPTION"]

PLAN_CHART_CAPTION = ("Units in service by cohort and new type, per year, against the demand "
                      "(black line); the plan's purchases, rebuilds and retirements included.")


def _number(value):
    value = float(value)
    return value if math.isfinite(value) else None


def plan_chart_png(plan):
    """The plan chart as PNG bytes (:func:`fleetcalc.reports.plan_chart.plan_chart`)."""
    from fleetcalc.reports.charts import render_png  # noqa: PLC0415
    from fleetcalc.reports.plan_chart import plan_chart  # noqa: PLC0415

    return render_png(lambda ax=None: plan_chart(plan, ax=ax).axes[0])


def _used(frame):
    """Columns of a units frame with any unit in any year."""
    return [str(c) for c in frame.columns if frame[c].to_numpy().any()]


def plan_context(plan, *, from_year=1, chart=True):
    """The facts of the report's "Fleet-renewal plan" section.

    Parameters
    ----------
    plan : fleetcalc.PlanResult or Exception
        The plan; an exception (:class:`fleetcalc.planning.PlanError`: no plan
        meets the constraints) is shown as its message.
    from_year : int, optional
        First year t whose confidence is required (``[plan].from_year``).
    chart : bool, optional
        Render the chart (a PNG in a data URL).

    Returns
    -------
    dict
        ``error`` (str or None), ``npv``, ``optimality_gap`` (None when not
        known), ``source``, ``confidence``, ``gain``, ``as_filed`` (the bid as
        filed the plan is compared with: ``bidder``, ``npv``, ``feasible``,
        ``min_p_meet_demand``), ``as_filed_all``, ``types``, ``rebuilt_cohorts``,
        ``retired_cohorts``, ``years`` (one dict per year, the JSON's keys plus
        ``demand``, ``required`` and ``meets``), ``totals`` and ``chart``.
    """
    if isinstance(plan, BaseException):
        return {"error": str(plan)}
    best = plan.as_filed_best
    types = _used(plan.bought)
    rebuilt = _used(plan.rebuilt)
    retired = _used(plan.retired)
    years = []
    for index, row in plan.years.reset_index(drop=True).iterrows():
        year = int(row["year"])
        p_meet = _number(row["p_meet_demand"])
        required = year >= from_year and float(row["demand"]) > 0
        years.append({
            "index": int(index), "year": year, "calendar_year": int(row["calendar_year"]),
            "demand": float(row["demand"]),
            "bought": {t: int(plan.bought.loc[year, t]) for t in types},
            "rebuilt": {c: int(plan.rebuilt.loc[year, c]) for c in rebuilt},
            "retired": {c: int(plan.retired.loc[year, c]) for c in retired},
            "units_in_service": int(row["units_in_service"]),
            "p_meet_demand": p_meet,
            "capital_spent": _number(row["capital_spent"]),
            "budget": _number(row["budget"]),
            "required": required,
            "meets": p_meet is not None and p_meet >= plan.confidence - 1e-9,
        })
    totals = {"bought": {t: int(plan.bought[t].sum()) for t in types},
              "rebuilt": {c: int(plan.rebuilt[c].sum()) for c in rebuilt},
              "retired": {c: int(plan.retired[c].sum()) for c in retired},
              "capital_spent": float(plan.years["capital_spent"].sum())}
    image = None
    if chart:
        data = base64.b64encode(plan_chart_png(plan)).decode("ascii")
        image = {"src": f"data:image/png;base64,{data}", "caption": PLAN_CHART_CAPTION,
                 "alt": PLAN_CHART_CAPTION}
    as_filed_all = [{"bidder": str(r["bidder"]), "npv": float(r["npv"]),
                     "feasible": bool(r["feasible"]),
                     "min_p_meet_demand": _number(r["min_p_meet_demand"])}
                    for _, r in plan.as_filed.iterrows()]
    return {
        "error": None, "npv": float(plan.npv), "optimality_gap": _number(plan.optimality_gap),
        "source": str(plan.source), "confidence": float(plan.confidence),
        "gain": float(plan.gain), "from_year": int(from_year),
        "from_calendar_year": int(plan.years["calendar_year"].iloc[0]) + int(from_year) - 1,
        "as_filed": {"bidder": str(best["bidder"]), "npv": float(best["npv"]),
                     "feasible": bool(best["feasible"]),
                     "min_p_meet_demand": _number(best["min_p_meet_demand"])},
        "as_filed_all": as_filed_all,
        "types": types, "rebuilt_cohorts": rebuilt, "retired_cohorts": retired,
        "has_budget": bool(plan.years["budget"].notna().any()),
        "years": years, "totals": totals, "chart": image,
    }
