"""The safe write of a report to ``outbox/``.

:func:`safe_write` writes to a temporary file in the outbox and renames it; a target open in
Excel (``PermissionError``) gets a versioned name; a failed write leaves the previous report
intact and raises :class:`~consolidate.core.errors.OutputError`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xlsxwriter.exceptions import XlsxWriterException

from consolidate.core.errors import OutputError

# --- safe write -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WriteOutcome:
    path: Path  # the file actually written
    note: str  # Vietnamese note when a versioned name had to be used, else ""


def versioned_name(target: Path, n: int) -> Path:
    """``Bao-cao.xlsx`` -> ``Bao-cao (2).xlsx``."""
    return target.with_name(f"{target.stem} ({n}){target.suffix}")


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        pass  # nothing more we can do; the name starts with '.' and ends with .tmp


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or exc.__class__.__name__


def safe_write(target: Path, write: Callable[[Path], None], max_versions: int = 50) -> WriteOutcome:
    """Write through ``write(tmp_path)`` then rename onto ``target``.

    If ``target`` is locked (open in Excel on Windows: ``PermissionError`` on rename), the
    report goes to ``<name> (2).xlsx``, ``(3)``… and the outcome says so. Any other failure
    (disk full, no permission on the folder) removes the temporary file, leaves the previous
    report untouched and raises :class:`OutputError`.
    """
    folder = target.parent
    hint = (
        "Giải phóng dung lượng ổ đĩa hoặc kiểm tra quyền ghi thư mục "
        f"{folder}, rồi chạy lại lệnh. Báo cáo cũ (nếu có) vẫn còn nguyên."
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Không tạo được thư mục {folder}: {_reason(exc)}.", hint) from exc
    # Leftovers of a run killed before its rename (builds hold the workspace lock, so no
    # other writer owns them).
    for stale in folder.glob(f".{target.stem}.*.tmp"):
        _unlink_quietly(stale)
    tmp = folder / f".{target.stem}.{os.getpid()}.tmp"
    try:
        write(tmp)
    except (OSError, XlsxWriterException) as exc:
        _unlink_quietly(tmp)
        raise OutputError(f"Không ghi được báo cáo {target.name}: {_reason(exc)}.", hint) from exc
    for n in range(1, max_versions + 1):
        candidate = target if n == 1 else versioned_name(target, n)
        if n > 1 and candidate.exists():
            continue  # never overwrite an older versioned report someone may be reading
        try:
            os.replace(tmp, candidate)
        except PermissionError:
            continue
        except OSError as exc:
            _unlink_quietly(tmp)
            raise OutputError(
                f"Không ghi được báo cáo {target.name}: {_reason(exc)}.", hint
            ) from exc
        note = ""
        if n > 1:
            note = (
                f"Tệp {target.name} đang được mở (có thể trong Excel) nên không ghi đè được; "
                f"báo cáo mới đã được ghi vào {candidate.name}. Đóng tệp cũ để lần sau ghi đúng tên."
            )
        return WriteOutcome(candidate, note)
    _unlink_quietly(tmp)
    raise OutputError(
        f"Không ghi được báo cáo {target.name}: tệp và {max_versions - 1} tên thay thế đều đang bị khóa.",
        "Đóng các tệp báo cáo đang mở trong Excel rồi chạy lại lệnh.",
    )
