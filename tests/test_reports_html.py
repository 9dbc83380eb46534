"""The HTML report: self-contained, escaped, and right in a real browser.

The browser tests drive headless Chromium over the DevTools protocol
(``report_helpers.Chromium``); they fail under CI when Chromium is missing
and are skipped elsewhere.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import re
from html.parser import HTMLParser

import attrs
import pytest

import fleetcalc
from fleetcalc.cli.parser import add_report_parser
from fleetcalc.cli.report import run_report
from fleetcalc.reports.html import render_html, write_html
from fleetcalc.reports.report import write_report

from .report_helpers import (
    EXAMPLE,
    Chromium,
    assert_varied_png,
    bare_result,
    extended_result,
    minimal_result,
    overflowed_result,
    rank_or_none,
)

SECTIONS = ["summary", "ranking", "categories", "assumptions", "methodology"]
OPTIONAL_SECTIONS = ["adjustments", "financing", "fleet", "uncertainty"]


class _Collector(HTMLParser):
    """Tags, ids, and ``data-value`` of ranking cells by (bidder, class)."""

    def __init__(self):
        super().__init__()
        self.tags, self.ids, self.values, self.urls = [], set(), {}, []
        self._bidder = None

    def handle_starttag(self, tag, attrs_):
        attributes = dict(attrs_)
        self.tags.append(tag)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        for name in ("src", "href"):
            if name in attributes:
                self.urls.append(attributes[name])
        if tag == "tr" and "bid" in (attributes.get("class") or "").split():
            self._bidder = attributes["data-bidder"]
        if tag == "td" and self._bidder is not None and "data-value" in attributes:
            for cls in (attributes.get("class") or "").split():
                self.values[(self._bidder, cls)] = attributes["data-value"]

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._bidder = None


def _parse(text):
    collector = _Collector()
    collector.feed(text)
    return collector


@pytest.fixture(scope="module")
def result(example_result):
    return example_result


@pytest.fixture(scope="module")
def source_bytes():
    return EXAMPLE.read_bytes()


@pytest.fixture(scope="module")
def html(result, source_bytes):
    return render_html(result, source_bytes=source_bytes)


@pytest.fixture(scope="module")
def extended_html(result):
    return render_html(extended_result(result))


class TestDocument:
    def test_self_contained_and_script_free(self, extended_html):
        parsed = _parse(extended_html)
        assert "script" not in parsed.tags
        assert "link" not in parsed.tags and "iframe" not in parsed.tags
        assert not re.search(r"\son\w+\s*=", extended_html)  # no event handlers
        for url in parsed.urls:
            assert url.startswith(("data:image/png;base64,", "#")), url[:40]
        assert "Content-Security-Policy" in extended_html
        assert "@media print" in extended_html

    def test_ranking_numbers_equal_the_json(self, html, result):
        values = _parse(html).values
        for bid in result.to_dict()["bids"]:
            for cls, key in [("evaluated-cost", "evaluated_cost"), ("lcc-npv", "lcc_npv"),
                             ("equivalent-annual-cost", "equivalent_annual_cost")]:
                assert float(values[(bid["bidder"], cls)]) == bid[key]
            assert rank_or_none(values[(bid["bidder"], "rank")]) == bid["rank"]

    def test_recommendation_names_the_rank_1_bid(self, html, result):
        first = result.ranking.index[0]
        assert f'data-bidder="{first}"' in html
        assert "Recommendation: award to" in html

    def test_footer_allows_reproduction(self, html, source_bytes, result):
        assert hashlib.sha256(source_bytes).hexdigest() in html
        assert fleetcalc.__version__ in html
        assert str(result.tender.tender.evaluation_year) in html
        assert re.search(r'id="report-date">\d{4}-\d{2}-\d{2}<', html)

    def test_sections_only_when_inputs_exist(self, result, extended_html):
        ids = _parse(render_html(bare_result(result))).ids
        assert set(SECTIONS) <= ids
        assert not set(OPTIONAL_SECTIONS) & ids
        ids = _parse(extended_html).ids
        assert set(SECTIONS + OPTIONAL_SECTIONS) <= ids
        for chart in ("pv-by-category", "cumulative-discounted-cost", "available-vs-demand",
                      "fleet-age-profile", "evaluated-cost-distribution", "tornado"):
            assert f"chart-{chart}" in ids

    def test_tender_text_is_escaped(self):
        tender = fleetcalc.load_tender(EXAMPLE)
        bids = list(tender.bids)
        bids[0] = attrs.evolve(bids[0], bidder='<img src=x onerror="alert(1)">',
                               notes="</table><script>alert(2)</script>")
        text = render_html(fleetcalc.evaluate(attrs.evolve(tender, bids=tuple(bids),
                                                           uncertainty=(), correlation=None)))
        parsed = _parse(text)
        assert "script" not in parsed.tags
        assert not any(u == "x" for u in parsed.urls)
        assert "&lt;img src=x onerror=" in text

    def test_write_html(self, result, tmp_path):
        path = write_html(result, tmp_path / "sub" / "report.html")
        assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


class TestReportAndCommand:
    def test_write_report_layout(self, result, tmp_path):
        paths = write_report(result, tmp_path, source_bytes=b"tender")
        assert paths["html"] == tmp_path / "report.html"
        assert paths["workbook"] == tmp_path / "evaluation.xlsx"
        charts = [p for k, p in paths.items() if k.startswith("chart:")]
        assert charts and all(p.parent == tmp_path / "charts" for p in charts)
        assert all(p.stat().st_size > 0 for p in paths.values())

    def test_run_report(self, tmp_path):
        parser = argparse.ArgumentParser(prog="fleetcalc")
        add_report_parser(parser.add_subparsers(dest="command"))
        args = parser.parse_args(["report", str(EXAMPLE), "--output", str(tmp_path),
                                  "--draws", "100", "--seed", "1"])
        stdout, stderr = io.StringIO(), io.StringIO()
        assert run_report(args, stdout, stderr) == 0
        printed = stdout.getvalue().split()
        assert str(tmp_path / "report.html") in printed
        assert str(tmp_path / "evaluation.xlsx") in printed
        assert (tmp_path / "charts" / "tornado.png").is_file()  # the draws ran
        text = (tmp_path / "report.html").read_text(encoding="utf-8")
        assert hashlib.sha256(EXAMPLE.read_bytes()).hexdigest() in text

    def test_run_report_lets_tender_errors_through(self, tmp_path):
        bad = tmp_path / "bad.toml"
        bad.write_text("[tender]\nname = 1\n", encoding="utf-8")
        parser = argparse.ArgumentParser(prog="fleetcalc")
        add_report_parser(parser.add_subparsers(dest="command"))
        args = parser.parse_args(["report", str(bad), "-o", str(tmp_path / "out")])
        with pytest.raises(fleetcalc.TenderError):
            run_report(args, io.StringIO(), io.StringIO())


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One headless Chromium for the module's browser tests."""
    with Chromium(tmp_path_factory.mktemp("chromium")) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def pages(result, source_bytes, tmp_path_factory):
    directory = tmp_path_factory.mktemp("html")
    return {
        "example": write_html(result, directory / "example.html", source_bytes=source_bytes),
        "extended": write_html(extended_result(result), directory / "extended.html"),
        "minimal": write_html(minimal_result(), directory / "minimal.html"),
        "overflowed": write_html(overflowed_result(result), directory / "overflowed.html"),
    }


class TestInChromium:
    @pytest.mark.parametrize("page", ["example", "extended", "minimal", "overflowed"])
    def test_loads_cleanly_offline(self, browser, pages, page):
        browser.events.clear()
        browser.load(pages[page])
        assert browser.console_problems() == []
        external = [u for u in browser.requests() if not u.startswith("data:")]
        assert external == [pages[page].resolve().as_uri()]
        assert browser.evaluate("document.querySelectorAll('img').length") >= 2
        broken = browser.evaluate(
            "[...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).length")
        assert broken == 0

    def test_ranking_numbers_in_the_page_equal_the_json(self, browser, pages, result):
        browser.load(pages["example"])
        cells = browser.evaluate(
            "[...document.querySelectorAll('#ranking-table tr.bid')].map(tr => ({"
            "bidder: tr.dataset.bidder,"
            "rank: tr.querySelector('td.rank').dataset.value,"
            "evaluated: tr.querySelector('td.evaluated-cost').dataset.value,"
            "lcc: tr.querySelector('td.lcc-npv').dataset.value}))")
        bids = result.to_dict()["bids"]
        assert [c["bidder"] for c in cells] == [b["bidder"] for b in bids]
        for cell, bid in zip(cells, bids):
            assert rank_or_none(cell["rank"]) == bid["rank"]
            assert float(cell["evaluated"]) == bid["evaluated_cost"]
            assert float(cell["lcc"]) == bid["lcc_npv"]

    def test_screenshot_is_not_blank(self, browser, pages):
        browser.load(pages["extended"])
        assert_varied_png(browser.screenshot(full_page=False), min_bytes=20_000,
                          min_colours=64)


def _settings_rows(text):
    """``[(parameter, shown value)]`` of the report's tender settings table, in order."""
    table = text.split('id="settings-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<code>([^<]+)</code></td><td class="value">([^<]*)</td>', table)


def _settings_values(text):
    return dict(_settings_rows(text))


def _bid_values(text):
    """``{parameter: [shown value per bid]}`` of the report's bids table."""
    table = text.split('id="bids-table"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr><td class="param"[^>]*><code>([^<]+)</code></td>(.*?)</tr>', table,
                      flags=re.S)
    return {key: re.findall(r"<td>([^<]*)</td>", cells) for key, cells in rows}


class TestNumbers:
    """Rates and shares are shown as percentages that give back the value."""

    def test_a_small_rate_keeps_its_digits(self, html):
        shown = _settings_values(html)
        assert shown["delivery_adjustment_per_week"] == "0.1%"  # was "0.00"
        assert shown["discount_rate"] == "8%"

    def test_every_share_reads_back_as_its_value(self, html, result):
        from fleetcalc.reports.excel import assumption_rows

        settings, bids = iter(_settings_rows(html)), _bid_values(html)
        checked = 0
        for section, parameter, value, unit, _ in assumption_rows(result.tender):
            if not section.startswith("Bid "):
                shown_parameter, text = next(settings)
                assert shown_parameter == parameter
            if not (unit and (unit == "-" or unit.startswith("-/"))) or isinstance(value, str) \
                    or value is None or isinstance(value, bool):
                continue
            if section.startswith("Bid "):
                index = int(section.split()[1].split(":")[0]) - 1
                key = (section.split(":", 1)[1].strip() + "." if ":" in section else "") \
                    + parameter
                text = bids[key][index]
            number = re.fullmatch(r"(-?[\d.]+)%(/\w+)?", text)
            assert number, f"{section} {parameter}: {text!r} is not a percentage"
            assert float(number[1]) / 100 == pytest.approx(value, abs=1e-12), (parameter, text)
            checked += 1
        assert checked > 40

    def test_payments_read_as_percentages_without_a_stray_unit(self, html):
        bids = _bid_values(html)
        assert bids["payments"][0] == "signing: 10%; delivery: 80%; acceptance: 10%"
        assert bids["service_life_years"][0] == "30 years"
        assert bids["warranty_years"][2] == "1 year"
        assert "12 motors" in bids["evaluation.priced_adjustments"][2]
        assert "18,000,000 CNY" in bids["evaluation.priced_adjustments"][2]
        assert "financing" not in bids and bids["financing.share"][3] == "\u2013"


@pytest.fixture(scope="module")
def minimal_page():
    """The report of a tender without fleet, demand or financing."""
    from .report_helpers import minimal_result

    return render_html(minimal_result())


class TestWithoutDemand:
    """A tender without [tender.demand]: no contradiction, no demand figures."""

    def test_says_no_demand_instead_of_never(self, minimal_page):
        fleet = minimal_page.split('<section id="fleet">', 1)[1].split("</section>", 1)[0]
        assert "never" not in fleet and "Years short of demand" not in fleet
        assert "gives no demand" in fleet
        assert "against demand" not in fleet  # heading, chart caption

    def test_no_probability_of_meeting_a_demand(self, minimal_page):
        ranking = minimal_page.split('id="ranking-table"', 1)[1].split("</table>", 1)[0]
        assert "P(meet demand)" not in ranking

    def test_the_example_keeps_its_demand_figures(self, html):
        assert "Years short of demand" in html and "P(meet demand)" in html


@pytest.fixture(scope="module")
def broken(result):
    """The example with the last bid's cost overflowed to +inf and ranked first."""
    from .report_helpers import overflowed_result

    return overflowed_result(result)


class TestCostsThatAreNotFinite:
    """A bid whose cost overflowed is shown as such, never ranked first."""

    def test_never_rank_1_nor_recommended(self, broken):
        text = render_html(broken)
        bidder = broken.ranking.index[0]  # ranked 1 by the broken ranking
        parsed = _parse(text)
        assert parsed.values[(bidder, "rank")] == ""
        recommendation = re.search(r'id="recommendation" data-bidder="([^"]*)"', text)[1]
        assert recommendation != bidder and recommendation == broken.ranking.index[1]

    def test_infinite_costs_are_shown_and_explained(self, broken):
        text = render_html(broken)
        bidder = broken.ranking.index[0]
        row = re.search(rf'<tr class="bid[^"]*" data-bidder="{re.escape(bidder)}">(.*?)</tr>',
                        text, flags=re.S)[1]
        assert re.search(r'class="num evaluated-cost"[^>]*>\+\u221e<', row)
        assert re.search(r'class="num lcc-npv"[^>]*>\+\u221e<', row)
        assert "Not ranked: evaluated cost is +\u221e" in row
        note = text.split('id="not-finite"', 1)[1].split("</div>", 1)[0]
        assert bidder in note and "overflows" in note

    def test_no_recommendation_when_no_cost_is_finite(self, result):
        from .report_helpers import overflowed_result

        everyone = list(result.ranking.index)
        text = render_html(overflowed_result(result, bidders=everyone))
        assert "No recommendation" in text and "award to" not in text
        assert '<span class="badge">1</span>' not in text


def test_financing_years_are_the_schedules_calendar_years(html, result):
    table = html.split('id="financing-table"', 1)[1].split("</table>", 1)[0]
    assert "Calendar years" in table
    for bidder, rows in result.financing.groupby("bidder"):
        span = f"{rows['calendar_year'].min()}\u2013{rows['calendar_year'].max()}"
        assert span in table, (bidder, span)


def test_assumed_availability_is_marked(minimal_page, html):
    """Bids without mtbf_hours are taken never to fail: their 100 % says so."""
    ranking = minimal_page.split('id="ranking-table"', 1)[1].split("</table>", 1)[0]
    assert "100.0%<sup>*</sup>" in ranking and "taken never to fail" in ranking
    assert "taken never to fail" not in html  # every example bid has an MTBF


def test_absent_settings_show_no_unit(minimal_page):
    rows = minimal_page.split('id="settings-table"', 1)[1].split("</table>", 1)[0]
    row = re.search(r"<code>delivery_max_weeks</code></td>(.*?)</tr>", rows, flags=re.S)[1]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row)[:2] == ["\u2013", ""]


def test_in_the_browser_without_demand_and_with_an_overflow(browser, pages):
    """What a reader sees: no 'never' beside '0 years short', an explained +∞ that is
    not ranked first."""
    browser.load(pages["minimal"])
    fleet = browser.evaluate("document.querySelector('#fleet').innerText")
    assert "gives no demand" in fleet and "never" not in fleet
    browser.load(pages["overflowed"])
    first = browser.evaluate(
        "document.querySelector('#ranking-table tr.bid').innerText")
    assert first.split()[0] == "1" and "\u221e" not in first
    note = browser.evaluate("document.querySelector('#not-finite').innerText")
    assert "+\u221e" in note and "not ranked" in note


def test_category_chart_caption_says_what_the_diamond_is(html, minimal_page):
    """With adjustments the diamond is the evaluated cost (as the chart's legend says),
    not the LCC NPV."""
    def caption(text):
        figure = text.split('id="chart-pv-by-category"', 1)[1].split("</figure>", 1)[0]
        return figure.split("<figcaption>", 1)[1]

    assert "the diamond is the evaluated cost" in caption(html)
    assert "the diamond is the net LCC NPV" in caption(minimal_page)
