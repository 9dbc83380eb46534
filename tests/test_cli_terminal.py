"""Terminal output: escaped, sized to the terminal, one bid order, progress under a pty."""

import csv
import io
import os
import re
import select
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from fleetcalc.cli import main
from fleetcalc.reports.table import printable

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "pakistan_locomotives_2026.toml"
pytestmark = pytest.mark.filterwarnings("ignore::fleetcalc.TenderWarning")

#: Two bidders whose names agree on their first 14 characters (and more).
ALPHA_1 = "Consortium Alpha Rolling Stock Works of the North"
ALPHA_2 = "Consortium Alpha Rail Holdings and Partners"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def alphas(tmp_path_factory):
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("Progress Rail (EMD)", ALPHA_1).replace(
        "Late Bidder Ltd (fictitious)", ALPHA_2)
    path = tmp_path_factory.mktemp("alpha") / "alpha.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _env(**extra):
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


# --------------------------------------------------------------------------- the rich dependency


def test_rich_is_a_declared_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {re.split(r"[<>=\[; ]", d, maxsplit=1)[0].lower() for d in project["dependencies"]}
    assert "rich" in names


def _run_with_stderr_on_a_pty(args, timeout=300):
    """Run ``python -m fleetcalc ARGS`` with stderr on a pseudo-terminal; return (rc, out, tty)."""
    master, slave = os.openpty()
    try:
        process = subprocess.Popen([sys.executable, "-m", "fleetcalc", *map(str, args)],
                                   stdout=subprocess.PIPE, stderr=slave, cwd=ROOT,
                                   env=_env(COLUMNS="100", TERM="xterm"))
    finally:
        os.close(slave)
    seen = bytearray()
    while True:
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            process.kill()
            pytest.fail("no output from the terminal for too long")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the slave side closed: the process has finished
            break
        if not chunk:
            break
        seen += chunk
    out = process.stdout.read().decode()
    code = process.wait(timeout=timeout)
    os.close(master)
    return code, out, seen.decode(errors="replace")


def test_simulate_in_a_terminal_draws_progress_and_finishes():
    code, out, tty = _run_with_stderr_on_a_pty(["simulate", EXAMPLE, "--draws", "20000"])
    assert "Traceback" not in tty and "ModuleNotFoundError" not in tty
    assert code == 0, tty
    assert "simulating" in tty  # the progress bar was drawn on the terminal
    assert "P(first)" in out and "\x1b" not in out  # stdout is a pipe: plain text


def test_report_with_draws_in_a_terminal_shows_progress(tmp_path):
    code, out, tty = _run_with_stderr_on_a_pty(["report", EXAMPLE, "-o", tmp_path,
                                                "--draws", "8192", "--no-plan"])
    assert code == 0, tty
    assert "Traceback" not in tty and "simulating" in tty
    assert (tmp_path / "report.html").is_file()


# --------------------------------------------------------------------------- escaping

EVIL_NAME = "Evil\x1b[31m Corp\u202e\x07"


@pytest.fixture
def evil(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'bidder = "Late Bidder Ltd (fictitious)"', 'bidder = "Evil\\u001b[31m Corp\\u202e\\u0007"')
    path = tmp_path / "evil.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _raw_controls(text):
    return [c for c in text if c != "\n" and printable(c) != c]


@pytest.mark.parametrize("command", [["compare"], ["simulate", "--draws", "200"],
                                     ["sensitivity"], ["validate"]])
def test_names_from_the_file_are_escaped_in_every_table(evil, command):
    code, out, err = run(command[0], evil, *command[1:])
    assert _raw_controls(out) == [] and _raw_controls(err) == []
    if code == 0 and command[0] != "validate":
        assert "Evil\\x1b[31m" in out and "Corp\\u202e\\x07" in out  # may wrap


def test_a_key_from_the_file_cannot_forge_an_error_line(tmp_path):
    path = tmp_path / "forge.toml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8").replace(
        "[tender]\n", '[tender]\n"x\\nerror: all bids are valid\\u001b[2J" = 1\n', 1),
        encoding="utf-8")
    code, out, err = run("compare", path)
    assert not any(line.startswith("error: all bids") for line in err.splitlines())
    assert _raw_controls(err) == []


# --------------------------------------------------------------------------- widths


@pytest.mark.parametrize("columns", [80, 200])
def test_compare_fits_the_terminal_and_never_cuts_a_name(alphas, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, err = run("compare", alphas)
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= columns
    words = set(out.split())
    for name in (ALPHA_1, ALPHA_2):
        assert set(name.split()) <= words
    if columns == 200:
        assert any(ALPHA_1 in line for line in lines) and any(ALPHA_2 in line
                                                              for line in lines)


@pytest.mark.parametrize("columns", [80, 200])
def test_simulate_table_and_matrix_fit_and_keep_whole_names(alphas, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, err = run("simulate", alphas, "--draws", "200")
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= columns
    matrix = out.split("P(row cheaper than column):")[1]
    if columns == 200:  # the matrix headers are the full names, not 14 characters
        header = matrix.split("─")[0]
        assert "Consortium Alpha Rolling" in header and "Consortium Alpha Rail" in header


def test_piped_output_has_no_escape_codes(alphas, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    done = subprocess.run([sys.executable, "-m", "fleetcalc", "compare", str(alphas)],
                          capture_output=True, text=True, cwd=ROOT, env=_env(COLUMNS="120"),
                          timeout=120)
    assert done.returncode == 0 and "\x1b" not in done.stdout and "\x1b" not in done.stderr


# --------------------------------------------------------------------------- one bid order


def _csv_bidders(text):
    return list(dict.fromkeys(row["bidder"] for row in csv.DictReader(io.StringIO(text))))


def test_the_same_bid_order_in_compare_simulate_and_sensitivity(alphas):
    compare = _csv_bidders(run("compare", alphas, "--format", "csv")[1])
    simulate = _csv_bidders(run("simulate", alphas, "--draws", "200", "--format", "csv")[1])
    tornado = [b for b in _csv_bidders(run("sensitivity", alphas, "--format", "csv")[1])
               if b != "gap"]
    assert compare[-1] == ALPHA_2  # non-responsive: last
    assert simulate == compare
    assert [b for b in compare if b in tornado] == tornado


def test_simulate_rows_and_matrix_follow_the_rank_order(alphas, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    compare = _csv_bidders(run("compare", alphas, "--format", "csv")[1])
    out = run("simulate", alphas, "--draws", "200")[1]
    summary, matrix = out.split("P(row cheaper than column):")
    positions = [summary.index(name) for name in compare]
    assert positions == sorted(positions)
    rows = [line.split("  ")[0].strip() for line in matrix.split("─")[-1].splitlines()
            if line.strip() and not line.startswith("Uncertain") and line[0] != " "]
    assert rows[:len(compare)] == compare


# --------------------------------------------------------------------------- sensitivity


def test_sensitivity_folds_zero_swings_and_labels_input_values(monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    code, out, err = run("sensitivity", EXAMPLE)
    assert code == 0
    tornado = out.split("Switching values")[0]
    rows = [line for line in tornado.splitlines() if re.search(r"\s-?[\d,]+\.\d$", line)]
    assert rows and not any(re.search(r"\s0\.0$", line) for line in rows)  # no zero swings
    assert len(rows) < 40
    assert "Input (P10 … P90)" in tornado and "×0.9" in tornado
    switching = out.split("Switching values")[1]
    assert not re.search(r"\s1\s+\[", switching)  # the point is "×1", not a bare 1
    assert "×1 " in switching
