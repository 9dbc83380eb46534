"""Financial and economic views of a tender, side by side, with the difference line by line.

The report's section "Financial and economic views" and the workbook's sheet
*Perspectives* (issue 14 item 5). :func:`fleetcalc.evaluate.perspectives`
gives each bid's evaluated cost and rank in both perspectives;
:func:`perspective_lines` adds why they differ, by walking from the financial
to the economic view one convention at a time (ADB, *Guidelines for the
Economic Analysis of Projects*, 2017; EU Directive 2014/24 art. 68):

1. transfers removed (``perspective = "economic"`` with a shadow exchange rate
   factor of 1 and no priced externalities): the change of the ``energy``
   category (the bid's units) and of ``existing_fleet`` (the old units it keeps
   running, issue 13) is the fuel taxes and levies, that of ``duties`` the import
   duties;
2. the tender's ``shadow_exchange_rate_factor`` on foreign-currency flows: the
   change of every category;
3. externalities priced (the tender's carbon and pollutant prices): the change
   of the ``emissions`` category.

The steps add up to the economic minus the financial evaluated cost exactly;
a change of the evaluation adjustments (e.g. a guarantee loading proportional to
the life-cycle cost) is its own line.
"""

from __future__ import annotations

import warnings

import attrs

__all__ = ["PerspectiveLines", "perspective_lines", "LINES"]

#: The lines of the difference (economic minus financial), in the order shown.
LINES = {
    "fuel_taxes": "Fuel taxes and levies removed (transfer)",
    "duties": "Import duties removed (transfer)",
    "shadow_exchange_rate": "Shadow exchange rate factor on foreign-currency flows",
    "externalities": "Externalities priced (CO2, NOx, PM)",
    "adjustments": "Evaluation adjustments that follow the cost",
    "other": "Other",
}


@attrs.frozen
class PerspectiveLines:
    """Each bid in both perspectives and the lines between them.

    Attributes
    ----------
    table : pandas.DataFrame
        Index ``bidder`` (input order); columns ``financial_lcc_npv``,
        ``financial_cost``, ``financial_rank``, one column per key of
        :data:`LINES` (economic minus financial) [base currency],
        ``economic_lcc_npv``, ``economic_cost``, ``economic_rank``,
        ``pv_emissions`` (economic view) [base currency] and ``co2_tonnes`` [t].
    shadow_by_category : pandas.DataFrame
        The ``shadow_exchange_rate`` line split by cost category (bidders x
        categories) [base currency].
    perspective : str
        The tender's own perspective, the one its ranking (the award) uses.
    shadow_exchange_rate_factor : float
    local_currency : str
    base_currency : str
    """

    table: object
    shadow_by_category: object
    perspective: str
    shadow_exchange_rate_factor: float
    local_currency: str
    base_currency: str

    def own_costs(self):
        """Evaluated costs in the tender's own perspective (a Series by bidder)."""
        return self.table[f"{self.perspective}_cost"]

    def agrees_with(self, result, *, rel=1e-9):
        """True if the own-perspective costs equal ``result.ranking``'s evaluated costs.

        A report never shows a section that contradicts its ranking (a result altered
        after :func:`fleetcalc.evaluate`, as some tests do).
        """
        import numpy as np  # noqa: PLC0415

        ranking = result.ranking
        if "evaluated_cost" not in ranking:
            return False
        own = self.own_costs()
        if set(own.index) != set(ranking.index):
            return False
        theirs = ranking["evaluated_cost"].reindex(own.index).astype(float).to_numpy()
        mine = own.astype(float).to_numpy()
        return bool(np.allclose(mine, theirs, rtol=rel, atol=1e-6, equal_nan=True))

    def to_records(self):
        """One dict per bid (the workbook's rows and the tests' oracle)."""
        import pandas as pd  # noqa: PLC0415

        out = []
        for bidder, row in self.table.iterrows():
            record = {"bidder": str(bidder)}
            for column, value in row.items():
                if column.endswith("_rank"):
                    record[column] = None if pd.isna(value) else int(value)
                else:
                    record[column] = float(value)
            out.append(record)
        return out


def _evaluated(tender):
    from fleetcalc.evaluate import evaluate  # noqa: PLC0415 - orchestration, below reports

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return evaluate(tender)


def _view(tender, perspective, **changes):
    settings = attrs.evolve(tender.tender, perspective=perspective, **changes)
    return _evaluated(attrs.evolve(tender, tender=settings))


def perspective_lines(tender):
    """The financial and economic views of every bid, and the lines between them.

    Parameters
    ----------
    tender : fleetcalc.Tender

    Returns
    -------
    PerspectiveLines

    Examples
    --------
    >>> import fleetcalc
    >>> lines = perspective_lines(fleetcalc.load_tender(
    ...     "examples/pakistan_locomotives_2026.toml"))
    >>> table = lines.table
    >>> difference = table["economic_cost"] - table["financial_cost"]
    >>> bool(((table[list(LINES)].sum(axis=1) - difference).abs() < 1e-3).all())
    True
    """
    import pandas as pd  # noqa: PLC0415 - heavy; only where output frames are built

    settings = tender.tender
    bidders = [b.bidder for b in tender.bids]
    unpriced = attrs.evolve(settings.externalities, carbon_price_per_tonne=0.0,
                            nox_price_per_tonne=0.0, pm_price_per_tonne=0.0)
    steps = [
        _view(tender, "financial"),
        _view(tender, "economic", shadow_exchange_rate_factor=1.0, externalities=unpriced),
        _view(tender, "economic", externalities=unpriced),
        _view(tender, "economic"),
    ]
    pv = [s.pv_by_category.reindex(bidders).astype(float) for s in steps]
    rankings = [s.ranking.reindex(bidders) for s in steps]
    categories = list(pv[0].columns)
    zero = pd.Series(0.0, index=pd.Index(bidders, name="bidder"))
    lines = {key: zero.copy() for key in LINES}
    for step in range(1, len(steps)):
        change = pv[step] - pv[step - 1]
        for category in categories:
            amount = change[category]
            if category == "emissions":
                lines["externalities"] += amount
            elif step == 1 and category in ("energy", "existing_fleet"):
                # The existing units a bid keeps running burn the same taxed diesel.
                lines["fuel_taxes"] += amount
            elif step == 1 and category == "duties":
                lines["duties"] += amount
            elif step == 2:
                lines["shadow_exchange_rate"] += amount
            else:
                lines["other"] += amount
    shadow = (pv[2] - pv[1]).drop(columns=["emissions"], errors="ignore")
    first, last = rankings[0], rankings[-1]
    lines["adjustments"] = ((last["evaluated_cost"] - last["lcc_npv"])
                            - (first["evaluated_cost"] - first["lcc_npv"])).astype(float)
    table = pd.DataFrame({
        "financial_lcc_npv": first["lcc_npv"].astype(float),
        "financial_cost": first["evaluated_cost"].astype(float),
        "financial_rank": first["rank"],
        **{key: value.to_numpy() for key, value in lines.items()},
        "economic_lcc_npv": last["lcc_npv"].astype(float),
        "economic_cost": last["evaluated_cost"].astype(float),
        "economic_rank": last["rank"],
        "pv_emissions": last["pv_emissions"].astype(float),
        "co2_tonnes": last["co2_tonnes"].astype(float),
    }).rename_axis("bidder")
    return PerspectiveLines(
        table=table, shadow_by_category=shadow.loc[:, (shadow != 0).any(axis=0)],
        perspective=settings.perspective,
        shadow_exchange_rate_factor=float(settings.shadow_exchange_rate_factor),
        local_currency=settings.local_currency or settings.base_currency,
        base_currency=settings.base_currency)


#: The sources of the conventions (docs/methodology/money.md, references).
SOURCES = (
    ("fuel_taxes", "ADB, Guidelines for the Economic Analysis of Projects, 2017: taxes and "
                   "levies are transfers, not resource costs"),
    ("duties", "ADB 2017 (transfers); World Bank, Standard Bidding Documents, Procurement of "
               "Goods, ITB 36.4: duties excluded from the comparison of bids"),
    ("shadow_exchange_rate", "ADB 2017: foreign exchange at its shadow price (shadow exchange "
                             "rate factor, domestic-price numeraire)"),
    ("externalities", "EU Directive 2014/24 art. 68(1)(b) and (2): external environmental "
                      "costs if their monetary value can be determined and verified, with the "
                      "method stated; CO2 factor IPCC 2006 Guidelines vol. 2 ch. 3 table "
                      "3.4.1; carbon prices: High-Level Commission on Carbon Prices, 2017"),
)


#: Short names of the lines in the sentences under the table.
_SHORT = {"fuel_taxes": "fuel taxes and levies", "duties": "import duties",
          "shadow_exchange_rate": "shadow exchange rate", "externalities": "priced emissions",
          "adjustments": "adjustments", "other": "other"}


def _signed_millions(value):
    return f"{value / 1e6:+,.2f} m".replace("-", "\u2212")


def perspectives_context(lines, result=None):
    """The facts of the report's "Financial and economic views" section.

    Parameters
    ----------
    lines : PerspectiveLines
    result : fleetcalc.EvaluationResult, optional
        The report's evaluation: when given and its evaluated costs are not the
        own-perspective costs of ``lines`` (a result altered after
        :func:`fleetcalc.evaluate`), None is returned: no section contradicts the
        ranking.

    Returns
    -------
    dict or None
        ``perspective``, ``bidders``, ``rows`` (``key``, ``label``, ``kind``:
        ``"total"``, ``"rank"`` or ``"line"``, ``values`` by bidder), ``notes``
        (one sentence per bid), ``rank_changes``, ``serf``, ``local_currency``,
        ``shadow`` (the SERF line by category) and ``sources``.
    """
    import pandas as pd  # noqa: PLC0415

    if result is not None and not lines.agrees_with(result):
        return None
    table = lines.table
    bidders = [str(b) for b in table.index]

    def values(column):
        return {str(b): (None if pd.isna(v) else (int(v) if column.endswith("_rank")
                                                  else float(v)))
                for b, v in table[column].items()}

    shown = [k for k in LINES
             if k in ("fuel_taxes", "duties", "shadow_exchange_rate", "externalities")
             or (table[k].abs() > 0.5).any()]
    rows = [{"key": "financial_lcc_npv", "label": "LCC NPV, financial view", "kind": "sub"},
            {"key": "financial_cost", "label": "Evaluated cost, financial view",
             "kind": "total"},
            {"key": "financial_rank", "label": "Rank, financial view", "kind": "rank"}]
    rows += [{"key": k, "label": LINES[k], "kind": "line"} for k in shown]
    rows += [{"key": "economic_lcc_npv", "label": "LCC NPV, economic view", "kind": "sub"},
             {"key": "economic_cost", "label": "Evaluated cost, economic view",
              "kind": "total"},
             {"key": "economic_rank", "label": "Rank, economic view", "kind": "rank"}]
    for row in rows:
        row["values"] = values(row["key"])
    notes, changes = [], []
    for bidder, row in table.iterrows():
        difference = float(row["economic_cost"] - row["financial_cost"])
        parts = sorted(((k, float(row[k])) for k in shown if abs(float(row[k])) > 0.5),
                       key=lambda x: -abs(x[1]))
        text = ", ".join(f"{_SHORT[k]} {_signed_millions(v)}" for k, v in parts)
        largest = _SHORT[parts[0][0]] if parts else None
        notes.append({"bidder": str(bidder), "difference": difference, "text": text,
                      "largest": largest})
        first, second = row["financial_rank"], row["economic_rank"]
        if (pd.isna(first) != pd.isna(second)) or (not pd.isna(first) and first != second):
            changes.append({"bidder": str(bidder),
                            "financial": None if pd.isna(first) else int(first),
                            "economic": None if pd.isna(second) else int(second)})
    shadow = lines.shadow_by_category
    return {
        "perspective": lines.perspective,
        "other": "economic" if lines.perspective == "financial" else "financial",
        "bidders": bidders, "rows": rows, "notes": notes, "rank_changes": changes,
        "serf": lines.shadow_exchange_rate_factor, "local_currency": lines.local_currency,
        "shadow": {"categories": [str(c) for c in shadow.columns],
                   "rows": [{"bidder": str(b), "values": {str(c): float(v)
                                                          for c, v in r.items()}}
                            for b, r in shadow.iterrows()]},
        "sources": [{"key": k, "text": t} for k, t in SOURCES],
    }
