"""fleetcalc: compare locomotive tenders on life-cycle cost and availability.

>>> import fleetcalc
>>> tender = fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml")
>>> result = fleetcalc.evaluate(tender)
>>> list(result.ranking.columns[:4])
['rank', 'model', 'evaluated_cost', 'lcc_npv']

The public names are imported on first use (PEP 562), so that ``import
fleetcalc`` and ``fleetcalc --help`` load no numerical library; a name such
as ``fleetcalc.evaluate`` loads its module the first time it is looked up.
"""

import importlib
import sys
import types

#: Public name -> (module, attribute) it is imported from on first use.
_EXPORTS = {
    "evaluate": ("fleetcalc.evaluate", "evaluate"),
    "Problem": ("fleetcalc.exceptions", "Problem"),
    "ServiceLifeWarning": ("fleetcalc.exceptions", "ServiceLifeWarning"),
    "TenderError": ("fleetcalc.exceptions", "TenderError"),
    "TenderWarning": ("fleetcalc.exceptions", "TenderWarning"),
    "dumps_tender": ("fleetcalc.io", "dumps_tender"),
    "parse_tender": ("fleetcalc.io", "parse_tender"),
    "read_tender": ("fleetcalc.io", "read_tender"),
    "write_tender": ("fleetcalc.io", "write_tender"),
    # Read a tender file; the same as :func:`fleetcalc.io.read_tender`.
    "load_tender": ("fleetcalc.io", "read_tender"),
    "CATEGORIES": ("fleetcalc.lifecycle", "CATEGORIES"),
    "Money": ("fleetcalc.money", "Money"),
    "EvaluationResult": ("fleetcalc.result", "EvaluationResult"),
    "plan": ("fleetcalc.planning", "plan"),
    "PlanResult": ("fleetcalc.planning.result", "PlanResult"),
    **{name: ("fleetcalc.tender", name) for name in (
        "Ageing", "Bid", "Cohort", "Commonality", "Demand", "Escalation",
        "PaymentMilestone", "Plan", "Prices", "Rebuild", "Tender", "TenderSettings")},
}


def _version():
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version("fleetcalc")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def __getattr__(name):
    """Import a public name on first use and keep it (PEP 562)."""
    if name == "__version__":
        value = _version()
    elif name in _EXPORTS:
        module, attribute = _EXPORTS[name]
        value = getattr(importlib.import_module(module), attribute)
    else:
        raise AttributeError(f"module 'fleetcalc' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The package module: importing ``fleetcalc.evaluate`` keeps the function ``evaluate``.

    Importing a submodule sets it as an attribute of its package; the
    submodule :mod:`fleetcalc.evaluate` would then hide the function
    :func:`fleetcalc.evaluate` of the same name (as it did not when every
    name was imported eagerly, the function being bound last).
    """

    def __setattr__(self, name, value):
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = [
    "CATEGORIES",
    "Ageing",
    "Bid",
    "Cohort",
    "Commonality",
    "Demand",
    "Escalation",
    "EvaluationResult",
    "Money",
    "PaymentMilestone",
    "PlanResult",
    "Prices",
    "Plan",
    "Problem",
    "Rebuild",
    "ServiceLifeWarning",
    "Tender",
    "TenderError",
    "TenderSettings",
    "TenderWarning",
    "__version__",
    "dumps_tender",
    "evaluate",
    "load_tender",
    "parse_tender",
    "plan",
    "read_tender",
    "write_tender",
]
