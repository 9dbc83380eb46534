"""``python -m fleetcalc``: the ``fleetcalc`` command line (:func:`fleetcalc.cli.main`)."""

import sys

from fleetcalc.cli import main

if __name__ == "__main__":
    sys.exit(main())
