"""Command-line glue of ``fleetcalc simulate`` and ``fleetcalc sensitivity``.

``fleetcalc simulate TENDER.toml --draws N --seed S [--format table|json]
[--no-progress]`` runs the Monte Carlo simulation (:func:`fleetcalc.simulation.simulate`);
``fleetcalc sensitivity TENDER.toml [--format table|json]`` prints the
tornado table and the switching values (:mod:`fleetcalc.sensitivity`).
Results go to stdout; the progress bar (rich) and warnings go to stderr.
:class:`~fleetcalc.exceptions.TenderError` propagates to the caller (the main
command prints the problems and exits with status 2).
"""

from __future__ import annotations

import json
from pathlib import Path

from fleetcalc.cli_common import quiet_tender_warnings, read_tender_reporting, whole_number


__all__ = ["add_simulate_parser", "run_simulate", "add_sensitivity_parser", "run_sensitivity",
           "format_simulation", "format_sensitivity"]


_positive_int = whole_number(minimum=1)
_non_negative_int = whole_number(minimum=0)


def add_simulate_parser(subparsers):
    """Add the ``simulate`` command to an argparse ``subparsers`` object; return its parser."""
    parser = subparsers.add_parser(
        "simulate", help="Monte Carlo simulation of the bids' costs and availability",
        description="Draw the tender's [[uncertainty]] inputs and evaluate every bid for "
                    "each draw: distribution of evaluated cost and availability, "
                    "probability of ranking first, pairwise probability of being cheaper.")
    parser.add_argument("tender", type=Path, help="tender file (TOML)")
    parser.add_argument("--draws", type=_positive_int, default=10_000,
                        help="number of draws (default 10000)")
    parser.add_argument("--seed", type=_non_negative_int, default=0,
                        help="random seed; the same seed gives the same result (default 0)")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="table for people (default) or json")
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress bar (it is shown only when stderr is a terminal)")
    return parser


def add_sensitivity_parser(subparsers):
    """Add the ``sensitivity`` command to an argparse ``subparsers`` object; return its parser."""
    parser = subparsers.add_parser(
        "sensitivity", help="tornado table and switching values of the uncertain inputs",
        description="One input at a time, others at their point values: swing of each "
                    "bid's evaluated cost from the input's P10 to its P90, and the value "
                    "at which the two best bids swap.")
    parser.add_argument("tender", type=Path, help="tender file (TOML)")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="table for people (default) or json")
    return parser


def _money(value):
    return f"{value / 1e6:,.1f}"


def format_simulation(result):
    """The simulation result as a text table for people [millions of base currency].

    Examples
    --------
    >>> import fleetcalc
    >>> from fleetcalc.simulation import simulate
    >>> text = format_simulation(simulate(fleetcalc.load_tender(
    ...     "examples/pakistan_locomotives_2026.toml"), draws=500, seed=1))
    >>> "P(first)" in text
    True
    """
    summary = result.summary
    currency = result.base_currency
    lines = [f"Monte Carlo: {result.draws:,} draws, seed {result.seed}; evaluated cost in "
             f"millions of {currency}", ""]
    width = max(len(b) for b in result.bidders)
    header = (f"{'bidder':<{width}}  {'point':>9}  {'mean':>9}  {'std':>7}  {'P10':>9}  "
              f"{'P50':>9}  {'P90':>9}  {'P(first)':>8}  {'avail.':>6}")
    lines += [header, "-" * len(header)]
    for row in summary.sort_values("mean").itertuples():
        flag = "" if row.responsive else "  (non-responsive)"
        lines.append(f"{row.bidder:<{width}}  {_money(row.point):>9}  {_money(row.mean):>9}  "
                     f"{_money(row.std):>7}  {_money(row.p10):>9}  {_money(row.p50):>9}  "
                     f"{_money(row.p90):>9}  {row.p_rank_first:>8.3f}  "
                     f"{row.availability_mean:>6.3f}{flag}")
    lines += ["", "P(row cheaper than column):"]
    table = result.p_cheaper
    short = {b: b[:14] for b in result.bidders}
    lines.append(" " * width + "  " + "  ".join(f"{short[b]:>14}" for b in result.bidders))
    for a in result.bidders:
        cells = ["{:>14}".format("-" if a == b else f"{table.loc[a, b]:.3f}")
                 for b in result.bidders]
        lines.append(f"{a:<{width}}  " + "  ".join(cells))
    lines += ["", "Uncertain inputs: " + ", ".join(result.inputs)]
    return "\n".join(lines)


def format_sensitivity(tornado_table, switching_table, *, currency):
    """Tornado and switching values as text tables for people.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"input": ["x"], "bidder": ["gap"], "input_low": [0.9],
    ...                   "input_high": [1.1], "low": [1e6], "high": [2e6], "swing": [1e6]})
    >>> s = pd.DataFrame({"input": ["x"], "scale": ["relative"], "point": [1.0],
    ...                   "range_low": [0.8], "range_high": [1.2], "value": [float("nan")],
    ...                   "best": ["A"], "second": ["B"], "note": ["no switch within the range"]})
    >>> "no switch" in format_sensitivity(t, s, currency="USD")
    True
    """
    lines = [f"Tornado: evaluated cost at the input's P10 and P90, others at point values "
             f"(millions of {currency}; gap = second best - best)", ""]
    width = max([len(str(x)) for x in tornado_table["input"]] + [5])
    bwidth = max([len(str(x)) for x in tornado_table["bidder"]] + [6])
    header = (f"{'input':<{width}}  {'bidder':<{bwidth}}  {'P10':>8}  {'P90':>8}  "
              f"{'at P10':>9}  {'at P90':>9}  {'swing':>8}")
    lines += [header, "-" * len(header)]
    for row in tornado_table.itertuples():
        lines.append(f"{row.input:<{width}}  {row.bidder:<{bwidth}}  {row.input_low:>8.4g}  "
                     f"{row.input_high:>8.4g}  {_money(row.low):>9}  {_money(row.high):>9}  "
                     f"{_money(row.swing):>8}")
    if len(switching_table):
        first = switching_table.iloc[0]
        lines += ["", f"Switching values: where {first['second']} overtakes {first['best']} "
                      "(input's own scale; relative inputs as multipliers)", ""]
    header = (f"{'input':<{width}}  {'point':>10}  {'range':>21}  {'switching value':>15}")
    lines += [header, "-" * len(header)]
    for row in switching_table.itertuples():
        value = f"{row.value:.6g}" if row.note == "switch" else row.note
        lines.append(f"{row.input:<{width}}  {row.point:>10.4g}  "
                     f"{f'[{row.range_low:.4g}, {row.range_high:.4g}]':>21}  {value:>15}")
    return "\n".join(lines)


def _progress_bar(stderr):
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
    from rich.console import Console
    return Progress(TextColumn("simulating"), BarColumn(), TextColumn("{task.completed:,}/"
                                                                        "{task.total:,} draws"),
                    TimeRemainingColumn(), console=Console(file=stderr), transient=True)


def run_simulate(args, stdout, stderr):
    """Run ``fleetcalc simulate``; return the exit status (0).

    Raises
    ------
    TenderError
        If the tender or its uncertainty has problems (the caller reports them).
    """
    from fleetcalc.simulation import simulate
    tender = read_tender_reporting(args.tender, stderr)
    show = not args.no_progress and hasattr(stderr, "isatty") and stderr.isatty()
    with quiet_tender_warnings():
        if show:
            with _progress_bar(stderr) as bar:
                task = bar.add_task("simulate", total=args.draws)
                result = simulate(tender, draws=args.draws, seed=args.seed,
                                  progress=lambda done, total: bar.update(task, completed=done))
        else:
            result = simulate(tender, draws=args.draws, seed=args.seed)
    text = result.to_json() if args.format == "json" else format_simulation(result)
    stdout.write(text + "\n")
    return 0


def run_sensitivity(args, stdout, stderr):
    """Run ``fleetcalc sensitivity``; return the exit status (0).

    Raises
    ------
    TenderError
        If the tender or its uncertainty has problems (the caller reports them).
    """
    from fleetcalc.sensitivity import sensitivity_to_dict, switching_values, tornado
    from fleetcalc.simulation import build_model
    tender = read_tender_reporting(args.tender, stderr)
    with quiet_tender_warnings():
        model = build_model(tender)
        table = tornado(tender, model=model)
        switching = switching_values(tender, model=model)
    if args.format == "json":
        text = json.dumps(sensitivity_to_dict(table, switching), indent=2, allow_nan=False)
    else:
        text = format_sensitivity(table, switching, currency=tender.tender.base_currency)
    stdout.write(text + "\n")
    return 0
