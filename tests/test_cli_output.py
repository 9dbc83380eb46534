"""Nothing lost, nothing injected: output files and CSV cells of the command line."""

import csv
import io
import os
from pathlib import Path

import pytest

from fleetcalc.cli import main
from fleetcalc.reports.output import MANIFEST_NAME, Manifest

EXAMPLE = Path("examples/pakistan_locomotives_2026.toml")
pytestmark = pytest.mark.filterwarnings("ignore::fleetcalc.TenderWarning")


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def tender(tmp_path):
    path = tmp_path / "tender.toml"
    path.write_bytes(EXAMPLE.read_bytes())
    return path


# --------------------------------------------------------------------------- nothing lost


def test_output_over_the_input_tender_is_refused(tender):
    before = tender.read_bytes()
    code, out, err = run("compare", tender, "--format", "json", "--output", tender, "--force")
    assert code == 2 and "is the input file" in err and "Traceback" not in err
    assert tender.read_bytes() == before


def test_output_over_a_hard_link_of_the_input_is_refused(tender, tmp_path):
    link = tmp_path / "same.toml"
    os.link(tender, link)
    before = tender.read_bytes()
    code, out, err = run("compare", tender, "-o", link, "--force")
    assert code == 2 and "is the input file" in err
    assert tender.read_bytes() == before and link.read_bytes() == before


def test_output_through_a_symbolic_link_is_refused(tender, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "out.csv"
    link.symlink_to(victim)
    code, out, err = run("compare", tender, "--format", "csv", "-o", link, "--force")
    assert code == 2 and "symbolic link" in err
    assert victim.read_text() == "keep me" and link.is_symlink()


def test_a_symbolic_link_to_the_input_is_refused(tender, tmp_path):
    link = tmp_path / "alias.toml"
    link.symlink_to(tender)
    before = tender.read_bytes()
    code, out, err = run("compare", tender, "-o", link, "--force")
    assert code == 2 and tender.read_bytes() == before


def test_an_existing_output_needs_force(tender, tmp_path):
    target = tmp_path / "ranking.csv"
    target.write_text("old")
    code, out, err = run("compare", tender, "--format", "csv", "-o", target)
    assert code == 2 and f"{target}: exists; use --force to replace it" in err
    assert target.read_text() == "old"
    code, out, err = run("compare", tender, "--format", "csv", "-o", target, "--force")
    assert code == 0 and target.read_text().startswith("bidder,")


@pytest.mark.parametrize("command", ["simulate", "sensitivity"])
def test_simulate_and_sensitivity_write_csv_to_a_file(tender, tmp_path, command):
    target = tmp_path / f"{command}.csv"
    extra = ["--draws", "200"] if command == "simulate" else []
    code, out, err = run(command, tender, *extra, "--format", "csv", "-o", target)
    assert code == 0 and out == ""
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert {"Progress Rail (EMD)", "CRRC Ziyang"} <= {r["bidder"] for r in rows}
    code, out, err = run(command, tender, *extra, "-o", target)
    assert code == 2 and "use --force" in err


@pytest.fixture(scope="module")
def report_runs(tmp_path_factory):
    """A report with draws, a foreign file, then a re-run without draws."""
    folder = tmp_path_factory.mktemp("report")
    (folder / "notes.txt").write_text("mine")
    first = run("report", EXAMPLE, "-o", folder, "--draws", "100")
    charts_first = sorted(p.name for p in (folder / "charts").iterdir())
    (folder / "charts" / "my_own.png").write_bytes(b"mine")
    second = run("report", EXAMPLE, "-o", folder)
    return folder, first, charts_first, second


def test_report_rerun_without_draws_removes_its_stale_monte_carlo_charts(report_runs):
    folder, first, charts_first, second = report_runs
    assert first[0] == 0 and second[0] == 0, (first[2], second[2])
    assert "tornado.png" in charts_first
    charts = {p.name for p in (folder / "charts").iterdir()}
    assert "tornado.png" not in charts and "evaluated_cost_distribution.png" not in charts
    assert "pv_by_category.png" in charts


def test_report_never_removes_files_it_did_not_write(report_runs):
    folder = report_runs[0]
    assert (folder / "notes.txt").read_text() == "mine"
    assert (folder / "charts" / "my_own.png").read_bytes() == b"mine"
    assert "notes.txt" not in Manifest(folder).files
    assert "report.html" in Manifest(folder).files and (folder / MANIFEST_NAME).is_file()


def test_report_over_a_file_it_did_not_write_needs_force(tmp_path):
    (tmp_path / "report.html").write_text("someone else's")
    code, out, err = run("report", EXAMPLE, "-o", tmp_path)
    assert code == 2 and "report.html: exists; use --force" in err
    assert (tmp_path / "report.html").read_text() == "someone else's"
    assert not (tmp_path / "evaluation.xlsx").exists()  # nothing written
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no staging left
    code, out, err = run("report", EXAMPLE, "-o", tmp_path, "--force")
    assert code == 0 and "<html" in (tmp_path / "report.html").read_text().lower()


def test_report_does_not_write_through_a_link_in_its_folder(tmp_path):
    victim = tmp_path / "victim.html"
    victim.write_text("keep me")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "report.html").symlink_to(victim)
    code, out, err = run("report", EXAMPLE, "-o", folder, "--force")
    assert code == 2 and "symbolic link" in err
    assert victim.read_text() == "keep me"


def test_a_manifest_cannot_make_fleetcalc_delete_outside_its_folder(tmp_path):
    outside = tmp_path / "precious.txt"
    outside.write_text("keep")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / MANIFEST_NAME).write_text(f'{{"files": ["../precious.txt", "{outside}"]}}')
    code, out, err = run("report", EXAMPLE, "-o", folder)
    assert code == 0 and outside.read_text() == "keep"


# --------------------------------------------------------------------------- nothing injected

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd",
           "-2+3"]


def _toml_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.parametrize("name", HOSTILE)
def test_compare_csv_neutralises_formula_cells(tmp_path, name):
    path = tmp_path / "t.toml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8").replace(
        'bidder = "Late Bidder Ltd (fictitious)"', f"bidder = {_toml_string(name)}"),
        encoding="utf-8")
    code, out, err = run("compare", path, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    bidders = [r["bidder"] for r in rows]
    assert "'" + name in bidders and name not in bidders
    assert not any(cell and cell[0] in "=+@\t\r" for row in rows for cell in row.values())
    # numbers stay numbers: negative residual values are written as numbers
    residual = [float(r["pv_residual_value"]) for r in rows]
    assert all(value < 0 for value in residual)


def test_a_report_folder_that_cannot_be_made_exits_1(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    code, out, err = run("report", EXAMPLE, "-o", blocker / "out")
    assert code == 1 and "cannot write the output" in err and "Traceback" not in err


def test_an_output_file_gets_the_usual_permissions(tender, tmp_path):
    target = tmp_path / "ranking.csv"
    code, out, err = run("compare", tender, "--format", "csv", "-o", target)
    umask = os.umask(0)
    os.umask(umask)
    assert code == 0 and target.stat().st_mode & 0o777 == 0o666 & ~umask
