"""Argument checks and return conventions shared by the calculation modules.

Private helpers: a calculation function converts its inputs with these (so a
bad argument fails before any computing, naming the argument, the value and
the rule) and returns through :func:`finish` (a float for scalar input, the
array otherwise), after numpy-financial's ``_ufunc_like``.
"""

from __future__ import annotations

import typing

import numpy as np
import numpy.typing as npt

__all__ = ["first_bad", "finish", "non_negative", "share", "Array", "FloatOrArray",
           "Numbers"]

#: An argument of a calculation function: a number or an array_like of numbers,
#: converted with ``np.asarray`` inside. ``Any`` rather than ``numpy.typing.ArrayLike``:
#: the kernels do arithmetic on their arguments before converting them, which
#: ArrayLike's union (nested sequences, buffers) does not support.
Numbers: typing.TypeAlias = typing.Any

#: A numpy array (of floats unless the docstring says otherwise).
Array: typing.TypeAlias = npt.NDArray[typing.Any]

#: What a calculation function returns: a float for 0-d input, else a float array
#: (numpy-financial's convention). ``Any`` because numpy's stubs cannot tie the type
#: of the result to the shape of the input.
FloatOrArray: typing.TypeAlias = typing.Any


def first_bad(values: Numbers, mask: Numbers) -> typing.Any:
    """Return the first offending element as a Python scalar, for messages.

    Examples
    --------
    >>> first_bad([1.0, -2.0, -3.0], [False, True, True])
    -2.0
    """
    return np.asarray(values)[np.asarray(mask)].ravel()[0].item()


def finish(result: Numbers) -> typing.Any:
    """Return a Python float for 0-d results, else the float array.

    Examples
    --------
    >>> finish(np.array(2.0)), finish([1, 2])
    (2.0, array([1., 2.]))
    """
    result = np.asarray(result, dtype=float)
    return float(result) if result.ndim == 0 else result


def non_negative(name: str, value: Numbers) -> typing.Any:
    """Convert to a float array and check ``value >= 0`` (NaN allowed).

    Examples
    --------
    >>> non_negative("mtbf_hours", -1.0)
    Traceback (most recent call last):
    ...
    ValueError: mtbf_hours must be >= 0, got -1.0
    """
    arr = np.asarray(value, dtype=float)
    bad = arr < 0
    if np.any(bad):
        raise ValueError(f"{name} must be >= 0, got {first_bad(arr, bad)!r}")
    return arr


def share(name: str, value: Numbers, *, allow_nan: bool = True) -> typing.Any:
    """Convert to a float array and check a decimal share in ``[0, 1]``.

    Examples
    --------
    >>> share("availability", 1.5)
    Traceback (most recent call last):
    ...
    ValueError: availability must be a decimal share in [0, 1], got 1.5
    """
    arr = np.asarray(value, dtype=float)
    bad = (arr < 0) | (arr > 1)
    if not allow_nan:
        bad |= np.isnan(arr)
    if np.any(bad):
        raise ValueError(f"{name} must be a decimal share in [0, 1], got {first_bad(arr, bad)!r}")
    return arr
