"""The argument parser of ``fleetcalc``: every command and option, nothing heavy imported.

Each command's code is in its own module (``fleetcalc.cli.<module>``),
imported only when that command runs; :data:`COMMANDS` maps a command to
that module and its function. Shell completion scripts are generated from
this parser (:mod:`fleetcalc.cli.completion`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fleetcalc import __version__
from fleetcalc.cli.common import whole_number

__all__ = ["build_parser", "COMMANDS", "add_simulate_parser", "add_sensitivity_parser",
           "add_report_parser", "add_forms_parser", "add_diff_parser", "add_plan_parser"]

#: command -> (module under fleetcalc.cli, function run(args, stdout, stderr)).
COMMANDS = {
    "compare": ("compare", "run_compare"),
    "validate": ("validate", "run_validate"),
    "simulate": ("simulate", "run_simulate"),
    "sensitivity": ("sensitivity", "run_sensitivity"),
    "report": ("report", "run_report"),
    "completion": ("completion", "run_completion"),
    "forms": ("forms", "run_forms"),
    "diff": ("forms", "run_diff"),
    "plan": ("plan", "run_plan"),
}

EPILOG = """\
exit status: 0 success; 1 an output could not be written; 2 invalid input or
usage (every problem is listed); 70 internal error (a bug: please report it;
FLEETCALC_DEBUG=1 shows the traceback); 130 interrupted.
"""

_positive_int = whole_number(minimum=1)
_non_negative_int = whole_number(minimum=0)


def _tender(parser):
    parser.add_argument("tender", type=Path, metavar="TENDER", help="tender file (TOML)")


def _output(parser, *, what="the result"):
    parser.add_argument("--output", "-o", type=Path, metavar="FILE",
                        help=f"write {what} to FILE instead of stdout (never over the "
                             "tender file or through a link)")
    parser.add_argument("--force", action="store_true",
                        help="replace FILE if it exists")


def add_compare_parser(subparsers):
    """Add ``compare``; return its parser."""
    parser = subparsers.add_parser(
        "compare", help="evaluate and rank the bids of a tender",
        description="Evaluate and rank the bids of a tender file.")
    _tender(parser)
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table",
                        help="table for people (default), json (full result with the "
                             "cash-flow ledger) or csv (one row per bid)")
    parser.add_argument("--detail", action="store_true",
                        help="with --format table: add the bid evaluation table in the order "
                             "of the World Bank/ADB forms and what decides the award")
    _output(parser)
    _log(parser)
    return parser


def add_validate_parser(subparsers):
    """Add ``validate``; return its parser."""
    parser = subparsers.add_parser(
        "validate", help="check a tender file and list problems",
        description="Check a tender file; list every problem (file, key path, value, rule).")
    _tender(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text lines (default) or json: {file, valid, bids, problems: "
                             "[{file, path, value, rule, severity}]} on stdout")
    return parser


def add_simulate_parser(subparsers):
    """Add ``simulate``; return its parser."""
    parser = subparsers.add_parser(
        "simulate", help="Monte Carlo simulation of the bids' costs and availability",
        description="Draw the tender's [[uncertainty]] inputs and evaluate every bid for "
                    "each draw: distribution of evaluated cost and availability, "
                    "probability of ranking first, pairwise probability of being cheaper. "
                    "A tender without [[uncertainty]] entries is a usage error (exit 2).")
    _tender(parser)
    parser.add_argument("--draws", type=_positive_int, default=10_000, metavar="N",
                        help="number of draws (default 10000)")
    parser.add_argument("--seed", type=_non_negative_int, default=0, metavar="S",
                        help="random seed; the same seed gives the same result (default 0)")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table",
                        help="table for people (default), json, or csv (one row per bid)")
    _output(parser)
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress bar (it is shown only when stderr is a terminal)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run the draws on an existing Dask cluster, e.g. "
                             "tcp://10.0.0.5:8786 (needs fleetcalc[dask])")
    return parser


def add_sensitivity_parser(subparsers):
    """Add ``sensitivity``; return its parser."""
    parser = subparsers.add_parser(
        "sensitivity", help="tornado table and switching values of the uncertain inputs",
        description="One input at a time, others at their point values: swing of each "
                    "bid's evaluated cost from the input's P10 to its P90, and the value "
                    "at which the two best bids swap. A tender without [[uncertainty]] "
                    "entries is a usage error (exit 2).")
    _tender(parser)
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table",
                        help="table for people (default), json, or csv (the tornado table)")
    _output(parser)
    return parser


def add_report_parser(subparsers):
    """Add ``report``; return its parser."""
    parser = subparsers.add_parser(
        "report", help="write an HTML report, an Excel workbook and charts",
        description="Evaluate a tender file and write DIR/report.html, DIR/evaluation.xlsx "
                    "(with live discounting formulas) and DIR/charts/*.png, with the financial "
                    "and economic views and, when the tender has [plan], the fleet-renewal "
                    "plan. fleetcalc "
                    "lists what it wrote in DIR/.fleetcalc-manifest.json; a re-run "
                    "replaces and removes only those files.")
    _tender(parser)
    parser.add_argument("--output", "-o", type=Path, required=True, metavar="DIR",
                        help="directory to write the report into (created if missing)")
    parser.add_argument("--force", action="store_true",
                        help="replace files in DIR that fleetcalc did not write")
    parser.add_argument("--draws", type=_positive_int, default=None, metavar="N",
                        help="Monte Carlo draws of the tender's [[uncertainty]]: adds the "
                             "uncertainty section, the distribution and tornado charts and "
                             "the Simulation sheet")
    parser.add_argument("--seed", type=_non_negative_int, default=0, metavar="S",
                        help="random seed of the Monte Carlo draws (default 0)")
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress bar (it is shown only when stderr is a terminal)")
    parser.add_argument("--no-plan", action="store_true",
                        help="leave out the fleet-renewal plan; by default, a tender with a "
                             "[plan] table gets it (section, 'Renewal plan' sheet and chart; "
                             "the solver takes seconds, about 10-15 s on the example)")
    _log(parser)
    return parser


def add_completion_parser(subparsers):
    """Add ``completion``; return its parser."""
    parser = subparsers.add_parser(
        "completion", help="print a shell completion script (bash or zsh)",
        description="Print a completion script for the shell, e.g. "
                    "'fleetcalc completion bash > ~/.local/share/bash-completion/"
                    "completions/fleetcalc' or, in ~/.zshrc, "
                    "'eval \"$(fleetcalc completion zsh)\"'.")
    parser.add_argument("shell", choices=("bash", "zsh"), help="the shell")
    return parser


def _log(parser):
    parser.add_argument("--log", type=Path, metavar="FILE",
                        help="append a JSON line recording this evaluation (time, version, "
                             "input hash, ranking, changes since the last entry of the same "
                             "tender) to FILE")


def add_forms_parser(subparsers):
    """Add ``forms`` (and ``forms import``); return its parser."""
    parser = subparsers.add_parser(
        "forms", help="write bid data forms (Excel), or import filled ones",
        description="fleetcalc forms TENDER.toml --output DIR [--blank] [--force]: write one "
                    "bid data form per bidder of the tender (or one blank form) into DIR. "
                    "fleetcalc forms import FORM.xlsx ... --into TENDER.toml: read filled "
                    "forms, check them like a tender file, and add their bids to the tender "
                    "file (or to --output NEW.toml).")
    parser.add_argument("files", nargs="+", metavar="TENDER | import FORM",
                       help="the tender file; or 'import' and the filled forms")
    parser.add_argument("--output", "-o", type=Path, metavar="DIR | FILE",
                       help="forms: the directory to write the forms into (created if "
                            "missing); import: write the tender here instead of updating "
                            "the --into file")
    parser.add_argument("--blank", action="store_true",
                       help="write one blank form, DIR/bid-form.xlsx, instead of one per bidder")
    parser.add_argument("--into", type=Path, metavar="TENDER",
                       help="import: the tender file the bids go into")
    parser.add_argument("--replace", action="store_true",
                       help="import: a form whose bidder already has a bid replaces it (the "
                            "committee's [bids.evaluation] findings are kept)")
    parser.add_argument("--force", action="store_true",
                       help="replace existing forms, or an existing --output file")
    return parser


def add_diff_parser(subparsers):
    """Add ``diff``; return its parser."""
    parser = subparsers.add_parser(
        "diff", help="key-by-key changes between two tender files and their effect",
        description="Compare two tender files key by key (bids matched by bidder), evaluate "
                    "both, and show each bid's evaluated cost and rank before and after, and "
                    "what each change alone contributes.")
    parser.add_argument("old", type=Path, metavar="OLD", help="the earlier tender file (TOML)")
    parser.add_argument("new", type=Path, metavar="NEW", help="the later tender file (TOML)")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                      help="table for people (default) or json")
    parser.add_argument("--no-contributions", action="store_true",
                      help="skip the one-change-at-a-time re-evaluations")
    return parser


def add_plan_parser(subparsers):
    """Add ``plan``; return its parser."""
    parser = subparsers.add_parser(
        "plan", help="least-cost fleet-renewal plan: buy, rebuild, retire",
        description="How many locomotives to buy and when, and which cohorts to rebuild or "
                    "retire, at the least net present cost, meeting demand each year at the "
                    "confidence of [plan] (checked with the exact fleet distribution).")
    _tender(parser)
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table",
                        help="table for people (default), json or csv (one row per year)")
    _output(parser, what="the plan")
    return parser


def build_parser():
    """The argument parser of the ``fleetcalc`` command.

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> args = build_parser().parse_args(["compare", "t.toml", "--format", "csv"])
    >>> args.command, args.format
    ('compare', 'csv')
    """
    parser = argparse.ArgumentParser(
        prog="fleetcalc",
        description="Compare locomotive tenders on life-cycle cost and availability.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"fleetcalc {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (add_compare_parser, add_validate_parser, add_simulate_parser,
                add_sensitivity_parser, add_report_parser, add_forms_parser, add_diff_parser,
                add_plan_parser, add_completion_parser):
        add(commands)
    return parser
