"""The engine's per-draw availability layout (simulation._DrawLayout, issue 15).

Oracle: the engine's computation before the layout, kept here: every parameter taken
per item and draw, the guarantee loading computed on every item, and the moments summed
segment by segment into (bid + cohort) x year columns.
"""

import attrs
import numpy as np
import pytest

from fleetcalc import availability, fleet_distribution, simulation
from fleetcalc.adjustments import _loading_factor
from fleetcalc.fleet import DAYS_PER_YEAR
from fleetcalc.uncertainty import UncertainInput


def _old_items(model, params):
    """Declared and loaded availability (I, n), every parameter per item and draw."""
    p = np.moveaxis(params, 0, -1)                                      # (k, 4, n)
    take = [p[:, j][model.item_owner] for j in range(4)]
    share = availability._scheduled_share(take[2], take[3], model.item_ovh[:, None],
                                          DAYS_PER_YEAR)
    up = take[0] / model.item_mult[:, None]
    fraction = availability._up_fraction(up, take[1])
    declared = availability._annual_availability(up, take[1], share, up_fraction=fraction)
    if model.item_under is None:
        return declared, declared
    on_contract = np.where(model.item_calendar, declared, fraction)
    return declared, declared * _loading_factor(model.item_floor, on_contract,
                                                model.item_under[:, None])


def _old_moments(model, declared, loaded):
    """Moments 3 x (B, T, n) by segment columns, and own availability (n, B)."""
    n = loaded.shape[1]
    n_bids, _, periods = model.all_units.shape
    moments = []
    terms = (loaded, loaded * (1 - loaded), loaded * (1 - loaded) * (1 - 2 * loaded))
    for k, term in enumerate(terms):
        columns = np.zeros(((n_bids + 1) * periods, n))
        columns[model.seg_cols] = model.seg_matrix @ term
        grid = columns.reshape(n_bids + 1, periods, n)
        moments.append(model.const_moments[k][..., None] + grid[:n_bids] + grid[n_bids:])
    columns = np.zeros(((n_bids + 1) * periods, n))
    columns[model.seg_cols] = model.seg_matrix @ declared
    grid = columns.reshape(n_bids + 1, periods, n)
    own = np.where(model.varying_bids[:, None],
                   grid[:n_bids, 1:].sum(axis=1) / model.own_units[:, None],
                   model.own_point[:, None]).T
    return moments, own


def _with_downtimes(tender):
    """The example with its down times and maintenance days drawn too."""
    extra = tuple(UncertainInput(input=label, distribution="triangular", scale="relative",
                                 low=0.8, mode=1.0, high=1.2, shared=shared)
                  for label, shared in (("bids[*].mean_downtime_hours", False),
                                        ("fleet[*].scheduled_maintenance_days", True),
                                        ("bids[*].overhaul_downtime_days", True)))
    return attrs.evolve(tender, uncertainty=tender.uncertainty + extra, correlation=None)


@pytest.fixture(scope="module", params=["example", "downtimes drawn"])
def model(request, example_tender):
    tender = example_tender if request.param == "example" else _with_downtimes(example_tender)
    return simulation.build_model(tender).availability


def _params(model, n, seed):
    """Owner parameters (n, k, 4): the point values, the drawn columns moved."""
    drawn = [j for j in range(4) if model.layout.item_fixed[j] is None]
    params = np.broadcast_to(model.point_params, (n,) + model.point_params.shape).copy()
    rng = np.random.default_rng(seed)
    params[..., drawn] *= rng.uniform(0.8, 1.1, params[..., drawn].shape)
    return params


def test_items_equal_every_parameter_per_draw(model):
    params = _params(model, 300, 1)
    declared, loaded = simulation._item_availability(model, params)
    old_declared, old_loaded = _old_items(model, params)
    assert np.array_equal(declared, old_declared)         # the same operations, bit for bit
    assert np.array_equal(loaded, old_loaded)


def test_the_example_draws_only_the_mtbf_and_loads_some_items(example_tender):
    layout = simulation.build_model(example_tender).availability.layout
    assert layout.item_fixed[0] is None                   # MTBF drawn
    assert all(f is not None for f in layout.item_fixed[1:])
    assert layout.share_fixed is not None
    assert 0 < layout.under_rows.size < layout.item_fixed[1].shape[0]
    with pytest.raises(ValueError, match="read-only"):   # never written by a draw
        layout.item_fixed[1][0] = 1.0


def test_moments_equal_the_segment_columns(model):
    params = _params(model, 200, 2)
    declared, loaded = simulation._item_availability(model, params)
    moments, own = simulation._moments(model, declared, loaded)
    old, old_own = _old_moments(model, declared, loaded)
    years = model.layout.years
    n_bids = model.all_units.shape[0]
    for new, before in zip(moments, old):
        np.testing.assert_allclose(new.reshape(n_bids, -1, 200), before[:, years],
                                   rtol=1e-13, atol=1e-11)
    np.testing.assert_allclose(own, old_own, rtol=1e-13)


def test_shortfall_equals_the_old_block(model):
    """The anchored shortfall (n, B, T) against the old block: moments by segment
    columns, refined normal on every year, anchored."""
    params = _params(model, 100, 3)
    shortfall, own = simulation._availability_block(model, params, exact=False)
    declared, loaded = _old_items(model, params)
    moments, old_own = _old_moments(model, declared, loaded)
    approx = fleet_distribution._refined_normal_shortfall(*moments, model.demand[:, None])
    old = np.maximum(np.moveaxis(approx, -1, 0) * DAYS_PER_YEAR - model.approx0
                     + model.exact0, 0.0)
    np.testing.assert_allclose(shortfall, old, rtol=1e-11, atol=1e-9)
    np.testing.assert_allclose(own, old_own, rtol=1e-13)
    assert not np.any(shortfall[:, :, model.demand <= 0])


def test_each_draw_depends_on_its_own_parameters_only(model):
    params = _params(model, 700, 4)
    whole, own = simulation._availability_block(model, params, exact=False)
    whole, own = whole.copy(), own.copy()
    for rows in (slice(0, 1), slice(0, 300), slice(299, 700)):
        part, part_own = simulation._availability_block(model, params[rows], exact=False)
        assert np.array_equal(part, whole[rows])
        assert np.array_equal(part_own, own[rows])
