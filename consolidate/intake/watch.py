"""Inbox watcher: each file that lands in ``inbox/`` is ingested once it is complete.

It goes to the same ``ingest_paths`` as ``consolidate ingest``.

Events (watchdog) only say *which* path to look at; whether a file is ready is decided by
polling its size and mtime until both stay unchanged for ``settle_seconds`` and the file can
be opened. A periodic rescan of the whole inbox covers missed events (network shares, an
observer that died, a folder moved in); ``rescan_seconds=None`` turns it off (only the scan
at start remains), so that the event path alone can be tested and measured. One worker thread does all the ingesting, so files
are handled one at a time, in arrival order, and the state below needs no lock except the
small queue fed by the observer thread.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from consolidate.core.config import Config
from consolidate.core.errors import ConsolidateError, WorkspaceError, os_reason
from consolidate.core.findings import VERDICT_LABELS, Report
from consolidate.core.fmt import fmt_num
from consolidate.intake.inbox import PROCESSED_DIR, is_ignored, move_out_of_inbox
from consolidate.intake.ingest import IngestResult, ingest_paths

logger = logging.getLogger(__name__)

Signature = tuple[int, int]  # (size, mtime_ns): what "unchanged" means for a file
IngestFn = Callable[..., IngestResult]

# A copy often creates the file first and fills it later: an empty file waits longer.
EMPTY_SETTLE_FACTOR = 5.0
# Retries of a file whose ingest raised back off from one rescan interval up to this.
MAX_RETRY_SECONDS = 600.0
# The first retry of such a file when there is no periodic rescan (else: the rescan interval).
RETRY_SECONDS = 30.0
# Longest sleep of the worker, so an external stop Event is noticed quickly.
MAX_WAIT_SECONDS = 0.5
LOG_NAME = "watch.log"

VERDICT_MARK = {"accepted": "✔", "rejected": "✘", "duplicate": "="}


def report_line(report: Report) -> str:
    """One line per file, as in ``consolidate ingest``: verdict, file, unit, counts."""
    unit = report.unit_name or "chưa xác định đơn vị"
    counts = f"{len(report.errors)} lỗi, {len(report.warnings)} cảnh báo"
    extra = f" (trùng tệp {report.duplicate_of})" if report.duplicate_of else ""
    label = VERDICT_LABELS[report.verdict]
    return f"{VERDICT_MARK[report.verdict]} {label:<16} {report.file} — {unit} — {counts}{extra}"


def log_to_file(config: Config) -> Path | None:
    """Send this package's technical log (tracebacks) to ``<store folder>/watch.log``,
    keeping the officer's console to the Vietnamese lines of ``on_event``. None when the
    log cannot be opened: watching matters more than its log."""
    path = config.store.parent / LOG_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("consolidate")
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False
    return path


@dataclass
class _Pending:
    signature: Signature
    since: float  # clock time from which the signature has stayed the same


@dataclass
class _Failure:
    signature: Signature
    retry_at: float
    delay: float


def _signature(path: Path) -> Signature | None:
    try:
        st = path.stat()
    except OSError:
        return None
    if not path.is_file():
        return None
    return st.st_size, st.st_mtime_ns


def _readable(path: Path) -> bool:
    """False while another program holds the file exclusively (a copy in progress on Windows)."""
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError:
        return False
    return True


def _arrival(path: Path) -> datetime | None:
    """When the file arrived in the inbox: creation time where the OS keeps it (Windows),
    else the last metadata change; never later than now. A watcher started on Friday morning
    must not make Thursday's files late."""
    try:
        st = path.stat()
    except OSError:
        return None
    born = getattr(st, "st_birthtime", None)
    stamp = born if isinstance(born, int | float) and born > 0 else st.st_ctime
    now = datetime.now(UTC)
    try:
        return min(datetime.fromtimestamp(stamp, UTC), now)
    except (OverflowError, OSError, ValueError):
        return now


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ConsolidateError):
        return exc.message
    if isinstance(exc, OSError | UnicodeDecodeError):
        return os_reason(exc)
    return f"{type(exc).__name__}: {exc}"


class _Events(FileSystemEventHandler):
    """Runs in the observer thread: only queues paths for the worker."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        if kind in ("deleted", "opened", "closed_no_write"):
            return
        raw = event.dest_path if kind == "moved" else event.src_path
        if not raw:
            return
        if event.is_directory:
            if kind in ("created", "moved"):
                self.watcher.notify(None)  # a folder moved in brings files without events
            return
        self.watcher.notify(Path(os.fsdecode(raw)))


class Watcher:
    """Watches ``config.inbox`` and ingests each file once it is complete.

    ``start()`` runs the observer and a worker thread; ``stop()`` ends both after the file
    in hand. ``scan_once()`` and ``process_ready()`` are the worker's two steps, usable
    directly (with an injected ``clock``) to drive the watcher without threads or sleeping.
    """

    def __init__(
        self,
        config: Config,
        *,
        settle_seconds: float = 1.0,
        rescan_seconds: float | None = 30.0,
        polling: bool = False,
        on_event: Callable[[str], Any] = print,
        stop: threading.Event | None = None,
        clock: Callable[[], float] = time.monotonic,
        ingest: IngestFn | None = None,
        retry_seconds: float | None = None,
    ) -> None:
        if settle_seconds < 0 or (rescan_seconds is not None and rescan_seconds <= 0):
            raise ValueError("settle_seconds >= 0 and rescan_seconds > 0 (or None) are required")
        self.config = config
        self.inbox = config.inbox
        self.settle_seconds = settle_seconds
        self.rescan_seconds = rescan_seconds
        # The first retry of a file whose ingest raised (then doubled, up to MAX_RETRY_SECONDS).
        self.retry_seconds = retry_seconds or rescan_seconds or RETRY_SECONDS
        self.polling = polling
        self.mode = ""
        self._on_event = on_event
        self._stop = stop if stop is not None else threading.Event()
        self._clock = clock
        self._ingest: IngestFn = ingest if ingest is not None else ingest_paths
        self._tick = max(0.05, min(0.25, settle_seconds / 4))
        # Workspace folders that must never be read as submissions, should one sit in inbox.
        self._excluded = [
            p for p in (config.outbox, config.archive, config.store.parent) if p != self.inbox
        ]
        self._queue_lock = threading.Lock()
        self._incoming: set[Path] = set()
        self._rescan_requested = False
        self._wake = threading.Event()
        self._pending: dict[Path, _Pending] = {}
        self._done: dict[Path, Signature] = {}  # ingested but still in the inbox
        self._failed: dict[Path, _Failure] = {}
        self._scan_failed = False
        self._observer: BaseObserver | None = None
        self._thread: threading.Thread | None = None
        #: Set once the scan at start is done: from then on only events (and the periodic
        #: rescan, if any) bring files.
        self.ready = threading.Event()

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self.config.ensure_dirs()
        self._observer = self._start_observer(self.polling)
        mode = "quét định kỳ" if self.mode == "polling" else "nhận sự kiện hệ thống"
        rescan = (
            "không quét lại toàn bộ"
            if self.rescan_seconds is None
            else f"quét lại mỗi {fmt_num(self.rescan_seconds, 3)} giây"
        )
        self._emit(f"Đang theo dõi {self.inbox} ({mode}, {rescan}). Nhấn Ctrl+C để dừng.")
        self._thread = threading.Thread(target=self._run, name="consolidate-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the file in hand; nothing half-done is left (ingest is transactional)."""
        self._stop.set()
        self._wake.set()
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            if observer.is_alive():
                observer.join(timeout=5)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if not thread.is_alive():
                self._thread = None
                self._emit("Đã dừng theo dõi thư mục nhận tệp.")

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> Watcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def notify(self, path: Path | None) -> None:
        """Thread-safe: look at ``path`` soon (``None``: rescan the whole inbox soon)."""
        with self._queue_lock:
            if path is None:
                self._rescan_requested = True
            else:
                self._incoming.add(path)
        self._wake.set()

    # --- the worker's two steps --------------------------------------------------------------

    def scan_once(self) -> int:
        """Notice every file in the inbox, forget files that left it, retry moving out files
        already ingested. Returns how many files are waiting to settle."""
        now = self._clock()
        try:
            present = set(self._walk())
        except OSError as exc:
            if not self._scan_failed:  # say it once, not every rescan
                self._emit(f"⚠ Không đọc được thư mục {self.inbox}: {_describe(exc)}. Sẽ thử lại.")
            self._scan_failed = True
            return len(self._pending)
        if self._scan_failed:
            self._emit(f"Đã đọc lại được thư mục {self.inbox}.")
            self._scan_failed = False
        for table in (self._done, self._failed):
            for gone in [p for p in table if p not in present]:
                del table[gone]
        for path in sorted(present):
            self._notice(path, now)
        self._retry_moves()
        return len(self._pending)

    def process_ready(self) -> list[Path]:
        """Ingest every waiting file that has settled; returns the files handed to ingest."""
        now = self._clock()
        self._drain(now)
        for path, failure in list(self._failed.items()):
            if now >= failure.retry_at:
                self._notice(path, now)
        ready: list[tuple[Signature, Path]] = []
        for path, pending in list(self._pending.items()):
            sig = _signature(path)
            if sig is None or sig == self._done.get(path):
                del self._pending[path]
                continue
            if sig != pending.signature:
                self._pending[path] = _Pending(sig, now)
                continue
            settle = self.settle_seconds * (EMPTY_SETTLE_FACTOR if sig[0] == 0 else 1.0)
            if now - pending.since < settle:
                continue
            if not _readable(path):
                pending.since = now
                continue
            ready.append((sig, path))
        # Oldest first: of two files from one unit, the newer one is then stored last.
        ready.sort(key=lambda item: (item[0][1], item[1].name))
        handled: list[Path] = []
        for sig, path in ready:
            if self._stop.is_set():
                break
            del self._pending[path]
            self._ingest_one(path, sig)
            handled.append(path)
        return handled

    # --- internals ---------------------------------------------------------------------------

    def _run(self) -> None:
        next_scan = self._clock()  # at once: files already in the inbox
        every = math.inf if self.rescan_seconds is None else self.rescan_seconds
        while not self._stop.is_set():
            try:
                self._check_observer()
                if self._clock() >= next_scan:
                    self.scan_once()
                    self.ready.set()
                    next_scan = self._clock() + every
                self.process_ready()
            except Exception as exc:  # the watcher must outlive any bug in one round
                logger.exception("watch round failed")
                self._emit(f"⚠ Lỗi trong vòng theo dõi: {_describe(exc)}. Tiếp tục theo dõi.")
                next_scan = self._clock() + every
            wait = self._tick if self._pending else max(0.0, next_scan - self._clock())
            self._wake.wait(min(wait, MAX_WAIT_SECONDS))
            self._wake.clear()

    def _ingest_one(self, path: Path, sig: Signature) -> None:
        try:
            result = self._ingest(
                self.config,
                [path],
                received_at=_arrival(path),
                source="watch",
                progress=self._on_report,
            )
        except Exception as exc:  # one file must never stop the watcher; retried later
            if not path.exists():
                logger.info("%s left the inbox during ingest (another command?)", path)
                return
            earlier = self._failed.get(path)
            delay = self.retry_seconds
            if earlier is not None and earlier.signature == sig:
                delay = min(earlier.delay * 2, max(MAX_RETRY_SECONDS, delay))
            self._failed[path] = _Failure(sig, self._clock() + delay, delay)
            logger.error("ingest of %s failed", path, exc_info=exc)
            self._emit(
                f"✘ Lỗi khi xử lý {path.name}: {_describe(exc)}. "
                f"Tệp vẫn trong inbox, sẽ thử lại sau {fmt_num(delay, 3)} giây."
            )
            return
        self._failed.pop(path, None)
        for note in result.notes:
            self._emit(note)
        if any(source == path for source, _ in result.moved):
            self._done.pop(path, None)
        elif path.exists():
            self._done[path] = sig
            self._emit(
                f"⚠ Chưa chuyển được {path.name} ra khỏi inbox (có thể đang mở); sẽ thử lại."
            )

    def _notice(self, path: Path, now: float) -> None:
        if path in self._pending or not self._wanted(path):
            return
        sig = _signature(path)
        if sig is None or sig == self._done.get(path):
            return
        failure = self._failed.get(path)
        if failure is not None and failure.signature == sig and now < failure.retry_at:
            return  # no hot loop on a file that makes ingest raise
        self._pending[path] = _Pending(sig, now)

    def _drain(self, now: float) -> None:
        with self._queue_lock:
            incoming, self._incoming = self._incoming, set()
            rescan, self._rescan_requested = self._rescan_requested, False
        if rescan:
            self.scan_once()
        for path in sorted(incoming):
            self._notice(path, now)

    def _retry_moves(self) -> None:
        for path, sig in list(self._done.items()):
            if _signature(path) == sig and move_out_of_inbox(self.config, path) is not None:
                del self._done[path]
                self._emit(f"Đã chuyển {path.name} ra khỏi inbox.")

    def _wanted(self, path: Path) -> bool:
        """The rule of ``inbox.collect`` for folders, applied to one path."""
        try:
            parts = path.relative_to(self.inbox).parts
        except ValueError:
            return False
        if not parts or is_ignored(path):
            return False
        folders = parts[:-1]
        if PROCESSED_DIR in folders or any(p.startswith(".") for p in folders):
            return False
        return not any(path.is_relative_to(folder) for folder in self._excluded)

    def _walk(self) -> Iterator[Path]:
        def fail(exc: OSError) -> None:
            raise exc

        for folder, dirs, files in os.walk(self.inbox, onerror=fail):
            here = Path(folder)
            dirs[:] = [d for d in dirs if not d.startswith(".") and d != PROCESSED_DIR]
            for name in files:
                path = here / name
                if self._wanted(path):
                    yield path

    def _start_observer(self, polling: bool) -> BaseObserver:
        handler = _Events(self)
        if not polling:
            try:
                observer: BaseObserver = Observer()
                observer.schedule(handler, os.fspath(self.inbox), recursive=True)
                observer.start()
                self.mode = "native"
                return observer
            except (OSError, RuntimeError) as exc:  # e.g. inotify limit, some network shares
                logger.warning("native observer failed, polling instead", exc_info=exc)
                self._emit(
                    f"⚠ Không nhận được sự kiện thư mục từ hệ điều hành ({_describe(exc)}); "
                    "chuyển sang quét định kỳ."
                )
        try:
            observer = PollingObserver(timeout=min(1.0, max(0.2, self.settle_seconds)))
            observer.schedule(handler, os.fspath(self.inbox), recursive=True)
            observer.start()
        except OSError as exc:
            raise WorkspaceError(
                f"Không theo dõi được thư mục {self.inbox}: {_describe(exc)}.",
                "Kiểm tra thư mục inbox tồn tại và máy có quyền đọc (ổ mạng đã kết nối).",
            ) from exc
        self.mode = "polling"
        return observer

    def _check_observer(self) -> None:
        """An observer thread can die (a network share dropped): restart it by polling."""
        if self._observer is None or self._observer.is_alive() or self._stop.is_set():
            return
        self._emit("⚠ Mất theo dõi sự kiện thư mục; khởi động lại ở chế độ quét định kỳ.")
        try:
            self._observer = self._start_observer(polling=True)
        except WorkspaceError as exc:
            self._observer = None
            self._emit(f"⚠ {exc.message} Vẫn quét lại định kỳ.")

    def _on_report(self, report: Report) -> None:
        self._emit(report_line(report))

    def _emit(self, text: str) -> None:
        stamp = datetime.now(self.config.calendar.tz).strftime("%H:%M:%S")
        try:
            self._on_event(f"{stamp} {text}")
        except Exception:  # a broken console must not stop intake
            logger.exception("on_event failed")


def watch(
    config: Config,
    *,
    settle_seconds: float = 1.0,
    rescan_seconds: float | None = 30.0,
    polling: bool = False,
    on_event: Callable[[str], Any] = print,
    stop: threading.Event | None = None,
) -> None:
    """Watch the inbox until ``stop`` is set or Ctrl+C; the file in hand is finished first."""
    stop = stop if stop is not None else threading.Event()
    watcher = Watcher(
        config,
        settle_seconds=settle_seconds,
        rescan_seconds=rescan_seconds,
        polling=polling,
        on_event=on_event,
        stop=stop,
    )
    watcher.start()
    try:
        # Short waits: on Windows Ctrl+C is only delivered when a wait returns.
        while not stop.wait(MAX_WAIT_SECONDS) and watcher.running:
            pass
    except KeyboardInterrupt:
        on_event("Đang dừng (chờ xử lý xong tệp hiện tại)...")
    finally:
        watcher.stop()
