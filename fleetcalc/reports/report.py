"""The full report of an evaluation: HTML, workbook and charts in one directory.

The ``fleetcalc report`` command itself is in :mod:`fleetcalc.cli.report` (its
parser in :mod:`fleetcalc.cli.parser`).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["write_report", "simulate_for_report"]


def write_report(result, directory, *, source_bytes=None, simulation=None, force=False,
                 inputs=(), log_entry=None, plan=None, perspectives=None):
    """Write ``report.html``, ``evaluation.xlsx`` and ``charts/*.png``.

    With ``plan``, the report has the fleet-renewal plan (section, sheet and
    ``charts/renewal_plan.png``); the financial and economic views are always
    in, unless ``perspectives=False``.

    The files are first written to a temporary folder inside ``directory``
    and then moved into place. fleetcalc lists the files it wrote in
    ``directory/.fleetcalc-manifest.json`` (:class:`~fleetcalc.reports.output.Manifest`):
    a re-run replaces those files and removes the ones it no longer writes
    (e.g. the Monte Carlo charts of an earlier run with draws); it never
    replaces or removes a file it did not write, unless ``force`` is given
    for a file it is about to write.

    Parameters
    ----------
    result : fleetcalc.EvaluationResult
    directory : str or os.PathLike
        Output directory (created if missing).
    source_bytes : bytes, optional
        The tender file's bytes; the HTML footer shows their SHA-256.
    simulation : object, optional
        Monte Carlo result (default: ``result.simulation`` if present).
    force : bool, optional
        Replace files in ``directory`` that fleetcalc did not write.
    inputs : iterable of path, optional
        Input files, never written over.
    log_entry : dict, optional
        The decision-log entry of this evaluation (``report --log``), listed in
        the HTML footer (:func:`fleetcalc.reports.html.write_html`).
    plan : fleetcalc.PlanResult or fleetcalc.planning.PlanError, optional
        The fleet-renewal plan (:func:`fleetcalc.plan`, ``fleetcalc report`` computes
        it when the tender has ``[plan]``): the HTML section "Fleet-renewal plan",
        the sheet *Renewal plan* and ``charts/renewal_plan.png``; a ``PlanError``
        (no plan meets the constraints) is shown in the HTML as its message.
    perspectives : fleetcalc.reports.perspectives.PerspectiveLines or False, optional
        The financial and economic views (default: computed,
        :func:`fleetcalc.reports.perspectives.perspective_lines`): the HTML section
        "Financial and economic views" and the sheet *Perspectives*; ``False``
        leaves both out.

    Returns
    -------
    dict of str to pathlib.Path
        ``{"html": ..., "workbook": ..., "chart:<name>": ...}``.

    Raises
    ------
    fleetcalc.reports.output.OutputRefusedError
        If a file to be written is a symbolic link, an input, or a file that
        fleetcalc did not write (without ``force``); nothing is written then.
    fleetcalc.reports.output.OutputWriteError
        If a file cannot be written.

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
    from fleetcalc.reports.output import OutputRefusedError, OutputWriteError  # noqa: PLC0415

    directory = Path(directory)
    if directory.is_symlink():
        raise OutputRefusedError(f"{directory}: is a symbolic link; fleetcalc does not write "
                                 "through links")
    try:
        return _write_report(result, directory, source_bytes=source_bytes,
                             simulation=simulation, force=force, inputs=inputs,
                             log_entry=log_entry, plan=plan, perspectives=perspectives)
    except OutputWriteError:
        raise
    except OSError as exc:
        raise OutputWriteError(f"{exc.filename or directory}: {exc.strerror or exc}") from None


def _issue_parts(result, *, plan, perspectives):
    """The views and plan of issues 14 and 16: what the HTML, the workbook and the charts get.

    Returns ``(views, sheets, charts)``: the perspectives for the HTML (``False`` when
    left out or contradicting the result's ranking), the workbook's extra sheets and
    ``{name: png bytes}``.
    """
    from fleetcalc.reports.perspectives import perspective_lines  # noqa: PLC0415
    from fleetcalc.reports.plan_section import plan_chart_png  # noqa: PLC0415
    from fleetcalc.reports.workbook_sheets import perspectives_sheet, plan_sheet  # noqa: PLC0415

    sheets, charts = [], {}
    views = False
    if perspectives is not False:
        views = perspectives if perspectives is not None else perspective_lines(result.tender)
        if views.agrees_with(result):
            sheets.append(perspectives_sheet(views))
        else:
            views = False
    if plan is not None and not isinstance(plan, BaseException):
        sheets.append(plan_sheet(plan))
        charts["renewal_plan"] = plan_chart_png(plan)
    return views, sheets, charts


def _write_report(result, directory, *, source_bytes, simulation, force, inputs,
                  log_entry=None, plan=None, perspectives=None):
    import shutil  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    from fleetcalc.reports.charts import save_charts  # noqa: PLC0415
    from fleetcalc.reports.excel import write_workbook  # noqa: PLC0415
    from fleetcalc.reports.html import write_html  # noqa: PLC0415
    from fleetcalc.reports.output import Manifest, OutputRefusedError, check_output_path  # noqa: PLC0415

    directory.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(directory)
    views, sheets, extra_charts = _issue_parts(result, plan=plan, perspectives=perspectives)
    staging = Path(tempfile.mkdtemp(prefix=".fleetcalc-", dir=directory))
    try:
        staged = {
            "html": write_html(result, staging / "report.html", source_bytes=source_bytes,
                               simulation=simulation, log_entry=log_entry, plan=plan,
                               perspectives=views),
            "workbook": write_workbook(result, staging / "evaluation.xlsx",
                                       simulation=simulation, sheets=sheets),
        }
        for path in save_charts(result, staging / "charts", simulation=simulation):
            staged[f"chart:{path.stem}"] = path
        for name, data in extra_charts.items():
            staged[f"chart:{name}"] = staging / "charts" / f"{name}.png"
            staged[f"chart:{name}"].parent.mkdir(parents=True, exist_ok=True)
            staged[f"chart:{name}"].write_bytes(data)
        names = {key: path.relative_to(staging).as_posix() for key, path in staged.items()}
        for name in names.values():
            target = directory / name
            for parent in list(Path(name).parents)[:-1]:
                if (directory / parent).is_symlink():
                    raise OutputRefusedError(f"{directory / parent}: is a symbolic link; "
                                             "fleetcalc does not write through links")
            check_output_path(target, inputs=inputs, force=force,
                              own=name in manifest.files)
        paths = {}
        for key, name in names.items():
            target = directory / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged[key], target)
            paths[key] = target
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for stale in sorted(manifest.files - set(names.values())):
        target = directory / stale
        if target.is_file() and not target.is_symlink():
            target.unlink()
    manifest.save(names.values())
    return paths


def simulate_for_report(tender, *, draws, seed, progress=None):
    """Monte Carlo result with its tornado table attached, as the report shows them.

    Parameters
    ----------
    tender : fleetcalc.Tender
        A tender with ``[[uncertainty]]`` entries.
    draws, seed : int
        Number of draws and random seed (:func:`fleetcalc.simulation.simulate`).
    progress : callable, optional
        Called as ``progress(done, total)`` [draws] (the command line's progress bar).

    Returns
    -------
    fleetcalc.simulation.SimulationResult
        With ``tornado`` set (:func:`fleetcalc.sensitivity.tornado`).
    """
    import attrs  # noqa: PLC0415

    from fleetcalc.sensitivity import tornado  # noqa: PLC0415
    from fleetcalc.simulation import build_model, simulate  # noqa: PLC0415

    model = build_model(tender)
    result = simulate(tender, draws=draws, seed=seed, model=model, progress=progress)
    return attrs.evolve(result, tornado=tornado(tender, model=model))
