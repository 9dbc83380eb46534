"""Former home of the ``simulate`` and ``sensitivity`` commands, kept for old imports.

The commands now live in :mod:`fleetcalc.cli.simulate` and
:mod:`fleetcalc.cli.sensitivity`, their parsers in :mod:`fleetcalc.cli.parser`.
"""

from fleetcalc.cli.parser import add_sensitivity_parser, add_simulate_parser
from fleetcalc.cli.sensitivity import format_sensitivity, run_sensitivity
from fleetcalc.cli.simulate import format_simulation, run_simulate

__all__ = ["add_simulate_parser", "run_simulate", "add_sensitivity_parser", "run_sensitivity",
           "format_simulation", "format_sensitivity"]
