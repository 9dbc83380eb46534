"""fleetcalc: compare locomotive tenders on life-cycle cost and availability.

>>> import fleetcalc
>>> tender = fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml")
>>> result = fleetcalc.evaluate(tender)
>>> list(result.ranking.columns[:4])
['rank', 'model', 'evaluated_cost', 'lcc_npv']
"""

from importlib.metadata import PackageNotFoundError, version

from fleetcalc.evaluate import evaluate
from fleetcalc.exceptions import Problem, ServiceLifeWarning, TenderError, TenderWarning
from fleetcalc.io import dumps_tender, parse_tender, read_tender, write_tender
from fleetcalc.lifecycle import CATEGORIES
from fleetcalc.money import Money
from fleetcalc.result import EvaluationResult
from fleetcalc.tender import (
    Ageing,
    Bid,
    Cohort,
    Commonality,
    Demand,
    Escalation,
    PaymentMilestone,
    Prices,
    Tender,
    TenderSettings,
)

try:
    __version__ = version("fleetcalc")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

#: Read a tender file; the same as :func:`fleetcalc.io.read_tender`.
load_tender = read_tender

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
    "Prices",
    "Problem",
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
    "read_tender",
    "write_tender",
]
