"""The result of an evaluation: ranking, ledger and their JSON form."""

from __future__ import annotations

import json
import typing

import attrs
import numpy as np

from fleetcalc import finance

if typing.TYPE_CHECKING:
    import pandas as pd

__all__ = ["EvaluationResult"]


def _number(value):
    """A float for JSON; None (null) where it is undefined, e.g. cost per km with no km."""
    value = float(value)
    return value if np.isfinite(value) else None


#: Per-bid fleet results in ``ranking`` and the JSON (binding names).
_FLEET_KEYS = ("availability", "fleet_availability", "p_meet_demand", "shortfall_unit_days",
               "required_fleet_size", "spare_ratio")


#: Per-bid financing and scoring results in ``ranking`` and the JSON.
_EVALUATION_KEYS = ("grant_element", "financing_pv_saving", "price_score", "technical_score",
                    "combined_score", "domestic_preference",
                    "evaluated_cost_before_preference", "price_adjustment_effect",
                    "guarantee_loading", "incremental_npv")


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


def _rank(values):
    """Rank 1 = lowest; ties share the lower rank ("competition" ranking); NaN: no rank."""
    import pandas as pd  # noqa: PLC0415 - heavy; imported when the frames are built

    return pd.Series(values, dtype=float).rank(method="min").astype("Int64").array


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
        The ledger: ``bidder``, ``year`` (t), ``calendar_year``, ``category``,
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
    do_nothing: dict | None = attrs.field(default=None, eq=False)

    @classmethod
    def from_arrays(cls, *, tender, categories, amounts, present_values, pv_by_category,
                    pv_km, warnings=(), fleet_summary=None, fleet=None, fleet_years=None,
                    fleet_baseline=None, adjustments=None, financing=None,
                    financing_summary=None, price_adjustment_effect=None,
                    guarantee_loading=None, incremental_npv=None, do_nothing=None):
        """Build the result from the engine's arrays (bids x categories x time)."""
        import pandas as pd  # noqa: PLC0415 - heavy; imported when the frames are built

        settings = tender.tender
        bidders = [bid.bidder for bid in tender.bids]
        by_category = pd.DataFrame(pv_by_category, index=pd.Index(bidders, name="bidder"),
                                   columns=list(categories))
        lcc = by_category.sum(axis=1).to_numpy()
        n_bids = len(bidders)
        total = adjustments.total if adjustments is not None else np.zeros(n_bids)
        responsive = (adjustments.responsive if adjustments is not None
                      else np.ones(n_bids, dtype=bool))
        evaluated = lcc + total
        margin = np.zeros(n_bids)
        if adjustments is not None and adjustments.preference is not None:
            margin = adjustments.preference["amount"].to_numpy(dtype=float)
        nan = np.full(n_bids, np.nan)
        scores = {
            "price_score": adjustments.price_score if adjustments is not None else nan,
            "technical_score": np.array([np.nan if b.evaluation.technical_score is None
                                         else b.evaluation.technical_score
                                         for b in tender.bids]),
            "combined_score": adjustments.combined_score if adjustments is not None else nan,
        }
        ranking = pd.DataFrame({
            "rank": _rank(np.where(responsive, evaluated, np.nan)),
            "model": [bid.model for bid in tender.bids],
            "evaluated_cost": evaluated,
            "lcc_npv": lcc,
            "adjustments": total,
            "responsive": responsive,
            "non_responsive_reason": ["; ".join(r) if r else None
                                      for r in (adjustments.reasons if adjustments is not None
                                                else [()] * n_bids)],
            **{f"pv_{c}": by_category[c].to_numpy() for c in categories},
            "equivalent_annual_cost": finance.equivalent_annual_cost(
                lcc, settings.discount_rate, settings.horizon_years),
            "cost_per_km": finance.levelised_cost(lcc, pv_km),
            **(fleet_summary or {}),
            **(financing_summary or {}),
            **scores,
            "combined_rank": _rank(-scores["combined_score"]),
            "domestic_preference": margin,
            "evaluated_cost_before_preference": evaluated - margin,
            "preference_group": (list(adjustments.preference["group"])
                                 if adjustments is not None
                                 and adjustments.preference is not None else [None] * n_bids),
            "price_adjustment_effect": (nan if price_adjustment_effect is None
                                        else price_adjustment_effect),
            "guarantee_loading": (np.zeros(n_bids) if guarantee_loading is None
                                  else guarantee_loading),
            "incremental_npv": nan if incremental_npv is None else incremental_npv,
        }, index=by_category.index)
        ranking = ranking.sort_values(["rank"], kind="stable", na_position="last")

        # Ledger rows ordered bid (input order), year, category: move time before category.
        amounts = np.swapaxes(amounts, 1, 2)
        present_values = np.swapaxes(present_values, 1, 2)
        bid_i, year, cat_i = (a.reshape(-1) for a in np.indices(amounts.shape))
        keep = amounts.reshape(-1) != 0
        ledger = pd.DataFrame({
            "bidder": np.asarray(bidders, dtype=object)[bid_i[keep]],
            "year": year[keep],
            "calendar_year": settings.evaluation_year + year[keep],
            "category": np.asarray(categories, dtype=object)[cat_i[keep]],
            "amount": amounts.reshape(-1)[keep],
            "present_value": present_values.reshape(-1)[keep],
        })
        lines = None if adjustments is None else adjustments.lines
        damages = (dict(zip(bidders, adjustments.expected_damages))
                   if adjustments is not None and adjustments.expected_damages is not None
                   else {})
        return cls(tender=tender, ranking=ranking, pv_by_category=by_category,
                   cash_flows=ledger, warnings=tuple(warnings), fleet=fleet,
                   fleet_years=fleet_years, fleet_baseline=fleet_baseline,
                   adjustments=lines, financing=financing, expected_damages=damages,
                   do_nothing=do_nothing)

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
            unrounded floats; ``year`` is t. ``cost_per_km`` is null for a
            bid that runs no km. ``evaluation_table`` and ``decisive_lines``:
            see :mod:`fleetcalc.reports.evaluation_table`.
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
            },
            "bids": bids,
            "cash_flows": cash_flows,
            "warnings": list(self.warnings),
        }
        data["non_responsive"] = [
            {"bidder": b["bidder"], "reasons": b["non_responsive_reasons"]}
            for b in bids if not b["responsive"]]
        from fleetcalc.reports.evaluation_table import (  # the edges import late
            decisive_lines, evaluation_table_rows)

        data["evaluation_table"] = evaluation_table_rows(self)
        data["decisive_lines"] = decisive_lines(self)
        if self.financing is not None:
            data["financing"] = _records(self.financing)
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
                                                               row.items()}}
                            for name, row in self.fleet_baseline.iterrows()],
            }
        return data

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
        """Write the auditable Excel workbook (see :func:`fleetcalc.reports.excel.write_workbook`)."""
        from fleetcalc.reports.excel import write_workbook  # the edges import late

        return write_workbook(self, path, simulation=simulation)

    def to_html(self, path, *, source_bytes=None, simulation=None):
        """Write the self-contained HTML report (see :func:`fleetcalc.reports.html.write_html`)."""
        from fleetcalc.reports.html import write_html

        return write_html(self, path, source_bytes=source_bytes, simulation=simulation)

    def to_json(self, *, indent=2):
        """The result as JSON text (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)
