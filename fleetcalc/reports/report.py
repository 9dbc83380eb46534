"""The full report of an evaluation: HTML, workbook and charts in one directory.

Also the ``fleetcalc report`` command: :func:`add_report_parser` adds it to
the command line's sub-parsers and :func:`run_report` runs it.
"""

from __future__ import annotations

from pathlib import Path

from fleetcalc.cli_common import whole_number

__all__ = ["write_report", "simulate_for_report", "add_report_parser", "run_report"]


def write_report(result, directory, *, source_bytes=None, simulation=None):
    """Write ``report.html``, ``evaluation.xlsx`` and ``charts/*.png``.

    Parameters
    ----------
    result : fleetcalc.EvaluationResult
    directory : str or os.PathLike
        Output directory (created if missing; files in it are overwritten).
    source_bytes : bytes, optional
        The tender file's bytes; the HTML footer shows their SHA-256.
    simulation : object, optional
        Monte Carlo result (default: ``result.simulation`` if present).

    Returns
    -------
    dict of str to pathlib.Path
        ``{"html": ..., "workbook": ..., "chart:<name>": ...}``.

    Examples
    --------
    >>> import tempfile, fleetcalc
    >>> result = fleetcalc.evaluate(fleetcalc.load_tender(
    ...     "examples/pakistan_locomotives_2026.toml"))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = write_report(result, tmp)
    ...     [paths["html"].name, paths["workbook"].name, paths["chart:pv_by_category"].name]
    ['report.html', 'evaluation.xlsx', 'pv_by_category.png']
    """
    from fleetcalc.reports.charts import save_charts  # noqa: PLC0415
    from fleetcalc.reports.excel import write_workbook  # noqa: PLC0415
    from fleetcalc.reports.html import write_html  # noqa: PLC0415

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "html": write_html(result, directory / "report.html", source_bytes=source_bytes,
                           simulation=simulation),
        "workbook": write_workbook(result, directory / "evaluation.xlsx",
                                   simulation=simulation),
    }
    for path in save_charts(result, directory / "charts", simulation=simulation):
        paths[f"chart:{path.stem}"] = path
    return paths


def add_report_parser(subparsers):
    """Add the ``report`` command to the ``fleetcalc`` sub-parsers.

    ``fleetcalc report TENDER.toml --output DIR [--draws N] [--seed S]``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From ``parser.add_subparsers(...)``.

    Returns
    -------
    argparse.ArgumentParser
        The ``report`` parser.
    """
    parser = subparsers.add_parser(
        "report", help="write an HTML report, an Excel workbook and charts",
        description="Evaluate a tender file and write DIR/report.html, DIR/evaluation.xlsx "
                    "(with live discounting formulas) and DIR/charts/*.png.")
    parser.add_argument("tender", type=Path, help="tender file (TOML)")
    parser.add_argument("--output", "-o", type=Path, required=True, metavar="DIR",
                        help="directory to write the report into (created if missing)")
    parser.add_argument("--draws", type=whole_number(minimum=1), default=None, metavar="N",
                        help="Monte Carlo draws of the tender's [[uncertainty]]: adds the "
                             "uncertainty section, the distribution and tornado charts and "
                             "the Simulation sheet")
    parser.add_argument("--seed", type=whole_number(minimum=0), default=0, metavar="S",
                        help="random seed of the Monte Carlo draws (default 0)")
    return parser


def simulate_for_report(tender, *, draws, seed):
    """Monte Carlo result with its tornado table attached, as the report shows them.

    Parameters
    ----------
    tender : fleetcalc.Tender
        A tender with ``[[uncertainty]]`` entries.
    draws, seed : int
        Number of draws and random seed (:func:`fleetcalc.simulation.simulate`).

    Returns
    -------
    fleetcalc.simulation.SimulationResult
        With ``tornado`` set (:func:`fleetcalc.sensitivity.tornado`).
    """
    import attrs  # noqa: PLC0415

    from fleetcalc.sensitivity import tornado  # noqa: PLC0415
    from fleetcalc.simulation import build_model, simulate  # noqa: PLC0415

    model = build_model(tender)
    result = simulate(tender, draws=draws, seed=seed, model=model)
    return attrs.evolve(result, tornado=tornado(tender, model=model))


def run_report(args, stdout, stderr):
    """Run ``fleetcalc report``: evaluate, write the report, list the files.

    Parameters
    ----------
    args : argparse.Namespace
        ``tender``, ``output``, ``draws``, ``seed``.
    stdout, stderr : file-like
        Paths written go to ``stdout``, warnings and notes to ``stderr``.

    Returns
    -------
    int
        0.

    Raises
    ------
    fleetcalc.TenderError
        If the tender file has problems (the command line reports them).
    OSError
        If a file cannot be read or written.
    """
    from fleetcalc.evaluate import evaluate  # noqa: PLC0415

    from fleetcalc.cli_common import quiet_tender_warnings, read_tender_reporting  # noqa: PLC0415

    source_bytes = Path(args.tender).read_bytes()
    tender = read_tender_reporting(args.tender, stderr)
    with quiet_tender_warnings():
        result = evaluate(tender)
    simulation = None
    if getattr(args, "draws", None):
        if result.tender.uncertainty:
            with quiet_tender_warnings():
                simulation = simulate_for_report(result.tender, draws=args.draws,
                                                 seed=args.seed)
        else:
            print("note: the tender has no [[uncertainty]] entries; the report has no "
                  "uncertainty section", file=stderr)
    paths = write_report(result, args.output, source_bytes=source_bytes,
                         simulation=simulation)
    for path in paths.values():
        print(path, file=stdout)
    return 0
