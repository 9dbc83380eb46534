"""What every ``fleetcalc`` command shares: reading a tender, printing, writing outputs.

Everything printed for people goes through :func:`say` or :func:`emit`, which
pass it through the one escaping function,
:func:`fleetcalc.reports.table.printable`: a tender file cannot colour the
terminal or forge a line. Output files go through
:func:`fleetcalc.reports.output.write_text`: never over the input, never
through a link, never over an existing file without ``--force``.
"""

from __future__ import annotations

import argparse
import contextlib
import warnings

from fleetcalc.exceptions import TenderWarning
from fleetcalc.reports.table import printable

__all__ = ["UsageError", "read_tender_reporting", "quiet_tender_warnings", "whole_number",
           "say", "emit", "problem_line", "print_problems", "check_output", "bid_order",
           "require_uncertainty", "stream_is_terminal", "progress_bar"]


class UsageError(Exception):
    """A command cannot run as asked (exit status 2); the message says why."""


def say(text, stream):
    """Print one message line for people on ``stream``, escaped (:func:`printable`).

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> say("bidder \\x1b[2Jname", out)
    >>> out.getvalue()
    'bidder \\\\x1b[2Jname\\n'
    """
    stream.write(printable(text) + "\n")


def problem_line(problem):
    """One line for a problem: ``FILE: error: PATH = VALUE: RULE`` (or ``warning``).

    Examples
    --------
    >>> from fleetcalc.exceptions import Problem
    >>> problem_line(Problem("tender.discount_rate", "looks like a percent", value=7,
    ...                      severity="warning", source="t.toml"))
    't.toml: warning: tender.discount_rate = 7: looks like a percent'
    """
    import attrs  # noqa: PLC0415

    label = "warning" if problem.severity == "warning" else "error"
    where = f"{problem.source}: " if problem.source else ""
    return printable(f"{where}{label}: {attrs.evolve(problem, source=None)}")


def print_problems(problems, stream):
    """Print each problem on its own line (:func:`problem_line`)."""
    for problem in problems:
        stream.write(problem_line(problem) + "\n")


def read_tender_reporting(path, stderr):
    """Read a tender file for a command; print its warnings to ``stderr``, once.

    Each warning is one line prefixed by the file name
    (``TENDER.toml: warning: ...``).

    Parameters
    ----------
    path : str or os.PathLike
    stderr : file-like

    Returns
    -------
    fleetcalc.Tender

    Raises
    ------
    fleetcalc.TenderError
        If the file has problems (the command line reports them and exits 2).
    """
    import attrs  # noqa: PLC0415

    from fleetcalc.io import read_tender  # noqa: PLC0415

    tender = read_tender(path)
    print_problems([p if p.source else attrs.evolve(p, source=str(path))
                    for p in tender.warnings], stderr)
    return tender


@contextlib.contextmanager
def quiet_tender_warnings():
    """Silence the :class:`TenderWarning` that evaluating re-issues (already printed)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TenderWarning)
        yield


def whole_number(*, minimum):
    """An argparse ``type`` for a whole number ``>= minimum`` (e.g. ``--draws``, ``--seed``).

    Examples
    --------
    >>> whole_number(minimum=1)("12")
    12
    """

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value

    return parse


def stream_is_terminal(stream):
    """Whether ``stream`` is an interactive terminal."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def check_output(args):
    """Refuse early (before any work) an ``--output`` that would lose data.

    Raises
    ------
    fleetcalc.reports.output.OutputRefusedError
        See :func:`fleetcalc.reports.output.check_output_path`.
    """
    from fleetcalc.reports.output import check_output_path  # noqa: PLC0415

    if getattr(args, "output", None) is not None:
        check_output_path(args.output, inputs=[args.tender],
                          force=getattr(args, "force", False))


def emit(text, args, stdout, *, for_people):
    """Send a command's result to ``--output`` or to ``stdout``.

    Text for people (tables) is escaped with :func:`printable` (newlines
    kept). Data (JSON, CSV) is written exactly; on a terminal it is escaped
    too, so that nothing from the file reaches the terminal raw.

    Parameters
    ----------
    text : str
    args : argparse.Namespace
        ``output``, ``force``, ``tender``.
    stdout : file-like
    for_people : bool
    """
    from fleetcalc.reports.output import write_text  # noqa: PLC0415

    text = text if text.endswith("\n") else text + "\n"
    output = getattr(args, "output", None)
    if output is not None:
        write_text(output, printable(text, keep_newlines=True) if for_people else text,
                   inputs=[args.tender], force=getattr(args, "force", False))
        return
    if for_people or stream_is_terminal(stdout):
        text = printable(text, keep_newlines=True)
    stdout.write(text)


def bid_order(bidders, cost, responsive):
    """Indices of the bids in rank order: responsive by cost, then non-responsive by cost.

    The one order of bids in every table of the command line (``compare``,
    ``simulate`` and its comparison matrix, ``sensitivity``).

    Parameters
    ----------
    bidders : sequence of str
    cost : sequence of float
        Evaluated cost at the point values [base currency].
    responsive : sequence of bool

    Returns
    -------
    list of int

    Examples
    --------
    >>> bid_order(["A", "B", "C"], [3.0, 1.0, 2.0], [True, False, True])
    [2, 0, 1]
    """
    return sorted(range(len(bidders)),
                  key=lambda k: (not bool(responsive[k]), float(cost[k]), k))


def require_uncertainty(tender, command):
    """Stop a command that needs ``[[uncertainty]]`` entries when the tender has none.

    Raises
    ------
    UsageError
        With a message naming the file (exit status 2).
    """
    if not tender.uncertainty:
        raise UsageError(f"uncertainty: the tender has no [[uncertainty]] entries: nothing to "
                         f"{command} (add [[uncertainty]] inputs, see the tender-file "
                         "reference)")


@contextlib.contextmanager
def progress_bar(stderr, *, total, label, enabled=True):
    """A progress bar on ``stderr`` when it is a terminal; yield ``update(done, total)``.

    rich draws the bar (imported only here); on a pipe or a file, or when
    ``enabled`` is false, nothing is drawn and ``update`` does nothing.

    Examples
    --------
    >>> import io
    >>> with progress_bar(io.StringIO(), total=10, label="simulating") as update:
    ...     update(10, 10)
    """
    if not (enabled and stream_is_terminal(stderr)):
        yield lambda done, total: None
        return
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn  # noqa: PLC0415

    columns = (TextColumn(label), BarColumn(),
               TextColumn("{task.completed:,}/{task.total:,} draws"), TimeRemainingColumn())
    with Progress(*columns, console=Console(file=stderr), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done, total: bar.update(task, completed=done, total=total)
