"""Money as it really moves (issue 14): price basis, exchange-rate paths, delivery terms
and duties, the economic perspective and priced emissions.

Hand cases, numpy-financial oracles and hypothesis properties.
"""

import warnings

import attrs
import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fleetcalc
from fleetcalc import currency, emissions
from fleetcalc.tender import (
    Bid,
    EvaluationRules,
    Externalities,
    Financing,
    Money,
    PaymentMilestone,
    PriceAdjustment,
    Prices,
    Tender,
    TenderSettings,
)
from tests import strategies

EXAMPLE = "examples/pakistan_locomotives_2026.toml"


def small(inflation=0.0, horizon=3, rules=None, **bid_changes):
    """One bid of 2 units, delivered in years 1 and 2, paid 10/80/10; r = 10 %."""
    settings_ = TenderSettings(
        name="Money hand case", base_currency="USD", evaluation_year=2026,
        horizon_years=horizon, discount_rate=0.10, annual_km=10_000,
        prices=Prices(diesel_per_litre=1.0), exchange_rates={"PKR": 0.004, "CNY": 0.14},
        inflation=inflation, evaluation=rules or EvaluationRules())
    bid = Bid(bidder="A", model="M", currency="USD", unit_price=1_000_000, quantity=2,
              delivery=[1, 1], fuel_litres_per_km=4.0, maintenance_per_km=0.5,
              service_life_years=3, warranty_years=1,
              payments=[PaymentMilestone("signing", 0.1), PaymentMilestone("delivery", 0.8),
                        PaymentMilestone("acceptance", 0.1)])
    return Tender(tender=settings_, bids=[attrs.evolve(bid, **bid_changes)])


def with_settings(tender, **changes):
    return attrs.evolve(tender, tender=attrs.evolve(tender.tender, **changes))


def evaluate(tender):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fleetcalc.evaluate(tender)


def row(tender, bidder="A"):
    return evaluate(tender).ranking.loc[bidder]


def flows_of(tender):
    return evaluate(tender).cash_flows.set_index(["year", "category"])["amount"]


# --------------------------------------------------------------------------- 1. price basis


class TestPriceBasis:
    # the contract payments of small(): t0 0.2 + 0.8 = 1.0 M, t1 0.8 + 0.1 = 0.9 M, t2 0.1 M
    NOMINAL = {0: 1_000_000.0, 1: 900_000.0, 2: 100_000.0}

    def test_fixed_payments_are_nominal_and_deflated_by_hand(self):
        flows = flows_of(small(inflation=0.10))
        for t, amount in self.NOMINAL.items():
            assert flows[(t, "acquisition")] == pytest.approx(amount / 1.1**t, rel=1e-12)

    def test_indexed_payments_are_real(self):
        flows = flows_of(small(inflation=0.10, price_basis="indexed"))
        for t, amount in self.NOMINAL.items():
            assert flows[(t, "acquisition")] == pytest.approx(amount, rel=1e-12)

    def test_a_price_adjustment_formula_makes_a_bid_indexed(self):
        bid = attrs.evolve(small().bids[0], price_adjustment=PriceAdjustment(a=0.2, b=0.3, c=0.5))
        assert bid.price_basis == "fixed" and bid.indexed

    def test_pv_of_a_fixed_price_is_the_npv_of_nominal_amounts_at_the_nominal_rate(self):
        # numpy-financial oracle: real rate r and inflation pi <=> nominal (1+r)(1+pi) - 1
        r, pi = 0.10, 0.04
        pv = row(small(inflation=pi))["pv_acquisition"]
        nominal = [self.NOMINAL[t] for t in range(3)]
        assert pv == pytest.approx(npf.npv((1 + r) * (1 + pi) - 1, nominal), rel=1e-12)

    @settings(max_examples=30, deadline=None)
    @given(st.floats(0.0, 0.2), st.floats(0.01, 1.0), st.sampled_from(["equal_principal",
                                                                      "annuity"]),
           st.floats(0.0, 0.15))
    def test_drawdowns_never_exceed_the_financed_share_of_the_nominal_price(
            self, inflation, share, kind, rate):
        loan = Financing(share=share, interest_rate=rate, tenor_years=8, grace_years=3,
                         repayment=kind, export_credit_premium=0.05, upfront_fee=0.01)
        result = evaluate(small(inflation=inflation, financing=loan))
        drawn = result.financing["drawdown"].sum()
        assert drawn <= share * 2_000_000 * (1 + 1e-12) + 1e-6
        assert drawn == pytest.approx(share * 2_000_000, rel=1e-12, abs=1e-6)

    def test_the_premium_is_charged_on_the_nominal_drawdowns(self):
        loan = Financing(share=0.85, interest_rate=0.05, tenor_years=8, grace_years=3,
                         export_credit_premium=0.06)
        premium = evaluate(small(inflation=0.025, financing=loan)).financing["premium"].sum()
        assert premium == pytest.approx(0.06 * 0.85 * 2_000_000, rel=1e-12)

    @settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(strategies.tenders(rich=True))
    def test_with_zero_inflation_the_price_basis_changes_nothing(self, tender):
        tender = with_settings(tender, inflation=0.0)
        indexed = attrs.evolve(tender, bids=tuple(attrs.evolve(b, price_basis="indexed")
                                                  for b in tender.bids))
        a, b = evaluate(tender).ranking, evaluate(indexed).ranking
        np.testing.assert_allclose(a["lcc_npv"], b["lcc_npv"], rtol=1e-9, atol=1e-6)


# --------------------------------------------------------------------------- 2. financing rate


class TestFinancingDiscountRate:
    LOAN = Financing(share=1.0, interest_rate=0.03, tenor_years=6, grace_years=2)

    def test_default_is_the_tender_rate_and_is_stated(self):
        data = evaluate(small(financing=self.LOAN)).to_dict()
        assert data["tender"]["financing_discount_rate"] == 0.10

    def test_the_saving_is_valued_at_the_financing_rate(self):
        rules = EvaluationRules(financing_discount_rate=0.06)
        result = evaluate(small(financing=self.LOAN, rules=rules))
        frame = result.financing
        saving = (npf.npv(0.06, frame["drawdown"]) - npf.npv(0.06, frame["debt_service"]))
        assert result.ranking.loc["A", "financing_pv_saving"] == pytest.approx(saving, rel=1e-9)
        assert result.to_dict()["tender"]["financing_discount_rate"] == 0.06
        # the LCC itself stays at the tender's rate
        assert result.ranking.loc["A", "lcc_npv"] == pytest.approx(
            row(small(financing=self.LOAN))["lcc_npv"], rel=1e-12)


# --------------------------------------------------------------------------- 3. currency paths


class TestExchangeRatePaths:
    def test_rate_path_formulas(self):
        np.testing.assert_allclose(currency.rate_path(0.004, -0.03, 3),
                                   [0.004, 0.004 * 0.97, 0.004 * 0.97**2])
        np.testing.assert_allclose(currency.relative_path(2.0, [2.0, 1.0], 4), [1, .5, .5, .5])
        np.testing.assert_allclose(currency.real_factors(0.1, 3), [1, 1 / 1.1, 1 / 1.21])

    def test_flows_are_converted_at_their_years_rate_by_hand(self):
        # maintenance 125 PKR/km = 0.5 USD/km at t0; PKR -50 %/year in real terms
        tender = with_settings(small(maintenance_per_km=Money(125.0, "PKR")),
                               exchange_rate_paths={"PKR": -0.5})
        flows = flows_of(tender)
        # year 1: 1 unit x 10,000 km x 0.5 USD x 0.5; year 2: 2 units x ... x 0.25
        assert flows[(1, "maintenance")] == pytest.approx(5_000 * 0.5)
        assert flows[(2, "maintenance")] == pytest.approx(10_000 * 0.25)
        assert flows[(1, "energy")] == pytest.approx(40_000)  # fuel in USD: unchanged

    def test_a_list_of_rates_holds_its_last_value(self):
        tender = with_settings(small(currency="CNY", unit_price=1_000_000 / 0.14,
                                     price_basis="indexed"),
                               exchange_rate_paths={"CNY": [0.14, 0.07]})
        flows = flows_of(tender)
        assert flows[(0, "acquisition")] == pytest.approx(1_000_000)
        assert flows[(1, "acquisition")] == pytest.approx(900_000 / 2)
        assert flows[(2, "acquisition")] == pytest.approx(100_000 / 2)

    def test_debt_service_follows_the_loans_currency(self):
        # a PKR loan (the buyer borrows at home) paying a USD price: its debt service
        # shrinks in USD as the rupee falls; the drawdown converts at t0
        loan = Financing(share=1.0, currency="PKR", interest_rate=0.0, tenor_years=1,
                         grace_years=0)
        tender = small(payments=[PaymentMilestone("signing", 1.0)], financing=loan)
        flat = flows_of(tender)
        falling = flows_of(with_settings(tender, exchange_rate_paths={"PKR": -0.2}))
        assert flat[(1, "acquisition")] == pytest.approx(2_000_000)
        assert falling[(1, "acquisition")] == pytest.approx(2_000_000 * 0.8)

    @settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(strategies.tenders(rich=True))
    def test_flat_paths_and_zero_inflation_equal_todays_results(self, tender):
        tender = with_settings(tender, inflation=0.0)
        flat = with_settings(tender, exchange_rate_paths={
            code: 0.0 for code in tender.tender.exchange_rates})
        a, b = evaluate(tender).ranking, evaluate(flat).ranking
        np.testing.assert_allclose(a["lcc_npv"], b["lcc_npv"], rtol=1e-9, atol=1e-6)


# --------------------------------------------------------------------------- 4. delivery terms


class TestDeliveryTermsAndDuties:
    TERMS = dict(incoterm="FOB", inland_transport=20_000, insurance=5_000, port_charges=3_000,
                 import_duty_rate=0.05)

    def test_delivery_costs_are_paid_with_each_delivery(self):
        tender = small(rules=EvaluationRules(delivery_basis="CIP"), **self.TERMS)
        flows = flows_of(tender)
        assert flows[(0, "delivery_terms")] == pytest.approx(28_000)   # year-1 unit, t = 0
        assert flows[(1, "delivery_terms")] == pytest.approx(28_000)
        assert (0, "duties") not in flows.index                        # excluded by default

    def test_without_a_delivery_basis_bids_are_compared_as_quoted(self):
        assert "delivery_terms" not in set(flows_of(small(**self.TERMS)).index
                                           .get_level_values("category"))

    def test_duties_when_the_rules_include_them(self):
        rules = EvaluationRules(delivery_basis="DDP", include_duties=True)
        flows = flows_of(small(rules=rules, import_duties=1_000, **self.TERMS))
        assert flows[(0, "duties")] == pytest.approx(0.05 * 1_000_000 + 1_000)

    def test_the_economic_perspective_drops_duties(self):
        rules = EvaluationRules(delivery_basis="DDP", include_duties=True)
        tender = with_settings(small(rules=rules, **self.TERMS), perspective="economic")
        assert row(tender)["pv_duties"] == 0.0

    def test_a_bid_short_of_the_basis_without_costs_is_warned(self):
        from fleetcalc.validation import problems_of

        tender = small(rules=EvaluationRules(delivery_basis="CIP"), incoterm="EXW")
        warned = [p for p in problems_of(tender) if p.path.endswith("incoterm")]
        assert warned and warned[0].severity == "warning"
        assert not [p for p in problems_of(small(rules=EvaluationRules(delivery_basis="CIP"),
                                                 **self.TERMS)) if p.path.endswith("incoterm")]

    def test_an_indexed_bid_is_non_responsive_where_fixed_prices_are_required(self):
        rules = EvaluationRules(price_basis="fixed")
        assert evaluate(small(rules=rules)).ranking.loc["A", "responsive"]
        assert not evaluate(small(rules=rules, price_basis="indexed")).ranking.loc[
            "A", "responsive"]

    def test_the_evaluation_table_shows_each_line(self):
        from fleetcalc.reports.evaluation_table import evaluation_table

        table = evaluation_table(evaluate(small(rules=EvaluationRules(delivery_basis="CIP"),
                                                **self.TERMS)))
        assert table.loc["inland_transport", "A"] == pytest.approx(40_000)
        assert table.loc["insurance", "A"] == pytest.approx(10_000)
        assert table.loc["port_charges", "A"] == pytest.approx(6_000)
        assert table.loc["import_duties", "A"] == pytest.approx(100_000)
        assert not table.loc["import_duties", "in_total"]
        assert table.loc["lcc_delivery_terms", "in_total"]


# --------------------------------------------------------------------------- 5. perspective


class TestEconomicPerspective:
    def test_fuel_taxes_are_a_transfer(self):
        tender = with_settings(small(), prices=Prices(diesel_per_litre=1.0,
                                                      diesel_taxes_per_litre=0.25))
        assert flows_of(tender)[(1, "energy")] == pytest.approx(40_000)
        economic = flows_of(with_settings(tender, perspective="economic"))
        assert economic[(1, "energy")] == pytest.approx(30_000)

    def test_the_shadow_exchange_rate_factor_applies_to_foreign_flows_only(self):
        tender = with_settings(small(maintenance_per_km=Money(125.0, "PKR")),
                               perspective="economic", local_currency="PKR",
                               shadow_exchange_rate_factor=1.2)
        flows = flows_of(tender)
        assert flows[(1, "maintenance")] == pytest.approx(5_000)        # local: PKR
        assert flows[(1, "energy")] == pytest.approx(40_000 * 1.2)      # USD fuel: foreign
        assert flows[(0, "acquisition")] == pytest.approx(1_000_000 * 1.2)


# --------------------------------------------------------------------------- 6. emissions


class TestEmissions:
    def test_ipcc_default_factor(self):
        # IPCC 2006 vol. 2 table 3.4.1: 74,100 kg/TJ; NCV 43.0 TJ/Gg; density 0.84 kg/L
        assert Externalities().co2_kg_per_litre == pytest.approx(2.676, abs=5e-4)

    def test_tonnes_are_counted_but_priced_only_when_included(self):
        ext = Externalities(co2_kg_per_litre=2.5, carbon_price_per_tonne=40.0)
        tender = with_settings(small(), externalities=ext)
        result = evaluate(tender)
        # litres: year 1 40,000, years 2-3 80,000 -> 200,000 L x 2.5 kg = 500 t
        assert result.ranking.loc["A", "co2_tonnes"] == pytest.approx(500.0)
        assert result.ranking.loc["A", "pv_emissions"] == 0.0
        data = result.to_dict()
        assert data["bids"][0]["co2_tonnes"] == pytest.approx(500.0)
        assert sum(r["co2_tonnes"] for r in data["emissions"]) == pytest.approx(500.0)
        included = with_settings(tender, evaluation=EvaluationRules(include_externalities=True))
        flows = flows_of(included)
        assert flows[(1, "emissions")] == pytest.approx(40_000 * 2.5 / 1000 * 40.0)

    def test_clean_vehicles_directive_lifetime_cost_hand_case(self):
        # Directive 2009/33/EC: lifetime km x emission per km x unit cost. One unit from
        # year 1 for 3 years at 10,000 km: 30,000 km x (4 L/km x 2.5 kg/L) x 0.04 /kg = 12,000
        ext = Externalities(co2_kg_per_litre=2.5, carbon_price_per_tonne=40.0)
        tender = with_settings(small(quantity=1, delivery=[1], payments=[
            PaymentMilestone("delivery", 1.0)]), externalities=ext,
            evaluation=EvaluationRules(include_externalities=True))
        flows = flows_of(tender)
        total = sum(flows[(t, "emissions")] for t in (1, 2, 3))
        assert total == pytest.approx(emissions.lifetime_cost(30_000, 4 * 2.5, 0.040))
        assert total == pytest.approx(12_000)

    def test_carbon_price_growth_and_pollutants(self):
        c = emissions.cost_per_litre([0, 2], co2_kg_per_litre=2.0, carbon_price_per_tonne=50.0,
                                     carbon_price_growth=0.1, nox_g_per_litre=40.0,
                                     nox_price_per_tonne=10_000.0, pm_g_per_litre=2.0,
                                     pm_price_per_tonne=100_000.0)
        np.testing.assert_allclose(c, [0.1 + 0.4 + 0.2, 0.1 * 1.21 + 0.4 + 0.2])

    def test_the_economic_perspective_includes_externalities(self):
        ext = Externalities(co2_kg_per_litre=2.5, carbon_price_per_tonne=40.0)
        tender = with_settings(small(), externalities=ext, perspective="economic")
        assert row(tender)["pv_emissions"] > 0


# --------------------------------------------------------------------------- 7. the example


class TestExample:
    def test_the_example_with_indexed_prices_equals_the_old_convention(self):
        # Before issue 14 every payment was treated as real (indexed): the example with all
        # bids indexed, no currency paths, financial perspective and no externalities must
        # give the old costs (the stored reference of before this work: since the merge of
        # issue 13, the fleet13 branch's output, tests/data/README.md).
        import json
        import pathlib

        tender = fleetcalc.load_tender(EXAMPLE)
        old = attrs.evolve(tender, tender=attrs.evolve(
            tender.tender, exchange_rate_paths={}, perspective="financial",
            escalation=attrs.evolve(tender.tender.escalation, energy=0.01),
            evaluation=attrs.evolve(tender.tender.evaluation, include_externalities=False,
                                    delivery_basis=None, financing_discount_rate=None)),
            bids=tuple(attrs.evolve(b, price_basis="indexed") for b in tender.bids))
        result = evaluate(old)
        before = json.loads((pathlib.Path(__file__).parent / "data"
                             / "compare_example_before_issue14.json").read_text())
        for bid in before["bids"]:
            for key in ("lcc_npv", "evaluated_cost"):
                assert result.ranking.loc[bid["bidder"], key] == pytest.approx(
                    bid[key], rel=1e-9)
            # issue 13: the example has a demand, so the existing fleet is in each bid
            # and the do-nothing baseline is the reference for incremental_npv
            assert result.ranking.loc[bid["bidder"], "incremental_npv"] == pytest.approx(
                bid["incremental_npv"], rel=1e-9)
        assert result.to_dict()["do_nothing"]["npv"] == pytest.approx(
            before["do_nothing"]["npv"], rel=1e-9)

    def test_the_import_parity_escalation_keeps_the_fuel_cost_in_usd(self):
        # the example's diesel escalation ~1.01 / 0.98 - 1 in PKR with PKR -2 %/year real:
        # energy is what it was with 1 %/year and flat rates
        tender = fleetcalc.load_tender(EXAMPLE)
        flat = attrs.evolve(tender, tender=attrs.evolve(
            tender.tender, exchange_rate_paths={},
            escalation=attrs.evolve(tender.tender.escalation, energy=0.01)))
        names = [b.bidder for b in tender.bids]
        # 0.030612 rounds 1.01 / 0.98 - 1 = 0.0306122...: (1.030612 x 0.98)^30 = 1.01^30 (1 - 7e-6)
        np.testing.assert_allclose(evaluate(tender).ranking.loc[names, "pv_energy"],
                                   evaluate(flat).ranking.loc[names, "pv_energy"], rtol=1e-5)

    def test_the_example_prices_its_emissions_from_the_file(self):
        result = evaluate(fleetcalc.load_tender(EXAMPLE))
        assert (result.ranking["co2_tonnes"] > 0).all()


# --------------------------------------------------------------------------- PKR versus USD


def in_rupees(usd, *, paths=True):
    """The example restated with base currency PKR (docs/how-to/pkr-versus-usd.md)."""
    s = usd.tender
    pkr_per_usd = 1 / s.exchange_rates["PKR"]
    mirrored = {"USD": 1 / 0.98 - 1, "CNY": 1.005 / 0.98 - 1} if paths else {}
    return attrs.evolve(usd, tender=attrs.evolve(
        s, base_currency="PKR",
        exchange_rates={"USD": pkr_per_usd, "CNY": s.exchange_rates["CNY"] * pkr_per_usd},
        exchange_rate_paths=mirrored,
        demand=attrs.evolve(s.demand, shortfall_cost_per_unit_day=Money(   # the file's USD
            float(s.demand.shortfall_cost_per_unit_day), "USD")),
        externalities=attrs.evolve(
            s.externalities, carbon_price_per_tonne=Money(60.0, "USD"),
            nox_price_per_tonne=Money(2_000.0, "USD"), pm_price_per_tonne=Money(20_000.0, "USD"))),
        fleet=tuple(attrs.evolve(c, currency=c.currency or "USD") for c in usd.fleet),
        uncertainty=(), correlation=None)


class TestPkrVersusUsd:
    def test_with_flat_rates_the_rupee_evaluation_is_the_dollar_one_times_the_rate(self):
        usd = fleetcalc.load_tender(EXAMPLE)
        flat_usd = with_settings(usd, exchange_rate_paths={},
                                 escalation=attrs.evolve(usd.tender.escalation, energy=0.01))
        flat_pkr = in_rupees(flat_usd, paths=False)
        a, b = evaluate(flat_usd).ranking, evaluate(flat_pkr).ranking
        rate = 1 / usd.tender.exchange_rates["PKR"]
        names = [bid.bidder for bid in usd.bids]
        np.testing.assert_allclose(b.loc[names, "lcc_npv"], a.loc[names, "lcc_npv"] * rate,
                                   rtol=1e-9)

    def test_the_how_to_table(self):
        # the claims of docs/how-to/pkr-versus-usd.md, recomputed: the ranks hold, every
        # rupee cost exceeds the dollar one at the t0 rate (PKR drifts down), and the gap
        # of the two best narrows in rupees (what comes latest weighs most there)
        usd = fleetcalc.load_tender(EXAMPLE)
        a, b = evaluate(usd).ranking, evaluate(in_rupees(usd)).ranking
        names = [bid.bidder for bid in usd.bids]
        assert a.loc[names, "rank"].tolist() == b.loc[names, "rank"].tolist()
        rate = 1 / usd.tender.exchange_rates["PKR"]
        assert (b.loc[names, "evaluated_cost"] > a.loc[names, "evaluated_cost"] * rate).all()
        first, second = a.index[:2]
        gap_usd = a.loc[second, "evaluated_cost"] - a.loc[first, "evaluated_cost"]
        gap_pkr = b.loc[second, "evaluated_cost"] - b.loc[first, "evaluated_cost"]
        assert 0 < gap_pkr / rate < gap_usd


def old_convention(tender):
    """The example as evaluated before issue 14: indexed (real) payments, one rate per
    currency, 1 %/year diesel, no delivery basis, no externalities, no CNY random walk."""
    rules = attrs.evolve(tender.tender.evaluation, include_externalities=False,
                         delivery_basis=None, financing_discount_rate=None)
    settings_ = attrs.evolve(tender.tender, exchange_rate_paths={}, perspective="financial",
                             evaluation=rules,
                             escalation=attrs.evolve(tender.tender.escalation, energy=0.01))
    uncertainty = tuple(
        attrs.evolve(u, process=None, volatility=None)
        if u.input == "tender.exchange_rates.CNY" else u for u in tender.uncertainty)
    return attrs.evolve(tender, tender=settings_, uncertainty=uncertainty,
                        bids=tuple(attrs.evolve(b, price_basis="indexed") for b in tender.bids))


def test_the_monte_carlo_with_the_old_convention_equals_the_stored_simulation():
    import json
    import pathlib

    from fleetcalc import simulation

    reference = json.loads((pathlib.Path(__file__).parent / "data"
                            / "simulation_example_before_issue14.json").read_text())["simulation"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = simulation.simulate(old_convention(fleetcalc.load_tender(EXAMPLE)), draws=5000,
                                   seed=7).to_dict()["simulation"]
    assert ours["inputs"] == reference["inputs"]
    for new, old in zip(ours["bids"], reference["bids"], strict=True):
        for key, value in old.items():
            if isinstance(value, float):
                assert new[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key
            else:
                assert new[key] == value, key
    assert ours["p_cheaper"] == reference["p_cheaper"]
