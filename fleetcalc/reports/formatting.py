"""Number formatting shared by the HTML report, the workbook and the charts.

One rule for rates and shares everywhere: a percentage with as many
decimals as the value needs, so that an input of ``0.001`` (0.1 % a week)
never reads ``0.00`` or ``0%``.
"""

from __future__ import annotations

import math
import numbers

__all__ = ["is_finite_number", "percent", "percent_decimals", "percent_number_format",
           "is_share_unit", "NOT_FINITE"]

#: Text shown for a value that is not a finite number (and the reason in a note).
NOT_FINITE = {math.inf: "+\u221e", -math.inf: "\u2212\u221e"}

#: Most decimals of a percentage (beyond them a value is rounded).
_MAX_DECIMALS = 6


def is_finite_number(value):
    """True for a real, finite number (not a bool, not None, not NaN or inf).

    Parameters
    ----------
    value : object

    Returns
    -------
    bool

    Examples
    --------
    >>> [is_finite_number(v) for v in (1, 0.5, float("nan"), float("inf"), None, True)]
    [True, True, False, False, False, False]
    """
    return (value is not None and isinstance(value, numbers.Number)
            and not isinstance(value, bool) and math.isfinite(float(value)))


def percent_decimals(value, minimum=0):
    """Decimals needed to show ``value`` (a share) as a percentage.

    The fewest decimals, at least ``minimum``, that show the value exactly
    (to 6 decimals of a percent); a non-zero value never rounds to zero.

    Parameters
    ----------
    value : float
        A share or rate, decimal (0.08 is 8 %).
    minimum : int, optional
        Fewest decimals (e.g. 1 for results such as availability).

    Returns
    -------
    int

    Examples
    --------
    >>> [percent_decimals(v) for v in (0.08, 0.001, 0.0055, 1 / 3)]
    [0, 1, 2, 6]
    >>> percent_decimals(0.0004, minimum=1), percent_decimals(0.8904, minimum=1)
    (2, 1)
    """
    scaled = abs(float(value)) * 100
    for decimals in range(minimum, _MAX_DECIMALS + 1):
        rounded = round(scaled, decimals)
        exact = math.isclose(rounded, scaled, rel_tol=1e-9, abs_tol=10.0 ** -(_MAX_DECIMALS + 3))
        if exact or (decimals >= minimum and rounded != 0 and minimum > 0):
            return decimals
    return _MAX_DECIMALS


def percent(value, decimals=None, *, undefined="\u2013"):
    """A share or rate as a percentage, e.g. ``"0.1%"``, ``"8%"``, ``"89.0%"``.

    Parameters
    ----------
    value : float
        Decimal share (0.08 is 8 %).
    decimals : int, optional
        Fixed decimals for results (a non-zero value that would round to zero
        gets more); default: as many as the value needs (for inputs).
    undefined : str, optional
        Shown for None or NaN.

    Returns
    -------
    str
        ``+∞%``/``−∞%`` for infinite values.

    Examples
    --------
    >>> percent(0.001), percent(0.08), percent(0.0055), percent(0.15)
    ('0.1%', '8%', '0.55%', '15%')
    >>> percent(0.8904, 1), percent(0.0004, 1), percent(0.0, 1), percent(None)
    ('89.0%', '0.04%', '0.0%', '–')
    """
    if value is None or isinstance(value, bool) or not isinstance(value, numbers.Number):
        return undefined
    value = float(value)
    if math.isnan(value):
        return undefined
    if math.isinf(value):
        return NOT_FINITE[value] + "%"
    if decimals is None:
        shown = percent_decimals(value)
    else:
        shown = decimals
        if value != 0 and round(abs(value) * 100, decimals) == 0:
            scaled = abs(value) * 100
            shown = min(_MAX_DECIMALS, max(decimals, -math.floor(math.log10(scaled)) + 1))
    return f"{value:.{shown}%}"


def percent_number_format(value, minimum=0):
    """An Excel number format that shows ``value`` like :func:`percent`.

    Parameters
    ----------
    value : float
        The share the cell holds.
    minimum : int, optional
        Fewest decimals.

    Returns
    -------
    str

    Examples
    --------
    >>> percent_number_format(0.08), percent_number_format(0.001), percent_number_format(0.0055)
    ('0%', '0.0%', '0.00%')
    """
    decimals = percent_decimals(value, minimum) if is_finite_number(value) else minimum
    return "0%" if decimals == 0 else "0." + "0" * decimals + "%"


def is_share_unit(unit):
    """True for the units of shares and rates: ``-``, ``-/year``, ``-/week``, ...

    Parameters
    ----------
    unit : str or None
        A spec unit.

    Returns
    -------
    bool

    Examples
    --------
    >>> [is_share_unit(u) for u in ("-", "-/year", "-/week", "year", "USD", None)]
    [True, True, True, False, False, False]
    """
    return bool(unit) and (unit == "-" or unit.startswith("-/"))
