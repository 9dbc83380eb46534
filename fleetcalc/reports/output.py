"""Output files that lose nothing and inject nothing.

Every file fleetcalc writes goes through this module:

* :func:`check_output_path` refuses to write over an input file (the same
  file, also through a hard or symbolic link), through a symbolic link, or
  over an existing file unless ``force`` is given;
* :func:`write_text` writes through a temporary file in the same directory
  and renames it into place, so a failed write leaves the old file whole;
* :class:`Manifest` records the files a report wrote into a directory, so
  that a re-run replaces and removes only those files;
* :func:`csv_text` writes a table as CSV with every text cell neutralised
  against formula injection (:func:`neutralise_cell`).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

__all__ = ["OutputRefusedError", "OutputWriteError", "check_output_path", "write_text",
           "neutralise_cell", "csv_text", "Manifest", "MANIFEST_NAME"]

#: File in a report directory listing the files fleetcalc wrote there.
MANIFEST_NAME = ".fleetcalc-manifest.json"

#: First characters that make a spreadsheet read a CSV cell as a formula
#: (OWASP, "CSV Injection"): ``=``, ``+``, ``-``, ``@``, tab and carriage return.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class OutputRefusedError(Exception):
    """An output file was not written because writing it could lose data.

    The command line reports it as a usage error (exit status 2).
    """


class OutputWriteError(OSError):
    """An output file could not be written (no such folder, no permission, disk full).

    The command line reports it with exit status 1; the message names the file.
    """


def _same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_output_path(path, *, inputs=(), force=False, own=False):
    """Check that writing ``path`` loses nothing; raise if it could.

    Parameters
    ----------
    path : str or os.PathLike
        The file to be written.
    inputs : iterable of str or os.PathLike, optional
        Files the command reads: never written over, whatever the link.
    force : bool, optional
        Replace an existing regular file (default: refuse).
    own : bool, optional
        The existing file was written by fleetcalc (listed in a
        :class:`Manifest`): replace it without ``force``.

    Raises
    ------
    OutputRefusedError
        If ``path`` is a symbolic link, is one of ``inputs`` (same device and
        inode, or the same real path), is not a regular file, or exists and
        neither ``force`` nor ``own`` is given.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     tender = pathlib.Path(tmp, "t.toml")
    ...     _ = tender.write_text("x")
    ...     try:
    ...         check_output_path(tender, inputs=[tender], force=True)
    ...     except OutputRefusedError as error:
    ...         print(str(error).split(": ", 1)[1])
    is the input file t.toml; not written over
    """
    path = Path(path)
    for source in inputs:
        source = Path(source)
        if _same_file(path, source) or (
                os.path.realpath(path) == os.path.realpath(source)):
            raise OutputRefusedError(f"{path}: is the input file {source.name}; "
                                     "not written over")
    if path.is_symlink():
        raise OutputRefusedError(f"{path}: is a symbolic link; fleetcalc does not write "
                                 "through links (remove it or choose another name)")
    if not path.exists():
        return
    if not path.is_file():
        raise OutputRefusedError(f"{path}: exists and is not a regular file")
    if not (force or own):
        raise OutputRefusedError(f"{path}: exists; use --force to replace it")


def _mode_for(path):
    """Permissions of a new file at ``path``: those of the file it replaces, else the umask's."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_text(path, text, *, inputs=(), force=False):
    """Write ``text`` (UTF-8) to ``path`` after :func:`check_output_path`.

    The text goes to a new temporary file in the same directory, which is
    then renamed over ``path``: a link at ``path`` is never followed, and
    an interrupted write leaves any old file whole.

    Parameters
    ----------
    path : str or os.PathLike
    text : str
    inputs : iterable of path, optional
        Files never written over (see :func:`check_output_path`).
    force : bool, optional
        Replace an existing file.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    OutputRefusedError
        See :func:`check_output_path`.
    OutputWriteError
        If the file cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_text(pathlib.Path(tmp, "a.csv"), "x\\n")
    ...     path.read_text()
    'x\\n'
    """
    path = Path(path)
    check_output_path(path, inputs=inputs, force=force)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=path.parent if str(path.parent) else ".")
    except OSError as exc:
        raise OutputWriteError(f"{path}: {exc.strerror or exc}") from None
    try:
        os.chmod(temporary, _mode_for(path))
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OutputWriteError(f"{path}: {exc.strerror or exc}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def neutralise_cell(value):
    """A CSV cell that a spreadsheet cannot run as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return is prefixed with a single quote, as OWASP recommends against CSV
    injection; numbers (also negative ones) and other text are unchanged.

    Parameters
    ----------
    value : object

    Returns
    -------
    object

    References
    ----------
    OWASP Foundation, "CSV Injection",
    https://owasp.org/www-community/attacks/CSV_Injection

    Examples
    --------
    >>> neutralise_cell("=HYPERLINK(\\"http://x\\")"), neutralise_cell("-2+3")
    ('\\'=HYPERLINK("http://x")', "'-2+3")
    >>> neutralise_cell(-2.5), neutralise_cell("CRRC Ziyang")
    (-2.5, 'CRRC Ziyang')
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_text(frame):
    """A DataFrame as CSV text, every text cell and header neutralised.

    Parameters
    ----------
    frame : pandas.DataFrame
        Written without its index (``reset_index()`` it first to keep it).

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> print(csv_text(pd.DataFrame({"bidder": ["@SUM(A1)", "B"], "cost": [-1.5, 2.0]})),
    ...       end="")
    bidder,cost
    '@SUM(A1),-1.5
    B,2.0
    """
    from pandas.api.types import is_numeric_dtype  # noqa: PLC0415

    frame = frame.copy()
    frame.columns = [neutralise_cell(str(c)) for c in frame.columns]
    for column in frame.columns:
        if not is_numeric_dtype(frame[column]):
            frame[column] = frame[column].map(neutralise_cell).astype(object)
    return frame.to_csv(index=False)


class Manifest:
    """The files fleetcalc wrote into a report directory (``.fleetcalc-manifest.json``).

    Parameters
    ----------
    directory : str or os.PathLike

    Attributes
    ----------
    files : set of str
        Paths relative to ``directory`` (POSIX form) written by the last run;
        entries that leave the directory are ignored.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     Manifest(tmp).save(["report.html", "charts/a.png"])
    ...     sorted(Manifest(tmp).files)
    ['charts/a.png', 'report.html']
    """

    def __init__(self, directory):
        self.directory = Path(directory)
        self.path = self.directory / MANIFEST_NAME
        self.files = set()
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        names = data.get("files", []) if isinstance(data, dict) else []
        self.files = {n for n in names if isinstance(n, str) and self._inside(n)}

    @staticmethod
    def _inside(name):
        parts = Path(name).parts
        return bool(parts) and not Path(name).is_absolute() and ".." not in parts and (
            name != MANIFEST_NAME)

    def save(self, names):
        """Record ``names`` (relative paths) as the directory's fleetcalc files."""
        self.files = {str(n) for n in names}
        text = json.dumps({"written_by": "fleetcalc", "files": sorted(self.files)},
                          indent=2) + "\n"
        write_text(self.path, text, force=True)
