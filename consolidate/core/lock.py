"""One writer at a time per workspace: a lock file on local disk.

filelock works the same on Windows and Linux, and the OS releases the lock if the process
dies."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout

from consolidate.core.config import Config
from consolidate.core.errors import StoreLocked

DEFAULT_TIMEOUT_S = 120.0


@contextmanager
def workspace_lock(config: Config, timeout: float = DEFAULT_TIMEOUT_S) -> Iterator[None]:
    config.lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(config.lock_path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise StoreLocked(
            f"Một lệnh consolidate khác đang chạy trên không gian làm việc này quá {timeout:.0f} giây.",
            "Chờ lệnh kia chạy xong rồi thử lại; nếu không còn lệnh nào chạy, khởi động lại máy.",
        ) from None
    try:
        yield
    finally:
        lock.release()
