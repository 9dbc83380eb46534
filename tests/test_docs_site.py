"""The built documentation site, as a reader's browser shows it.

Builds the site into a temporary directory, serves it on 127.0.0.1 and opens
the tutorial and the methodology pages in headless Chromium (Debian package
``chromium``). Each page must have its formulas rendered by the vendored KaTeX
(every ``.arithmatex`` element holds a ``.katex`` element, no
``.katex-error``) and log nothing on the console: no uncaught error, no
resource that failed to load (the site must work offline), no formula KaTeX
could not parse.

Without Chromium the tests are skipped on a developer's machine and fail on
CI (environment variable ``CI`` set), so that CI cannot pass without them.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Pages checked for formulas and console messages (site paths).
MATH_PAGES = (
    "tutorial/",
    "methodology/",
    "methodology/availability/",
    "methodology/fleet/",
    "methodology/financing/",
    "methodology/evaluation-rules/",
    "methodology/procurement/",
    "how-to/break-even-fuel-price/",
)

#: Pages checked for console messages only.
OTHER_PAGES = ("", "getting-started/", "how-to/financing/", "conventions/", "api/",
               "tender-file/")

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


def _chromium():
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    message = ("headless Chromium is needed to check the documentation site "
               "(apt-get install chromium)")
    if os.environ.get("CI"):
        pytest.fail(message + "; it is missing on CI")
    pytest.skip(message)


@pytest.fixture(scope="module")
def chromium():
    return _chromium()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built in strict mode and served on 127.0.0.1; yields its base URL."""
    _chromium()  # fail or skip before the build
    directory = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(directory)],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr[-3000:]

    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def _open(chromium, url):
    """Load ``url`` in headless Chromium; return (DOM after scripts, console lines)."""
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", "--disable-extensions",
             f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
             "--virtual-time-budget=5000", "--dump-dom", url],
            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line]
    return result.stdout, console


class _MathCounter(HTMLParser):
    """Counts ``.arithmatex`` elements, and those with a ``.katex`` element inside."""

    def __init__(self):
        super().__init__()
        self.stack = []  # for each open element: is it an .arithmatex?
        self.open_math = []  # for each open .arithmatex: has KaTeX output been seen?
        self.math = self.rendered = self.errors = 0

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if "katex-error" in classes:
            self.errors += 1
        if "katex" in classes and self.open_math:
            self.open_math[-1] = True
        if tag in VOID:
            return
        is_math = "arithmatex" in classes
        self.stack.append(is_math)
        if is_math:
            self.math += 1
            self.open_math.append(False)

    def handle_endtag(self, tag):
        if tag in VOID or not self.stack:
            return
        if self.stack.pop():
            self.rendered += self.open_math.pop()


def _stray_tex(dom):
    """TeX delimiters left as text in the page body, outside code, i.e. maths that
    arithmatex did not recognise (e.g. a formula badly indented in a list)."""
    body = dom.split("<body", 1)[-1]
    for tag in ("pre", "code", "script", "style", "annotation"):
        body = re.sub(rf"<{tag}\b.*?</{tag}>", "", body, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", body)
    return re.findall(r".{0,40}(?:\$\$|\\\(|\\\[|\\frac|\\mathrm).{0,40}", text)


def _math(dom):
    counter = _MathCounter()
    counter.feed(dom)
    counter.close()
    return counter


def test_math_counter_sees_unrendered_formulas():
    raw = _math('<p><span class="arithmatex">\\(x\\)</span></p>')
    done = _math('<p><span class="arithmatex"><span class="katex"><br>x</span></span></p>')
    assert (raw.math, raw.rendered) == (1, 0)
    assert (done.math, done.rendered, done.errors) == (1, 1, 0)
    assert _stray_tex("<body><p>$$ x = \\frac{1}{2} $$</p></body>")
    assert not _stray_tex("<body><pre><code>$$ x $$</code></pre><p>5 USD</p></body>")


@pytest.mark.parametrize("page", MATH_PAGES)
def test_formulas_render_offline_without_console_messages(chromium, site, page):
    dom, console = _open(chromium, site + page)
    counter = _math(dom)
    assert counter.math > 0, f"{page}: no formula found (is arithmatex still configured?)"
    assert counter.rendered == counter.math, (
        f"{page}: {counter.math - counter.rendered} of {counter.math} formulas not "
        "rendered by KaTeX")
    assert counter.errors == 0, f"{page}: {counter.errors} KaTeX errors"
    stray = _stray_tex(dom)
    assert not stray, f"{page}: formulas left as TeX source: {stray[:3]}"
    assert not console, f"{page}: console messages:\n" + "\n".join(console)


@pytest.mark.parametrize("page", OTHER_PAGES)
def test_pages_load_without_console_messages(chromium, site, page):
    dom, console = _open(chromium, site + page)
    assert re.search(r'<article[^>]*class="[^"]*md-content__inner', dom), page
    assert not console, f"{page or 'home'}: console messages:\n" + "\n".join(console)


#: For each "### `[table]`" heading of the tender-file reference: the heading text, the
#: number of header cells, and per body row its cells' text and how many lines its key
#: (the first cell's code) takes.
_REFERENCE_SCRIPT = """
[...document.querySelectorAll('article h3')].map(h => {
  let el = h.nextElementSibling, table = null;
  while (el && el.tagName !== 'H3' && !table) {
    table = el.tagName === 'TABLE' ? el : el.querySelector('table');
    el = el.nextElementSibling;
  }
  return {heading: h.textContent.replace('\u00b6', '').trim(),
          header: table ? table.tHead.rows[0].cells.length : 0,
          rows: table ? [...table.tBodies[0].rows].map(r => ({
            cells: [...r.cells].map(c => c.textContent.trim()),
            keyLines: r.cells[0].querySelector('code')
                      ? r.cells[0].querySelector('code').getClientRects().length : 0})) : []};
})
"""


def test_tender_file_reference_renders_every_key(site, tmp_path):
    """The built reference page in a browser: one table per table of the tender file,
    each key of the spec in its own row with six cells, the right type (money types
    complete), and key names on one line (never broken inside a word)."""
    from fleetcalc.reference import TABLES, field_rows

    from .report_helpers import Chromium

    with Chromium(tmp_path) as browser:
        browser.load_url(site + "tender-file/")
        sections = {s["heading"]: s for s in browser.evaluate(_REFERENCE_SCRIPT)}
        problems = browser.console_problems()
    assert not problems, problems
    for table, cls in TABLES:
        section = sections[table]
        expected = field_rows(cls)
        assert section["header"] == len(expected[0]), table
        assert [r["cells"][0] for r in section["rows"]] == [row[0] for row in expected], table
        for shown, (key, type_, *_) in zip(section["rows"], expected):
            assert len(shown["cells"]) == section["header"], (table, key, shown["cells"])
            assert shown["cells"][1] == type_, (table, key, shown["cells"][1])
            if type_.startswith("money"):
                assert shown["cells"][1] == "money: number or {amount, currency}"
            assert shown["keyLines"] == 1, f"{table} {key} wraps over {shown['keyLines']} lines"
