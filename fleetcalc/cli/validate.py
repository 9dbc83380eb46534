"""``fleetcalc validate``: every problem of a tender file, as text lines or JSON."""

from __future__ import annotations

import json
import math

from fleetcalc.cli.common import say

__all__ = ["run_validate", "problem_record"]


def _json_value(value):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**63 else repr(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def problem_record(problem):
    """A problem as a JSON object: ``file``, ``path``, ``value``, ``rule``, ``severity``.

    ``value`` is the offending value (a number, text, true/false, or its Python
    representation for anything else, e.g. ``"inf"``); the key is absent when
    the problem has no single value (e.g. a missing key).

    Examples
    --------
    >>> from fleetcalc.exceptions import Problem
    >>> record = problem_record(Problem("bids[0].quantity", "must be >= 1", value=0,
    ...                                 source="t.toml"))
    >>> record == {"file": "t.toml", "path": "bids[0].quantity", "value": 0,
    ...            "rule": "must be >= 1", "severity": "error"}
    True
    """
    from fleetcalc import exceptions  # noqa: PLC0415

    record = {"file": problem.source, "path": problem.path}
    if problem.value is not getattr(exceptions, "_NO_VALUE", object()):
        record["value"] = _json_value(problem.value)
    record["rule"] = problem.message
    record["severity"] = "warning" if problem.severity == "warning" else "error"
    return record


def run_validate(args, stdout, stderr):
    """Run ``fleetcalc validate``; return 0 (valid) or 2 (problems).

    With ``--format json`` the outcome goes to stdout as one JSON object
    ``{"file", "valid", "bids", "problems": [...]}`` (:func:`problem_record`),
    warnings included, and nothing goes to stderr.

    Parameters
    ----------
    args : argparse.Namespace
        ``tender``, ``format``.
    stdout, stderr : file-like

    Returns
    -------
    int

    Raises
    ------
    fleetcalc.TenderError
        In text format, if the file has problems (the caller lists them, exit 2).
    """
    from fleetcalc.exceptions import TenderError  # noqa: PLC0415
    from fleetcalc.io import read_tender  # noqa: PLC0415

    if args.format != "json":
        from fleetcalc.cli.common import read_tender_reporting  # noqa: PLC0415

        tender = read_tender_reporting(args.tender, stderr)
        say(f"{args.tender}: valid ({len(tender.bids)} bids)", stdout)
        return 0
    try:
        tender = read_tender(args.tender)
    except TenderError as exc:
        problems, bids, valid = exc.problems, None, False
    else:
        problems, bids, valid = tender.warnings, len(tender.bids), True
    records = [problem_record(p) for p in problems]
    for record in records:
        record["file"] = record["file"] or str(args.tender)
    stdout.write(json.dumps({"file": str(args.tender), "valid": valid, "bids": bids,
                             "problems": records}, indent=2, allow_nan=False) + "\n")
    return 0 if valid else 2
