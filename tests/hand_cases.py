"""Small tenders computed by hand, shared by several test modules."""

import textwrap

import attrs

from fleetcalc import Bid, PaymentMilestone, Prices, Tender, TenderSettings

#: The settings of the small tender files of the command-line, file-reading and fuzz
#: tests (``tests/test_cli.py``, ``tests/test_io.py``, ``tests/malformed.py``): the
#: ``[tender]`` table with its exchange rates and diesel price, ready for more tables.
SMALL_TENDER_SETTINGS = textwrap.dedent("""\
    [tender]
    name = "T"
    base_currency = "USD"
    evaluation_year = 2026
    horizon_years = 10
    discount_rate = 0.08
    annual_km = 90000

    [tender.exchange_rates]
    PKR = 0.00356

    [tender.prices]
    diesel_per_litre = { amount = 257.08, currency = "PKR" }

    """)


def small_tender(exchange_rates=None, **bid_changes):
    """One bid (2 units, 1 M each), r = 10 %, H = 3, life 3 (see tests/test_evaluate.py)."""
    settings = TenderSettings(
        name="Hand case", base_currency="USD", evaluation_year=2026, horizon_years=3,
        discount_rate=0.10, annual_km=10_000, prices=Prices(diesel_per_litre=1.0),
        exchange_rates=exchange_rates or {})
    bid = Bid(bidder="A", model="M", currency="USD", unit_price=1_000_000, quantity=2,
              delivery=[1, 1], fuel_litres_per_km=4.0, maintenance_per_km=0.5,
              service_life_years=3, warranty_years=1, initial_support=50_000,
              overhaul_interval_years=2, overhaul_cost=100_000,
              payments=[PaymentMilestone("signing", 0.1), PaymentMilestone("delivery", 0.8),
                        PaymentMilestone("acceptance", 0.1)])
    return Tender(tender=settings, bids=[attrs.evolve(bid, **bid_changes)])
