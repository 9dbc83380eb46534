"""The present-value kernel of the Monte Carlo engine (fleetcalc._pv_kernel, issue 15).

Oracle: the engine's computation before the kernel, term by term over draws x bids x
categories x years with every year-by-year factor broadcast to (n, B, T), then summed
over the categories.
"""

import numpy as np
import pytest

from fleetcalc import simulation
from fleetcalc._pv_kernel import plan_present_values, present_values

FIELDS = ("price", "km", "fuel", "maintenance", "cost_day")


def _case(seed, *, n=37, n_bids=3, periods=9, n_paths=3, discounted=False, short=0):
    """A random multilinear model: terms, coefficients (K, B, C, T), paths of fields."""
    rng = np.random.default_rng(seed)
    terms = [(), ("price",), ("km", "fuel"), ("km", "maintenance"), ("fuel",),
             ("price", "fuel", "maintenance")]
    shortfall = [False] * len(terms) + [True, True]
    terms += [(), ("cost_day",)]
    coef = rng.normal(size=(len(terms), n_bids, 4, periods))
    coef[1, :, :, 3:] = 0.0                          # a term paid in the first years only
    coef[2, 1] = 0.0                                 # a pair that adds nothing
    coef[:, :, :, 0] *= rng.integers(0, 2, size=(len(terms), n_bids, 4))
    field_paths = {
        "fuel": [(0, None), (1, None)],              # two paths on every bid (fuel, rate)
        "maintenance": [(2, 1)],                     # one bid's currency path
        "price": [(2, 1)],
        "cost_day": [(1, None)],
    }
    fields = {f: rng.uniform(0.5, 2.0, (n, n_bids)) for f in FIELDS}
    paths = rng.lognormal(0.0, 0.1, (n, n_paths, periods))
    sud = rng.uniform(0.0, 50.0, (n, n_bids, periods - short))
    ratio = rng.uniform(0.8, 1.2, (n, periods)) if discounted else None
    return terms, shortfall, coef, field_paths, fields, paths, sud, ratio


def _oracle(terms, shortfall, coef, field_paths, fields, paths, sud, ratio):
    """The old engine: dense factors (n, B, T) per field, einsum over categories."""
    n, n_bids = next(iter(fields.values())).shape
    periods = coef.shape[-1]
    padded = np.zeros((n, n_bids, periods))
    padded[..., : sud.shape[-1]] = sud
    dyn = {}
    for f, members in field_paths.items():
        dyn[f] = np.ones((n, n_bids, periods))
        for p, b in members:
            cols = slice(None) if b is None else b
            dyn[f][:, cols] *= paths[:, p][:, None, :] if b is None else paths[:, p]
    lcc = np.zeros((n, n_bids))
    sf = np.zeros((n, n_bids))
    for static, uses, weighted in zip(terms, shortfall, coef):
        product = np.ones((n, n_bids))
        for f in static:
            product = product * fields[f]
        combined = np.ones((n, n_bids, periods))
        for f in static:
            combined = combined * dyn.get(f, 1.0)
        if uses:
            combined = combined * padded
        if ratio is not None:
            combined = combined * ratio[:, None, :]
        term = np.einsum("nbt,bct->nbc", combined, weighted) * product[:, :, None]
        lcc += term.sum(axis=-1)
        if uses:
            sf += term.sum(axis=-1)
    return lcc, sf


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("discounted", "short"), [(False, 0), (False, 3), (True, 2)])
def test_kernel_equals_the_dense_computation(seed, discounted, short):
    terms, shortfall, coef, field_paths, fields, paths, sud, ratio = _case(
        seed, discounted=discounted, short=short)
    plan = plan_present_values(terms, shortfall, coef.sum(axis=2), field_paths,
                               discounted=discounted)
    lcc, sf = present_values(plan, fields, draws=paths.shape[0], paths=paths, shortfall=sud,
                             discount_ratio=ratio)
    expected, expected_sf = _oracle(terms, shortfall, coef, field_paths, fields, paths, sud,
                                    ratio)
    np.testing.assert_allclose(lcc, expected, rtol=1e-12, atol=1e-12 * np.abs(expected).max())
    np.testing.assert_allclose(sf, expected_sf, rtol=1e-12,
                               atol=1e-12 * np.abs(expected_sf).max())


def test_pairs_are_grouped_by_their_factors():
    terms, shortfall, coef, field_paths, *_ = _case(0)
    plan = plan_present_values(terms, shortfall, coef.sum(axis=2), field_paths)
    keys = {(g.paths, g.shortfall): sorted(g.columns.tolist()) for g in plan.groups}
    n_bids = 3
    # price x fuel x maintenance on bid 1: paths 0, 1 and 2 twice (price and maintenance)
    assert keys[((0, 1, 2, 2), False)] == [5 * n_bids + 1]
    # paths 0 and 1 only: fuel on every bid, km x fuel and the product on bids 0 and 2
    # (km x fuel adds nothing on bid 1: zero coefficients, so it is in no group)
    assert keys[((0, 1), False)] == [2 * n_bids, 2 * n_bids + 2, 4 * n_bids, 4 * n_bids + 1,
                                     4 * n_bids + 2, 5 * n_bids, 5 * n_bids + 2]
    assert 2 * n_bids + 1 not in sum(keys.values(), [])
    assert plan.constant[2, 1] == 0.0
    # a constant pair is the sum of its coefficients; the price term of bid 0
    np.testing.assert_allclose(plan.constant[1, 0], coef[1, 0].sum())
    # years outside a group's non-zero coefficients are skipped
    price_only = plan_present_values([("price",)], [False], coef[1:2].sum(axis=2),
                                     field_paths)
    (group,) = price_only.groups
    assert group.columns.tolist() == [1] and group.stop <= 3    # paid in years 0..2 only


def test_without_paths_every_factor_is_one():
    terms, shortfall, coef, field_paths, fields, paths, sud, _ = _case(3)
    plan = plan_present_values(terms, shortfall, coef.sum(axis=2), field_paths)
    lcc, _ = present_values(plan, fields, draws=paths.shape[0], shortfall=sud)
    expected, _ = _oracle(terms, shortfall, coef, field_paths, fields, np.ones_like(paths),
                          sud, None)
    np.testing.assert_allclose(lcc, expected, rtol=1e-12, atol=1e-12 * np.abs(expected).max())


def test_each_draw_depends_on_its_own_inputs_only():
    """Any split of the draws gives the same numbers, bit for bit."""
    terms, shortfall, coef, field_paths, fields, paths, sud, ratio = _case(
        5, n=301, discounted=True)
    plan = plan_present_values(terms, shortfall, coef.sum(axis=2), field_paths,
                               discounted=True)
    whole, _ = present_values(plan, fields, draws=301, paths=paths, shortfall=sud,
                              discount_ratio=ratio)
    for rows in (slice(0, 1), slice(0, 100), slice(100, 301), slice(7, 8)):
        part, _ = present_values(plan, {f: v[rows] for f, v in fields.items()},
                                 draws=rows.stop - rows.start, paths=paths[rows],
                                 shortfall=sud[rows], discount_ratio=ratio[rows])
        assert np.array_equal(part, whole[rows])


def test_missing_factors_are_refused():
    terms, shortfall, coef, field_paths, fields, paths, sud, ratio = _case(
        1, discounted=True)
    plan = plan_present_values(terms, shortfall, coef.sum(axis=2), field_paths,
                               discounted=True)
    with pytest.raises(ValueError, match="discount_ratio"):
        present_values(plan, fields, draws=37, paths=paths, shortfall=sud)
    with pytest.raises(ValueError, match="shortfall"):
        present_values(plan, fields, draws=37, paths=paths, discount_ratio=ratio)


def test_the_example_plan_computes_per_draw_only_what_draws_move(example_tender):
    """On the example: the terms without a drawn year-by-year factor are constants, and
    the groups are the diesel and rupee paths of every fuel term, the yuan path of the
    CRRC bid's money terms, and the shortfall of every bid."""
    model = simulation.build_model(example_tender)
    plan = model.pv_plan
    columns = np.concatenate([g.columns for g in plan.groups])
    assert len(set(columns.tolist())) == columns.size      # a pair is in one group only
    assert not np.any(plan.constant.reshape(-1)[columns])
    crrc = model.bidders.index("CRRC Ziyang")
    paths = {d.label: d.path for d in model.dims if d.path is not None}
    fuel = (paths["tender.prices.diesel_per_litre"], paths["tender.exchange_rates.PKR"])
    groups = {(g.paths, g.shortfall): set(g.bids.tolist()) for g in plan.groups}
    assert groups[(tuple(sorted(fuel)), False)] == set(range(len(model.bidders)))
    assert groups[((paths["tender.exchange_rates.CNY"],), False)] == {crrc}
    assert groups[((), True)] == set(range(len(model.bidders)))
    values, block_paths = simulation._block_values(model, 3, 0, rows=200)
    _, _, sf = simulation._evaluate(model, values, block_paths, shortfall_pv=True)
    assert sf.shape == (200, len(model.bidders)) and np.all(sf > 0)
