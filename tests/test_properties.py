"""Hypothesis properties of the whole evaluation (invariants a committee relies on)."""

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import fleetcalc
from fleetcalc import Money
from tests.strategies import OTHER_CURRENCIES, redenominate, scale_money, tenders

pytestmark = pytest.mark.filterwarnings("ignore::fleetcalc.TenderWarning")
evaluation_settings = settings(max_examples=40, deadline=None,
                               suppress_health_check=[HealthCheck.too_slow])


@evaluation_settings
@given(tenders(rich=True))
def test_lcc_is_the_sum_of_category_present_values(tender):
    result = fleetcalc.evaluate(tender)
    parts = result.ranking[[f"pv_{c}" for c in result.categories]].sum(axis=1)
    np.testing.assert_allclose(result.ranking["lcc_npv"], parts, rtol=1e-12, atol=1e-6)
    ledger = result.cash_flows.groupby("bidder")["present_value"].sum()
    ledger = ledger.reindex(result.ranking.index, fill_value=0.0)  # the ledger omits zeros
    np.testing.assert_allclose(ledger, result.ranking["lcc_npv"],
                               rtol=1e-9, atol=1e-4)


@evaluation_settings
@given(tenders(), st.floats(0.001, 0.2))
def test_present_value_of_each_cost_category_falls_as_the_rate_rises(tender, step):
    low = fleetcalc.evaluate(tender).pv_by_category
    higher = attrs.evolve(tender, tender=attrs.evolve(
        tender.tender, discount_rate=tender.tender.discount_rate + step))
    high = fleetcalc.evaluate(higher).pv_by_category
    costs = [c for c in low.columns if c != "residual_value"]  # non-negative streams
    assert (high[costs] <= low[costs] + 1e-9).all().all()


@evaluation_settings
@given(tenders(min_bids=2, rich=True), st.sampled_from([1e-3, 0.5, 7.0, 1e3]))
def test_rescaling_every_money_value_rescales_results_and_keeps_ranking(tender, factor):
    base = fleetcalc.evaluate(tender).ranking
    gaps = np.diff(np.sort(base["evaluated_cost"].to_numpy()))
    assume(np.all(gaps > 1e-9 * (1.0 + base["evaluated_cost"].abs().max())))  # no near ties
    scaled = fleetcalc.evaluate(scale_money(tender, factor)).ranking.loc[base.index]
    np.testing.assert_allclose(scaled["lcc_npv"], base["lcc_npv"] * factor, rtol=1e-9,
                               atol=1e-6)
    assert scaled["rank"].tolist() == base["rank"].tolist()


@evaluation_settings
@given(tenders(min_bids=2), st.sampled_from(OTHER_CURRENCIES),
       st.sampled_from([1e-2, 3.0, 100.0]))
def test_redenominating_a_currency_changes_nothing(tender, currency, factor):
    # currency-unit invariance: amounts in the currency x factor, its rate / factor
    base = fleetcalc.evaluate(tender).ranking
    gaps = np.diff(np.sort(base["evaluated_cost"].to_numpy()))
    assume(np.all(gaps > 1e-9 * (1.0 + base["evaluated_cost"].abs().max())))  # no near ties
    other = fleetcalc.evaluate(redenominate(tender, currency, factor)).ranking.loc[base.index]
    np.testing.assert_allclose(other["lcc_npv"], base["lcc_npv"], rtol=1e-9, atol=1e-6)
    assert other["rank"].tolist() == base["rank"].tolist()


@evaluation_settings
@given(tenders(min_bids=2, first_year_delivery=True), st.floats(1.0, 1e7))
def test_a_common_cost_keeps_the_ranking(tender, extra):
    # Every bid delivers in year 1, so initial support is paid at t = 0 for all:
    # adding the same amount (in the base currency) adds exactly that to each lcc_npv.
    def add(bid):
        support = fleetcalc.money.convert(
            bid.initial_support, currency=bid.currency,
            exchange_rates=tender.tender.exchange_rates, base_currency="USD")
        return attrs.evolve(bid, initial_support=Money(support + extra, "USD"))

    base = fleetcalc.evaluate(tender).ranking
    gaps = np.diff(np.sort(base["lcc_npv"].to_numpy()))
    assume(np.all(gaps > 1e-9 * (1.0 + extra)))  # no (near) ties, whose order is arbitrary
    more = fleetcalc.evaluate(attrs.evolve(tender, bids=tuple(map(add, tender.bids))))
    more = more.ranking.loc[base.index]
    np.testing.assert_allclose(more["lcc_npv"], base["lcc_npv"] + extra, rtol=1e-9, atol=1e-5)
    assert more["rank"].tolist() == base["rank"].tolist()


@evaluation_settings
@given(tenders(rich=True))
def test_a_tender_written_to_toml_and_read_back_evaluates_identically(tender):
    again = fleetcalc.parse_tender(fleetcalc.dumps_tender(tender))
    assert again == tender
    assert fleetcalc.evaluate(again).to_dict() == fleetcalc.evaluate(tender).to_dict()


@evaluation_settings
@given(tenders(rich=True))
def test_ranks_follow_evaluated_cost(tender):
    ranking = fleetcalc.evaluate(tender).ranking
    assert ranking["evaluated_cost"].is_monotonic_increasing
    assert ranking["rank"].iloc[0] == 1
