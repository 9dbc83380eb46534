"""The ``fleetcalc`` command line.

``fleetcalc compare TENDER.toml [--format table|json|csv] [--output PATH]``
evaluates and ranks the bids; ``fleetcalc validate TENDER.toml`` lists every
problem of a tender file; ``fleetcalc report TENDER.toml --output DIR`` writes
the HTML report, the Excel workbook and the charts; ``fleetcalc simulate`` runs
the Monte Carlo simulation and ``fleetcalc sensitivity`` the tornado and
switching values. Results go to stdout (or ``--output``); warnings
and errors go to stderr. Exit status: 0 success, 1 an output could not be
written, 2 invalid input (every problem is listed, with no traceback).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fleetcalc import __version__
from fleetcalc.cli_common import quiet_tender_warnings, read_tender_reporting
from fleetcalc.evaluate import evaluate
from fleetcalc.exceptions import TenderError
from fleetcalc.reports.report import add_report_parser, run_report
from fleetcalc.reports.table import format_ranking
from fleetcalc.simulation_cli import (
    add_sensitivity_parser,
    add_simulate_parser,
    run_sensitivity,
    run_simulate,
)

__all__ = ["main", "build_parser"]

EXIT_OK, EXIT_OUTPUT, EXIT_INPUT = 0, 1, 2


def build_parser():
    """The argument parser of the ``fleetcalc`` command."""
    parser = argparse.ArgumentParser(
        prog="fleetcalc",
        description="Compare locomotive tenders on life-cycle cost and availability.")
    parser.add_argument("--version", action="version", version=f"fleetcalc {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    compare = commands.add_parser("compare", help="evaluate and rank the bids of a tender",
                                  description="Evaluate and rank the bids of a tender file.")
    compare.add_argument("tender", type=Path, help="tender file (TOML)")
    compare.add_argument("--format", choices=("table", "json", "csv"), default="table",
                         help="table for people (default), json (full result with the "
                              "cash-flow ledger) or csv (one row per bid)")
    compare.add_argument("--output", "-o", type=Path,
                         help="write to this file instead of stdout")

    validate = commands.add_parser("validate", help="check a tender file and list problems",
                                   description="Check a tender file; list every problem.")
    validate.add_argument("tender", type=Path, help="tender file (TOML)")
    add_simulate_parser(commands)
    add_sensitivity_parser(commands)
    add_report_parser(commands)
    return parser


def _print_problems(problems, stream):
    for problem in problems:
        label = "warning" if problem.severity == "warning" else "error"
        print(f"{label}: {problem}", file=stream)


def _emit(text, output, stdout):
    if output is None:
        stdout.write(text if text.endswith("\n") else text + "\n")
        return
    output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def _compare(args, stdout, stderr):
    tender = read_tender_reporting(args.tender, stderr)
    with quiet_tender_warnings():
        result = evaluate(tender)
    if args.format == "json":
        text = result.to_json()
    elif args.format == "csv":
        text = result.ranking.reset_index().to_csv(index=False)
    else:
        text = format_ranking(result)
    _emit(text, args.output, stdout)
    return EXIT_OK


def _validate(args, stdout, stderr):
    tender = read_tender_reporting(args.tender, stderr)
    print(f"{args.tender}: valid ({len(tender.bids)} bids)", file=stdout)
    return EXIT_OK


def main(argv=None, *, stdout=None, stderr=None):
    """Run the command line; return the exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).
    stdout, stderr : file-like, optional
        Streams (default: the process's).
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    args = build_parser().parse_args(argv)
    handler = {"compare": _compare, "validate": _validate, "report": run_report,
               "simulate": run_simulate, "sensitivity": run_sensitivity}[args.command]
    try:
        return handler(args, stdout, stderr)
    except TenderError as exc:
        errors = [p for p in exc.problems if p.severity == "error"]
        _print_problems(exc.problems, stderr)
        print(f"{args.tender}: {len(errors)} problem{'s' if len(errors) != 1 else ''}; "
              "nothing was evaluated.", file=stderr)
        return EXIT_INPUT
    except OSError as exc:
        print(f"error: cannot write the output: {exc}", file=stderr)
        return EXIT_OUTPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
