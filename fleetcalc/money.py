"""Money with a currency, and conversion to the tender's base currency."""

from __future__ import annotations

import attrs

from fleetcalc.validation import MAX_MAGNITUDE, currency_code, number, spec

__all__ = ["Money", "convert", "money"]


@attrs.frozen
class Money:
    """An amount in a named currency.

    In a tender file a money value is either a plain number (in the bid's
    currency for bid fields, in the base currency for tender fields) or a
    table ``{ amount = ..., currency = "..." }``.

    Examples
    --------
    >>> Money(257.08, "PKR")
    Money(amount=257.08, currency='PKR')
    """

    amount: float = spec("Amount of money.", unit="currency", example=257.08, rules=(number,))
    currency: str = spec("ISO 4217 code of the amount's currency.", example="PKR",
                         rules=(currency_code,))


def convert(value, *, currency, exchange_rates, base_currency):
    r"""Convert a money value to the base currency.

    Parameters
    ----------
    value : float or Money
        A plain number is in ``currency``; a :class:`Money` carries its own.
    currency : str
        Currency of a plain number (the bid's currency, or the base currency
        for tender-level prices).
    exchange_rates : Mapping[str, float]
        Value of one unit of each currency in the base currency
        [base currency per unit], as on the tender's stated date.
    base_currency : str
        ISO 4217 code of the base currency (rate 1 implied).

    Returns
    -------
    float
        Amount in the base currency.

    Raises
    ------
    KeyError
        If the currency has no rate (a validated tender never has one).

    Notes
    -----
    .. math:: x_{base} = x_{cur} \cdot \rho_{cur}

    One rate per currency on one stated date, the single-currency rule of
    World Bank and ADB bid evaluation (selling rates of a stated official
    source on a stated date).

    Examples
    --------
    >>> convert(Money(257.08, "PKR"), currency="USD", exchange_rates={"PKR": 0.00356},
    ...         base_currency="USD")
    0.9152048
    >>> convert(10.0, currency="USD", exchange_rates={}, base_currency="USD")
    10.0
    """
    if isinstance(value, Money):
        amount, currency = value.amount, value.currency
    else:
        amount = value
    if currency == base_currency:
        return float(amount)
    return float(amount) * float(exchange_rates[currency])


def money(*, minimum=None):
    """Validation rule: a plain number or a :class:`Money` with a finite amount within ±1e15.

    It lives beside :class:`Money` (not in :mod:`fleetcalc.validation`, which the
    Money class is built on) so that the two modules do not import each other.
    """

    def rule(value):
        amount = value.amount if isinstance(value, Money) else value
        if isinstance(value, Money):
            broken = currency_code(value.currency)
            if broken:
                return f"currency {value.currency!r} {broken}"
        broken = number(amount)
        if broken:
            return broken if not isinstance(value, Money) else f"amount {broken}"
        if minimum is not None and amount < minimum:
            return f"must be >= {minimum}"
        return None

    rule.__doc__ = "money" + (f" >= {minimum}" if minimum is not None else "")
    rule.describe = (f">= {minimum:g}" if minimum is not None else
                     f">= {-MAX_MAGNITUDE:g}") + f" and <= {MAX_MAGNITUDE:g}"
    return rule
