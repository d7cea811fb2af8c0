"""The safe write of a report to ``outbox/``.

:func:`safe_write` is :func:`consolidate.core.files.write_versioned` (temporary file, fsync,
rename; a target open in Excel gets ``<name> (2).xlsx``; a failed write leaves the previous
report intact and raises :class:`~consolidate.core.errors.OutputError`) with xlsxwriter's file
errors (cannot create the file, too large for the zip) counted as failures of the disk; its
input errors are bugs and stay exceptions (exit 3).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from xlsxwriter.exceptions import XlsxFileError

from consolidate.core.files import WriteOutcome, write_versioned

__all__ = ["WriteOutcome", "safe_write"]


def safe_write(target: Path, write: Callable[[Path], None], max_versions: int = 50) -> WriteOutcome:
    """Write a report through ``write(tmp_path)``; see :func:`write_versioned`."""
    return write_versioned(target, write, max_versions, write_errors=(XlsxFileError,))
