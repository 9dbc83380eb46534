"""Shared helpers of the report tests: example results, fakes of the optional
result attributes (fleet, availability, adjustments, financing, simulation),
and access to the external programs (Chromium, LibreOffice) the tests drive."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import fleetcalc

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "pakistan_locomotives_2026.toml"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
INJECTION = '=HYPERLINK("http://x","y")'
#: Optional attributes of a result that add report sections.
OPTIONAL = ("fleet", "fleet_years", "adjustments", "financing", "simulation")


#: A tender with two bids and nothing optional: no fleet, no demand, no financing.
MINIMAL_TOML = """
[tender]
name = "Minimal tender"
base_currency = "USD"
evaluation_year = 2026
horizon_years = 20
discount_rate = 0.06
annual_km = 80000

[tender.prices]
diesel_per_litre = 1.0

[[bids]]
bidder = "Alpha Rail"
model = "A1"
currency = "USD"
unit_price = 3000000
quantity = 10
delivery = [5, 5]
fuel_litres_per_km = 4.5
maintenance_per_km = 1.0
service_life_years = 30

[[bids]]
bidder = "Beta Loco"
model = "B2"
currency = "USD"
unit_price = 2800000
quantity = 10
delivery = [10]
fuel_litres_per_km = 4.8
maintenance_per_km = 1.1
service_life_years = 25
"""


def minimal_result():
    """The evaluation of :data:`MINIMAL_TOML` (no fleet, no demand, no financing)."""
    from fleetcalc.io.tender_file import parse_tender

    return fleetcalc.evaluate(parse_tender(MINIMAL_TOML, source="minimal.toml"))


def example_result():
    """The evaluation of the Pakistan example tender."""
    return fleetcalc.evaluate(fleetcalc.load_tender(EXAMPLE))


def injected_result():
    """The example with a bidder, a model and notes that look like formulas."""
    import attrs

    tender = fleetcalc.load_tender(EXAMPLE)
    bids = list(tender.bids)
    bids[0] = attrs.evolve(bids[0], bidder=INJECTION, model="+cmd|' /C calc'!A0",
                           notes="@SUM(1+1)*cmd|' /C calc'!A0")
    bids[1] = attrs.evolve(bids[1], bidder="-2+3", model="\tTabbed model")
    # the example's [[uncertainty]] names bidders, so it goes with the renamed bids
    return fleetcalc.evaluate(attrs.evolve(tender, bids=tuple(bids), uncertainty=(),
                                           correlation=None))


#: Tender text that a spreadsheet would run as a formula, one per trigger character; each
#: holds "INJ" so that a test can find every cell that came from it.
INJECTIONS = ('=HYPERLINK("http://x","INJ")', "+INJ cmd|' /C calc'!A0", "-INJ+3",
              "@SUM(INJ)", "\tINJ tabbed", "\rINJ carriage return", "=1+1 INJ")


def injected_everywhere_result():
    """The example with formula-like text in every text key of the tender that reaches a
    sheet: tender name, bidders, models, notes, platforms, lenders, priced adjustments,
    cohort names and models; with a (fake) simulation so that every sheet exists."""
    import attrs

    text = iter(INJECTIONS * 20)
    tender = fleetcalc.load_tender(EXAMPLE)
    bids = []
    for i, bid in enumerate(tender.bids):
        changes = {"bidder": f"{next(text)} {i}", "model": next(text), "notes": next(text),
                   "platform": next(text)}
        if bid.financing is not None:
            changes["financing"] = attrs.evolve(bid.financing, lender=next(text))
        if bid.evaluation.priced_adjustments:
            changes["evaluation"] = attrs.evolve(bid.evaluation, priced_adjustments=tuple(
                attrs.evolve(p, name=next(text), basis=next(text))
                for p in bid.evaluation.priced_adjustments))
        bids.append(attrs.evolve(bid, **changes))
    fleet = tuple(attrs.evolve(c, name=f"{next(text)} {i}", model=next(text))
                  for i, c in enumerate(tender.fleet))
    tender = attrs.evolve(tender, tender=attrs.evolve(tender.tender, name=next(text)),
                          bids=tuple(bids), fleet=fleet, uncertainty=(), correlation=None)
    result = fleetcalc.evaluate(tender)
    return ExtendedResult(result, simulation=fake_extras(result)["simulation"])


class ExtendedResult:
    """An evaluation result with extra (future) attributes.

    Reads every attribute it does not hold from the wrapped result, so the
    report code sees one object with, e.g., ``fleet`` and ``simulation``.
    """

    def __init__(self, result, **extra):
        self._result = result
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self._result, name)


def fake_extras(result, *, seed=1):
    """Small, plausible optional tables for ``result``'s bids.

    Returns
    -------
    dict
        ``fleet, fleet_years, adjustments, financing, simulation`` and a
        ``ranking`` with ``availability``/``p_meet_demand`` columns and the
        adjustments added to the evaluated cost.
    """
    rng = np.random.default_rng(seed)
    settings = result.tender.tender
    bidders = [bid.bidder for bid in result.tender.bids]
    # Years k = 1..H as the fleet engine numbers them; year k is calendar year t0 + k - 1.
    years = np.arange(1, settings.horizon_years + 1)
    fleet_rows, year_rows, loan_rows = [], [], []
    for i, bid in enumerate(result.tender.bids):
        availability = 0.90 - 0.02 * i
        batches = [(k + 1, n) for k, n in enumerate(bid.delivery) if n]
        for cohort, (first_year, n) in enumerate(batches):
            for k in years[years >= first_year]:
                name = "=cohort!A1" if (i == 0 and cohort == 0) else f"Batch {cohort + 1}"
                fleet_rows.append({"bidder": bid.bidder, "year": int(k),
                                   "calendar_year": settings.evaluation_year + int(k) - 1,
                                   "cohort": name, "units": n, "mean_age": float(k - first_year),
                                   "availability": availability,
                                   "available_units": n * availability})
        for k in years:
            units = float(sum(bid.delivery[:k]))
            available = units * availability
            demand = 40.0 if k >= 3 else 0.0
            year_rows.append({"bidder": bid.bidder, "year": int(k),
                              "calendar_year": settings.evaluation_year + int(k) - 1,
                              "demand": demand, "units": units,
                              "available_units": available,
                              "p_meet_demand": float(np.clip(available / 45.0, 0, 1))
                              if demand else 1.0,
                              "shortfall_unit_days": max(demand - available, 0.0) * 365})
        balance = 50e6 * (i + 1)
        for t in range(1, 11):
            interest = balance * 0.05
            principal = 5e6 * (i + 1)
            loan_rows.append({"bidder": bid.bidder, "year": t,
                              "drawdown": 50e6 * (i + 1) if t == 1 else 0.0,
                              "interest": interest, "principal": principal,
                              "fees": 1e5 if t == 1 else 0.0,
                              "debt_service": interest + principal,
                              "balance": balance - principal})
            balance -= principal
    ranked = list(result.ranking.index[result.ranking["rank"].notna()])
    adjustments = pd.DataFrame({
        "bidder": [ranked[-1], ranked[0]],
        "name": ["Late delivery penalty", "=Local content credit"],
        "amount": [2.5e6, -1.0e6],
        "basis": ["Delivery 6 months later than required (tender clause 7.2)",
                  "15 % local assembly (tender clause 9.1)"],
    })
    # Evaluated cost = LCC NPV + these adjustments (replacing any the engine made).
    ranking = result.ranking.copy()
    ranking["evaluated_cost"] = ranking["lcc_npv"]
    for bidder, amount in zip(adjustments["bidder"], adjustments["amount"]):
        ranking.loc[bidder, "evaluated_cost"] += amount
    ranking["availability"] = [0.90 - 0.02 * bidders.index(b) for b in ranking.index]
    ranking["p_meet_demand"] = [0.97 - 0.1 * bidders.index(b) for b in ranking.index]
    base = result.pv_by_category.sum(axis=1).reindex(bidders).to_numpy()
    draws = base * rng.lognormal(0.0, 0.05, size=(400, len(bidders)))
    firsts = np.bincount(draws.argmin(axis=1), minlength=len(bidders)) / len(draws)
    summary = pd.DataFrame({
        "bidder": bidders, "mean": draws.mean(axis=0), "std": draws.std(axis=0),
        "p10": np.percentile(draws, 10, axis=0), "p50": np.percentile(draws, 50, axis=0),
        "p90": np.percentile(draws, 90, axis=0), "p_rank_first": firsts,
        "availability_mean": [0.90 - 0.02 * i for i in range(len(bidders))],
    })
    inputs = ["Diesel price", "Discount rate", "Annual km per locomotive",
              "Maintenance cost per km", "Exchange rate CNY", "Overhaul cost"]
    tornado_rows = []
    for bidder in bidders:
        cost = float(result.ranking.loc[bidder, "evaluated_cost"])
        for k, name in enumerate(inputs):
            swing = cost * 0.12 / (k + 1)
            low, high = cost - swing * 0.45, cost + swing * 0.55
            tornado_rows.append({"input": name, "bidder": bidder, "low": low, "high": high,
                                 "swing": high - low})
    simulation = SimpleNamespace(summary=summary, draws_evaluated_cost=draws,
                                 tornado=pd.DataFrame(tornado_rows))
    return {"fleet": pd.DataFrame(fleet_rows), "fleet_years": pd.DataFrame(year_rows),
            "adjustments": adjustments, "financing": pd.DataFrame(loan_rows),
            "simulation": simulation, "ranking": ranking}


def bare_result(result=None):
    """``result`` (default: the example's) without any optional attribute.

    With no adjustments, the evaluated cost is the LCC NPV.
    """
    result = result if result is not None else example_result()
    ranking = result.ranking.assign(evaluated_cost=result.ranking["lcc_npv"])
    return ExtendedResult(result, ranking=ranking, **dict.fromkeys(OPTIONAL, None))


def overflowed_result(result=None, *, bidders=None):
    """``result`` (default: the example's) where the costs of ``bidders`` (default: the
    last-ranked bid) overflowed to +inf, and that bid is nevertheless ranked first, as a
    broken ranking could do: the report must not believe it."""
    result = result if result is not None else example_result()
    ranking = result.ranking.copy()
    bidders = bidders or [ranking.index[ranking["rank"].notna()][-1]]
    by_category = result.pv_by_category.copy()
    for bidder in bidders:
        for column in ("evaluated_cost", "lcc_npv", "pv_energy", "equivalent_annual_cost",
                       "cost_per_km"):
            ranking.loc[bidder, column] = np.inf
        by_category.loc[bidder, "energy"] = np.inf
        ranking.loc[bidder, "rank"] = 1
    ranking = pd.concat([ranking.loc[bidders], ranking.drop(index=bidders)])
    return ExtendedResult(result, ranking=ranking, pv_by_category=by_category)


def rank_or_none(value):
    """A rank as an int, or None for an unranked bid (any missing-value marker)."""
    return None if value is None or pd.isna(value) or value in ("", "not ranked") else int(value)


def extended_result(result=None):
    """``result`` (default: the example's) with every optional attribute faked."""
    result = result if result is not None else example_result()
    return ExtendedResult(result, **fake_extras(result))


# --- external programs ----------------------------------------------------------------


def require_program(*names):
    """Path of the first program found; fail under CI, skip elsewhere, if none is."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    message = f"none of {', '.join(names)} is installed"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must install it (see .ci/run)")
    pytest.skip(message)
    return None  # pragma: no cover


def _lo_profile(directory):
    """A fresh LibreOffice profile that recalculates every formula on load.

    ``OOXMLRecalcMode = 0`` ("always recalculate") makes LibreOffice compute
    every formula of an .xlsx when it opens it, whatever the cached values;
    the default ("never") would keep stale cached values.
    """
    user = Path(directory) / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
        '</oor:items>\n', encoding="utf-8")
    return Path(directory).resolve().as_uri()


def recalculate_with_libreoffice(path, workdir):
    """Open ``path`` in headless LibreOffice, recalculate, save as .xlsx.

    Returns
    -------
    pathlib.Path
        The recalculated copy (read it with ``openpyxl``, ``data_only=True``).
    """
    soffice = require_program("soffice", "libreoffice")
    workdir = Path(workdir)
    profile = _lo_profile(workdir / "lo-profile")
    out = workdir / "recalculated"
    out.mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--nologo", "--nodefault", "--convert-to", "xlsx", "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=180, check=False)
    target = out / Path(path).name
    assert completed.returncode == 0 and target.exists(), (
        f"LibreOffice failed: {completed.returncode}\n{completed.stdout}\n{completed.stderr}")
    return target


class Chromium:
    """Headless Chromium driven over the Chrome DevTools Protocol.

    Records console messages, exceptions and every network request of the
    page. Use as a context manager.
    """

    def __init__(self, workdir):
        self.binary = require_program("chromium", "chromium-browser", "google-chrome")
        try:
            import websockets.sync.client  # noqa: F401
        except ImportError:
            if os.environ.get("CI"):
                raise
            pytest.skip("the websockets package (test extra) is not installed")
        self.workdir = Path(workdir)
        self.events = []
        self._id = 0

    def __enter__(self):
        from websockets.sync.client import connect

        profile = self.workdir / "chromium-profile"
        profile.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [self.binary, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--hide-scrollbars", "--remote-debugging-port=0", "--remote-allow-origins=*",
             f"--user-data-dir={profile}", "--window-size=1280,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Chromium did not start: "
                                   + self.process.stderr.read().decode(errors="replace"))
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as reply:
            pages = [t for t in json.load(reply) if t["type"] == "page"]
        self._stack = contextlib.ExitStack()
        self.socket = self._stack.enter_context(
            connect(pages[0]["webSocketDebuggerUrl"], max_size=2**28, open_timeout=30))
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        return self

    def __exit__(self, *exc):
        try:
            self._stack.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)

    def send(self, method, timeout=60, **params):
        """Send a CDP command and return its result (events are recorded)."""
        self._id += 1
        self.socket.send(json.dumps({"id": self._id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.socket.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            if message.get("id") == self._id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method, timeout=60):
        """Wait for an event (returns it)."""
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = json.loads(self.socket.recv(timeout=max(deadline - time.monotonic(),
                                                                  0.1)))
            except TimeoutError:
                break
            self.events.append(message)
            if message.get("method") == method:
                return message
        raise TimeoutError(f"no {method} within {timeout} s")

    def load(self, path):
        """Navigate to a local file and wait for its load event."""
        self.send("Page.navigate", url=Path(path).resolve().as_uri())
        self.wait_for("Page.loadEventFired")
        self.send("Runtime.evaluate", expression="1")  # flush events queued before load
        time.sleep(0.3)
        self.send("Runtime.evaluate", expression="1")

    def load_url(self, url):
        """Navigate to a URL (e.g. a local server's page) and wait for its load event."""
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")
        self.send("Runtime.evaluate", expression="1")
        time.sleep(0.5)  # the theme's scripts (e.g. wrapping tables) run after load
        self.send("Runtime.evaluate", expression="1")

    def evaluate(self, expression):
        """Value of a JavaScript expression (JSON-serialisable)."""
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(reply["exceptionDetails"])
        return reply["result"].get("value")

    def screenshot(self, *, full_page=True, width=1280):
        """PNG bytes of the page."""
        import base64

        height = 900
        if full_page:
            height = int(self.evaluate("document.documentElement.scrollHeight"))
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        data = self.send("Page.captureScreenshot", format="png")["data"]
        return base64.b64decode(data)

    def console_problems(self):
        """Console messages, log entries and uncaught exceptions of the page."""
        problems = []
        for event in self.events:
            method = event.get("method")
            params = event.get("params", {})
            if method == "Runtime.consoleAPICalled":
                problems.append(f"console.{params.get('type')}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                problems.append(f"exception: {params.get('exceptionDetails')}")
            elif method == "Log.entryAdded":
                entry = params.get("entry", {})
                problems.append(f"log {entry.get('level')}: {entry.get('text')}")
        return problems

    def requests(self):
        """URLs of every network request the page made."""
        return [event["params"]["request"]["url"] for event in self.events
                if event.get("method") == "Network.requestWillBeSent"]


def png_pixels(data):
    """Decode PNG bytes to an ``(h, w, channels)`` uint8 array (via matplotlib)."""
    import io

    import matplotlib.image

    pixels = matplotlib.image.imread(io.BytesIO(data), format="png")
    return (np.asarray(pixels) * (255 if pixels.dtype.kind == "f" else 1)).astype(np.uint8)


def assert_varied_png(data, *, min_bytes=2000, min_colours=16):
    """A valid PNG with content: signature, size, more than one colour."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert len(data) >= min_bytes, f"PNG of only {len(data)} bytes"
    pixels = png_pixels(data)
    flat = pixels.reshape(-1, pixels.shape[-1])
    colours = np.unique(flat, axis=0)
    assert len(colours) >= min_colours, f"only {len(colours)} colours: blank image"
    background = np.all(flat == flat[0], axis=1).mean()
    assert background < 0.995, "the image is (almost) one colour"
