"""Key-by-key tender differences and their effect on evaluated costs and ranks."""

import io
import json
import warnings
from pathlib import Path

import attrs
import pandas as pd
import pytest

import fleetcalc
from fleetcalc.cli import main
from fleetcalc.io import parse_tender
from fleetcalc.tender import PaymentMilestone
from fleetcalc.tender_diff import diff_tenders, flatten_tender, key_changes

EXAMPLE = "examples/pakistan_locomotives_2026.toml"
WABTEC, EMD, CRRC, LATE = ("Wabtec (GE Transportation)", "Progress Rail (EMD)", "CRRC Ziyang",
                           "Late Bidder Ltd (fictitious)")


@pytest.fixture(scope="module")
def old():
    return fleetcalc.load_tender(EXAMPLE)


def _costs(tender):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fleetcalc.TenderWarning)
        return fleetcalc.evaluate(tender).ranking["evaluated_cost"].to_dict()


def _bid(tender, bidder, **changes):
    bids = tuple(attrs.evolve(b, **changes) if b.bidder == bidder else b for b in tender.bids)
    return attrs.evolve(tender, bids=bids)


def test_a_tender_has_no_changes_from_itself(old):
    diff = diff_tenders(old, old)
    assert diff["changes"] == [] and diff["contributions"] == [] and diff["rank_moves"] == []
    assert all(b["change"] == 0 for b in diff["bids"] if b["change"] is not None)


def test_flattened_keys_name_bids_and_cohorts(old):
    flat = flatten_tender(old)
    assert flat["bids[CRRC Ziyang].unit_price"] == 21_000_000
    assert flat["fleet[GEU-40].units"] == 55
    assert flat["tender.exchange_rates.PKR"] == 0.00356
    assert flat["bids[Late Bidder Ltd (fictitious)].financing"] is None
    assert flat["bids[Wabtec (GE Transportation)].delivery"] == [0, 10, 20, 20]
    json.dumps(flat, allow_nan=False)  # JSON-ready


def _ranks(tender):
    """Each bidder's rank by an independent evaluation (None: not ranked)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ranking = fleetcalc.evaluate(tender).ranking
    return {b: (None if pd.isna(r) else int(r)) for b, r in zip(ranking.index, ranking["rank"])}


# issue 13: EMD ranks last in the revised example; a price fall moves it up
EMD_NEW_PRICE = 2_800_000


def test_a_price_change_moves_the_ranks_and_is_its_own_contribution(old):
    new = _bid(old, EMD, unit_price=EMD_NEW_PRICE)
    diff = diff_tenders(old, new)
    assert diff["changes"] == [{"path": f"bids[{EMD}].unit_price", "old": 4_050_000,
                                "new": EMD_NEW_PRICE}]
    before, after = _costs(old), _costs(new)
    rows = {b["bidder"]: b for b in diff["bids"]}
    assert rows[EMD]["change"] == pytest.approx(after[EMD] - before[EMD], rel=1e-12)
    ranks_before, ranks_after = _ranks(old), _ranks(new)
    assert rows[EMD]["old_rank"] == ranks_before[EMD]
    assert rows[EMD]["new_rank"] == ranks_after[EMD] < ranks_before[EMD]
    assert {m["bidder"]: (m["old_rank"], m["new_rank"]) for m in diff["rank_moves"]} == {
        b: (ranks_before[b], ranks_after[b]) for b in ranks_after
        if ranks_before[b] != ranks_after[b]}
    [item] = diff["contributions"]
    assert item["path"] == f"bids[{EMD}].unit_price" and item["note"] is None
    assert item["effect"][EMD] == pytest.approx(rows[EMD]["change"], rel=1e-12)
    assert item["effect"][CRRC] == 0 and diff["interaction"][EMD] == pytest.approx(0, abs=1e-3)


def test_contributions_and_interaction_add_up_to_the_change(old):
    new = attrs.evolve(_bid(old, WABTEC, unit_price=4_500_000),
                       tender=attrs.evolve(old.tender, discount_rate=0.06))
    diff = diff_tenders(old, new)
    assert [c["path"] for c in diff["contributions"]] == ["tender.discount_rate",
                                                          f"bids[{WABTEC}].unit_price"]
    for bid in diff["bids"]:
        if bid["change"] is None:
            continue
        parts = sum(c["effect"][bid["bidder"]] for c in diff["contributions"])
        assert parts + diff["interaction"][bid["bidder"]] == pytest.approx(bid["change"])
    # Each contribution is the old tender with only that key changed, re-evaluated.
    alone = attrs.evolve(old, tender=attrs.evolve(old.tender, discount_rate=0.06))
    assert diff["contributions"][0]["effect"][CRRC] == pytest.approx(
        _costs(alone)[CRRC] - _costs(old)[CRRC], rel=1e-12)


def test_a_removed_table_is_one_change_and_one_contribution(old):
    new = _bid(old, WABTEC, financing=None)
    diff = diff_tenders(old, new)
    [change] = diff["changes"]
    assert change["path"] == f"bids[{WABTEC}].financing" and change["new"] is None
    assert change["old"]["interest_rate"] == 0.055 and change["old"]["tenor_years"] == 12
    assert [c["path"] for c in diff["contributions"]] == [f"bids[{WABTEC}].financing"]


def test_payments_are_applied_as_one_array(old):
    new = _bid(old, WABTEC, payments=(PaymentMilestone("signing", 0.2),
                                      PaymentMilestone("delivery", 0.8)))
    diff = diff_tenders(old, new)
    assert [c["path"] for c in diff["changes"]] == [
        f"bids[{WABTEC}].payments[0].share",  # payments[1] is delivery 0.8 in both
        f"bids[{WABTEC}].payments[2].event", f"bids[{WABTEC}].payments[2].share"]
    [item] = diff["contributions"]
    assert item["path"] == f"bids[{WABTEC}].payments" and len(item["keys"]) == 3


def test_changes_not_valid_alone_are_said_so(old):
    new = _bid(old, CRRC, quantity=60, delivery=(10, 20, 30))
    diff = diff_tenders(old, new)
    notes = [c["note"] for c in diff["contributions"]]
    assert all(n.startswith("not valid alone: ") for n in notes)
    assert "sums to 60 but quantity is 50" in notes[1]
    assert diff["contributions"][0]["effect"][CRRC] is None
    assert diff["interaction"][CRRC] is None


def test_bids_are_matched_by_bidder_and_added_or_removed(old):
    renamed = attrs.evolve(old.bids[3], bidder="New Co")
    new = attrs.evolve(old, bids=(old.bids[1], old.bids[0], old.bids[2], renamed))
    diff = diff_tenders(old, new)
    assert diff["changes"] == []  # order does not matter; added/removed bids are listed
    assert diff["bids_added"] == ["New Co"] and diff["bids_removed"] == [LATE]
    rows = {b["bidder"]: b for b in diff["bids"]}
    assert rows["New Co"]["old_evaluated_cost"] is None
    assert rows[LATE]["new_evaluated_cost"] is None


def test_too_many_changes_skip_the_contributions_with_a_note(old):
    new = attrs.evolve(old, tender=attrs.evolve(old.tender, discount_rate=0.06,
                                                annual_km=80_000))
    diff = diff_tenders(old, new, max_contributions=1)
    assert diff["contributions"] == []
    assert diff["contributions_note"] == ("2 changes; the one-at-a-time contributions are "
                                          "computed up to 1")


def test_key_changes_lists_keys_of_both_sides():
    assert key_changes({"a": 1, "gone": 2}, {"a": 1.0, "b": None, "new": 3}) == [
        {"path": "new", "old": None, "new": 3}, {"path": "gone", "old": 2, "new": None}]


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_json_and_table(tmp_path, old):
    new_path = tmp_path / "new.toml"
    new_path.write_text(Path(EXAMPLE).read_text(encoding="utf-8").replace(
        "unit_price = 4_050_000", f"unit_price = {EMD_NEW_PRICE}"), encoding="utf-8")
    code, out, err = _run("diff", EXAMPLE, new_path, "--format", "json")
    assert code == 0
    data = json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    assert set(data) == {"old", "new", "base_currency", "changes", "bids_added",
                         "bids_removed", "bids", "rank_moves", "contributions", "interaction",
                         "contributions_note"}
    assert data["old"] == {"name": old.tender.name, "file": EXAMPLE}
    code, out, err = _run("diff", EXAMPLE, new_path)
    lines = out.splitlines()
    assert code == 0 and lines[:2] == [
        f"Changes from {EXAMPLE} to {new_path}: 1 key",
        f"  bids[{EMD}].unit_price: 4050000 -> {EMD_NEW_PRICE}"]
    ranks_before, ranks_after = _ranks(old), _ranks(parse_tender(new_path.read_text()))
    assert any(line.startswith(f"  {EMD}")
               and f"{ranks_before[EMD]} -> {ranks_after[EMD]}" in line for line in lines)
    assert lines[-1] == "  changes acting together: none"


def test_cli_reports_problems_of_both_files(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[tender]\nname = 'x'\n", encoding="utf-8")
    code, out, err = _run("diff", bad, bad)
    assert code == 2 and out == ""
    assert err.count("nothing was written.") == 2
