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
    for key, type_, _unit, default, doc, example in field_rows(cls):
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


# --- the tender-file reference page ---------------------------------------------------

PAGE = ROOT / "docs" / "tender-file.md"


def _page_tables(text):
    """``{table heading: [[cell text, ...] per row]}`` of a Markdown page, as the site's
    Markdown engine (Python-Markdown with the site's table and attr_list extensions)
    renders it."""
    from html.parser import HTMLParser

    import markdown

    html = markdown.markdown(text, extensions=["tables", "attr_list"])

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tables, self.heading, self.row, self.cell, self.where = {}, None, None, None, None

        def handle_starttag(self, tag, attrs_):
            if tag == "h3":
                self.where, self.heading = "h3", ""
            elif tag == "tr":
                self.row = []
            elif tag == "td":
                self.cell = ""
                if attrs_:  # attributes on a cell: attr_list took text for attributes
                    self.cell = f"<attributes {attrs_}>"

        def handle_endtag(self, tag):
            if tag == "h3":
                self.where = None
                self.tables[self.heading] = []
            elif tag == "td":
                self.row.append(self.cell)
                self.cell = None
            elif tag == "tr" and self.row:
                self.tables.setdefault(self.heading, []).append(self.row)

        def handle_data(self, data):
            if self.where == "h3":
                self.heading += data
            elif self.cell is not None:
                self.cell += data

    parser = Cells()
    parser.feed(html)
    return parser.tables


def test_committed_reference_is_what_the_code_generates():
    """docs/tender-file.md holds the generated tables (readable on GitHub); regenerate
    with ``python -m fleetcalc.reference docs/tender-file.md`` when this fails."""
    from fleetcalc.reference import BEGIN, END, update_page

    text = PAGE.read_text(encoding="utf-8")
    assert BEGIN in text and END in text
    assert "```python exec" not in text  # no generator code in place of the tables
    assert update_page(text) == text, "docs/tender-file.md is out of date"


def test_reference_type_names():
    from fleetcalc.reference import MONEY_TYPE

    types = {(table, row[0]): row[1] for table, cls in TABLES for row in field_rows(cls)}
    assert types[("[tender.demand]", "units_in_service")] == "integer or array of integers"
    assert types[("[bids.financing]", "reference_rate")] == "number or array of numbers"
    assert types[("[tender.price_adjustment]", "labour")] == "array of numbers"
    assert types[("[tender.price_adjustment]", "materials")] == "array of numbers"
    assert types[("[correlation]", "inputs")] == "array of strings"
    assert types[("[correlation]", "matrix")] == "array of arrays of numbers"
    assert types[("[[bids]]", "delivery")] == "array of integers"
    assert types[("[[bids]]", "payments")] == "array of tables"
    assert types[("[[bids]]", "unit_price")] == MONEY_TYPE == (
        "money: number or {amount, currency}")
    assert not [k for k, t in types.items() if "|" in t or "Ellipsis" in t or "tuple" in t]


def test_every_key_renders_in_its_own_row():
    """Rendered as the site renders it: every key of every table in its row, six cells,
    the type complete (no ``|`` splitting a row, no ``{...}`` taken as attributes)."""
    tables = _page_tables(PAGE.read_text(encoding="utf-8"))
    for table, cls in TABLES:
        rows = tables[table]
        expected = field_rows(cls)
        assert len(rows) == len(expected), table
        for cells, (key, type_, _unit, _default, doc, example) in zip(rows, expected):
            assert len(cells) == 6, (table, key, cells)
            assert cells[0] == key and cells[1] == type_, (table, cells)
            assert cells[4] == " ".join(doc.replace("`", "").split()), (table, key)
            assert cells[5] == example, (table, key)


def test_cells_with_markdown_characters_are_escaped():
    from fleetcalc.reference import tender_file_reference

    @attrs.frozen
    class Awkward:
        """A | table {with} *stars*."""

        pipe: int | tuple = attrs.field(metadata={"doc": "a | b {x} *y* <b>z</b>",
                                                  "example": "p|q", "unit": "-"})

    import fleetcalc.reference as reference

    saved = reference.TABLES
    reference.TABLES = (("[awkward]", Awkward),)
    try:
        text = tender_file_reference()
    finally:
        reference.TABLES = saved
    (row,) = _page_tables(text)["[awkward]"]
    assert row == ["pipe", "integer or array of integers", "[-]", "required",
                   "a | b {x} *y* <b>z</b>", '"p|q"']


def test_the_docs_build_flags_a_stale_reference(caplog):
    """The build hook warns (so the strict build fails) when the committed tables differ
    from the code's."""
    spec = importlib.util.spec_from_file_location(
        "tender_reference", ROOT / "docs" / "hooks" / "tender_reference.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)

    class Page:
        class file:
            src_uri = "tender-file.md"

    text = PAGE.read_text(encoding="utf-8")
    with caplog.at_level("WARNING"):
        assert hook.on_page_markdown(text, Page) == text
    assert not caplog.records
    stale = text.replace("| `discount_rate` | number |", "| `discount_rate` | string |")
    assert stale != text
    with caplog.at_level("WARNING"):
        hook.on_page_markdown(stale, Page)
    assert "out of date" in caplog.text


def test_reference_shows_documented_ranges():
    """A range recorded in the spec metadata ends the meaning, as code that keeps its
    ``<`` and ``>`` (neither escaped into an entity nor read as a tag)."""
    import fleetcalc.reference as reference

    @attrs.frozen
    class Ranged:
        """Ranged."""

        share: float = attrs.field(metadata={"doc": "A share < 1.", "example": 0.5,
                                             "unit": "-", "range": ">= 0 and <= 1"})

    saved = reference.TABLES
    reference.TABLES = (("[ranged]", Ranged),)
    try:
        text = reference.tender_file_reference()
    finally:
        reference.TABLES = saved
    (row,) = _page_tables(text)["[ranged]"]
    assert row[4] == "A share < 1. Range: >= 0 and <= 1." and len(row) == 6
