"""File input and output: the edges of fleetcalc (nothing else opens files)."""

from fleetcalc.io.tender_file import (
    dumps_tender,
    parse_tender,
    read_tender,
    structure_tender,
    write_tender,
)

__all__ = ["read_tender", "parse_tender", "dumps_tender", "write_tender", "structure_tender"]
