"""The one way the product writes a file: whole or not at all.

:func:`write_atomic` writes to a temporary file in the target's folder, flushes it to disk
(``fsync``) and renames it over the target with :func:`os.replace` (atomic on Windows and
POSIX alike). A crash or a full disk leaves either the previous file or the new one, never a
half file; the temporary file is removed on any failure. Files get the mode an ordinary
``open(path, "w")`` would give them (``0o666`` minus the umask, so ``0o644`` as a rule), not
the ``0o600`` of :func:`tempfile.mkstemp`.

:func:`write_versioned` is the variant for reports the officer may have open in Excel: when
Windows refuses to replace a file in use, the report goes to ``<name> (2).xlsx``, ``(3)``…

Callers turn :class:`OSError` into the product error that fits the place
(:class:`~consolidate.core.errors.OutputError`, ``WorkspaceError``...).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from consolidate.core.errors import OutputError, os_reason

TMP_SUFFIX = ".tmp"

# What an ordinary open() asks for; the OS applies the umask.
_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NOINHERIT", 0)
)


def temp_path(target: Path) -> Path:
    """A fresh name next to ``target``: ``.<name>.<pid>-<random>.tmp`` (hidden, never taken)."""
    return target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}{TMP_SUFFIX}")


def _create(path: Path) -> int:
    return os.open(path, _FLAGS, 0o666)


def _fsync_path(path: Path) -> None:
    # Windows needs a handle opened for writing to flush it.
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def unlink_quietly(path: Path) -> None:
    """Remove a temporary file; a failure here must not hide the error being raised."""
    try:
        path.unlink()
    except OSError:
        pass  # the name starts with '.' and ends with .tmp: harmless, swept next time


def write_temp(target: Path, content: bytes | str | Callable[[Path], None]) -> Path:
    """Write ``content`` to a new temporary file next to ``target``, flushed to disk.

    ``content`` is bytes, text (written as UTF-8 with the newlines as given) or a function
    that writes the file at the path it is given (e.g. xlsxwriter). The caller renames the
    result or removes it; on failure it is already removed.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(target)
    fd = _create(tmp)
    try:
        if callable(content):
            os.close(fd)
            fd = -1
            content(tmp)
            _fsync_path(tmp)
        else:
            data = content.encode("utf-8") if isinstance(content, str) else content
            with os.fdopen(fd, "wb") as fh:
                fd = -1
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
    except BaseException:
        if fd >= 0:
            os.close(fd)
        unlink_quietly(tmp)
        raise
    return tmp


def write_atomic(target: Path, content: bytes | str | Callable[[Path], None]) -> Path:
    """Write ``target`` whole or not at all (see the module docstring); returns ``target``.

    Raises :class:`OSError` (or whatever ``content`` raises) with the previous file intact
    and no temporary file left behind.
    """
    target = Path(target)
    tmp = write_temp(target, content)
    try:
        os.replace(tmp, target)
    except BaseException:
        unlink_quietly(tmp)
        raise
    return target


# --- reports the officer may have open in Excel ------------------------------------------------


@dataclass(frozen=True)
class WriteOutcome:
    path: Path  # the file actually written
    note: str  # Vietnamese note when a versioned name had to be used, else ""


def versioned_name(target: Path, n: int) -> Path:
    """``Bao-cao.xlsx`` -> ``Bao-cao (2).xlsx``."""
    return target.with_name(f"{target.stem} ({n}){target.suffix}")


def write_versioned(
    target: Path,
    write: Callable[[Path], None],
    max_versions: int = 50,
    write_errors: tuple[type[BaseException], ...] = (),
) -> WriteOutcome:
    """Write through ``write(tmp_path)`` then rename onto ``target``.

    If ``target`` is locked (open in Excel on Windows: ``PermissionError`` on rename), the
    report goes to ``<name> (2).xlsx``, ``(3)``… and the outcome says so. A failure of the
    disk (:class:`OSError`, or one of ``write_errors`` that the writing library raises for
    one) removes the temporary file, leaves the previous report untouched and raises
    :class:`OutputError`. Any other exception is a bug and propagates as it is.
    """
    folder = target.parent
    hint = (
        "Giải phóng dung lượng ổ đĩa hoặc kiểm tra quyền ghi thư mục "
        f"{folder}, rồi chạy lại lệnh. Báo cáo cũ (nếu có) vẫn còn nguyên."
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Không tạo được thư mục {folder}: {os_reason(exc)}.", hint) from exc
    # Leftovers of a run killed before its rename (builds hold the workspace lock, so no
    # other writer owns them).
    for stale in folder.glob(f".{target.name}.*{TMP_SUFFIX}"):
        unlink_quietly(stale)
    disk_errors: tuple[type[BaseException], ...] = (OSError, *write_errors)
    try:
        tmp = write_temp(target, write)
    except disk_errors as exc:
        raise OutputError(f"Không ghi được báo cáo {target.name}: {os_reason(exc)}.", hint) from exc
    for n in range(1, max_versions + 1):
        candidate = target if n == 1 else versioned_name(target, n)
        if n > 1 and candidate.exists():
            continue  # never overwrite an older versioned report someone may be reading
        try:
            os.replace(tmp, candidate)
        except PermissionError:
            continue
        except OSError as exc:
            unlink_quietly(tmp)
            raise OutputError(
                f"Không ghi được báo cáo {target.name}: {os_reason(exc)}.", hint
            ) from exc
        note = ""
        if n > 1:
            note = (
                f"Tệp {target.name} đang được mở (có thể trong Excel) nên không ghi đè được; "
                f"báo cáo mới đã được ghi vào {candidate.name}. Đóng tệp cũ để lần sau ghi đúng tên."
            )
        return WriteOutcome(candidate, note)
    unlink_quietly(tmp)
    raise OutputError(
        f"Không ghi được báo cáo {target.name}: tệp và {max_versions - 1} tên thay thế đều đang bị khóa.",
        "Đóng các tệp báo cáo đang mở trong Excel rồi chạy lại lệnh.",
    )
