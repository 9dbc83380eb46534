"""What every ``fleetcalc`` command does with a tender file and its warnings."""

from __future__ import annotations

import argparse
import contextlib
import warnings

from fleetcalc.exceptions import TenderWarning
from fleetcalc.io import read_tender

__all__ = ["read_tender_reporting", "quiet_tender_warnings", "whole_number"]


def read_tender_reporting(path, stderr):
    """Read a tender file for a command; print its warnings to ``stderr``, once.

    Parameters
    ----------
    path : str or os.PathLike
    stderr : file-like

    Returns
    -------
    fleetcalc.Tender

    Raises
    ------
    fleetcalc.TenderError
        If the file has problems (the command line reports them and exits 2).
    """
    tender = read_tender(path)
    for problem in tender.warnings:
        print(f"warning: {problem}", file=stderr)
    return tender


@contextlib.contextmanager
def quiet_tender_warnings():
    """Silence the :class:`TenderWarning` that evaluating re-issues (already printed)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TenderWarning)
        yield


def whole_number(*, minimum):
    """An argparse ``type`` for a whole number ``>= minimum`` (e.g. ``--draws``, ``--seed``).

    Examples
    --------
    >>> whole_number(minimum=1)("12")
    12
    """

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value

    return parse
