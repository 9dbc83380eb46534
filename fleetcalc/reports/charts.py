"""Charts of an evaluation (matplotlib, Agg backend, colour-blind-safe).

Every chart function takes the :class:`~fleetcalc.EvaluationResult` (and an
optional ``ax``) and returns the matplotlib ``Axes`` it drew on. Money is
shown in millions of the base currency, with thousands separators. Bids keep
one colour each across all charts (Okabe-Ito palette, in tender order).

matplotlib is imported when a chart is drawn, never when fleetcalc is
imported.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = [
    "OKABE_ITO",
    "cumulative_discounted_cost",
    "pv_by_category_bars",
    "available_vs_demand",
    "fleet_age_profile",
    "evaluated_cost_distribution",
    "tornado",
    "decisive_lines_waterfall",
    "decisive_line_label",
    "table_adds_up",
    "available_charts",
    "has_demand",
    "save_charts",
]

#: Okabe & Ito (2008) colour-blind-safe palette (black last; used for references).
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#000000")

#: Colours of cost categories (the same category always has the same colour).
_CATEGORY_COLOURS = {
    "acquisition": "#0072B2", "initial_support": "#56B4E9", "energy": "#E69F00",
    "maintenance": "#009E73", "overhaul": "#CC79A7", "shortfall": "#D55E00",
    "residual_value": "#999999", "financing": "#F0E442", "adjustments": "#555555",
}

_STYLE = {
    "figure.figsize": (8.0, 4.8),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "lines.linewidth": 2.0,
    "savefig.bbox": "tight",
    "savefig.facecolor": "white",
}


def _matplotlib():
    import matplotlib  # noqa: PLC0415 - optional dependency, imported when used

    return matplotlib


def _axes(ax, *, figsize=None):
    """``ax``, or the axes of a new figure on an Agg canvas (no pyplot, no display)."""
    if ax is not None:
        return ax
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    figure = Figure(figsize=figsize or _STYLE["figure.figsize"])
    FigureCanvasAgg(figure)
    return figure.add_subplot()


def _styled(function):
    """Run a chart function inside fleetcalc's matplotlib style."""
    import functools  # noqa: PLC0415

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with _matplotlib().rc_context(_STYLE):
            return function(*args, **kwargs)

    return wrapper


def _optional(result, name):
    value = getattr(result, name, None)
    if value is None or getattr(value, "empty", False):
        return None
    return value


def _simulation(result, simulation):
    return simulation if simulation is not None else getattr(result, "simulation", None)


def _ranks(result):
    """``{bidder: rank}``; None for an unranked (e.g. non-responsive) bid, ``"–"`` for a
    bid whose evaluated cost is not finite (never ranked)."""
    import pandas as pd  # noqa: PLC0415

    ranking = result.ranking
    if "rank" not in ranking:
        return {b: None for b in ranking.index}
    finite = np.isfinite(ranking["evaluated_cost"].astype(float))
    return {b: ("\u2013" if not finite[b] else None if pd.isna(r) else int(r))
            for b, r in ranking["rank"].items()}


def _rank_prefix(rank):
    """``"1. "``; ``"NR. "`` for a non-responsive bid; ``"– "`` for a cost not finite."""
    if rank is None:
        return "NR. "
    return f"{rank}. " if isinstance(rank, int) else f"{rank} "


def _currency(result):
    return result.tender.tender.base_currency


def _bidders(result):
    """Bidders in tender order (the order of colours)."""
    return [bid.bidder for bid in result.tender.bids]


def bid_colours(result):
    """Colour of each bid, ``{bidder: hex}``, in tender order.

    Parameters
    ----------
    result : fleetcalc.EvaluationResult

    Returns
    -------
    dict
    """
    bidders = _bidders(result)
    return {b: OKABE_ITO[i % (len(OKABE_ITO) - 1)] for i, b in enumerate(bidders)}


def _millions_axis(axis):
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    axis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:,.0f}"))


def _thousands_axis(axis, decimals=0):
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    axis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:,.{decimals}f}"))


def _short(text, width=24):
    import textwrap  # noqa: PLC0415

    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False)) or str(text)


def _legend_outside(ax, *, ncol=None, handles=None, labels=None):
    """Legend below the plot area, so it never hides data."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    ncol = ncol or min(len(handles), 3)
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.0, -0.14), ncol=ncol)


@_styled
def cumulative_discounted_cost(result, *, ax=None):
    """Cumulative present value of each bid's cash flows over time.

    Parameters
    ----------
    result : fleetcalc.EvaluationResult
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        Calendar year on x (the ledger's ``calendar_year``), cumulative
        present value through the end of that year [base currency million]
        on y; the last level of each line is the bid's LCC NPV.
    """
    ax = _axes(ax)
    ledger = result.cash_flows
    settings = result.tender.tender
    colours = bid_colours(result)
    # Calendar years as the ledger states them (the JSON's convention), never recomputed.
    calendar = (ledger["calendar_year"] if "calendar_year" in ledger
                else settings.evaluation_year + ledger["year"])
    first = int(calendar.min()) if len(ledger) else settings.evaluation_year
    last = int(calendar.max()) if len(ledger) else settings.evaluation_year + \
        settings.horizon_years
    years = np.arange(first, last + 1)
    ledger = ledger.assign(_calendar=calendar)
    rank = _ranks(result)
    currency = _currency(result)
    order = {b: i for i, b in enumerate(result.ranking.index)}
    for bidder in sorted(_bidders(result), key=lambda b: order.get(b, len(order))):
        rows = ledger[ledger["bidder"] == bidder]
        per_year = rows.groupby("_calendar")["present_value"].sum().reindex(years,
                                                                            fill_value=0.0)
        cumulative = per_year.cumsum().to_numpy() / 1e6
        prefix = _rank_prefix(rank.get(bidder))
        total = float(result.ranking.loc[bidder, "lcc_npv"]) if bidder in result.ranking.index \
            else cumulative[-1]
        if not (np.isfinite(cumulative).all() and np.isfinite(total)):
            # a line to infinity cannot be drawn: say so in the legend
            ax.plot([], [], color=colours[bidder],
                    label=f"{prefix}{bidder}: LCC NPV not finite (not drawn)")
            continue
        # each calendar year's level drawn over that year, the last one included
        ax.step(np.append(years, last + 1), np.append(cumulative, cumulative[-1]),
                where="post", color=colours[bidder],
                label=f"{prefix}{bidder}: {currency} {cumulative[-1]:,.1f} million")
    ax.set_xlabel(f"Calendar year (t = 0 in {settings.evaluation_year})")
    ax.set_ylabel(f"Cumulative present value [{_currency(result)} million]")
    ax.set_title("Cumulative discounted life-cycle cost")
    ax.set_xlim(first, last + 1)
    ax.set_ylim(bottom=0)
    _millions_axis(ax.yaxis)
    _year_axis(ax.xaxis)
    _legend_outside(ax, ncol=1)
    return ax


def _plain_years():
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    return FuncFormatter(lambda x, _pos: f"{x:.0f}")


def _year_axis(axis):
    """Whole calendar years as ticks (never 2032.5 printed as "2032"), no thousands comma."""
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(_plain_years())


def _count_axis(axis):
    """Whole numbers as ticks (units, draws), with thousands separators."""
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    axis.set_major_locator(MaxNLocator(integer=True))
    _thousands_axis(axis)


def has_demand(result):
    """True if the tender gives a demand (``[tender.demand]`` with a level above 0).

    Parameters
    ----------
    result : fleetcalc.EvaluationResult

    Returns
    -------
    bool
    """
    demand = getattr(result.tender.tender, "demand", None)
    if demand is None:
        return False
    frame = _optional(result, "fleet_years")
    if frame is not None and "demand" in frame:
        return bool((frame["demand"] > 0).any())
    return True


@_styled
def pv_by_category_bars(result, *, ax=None):
    """Stacked bars of each bid's present value by cost category.

    Costs stack above zero, negative items (residual value) below it; a
    diamond marks each bid's net total. When the evaluated cost differs from
    the LCC NPV, the difference is a hatched *Adjustments* segment and the
    total is the evaluated cost. Bids in rank order;
    unranked (non-responsive) bids are labelled ``NR``.

    Parameters
    ----------
    result : fleetcalc.EvaluationResult
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    ranking = result.ranking
    bidders = list(ranking.index)
    frame = result.pv_by_category.reindex(bidders) / 1e6
    adjusted = "lcc_npv" in ranking and not np.allclose(
        ranking["evaluated_cost"], ranking["lcc_npv"], rtol=0, atol=0.5, equal_nan=True)
    if adjusted:  # the bars then add up to the evaluated cost that ranks the bids
        frame["adjustments"] = (ranking["evaluated_cost"] - ranking["lcc_npv"]) / 1e6
    # A bid whose cost is not finite gets no bar (it cannot be drawn), only a label.
    broken = ~np.isfinite(frame.to_numpy(dtype=float)).all(axis=1) | ~np.isfinite(
        ranking["evaluated_cost"].to_numpy(dtype=float))
    frame = frame.where(~np.repeat(broken[:, None], frame.shape[1], axis=1), 0.0)
    categories = [c for c in frame.columns if np.any(frame[c].to_numpy() != 0)]
    x = np.arange(len(bidders))
    positive = np.zeros(len(bidders))
    negative = np.zeros(len(bidders))
    fallback = iter(OKABE_ITO)
    for category in categories:
        values = frame[category].to_numpy(dtype=float)
        up = np.where(values > 0, values, 0.0)
        down = np.where(values < 0, values, 0.0)
        colour = _CATEGORY_COLOURS.get(category) or next(fallback, "#777777")
        label = category.replace("_", " ").capitalize()
        hatch = "xx" if category == "adjustments" else None
        ax.bar(x, up, bottom=positive, color=colour, width=0.6, label=label,
               edgecolor="white", linewidth=0.5, hatch=hatch)
        if np.any(down < 0):
            ax.bar(x, down, bottom=negative, color=colour, width=0.6, edgecolor="white",
                   linewidth=0.5, hatch=hatch or "//")
        positive += up
        negative += down
    totals = np.where(broken, np.nan, frame.sum(axis=1).to_numpy())
    ax.scatter(x, totals, marker="D", color="black", zorder=3, s=28,
               label="Net total (evaluated cost)" if adjusted else "Net total (LCC NPV)")
    for xi, total, top, not_finite in zip(x, totals, positive, broken):
        ax.annotate("cost not finite\n(not drawn)" if not_finite else f"{total:,.1f}",
                    (xi, top), xytext=(0, 3), textcoords="offset points", ha="center",
                    va="bottom", fontsize=9, fontweight="bold",
                    color="#D55E00" if not_finite else "black")
    ax.axhline(0, color="black", linewidth=0.8)
    rank = _ranks(result)
    width = 22 if len(bidders) <= 3 else 14
    ax.set_xticks(x, [f"{_rank_prefix(rank.get(b))}{_short(b, width)}" for b in bidders],
                  fontsize=9 if len(bidders) > 3 else None)
    ax.set_ylabel(f"Present value [{_currency(result)} million]")
    ax.set_title("Present value by cost category")
    top = positive.max() * 1.1 if len(x) else 0.0
    ax.set_ylim(min(negative.min() * 1.3, 0), top if top > 0 else 1.0)
    ax.set_xlim(-0.6, len(bidders) - 0.4)
    _millions_axis(ax.yaxis)
    handles, labels = ax.get_legend_handles_labels()
    # Legend right of the plot (stack order: top entry = top segment), never over bars.
    ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0),
              fontsize=8)
    return ax


@_styled
def available_vs_demand(result, *, ax=None):
    """Available locomotives of each bid against the demand, by year.

    Needs ``result.fleet_years`` (``bidder, year, calendar_year, demand,
    available_units, ...``).

    Parameters
    ----------
    result : fleetcalc.EvaluationResult
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the result has no ``fleet_years``.
    """
    frame = _optional(result, "fleet_years")
    if frame is None:
        raise ValueError("available_vs_demand needs result.fleet_years, which is absent")
    ax = _axes(ax)
    colours = bid_colours(result)
    x_column = "calendar_year" if "calendar_year" in frame else "year"
    def steps(x, y):  # each year's level drawn over that year, the last one included
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        return (np.append(x, x[-1] + 1), np.append(y, y[-1])) if len(x) else (x, y)

    styles = ("-", "--", ":", "-.")  # bids with the same fleet stay visible
    for i, (bidder, rows) in enumerate(frame.groupby("bidder", sort=False)):
        rows = rows.sort_values(x_column)
        ax.plot(*steps(rows[x_column], rows["available_units"]),
                color=colours.get(bidder, "#777777"), label=str(bidder), drawstyle="steps-post",
                linestyle=styles[i % len(styles)])
    demand_given = has_demand(result)
    if demand_given:
        demand = frame.groupby(x_column)["demand"].max().sort_index()
        ax.plot(*steps(demand.index, demand.to_numpy()), color="black", linestyle="--",
                linewidth=1.5, label="Demand", drawstyle="steps-post")
    ax.set_xlabel("Calendar year" if x_column == "calendar_year" else "Year t")
    ax.set_ylabel("Locomotives [units]")
    ax.set_title("Available locomotives against demand" if demand_given
                 else "Available locomotives (the tender gives no demand)")
    ax.set_ylim(bottom=0)
    _count_axis(ax.yaxis)
    _year_axis(ax.xaxis)
    _legend_outside(ax, ncol=min(frame["bidder"].nunique() + demand_given, 3))
    return ax


@_styled
def fleet_age_profile(result, *, ax=None):
    """Mean age of each bid's fleet (unit-weighted over cohorts) by year.

    Needs ``result.fleet`` (``bidder, year, cohort, units, mean_age, ...``).

    Parameters
    ----------
    result : fleetcalc.EvaluationResult
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the result has no ``fleet``.
    """
    frame = _optional(result, "fleet")
    if frame is None:
        raise ValueError("fleet_age_profile needs result.fleet, which is absent")
    ax = _axes(ax)
    colours = bid_colours(result)
    x_column = "calendar_year" if "calendar_year" in frame else "year"
    frame = frame.assign(_weighted=frame["units"] * frame["mean_age"])
    styles = ("-", "--", ":", "-.")  # bids with the same profile stay visible
    for i, (bidder, rows) in enumerate(frame.groupby("bidder", sort=False)):
        by_year = rows.groupby(x_column)[["_weighted", "units"]].sum()
        by_year = by_year[by_year["units"] > 0]
        mean_age = by_year["_weighted"] / by_year["units"]
        ax.plot(by_year.index.to_numpy(), mean_age.to_numpy(),
                color=colours.get(bidder, "#777777"), label=str(bidder),
                linestyle=styles[i % len(styles)], linewidth=2.0)
    ax.set_xlabel("Calendar year" if x_column == "calendar_year" else "Year t")
    ax.set_ylabel("Mean age of units in service [year]")
    ax.set_title("Fleet age profile")
    ax.set_ylim(bottom=0)
    _year_axis(ax.xaxis)
    _legend_outside(ax)
    return ax


def _draw_bidders(result, simulation, n_columns):
    names = getattr(simulation, "bidders", None)
    if names is not None and len(names) == n_columns:
        return [str(b) for b in names]
    return _bidders(result)[:n_columns]


@_styled
def evaluated_cost_distribution(result, *, ax=None, simulation=None):
    """Distribution of each bid's evaluated cost over the Monte Carlo draws.

    Needs ``result.simulation.draws_evaluated_cost`` (draws x bids, bids in
    tender order). Dashed lines mark each bid's median.

    Parameters
    ----------
    result : fleetcalc.EvaluationResult
    ax : matplotlib.axes.Axes, optional
    simulation : object, optional
        The simulation (default: ``result.simulation``).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If there is no simulation.
    """
    simulation = _simulation(result, simulation)
    draws = getattr(simulation, "draws_evaluated_cost", None)
    if draws is None or np.size(draws) == 0:
        raise ValueError("evaluated_cost_distribution needs a simulation with "
                         "draws_evaluated_cost, which is absent")
    ax = _axes(ax)
    draws = np.asarray(draws, dtype=float).reshape(len(draws), -1) / 1e6
    bidders = _draw_bidders(result, simulation, draws.shape[1])
    colours = bid_colours(result)
    finite = draws[np.isfinite(draws)]
    bins = np.histogram_bin_edges(finite, bins=min(60, max(10, int(np.sqrt(len(draws))))))
    for j, bidder in enumerate(bidders):
        colour = colours.get(bidder, OKABE_ITO[j % 7])
        column = draws[:, j][np.isfinite(draws[:, j])]
        ax.hist(column, bins=bins, color=colour, alpha=0.30, label=None)
        ax.hist(column, bins=bins, color=colour, histtype="step", linewidth=1.5,
                label=str(bidder))
        ax.axvline(np.median(column), color=colour, linestyle="--", linewidth=1.2)
    ax.set_xlabel(f"Evaluated cost [{_currency(result)} million]")
    ax.set_ylabel("Draws [count]")
    ax.set_title(f"Evaluated cost over {len(draws):,} draws (dashed: median)")
    _thousands_axis(ax.xaxis)
    _count_axis(ax.yaxis)
    _legend_outside(ax)
    return ax


@_styled
def tornado(result, *, ax=None, simulation=None, bidder=None, top=10):
    """Tornado chart: evaluated cost of one bid at each input's low and high.

    Needs ``result.simulation.tornado`` (``input, bidder, low, high,
    swing``). Bars run from the low-input to the high-input cost, around the
    bid's deterministic evaluated cost; largest swing on top.

    Parameters
    ----------
    result : fleetcalc.EvaluationResult
    ax : matplotlib.axes.Axes, optional
    simulation : object, optional
        The simulation (default: ``result.simulation``).
    bidder : str, optional
        The bid to show (default: the rank-1 bid).
    top : int, optional
        Number of inputs shown (largest swings).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If there is no tornado table, or none for ``bidder``.
    """
    simulation = _simulation(result, simulation)
    frame = getattr(simulation, "tornado", None)
    if frame is None or getattr(frame, "empty", True):
        raise ValueError("tornado needs a simulation with a tornado table, which is absent")
    bidder = bidder if bidder is not None else result.ranking.index[0]
    rows = frame[frame["bidder"] == bidder]
    if rows.empty:
        raise ValueError(f"the tornado table has no rows for bidder {bidder!r}")
    # largest absolute swing on top; inputs that do not move this bid are left out
    rows = rows[rows["swing"].abs() > 0]
    rows = rows.reindex(rows["swing"].abs().sort_values(ascending=False).index)
    rows = rows.head(top).iloc[::-1]
    ax = _axes(ax, figsize=(8.0, 1.2 + 0.42 * len(rows)))
    base = float(result.ranking.loc[bidder, "evaluated_cost"]) / 1e6
    low = rows["low"].to_numpy(dtype=float) / 1e6
    high = rows["high"].to_numpy(dtype=float) / 1e6
    y = np.arange(len(rows))
    # Sky blue and vermilion: not the first bids' colours, so not read as bids.
    ax.barh(y, low - base, left=base, color="#56B4E9", height=0.6, label="Input at low value")
    ax.barh(y, high - base, left=base, color="#D55E00", height=0.6,
            label="Input at high value")
    ax.axvline(base, color="black", linewidth=1)
    ax.set_yticks(y, [_short(i, 34) for i in rows["input"]])
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_xlabel(f"Evaluated cost of {bidder} [{_currency(result)} million]")
    ax.set_title(f"Sensitivity of {_short(bidder, 40)}'s evaluated cost")
    _thousands_axis(ax.xaxis, decimals=0)
    _legend_outside(ax, ncol=2)
    return ax


#: Short labels of the adjustment lines of
#: :func:`fleetcalc.evaluation_table.decisive_lines`.
_LINE_LABELS = {
    "domestic_preference": "Domestic preference margin",
    "correction_discount": "Correction and discount (as paid)",
    "commercial": "Commercial and payment terms",
    "other": "Other priced lines",
    "quantity": "Quantity normalisation",
}

#: Colours of the waterfall: the locomotive (life-cycle cost), a rule, the net difference.
_KIND_COLOURS = {"life_cycle": "#0072B2", "rule": "#E69F00", "net": "#000000"}


def decisive_line_label(item):
    """A short label of one line of a decisive-lines decomposition.

    Parameters
    ----------
    item : dict
        ``{"line", "label", "kind", ...}`` of ``decisive_lines(result)[i]["by_line"]``.

    Returns
    -------
    str
        ``"Acquisition"`` for a life-cycle category, ``"Domestic preference margin"``, ...
    """
    line = item["line"]
    if line.startswith("lcc_"):
        return line[4:].replace("_", " ").capitalize()
    return _LINE_LABELS.get(line, str(item["label"]))


@_styled
def decisive_lines_waterfall(result, pair=0, *, ax=None, pairs=None):
    """Waterfall of the evaluated-cost difference between two ranked bids, by line.

    The bars step from zero through each cost category and adjustment line
    of :func:`fleetcalc.reports.evaluation_table.decisive_lines` (the worse
    bid's amount less the better bid's), largest first; the last bar is the
    net difference of the evaluated costs. Blue: life-cycle cost (the
    locomotive); orange: an evaluation rule; a hatched bar is a line that
    alone would swap the two bids.

    Parameters
    ----------
    result : fleetcalc.EvaluationResult
    pair : int, optional
        Index into ``decisive_lines(result)`` (0: rank 1 against rank 2).
    ax : matplotlib.axes.Axes, optional
    pairs : list of dict, optional
        ``decisive_lines(result)``, if already computed.

    Returns
    -------
    matplotlib.axes.Axes
        Lines on y, difference [base currency million] on x.

    Raises
    ------
    IndexError
        If there is no such pair (fewer than two ranked bids).
    """
    if pairs is None:
        from fleetcalc.reports.evaluation_table import decisive_lines  # noqa: PLC0415

        pairs = decisive_lines(result)
    item = pairs[pair]
    lines = sorted(item["by_line"], key=lambda x: -abs(x["difference"]))
    decisive = {d["line"] for d in item["decisive"]}
    n = len(lines) + 1
    ax = _axes(ax, figsize=(8.0, 1.6 + 0.36 * n))
    currency = _currency(result)
    y = np.arange(n)[::-1]  # first line on top, the net difference at the bottom
    start = 0.0
    for yi, line in zip(y, lines):
        value = line["difference"] / 1e6
        ax.barh(yi, value, left=start, height=0.62, color=_KIND_COLOURS[line["kind"]],
                edgecolor="black" if line["line"] in decisive else "white",
                hatch="//" if line["line"] in decisive else None, linewidth=0.6)
        end = start + value
        ax.annotate(f"{value:+,.2f}", (max(start, end), yi), xytext=(3, 0),
                    textcoords="offset points", va="center", ha="left", fontsize=8)
        if yi > 0:  # connector to the next bar
            ax.plot([end, end], [yi - 0.31, yi - 0.69], color="#777777", linewidth=0.7)
        start = end
    net = item["difference"] / 1e6
    ax.barh(0, net, left=0.0, height=0.62, color=_KIND_COLOURS["net"])
    ax.annotate(f"{net:+,.2f}", (max(net, 0.0), 0), xytext=(3, 0), textcoords="offset points",
                va="center", ha="left", fontsize=8, fontweight="bold")
    labels = [("\u2605 " if line["line"] in decisive else "") + decisive_line_label(line)
              for line in lines] + ["Net difference (evaluated cost)"]
    ax.set_yticks(y, [_short(label, 32) for label in labels], fontsize=9)
    ax.get_yticklabels()[-1].set_fontweight("bold")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_xlabel(f"{_short(item['worse'], 40)} minus {_short(item['better'], 40)}: "
                  f"evaluated cost [{currency} million]")
    ax.set_title(f"Why {_short(item['better'], 36)} ranks before {_short(item['worse'], 36)}")
    _thousands_axis(ax.xaxis, decimals=0)
    left, right = ax.get_xlim()
    ax.set_xlim(left - 0.02 * (right - left), right + 0.12 * (right - left))  # value labels
    from matplotlib.patches import Patch  # noqa: PLC0415

    handles = [Patch(color=_KIND_COLOURS["life_cycle"], label="Life-cycle cost (locomotive)"),
               Patch(color=_KIND_COLOURS["rule"], label="Evaluation rule"),
               Patch(color=_KIND_COLOURS["net"], label="Net difference")]
    if decisive:
        handles.append(Patch(facecolor="white", edgecolor="black", hatch="//",
                             label="\u2605 alone swaps the two bids"))
    from matplotlib.transforms import offset_copy  # noqa: PLC0415

    # below the axis label, at the same distance whatever the number of lines
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.0), ncol=2, fontsize=8,
              bbox_transform=offset_copy(ax.transAxes, fig=ax.figure, y=-34, units="points"))
    return ax


def available_charts(result, *, simulation=None):
    """Names and functions of the charts whose inputs exist.

    Parameters
    ----------
    result : fleetcalc.EvaluationResult
    simulation : object, optional
        Default: ``result.simulation``.

    Returns
    -------
    dict
        ``{name: callable(ax=None) -> Axes}``, in report order; ``decisive_lines_<n>``
        is the waterfall of the n-th pair of
        :func:`fleetcalc.evaluation_table.decisive_lines`
        (:func:`decisive_lines_waterfall`).
    """
    simulation = _simulation(result, simulation)
    charts = {
        "pv_by_category": lambda ax=None: pv_by_category_bars(result, ax=ax),
        "cumulative_discounted_cost": lambda ax=None: cumulative_discounted_cost(result, ax=ax),
    }
    if _optional(result, "fleet_years") is not None:
        charts["available_vs_demand"] = lambda ax=None: available_vs_demand(result, ax=ax)
    if _optional(result, "fleet") is not None:
        charts["fleet_age_profile"] = lambda ax=None: fleet_age_profile(result, ax=ax)
    if simulation is not None:
        draws = getattr(simulation, "draws_evaluated_cost", None)
        if draws is not None and np.size(draws) > 0:
            charts["evaluated_cost_distribution"] = lambda ax=None: evaluated_cost_distribution(
                result, ax=ax, simulation=simulation)
        table = getattr(simulation, "tornado", None)
        if (table is not None and not table.empty
                and (table["bidder"] == result.ranking.index[0]).any()):
            charts["tornado"] = lambda ax=None: tornado(result, ax=ax, simulation=simulation)
    for i in range(len(_decisive_pairs(result))):
        charts[f"decisive_lines_{i + 1}"] = (
            lambda ax=None, i=i: decisive_lines_waterfall(result, i, ax=ax))
    return charts


def _decisive_pairs(result):
    """``decisive_lines(result)``, or none when the result cannot give them (no ranked pair,
    costs that are not finite, a result without the evaluation table's inputs)."""
    from fleetcalc.reports.evaluation_table import decisive_lines  # noqa: PLC0415

    if not table_adds_up(result):
        return []
    return decisive_lines(result)


def table_adds_up(result):
    """True if the bid evaluation table adds up to the ranking's evaluated costs.

    The rows marked ``in_total`` must add up to each bid's evaluated price, and
    with the domestic preference to its ``evaluated_cost`` (to the currency
    unit), with every cost finite: a decomposition that does not add up (a
    result altered after :func:`fleetcalc.evaluate`) is not drawn.

    Parameters
    ----------
    result : fleetcalc.EvaluationResult

    Returns
    -------
    bool
    """
    from fleetcalc.reports.evaluation_table import evaluation_table  # noqa: PLC0415

    ranking = result.ranking
    if "evaluated_cost_before_preference" not in ranking or "domestic_preference" not in ranking:
        return False
    try:
        table = evaluation_table(result)
    except (KeyError, AttributeError, TypeError, ValueError):
        return False
    bidders = [c for c in table.columns if c not in ("label", "section", "in_total")]
    parts = table.loc[table["in_total"], bidders].astype(float).sum()
    total = parts + table.loc["domestic_preference", bidders].astype(float).fillna(0.0)
    cost = ranking["evaluated_cost"].reindex(bidders).astype(float)
    before = table.loc["evaluated_price", bidders].astype(float)
    return bool(np.isfinite(cost).all() and np.allclose(parts, before, rtol=0, atol=1.0)
                and np.allclose(total, cost, rtol=0, atol=1.0))


def render_png(draw):
    """Draw one chart on a new figure and return its PNG bytes.

    Parameters
    ----------
    draw : callable
        ``draw(ax=None) -> Axes``, e.g. a value of :func:`available_charts`.

    Returns
    -------
    bytes
    """
    import io  # noqa: PLC0415

    ax = draw()
    buffer = io.BytesIO()
    with _matplotlib().rc_context(_STYLE):
        ax.figure.savefig(buffer, format="png")
    return buffer.getvalue()


def save_charts(result, directory, *, simulation=None):
    """Write a PNG of every chart whose inputs exist.

    Parameters
    ----------
    result : fleetcalc.EvaluationResult
    directory : str or os.PathLike
        Created if missing; files are ``<chart name>.png``.
    simulation : object, optional
        Default: ``result.simulation``.

    Returns
    -------
    list of pathlib.Path
        The files written, in report order.

    Examples
    --------
    >>> import tempfile, fleetcalc
    >>> result = fleetcalc.evaluate(fleetcalc.load_tender(
    ...     "examples/pakistan_locomotives_2026.toml"))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in save_charts(result, tmp)][:2]
    ['pv_by_category.png', 'cumulative_discounted_cost.png']
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, draw in available_charts(result, simulation=simulation).items():
        path = directory / f"{name}.png"
        path.write_bytes(render_png(draw))
        paths.append(path)
    return paths
