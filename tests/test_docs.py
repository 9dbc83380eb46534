"""The documentation: strict build, generated reference, README commands."""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

from fleetcalc.reference import TABLES, field_rows, tender_file_reference

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("table", "cls"), TABLES)
def test_every_tender_key_is_documented(table, cls):
    for key, type_, unit, default, doc, example in field_rows(cls):
        assert doc.strip(), f"{table}.{key} has no documentation"
        assert example, f"{table}.{key} has no example"
        assert type_ and default


def test_every_table_of_the_tender_classes_is_in_the_reference():
    from fleetcalc.tender import Tender

    seen, todo = set(), [Tender]
    while todo:
        cls = todo.pop()
        seen.add(cls)
        for field in attrs.fields(cls):
            args = getattr(field.type, "__args__", ())
            for candidate in (field.type, *args, *(a for x in args
                                                   for a in getattr(x, "__args__", ()))):
                if isinstance(candidate, type) and attrs.has(candidate) and candidate not in seen:
                    todo.append(candidate)
    from fleetcalc.money import Money

    documented = {cls for _, cls in TABLES} | {Tender, Money}
    assert seen <= documented, f"tables missing from the reference: {seen - documented}"
    assert "`discount_rate`" in tender_file_reference()


def test_ci_runs_the_readme_test_command_verbatim():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"```sh\n(python3 -m venv .+?)\n```", readme)
    assert len(commands) == 2, "README shows exactly two set-up commands"
    assert commands[1] in (ROOT / ".ci" / "run").read_text()
    assert "fleetcalc compare examples/pakistan_locomotives_2026.toml" in commands[0]


def test_docs_build_in_strict_mode(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    page = (tmp_path / "getting-started" / "index.html").read_text()
    assert "Progress Rail" in page  # the executed example ran at build time
    api = (tmp_path / "api" / "index.html").read_text()
    assert ":math:" not in api and ".. math::" not in api  # docstring math became KaTeX
    assert api.count('class="arithmatex"') > 50


def test_docstring_math_is_converted_for_the_site():
    spec = importlib.util.spec_from_file_location("griffe_rst",
                                                  ROOT / "docs" / "hooks" / "griffe_rst.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    text = ("Notes\n-----\n.. math:: PV = C (1 + r)^{-t}\n\nAnd :math:`r` with "
            ":func:`~fleetcalc.finance.npv`.\n\n    .. math::\n        a = b\n\n        c = d\n")
    out = hook.rst_to_markdown(text)
    assert "$$\nPV = C (1 + r)^{-t}\n$$" in out
    assert "$r$" in out and "`fleetcalc.finance.npv`" in out
    assert "    $$\n    a = b\n\n    c = d\n    $$" in out
