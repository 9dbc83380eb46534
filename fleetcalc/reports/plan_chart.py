"""Chart of a renewal plan: the fleet by cohort over time against demand."""

from __future__ import annotations

import numpy as np

from fleetcalc.reports.charts import _axes, _styled

__all__ = ["plan_chart"]


@_styled
def plan_chart(result, *, ax=None):
    """Stacked units in service by cohort and new type, per calendar year, with demand.

    Parameters
    ----------
    result : fleetcalc.PlanResult
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure (Agg canvas, no display).

    Returns
    -------
    matplotlib.figure.Figure
        Save it with ``figure.savefig("plan.png")``.

    Examples
    --------
    >>> import fleetcalc  # doctest: +SKIP
    >>> figure = plan_chart(fleetcalc.plan(fleetcalc.load_tender(
    ...     "examples/pakistan_locomotives_2026.toml")))  # doctest: +SKIP
    """
    own = ax is None
    ax = _axes(ax, figsize=(10.0, 5.5))
    fleet = result.fleet
    years = result.years["calendar_year"].to_numpy()
    columns = [c for c in fleet.columns if fleet[c].any()]
    bottom = np.zeros(len(years))
    for name in columns:
        units = fleet[name].to_numpy(dtype=float)
        ax.bar(years, units, bottom=bottom, width=0.9, label=name, linewidth=0)
        bottom += units
    ax.step(years, result.years["demand"].to_numpy(), where="mid", color="black",
            linewidth=2.0, label="demand (units needed in service)")
    ax.set_xlabel("year")
    ax.set_ylabel("units in service")
    ax.set_title(f"Renewal plan: fleet by cohort against demand (confidence "
                 f"{result.confidence:g})", loc="left")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8,
              frameon=False)
    if own:
        ax.figure.set_layout_engine("constrained")
    return ax.figure
