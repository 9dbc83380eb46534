r"""The renewal plan as a mixed-integer linear program, solved by HiGHS.

Why ``scipy.optimize.milp``: it is HiGHS (Huangfu and Hall, 2018), a
maintained open-source MILP solver with branch-and-cut and a reported
optimality gap, already shipped with SciPy (a dependency), so the plan needs no
new package and no modelling layer; the problem is small (a few hundred
integer variables) and built directly as sparse matrices.

Variables
---------
``buy[j, k]`` (integer, ``0..cap_j``), ``first[j, k]`` (binary: type ``j``'s
first units enter in year ``k``, which pays its initial support),
``rebuild[c, r]`` (integer), ``gone[c, y]`` (integer, the units of cohort ``c``
retired by year ``y``: monotone, ``retire[c, r] = gone[c, r] - gone[c, r - 1]``),
``s[y]`` (expected missing unit-days, continuous), ``q[y]`` (available-equivalent
units, continuous) and ``one`` (fixed at 1, carrying the existing fleet's constant
cost so that HiGHS's relative gap is on the plan's whole NPV). Money enters
HiGHS in millions (:data:`MONEY_SCALE`).

Objective
---------
NPV of purchases (with their energy, maintenance, overhauls and residual
value), initial support, rebuilds and retirements (net of the running costs
they change), the existing fleet kept, and shortfall, all from
:mod:`fleetcalc.planning.problem` (the ledger of :func:`fleetcalc.evaluate`).

The chance constraint, linearised
---------------------------------
The units available in year ``y`` are :math:`X_y = \sum_g \mathrm{Bin}(n_g, a_{g,y})`.
For each group's availability :math:`a` let :math:`N_y(a)` be the smallest
homogeneous fleet with :math:`P(\mathrm{Bin}(N, a) \ge D_y) \ge c`
(:func:`fleetcalc.fleet_distribution.required_fleet_size`, exact). With the
best availability of the year :math:`a^*_y` and
:math:`w_{g,y} = N_y(a^*_y) / N_y(a_{g,y})`, the constraint is

.. math:: \sum_g w_{g,y}\, n_{g,y} \;\ge\; N_y(a^*_y) + \delta_y .

It is **exact for one availability class** (all units of the year alike: then
it reads :math:`n \ge N_y(a)`, equivalent to the chance constraint since
:math:`P` grows with :math:`n`). For a mix it counts each unit as the share of
a homogeneous fleet it replaces; a mix has slightly more variance than those
shares assume (Jensen's inequality on the square root of the variance), so it
may be slightly optimistic. Every plan is therefore checked with the exact
distribution (:mod:`fleetcalc.planning.verify`); a year that falls short gets
:math:`\delta_y \mathrel{+}= 1` and the program is solved again, so a returned
plan always meets the confidence exactly.

Shortfall is a convex, piecewise-linear function of :math:`q_y = \sum_g
(a_{g,y}/a^*_y) n_{g,y}` through the exact shortfall of :math:`q` units of
availability :math:`a^*_y` at the integers (tangent cuts): exact for one
class; the NPV reported is always the exact one.
"""

from __future__ import annotations

import attrs
import numpy as np

from fleetcalc import fleet, fleet_distribution

__all__ = ["Linearisation", "linearise", "solve_milp", "milp_objective"]

#: Fleets with more existing units than this retire in continuous amounts, floored [units].
INTEGER_RETIREMENT_UNITS = 100
#: Show HiGHS's log of every solve (for benchmarks and debugging) [-].
DISP = False
#: Availabilities searched together by the exact required-fleet search [-].
REQUIRED_CHUNK = 32
#: Money enters HiGHS in millions: costs and budgets near 1 keep its tolerances meaningful [-].
MONEY_SCALE = 1e-6


@attrs.frozen
class Linearisation:
    """Per-year coefficients of the linear chance constraint and shortfall cuts."""

    reference_availability: np.ndarray   # (H,)
    required: np.ndarray                  # (H,) N_y(a*) [units]; 0 where unconstrained
    weight_buy: np.ndarray                # (J, K, H)
    weight_cohort: np.ndarray             # (C, H)
    weight_rebuild: np.ndarray            # (C, R, H)
    cut_points: tuple                     # per year: (n, S(n), slope) arrays


def _required(avail, demand, confidence):
    """:math:`N_y(a)` for every availability of ``avail (..., H)``; 0 for none (exact)."""
    a = np.where(avail > 0, np.minimum(avail, 1.0), 0.0)
    d = np.broadcast_to(demand, a.shape)
    pairs, inverse = np.unique(np.stack([a.ravel(), d.ravel()]), axis=1, return_inverse=True)
    # the exact search is as wide as the largest fleet of a call: search availabilities in
    # sorted chunks, so that a low one does not widen the search of all (10x on the example)
    order = np.argsort(pairs[0], kind="stable")
    n = np.empty(pairs.shape[1], dtype=np.int64)
    for start in range(0, order.size, REQUIRED_CHUNK):
        chunk = order[start:start + REQUIRED_CHUNK]
        n[chunk] = fleet_distribution.required_fleet_size(
            pairs[0, chunk], pairs[1, chunk].astype(np.int64), confidence=confidence)
    n = n[np.ravel(inverse)].reshape(a.shape)
    return np.where(n > 0, n, 0)


def _shortfall_curve(top, availability, demand):
    r"""Exact :math:`365\,E[\max(0, D - \mathrm{Bin}(n, a))]` for ``n = 0..top`` [unit-day]."""
    n = np.arange(top + 1)[:, None]
    x = np.arange(demand)[None, :]
    pmf = np.where(x <= n, fleet_distribution.binomial_pmf(np.minimum(x, n), n, availability),
                   0.0)
    return fleet.DAYS_PER_YEAR * ((demand - x) * pmf).sum(axis=1)


def linearise(problem):
    """Weights :math:`w_{g,y}` and required units :math:`N_y(a^*_y)` of every year."""
    horizon = problem.horizon_years
    demand = problem.demand
    all_avail = np.concatenate([problem.buy_avail.reshape(-1, horizon), problem.cohort_avail,
                                problem.rebuild_avail.reshape(-1, horizon)])
    best = all_avail.max(axis=0, initial=0.0)
    years = np.arange(1, horizon + 1)
    constrained = (years >= problem.from_year) & (demand > 0)
    # one exact search for every availability of the year (best first), then split
    n_all = _required(np.concatenate([best[None, :], all_avail]), demand, problem.confidence)
    n_best = n_all[0]
    w_all = np.divide(n_best, n_all[1:], out=np.zeros(all_avail.shape), where=n_all[1:] > 0)
    w_all = np.where(constrained, w_all, 0.0)
    sizes = np.cumsum([problem.buy_avail[..., 0].size, problem.cohort_avail.shape[0]])
    w_buy, w_cohort, w_rebuild = np.split(w_all, sizes)

    top = int(problem.cohort_units.sum() + problem.buy_total.sum())  # q never exceeds it
    cuts = []
    for y in range(horizon):
        a, d = best[y], int(demand[y])
        if d == 0 or a <= 0:
            cuts.append((np.zeros(0), np.zeros(0), np.zeros(0)))
            continue
        short = _shortfall_curve(top + 1, a, d)
        n = np.arange(top + 2)
        keep = short[:-1] - short[1:] > 1e-9 * max(1.0, short[0])
        idx = np.flatnonzero(keep)
        cuts.append((n[idx].astype(float), short[idx], (short[1:] - short[:-1])[idx]))
    return Linearisation(
        reference_availability=best, required=np.where(constrained, n_best, 0),
        weight_buy=w_buy.reshape(problem.buy_avail.shape), weight_cohort=w_cohort,
        weight_rebuild=w_rebuild.reshape(problem.rebuild_avail.shape), cut_points=tuple(cuts))


def milp_objective(problem, lin, decisions):
    """The program's objective of integer decisions: the exact linear costs, PWL shortfall."""
    from fleetcalc.planning.verify import linear_npv  # noqa: PLC0415

    horizon = problem.horizon_years
    buy = np.asarray(decisions["buy"], dtype=float)
    rebuild = np.asarray(decisions["rebuild"], dtype=float)
    retire = np.asarray(decisions["retire"], dtype=float)
    best = lin.reference_availability
    safe = np.where(best > 0, best, 1.0)
    kept = (problem.cohort_units[:, None] - np.cumsum(rebuild + retire, axis=1)) * (
        problem.cohort_avail > 0)
    available = (np.einsum("jk,jky->y", buy, problem.buy_avail)
                 + (kept * problem.cohort_avail).sum(axis=0)
                 + np.einsum("cr,cry->y", rebuild, problem.rebuild_avail))
    q = np.where(best > 0, available / safe, 0.0)
    shortfall = np.zeros(horizon)
    for y, (n, short, slope) in enumerate(lin.cut_points):
        if n.size:
            shortfall[y] = max(0.0, float(np.max(short + slope * (q[y] - n))))
    return linear_npv(problem, decisions) + float((shortfall * problem.shortfall_pv).sum())


def solve_milp(problem, lin, extra, *, time_limit=10.0, mip_rel_gap=1e-3,
               integer_retirements=True):
    """Solve the linearised plan; return ``(decisions, objective, gap, message)``.

    With continuous retirements (large fleets), a second program fixes the purchases and
    rebuilds of the first and chooses integer retirements; the gap is measured from the
    first program's bound, a lower bound of the all-integer program.

    See :func:`_solve` for the parameters.
    """
    if integer_retirements is None:
        integer_retirements = int(problem.cohort_units.sum()) <= INTEGER_RETIREMENT_UNITS
    first = _solve(problem, lin, extra, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                   integer_retirements=integer_retirements)
    if integer_retirements or first[0] is None:
        return first[:4]
    decisions, objective, _gap, message, bound = first
    second = _solve(problem, lin, extra, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                    integer_retirements=True, fixed=decisions)
    if second[0] is not None and second[1] < objective:
        decisions, objective, message = second[0], second[1], second[3]
    gap = max(0.0, (objective - bound) / max(abs(objective), 1e-12))
    return decisions, objective, gap, message


def _solve(problem, lin, extra, *, time_limit, mip_rel_gap, integer_retirements, fixed=None):
    """Solve the linearised plan; return (decisions, objective, gap) or raise.

    Parameters
    ----------
    problem : fleetcalc.planning.problem.PlanProblem
    lin : Linearisation
    extra : numpy.ndarray of int, shape (H,)
        :math:`\\delta_y`, units added to each year's requirement by verification.
    time_limit : float, keyword-only
        Seconds HiGHS may spend [s].
    mip_rel_gap : float, keyword-only
        Relative optimality gap at which HiGHS stops [-].
    integer_retirements : bool or None, keyword-only
        Whether the cumulative retirements ``gone`` are integer in the program
        (default True). False: continuous, then a second program with the first's
        purchases and rebuilds fixed chooses integer retirements, and the gap is
        measured from the first program's bound. None: True while the existing
        fleet has at most :data:`INTEGER_RETIREMENT_UNITS` units. With the
        cumulative form, True reaches the default gap on the example in about 4 s.

    Returns
    -------
    tuple
        ``(decisions, objective [base currency], optimality_gap [-])``.
    """
    from scipy import sparse  # noqa: PLC0415 - heavy; only when a plan is solved
    from scipy.optimize import Bounds, LinearConstraint  # noqa: PLC0415

    from fleetcalc.planning.isolated import milp_isolated  # noqa: PLC0415

    H = problem.horizon_years
    J = len(problem.type_names)
    C = len(problem.cohort_names)
    # "gone" is the cumulative count of a cohort's units retired by year y (monotone): one
    # variable per cohort in each year's constraint instead of the sum of all earlier
    # retirements, and branching on it ("at least n retired by year y") fixes the timing
    # "one" (fixed at 1) carries the existing fleet's constant cost, so that HiGHS's relative
    # gap, and its mip_rel_gap stop, are relative to the plan's whole NPV, the gap reported
    sizes = {"buy": J * H, "first": J * H, "rebuild": C * H, "gone": C * H, "s": H, "q": H,
             "one": 1}
    offset, at = {}, 0
    for name, size in sizes.items():
        offset[name] = at
        at += size
    n_var = at

    def idx(name, i, k):
        width = H
        return offset[name] + i * width + k

    cost = np.zeros(n_var)
    lo = np.zeros(n_var)
    hi = np.zeros(n_var)
    integrality = np.ones(n_var)
    cost[offset["buy"]:offset["buy"] + J * H] = problem.buy_pv.ravel()
    hi[offset["buy"]:offset["buy"] + J * H] = np.repeat(problem.buy_cap, H)
    cost[offset["first"]:offset["first"] + J * H] = problem.support_pv.ravel()
    hi[offset["first"]:offset["first"] + J * H] = (problem.buy_cap > 0).repeat(H)
    cost[offset["rebuild"]:offset["rebuild"] + C * H] = problem.rebuild_pv.ravel()
    hi[offset["rebuild"]:offset["rebuild"] + C * H] = (
        problem.rebuild_allowed * problem.cohort_units[:, None]).ravel()
    # sum_r retire_pv[r] (G_r - G_{r-1}) = sum_r G_r (retire_pv[r] - retire_pv[r+1])
    retire_pv = np.where(problem.retire_allowed, problem.retire_pv, 0.0)
    cost[offset["gone"]:offset["gone"] + C * H] = (
        retire_pv - np.concatenate([retire_pv[:, 1:], np.zeros((C, 1))], axis=1)).ravel()
    hi[offset["gone"]:offset["gone"] + C * H] = np.repeat(problem.cohort_units, H)
    cost[offset["s"]:offset["s"] + H] = problem.shortfall_pv
    hi[offset["s"]:offset["one"]] = np.inf
    cost[offset["one"]] = problem.constant_pv
    lo[offset["one"]] = hi[offset["one"]] = 1.0
    if fixed is not None:   # purchases and rebuilds of a first solve
        for name, shape in (("buy", J * H), ("rebuild", C * H)):
            lo[offset[name]:offset[name] + shape] = np.ravel(fixed[name])
            hi[offset[name]:offset[name] + shape] = np.ravel(fixed[name])
    integrality[offset["s"]:] = 0
    if not integer_retirements:
        integrality[offset["gone"]:offset["gone"] + C * H] = 0

    rows, cols, vals, lower, upper = [], [], [], [], []
    row = 0

    def add(entries, lb, ub):
        nonlocal row
        for c_, v_ in entries:
            rows.append(row)
            cols.append(c_)
            vals.append(v_)
        lower.append(lb)
        upper.append(ub)
        row += 1

    years = range(H)
    # the chance constraint (linearised) and q, the available-equivalent units
    best = lin.reference_availability
    for y in years:
        entries, q_entries = [], [(idx("q", 0, y), -1.0)]
        for j in range(J):
            for k in range(H):
                if problem.buy_avail[j, k, y] > 0:
                    entries.append((idx("buy", j, k), lin.weight_buy[j, k, y]))
                    q_entries.append((idx("buy", j, k), problem.buy_avail[j, k, y] / best[y]))
        for c in range(C):
            a0 = problem.cohort_avail[c, y]
            if a0 > 0:
                base_w, base_q = lin.weight_cohort[c, y], a0 / best[y] if best[y] > 0 else 0.0
                entries.append((idx("gone", c, y), -base_w))   # retired by year y leave
                q_entries.append((idx("gone", c, y), -base_q))
                for r in range(y + 1):   # and so do units rebuilt in years <= y
                    entries.append((idx("rebuild", c, r), -base_w))
                    q_entries.append((idx("rebuild", c, r), -base_q))
            for r in range(y + 1):
                a = problem.rebuild_avail[c, r, y]
                if a > 0:
                    entries.append((idx("rebuild", c, r), lin.weight_rebuild[c, r, y]))
                    q_entries.append((idx("rebuild", c, r), a / best[y]))
        constant_w = float((problem.cohort_units * lin.weight_cohort[:, y]).sum())
        constant_q = float((problem.cohort_units * problem.cohort_avail[:, y]).sum()
                           / best[y]) if best[y] > 0 else 0.0
        if lin.required[y] > 0:
            add(entries, lin.required[y] + extra[y] - constant_w, np.inf)
        add(q_entries, -constant_q, -constant_q)           # q_y = sum (a/a*) n
        n, short, slope = lin.cut_points[y]
        # s_y >= S(n) + S'(n)(q - n)
        for n_i, s_i, d_i in zip(n, short, slope, strict=True):
            add([(idx("s", 0, y), 1.0), (idx("q", 0, y), -d_i)], s_i - d_i * n_i, np.inf)
    # initial support with the first units: buy[j, k] <= cap * sum_{k' <= k} first[j, k'],
    # sum_k first <= 1, first[j, k] <= buy[j, k] (so first marks the actual first year,
    # where the budget check of the verification charges it too)
    for j in range(J):
        for k in range(H):
            add([(idx("buy", j, k), 1.0)] + [(idx("first", j, kk), -float(problem.buy_cap[j]))
                                             for kk in range(k + 1)], -np.inf, 0.0)
            add([(idx("first", j, k), 1.0), (idx("buy", j, k), -1.0)], -np.inf, 0.0)
        add([(idx("first", j, k), 1.0) for k in range(H)], -np.inf, 1.0)
        add([(idx("buy", j, k), 1.0) for k in range(H)], -np.inf, float(problem.buy_total[j]))
    # retirements only where allowed (G_r = G_{r-1} elsewhere; G_0 = 0 if not allowed), and
    # a cohort cannot lose more units than it has
    for c in range(C):
        for r in range(H):
            previous = [(idx("gone", c, r - 1), -1.0)] if r else []
            add([(idx("gone", c, r), 1.0)] + previous, 0.0,
                np.inf if problem.retire_allowed[c, r] else 0.0)
        add([(idx("rebuild", c, r), 1.0) for r in range(H)] + [(idx("gone", c, H - 1), 1.0)],
            -np.inf, float(problem.cohort_units[c]))
    # capital budget per year
    for y in years:
        if np.isfinite(problem.budget[y]):
            entries = [(idx("buy", j, k), MONEY_SCALE * problem.buy_capital[j, k, y])
                       for j in range(J) for k in range(H) if problem.buy_capital[j, k, y]]
            entries += [(idx("first", j, y), MONEY_SCALE * problem.support[j, y])
                        for j in range(J)]
            entries += [(idx("rebuild", c, y), MONEY_SCALE * problem.rebuild_capital[c, y])
                        for c in range(C)]
            add(entries, -np.inf, MONEY_SCALE * float(problem.budget[y]))
    matrix = sparse.csr_array((vals, (rows, cols)), shape=(row, n_var))
    result = milp_isolated(MONEY_SCALE * cost, integrality=integrality, bounds=Bounds(lo, hi),
                           constraints=LinearConstraint(matrix, lower, upper),
                           options={"time_limit": time_limit, "mip_rel_gap": mip_rel_gap,
                                    "disp": DISP})
    if result.x is None:
        return None, None, None, result.message, None
    x = np.round(result.x).astype(np.int64)

    def take(name, shape):
        size = int(np.prod(shape))
        return x[offset[name]:offset[name] + size].reshape(shape)

    gone = take("gone", (C, H))
    if not integer_retirements:   # floor the cumulative retirements: keep the fractions
        raw = result.x[offset["gone"]:offset["gone"] + C * H].reshape(C, H)
        gone = np.floor(raw + 1e-6).astype(np.int64)
    retire = np.diff(gone, axis=1, prepend=0)
    decisions = {"buy": take("buy", (J, H)), "rebuild": take("rebuild", (C, H)),
                 "retire": retire}
    objective = milp_objective(problem, lin, decisions)
    bound = float(result.mip_dual_bound) / MONEY_SCALE
    gap = max(0.0, (objective - bound) / max(abs(objective), 1e-12))
    return decisions, objective, gap, result.message, bound
