"""``fleetcalc report``: the HTML report, the Excel workbook and the charts in one folder.

``fleetcalc report TENDER.toml --output DIR [--draws N --seed S] [--force]
[--no-progress] [--no-plan]`` writes with :func:`fleetcalc.reports.report.write_report`:
fleetcalc lists what it wrote in ``DIR/.fleetcalc-manifest.json``, replaces
and removes only its own files on a re-run (stale Monte Carlo charts of an
earlier run with ``--draws`` go), and never writes through a link or over
the tender file. With ``--draws``, a progress bar is drawn on stderr when it
is a terminal. A tender with a ``[plan]`` table gets its fleet-renewal plan
(:func:`fleetcalc.plan`, seconds of HiGHS; a note on stderr says so) unless
``--no-plan`` is given; when no plan meets the constraints, the report says why.
"""

from __future__ import annotations

from pathlib import Path

from fleetcalc.cli.common import progress_bar, quiet_tender_warnings, read_tender_reporting, say

__all__ = ["run_report"]


def run_report(args, stdout, stderr):
    """Run ``fleetcalc report``: evaluate, write the report, list the files.

    Parameters
    ----------
    args : argparse.Namespace
        ``tender``, ``output``, ``draws``, ``seed`` (and ``force``,
        ``no_progress``, ``no_plan`` when given).
    stdout, stderr : file-like
        Paths written go to ``stdout``, warnings and notes to ``stderr``.

    Returns
    -------
    int
        0.

    Raises
    ------
    fleetcalc.TenderError
        If the tender file has problems (the command line reports them).
    fleetcalc.reports.output.OutputRefusedError
        If a file to be written would lose data (exit 2).
    fleetcalc.reports.output.OutputWriteError
        If a file cannot be written (exit 1).
    """
    from fleetcalc.cli.forms import log_if_asked  # noqa: PLC0415
    from fleetcalc.evaluate import evaluate  # noqa: PLC0415
    from fleetcalc.reports.report import simulate_for_report, write_report  # noqa: PLC0415

    tender = read_tender_reporting(args.tender, stderr)
    source_bytes = Path(args.tender).read_bytes()
    with quiet_tender_warnings():
        result = evaluate(tender)
    log_entry = log_if_asked(args, tender=tender, result=result, command="report",
                             stderr=stderr)
    simulation = None
    if getattr(args, "draws", None):
        if result.tender.uncertainty:
            with progress_bar(stderr, total=args.draws, label="simulating",
                              enabled=not getattr(args, "no_progress", False)) as update, \
                    quiet_tender_warnings():
                simulation = simulate_for_report(result.tender, draws=args.draws,
                                                 seed=args.seed, progress=update)
        else:
            say(f"{args.tender}: note: the tender has no [[uncertainty]] entries; the report "
                "has no uncertainty section", stderr)
    renewal = _plan_if_asked(args, result.tender, stderr)
    paths = write_report(result, args.output, source_bytes=source_bytes,
                         simulation=simulation, force=getattr(args, "force", False),
                         inputs=[args.tender], log_entry=log_entry, plan=renewal)
    for path in paths.values():
        say(str(path), stdout)
    return 0


def _plan_if_asked(args, tender, stderr):
    """The fleet-renewal plan of a tender with ``[plan]`` (None with ``--no-plan`` or
    without ``[plan]``); a :class:`~fleetcalc.planning.PlanError` is returned, and
    noted on stderr, so that the report says why there is no plan."""
    if getattr(tender, "plan", None) is None or getattr(args, "no_plan", False):
        return None
    from fleetcalc.planning import PlanError, plan  # noqa: PLC0415

    say(f"{args.tender}: note: solving the fleet-renewal plan of [plan] (seconds; "
        "--no-plan leaves it out)", stderr)
    try:
        with quiet_tender_warnings():
            return plan(tender)
    except PlanError as exc:
        say(f"{args.tender}: note: no fleet-renewal plan: {exc}", stderr)
        return exc
