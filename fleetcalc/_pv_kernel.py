r"""Private: present values of many draws of a multilinear cash-flow model.

The Monte Carlo engine (:mod:`fleetcalc.simulation`) writes a bid's
life-cycle cost as a sum of terms, each a product of drawn fields times a
discounted coefficient series (its Moebius decomposition of
:func:`fleetcalc.evaluate.cash_flows`):

.. math:: \mathrm{LCC}_{nb} = \sum_\tau P_{\tau nb} \sum_t D_{\tau nbt}\, W_{\tau bt},
          \qquad P_{\tau nb} = \prod_{f \in \tau} V_{fnb},

with :math:`W_{\tau bt}` the coefficient summed over cost categories and
discounted at the point rate [base currency], and :math:`D_{\tau nbt}` the
product of what moves year by year in draw :math:`n`: the random-walk
multipliers of the term's fields, the shortfall [unit-day] when the term is
the shortfall cost, and the ratio of drawn to point discount factors.

Only the results per bid are needed, so the categories are summed once, when
the plan is made (:func:`plan_present_values`). Most (term, bid) pairs have
no year-by-year factor at all: their inner sum is a constant
:math:`\sum_t W_{\tau bt}`. The others are grouped by the factors they share
(for instance the diesel and rupee paths of every bid's fuel term, or the
yuan path of one bid's terms), and each group is one pass over its years
(:func:`present_values`): draws x pairs x years, never draws x bids x
categories x years. The years outside a group's non-zero coefficients are
skipped.

Every draw's value depends on that draw's inputs only, and is computed with
elementwise operations in a fixed order (no BLAS, no reduction across
draws), so any split of the draws into blocks gives the same numbers, bit
for bit.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping, Sequence

import attrs
import numpy as np

from fleetcalc._arrays import Array

__all__ = ["PVGroup", "PVPlan", "plan_present_values", "present_values"]

#: ``work(name, shape)``: a float64 array of ``shape`` to fill (contents undefined).
Work: typing.TypeAlias = Callable[[str, tuple[int, ...]], Array]


def _fresh(name: str, shape: tuple[int, ...]) -> Array:
    """The default ``work``: a new array (``name`` unused)."""
    del name
    return np.empty(shape)


@attrs.frozen(eq=False)
class PVGroup:
    """(term, bid) pairs that share their year-by-year factor.

    Attributes
    ----------
    paths : tuple of int
        Random-walk paths multiplied in, with repetition (a path that moves
        two fields of a product term enters twice).
    shortfall : bool
        The shortfall series of each pair's bid is multiplied in.
    columns : numpy.ndarray of int, shape (J,)
        Flat index ``term * n_bids + bid`` of each pair.
    bids : numpy.ndarray of int, shape (J,)
        Bid of each pair.
    start, stop : int
        Years ``start .. stop - 1`` hold every non-zero coefficient.
    weights : numpy.ndarray, shape (stop - start, J, 1)
        Coefficients :math:`W` of those years [base currency per unit of the
        term's fields].
    totals : numpy.ndarray, shape (J,)
        :math:`\\sum_t W`: the inner sum when every factor is 1.
    """

    paths: tuple[int, ...]
    shortfall: bool
    columns: Array
    bids: Array
    start: int
    stop: int
    weights: Array
    totals: Array


@attrs.frozen(eq=False)
class PVPlan:
    """How :func:`present_values` evaluates the terms (see :func:`plan_present_values`).

    Attributes
    ----------
    term_fields : tuple of tuple of str
        Drawn fields whose product multiplies each term.
    uses_shortfall : numpy.ndarray of bool, shape (K,)
        Terms that are shortfall costs.
    constant : numpy.ndarray, shape (K, n_bids)
        :math:`\\sum_t W` of the pairs with no year-by-year factor, 0 for the
        others [base currency per unit of the fields].
    groups : tuple of PVGroup
    discounted : bool
        Every pair is multiplied by the drawn discount ratio (then no pair is
        constant).
    """

    term_fields: tuple[tuple[str, ...], ...]
    uses_shortfall: Array
    constant: Array
    groups: tuple[PVGroup, ...]
    discounted: bool

    @property
    def n_bids(self) -> int:
        """Number of bids."""
        return int(self.constant.shape[1])


def plan_present_values(term_fields: Sequence[tuple[str, ...]],
                        uses_shortfall: Sequence[bool], weights: Array,
                        field_paths: Mapping[str, Sequence[tuple[int, int | None]]], *,
                        discounted: bool = False) -> PVPlan:
    r"""Group the (term, bid) pairs of a multilinear model by their year-by-year factors.

    Parameters
    ----------
    term_fields : sequence of tuple of str
        The drawn fields of each term (the shortfall excluded).
    uses_shortfall : sequence of bool
        Whether each term is multiplied by the shortfall [unit-day].
    weights : array_like, shape (K, n_bids, T)
        Discounted coefficient of each term, summed over cost categories
        [base currency per unit of the fields].
    field_paths : mapping of str to sequence of (int, int or None)
        For each field, the random-walk paths that multiply it: ``(path,
        bid)``, or ``(path, None)`` for every bid.
    discounted : bool, optional
        The discount rate is drawn: every pair is multiplied by the ratio of
        drawn to point discount factors.

    Returns
    -------
    PVPlan

    Examples
    --------
    Two bids; the second term's field ``"fuel"`` follows path 0 for every
    bid, so its two pairs form one group; the first term is constant:

    >>> w = np.ones((2, 2, 3))
    >>> plan = plan_present_values([("price",), ("fuel",)], [False, False], w,
    ...                            {"fuel": [(0, None)]})
    >>> plan.constant
    array([[3., 3.],
           [0., 0.]])
    >>> [(g.paths, g.columns.tolist()) for g in plan.groups]
    [((0,), [2, 3])]
    """
    weights = np.asarray(weights, dtype=float)
    n_terms, n_bids, n_t = weights.shape
    keys: dict[tuple[tuple[int, ...], bool], list[tuple[int, int]]] = {}
    constant = np.zeros((n_terms, n_bids))
    for k, fields in enumerate(term_fields):
        for b in range(n_bids):
            if not np.any(weights[k, b]):
                continue                               # the pair adds nothing
            paths = sorted(p for f in fields for p, column in field_paths.get(f, ())
                           if column is None or column == b)
            key = (tuple(paths), bool(uses_shortfall[k]))
            if key == ((), False) and not discounted:
                constant[k, b] = weights[k, b].sum()
            else:
                keys.setdefault(key, []).append((k, b))
    groups = []
    for (paths_key, shortfall), pairs in keys.items():
        rows = np.array([weights[k, b] for k, b in pairs])           # (J, T)
        used = np.flatnonzero(np.any(rows != 0.0, axis=0))
        start, stop = (int(used[0]), int(used[-1]) + 1) if used.size else (0, 0)
        groups.append(PVGroup(
            paths=paths_key, shortfall=shortfall,
            columns=np.array([k * n_bids + b for k, b in pairs], dtype=np.intp),
            bids=np.array([b for _, b in pairs], dtype=np.intp), start=start, stop=stop,
            weights=np.ascontiguousarray(rows[:, start:stop].T)[:, :, None],
            totals=rows.sum(axis=1)))
    del n_t
    return PVPlan(term_fields=tuple(tuple(f) for f in term_fields),
                  uses_shortfall=np.asarray(uses_shortfall, dtype=bool), constant=constant,
                  groups=tuple(groups), discounted=bool(discounted))


def _series(group: PVGroup, stop: int, paths: Array | None, discount_ratio: Array | None,
            work: Work, name: str) -> Array | None:
    """Product (T', n) of a group's paths and discount ratio in years start..stop - 1,
    or None when it is 1."""
    factors = []
    if paths is not None:
        factors += [paths[:, p, group.start:stop] for p in group.paths]
    if discount_ratio is not None:
        factors.append(discount_ratio[:, group.start:stop])
    if not factors:
        return None
    n = factors[0].shape[0]
    out = work(name, (stop - group.start, n))
    out[...] = factors[0].T
    for extra in factors[1:]:
        out *= extra.T
    return out


def _group_sums(group: PVGroup, n: int, paths: Array | None, shortfall: Array | None,
                discount_ratio: Array | None, work: Work, index: int) -> Array:
    r"""Inner sums (J, n) of a group: :math:`\sum_t D_{jnt} W_{jt}`, years in order."""
    stop = group.stop
    if group.shortfall:                 # the shortfall's later years count as 0
        assert shortfall is not None
        stop = min(stop, shortfall.shape[-1])
    series = _series(group, stop, paths, discount_ratio, work, f"pv:series{index}")
    n_pairs = group.columns.size
    if series is None and not group.shortfall:
        return np.broadcast_to(group.totals[:, None], (n_pairs, n))
    sums = work(f"pv:sums{index}", (n_pairs, n))
    sums[...] = 0.0
    if stop <= group.start:
        return sums
    step = work("pv:step", (n_pairs, n))
    rows = None
    if group.shortfall:
        assert shortfall is not None
        by_year = np.moveaxis(shortfall, 0, -1)                        # (B, T_s, n)
        same = (group.bids.size == by_year.shape[0]
                and bool(np.all(group.bids == np.arange(by_year.shape[0]))))
        rows = by_year if same else by_year[group.bids]
    for i, t in enumerate(range(group.start, stop)):
        if rows is not None:
            np.multiply(rows[:, t, :], group.weights[i], out=step)
            if series is not None:
                step *= series[i]
        else:
            assert series is not None
            np.multiply(series[i], group.weights[i], out=step)
        sums += step
    return sums


def present_values(plan: PVPlan, fields: Mapping[str, Array], *, draws: int,
                   paths: Array | None = None,
                   shortfall: Array | None = None, discount_ratio: Array | None = None,
                   work: Work = _fresh) -> tuple[Array, Array]:
    r"""Life-cycle cost and shortfall cost of every draw and bid [base currency].

    Parameters
    ----------
    plan : PVPlan
        From :func:`plan_present_values`.
    fields : mapping of str to numpy.ndarray, shape (n, n_bids)
        Each drawn field's value per draw and bid.
    draws : int
        Number of draws ``n``.
    paths : numpy.ndarray, shape (n, n_paths, T), optional
        Random-walk multipliers [-]; default 1.
    shortfall : numpy.ndarray, shape (n, n_bids, T_s), optional
        Expected shortfall by year [unit-day], ``T_s <= T`` (later years
        count as 0); any strides (fastest with the draws contiguous, as
        ``np.moveaxis`` of a (n_bids, T_s, n) array gives).
    discount_ratio : numpy.ndarray, shape (n, T), optional
        Drawn over point discount factors [-] (required when the plan is
        ``discounted``).
    work : callable, optional
        ``work(name, shape)`` returns a float64 array to fill (reused
        buffers); default new arrays.

    Returns
    -------
    lcc : numpy.ndarray, shape (n, n_bids)
        :math:`\sum_\tau P_\tau \sum_t D_\tau W_\tau`.
    shortfall_pv : numpy.ndarray, shape (n, n_bids)
        The part of ``lcc`` from the shortfall terms.

    Examples
    --------
    >>> w = np.array([[[1.0, 0.5]], [[2.0, 1.0]]])            # 2 terms, 1 bid, 2 years
    >>> plan = plan_present_values([("price",), ("fuel",)], [False, False], w,
    ...                            {"fuel": [(0, None)]})
    >>> fields = {"price": np.array([[10.0]]), "fuel": np.array([[3.0]])}
    >>> lcc, _ = present_values(plan, fields, draws=1, paths=np.array([[[1.0, 2.0]]]))
    >>> lcc                                  # 10 * 1.5 + 3 * (2 * 1 + 1 * 2)
    array([[27.]])
    """
    n_bids = plan.n_bids
    n = int(draws)
    n_terms = len(plan.term_fields)
    if plan.discounted and discount_ratio is None:
        raise ValueError("the plan is discounted: pass discount_ratio")
    inner = work("pv:inner", (n, n_terms * n_bids))
    inner[...] = plan.constant.reshape(-1)
    for index, group in enumerate(plan.groups):
        if group.shortfall and shortfall is None:
            raise ValueError("a term uses the shortfall: pass shortfall")
        sums = _group_sums(group, n, paths, shortfall, discount_ratio, work, index)
        inner[:, group.columns] += sums.T
    lcc = np.zeros((n, n_bids))
    shortfall_pv = np.zeros((n, n_bids))
    product = work("pv:product", (n, n_bids))
    for k, names in enumerate(plan.term_fields):
        if not names:
            product[...] = inner[:, k * n_bids:(k + 1) * n_bids]
        else:
            np.multiply(fields[names[0]], inner[:, k * n_bids:(k + 1) * n_bids], out=product)
            for f in names[1:]:
                product *= fields[f]
        lcc += product
        if plan.uses_shortfall[k]:
            shortfall_pv += product
    return lcc, shortfall_pv
