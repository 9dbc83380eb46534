"""The ``fleetcalc`` command line: formats, output files, streams and exit codes."""

import csv
import io
import json
import warnings

import pytest

import fleetcalc
from fleetcalc.cli import main

EXAMPLE = "examples/pakistan_locomotives_2026.toml"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def ranking():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fleetcalc.TenderWarning)
        return fleetcalc.evaluate(fleetcalc.load_tender(EXAMPLE)).ranking


def test_json_is_strict_and_parseable_on_stdout(ranking):
    code, out, err = run("compare", EXAMPLE, "--format", "json")
    assert code == 0
    data = json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    assert [b["bidder"] for b in data["bids"]] == list(ranking.index)
    assert {"tender", "bids", "cash_flows", "fleet", "financing"} <= set(data)


def test_csv_has_one_row_per_bid(ranking):
    code, out, err = run("compare", EXAMPLE, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["bidder"] for r in rows] == list(ranking.index)
    assert float(rows[0]["evaluated_cost"]) == pytest.approx(ranking["evaluated_cost"].iloc[0])


def test_table_to_a_file(tmp_path, ranking):
    path = tmp_path / "ranking.txt"
    code, out, err = run("compare", EXAMPLE, "--output", str(path))
    text = path.read_text()
    assert code == 0 and out == ""
    assert f"{ranking['evaluated_cost'].iloc[0]:,.0f}" in text  # thousands separators


def test_an_unwritable_output_exits_1(tmp_path):
    code, out, err = run("compare", EXAMPLE, "--output", str(tmp_path / "no" / "such" / "x"))
    assert code == 1 and "cannot write the output" in err and "Traceback" not in err


def test_a_missing_file_exits_2():
    code, out, err = run("compare", "nope.toml")
    assert code == 2 and "cannot read the file" in err
