"""Uncertain inputs of a tender (``[[uncertainty]]``) and their correlation.

Value objects only: what is uncertain and how (the Monte Carlo engine in
:mod:`fleetcalc.simulation` draws them). Each entry names an input by its key
path in the tender file, e.g. ``tender.prices.diesel_per_litre``,
``tender.exchange_rates.PKR``, ``bids[*].mtbf_hours`` (every bid) or
``bids[CRRC Ziyang].maintenance_per_km`` (one bid, by bidder).
"""

from __future__ import annotations

import attrs

from fleetcalc.validation import number, one_of, spec, text

__all__ = ["DISTRIBUTIONS", "UncertainInput", "Correlation"]

#: Distributions an uncertain input can follow.
DISTRIBUTIONS = ("triangular", "uniform", "normal", "lognormal", "pert")


def _floats(value):
    return tuple(value) if isinstance(value, list) else value


@attrs.frozen(kw_only=True)
class UncertainInput:
    """One uncertain input: which value, which distribution, which parameters.

    Examples
    --------
    >>> UncertainInput(input="tender.prices.diesel_per_litre", distribution="triangular",
    ...                low=0.8, mode=1.0, high=1.4, scale="relative").scale
    'relative'
    """

    input: str = spec("Key path of the input, e.g. tender.prices.diesel_per_litre, "
                      "bids[*].mtbf_hours or bids[CRRC Ziyang].maintenance_per_km.",
                      example="tender.prices.diesel_per_litre", rules=(text,))
    distribution: str = spec("Distribution: triangular, uniform, normal, lognormal or pert.",
                             example="triangular", rules=(text, one_of(*DISTRIBUTIONS)))
    scale: str = spec("absolute: parameters are values of the input (in its own unit and "
                      "currency); relative: multipliers of its point value.",
                      example="relative", default="absolute",
                      rules=(text, one_of("absolute", "relative")))
    low: float | None = spec("Lower bound (triangular, uniform, pert).", example=0.8,
                             optional=True, rules=(number,))
    mode: float | None = spec("Most likely value (triangular, pert).", example=1.0,
                              optional=True, rules=(number,))
    high: float | None = spec("Upper bound (triangular, uniform, pert).", example=1.4,
                              optional=True, rules=(number,))
    mean: float | None = spec("Mean (normal, lognormal).", example=1.0, optional=True,
                              rules=(number,))
    std: float | None = spec("Standard deviation (normal, lognormal).", example=0.1,
                             optional=True, rules=(number,))


@attrs.frozen(kw_only=True)
class Correlation:
    """Correlation of uncertain inputs through a Gaussian copula (``[correlation]``).

    Examples
    --------
    >>> Correlation(inputs=["a", "b"], matrix=[[1.0, 0.5], [0.5, 1.0]]).inputs
    ('a', 'b')
    """

    inputs: tuple = spec("Key paths of the correlated inputs, as in [[uncertainty]].",
                         example=["tender.prices.diesel_per_litre", "tender.exchange_rates.PKR"],
                         converter=_floats)
    matrix: tuple = spec("Correlation matrix (rank correlation of the normal scores), one "
                         "row per input; symmetric, unit diagonal, positive definite.",
                         example=[[1.0, -0.4], [-0.4, 1.0]],
                         converter=lambda rows: tuple(_floats(r) for r in rows)
                         if isinstance(rows, list) else rows)
