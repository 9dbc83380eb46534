"""The result of an evaluation: ranking, ledger and their JSON form."""

from __future__ import annotations

import importlib
import json
import typing

import attrs
import numpy as np

if typing.TYPE_CHECKING:
    import pandas as pd

__all__ = ["EvaluationResult", "DOCUMENTED_NULLS", "UNEXPLAINED", "calendar_year",
           "register_writer", "writer"]

#: Writers of :meth:`EvaluationResult.to_excel` and :meth:`~EvaluationResult.to_html`:
#: format -> a callable, or the ``"module:function"`` the edges (:mod:`fleetcalc.reports`)
#: provide by default, imported on first use. The result (orchestration) names the
#: edge's writer as data, as pandas names its plotting backend, and does not import the
#: edges: the layers contract in ``pyproject.toml`` holds without an exception.
_WRITERS = {
    "excel": "fleetcalc.reports.excel:write_workbook",
    "html": "fleetcalc.reports.html:write_html",
}


def register_writer(kind, function):
    """Make ``function(result, path, **options)`` the writer of ``kind`` (``excel``, ``html``).

    Returns the writer it replaces (a callable or its ``"module:function"``).
    """
    previous = _WRITERS.get(kind)
    _WRITERS[kind] = function
    return previous


def writer(kind):
    """The writer registered for ``kind``, importing a default one on first use."""
    found = _WRITERS[kind]
    if isinstance(found, str):
        module, _, name = found.partition(":")
        found = _WRITERS[kind] = getattr(importlib.import_module(module), name)
    return found

#: JSON keys whose ``null`` has one documented meaning, wherever it appears
#: (rows of ``fleet``, ``fleet_years``, ``financing``, adjustment lines).
#: Every other ``null`` in a bid has its reason in the bid's ``null_reasons``.
DOCUMENTED_NULLS = {
    "demand": "the tender states no demand ([tender.demand] absent)",
    "p_meet_demand": "the tender states no demand, so there is no probability of meeting it",
    "non_responsive_reason": "the bid is responsive",
    "lender": "the financing offer names no lender",
    "basis": "the adjustment line states no basis",
    "null_reasons": "no value of the bid is null",
    "delivery_basis": "no delivery basis: bids are compared as quoted "
                      "(tender.evaluation.delivery_basis is absent)",
    "co2_tonnes": "no emissions were computed (a cohort of [[fleet]] without its tonnes)",
}

#: The reason given to a null no rule explains (a bug if it ever appears: the
#: number policy keeps every result finite); the fuzz test counts it.
UNEXPLAINED = "not a finite number"


def calendar_year(evaluation_year, t):
    r"""Calendar year a figure at time ``t`` belongs to [year].

    Parameters
    ----------
    evaluation_year : int
        Calendar year E of t = 0, the contract signature (start of year 1).
    t : int or array_like of int
        Time in years from signature [year].

    Returns
    -------
    int or numpy.ndarray

    Notes
    -----
    The one year convention of every frame and JSON key: year k (k = 1..H)
    runs from t = k - 1 to t = k and is calendar year E + k - 1. Running
    costs of year k are booked at its end, t = k; a flow at t = k >= 1
    belongs to year k; a flow at t = 0 (signing) belongs to year 1:

    .. math:: \text{calendar year}(t) = E + \max(t, 1) - 1

    Examples
    --------
    >>> calendar_year(2026, np.array([0, 1, 2, 30])).tolist()
    [2026, 2026, 2027, 2055]
    """
    return evaluation_year + np.maximum(t, 1) - 1


def _number(value):
    """A float for JSON; None (null) where it is undefined (the reason goes alongside)."""
    value = float(value)
    return value if np.isfinite(value) else None


#: Per-bid fleet results in ``ranking`` and the JSON (binding names).
_FLEET_KEYS = ("availability", "fleet_availability", "p_meet_demand", "shortfall_unit_days",
               "required_fleet_size", "spare_ratio")


#: Per-bid financing and scoring results in ``ranking`` and the JSON.
_EVALUATION_KEYS = ("grant_element", "financing_pv_saving", "price_score", "technical_score",
                    "combined_score", "domestic_preference",
                    "evaluated_cost_before_preference", "price_adjustment_effect",
                    "guarantee_loading", "co2_tonnes", "incremental_npv")


def _records(frame):
    """DataFrame rows as JSON-ready dicts (numpy scalars to Python, NaN to None)."""
    out = []
    for row in frame.to_dict(orient="records"):
        clean = {}
        for key, value in row.items():
            if isinstance(value, (np.integer,)):
                value = int(value)
            elif isinstance(value, (float, np.floating)):
                value = _number(value)
            clean[key] = value
        out.append(clean)
    return out


@attrs.frozen
class EvaluationResult:
    """Ranking and cash-flow ledger of an evaluated tender.

    Attributes
    ----------
    tender : fleetcalc.Tender
        The tender evaluated.
    ranking : pandas.DataFrame
        One row per bid, in rank order, indexed by ``bidder``: ``rank``,
        ``model``, ``evaluated_cost``, ``lcc_npv``, ``pv_<category>`` for every
        cost category, ``equivalent_annual_cost``, ``cost_per_km``
        [base currency; per year; per km].
    pv_by_category : pandas.DataFrame
        Present value [base currency], bids (input order) x categories.
    cash_flows : pandas.DataFrame
        The ledger: ``bidder``, ``year`` (t), ``calendar_year`` (see
        :func:`calendar_year`: E + max(t, 1) - 1), ``category``,
        ``amount`` and ``present_value`` [base currency], non-zero rows only.
    warnings : tuple of str
        Warnings raised while evaluating.
    fleet : pandas.DataFrame
        Fleet projection by bid, year and cohort: ``bidder``, ``year``,
        ``calendar_year``, ``cohort`` (existing classes, and ``new: <model>``
        for the bid's units), ``units``, ``mean_age`` [year, at the start of
        the year], ``availability`` [-], ``available_units``, ``demand``,
        ``p_meet_demand``. Rows with units in service only.
    fleet_years : pandas.DataFrame
        By bid and year: ``demand``, ``units``, ``available_units`` (expected),
        ``p_meet_demand``, ``shortfall_unit_days``.
    fleet_baseline : pandas.DataFrame or None
        Present value of the existing cohorts' running costs (cohort x
        category) [base currency], common to every bid and not in any bid's
        ``lcc_npv``; None without ``[[fleet]]``.
    adjustments : pandas.DataFrame
        Evaluation adjustment lines: ``bidder``, ``stage``, ``name``,
        ``amount`` [base currency], ``basis``, ``kind`` (of a committee's
        priced line), ``applied`` (of a ``domestic_preference`` line);
        ``evaluated_cost = lcc_npv +`` the sum of a bid's lines.
    expected_damages : dict
        Per bidder, expected availability damages as information (see
        :func:`fleetcalc.adjustments.expected_damages`), None without an
        availability guarantee.
    emissions : pandas.DataFrame or None
        Fuel burnt and tonnes emitted per bid and year ``k = t``: ``bidder``,
        ``year``, ``calendar_year``, ``litres`` [L], ``existing_litres`` [L]
        (with a demand, the part burnt by the existing units the bid keeps
        running; 0 without), ``co2_tonnes``, ``nox_tonnes``, ``pm_tonnes`` [t]
        (``bids[].co2_tonnes`` is their sum).
    financing : pandas.DataFrame or None
        Loan schedules, nominal, in the base currency: ``bidder``, ``year``,
        ``calendar_year``, ``drawdown``, ``interest``, ``principal``,
        ``fees``, ``premium``, ``debt_service``, ``balance``; None without
        financing offers.

    Notes
    -----
    ``ranking`` also has ``adjustments`` (sum of lines), ``responsive``,
    ``non_responsive_reason``, ``grant_element``, ``financing_pv_saving``,
    ``price_score``, ``technical_score``, ``combined_score``,
    ``combined_rank``, ``domestic_preference`` (the margin applied, for
    comparison only, by the MDB group procedure),
    ``evaluated_cost_before_preference``, ``preference_group``, ``price_adjustment_effect``,
    ``guarantee_loading``, and the fleet results (``availability``...).
    Non-responsive bids have no rank and come last.
    """

    tender: object
    ranking: pd.DataFrame = attrs.field(eq=False)
    pv_by_category: pd.DataFrame = attrs.field(eq=False)
    cash_flows: pd.DataFrame = attrs.field(eq=False)
    warnings: tuple = ()
    fleet: pd.DataFrame | None = attrs.field(default=None, eq=False)
    fleet_years: pd.DataFrame | None = attrs.field(default=None, eq=False)
    fleet_baseline: pd.DataFrame | None = attrs.field(default=None, eq=False)
    adjustments: pd.DataFrame | None = attrs.field(default=None, eq=False)
    financing: pd.DataFrame | None = attrs.field(default=None, eq=False)
    expected_damages: dict = attrs.field(factory=dict, eq=False)
    emissions: pd.DataFrame | None = attrs.field(default=None, eq=False)
    do_nothing: dict | None = attrs.field(default=None, eq=False)

    @property
    def categories(self):
        """Cost categories, in ledger order."""
        return list(self.pv_by_category.columns)

    def to_dict(self):
        """The result as plain Python data (the binding JSON shape).

        Returns
        -------
        dict
            ``{"tender": {...}, "bids": [...], "cash_flows": [...],
            "evaluation_table": [...], "decisive_lines": [...]}``; bids in
            rank order, each with ``expected_damages`` (or null),
            ``preference_group``, ``domestic_preference`` and
            ``evaluated_cost_before_preference``; money in base currency as
            unrounded floats; ``year`` is t and ``calendar_year`` follows
            :func:`calendar_year`. ``evaluation_table`` and ``decisive_lines``:
            see :mod:`fleetcalc.evaluation_table`. Every number is
            finite: a value that is undefined for a bid (cost per km of a bid
            that runs no km, scores without scoring, ...) is null, and the
            bid's ``null_reasons`` says why, key by key; a null in a row of
            ``fleet``, ``fleet_years`` or ``financing`` has the meaning
            :data:`DOCUMENTED_NULLS` gives it.
        """
        import pandas as pd  # noqa: PLC0415 - heavy; imported when the frames are built

        settings = self.tender.tender
        bids = []
        for bidder, row in self.ranking.iterrows():
            bids.append({
                "bidder": bidder,
                "model": row["model"],
                "rank": None if pd.isna(row["rank"]) else int(row["rank"]),
                "responsive": bool(row["responsive"]),
                "non_responsive_reasons": ([] if pd.isna(row["non_responsive_reason"])
                                           else row["non_responsive_reason"].split("; ")),
                "evaluated_cost": float(row["evaluated_cost"]),
                "lcc_npv": float(row["lcc_npv"]),
                "pv_by_category": {c: float(row[f"pv_{c}"]) for c in self.categories},
                "equivalent_annual_cost": float(row["equivalent_annual_cost"]),
                "cost_per_km": _number(row["cost_per_km"]),
                **{key: _number(row[key]) for key in _FLEET_KEYS if key in row},
                "required_fleet_size": (None if pd.isna(row["required_fleet_size"])
                                        else int(row["required_fleet_size"])),
                "adjustments": self._adjustment_lines(bidder),
                "adjustments_total": float(row["adjustments"]),
                **{key: _number(row[key]) for key in _EVALUATION_KEYS},
                "combined_rank": (None if pd.isna(row["combined_rank"])
                                  else int(row["combined_rank"])),
                "preference_group": row["preference_group"],
                "expected_damages": self.expected_damages.get(bidder),
            })
            reasons = self._null_reasons(bids[-1], bidder, row)
            if reasons:
                bids[-1]["null_reasons"] = reasons
        ledger = self.cash_flows
        cash_flows = [
            {"bidder": b, "year": int(y), "calendar_year": int(cy), "category": c,
             "amount": float(a), "present_value": float(pv)}
            for b, y, cy, c, a, pv in zip(ledger["bidder"], ledger["year"],
                                          ledger["calendar_year"], ledger["category"],
                                          ledger["amount"], ledger["present_value"])
        ]
        data = {
            "tender": {
                "name": settings.name,
                "base_currency": settings.base_currency,
                "evaluation_year": settings.evaluation_year,
                "horizon_years": settings.horizon_years,
                "discount_rate": settings.discount_rate,
                "inflation": settings.inflation,
                "perspective": settings.perspective,
                "financing_discount_rate": (settings.discount_rate
                                            if settings.evaluation.financing_discount_rate is None
                                            else settings.evaluation.financing_discount_rate),
                "delivery_basis": settings.evaluation.delivery_basis,
                "include_duties": settings.evaluation.include_duties,
                "include_externalities": (settings.evaluation.include_externalities
                                          or settings.perspective == "economic"),
                "co2_kg_per_litre": settings.externalities.co2_kg_per_litre,
                "exchange_rate_paths": {k: (list(v) if isinstance(v, (list, tuple)) else v)
                                        for k, v in settings.exchange_rate_paths.items()},
            },
            "bids": bids,
            "cash_flows": cash_flows,
            "warnings": list(self.warnings),
        }
        data["non_responsive"] = [
            {"bidder": b["bidder"], "reasons": b["non_responsive_reasons"]}
            for b in bids if not b["responsive"]]
        from fleetcalc.evaluation_table import decisive_lines, evaluation_table_rows  # noqa: PLC0415 - pandas

        data["evaluation_table"] = evaluation_table_rows(self)
        data["decisive_lines"] = decisive_lines(self)
        if self.financing is not None:
            data["financing"] = _records(self.financing)
        if self.emissions is not None:
            data["emissions"] = _records(self.emissions)
        if self.fleet is not None:
            data["fleet"] = _records(self.fleet)
            data["fleet_years"] = _records(self.fleet_years)
        if self.do_nothing is not None:
            data["do_nothing"] = {
                "npv": float(sum(self.do_nothing.values())),
                "pv_by_category": {c: float(v) for c, v in self.do_nothing.items()},
            }
        if self.fleet_baseline is not None:
            data["fleet_baseline"] = {
                "lcc_npv": float(self.fleet_baseline.to_numpy().sum()),
                "pv_by_category": {c: float(v) for c, v in self.fleet_baseline.sum().items()},
                "cohorts": [{"cohort": name, "pv_by_category": {c: float(v) for c, v in
                                                               row.items()},
                             "co2_tonnes": self.fleet_baseline.attrs.get(
                                 "co2_tonnes", {}).get(name)}
                            for name, row in self.fleet_baseline.iterrows()],
            }
        return data

    def _null_reasons(self, data, bidder, row):
        """Why each null of a bid's JSON is null (key -> reason)."""
        bid = next(b for b in self.tender.bids if b.bidder == bidder)
        rules = self.tender.tender.evaluation
        demand = self.tender.tender.demand
        evaluated = float(row["evaluated_cost"])
        no_score = ("no weighted scoring: tender.evaluation.technical_weight is absent"
                    if rules.technical_weight is None else
                    "non-responsive bids are not scored" if not data["responsive"] else
                    f"a price score needs a positive evaluated cost, not {evaluated:.6g}"
                    if evaluated <= 0 else
                    "no technical score is given" if bid.evaluation.technical_score is None
                    else None)
        no_demand = "the tender states no demand ([tender.demand] absent)"
        known = {
            "rank": "non-responsive: the bid is listed, not ranked (non_responsive_reasons)"
            if not data["responsive"] else None,
            "cost_per_km": "the bid's units run no km within the horizon",
            "price_adjustment_effect": "the bid has no price-adjustment formula (a fixed price)"
            if bid.price_adjustment is None else None,
            "preference_group": "no domestic preference is applied "
            "(tender.evaluation.domestic_preference is false)"
            if not rules.domestic_preference else None,
            "expected_damages": "the bid gives no availability guarantee"
            if bid.guarantees is None or bid.guarantees.availability is None else None,
            "grant_element": "the bid has no financing offer" if bid.financing is None else None,
            "financing_pv_saving": ("the bid has no financing offer"
                                    if bid.financing is None else None),
            "price_score": no_score,
            "combined_score": no_score,
            "combined_rank": no_score,
            "technical_score": "no technical score is given"
            if bid.evaluation.technical_score is None else None,
            "co2_tonnes": "no emissions were computed for the bid (no emissions frame)"
            if self.emissions is None else None,
            "availability": "the bid has no units in service within the horizon",
            "fleet_availability": "no units are in service within the horizon",
            "p_meet_demand": no_demand if demand is None else None,
            "incremental_npv": ("no do-nothing case: the tender states no demand "
                                "([tender.demand] absent), so km are not allocated from "
                                "traffic" if self.do_nothing is None else None),
            "shortfall_unit_days": no_demand if demand is None else None,
            "required_fleet_size": no_demand if demand is None else (
                "the bid's units are never available (availability 0), so no fleet size "
                "meets the demand" if not float(row.get("availability", 1) or 0) > 0 else None),
            "spare_ratio": no_demand if demand is None else (
                "demand is 0 units, so spares cannot be expressed as a share of it"
                if max(demand.levels(self.tender.tender.horizon_years,
                                     self.tender.tender.annual_km), default=0) == 0
                else "no fleet size meets the demand (see required_fleet_size)"),
        }
        return {key: known.get(key) or UNEXPLAINED
                for key, value in data.items() if value is None}

    def _adjustment_lines(self, bidder):
        if self.adjustments is None:
            return []
        lines = self.adjustments[self.adjustments["bidder"] == bidder]
        return [{"stage": r.stage, "name": r.name, "amount": float(r.amount), "basis": r.basis,
                 **({"kind": r.kind} if isinstance(getattr(r, "kind", None), str) else {}),
                 **({"applied": bool(r.applied)} if r.stage == "domestic_preference"
                    else {})}
                for r in lines.itertuples()]

    def to_excel(self, path, *, simulation=None):
        """Write the auditable Excel workbook with the registered ``"excel"`` writer.

        The default writer is :func:`fleetcalc.reports.excel.write_workbook`
        (see :func:`register_writer`).
        """
        return writer("excel")(self, path, simulation=simulation)

    def to_html(self, path, *, source_bytes=None, simulation=None):
        """Write the self-contained HTML report with the registered ``"html"`` writer.

        The default writer is :func:`fleetcalc.reports.html.write_html` (see
        :func:`register_writer`).
        """
        return writer("html")(self, path, source_bytes=source_bytes, simulation=simulation)

    def to_json(self, *, indent=2):
        """The result as JSON text (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)
