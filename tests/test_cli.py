"""The ``fleetcalc`` command line: formats, output files, streams and exit codes."""

import csv
import importlib
import io
import json
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

import fleetcalc
from fleetcalc.cli import EXIT_INTERNAL, main
from tests.hand_cases import SMALL_TENDER_SETTINGS

EXAMPLE = "examples/pakistan_locomotives_2026.toml"
ROOT = Path(__file__).resolve().parent.parent

SMALL = SMALL_TENDER_SETTINGS + textwrap.dedent("""\
    [[bids]]
    bidder = "A"
    model = "M1"
    currency = "USD"
    unit_price = 3_900_000
    quantity = 3
    delivery = [1, 2]
    fuel_litres_per_km = 4.6
    maintenance_per_km = 1.10
    service_life_years = 30

    [[bids]]
    bidder = "B"
    model = "M2"
    currency = "USD"
    unit_price = 3_000_000
    quantity = 3
    delivery = [3]
    fuel_litres_per_km = 5.0
    maintenance_per_km = 1.30
    service_life_years = 30
    """)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def subprocess_env():
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH",
                                                                            "")}


@pytest.fixture(scope="module")
def ranking():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fleetcalc.TenderWarning)
        return fleetcalc.evaluate(fleetcalc.load_tender(EXAMPLE)).ranking


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    return path


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


# --------------------------------------------------------------------------- exit codes


def test_an_internal_error_exits_70_with_one_line_and_no_traceback(monkeypatch):
    def broken(tender, **kwargs):
        raise ZeroDivisionError("boom \x1b[31m")

    monkeypatch.setattr(importlib.import_module("fleetcalc.evaluate"), "evaluate", broken)
    monkeypatch.delenv("FLEETCALC_DEBUG", raising=False)
    code, out, err = run("compare", EXAMPLE)
    assert code == EXIT_INTERNAL == 70
    lines = err.strip().splitlines()
    assert "internal error" in lines[-1] and "bug" in lines[-1] and "ZeroDivisionError" in err
    assert "Traceback" not in err and "\x1b" not in err and "\\x1b" in err
    assert "FLEETCALC_DEBUG=1" in lines[-1]


def test_fleetcalc_debug_shows_the_traceback(monkeypatch):
    def broken(tender, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(importlib.import_module("fleetcalc.evaluate"), "evaluate", broken)
    monkeypatch.setenv("FLEETCALC_DEBUG", "1")
    code, out, err = run("compare", EXAMPLE)
    assert code == 70 and "Traceback" in err and "internal error" in err


def test_bare_fleetcalc_prints_the_help_and_exits_2():
    code, out, err = run()
    assert code == 2 and out == ""
    assert "usage: fleetcalc" in err and "compare" in err and "exit status" in err


def test_python_dash_m_fleetcalc_runs_the_command_line():
    done = subprocess.run([sys.executable, "-m", "fleetcalc", "validate", EXAMPLE],
                          capture_output=True, text=True, env=subprocess_env(), cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{EXAMPLE}: valid (4 bids)\n"


# --------------------------------------------------------------------------- validate


def test_validate_json_lists_problems_with_file_path_value_rule(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(SMALL.replace("horizon_years = 10", "horizon_years = 0"), encoding="utf-8")
    code, out, err = run("validate", bad, "--format", "json")
    data = json.loads(out)
    assert code == 2 and err == ""
    assert data["file"] == str(bad) and data["valid"] is False
    problem = next(p for p in data["problems"] if p["path"] == "tender.horizon_years")
    assert problem == {"file": str(bad), "path": "tender.horizon_years", "value": 0,
                       "rule": "must be >= 1", "severity": "error"}


def test_validate_json_of_a_valid_file_has_its_warnings(small):
    small.write_text(SMALL.replace("service_life_years = 30\n\n",
                                   "service_life_years = 30\noverhaul_interval_years = 40\n\n",
                                   1), encoding="utf-8")
    code, out, err = run("validate", small, "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["valid"] is True and data["bids"] == 2
    assert [p["severity"] for p in data["problems"]] == ["warning"]
    assert data["problems"][0]["path"].endswith("overhaul_interval_years")
    assert data["problems"][0]["value"] == 40


def test_warnings_carry_the_file_name(small):
    small.write_text(SMALL.replace("service_life_years = 30\n\n",
                                   "service_life_years = 30\noverhaul_interval_years = 40\n\n",
                                   1), encoding="utf-8")
    code, out, err = run("compare", small)
    assert code == 0
    warning = [line for line in err.splitlines() if "overhaul_interval_years" in line]
    assert warning and warning[0].startswith(f"{small}: warning: ")


# --------------------------------------------------------------------------- uncertainty


@pytest.mark.parametrize("command", ["simulate", "sensitivity"])
def test_simulate_and_sensitivity_say_when_nothing_is_uncertain(small, command):
    code, out, err = run(command, small, "--draws", "10") if command == "simulate" else \
        run(command, small)
    assert code == 2 and out == ""
    # the message names the key it is about (every error line names one: tests/malformed.py)
    assert f"{small}: error: uncertainty: the tender has no [[uncertainty]] entries" in err


def test_scheduler_runs_the_draws_on_an_existing_dask_cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        code, out, err = run("simulate", EXAMPLE, "--draws", "300", "--seed", "2",
                             "--format", "json", "--scheduler", cluster.scheduler_address)
    assert code == 0, err
    local = run("simulate", EXAMPLE, "--draws", "300", "--seed", "2", "--format", "json")[1]
    assert json.loads(out) == json.loads(local)


def test_an_unreachable_scheduler_is_a_usage_error(monkeypatch):
    distributed = pytest.importorskip("dask.distributed")

    def refuse(address, **kwargs):
        raise OSError(f"Timed out trying to connect to {address}")

    monkeypatch.setattr(distributed, "Client", refuse)
    code, out, err = run("simulate", EXAMPLE, "--draws", "10", "--scheduler",
                         "tcp://127.0.0.1:1")
    assert code == 2 and "cannot connect to the Dask scheduler at tcp://127.0.0.1:1" in err


# --------------------------------------------------------------------------- completion


@pytest.mark.parametrize(("line", "expected"), [
    ("fleetcalc comp", {"compare", "completion"}),
    ("fleetcalc simulate x.toml --format ", {"table", "json", "csv"}),
    ("fleetcalc completion ", {"bash", "zsh"}),
    ("fleetcalc validate --f", {"--format"}),
])
def test_bash_completion_script_completes_commands_and_choices(line, expected, tmp_path):
    code, script, err = run("completion", "bash")
    assert code == 0
    (tmp_path / "c.sh").write_text(script)
    words = line.split(" ")
    program = (f"source {tmp_path / 'c.sh'}\n"
               f"COMP_WORDS=({' '.join(repr(w) for w in words)})\n"
               f"COMP_CWORD={len(words) - 1}\n_fleetcalc\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n")
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True,
                          cwd=tmp_path, timeout=30)
    assert done.returncode == 0, done.stderr
    assert set(done.stdout.split()) == expected


def test_zsh_completion_reuses_the_bash_function():
    code, script, err = run("completion", "zsh")
    assert code == 0 and "bashcompinit" in script and "complete -o filenames -F _fleetcalc" \
        in script


def test_help_imports_no_command_module_and_no_rich():
    program = ("import sys\nfrom fleetcalc.cli import main\ntry:\n    main(['--help'])\n"
               "except SystemExit:\n    pass\n"
               "print(sorted(m for m in sys.modules if m == 'rich' or "
               "m.startswith('fleetcalc.cli.') and m not in "
               "('fleetcalc.cli.parser', 'fleetcalc.cli.common')))")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          env=subprocess_env(), cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_an_os_error_that_is_not_writing_the_output_is_internal_not_1(monkeypatch):
    def broken(tender, **kwargs):
        raise OSError("no such thing")

    monkeypatch.setattr(importlib.import_module("fleetcalc.evaluate"), "evaluate", broken)
    code, out, err = run("compare", EXAMPLE)
    assert code == 70 and "cannot write the output" not in err


def test_a_closed_pipe_is_an_unwritten_output_not_a_bug():
    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    err = io.StringIO()
    code = main(["compare", EXAMPLE, "--format", "csv"], stdout=ClosedPipe(), stderr=err)
    assert code == 1 and "internal error" not in err.getvalue()


def test_a_closed_pipe_in_a_real_pipeline_exits_quietly():
    done = subprocess.run(f"{sys.executable} -m fleetcalc compare {EXAMPLE} --format json "
                          "| head -c 10", shell=True, capture_output=True, text=True,
                          env=subprocess_env(), cwd=ROOT, timeout=120)
    assert done.stdout == "{\n  \"tende" and "Traceback" not in done.stderr
    assert "internal error" not in done.stderr


def test_compare_detail_adds_the_evaluation_table_and_what_decides_the_award():
    """``compare --detail`` (issue 12 items 8 and 10): the table in the order of the
    World Bank/ADB forms, whose evaluated prices are the JSON's evaluated costs."""
    import io
    import json as _json

    from fleetcalc.cli import main as cli_main

    example = "examples/pakistan_locomotives_2026.toml"
    out, js = io.StringIO(), io.StringIO()
    assert cli_main(["compare", example, "--detail"], stdout=out, stderr=io.StringIO()) == 0
    assert cli_main(["compare", example, "--format", "json"], stdout=js,
                    stderr=io.StringIO()) == 0
    text = out.getvalue()
    assert "Bid evaluation table" in text and "What decides the award" in text
    row = next(line for line in text.splitlines()
               if line.strip().startswith("Evaluated price with preference"))
    shown = [float(v.replace(",", "")) for v in row.split()[-4:]]
    costs = {b["bidder"]: b["evaluated_cost"] for b in _json.loads(js.getvalue())["bids"]}
    assert sorted(round(v) for v in shown) == sorted(round(v) for v in costs.values())
