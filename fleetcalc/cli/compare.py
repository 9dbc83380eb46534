"""``fleetcalc compare``: evaluate and rank the bids of a tender file."""

from __future__ import annotations

from fleetcalc.cli.common import check_output, emit, quiet_tender_warnings, read_tender_reporting

__all__ = ["run_compare"]


def run_compare(args, stdout, stderr):
    """Run ``fleetcalc compare``: the ranking as a table, JSON or CSV; return 0.

    Parameters
    ----------
    args : argparse.Namespace
        ``tender``, ``format``, ``detail``, ``output``, ``force``, ``log``.
    stdout, stderr : file-like

    Returns
    -------
    int
        0.

    Raises
    ------
    fleetcalc.TenderError
        If the tender file has problems (the caller reports them, exit 2).
    fleetcalc.reports.output.OutputRefusedError
        If ``--output`` would lose data (exit 2).
    """
    from fleetcalc.cli.forms import log_if_asked  # noqa: PLC0415
    from fleetcalc.evaluate import evaluate  # noqa: PLC0415
    from fleetcalc.reports.output import csv_text  # noqa: PLC0415
    from fleetcalc.reports.table import format_ranking, terminal_width  # noqa: PLC0415

    check_output(args)
    tender = read_tender_reporting(args.tender, stderr)
    with quiet_tender_warnings():
        result = evaluate(tender)
    log_if_asked(args, tender=tender, result=result, command="compare", stderr=stderr)
    if args.format == "json":
        text = result.to_json()
    elif args.format == "csv":
        text = csv_text(result.ranking.reset_index())
    else:
        width = terminal_width(stdout if args.output is None else None)
        text = format_ranking(result, width=width)
        if getattr(args, "detail", False):
            from fleetcalc.reports.evaluation_table import (  # noqa: PLC0415
                format_decisive_lines,
                format_evaluation_table,
            )
            from fleetcalc.reports.table import format_perspectives  # noqa: PLC0415

            text = "\n\n".join([text.rstrip("\n"), format_evaluation_table(result),
                                 format_decisive_lines(result),
                                 format_perspectives(tender, width=width)]) + "\n"
    emit(text, args, stdout, for_people=args.format == "table")
    return 0
