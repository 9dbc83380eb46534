"""``fleetcalc plan``: the least-cost fleet-renewal plan of a tender file, verified exactly."""

from __future__ import annotations

from fleetcalc.cli.common import (
    UsageError,
    check_output,
    emit,
    quiet_tender_warnings,
    read_tender_reporting,
)

__all__ = ["run_plan", "format_plan"]


def _money(value):
    return f"{value / 1e6:,.2f} m"


def format_plan(result):
    """The plan for people: a headline, the plan against the tender as filed, the years.

    Parameters
    ----------
    result : fleetcalc.PlanResult

    Returns
    -------
    str
    """
    currency = result.base_currency
    best = result.as_filed_best
    filed = "feasible" if best["feasible"] else "does not meet the confidence every year"
    lines = [
        f"Fleet-renewal plan at confidence {result.confidence:g} (verified year by year with "
        "the exact distribution of available units)",
        f"  plan NPV:          {currency} {_money(result.npv)}  (optimality gap "
        f"{result.optimality_gap:.2e}; {result.source})",
        f"  as filed NPV:      {currency} {_money(best['npv'])}  ({best['bidder']}, {filed})",
        f"  gain:              {currency} {_money(result.gain)}",
        "",
    ]
    table = result.table()
    table["p_meet_demand"] = table["p_meet_demand"].map(lambda p: f"{p:.4f}")
    for name in ("capital_spent", "budget", "shortfall_unit_days"):
        table[name] = table[name].map(lambda v: "" if v != v else f"{v:,.0f}")
    lines.append(table.to_string(index=False))
    return "\n".join(lines) + "\n"


def run_plan(args, stdout, stderr):
    """Run ``fleetcalc plan``: the plan as a table, JSON or CSV; return 0.

    Parameters
    ----------
    args : argparse.Namespace
        ``tender``, ``format``, ``output``, ``force``.
    stdout, stderr : file-like

    Returns
    -------
    int
        0.

    Raises
    ------
    fleetcalc.TenderError
        If the tender file has problems (exit 2).
    UsageError
        If no plan meets the constraints (exit 2, with what to relax).
    """
    import json  # noqa: PLC0415

    from fleetcalc.planning import PlanError, plan  # noqa: PLC0415
    from fleetcalc.reports.output import csv_text  # noqa: PLC0415

    check_output(args)
    tender = read_tender_reporting(args.tender, stderr)
    try:
        with quiet_tender_warnings():
            result = plan(tender)
    except PlanError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "json":
        text = json.dumps(result.to_dict(), indent=2)
    elif args.format == "csv":
        text = csv_text(result.table())
    else:
        text = format_plan(result)
    emit(text, args, stdout, for_people=args.format == "table")
    return 0
