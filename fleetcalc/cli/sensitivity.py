"""``fleetcalc sensitivity``: tornado table and switching values of the uncertain inputs.

``fleetcalc sensitivity TENDER.toml [--format table|json|csv] [-o FILE
[--force]]`` runs :func:`fleetcalc.sensitivity.tornado` and
:func:`fleetcalc.sensitivity.switching_values`. In the table, inputs that
move no bid's cost are folded into one summary line, and each input's low
and high values are shown on its own scale: a multiplier of the point value
(``×0.94``) for a relative input, the value itself for an absolute one.
"""

from __future__ import annotations

import json

from fleetcalc.cli.common import (
    bid_order,
    check_output,
    emit,
    quiet_tender_warnings,
    read_tender_reporting,
    require_uncertainty,
)

__all__ = ["run_sensitivity", "format_sensitivity", "tornado_frame"]


def _money(value):
    return f"{value / 1e6:,.1f}"


def _on_scale(value, scale):
    """An input value as shown: ``×0.936`` (relative: multiplier of the point) or ``0.0031``.

    Examples
    --------
    >>> _on_scale(0.93591, "relative"), _on_scale(257.08, "absolute")
    ('×0.936', '257.1')
    """
    if value != value:  # NaN
        return "-"
    return f"×{value:.3g}" if scale == "relative" else f"{value:.4g}"


def _zero(swing, low, high):
    return abs(swing) <= 1e-9 * max(abs(low), abs(high), 1.0)


def tornado_frame(tornado_table, switching_table, order):
    """The tornado table with each input's ``scale``, bids in ``order`` within each input.

    Parameters
    ----------
    tornado_table, switching_table : pandas.DataFrame
        From :func:`fleetcalc.sensitivity.tornado` and
        :func:`~fleetcalc.sensitivity.switching_values`.
    order : list of str
        Bidders in rank order; ``"gap"`` rows come last in each input.

    Returns
    -------
    pandas.DataFrame
        ``input``, ``scale``, ``bidder``, ``input_low``, ``input_high``
        (relative inputs: multipliers of the point value), ``low``,
        ``high``, ``swing`` [base currency].
    """
    scales = dict(zip(switching_table["input"], switching_table["scale"]))
    position = {name: k for k, name in enumerate([*order, "gap"])}
    inputs = {name: k for k, name in enumerate(dict.fromkeys(tornado_table["input"]))}
    frame = tornado_table.copy()
    frame.insert(1, "scale", [scales.get(i, "") for i in frame["input"]])
    keys = [(inputs[i], position.get(b, len(position))) for i, b in
            zip(frame["input"], frame["bidder"])]
    frame = frame.iloc[sorted(range(len(frame)), key=keys.__getitem__)]
    return frame.reset_index(drop=True)


def format_sensitivity(tornado_table, switching_table, *, currency, order=None, width=100):
    """Tornado and switching values as text tables for people.

    Parameters
    ----------
    tornado_table, switching_table : pandas.DataFrame
        From :func:`fleetcalc.sensitivity.tornado` and
        :func:`~fleetcalc.sensitivity.switching_values`.
    currency : str
        The base currency.
    order : list of str, optional
        Bidders in rank order (default: as in the table).
    width : int, optional
        Columns available.

    Returns
    -------
    str
        Rows whose cost does not move are left out; inputs that move no
        cost at all are listed on one line.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"input": ["x", "x", "y", "y"], "bidder": ["A", "gap"] * 2,
    ...                   "input_low": [0.9, 0.9, 2.0, 2.0], "input_high": [1.1, 1.1, 3.0, 3.0],
    ...                   "low": [1e6, 0.0, 5e6, 0.0], "high": [2e6, 0.0, 5e6, 0.0],
    ...                   "swing": [1e6, 0.0, 0.0, 0.0]})
    >>> s = pd.DataFrame({"input": ["x", "y"], "scale": ["relative", "absolute"],
    ...                   "point": [1.0, 2.5], "range_low": [0.8, 2.0], "range_high": [1.2, 3.0],
    ...                   "value": [float("nan")] * 2, "best": ["A"] * 2, "second": ["B"] * 2,
    ...                   "note": ["no switch within the range"] * 2})
    >>> text = format_sensitivity(t, s, currency="USD")
    >>> "×0.9" in text and "Inputs that move no bid's cost (1): y" in text
    True
    """
    from fleetcalc.reports.table import render, text_table  # noqa: PLC0415

    order = list(dict.fromkeys(tornado_table["bidder"])) if order is None else list(order)
    ordered = tornado_frame(tornado_table, switching_table, [b for b in order if b != "gap"])
    rows, still = [], []
    for name, block in ordered.groupby("input", sort=False):
        moving = block[[not _zero(r.swing, r.low, r.high) for r in block.itertuples()]]
        if moving.empty:
            still.append(name)
            continue
        first = block.iloc[0]
        low, high = (_on_scale(first.input_low, first.scale),
                     _on_scale(first.input_high, first.scale))
        for k, row in enumerate(moving.itertuples()):
            label = "gap (2nd − 1st)" if row.bidder == "gap" else row.bidder
            rows.append([(name, f"{low} … {high}") if k == 0 else "", label,
                         _money(row.low), _money(row.high), _money(row.swing)])
    blocks = [f"Tornado: evaluated cost [millions of {currency}] with one input at its P10 "
              "and at its P90, the others at their point values. Under each input, its "
              "P10 … P90: ×0.94 is a multiplier of the point value (a relative input), a "
              "plain number the input's own value. Gap: second best minus best bid. Rows "
              "that do not move are left out.", ""]
    if rows:
        blocks.append(text_table(["Input (P10 … P90)", "Bid", "Cost at P10", "Cost at P90",
                                  "Swing"], rows, align="<<>>>", keep=1))
    if still:
        blocks += ["", f"Inputs that move no bid's cost ({len(still)}): " + ", ".join(still)]
    if len(switching_table):
        first = switching_table.iloc[0]
        blocks += ["", f"Switching values: the input's value at which {first['second']} "
                       f"overtakes {first['best']} (× = multiplier of the point value)", ""]
        srows = []
        for row in switching_table.itertuples():
            value = _on_scale(row.value, row.scale) if row.note == "switch" else row.note
            srows.append([row.input, _on_scale(row.point, row.scale),
                          f"{_on_scale(row.range_low, row.scale)} … "
                          f"{_on_scale(row.range_high, row.scale)}", value])
        blocks.append(text_table(["Input", "Point", "Range", "Switching value"], srows,
                                 align="<>><", keep=1))
    return render(*blocks, width=width)


def run_sensitivity(args, stdout, stderr):
    """Run ``fleetcalc sensitivity``; return the exit status (0).

    Raises
    ------
    TenderError
        If the tender or its uncertainty has problems (the caller reports them).
    UsageError
        If the tender has no ``[[uncertainty]]`` entries (exit 2).
    """
    from fleetcalc.reports.output import csv_text  # noqa: PLC0415
    from fleetcalc.reports.table import terminal_width  # noqa: PLC0415
    from fleetcalc.sensitivity import sensitivity_to_dict, switching_values, tornado  # noqa: PLC0415
    from fleetcalc.simulation import build_model  # noqa: PLC0415

    check_output(args)
    tender = read_tender_reporting(args.tender, stderr)
    require_uncertainty(tender, "analyse")
    with quiet_tender_warnings():
        model = build_model(tender)
        table = tornado(tender, model=model)
        switching = switching_values(tender, model=model)
    order = [model.bidders[k] for k in bid_order(model.bidders, model.point_cost,
                                                  model.responsive)]
    if args.format == "json":
        text = json.dumps(sensitivity_to_dict(table, switching), indent=2, allow_nan=False)
    elif args.format == "csv":
        text = csv_text(tornado_frame(table, switching, order))
    else:
        text = format_sensitivity(
            table, switching, currency=tender.tender.base_currency, order=order,
            width=terminal_width(stdout if getattr(args, "output", None) is None else None))
    emit(text, args, stdout, for_people=args.format == "table")
    return 0
