"""MkDocs hook: the API reference lists every public module of fleetcalc.

``docs/api.md`` holds the marker ``<!-- api-modules -->``; this hook replaces it
with one ``::: module`` block (mkdocstrings) per public module, grouped by the
layers of docs/architecture.md. Modules are found on disk, without importing
them, so a module added to ``fleetcalc/`` appears in the reference (under
"Other modules" until it is given a layer below) and is checked by the strict
build. A private module (a name starting with ``_``) is not listed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

MARKER = "<!-- api-modules -->"

#: Layers of the package, in reading order: (title, introduction, modules).
LAYERS = (
    ("Loading and evaluating",
     "The entry points: read a tender file, evaluate it, read the result.",
     ("fleetcalc.io.tender_file", "fleetcalc.evaluate", "fleetcalc.result")),
    ("Value objects",
     "Frozen attrs classes with validated fields, and the problem collector.",
     ("fleetcalc.tender", "fleetcalc.money", "fleetcalc.uncertainty", "fleetcalc.validation",
      "fleetcalc.exceptions", "fleetcalc.tender_checks")),
    ("Calculation functions",
     "Pure, vectorised numpy functions: no files, no printing, no tender objects.",
     ("fleetcalc.finance", "fleetcalc.schedules", "fleetcalc.lifecycle",
      "fleetcalc.availability", "fleetcalc.ageing", "fleetcalc.fleet_distribution",
      "fleetcalc.fleet", "fleetcalc.loans", "fleetcalc.currency", "fleetcalc.emissions",
      "fleetcalc.evaluation_rules", "fleetcalc.sampling")),
    ("Orchestration",
     "From a tender to arrays, cash flows, adjustments and results.",
     ("fleetcalc.financing", "fleetcalc.adjustments", "fleetcalc.evaluation_table",
      "fleetcalc.simulation", "fleetcalc.sensitivity")),
    ("Edges",
     "Files, the command line and outputs for people.",
     ("fleetcalc.cli", "fleetcalc.cli.parser", "fleetcalc.cli.common", "fleetcalc.cli.compare",
      "fleetcalc.cli.validate", "fleetcalc.cli.simulate", "fleetcalc.cli.sensitivity",
      "fleetcalc.cli.report", "fleetcalc.cli.completion", "fleetcalc.reports.output",
      "fleetcalc.reports.table", "fleetcalc.reports.report",
      "fleetcalc.reports.html", "fleetcalc.reports.excel", "fleetcalc.reports.charts",
      "fleetcalc.reports.formatting", "fleetcalc.reports.evaluation_table",
      "fleetcalc.reports.perspectives", "fleetcalc.reports.plan_section",
      "fleetcalc.reports.plan_chart", "fleetcalc.reports.workbook_sheets",
      "fleetcalc.reference")),
)


def public_modules():
    """Dotted names of fleetcalc's public modules (not packages), from the files."""
    spec = importlib.util.find_spec("fleetcalc")
    root = Path(next(iter(spec.submodule_search_locations)))
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if path.name == "__init__.py" or any(p.startswith("_") for p in parts):
            continue
        if "__pycache__" in parts or any(p.startswith(".") for p in parts):
            continue
        names.append(".".join(("fleetcalc", *parts)))
    return names


def api_markdown(modules=None):
    """The Markdown of the module sections (a ``:::`` block per module)."""
    modules = public_modules() if modules is None else list(modules)
    present = set(modules)
    listed = {name for _, _, names in LAYERS for name in names}
    layers = [*LAYERS, ("Other modules", "Public modules not yet placed in a layer.",
                        tuple(m for m in modules if m not in listed))]
    out = []
    for title, intro, names in layers:
        names = [n for n in names if n in present]
        if not names:
            continue
        out += [f"## {title}", "", intro, ""]
        out += [f"::: {name}\n    options:\n      heading_level: 3\n" for name in names]
    return "\n".join(out)


def on_page_markdown(markdown, page, **kwargs):
    if page.file.src_uri == "api.md" and MARKER in markdown:
        return markdown.replace(MARKER, api_markdown())
    return markdown
