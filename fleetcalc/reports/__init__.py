"""Outputs for people: text tables (and, later, workbooks, HTML and charts)."""

from fleetcalc.reports.table import format_ranking

__all__ = ["format_ranking"]
