"""The decision log: one JSON line per evaluation, changes since the last entry."""

import hashlib
import io
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import fleetcalc
from fleetcalc.cli.forms import append_log
from fleetcalc.io.decision_log import append_entry, read_log

EXAMPLE = Path("examples/pakistan_locomotives_2026.toml")
EMD = "Progress Rail (EMD)"


def _evaluate(path):
    tender = fleetcalc.load_tender(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fleetcalc.TenderWarning)
        return tender, fleetcalc.evaluate(tender)


@pytest.fixture
def files(tmp_path):
    first = tmp_path / "tender.toml"
    first.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    second = tmp_path / "tender-v2.toml"
    second.write_text(first.read_text(encoding="utf-8").replace(
        # issue 13: EMD ranks last in the revised example, so its price falls to move it
        "unit_price = 4_050_000", "unit_price = 3_200_000"), encoding="utf-8")
    return first, second


def _log(log, path, *, command="compare"):
    tender, result = _evaluate(path)
    err = io.StringIO()
    entry = append_log(log, tender_path=path, tender=tender, result=result, command=command,
                       stderr=err)
    return entry, err.getvalue()


def _ranks(path):
    """Each bidder's rank by an independent evaluation (None: not ranked)."""
    _, result = _evaluate(path)
    ranking = result.ranking
    return {b: (None if pd.isna(r) else int(r)) for b, r in zip(ranking.index, ranking["rank"])}


def test_entries_record_the_evaluation_and_the_changes_since_the_last(tmp_path, files):
    log = tmp_path / "decisions.jsonl"
    first, notes = _log(log, files[0])
    assert notes == "" and first["changes"] is None
    assert set(first) == {"log_version", "time", "fleetcalc", "command", "input", "tender",
                          "base_currency", "ranking", "inputs", "changes"}
    assert first["input"] == {"file": str(files[0]), "sha256": hashlib.sha256(
        files[0].read_bytes()).hexdigest()}
    assert first["fleetcalc"] == fleetcalc.__version__ and first["time"].endswith("Z")
    ranks = [_ranks(files[0]), _ranks(files[1])]
    assert [r["bidder"] for r in first["ranking"]][:3] == sorted(
        (b for b, r in ranks[0].items() if r is not None), key=ranks[0].get)
    assert first["ranking"][-1]["rank"] is None and not first["ranking"][-1]["responsive"]
    second, notes = _log(log, files[1], command="report")
    assert second["changes"] == {
        "since": first["time"], "previous_sha256": first["input"]["sha256"],
        "keys": [{"path": f"bids[{EMD}].unit_price", "old": 4_050_000, "new": 3_200_000}],
        "bids_added": [], "bids_removed": [],
        "rank_moves": [{"bidder": b, "old_rank": ranks[0][b], "new_rank": ranks[1][b]}
                       for b in sorted(ranks[1], key=lambda b: (ranks[1][b] is None,
                                                                ranks[1][b] or 0))
                       if ranks[0][b] != ranks[1][b]]}
    assert second["changes"]["rank_moves"], "the price change must move EMD's rank"
    lines = log.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [first, second]


def test_entries_are_matched_by_tender_name(tmp_path, files):
    log = tmp_path / "decisions.jsonl"
    other = tmp_path / "other.toml"
    other.write_text(files[0].read_text(encoding="utf-8").replace(
        'name = "Pakistan Railways', 'name = "Other'), encoding="utf-8")
    _log(log, files[0])
    entry, _ = _log(log, other)
    assert entry["changes"] is None  # a different tender: no previous entry
    entry, _ = _log(log, files[1])
    assert [k["path"] for k in entry["changes"]["keys"]] == [f"bids[{EMD}].unit_price"]


def test_a_corrupt_log_is_reported_and_nothing_earlier_is_lost(tmp_path, files):
    log = tmp_path / "decisions.jsonl"
    _log(log, files[0])
    with log.open("ab") as stream:
        stream.write(b"not json\n\xff\xfe\n[1, 2]\n{\"tender\": \"Pakistan")  # torn last line
    before = log.read_bytes()
    entry, notes = _log(log, files[1])
    assert notes.splitlines() == [
        f"note: {log}: line 2 is not a log entry; skipped",
        f"note: {log}: line 3 is not a log entry; skipped",
        f"note: {log}: line 4 is not a log entry; skipped",
        f"note: {log}: line 5 is not a log entry; skipped",
        f"note: {log}: its last line was incomplete; it is kept as it was"]
    after = log.read_bytes()
    assert after.startswith(before)
    assert json.loads(after.splitlines()[-1]) == entry
    assert [k["path"] for k in entry["changes"]["keys"]] == [f"bids[{EMD}].unit_price"]
    entries, notes = read_log(log)
    assert len(entries) == 2 and len(notes) == 4


def test_a_missing_log_is_created_and_a_link_is_refused(tmp_path, files):
    tender, result = _evaluate(files[0])
    log = tmp_path / "new" / "decisions.jsonl"
    log.parent.mkdir()
    entry, notes = append_entry(log, tender=tender, result=result)
    assert notes == [] and entry["input"] == {"file": None, "sha256": None}
    link = tmp_path / "link.jsonl"
    link.symlink_to(log)
    with pytest.raises(OSError, match="is a link"):
        append_entry(link, tender=tender, result=result)
    assert len(log.read_text(encoding="utf-8").splitlines()) == 1


def test_compare_and_report_log_flags_append_one_entry_each(tmp_path):
    """``compare --log`` and ``report --log`` (issue 17) each append one line, the second
    recording no key changes since the first (same tender file)."""
    import io
    import json as _json

    from fleetcalc.cli import main as cli_main

    log = tmp_path / "decisions.jsonl"
    example = "examples/pakistan_locomotives_2026.toml"
    assert cli_main(["compare", example, "--format", "json", "--log", str(log)],
                    stdout=io.StringIO(), stderr=io.StringIO()) == 0
    assert cli_main(["report", example, "-o", str(tmp_path / "rep"), "--log", str(log)],
                    stdout=io.StringIO(), stderr=io.StringIO()) == 0
    entries = [_json.loads(line) for line in log.read_text().splitlines()]
    assert [e["command"] for e in entries] == ["compare", "report"]
    assert entries[0]["input"]["sha256"] == entries[1]["input"]["sha256"]
    assert entries[1]["changes"]["keys"] == []


def test_an_unwritable_log_exits_1(tmp_path):
    import io

    from fleetcalc.cli import main as cli_main

    err = io.StringIO()
    status = cli_main(["compare", "examples/pakistan_locomotives_2026.toml",
                       "--log", str(tmp_path / "no" / "such" / "dir" / "log.jsonl")],
                      stdout=io.StringIO(), stderr=err)
    assert status == 1, err.getvalue()
    assert "log.jsonl" in err.getvalue()


def test_report_log_entry_is_listed_in_the_footer(tmp_path):
    """``report --log``: the footer of report.html names the entry just appended."""
    import io
    import json as _json

    from fleetcalc.cli import main as cli_main

    log = tmp_path / "decisions.jsonl"
    out = tmp_path / "rep"
    assert cli_main(["report", "examples/pakistan_locomotives_2026.toml", "-o", str(out),
                     "--log", str(log)], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    entry = _json.loads(log.read_text().splitlines()[-1])
    html = (out / "report.html").read_text(encoding="utf-8")
    assert entry["input"]["sha256"] in html and entry["time"] in html
