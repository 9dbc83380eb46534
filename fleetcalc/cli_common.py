"""Former home of the command line's shared helpers, kept for old imports.

They now live in :mod:`fleetcalc.cli.common`.
"""

from fleetcalc.cli.common import quiet_tender_warnings, read_tender_reporting, whole_number

__all__ = ["read_tender_reporting", "quiet_tender_warnings", "whole_number"]
