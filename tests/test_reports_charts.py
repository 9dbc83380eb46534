"""Charts: every function draws labelled axes; files are real, non-blank PNGs."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from fleetcalc.reports import charts

from .report_helpers import (
    ExtendedResult,
    assert_varied_png,
    bare_result,
    extended_result,
)

ALL_CHARTS = ["pv_by_category", "cumulative_discounted_cost", "available_vs_demand",
              "fleet_age_profile", "evaluated_cost_distribution", "tornado"]


@pytest.fixture(scope="module")
def result(example_result):
    return example_result


@pytest.fixture(scope="module")
def extended(result):
    return extended_result(result)


def test_importing_fleetcalc_does_not_import_matplotlib():
    code = ("import sys, fleetcalc, fleetcalc.reports.charts, fleetcalc.reports.report; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(("function", "unit"), [
    (charts.cumulative_discounted_cost, "[USD million]"),
    (charts.pv_by_category_bars, "[USD million]"),
    (charts.available_vs_demand, "[units]"),
    (charts.fleet_age_profile, "[year]"),
    (charts.evaluated_cost_distribution, "[USD million]"),
    (charts.tornado, "[USD million]"),
])
def test_axes_have_title_and_units(function, unit, extended):
    ax = function(extended)
    assert ax.get_title(loc="left")  # titles are left-aligned
    assert unit in ax.get_xlabel() + ax.get_ylabel()
    assert ax.figure.canvas.get_renderer() is not None  # Agg canvas, no display


def test_draws_on_a_given_axes(result):
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    assert charts.pv_by_category_bars(result, ax=ax) is ax


def test_residual_value_is_below_zero(result):
    ax = charts.pv_by_category_bars(result)
    heights = [p.get_height() for p in ax.patches]
    assert min(heights) < 0 < max(heights)
    assert ax.get_ylim()[0] < result.pv_by_category["residual_value"].min() / 1e6


def test_money_ticks_have_thousands_separators(extended):
    ax = charts.evaluated_cost_distribution(extended)
    formatter = ax.xaxis.get_major_formatter()
    assert formatter(1234.0, 0) == "1,234"


def test_cumulative_ends_at_the_npv(result):
    ax = charts.cumulative_discounted_cost(result)
    ends = sorted(line.get_ydata()[-1] for line in ax.get_lines())
    assert np.allclose(ends, sorted(result.ranking["lcc_npv"] / 1e6))


def test_colours_are_one_palette(result):
    colours = charts.bid_colours(result)
    assert set(colours.values()) <= set(charts.OKABE_ITO)
    assert len(set(colours.values())) == len(colours)


@pytest.mark.parametrize(("function", "missing"), [
    (charts.available_vs_demand, "fleet_years"),
    (charts.fleet_age_profile, "fleet"),
    (charts.evaluated_cost_distribution, "simulation"),
    (charts.tornado, "simulation"),
])
def test_missing_inputs_raise(function, missing, result):
    bare = ExtendedResult(result, **{missing: None})
    with pytest.raises(ValueError, match=missing.split("_")[0]):
        function(bare)


def test_save_charts_writes_only_available_charts(result, tmp_path):
    paths = charts.save_charts(bare_result(result), tmp_path)
    assert [p.stem for p in paths] == ["pv_by_category", "cumulative_discounted_cost"]


def test_save_charts_all_valid_pngs(extended, tmp_path):
    paths = charts.save_charts(extended, tmp_path / "charts")
    assert [p.stem for p in paths] == ALL_CHARTS
    for path in paths:
        assert_varied_png(path.read_bytes(), min_bytes=10_000)


def test_simulation_can_be_passed_explicitly(result, extended, tmp_path):
    bare = ExtendedResult(result, simulation=None)
    paths = charts.save_charts(bare, tmp_path, simulation=extended.simulation)
    assert {"evaluated_cost_distribution", "tornado"} <= {p.stem for p in paths}


@pytest.fixture(scope="module")
def minimal():
    from .report_helpers import minimal_result

    return minimal_result()


def _ticks_in_view(axis):
    low, high = sorted(axis.get_view_interval())
    return [t for t in axis.get_majorticklocs() if low - 1e-9 <= t <= high + 1e-9]


def test_without_demand_no_demand_line(minimal, result):
    ax = charts.available_vs_demand(minimal)
    assert "Demand" not in [line.get_label() for line in ax.get_lines()]
    assert "no demand" in ax.get_title(loc="left")
    ax = charts.available_vs_demand(result)  # the example has a demand
    assert "Demand" in [line.get_label() for line in ax.get_lines()]


@pytest.mark.parametrize("which", ["minimal", "result"])
def test_unit_counts_and_years_have_whole_ticks(which, request):
    """Locomotive counts 0, 2, 4 ... (not 2.5 printed as 2); years 2030, 2032 (not 2032.5
    printed as 2032)."""
    chosen = request.getfixturevalue(which)
    ax = charts.available_vs_demand(chosen)
    ax.figure.canvas.draw()
    for axis in (ax.yaxis, ax.xaxis):
        ticks = _ticks_in_view(axis)
        assert len(ticks) >= 3 and all(float(t).is_integer() for t in ticks), ticks
    for function in (charts.cumulative_discounted_cost, charts.fleet_age_profile):
        ax = function(chosen)
        ax.figure.canvas.draw()
        ticks = _ticks_in_view(ax.xaxis)
        assert all(float(t).is_integer() for t in ticks), (function.__name__, ticks)


def test_draw_counts_have_whole_ticks(extended):
    ax = charts.evaluated_cost_distribution(extended)
    ax.figure.canvas.draw()
    assert all(float(t).is_integer() for t in _ticks_in_view(ax.yaxis))


@pytest.mark.parametrize("everyone", [False, True])
def test_costs_that_are_not_finite_are_labelled_not_drawn(result, everyone):
    from .report_helpers import overflowed_result

    broken = overflowed_result(result, bidders=list(result.ranking.index) if everyone else None)
    bidder = broken.ranking.index[0]
    ax = charts.pv_by_category_bars(broken)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert not any(label.startswith("1. " + bidder[:10]) for label in labels), labels
    assert any(label.startswith("\u2013 " + bidder[:10]) for label in labels), labels
    assert any("not finite" in t.get_text() for t in ax.texts)
    assert np.isfinite(ax.get_ylim()).all()
    ax = charts.cumulative_discounted_cost(broken)
    assert any("not finite" in t.get_text() for t in ax.get_legend().get_texts())
    assert np.isfinite(ax.get_ylim()).all()


def test_years_are_the_ledger_and_fleet_calendar_years(result):
    """The charts place values at the frames' calendar_year (the JSON's convention):
    a result whose frames say otherwise is drawn as they say."""
    shifted = ExtendedResult(result, **{
        name: getattr(result, name).assign(calendar_year=getattr(result, name)["calendar_year"]
                                           + 100)
        for name in ("cash_flows", "fleet", "fleet_years")})
    start = result.tender.tender.evaluation_year + 100
    for function in (charts.cumulative_discounted_cost, charts.available_vs_demand,
                     charts.fleet_age_profile):
        ax = function(shifted)
        xs = np.concatenate([line.get_xdata() for line in ax.get_lines() if len(
            line.get_xdata())])
        assert xs.min() >= start, function.__name__
    ax = charts.cumulative_discounted_cost(result)
    first = min(line.get_xdata()[0] for line in ax.get_lines())
    assert first == result.cash_flows["calendar_year"].min()


def test_decisive_waterfall_bars_add_up_to_the_net_difference(result):
    """Issue 12 item 10: the waterfall's bars are the JSON's ``decisive_lines`` by_line,
    largest first, each starting where the previous ended; the last bar is the net
    difference; units on the axis; decisive lines hatched; Okabe-Ito colours."""
    from matplotlib.colors import to_hex

    from fleetcalc.reports.evaluation_table import decisive_lines

    pairs = decisive_lines(result)
    for i, pair in enumerate(pairs):
        ax = charts.decisive_lines_waterfall(result, i)
        assert "[USD million]" in ax.get_xlabel() and ax.get_title(loc="left")
        bars = ax.patches
        lines = sorted(pair["by_line"], key=lambda x: -abs(x["difference"]))
        assert len(bars) == len(lines) + 1
        widths = [b.get_width() for b in bars]
        assert widths[:-1] == pytest.approx([x["difference"] / 1e6 for x in lines])
        assert widths[-1] == pytest.approx(pair["difference"] / 1e6)
        assert bars[-1].get_x() == 0.0
        ends = np.cumsum(widths[:-1])
        assert [b.get_x() for b in bars[1:-1]] == pytest.approx(list(ends[:-1]))
        assert ends[-1] == pytest.approx(widths[-1])  # the steps end at the net difference
        assert {to_hex(b.get_facecolor()).upper() for b in bars} <= set(charts.OKABE_ITO)
        decisive = {d["line"] for d in pair["decisive"]}
        hatched = [bool(b.get_hatch()) for b in bars[:-1]]
        assert hatched == [x["line"] in decisive for x in lines]
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels[-1].startswith("Net difference")
        assert max(len(line) for label in labels for line in label.split("\n")) <= 34
    assert [n for n in charts.available_charts(result) if n.startswith("decisive")] == [
        f"decisive_lines_{i + 1}" for i in range(len(pairs))]


def test_decisive_waterfall_png(result, tmp_path):
    paths = [p for p in charts.save_charts(result, tmp_path) if p.stem.startswith("decisive")]
    assert len(paths) == 3
    for path in paths:
        assert_varied_png(path.read_bytes(), min_bytes=10_000)


def test_no_waterfall_when_the_table_does_not_add_up(extended):
    """A result whose evaluated costs were replaced after the evaluation: the decomposition
    would not add up to them, so it is not drawn."""
    assert not charts.table_adds_up(extended)
    assert not [n for n in charts.available_charts(extended) if n.startswith("decisive")]
