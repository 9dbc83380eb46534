"""``fleetcalc forms``, ``fleetcalc forms import`` and ``fleetcalc diff``; the decision log.

Command-line glue of ``fleetcalc forms``, ``fleetcalc forms import`` and ``fleetcalc diff``.

``fleetcalc forms TENDER.toml --output DIR [--blank] [--force]`` writes the
bid data forms (:func:`fleetcalc.io.forms.write_forms`);
``fleetcalc forms import FORM.xlsx ... --into TENDER.toml [--output NEW.toml]
[--replace] [--force]`` reads filled forms into a tender file
(:func:`fleetcalc.io.forms.import_forms`); ``fleetcalc diff OLD.toml NEW.toml
[--format table|json]`` shows the key-by-key changes and their effect on each
bid (:func:`fleetcalc.tender_diff.diff_tenders`). :func:`append_log` is what
``compare --log FILE`` and ``report --log FILE`` call after evaluating.

Each ``run_*`` function reports its own problems (``error:`` lines on
stderr) and returns the exit status: 0 success, 1 an output could not be
written, 2 invalid input or an output that would lose data.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fleetcalc.reports.table import printable

__all__ = ["run_forms", "run_diff", "append_log", "log_if_asked", "format_diff"]

EXIT_OK, EXIT_OUTPUT, EXIT_INPUT = 0, 1, 2

def _say(text, stream):
    print(printable(text), file=stream)


def _print_problems(problems, stderr):
    for problem in problems:
        label = "warning" if problem.severity == "warning" else "error"
        _say(f"{label}: {problem}", stderr)


def _input_error(exc, what, stderr):
    errors = [p for p in exc.problems if p.severity == "error"]
    _print_problems(exc.problems, stderr)
    _say(f"{what}: {len(errors)} problem{'s' if len(errors) != 1 else ''}; nothing was "
         "written.", stderr)
    return EXIT_INPUT


def run_forms(args, stdout, stderr):
    """Run ``fleetcalc forms`` or ``fleetcalc forms import``; return the exit status."""
    from fleetcalc.exceptions import TenderError  # noqa: PLC0415
    from fleetcalc.io.forms import import_forms, write_forms  # noqa: PLC0415
    from fleetcalc.io.tender_file import read_tender  # noqa: PLC0415

    importing = args.files[0] == "import"
    if importing:
        forms = args.files[1:]
        if not forms or args.into is None or args.blank:
            _say("error: usage: fleetcalc forms import FORM.xlsx ... --into TENDER.toml "
                 "[--output NEW.toml] [--replace] [--force]", stderr)
            return EXIT_INPUT
        try:
            done = import_forms(forms, args.into, output=args.output, replace=args.replace,
                                force=args.force)
        except TenderError as exc:
            return _input_error(exc, "forms import", stderr)
        except FileExistsError as exc:
            _say(f"error: {exc}; nothing was written.", stderr)
            return EXIT_INPUT
        except OSError as exc:
            _say(f"error: cannot write the output: {exc}", stderr)
            return EXIT_OUTPUT
        _print_problems(done["warnings"], stderr)
        for bidder in done["added"]:
            _say(f"added: {bidder}", stdout)
        for bidder in done["replaced"]:
            _say(f"replaced: {bidder}", stdout)
        if done["backup"] is not None:
            _say(f"note: {done['path']} was rewritten from its data (comments are not kept); "
                 f"the previous file is {done['backup']}", stderr)
        _say(str(done["path"]), stdout)
        return EXIT_OK
    if len(args.files) != 1 or args.output is None or args.into or args.replace:
        _say("error: usage: fleetcalc forms TENDER.toml --output DIR [--blank] [--force]",
             stderr)
        return EXIT_INPUT
    try:
        tender = read_tender(args.files[0])
        paths = write_forms(tender, args.output, blank=args.blank, force=args.force)
    except TenderError as exc:
        return _input_error(exc, args.files[0], stderr)
    except FileExistsError as exc:
        _say(f"error: {exc}; nothing was written.", stderr)
        return EXIT_INPUT
    except OSError as exc:
        _say(f"error: cannot write the output: {exc}", stderr)
        return EXIT_OUTPUT
    for path in paths:
        _say(str(path), stdout)
    return EXIT_OK


def _value(value, limit=60):
    text = "(absent)" if value is None else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _money(value):
    return "-" if value is None else f"{value:,.0f}"


def _signed(value):
    return "-" if value is None else f"{value:+,.0f}"


def _rank(value):
    return "-" if value is None else str(value)


def format_diff(diff, *, old_name="OLD", new_name="NEW"):
    """The diff as text for a terminal (see :func:`fleetcalc.tender_diff.diff_tenders`).

    Parameters
    ----------
    diff : dict
        From :func:`fleetcalc.tender_diff.diff_tenders`.
    old_name, new_name : str
        The files' names, for the heading.

    Returns
    -------
    str
    """
    lines = [f"Changes from {old_name} to {new_name}: {len(diff['changes'])} "
             f"key{'s' if len(diff['changes']) != 1 else ''}"]
    lines += [f"  {c['path']}: {_value(c['old'])} -> {_value(c['new'])}"
              for c in diff["changes"]]
    if diff["bids_added"]:
        lines.append("Bids added: " + "; ".join(diff["bids_added"]))
    if diff["bids_removed"]:
        lines.append("Bids removed: " + "; ".join(diff["bids_removed"]))
    currency = diff["base_currency"]
    lines += ["", f"Evaluated cost [{currency}] and rank"]
    rows = [("Bidder", "Rank", "Old cost", "New cost", "Change")]
    rows += [(b["bidder"], f"{_rank(b['old_rank'])} -> {_rank(b['new_rank'])}",
              _money(b["old_evaluated_cost"]), _money(b["new_evaluated_cost"]),
              _signed(b["change"])) for b in diff["bids"]]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        lines.append("  " + row[0].ljust(widths[0]) + "  " + row[1].ljust(widths[1]) + "  "
                     + "  ".join(cell.rjust(w) for cell, w in zip(row[2:], widths[2:])))
    if diff["contributions"]:
        lines += ["", f"One change at a time, applied to {old_name} [{currency}]"]
        for item in diff["contributions"]:
            effects = ", ".join(f"{bidder} {_signed(v)}" for bidder, v in item["effect"].items()
                                if v is None or abs(v) >= 0.5)
            lines.append(f"  {item['path']}: {effects or 'no effect'}"
                         + (f" ({item['note']})" if item["note"] else ""))
        together = ", ".join(f"{b} {_signed(v)}" for b, v in diff["interaction"].items()
                             if v is None or abs(v) >= 0.5)
        lines.append(f"  changes acting together: {together or 'none'}")
    elif diff["contributions_note"]:
        lines += ["", f"Contributions: {diff['contributions_note']}"]
    return "\n".join(lines)


def run_diff(args, stdout, stderr):
    """Run ``fleetcalc diff OLD NEW``; return the exit status."""
    from fleetcalc.exceptions import TenderError  # noqa: PLC0415
    from fleetcalc.io.tender_file import read_tender  # noqa: PLC0415
    from fleetcalc.tender_diff import diff_tenders  # noqa: PLC0415

    tenders, failed = [], False
    for path in (args.old, args.new):
        try:
            tenders.append(read_tender(path))
        except TenderError as exc:
            _input_error(exc, str(path), stderr)
            failed = True
    if failed:
        return EXIT_INPUT
    diff = diff_tenders(*tenders, contributions=not args.no_contributions)
    if args.format == "json":
        diff = {**diff, "old": {**diff["old"], "file": str(args.old)},
                "new": {**diff["new"], "file": str(args.new)}}
        text = json.dumps(diff, indent=2, ensure_ascii=False, allow_nan=False)
        stdout.write(text + "\n")
    else:
        for line in format_diff(diff, old_name=str(args.old), new_name=str(args.new)).split("\n"):
            _say(line, stdout)
    return EXIT_OK


def append_log(path, *, tender_path, tender, result, command=None, stderr=None):
    """Append the decision-log entry of an evaluation (``compare/report --log FILE``).

    Parameters
    ----------
    path : str or os.PathLike
        The log (JSON lines; created if missing).
    tender_path : str or os.PathLike
        The tender file evaluated (its SHA-256 is recorded).
    tender : fleetcalc.Tender
    result : fleetcalc.EvaluationResult
    command : str, optional
        ``"compare"`` or ``"report"``.
    stderr : file-like, optional
        Where notes about the log go (skipped lines, an incomplete last line).

    Returns
    -------
    dict
        The entry appended (:mod:`fleetcalc.io.decision_log`).

    Raises
    ------
    OSError
        If the log cannot be written (the command exits with status 1).
    """
    from fleetcalc.io.decision_log import append_entry  # noqa: PLC0415

    stderr = stderr or sys.stderr
    source_bytes = Path(tender_path).read_bytes()
    entry, notes = append_entry(path, tender=tender, result=result, source_bytes=source_bytes,
                                source_name=str(tender_path), command=command)
    for note in notes:
        _say(f"note: {note}", stderr)
    return entry


def log_if_asked(args, *, tender, result, command, stderr):
    """Append the decision-log entry when ``--log FILE`` was given (``compare``, ``report``).

    Raises
    ------
    fleetcalc.reports.output.OutputWriteError
        If the log cannot be written (exit status 1).
    """
    if getattr(args, "log", None) is None:
        return None
    from fleetcalc.reports.output import OutputWriteError  # noqa: PLC0415

    try:
        return append_log(args.log, tender_path=args.tender, tender=tender, result=result,
                          command=command, stderr=stderr)
    except OSError as exc:
        raise OutputWriteError(f"{args.log}: {exc.strerror or exc}") from exc
