"""Import budget: start-up commands load no heavy library they do not use.

Each check runs in a fresh interpreter (a module imported by an earlier test
would otherwise already be in ``sys.modules``) and lists the heavy top-level
packages it finds there afterwards. The command line is reached through
``fleetcalc.cli.main``, whether ``fleetcalc.cli`` is a module or a package.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "pakistan_locomotives_2026.toml"

#: Never loaded by ``import fleetcalc``, ``--help``, ``validate`` or ``compare``.
HEAVY = ("scipy", "matplotlib", "openpyxl", "jinja2", "dask")

_REPORT = """
import contextlib, io, json, sys
{body}
print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}})))
"""

_CLI = """
from fleetcalc.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        status = main({argv!r})
    except SystemExit as exc:  # argparse exits after --help
        status = exc.code
assert status in (0, None), status
"""


def loaded_packages(body):
    """Top-level packages in ``sys.modules`` after running ``body`` in a fresh interpreter."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    done = subprocess.run([sys.executable, "-c", _REPORT.format(body=body)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_import_fleetcalc_loads_no_numerical_library():
    loaded = loaded_packages("import fleetcalc")
    assert not loaded & set(HEAVY + ("numpy", "pandas"))


@pytest.mark.parametrize("argv", [
    ["--help"],
    ["validate", str(EXAMPLE)],
    ["compare", str(EXAMPLE), "--format", "json"],
], ids=["help", "validate", "compare"])
def test_commands_load_no_heavy_library(argv):
    loaded = loaded_packages(_CLI.format(argv=argv))
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_the_check_sees_a_heavy_import():
    assert "scipy" in loaded_packages("import scipy.special")


def test_public_names_still_resolve_after_importing_submodules():
    loaded = loaded_packages(
        "import fleetcalc, fleetcalc.evaluate, fleetcalc.io\n"
        "assert callable(fleetcalc.evaluate), fleetcalc.evaluate\n"
        "assert fleetcalc.load_tender is fleetcalc.io.read_tender\n"
        "assert isinstance(fleetcalc.__version__, str)\n"
        "assert set(fleetcalc.__all__) <= set(dir(fleetcalc))")
    assert "fleetcalc" in loaded


def test_light_normal_cdf_matches_scipy():
    import numpy as np
    from scipy import stats

    from fleetcalc import _normal

    x = np.array([-np.inf, -40.0, -8.0, -1.5, 0.0, 0.3, 2.0, 9.0, np.inf])
    np.testing.assert_allclose(_normal.norm.cdf(x, 0.5, 2.0), stats.norm.cdf(x, 0.5, 2.0),
                               rtol=1e-13, atol=0)  # measured 4.6e-14 at z = -20
    assert _normal.norm.cdf(1.0, 1.0, 3.0) == 0.5
