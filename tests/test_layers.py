"""The import-linter contracts of ``pyproject.toml`` hold (layers, no cycles).

``lint-imports`` is in the ``lint`` extra; without it the check is skipped here and
``.ci/run`` still runs it.
"""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports():
    """The ``lint-imports`` next to this interpreter, or on the PATH."""
    beside = Path(sys.executable).with_name("lint-imports")
    return str(beside) if beside.exists() else shutil.which("lint-imports")


def test_the_layers_are_the_four_floors_of_the_architecture():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}
    layers = [[t.strip().strip("()") for t in layer.split(":")]
              for layer in contracts["layers"]["layers"]]
    assert layers[0] == ["cli"]
    assert "result" in layers[2] and "evaluate" in layers[2]
    assert "uncertainty" in layers[3] and "money" in layers[3]
    assert "finance" in layers[4] and "evaluation_rules" in layers[4]
    assert contracts["acyclic"]["type"] == "acyclic_siblings"


@pytest.mark.skipif(_lint_imports() is None, reason="import-linter is not installed")
def test_lint_imports_keeps_every_contract():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    done = subprocess.run([_lint_imports(), "--no-cache"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout
