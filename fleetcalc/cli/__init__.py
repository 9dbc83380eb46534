"""The ``fleetcalc`` command line.

``fleetcalc compare TENDER.toml [--format table|json|csv] [-o FILE [--force]]``
evaluates and ranks the bids; ``fleetcalc validate TENDER.toml [--format
text|json]`` lists every problem of a tender file; ``fleetcalc report
TENDER.toml --output DIR`` writes the HTML report, the Excel workbook and the
charts; ``fleetcalc simulate`` runs the Monte Carlo simulation and
``fleetcalc sensitivity`` the tornado and switching values; ``fleetcalc
completion bash|zsh`` prints a shell completion script. ``python -m
fleetcalc`` is the same command. Results go to stdout (or ``--output``);
warnings, errors and the progress bar go to stderr.

Each command's module (``fleetcalc.cli.compare``, ``.validate``,
``.simulate``, ``.sensitivity``, ``.report``, ``.completion``) is imported
only when that command runs.

Exit status
-----------
====  ==========================================================================
0     success
1     an output could not be written (disk full, no permission, a closed pipe...)
2     invalid input or usage: every problem of the tender file is listed
      (``FILE: error: KEY PATH = VALUE: RULE``), an output that would lose data
      (the input file, a link, an existing file without ``--force``), a
      simulation of a tender without ``[[uncertainty]]``, or ``fleetcalc`` run
      without a command (the help is printed)
70    internal error: a bug in fleetcalc; one line asks for a bug report
      (``FLEETCALC_DEBUG=1`` prints the traceback)
130   interrupted (Ctrl-C)
====  ==========================================================================
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_OUTPUT", "EXIT_INPUT", "EXIT_INTERNAL",
           "EXIT_INTERRUPTED"]

EXIT_OK, EXIT_OUTPUT, EXIT_INPUT = 0, 1, 2
#: An uncaught exception: a bug (``EX_SOFTWARE`` of BSD ``sysexits.h``).
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

BUG_REPORT = "https://example.invalid/fleetcalc/issues"


def build_parser():
    """The argument parser of the ``fleetcalc`` command (:mod:`fleetcalc.cli.parser`)."""
    from fleetcalc.cli.parser import build_parser as build  # noqa: PLC0415

    return build()


def _handler(command):
    from fleetcalc.cli.parser import COMMANDS  # noqa: PLC0415

    module, function = COMMANDS[command]
    return getattr(importlib.import_module(f"fleetcalc.cli.{module}"), function)


def main(argv=None, *, stdout=None, stderr=None):
    """Run the command line; return the exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).
    stdout, stderr : file-like, optional
        Streams (default: the process's).

    Returns
    -------
    int
        See the table of exit statuses in the module's documentation.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> main(["validate", "examples/pakistan_locomotives_2026.toml"], stdout=out,
    ...      stderr=io.StringIO())
    0
    >>> out.getvalue()
    'examples/pakistan_locomotives_2026.toml: valid (4 bids)\\n'
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        stderr.write(parser.format_help())
        return EXIT_INPUT
    try:
        return _run(args, stdout, stderr)
    except KeyboardInterrupt:
        stderr.write("fleetcalc: interrupted\n")
        return EXIT_INTERRUPTED
    except Exception as exc:
        from fleetcalc.reports.table import printable  # noqa: PLC0415

        if os.environ.get("FLEETCALC_DEBUG", "") not in ("", "0"):
            import traceback  # noqa: PLC0415

            traceback.print_exc(file=stderr)
        stderr.write(printable(
            f"fleetcalc: internal error ({type(exc).__name__}: {exc}); this is a bug in "
            f"fleetcalc, please report it with the command and the tender file at "
            f"{BUG_REPORT} (FLEETCALC_DEBUG=1 shows the traceback)")[:2000] + "\n")
        return EXIT_INTERNAL


def _run(args, stdout, stderr):
    from fleetcalc.cli.common import UsageError, print_problems, say  # noqa: PLC0415
    from fleetcalc.exceptions import TenderError  # noqa: PLC0415
    from fleetcalc.reports.output import OutputRefusedError, OutputWriteError  # noqa: PLC0415

    source = getattr(args, "tender", None)
    try:
        return _handler(args.command)(args, stdout, stderr)
    except TenderError as exc:
        errors = [p for p in exc.problems if p.severity == "error"]
        print_problems(exc.problems, stderr)
        say(f"{source}: {len(errors)} problem{'s' if len(errors) != 1 else ''}; "
            "nothing was evaluated.", stderr)
        return EXIT_INPUT
    except (UsageError, OutputRefusedError) as exc:
        say(f"{source}: error: {exc}" if isinstance(exc, UsageError) and source
            else f"error: {exc}", stderr)
        return EXIT_INPUT
    except OutputWriteError as exc:
        say(f"error: cannot write the output: {exc}", stderr)
        return EXIT_OUTPUT
    except BrokenPipeError:
        # the reader went away (``fleetcalc compare T --format csv | head``): the output
        # could not be written; say nothing more and keep the interpreter's final flush quiet
        if stdout is sys.stdout:
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OUTPUT
