"""The decision log: one JSON line per evaluation, appended, never rewritten.

:func:`append_entry` appends an entry for an evaluated tender to a JSON-lines
file; :func:`read_log` reads a log back, skipping (and reporting) lines that
are not entries. Each entry stores the tender's flattened inputs
(:func:`fleetcalc.tender_diff.flatten_tender`), so the next entry of the same
tender lists which keys changed since, with their old and new values, and how
the ranks moved.

An entry (JSON keys binding; ``log_version`` 1)::

    {"log_version": 1,
     "time": "2026-12-01T17:40:00Z",          # UTC, ISO 8601
     "fleetcalc": "0.1.0",                    # version that evaluated
     "command": "compare",                    # or "report", or null
     "input": {"file": "tender.toml", "sha256": "..."},
     "tender": "Mainline locomotives",        # [tender].name
     "base_currency": "USD",
     "ranking": [{"bidder", "rank", "evaluated_cost", "responsive"}],  # rank order
     "inputs": {"tender.discount_rate": 0.08, ...},
     "changes": null                          # first entry of this tender in the log
        or {"since": "<time of the previous entry>",
            "previous_sha256": "...",
            "keys": [{"path", "old", "new"}],
            "bids_added": [...], "bids_removed": [...],
            "rank_moves": [{"bidder", "old_rank", "new_rank"}]}}

Entries are matched to the previous one by tender name.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from pathlib import Path

__all__ = ["LOG_VERSION", "make_entry", "append_entry", "read_log"]

#: Version of the entry layout.
LOG_VERSION = 1


def read_log(path):
    """The entries of a log, and notes on lines that are not entries.

    Parameters
    ----------
    path : str or os.PathLike
        A JSON-lines log; a missing file has no entries.

    Returns
    -------
    entries : list of dict
        In file order.
    notes : list of str
        One per skipped line (``"log.jsonl: line 3 is not a log entry; skipped"``)
        or unreadable file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     log = pathlib.Path(tmp) / "log.jsonl"
    ...     _ = log.write_text('{"tender": "A", "inputs": {}}\\n{broken\\n')
    ...     entries, notes = read_log(log)
    >>> len(entries), notes[0].endswith("line 2 is not a log entry; skipped")
    (1, True)
    """
    path = Path(path)
    if not path.exists():
        return [], []
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [], [f"{path}: cannot be read ({exc.strerror or exc}); no previous entry used"]
    entries, notes = [], []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            entry = None
        if isinstance(entry, dict) and isinstance(entry.get("tender"), str):
            entries.append(entry)
        else:
            notes.append(f"{path}: line {number} is not a log entry; skipped")
    return entries, notes


def _utc_now():
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_entry(*, tender, result, source_bytes=None, source_name=None, previous=None,
               command=None, time=None):
    """A log entry for an evaluated tender (see the module for its keys).

    Parameters
    ----------
    tender : fleetcalc.Tender
    result : fleetcalc.EvaluationResult
    source_bytes : bytes, optional
        The tender file's bytes (their SHA-256 is recorded).
    source_name : str, optional
        The tender file's name as given.
    previous : dict, optional
        The previous entry of the same tender; its inputs and ranking give ``changes``.
    command : str, optional
        The command that evaluated (``"compare"``, ``"report"``).
    time : str, optional
        UTC time in ISO 8601 (default: now).

    Returns
    -------
    dict
    """
    from fleetcalc import __version__  # noqa: PLC0415
    from fleetcalc.tender_diff import (  # noqa: PLC0415
        flatten_tender,
        key_changes,
        rank_moves,
        ranking_rows,
    )

    inputs = flatten_tender(tender)
    ranking = ranking_rows(result)
    changes = None
    if previous is not None and isinstance(previous.get("inputs"), dict):
        old_bidders = [r.get("bidder") for r in previous.get("ranking", [])
                       if isinstance(r, dict)]
        new_bidders = [b.bidder for b in tender.bids]
        gone = [b for b in old_bidders if b not in new_bidders]
        new = [b for b in new_bidders if b not in old_bidders]
        skip = tuple(f"bids[{b}]" for b in gone + new)
        changes = {
            "since": previous.get("time"),
            "previous_sha256": (previous.get("input") or {}).get("sha256"),
            "keys": [c for c in key_changes(previous["inputs"], inputs)
                     if not c["path"].startswith(skip)],
            "bids_added": new,
            "bids_removed": gone,
            "rank_moves": rank_moves([r for r in previous.get("ranking", [])
                                      if isinstance(r, dict) and "bidder" in r], ranking),
        }
    return {
        "log_version": LOG_VERSION,
        "time": time or _utc_now(),
        "fleetcalc": __version__,
        "command": command,
        "input": {"file": source_name,
                  "sha256": None if source_bytes is None
                  else hashlib.sha256(source_bytes).hexdigest()},
        "tender": tender.tender.name,
        "base_currency": tender.tender.base_currency,
        "ranking": ranking,
        "inputs": inputs,
        "changes": changes,
    }


def append_entry(path, *, tender, result, source_bytes=None, source_name=None, command=None,
                 time=None):
    """Append one entry for an evaluation to the log at ``path``.

    The log is opened for appending only: earlier lines are never changed.
    Lines that are not entries are skipped when looking for the previous
    entry of the same tender (and reported in ``notes``); a last line
    without its newline (an interrupted write) is closed first so that the
    new entry stays on a line of its own.

    Parameters
    ----------
    path : str or os.PathLike
        The JSON-lines log (created if missing; never through a link).
    tender, result, source_bytes, source_name, command, time
        See :func:`make_entry`.

    Returns
    -------
    entry : dict
        The entry appended.
    notes : list of str
        What was skipped or noticed (print them as notes).

    Raises
    ------
    OSError
        If the log cannot be written, or is a link.

    Examples
    --------
    >>> import tempfile, pathlib, fleetcalc
    >>> tender = fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml")
    >>> result = fleetcalc.evaluate(tender)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     log = pathlib.Path(tmp) / "decisions.jsonl"
    ...     first, _ = append_entry(log, tender=tender, result=result)
    ...     second, _ = append_entry(log, tender=tender, result=result)
    >>> first["changes"] is None, second["changes"]["keys"]
    (True, [])
    >>> second["ranking"][0]["bidder"] == result.ranking.index[0]
    True
    """
    path = Path(path)
    if path.is_symlink():
        raise OSError(f"{path} is a link; fleetcalc does not write through links")
    entries, notes = read_log(path)
    previous = next((e for e in reversed(entries) if e.get("tender") == tender.tender.name
                     and isinstance(e.get("inputs"), dict)), None)
    if entries and previous is None and any(e.get("tender") == tender.tender.name
                                            for e in entries):
        notes.append(f"{path}: the previous entry of this tender has no inputs; "
                     "changes are not listed")
    entry = make_entry(tender=tender, result=result, source_bytes=source_bytes,
                       source_name=source_name, previous=previous, command=command, time=time)
    line = json.dumps(entry, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    prefix = b""
    if path.exists() and path.stat().st_size:
        with path.open("rb") as stream:
            stream.seek(-1, os.SEEK_END)
            if stream.read(1) != b"\n":
                prefix = b"\n"
                notes.append(f"{path}: its last line was incomplete; it is kept as it was")
    with path.open("ab") as stream:
        stream.write(prefix + line.encode("utf-8") + b"\n")
        stream.flush()
        os.fsync(stream.fileno())
    return entry, notes
