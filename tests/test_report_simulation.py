"""``fleetcalc report --draws N --seed S``: the report shows the Monte Carlo results."""

import io

import numpy as np
import openpyxl
import pytest

import fleetcalc
from fleetcalc.cli import main
from fleetcalc.simulation import simulate

EXAMPLE = "examples/pakistan_locomotives_2026.toml"
pytestmark = pytest.mark.filterwarnings("ignore::fleetcalc.TenderWarning")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(["report", EXAMPLE, "--output", str(out), "--draws", "4096", "--seed", "3"],
                stdout=stdout, stderr=stderr)
    assert code == 0, stderr.getvalue()
    return out


def test_uncertainty_charts_are_written(report):
    for name in ("evaluated_cost_distribution.png", "tornado.png"):
        data = (report / "charts" / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000


def test_html_has_the_probability_of_ranking_first(report):
    html = (report / "report.html").read_text(encoding="utf-8")
    assert 'id="uncertainty"' in html
    expected = simulate(fleetcalc.load_tender(EXAMPLE), draws=4096, seed=3).summary
    # the same seed reproduces the run the report made: its P(first) is on the page
    for value in expected["p_rank_first"]:
        assert f"{value:.1%}" in html or f"{value:.0%}" in html


def test_workbook_has_the_simulation_sheet(report):
    workbook = openpyxl.load_workbook(report / "evaluation.xlsx")
    sheet = [name for name in workbook.sheetnames if "imulation" in name]
    assert sheet
    values = [c.value for row in workbook[sheet[0]].iter_rows() for c in row]
    assert any(isinstance(v, float) and 0 < v < 1 for v in values)  # probabilities
    assert np.isfinite([v for v in values if isinstance(v, float)]).all()
