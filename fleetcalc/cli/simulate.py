"""``fleetcalc simulate``: the Monte Carlo simulation of a tender's bids.

``fleetcalc simulate TENDER.toml --draws N --seed S [--format table|json|csv]
[-o FILE [--force]] [--no-progress] [--scheduler ADDRESS]`` runs
:func:`fleetcalc.simulation.simulate`. Results go to stdout (or
``--output``); the progress bar (rich, only when stderr is a terminal) and
warnings go to stderr. With ``--scheduler`` the draws run on an existing
Dask cluster (:class:`dask.distributed.Client`); the result is the same as a
local run with the same seed.
"""

from __future__ import annotations

from fleetcalc.cli.common import (
    UsageError,
    bid_order,
    check_output,
    emit,
    progress_bar,
    quiet_tender_warnings,
    read_tender_reporting,
    require_uncertainty,
)

__all__ = ["run_simulate", "format_simulation", "simulation_frame", "connect_scheduler"]


def _money(value):
    return f"{value / 1e6:,.1f}"


def simulation_frame(result):
    """One row per bid in rank order (non-responsive last), as ``--format csv`` writes it.

    Parameters
    ----------
    result : fleetcalc.simulation.SimulationResult

    Returns
    -------
    pandas.DataFrame
        ``result.summary`` reordered, with ``rank`` (empty for a
        non-responsive bid) first [base currency; -].
    """
    summary = result.summary
    order = bid_order(result.bidders, result.point_cost, result.responsive)
    frame = summary.iloc[order].reset_index(drop=True)
    ranks = [str(k + 1) if row.responsive else "" for k, row in enumerate(frame.itertuples())]
    frame.insert(0, "rank", ranks)
    return frame


def format_simulation(result, *, width=100):
    """The simulation result as text tables for people [millions of base currency].

    Bids are in rank order at the point values (non-responsive bids last), in
    the summary and in the comparison matrix alike.

    Parameters
    ----------
    result : fleetcalc.simulation.SimulationResult
    width : int, optional
        Columns available: bidder names wrap, nothing is cut.

    Returns
    -------
    str

    Examples
    --------
    >>> import fleetcalc
    >>> from fleetcalc.simulation import simulate
    >>> text = format_simulation(simulate(fleetcalc.load_tender(
    ...     "examples/pakistan_locomotives_2026.toml"), draws=500, seed=1))
    >>> "P(first)" in text
    True
    """
    from fleetcalc.reports.table import render, text_table  # noqa: PLC0415

    currency = result.base_currency
    order = bid_order(result.bidders, result.point_cost, result.responsive)
    summary = result.summary
    rows = []
    rank = 0
    for k in order:
        row = summary.iloc[k]
        rank += bool(row.responsive)
        rows.append([str(rank) if row.responsive else "-", row.bidder, _money(row.point),
                     _money(row["mean"]), _money(row["std"]), _money(row.p10),
                     _money(row.p50), _money(row.p90), f"{row.p_rank_first:.3f}",
                     f"{row.availability_mean:.3f}"])
    table = text_table(["Rank", "Bidder", "Point", "Mean", "Std", "P10", "P50", "P90",
                        "P(first)", "Avail."], rows, align="><" + ">" * 8, keep=2)
    names = [result.bidders[k] for k in order]
    cheaper = result.p_cheaper
    matrix = text_table(
        ["Row cheaper than column"] + names,
        [[a] + ["-" if a == b else f"{cheaper.loc[a, b]:.3f}" for b in names]
         for a in names], align="<" + ">" * len(names), keep=1)
    blocks = [f"Monte Carlo: {result.draws:,} draws, seed {result.seed}; evaluated cost in "
              f"millions of {currency}. Bids in rank order at the point values; "
              "rank - = non-responsive (listed, not ranked).", "", table, "",
              "P(row cheaper than column):", "", matrix, "",
              "Uncertain inputs: " + ", ".join(result.inputs)]
    return render(*blocks, width=width)


def connect_scheduler(address):
    """A :class:`dask.distributed.Client` of the existing Dask cluster at ``address``.

    Raises
    ------
    UsageError
        If Dask is not installed or the scheduler cannot be reached (exit 2).
    """
    try:
        from dask.distributed import Client  # noqa: PLC0415
    except ImportError:
        raise UsageError("--scheduler needs Dask: pip install 'fleetcalc[dask]'") from None
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise UsageError(f"cannot connect to the Dask scheduler at {address}: "
                         f"{exc}") from None


def run_simulate(args, stdout, stderr):
    """Run ``fleetcalc simulate``; return the exit status (0).

    Raises
    ------
    TenderError
        If the tender or its uncertainty has problems (the caller reports them).
    UsageError
        If the tender has no ``[[uncertainty]]`` entries, or ``--scheduler``
        cannot be reached (exit 2).
    """
    import contextlib  # noqa: PLC0415

    from fleetcalc.reports.output import csv_text  # noqa: PLC0415
    from fleetcalc.reports.table import terminal_width  # noqa: PLC0415
    from fleetcalc.simulation import simulate  # noqa: PLC0415

    check_output(args)
    tender = read_tender_reporting(args.tender, stderr)
    require_uncertainty(tender, "simulate")
    scheduler = getattr(args, "scheduler", None)
    with contextlib.ExitStack() as stack:
        client = stack.enter_context(connect_scheduler(scheduler)) if scheduler else None
        update = stack.enter_context(progress_bar(stderr, total=args.draws,
                                                  label="simulating",
                                                  enabled=not args.no_progress))
        with quiet_tender_warnings():
            result = simulate(tender, draws=args.draws, seed=args.seed, progress=update,
                              client=client)
    if args.format == "json":
        text = result.to_json()
    elif args.format == "csv":
        text = csv_text(simulation_frame(result))
    else:
        text = format_simulation(result, width=terminal_width(
            stdout if getattr(args, "output", None) is None else None))
    emit(text, args, stdout, for_people=args.format == "table")
    return 0

