r"""One-at-a-time sensitivity: tornado table and switching values.

For each uncertain input of a tender's ``[[uncertainty]]`` (each drawn
dimension: ``bids[*].x`` inputs that are not ``shared`` give one per bid),
with every other input at its point value:

* :func:`tornado` evaluates every bid at the input's P10 and P90 and
  reports the swing of each bid's evaluated cost and of the gap between the
  two best bids;
* :func:`switching_values` finds the value of the input at which the two
  best bids swap (their evaluated costs tie), with
  :func:`scipy.optimize.brentq` over the input's range, or reports that no
  switch happens within it.

Both evaluate through the deterministic :func:`fleetcalc.evaluate` on a
tender changed with :func:`fleetcalc.uncertainty.with_input` (the single
source of truth, adjustments included); the switching search first brackets
the root on a grid with the fast :class:`~fleetcalc.simulation.SimulationModel`.
A price or exchange-rate path is held at its point (the tender's
escalation): only the level varies.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import optimize

from fleetcalc import sampling
from fleetcalc.evaluate import evaluate
from fleetcalc.simulation import build_model
from fleetcalc.uncertainty import with_input

__all__ = ["NO_SWITCH", "input_range", "best_two", "tornado", "switching_values",
           "sensitivity_to_dict"]

#: Note of an input whose range holds no switch of the two best bids.
NO_SWITCH = "no switch within the range"

#: Probability left out of each tail of an unbounded distribution's range [-].
_TAIL = 0.001

_GRID = 33


def input_range(parameters):
    """Range of an input searched for a switching value, on its own scale.

    The support of a bounded distribution (triangular, uniform, PERT,
    truncated normal); the 0.1 % and 99.9 % quantiles of an unbounded one.

    Examples
    --------
    >>> input_range({"distribution": "pert", "low": 0.6, "mode": 1.0, "high": 1.1})
    (0.6, 1.1)
    >>> [round(x, 4) for x in input_range({"distribution": "normal", "mean": 1.0,
    ...                                    "std": 0.05})]
    [0.8455, 1.1545]
    """
    d = parameters["distribution"]
    if d in ("triangular", "uniform", "pert"):
        return float(parameters["low"]), float(parameters["high"])
    lo = parameters.get("low") if d == "normal" else None
    hi = parameters.get("high") if d == "normal" else None
    q = sampling.quantile(np.array([_TAIL, 1 - _TAIL]), **parameters)
    return (float(lo) if lo is not None else float(q[0]),
            float(hi) if hi is not None else float(q[1]))


def best_two(point_cost, responsive, bidders):
    """Indices of the two lowest-cost responsive bids (best first).

    Examples
    --------
    >>> best_two(np.array([3.0, 1.0, 2.0]), np.array([True, True, True]), "abc")
    (1, 2)
    """
    order = [int(i) for i in np.argsort(point_cost, kind="stable") if responsive[i]]
    if len(order) < 2:
        raise ValueError("sensitivity needs at least two responsive bids, got "
                         f"{len(order)} of {len(bidders)}")
    return order[0], order[1]


def _evaluated(tender, label, value, scale):
    """Evaluated cost of every bid (tender order) with one input set."""
    changed = with_input(tender, label, value, scale=scale)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ranking = evaluate(changed).ranking
    return ranking["evaluated_cost"].reindex([b.bidder for b in tender.bids]).to_numpy(float)


def _brackets(grid, gap, centre):
    """Grid intervals where the gap changes sign, nearest to ``centre`` first."""
    found = [(grid[k], grid[k + 1]) for k in range(len(grid) - 1)
             if np.sign(gap[k]) != np.sign(gap[k + 1]) or gap[k] == 0]
    return sorted(found, key=lambda ab: abs(0.5 * (ab[0] + ab[1]) - centre))


def _first_root(function, brackets):
    """Root of ``function`` in the first bracket whose ends differ in sign (NaN: none)."""
    for a, b in brackets:
        f_a, f_b = function(a), function(b)
        if f_a == 0:
            return a
        if f_b == 0:
            return b
        if np.sign(f_a) != np.sign(f_b):
            return optimize.brentq(function, a, b, xtol=1e-13 * max(abs(a), abs(b), 1.0),
                                   rtol=4 * np.finfo(float).eps)
    return np.nan


def tornado(tender, *, model=None, low=0.10, high=0.90):
    """Swing of each bid's evaluated cost as each input goes from its P10 to its P90.

    Parameters
    ----------
    tender : fleetcalc.Tender
        A tender with ``[[uncertainty]]`` entries.
    model : SimulationModel, optional
        From :func:`fleetcalc.simulation.build_model`, to reuse it.
    low, high : float, optional
        Quantiles of the input [-], default 0.10 and 0.90.

    Returns
    -------
    pandas.DataFrame
        ``input``, ``bidder`` (each bid, and ``"gap"``: the second best bid's
        cost minus the best's, best and second at the point values),
        ``input_low``, ``input_high`` (the input's quantiles on its own scale),
        ``low``, ``high`` (cost at those values) [base currency] and
        ``swing = high - low``; inputs ordered by the absolute swing of the
        gap, largest first.

    Examples
    --------
    >>> import fleetcalc
    >>> table = tornado(fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml"))
    >>> list(table.columns)
    ['input', 'bidder', 'input_low', 'input_high', 'low', 'high', 'swing']
    """
    model = build_model(tender) if model is None else model
    best, second = best_two(model.point_cost, model.responsive, model.bidders)
    rows, order = [], []
    for dim in model.dims:
        x_low, x_high = (float(v) for v in sampling.quantile(np.array([low, high]),
                                                             **dim.parameters))
        c_low = _evaluated(tender, dim.label, x_low, dim.scale)
        c_high = _evaluated(tender, dim.label, x_high, dim.scale)
        gap_low, gap_high = c_low[second] - c_low[best], c_high[second] - c_high[best]
        order.append(abs(gap_high - gap_low))
        block = [(dim.label, bidder, x_low, x_high, c_low[b], c_high[b], c_high[b] - c_low[b])
                 for b, bidder in enumerate(model.bidders)]
        block.append((dim.label, "gap", x_low, x_high, gap_low, gap_high, gap_high - gap_low))
        rows.append(block)
    ranked = [row for k in np.argsort(order, kind="stable")[::-1] for row in rows[k]]
    return pd.DataFrame(ranked, columns=["input", "bidder", "input_low", "input_high", "low",
                                         "high", "swing"])


def switching_values(tender, *, model=None):
    """Value of each input at which the two best bids swap.

    Parameters
    ----------
    tender : fleetcalc.Tender
        A tender with ``[[uncertainty]]`` entries.
    model : SimulationModel, optional
        From :func:`fleetcalc.simulation.build_model`, to reuse it.

    Returns
    -------
    pandas.DataFrame
        ``input``, ``scale``, ``point`` (the input's point value on its
        scale: 1.0 for relative inputs), ``range_low``, ``range_high``
        (:func:`input_range`), ``value`` (the switching value, on the
        input's scale; NaN without a switch), ``best``, ``second`` and
        ``note`` (``"switch"`` or :data:`NO_SWITCH`).

    Notes
    -----
    With :math:`g(x) = C_{second}(x) - C_{best}(x)` (other inputs at their
    point values; :math:`g > 0` at the point), the switching value is the
    root of :math:`g` nearest to the point value within the range. The
    root is bracketed on a grid of 33 values with the fast model, then
    found by :func:`scipy.optimize.brentq` on :math:`g` evaluated by
    :func:`fleetcalc.evaluate`, so that re-evaluating the tender at the
    switching value gives a tie. If :math:`g` keeps its sign over the
    range, the input cannot change the winner on its own (Vose 2008,
    ch. 5; "break-even analysis").

    Examples
    --------
    >>> import fleetcalc
    >>> table = switching_values(fleetcalc.load_tender(
    ...     "examples/pakistan_locomotives_2026.toml"))
    >>> sorted(set(table["note"]) - {"switch", NO_SWITCH})
    []
    """
    model = build_model(tender) if model is None else model
    best, second = best_two(model.point_cost, model.responsive, model.bidders)
    points = model.point_values()
    rows = []
    for i, dim in enumerate(model.dims):
        lo, hi = input_range(dim.parameters)
        point = 1.0 if dim.scale == "relative" else points[i]
        grid = np.linspace(lo, hi, _GRID)
        values = np.tile(np.full(model.n_dims, np.nan), (_GRID, 1))
        values[:, i] = grid
        cost, _ = model.evaluate(values)
        gap = cost[:, second] - cost[:, best]

        def exact_gap(x, dim=dim):
            c = _evaluated(tender, dim.label, x, dim.scale)
            return c[second] - c[best]

        centre = point if np.isfinite(point) else 0.5 * (lo + hi)
        brackets = _brackets(grid, gap, centre)
        if not brackets:
            g_lo, g_hi = exact_gap(lo), exact_gap(hi)
            if np.sign(g_lo) != np.sign(g_hi):
                brackets = [(lo, hi)]
        value = _first_root(exact_gap, brackets)
        if not np.isfinite(value) and brackets:
            # adjustments can move the root out of the fast model's bracket: scan exactly
            exact = np.array([exact_gap(x) for x in grid])
            value = _first_root(exact_gap, _brackets(grid, exact, centre))
        rows.append((dim.label, dim.scale, point, lo, hi, value, model.bidders[best],
                     model.bidders[second], "switch" if np.isfinite(value) else NO_SWITCH))
    return pd.DataFrame(rows, columns=["input", "scale", "point", "range_low", "range_high",
                                       "value", "best", "second", "note"])


def sensitivity_to_dict(tornado_table, switching_table):
    """Both tables as plain Python data (the JSON of ``fleetcalc sensitivity``).

    Returns
    -------
    dict
        ``{"sensitivity": {"tornado": [...], "switching_values": [...]}}``;
        NaN becomes None.

    Examples
    --------
    >>> sensitivity_to_dict(pd.DataFrame({"a": [1.0]}), pd.DataFrame({"b": [np.nan]}))
    {'sensitivity': {'tornado': [{'a': 1.0}], 'switching_values': [{'b': None}]}}
    """
    def records(frame):
        out = []
        for row in frame.to_dict(orient="records"):
            out.append({k: (None if isinstance(v, float) and not np.isfinite(v)
                            else float(v) if isinstance(v, (float, np.floating)) else v)
                        for k, v in row.items()})
        return out

    return {"sensitivity": {"tornado": records(tornado_table),
                            "switching_values": records(switching_table)}}
