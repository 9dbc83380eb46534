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
from html import escape as html_escape
from html.parser import HTMLParser

import attrs
import pytest

import fleetcalc
from fleetcalc.cli.parser import add_report_parser
from fleetcalc.cli.report import run_report
from fleetcalc.reports.evaluation_table import decisive_lines
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


# --- Issue 12 items 8 and 10, issue 17 item 4: the evaluation table, what decides the award,
# --- the bid evaluation report; issue 17 item 3: the decision-log entry in the footer.

#: Rows of the bid evaluation table in the order of the World Bank Standard Bid Evaluation
#: Form (1996) and the ADB Guide on Bid Evaluation (2018) (issue 12 item 8).
FORM_ORDER = ["read_out_price", "arithmetic_correction", "discount", "scope",
              "price_adjusted_for_scope", "technical", "performance", "commercial", "delivery",
              "other", "guarantee_loading"]


class _Figures(HTMLParser):
    """Every element with ``data-json`` inside the element with id ``root``:
    ``(bidder, data-json, data-value, tag)``; also the ``data-key`` rows of tables."""

    def __init__(self, root):
        super().__init__()
        self.root, self.depth, self.figures, self.keys = root, 0, [], []

    def handle_starttag(self, tag, attrs_):
        attributes = dict(attrs_)
        if self.depth == 0 and attributes.get("id") == self.root:
            self.depth = 1
            return
        if self.depth == 0:
            return
        if tag not in ("br", "img", "meta", "col"):
            self.depth += 1
        if "data-json" in attributes:
            self.figures.append((attributes.get("data-bidder"), attributes["data-json"],
                                 attributes.get("data-value"), tag))
        if tag == "tr" and "data-key" in attributes:
            self.keys.append(attributes["data-key"])

    def handle_endtag(self, tag):
        if self.depth and tag not in ("br", "img", "meta", "col"):
            self.depth -= 1


def _figures(text, root):
    parser = _Figures(root)
    parser.feed(text)
    return parser


def _json_value(expression, bidder, data, bid_input):
    """The value of a ``data-json`` expression (``table.KEY``, ``bid.FIELD``,
    ``first.FIELD``, ``adjustment.N``, ``bid-currency``, joined by `` + `` / `` - ``)
    from the compare JSON ``data``; ``bid-currency`` from the tender file (the workbook's
    Assumptions sheet), as the JSON holds base-currency amounts only."""
    bids = {b["bidder"]: b for b in data["bids"]}
    table = {row["key"]: row["values"] for row in data["evaluation_table"]}
    first = next(b for b in data["bids"] if b["rank"] == 1)
    total, sign = 0.0, 1.0
    for term in expression.split():
        if term in "+-":
            sign = 1.0 if term == "+" else -1.0
            continue
        kind, _, name = term.partition(".")
        if kind == "table":
            value = table[name][bidder]
        elif kind == "bid":
            value = bids[bidder][name]
        elif kind == "first":
            value = first[name]
        elif kind == "adjustment":
            shown = [a for a in bids[bidder]["adjustments"]
                     if a["stage"] not in ("conversion", "domestic_preference")]
            value = shown[int(name)]["amount"]
        elif kind == "bid-currency":
            bid = bid_input[bidder]
            value = ((bid.unit_price * bid.quantity + bid.evaluation.arithmetic_correction)
                     * (1 - bid.evaluation.discount))
        else:
            raise AssertionError(f"unknown data-json term {term!r}")
        total += sign * value
    return total


@pytest.fixture(scope="module")
def data(result):
    return result.to_dict()


class TestEvaluationTable:
    """Issue 12 item 8: the table of the forms, every figure the JSON's."""

    def test_rows_in_the_order_of_the_forms(self, html, data):
        keys = _figures(html, "evaluation-table").keys
        assert keys == [row["key"] for row in data["evaluation_table"]]
        order = list(FORM_ORDER)
        if data["tender"]["delivery_basis"] is not None:  # issue 14: delivery-terms rows
            i = order.index("price_adjusted_for_scope") + 1
            order[i:i] = ["inland_transport", "insurance", "port_charges", "import_duties"]
        assert keys[:len(order)] == order
        # issue 13: with demand, the incremental NPV against doing nothing before the rank
        tail = ["evaluated_price", "domestic_preference", "evaluated_price_with_preference"]
        tail += ["incremental_npv"] if data.get("do_nothing") is not None else []
        assert keys[-len(tail) - 1:] == tail + ["rank"]
        assert [k for k in keys if k.startswith("lcc_")] == [
            f"lcc_{c}" for c in data["bids"][0]["pv_by_category"]]

    def test_evaluated_prices_equal_the_json_and_the_summed_rows(self, html, data):
        shown = {}
        for bidder, expression, value, _ in _figures(html, "evaluation-table").figures:
            shown[(expression.split(".", 1)[1], bidder)] = float(value) if value else None
        in_total = [row["key"] for row in data["evaluation_table"] if row["in_total"]]
        assert "lcc_acquisition" in in_total and "evaluated_price" not in in_total
        for bid in data["bids"]:
            bidder = bid["bidder"]
            assert shown[("evaluated_price_with_preference", bidder)] == bid["evaluated_cost"]
            assert shown[("evaluated_price", bidder)] == bid["evaluated_cost_before_preference"]
            assert shown[("domestic_preference", bidder)] == bid["domestic_preference"]
            parts = sum(shown[(key, bidder)] for key in in_total)
            assert parts == pytest.approx(bid["evaluated_cost_before_preference"], abs=1e-3)
            assert parts + shown[("domestic_preference", bidder)] == pytest.approx(
                bid["evaluated_cost"], abs=1e-3)
            rank = shown[("rank", bidder)]
            assert (None if rank is None else int(rank)) == bid["rank"]
            for row in data["evaluation_table"]:  # every cell is the JSON's, unrounded
                value = row["values"][bidder]
                assert shown[(row["key"], bidder)] == (None if value is None else float(value))

    def test_marked_rows_are_the_summed_rows(self, html, data):
        table = html.split('id="evaluation-form-table"', 1)[1].split("</table>", 1)[0]
        marked = re.findall(r'data-key="([^"]+)">\s*<td>[^<]*</td><td[^>]*>[^<]*</td>'
                            r'<td class="sum-col">\u03a3</td>', table)
        assert marked == [row["key"] for row in data["evaluation_table"] if row["in_total"]]

    def test_not_shown_when_the_table_contradicts_the_ranking(self, result):
        """A result altered after the evaluation (evaluated cost replaced): no table whose
        rows do not add up, no decomposition, no evaluation report."""
        ids = _parse(render_html(bare_result(result))).ids
        assert not {"evaluation-table", "decisive", "evaluation-report"} & ids


class TestWhatDecides:
    """Issue 12 item 10: the decomposition of each pairwise difference, as text and chart."""

    def test_names_the_line_that_alone_swaps_the_award(self, html, data):
        """Each decisive line has its sentence; a claim that a bid then "ranks first" is
        recomputed from the JSON evaluation table (the line removed from every ranked bid)."""
        section = html.split('<section id="decisive">', 1)[1].split("</section>", 1)[0]
        # issue 13: the example is government-financed, without a domestic preference
        assert "domestic preference margin" not in section
        rows = {row["key"]: row["values"] for row in data["evaluation_table"]}
        ranked = [b for b, r in rows["rank"].items() if r is not None]
        cost = {b: rows["evaluated_price_with_preference"][b] for b in ranked}
        claims = 0
        for pair in data["decisive_lines"]:
            for item in pair["decisive"]:
                moved = {b: cost[b] - (rows[item["line"]].get(b) or 0.0) for b in ranked}
                first = min(moved.values()) == moved[pair["worse"]]
                if item["line"].startswith("lcc_"):
                    noun = item["line"][4:].replace("_", " ")
                    where = "would rank first" if first else f"would rank before {pair['better']}"
                    sentence = f"With the same {noun} cost for every bid, {pair['worse']} {where}."
                else:
                    where = "ranks first" if first else f"ranks before {pair['better']}"
                    sentence = f", {pair['worse']} {where}."
                assert html_escape(sentence) in section or sentence in section, sentence
                claims += 1
        assert claims > 0  # the example has lines that alone decide a pair

    def test_one_waterfall_per_pair_and_lines_add_up(self, html, data, result):
        from fleetcalc.reports.charts import available_charts

        ids = _parse(html).ids
        pairs = data["decisive_lines"]
        assert len(pairs) == 3  # two adjacent pairs, winner against rank 3
        for i, pair in enumerate(pairs, start=1):
            assert f"chart-decisive-lines-{i}" in ids
            block = html.split(f'id="decisive-{i}"', 1)[1].split('class="pair"', 1)[0]
            block = block.split("</section>", 1)[0]
            assert f'data-better="{pair["better"]}" data-worse="{pair["worse"]}"' in block
            cells = [float(v) for v in re.findall(r'<td class="num" data-value="([^"]+)"', block)]
            lines = sorted((x["difference"] for x in pair["by_line"]), key=lambda d: -abs(d))
            assert cells[:-1] == lines and cells[-1] == pair["difference"]
            assert sum(lines) == pytest.approx(pair["difference"], abs=1e-3)
        assert 'class="decisive-sentences none"' not in html  # each pair has a decisive line
        names = [n for n in available_charts(result) if n.startswith("decisive")]
        assert names == [f"decisive_lines_{i}" for i in range(1, len(pairs) + 1)]

    def test_no_single_line_is_said_when_none_swaps(self):
        text = render_html(minimal_result())
        section = text.split('<section id="decisive">', 1)[1].split("</section>", 1)[0]
        pair = decisive_lines(minimal_result())[0]
        if pair["decisive"]:
            assert "<li>" in section
        else:
            assert "No single line swaps these two bids." in section


class TestEvaluationReport:
    """Issue 17 item 4: the report of the forms; every figure traceable and the JSON's."""

    def test_every_figure_equals_the_json(self, html, data, result):
        bid_input = {b.bidder: b for b in result.tender.bids}
        figures = _figures(html, "evaluation-report").figures
        assert len(figures) >= 60
        for bidder, expression, value, _ in figures:
            expected = _json_value(expression, bidder, data, bid_input)
            assert float(value) == pytest.approx(expected, rel=1e-12, abs=1e-6), (
                bidder, expression)

    def test_each_table_says_where_the_workbook_holds_it(self, html):
        from fleetcalc.reports.excel import SHEETS

        section = html.split('<section id="evaluation-report"', 1)[1].split("</section>", 1)[0]
        for table in ("form-read-out", "form-responsiveness", "form-corrections",
                      "form-adjustments", "form-evaluated", "form-ranking"):
            after = section.split(f'id="{table}"', 1)[1].split("</table>", 1)[1]
            source = re.match(r'\s*<p class="source">(.*?)</p>', after, flags=re.S)
            assert source, table
            sheets = re.findall(r"sheet \u201c([^\u201d]+)\u201d", source[1])
            assert sheets and set(sheets) <= set(SHEETS), (table, sheets)

    def test_the_named_sheets_and_columns_are_in_the_workbook(self, result, tmp_path):
        """The sources under the tables name sheets, header columns, Assumptions rows and
        Adjustments stages that the workbook written beside the report really holds."""
        import openpyxl

        from fleetcalc.reports.html import WORKBOOK_SOURCES

        path = write_report(result, tmp_path)["workbook"]
        book = openpyxl.load_workbook(path, read_only=True)
        stages = {str(row[3]) for row in book["Adjustments"].iter_rows(min_row=2,
                                                                        values_only=True)}
        assumptions = {(str(row[0]), str(row[1])) for row in
                       book["Assumptions"].iter_rows(min_row=2, values_only=True)}
        checked = 0
        for sources in WORKBOOK_SOURCES.values():
            for sheet, kind, names in sources:
                if kind == "columns":
                    header = [str(c) for c in next(book[sheet].iter_rows(max_row=1,
                                                                         values_only=True))]
                    for name in names:
                        assert any(h == name or h.startswith(name + " [") for h in header), (
                            sheet, name, header)
                elif kind == "stages":
                    assert set(names) <= stages, (names, stages)
                else:
                    for name in names:
                        if name.startswith("Tender settings"):  # a section of rows
                            assert any(s == name for s, _ in assumptions), name
                        else:
                            section, parameter = name.replace("Bid n", "Bid 1").rsplit(": ", 1)
                            assert (section, parameter) in assumptions, name
                checked += 1
        assert checked == 7

    def test_forms_in_order_with_responsiveness_and_recommendation(self, html, data, result):
        section = html.split('<section id="evaluation-report"', 1)[1].split("</section>", 1)[0]
        headings = re.findall(r"<h3>\d\. ([^<]+)</h3>", section)
        assert headings == ["Bids received and read out",
                            "Preliminary examination: responsiveness",
                            "Corrections, discounts and scope",
                            "Adjustments (priced deviations, payment, delivery, guarantees)",
                            "Evaluated prices", "Ranking of the responsive bids",
                            "Recommendation", "Evaluation committee"]
        for item in data["non_responsive"]:
            row = re.search(rf'<tr data-bidder="{re.escape(item["bidder"])}" '
                            r'data-responsive="no">(.*?)</tr>', section, flags=re.S)
            assert row and all(reason in row[1] for reason in item["reasons"])
        responsive = [b["bidder"] for b in data["bids"] if b["responsive"]]
        assert len(re.findall(r'data-responsive="yes"', section)) == len(responsive)
        winner = next(b for b in data["bids"] if b["rank"] == 1)
        assert re.search(r'id="form-recommendation" data-bidder="([^"]*)"', section)[1] == \
            winner["bidder"]
        # CRRC's contract price in its bid currency (unit price x quantity), and in USD
        crrc = next(b for b in result.tender.bids if b.bidder == "CRRC Ziyang")
        row = re.search(r'<tr data-bidder="CRRC Ziyang">(.*?)</tr>', section, flags=re.S)[1]
        assert f"<td>{crrc.currency}</td>" in row
        assert f">{crrc.unit_price * crrc.quantity:,.0f}<" in row
        in_base = result.tender.tender.to_base(crrc.unit_price, crrc.currency) * crrc.quantity
        assert f">{in_base:,.0f}<" in row

    def test_signature_block_is_blank(self, html):
        block = html.split('id="form-signatures"', 1)[1].split("</table>", 1)[0]
        assert re.findall(r"<th>([^<]+)</th>", block) == ["Name", "Position", "Signature",
                                                          "Date"]
        rows = re.findall(r"<tr>(.*?)</tr>", block.split("<tbody>", 1)[1])
        assert len(rows) == 5 and all(r == "<td></td>" * 4 for r in rows)

    def test_starts_on_a_new_printed_page(self, html):
        css = html.split("@media print", 1)[1].split("</style>", 1)[0]
        assert re.search(r"#evaluation-report \{ break-before: page;", css) or \
            "#evaluation-table, #evaluation-report { break-before: page;" in css


class TestDecisionLogEntry:
    """Issue 17 item 3: the footer lists the decision-log entry when one was written."""

    def test_listed_in_the_footer(self, result, source_bytes):
        sha = hashlib.sha256(source_bytes).hexdigest()
        entry = {"time": "2026-12-01T17:40:00Z", "command": "report",
                 "input": {"file": "tender.toml", "sha256": sha}}
        footer = render_html(result, source_bytes=source_bytes, log_entry=entry).split(
            "<footer>", 1)[1]
        assert 'id="log-time">2026-12-01T17:40:00Z<' in footer
        assert f'id="log-sha256">{sha}<' in footer
        assert "not the input of this report" not in footer

    def test_a_mismatched_entry_is_flagged_and_none_is_not_listed(self, result, source_bytes):
        entry = {"time": "2026-12-01T17:40:00Z", "input": {"sha256": "0" * 64}}
        footer = render_html(result, source_bytes=source_bytes, log_entry=entry).split(
            "<footer>", 1)[1]
        assert "not the input of this report" in footer
        assert "Decision log" not in render_html(result).split("<footer>", 1)[1]

    def test_write_html_and_write_report_pass_it_on(self, result, tmp_path):
        entry = {"time": "2026-12-01T18:00:00Z", "input": {"sha256": "ab" * 32}}
        text = write_html(result, tmp_path / "r.html", log_entry=entry).read_text("utf-8")
        assert 'id="log-time">2026-12-01T18:00:00Z<' in text
        paths = write_report(result, tmp_path / "out", log_entry=entry)
        assert 'id="log-time">2026-12-01T18:00:00Z<' in paths["html"].read_text("utf-8")


def test_evaluation_report_prints_on_a4_without_overflow(browser, pages):
    """Print media at the A4 text width (210 mm less 2 x 12 mm margins, 703 px): no table of
    the bid evaluation report is wider than the page, and the page prints to PDF."""
    browser.send("Emulation.setEmulatedMedia", media="print")
    browser.send("Emulation.setDeviceMetricsOverride", width=703, height=1000,
                 deviceScaleFactor=1, mobile=False)
    try:
        browser.load(pages["example"])
        widths = browser.evaluate(
            "[...document.querySelectorAll('#evaluation-report table, #evaluation-form-table')]"
            ".map(t => [t.id, Math.ceil(t.getBoundingClientRect().right)])")
        assert len(widths) == 8
        assert all(right <= 703 for _, right in widths), widths
        pdf = browser.send("Page.printToPDF", preferCSSPageSize=True)["data"]
        assert len(pdf) > 10_000
    finally:
        browser.send("Emulation.clearDeviceMetricsOverride")
        browser.send("Emulation.setEmulatedMedia", media="")
