"""The inbox watcher: real threads, real watchdog, real workbooks, short settle times.

Every real file that arrives is processed exactly once and only when complete; temporary and
owner files are left alone; nothing is left behind in the inbox; a bad file or a handler that
raises never stops the watcher. The state machine is also driven with a fake clock.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

import consolidate.intake.watch as watch_module
from consolidate.core.config import Config
from consolidate.core.findings import Finding, Report
from consolidate.intake.ingest import IngestResult, ingest_paths
from consolidate.intake.watch import Watcher, report_line, watch
from tests.builders import submission

SETTLE = 0.3
# No periodic rescan in the arrival tests: only the scan at start (which the fixture waits
# out before a test drops anything) and the events. A watcher whose event handler did
# nothing would fail them (defect 16); test_a_watcher_deaf_to_events_sees_nothing proves
# that the setup leaves no other way in.
RESCAN = None
RETRY = 0.5  # first retry of a file whose ingest raised
QUIET = 0.5 + 2 * SETTLE
TIMEOUT = 20.0  # generous ceiling; the cases finish in well under a second each

pytestmark = pytest.mark.timeout(60)

T = TypeVar("T")


def _wait_for(condition: Callable[[], T], what: str, timeout: float = TIMEOUT) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout:g} s waiting for {what}")


def _query(config: Config, sql: str) -> list[tuple[Any, ...]]:
    if not config.store.exists():
        return []
    with closing(sqlite3.connect(config.store, timeout=10)) as db:
        try:
            return db.execute(sql).fetchall()
        except sqlite3.OperationalError:  # tables not created yet
            return []


def _verdicts(config: Config) -> dict[str, str]:
    return dict(_query(config, "SELECT original_name, verdict FROM verdicts"))


def _arrivals(config: Config) -> list[tuple[str, str]]:
    return [
        (name, source)
        for name, source in _query(config, "SELECT original_name, source FROM arrivals")
    ]


def _inbox_names(config: Config) -> set[str]:
    return {p.name for p in config.inbox.rglob("*") if p.is_file()}


def _processed(config: Config) -> list[Path]:
    return sorted(p for p in (config.root / "processed").rglob("*") if p.is_file())


def _quiet_period() -> None:
    """Long enough for a worker round and two settles: time for a watcher to misbehave."""
    time.sleep(QUIET)


def _staged(config: Config, folder: Path, names: Sequence[str]) -> dict[str, bytes]:
    """Real, distinct submissions (different row counts, so different bytes)."""
    out = {}
    for i, name in enumerate(names):
        path = submission(config, folder / name, n_tasks=3 + i)
        out[name] = path.read_bytes()
    return out


@pytest.fixture
def events() -> list[str]:
    return []  # list.append is atomic: safe from the worker thread


@pytest.fixture
def start_watcher(workspace: Config, events: list[str]) -> Iterator[Callable[..., Watcher]]:
    started: list[Watcher] = []

    def start(**kw: Any) -> Watcher:
        kw.setdefault("settle_seconds", SETTLE)
        kw.setdefault("rescan_seconds", RESCAN)
        kw.setdefault("on_event", events.append)
        watcher = Watcher(workspace, **kw)
        started.append(watcher)
        watcher.start()
        assert watcher.ready.wait(TIMEOUT), "the scan at start did not finish"
        return watcher

    yield start
    for watcher in started:
        watcher.stop(timeout=TIMEOUT)
        assert not watcher.running


# --- arrival cases, real threads ---------------------------------------------------------------


def test_slow_chunked_copy_is_processed_once_only_when_complete(
    workspace: Config, tmp_path: Path, start_watcher: Callable[..., Watcher], events: list[str]
) -> None:
    source = submission(workspace, tmp_path / "gửi" / "SKHCN tuần 23.xlsx", n_tasks=40)
    data = source.read_bytes()
    start_watcher()
    target = workspace.inbox / source.name
    step = len(data) // 3 + 1
    with target.open("wb") as fh:
        for start in range(0, len(data), step):
            fh.write(data[start : start + step])
            fh.flush()
            os.fsync(fh.fileno())
            time.sleep(SETTLE / 3)  # a slow copy: pauses shorter than the settle time

    _wait_for(lambda: _verdicts(workspace), "a verdict")
    _quiet_period()
    assert _verdicts(workspace) == {source.name: "accepted"}  # not container-corrupt
    assert _arrivals(workspace) == [(source.name, "watch")]  # processed exactly once
    assert _inbox_names(workspace) == set()
    (moved,) = _processed(workspace)
    assert moved.read_bytes() == data
    (line,) = [e for e in events if source.name in e]
    assert "✔ Tiếp nhận" in line and "Sở Khoa học và Công nghệ" in line and "0 lỗi" in line


@pytest.mark.parametrize(
    "temp_name",
    ["Báo cáo tuần 23.xlsx.tmp", "Báo cáo tuần 23.xlsx.crdownload", "~$Báo cáo tuần 23.xlsx"],
)
def test_save_under_temp_name_then_rename_in_inbox(
    workspace: Config, tmp_path: Path, start_watcher: Callable[..., Watcher], temp_name: str
) -> None:
    data = submission(workspace, tmp_path / "a.xlsx").read_bytes()
    start_watcher()
    temp = workspace.inbox / temp_name
    temp.write_bytes(data[:1000])
    time.sleep(SETTLE * 2)  # the temp file is stable, but ignored
    assert _verdicts(workspace) == {}
    with temp.open("ab") as fh:
        fh.write(data[1000:])
    final = workspace.inbox / "Báo cáo tuần 23.xlsx"
    os.replace(temp, final)  # on_moved with dest in the inbox

    _wait_for(lambda: _verdicts(workspace), "a verdict")
    _quiet_period()
    assert _verdicts(workspace) == {final.name: "accepted"}
    assert _inbox_names(workspace) == set()


def test_file_moved_in_from_outside_is_processed(
    workspace: Config, tmp_path: Path, start_watcher: Callable[..., Watcher]
) -> None:
    outside = submission(workspace, tmp_path / "Tải về" / "UBND xã Hòa Phú.xlsx")
    start_watcher()
    os.replace(outside, workspace.inbox / outside.name)
    _wait_for(lambda: _verdicts(workspace), "a verdict")
    assert _verdicts(workspace) == {outside.name: "accepted"}


def test_owner_temp_and_hidden_files_are_ignored_and_left_alone(
    workspace: Config, tmp_path: Path, start_watcher: Callable[..., Watcher]
) -> None:
    ignored = {
        "~$SKHCN tuần 23.xlsx": b"\x0bPham Minh Tuan" + b"\x00" * 150,  # Excel owner file
        "Báo cáo tuần 23.xlsx.crdownload": b"PK\x03\x04 half a download",
        "Báo cáo.tmp": b"temporary",
        "tệp.xlsx.part": b"partial",
        ".ẩn.xlsx": b"hidden",
    }
    for name, content in ignored.items():
        (workspace.inbox / name).write_bytes(content)
    real = submission(workspace, tmp_path / "SKHCN tuần 23.xlsx")
    start_watcher()
    os.replace(real, workspace.inbox / real.name)

    _wait_for(lambda: _verdicts(workspace), "the real file's verdict")
    _quiet_period()
    assert _verdicts(workspace) == {real.name: "accepted"}
    assert _inbox_names(workspace) == set(ignored)
    for name, content in ignored.items():
        assert (workspace.inbox / name).read_bytes() == content


@pytest.mark.parametrize("polling", [False, True], ids=["native", "polling"])
def test_many_files_dropped_at_once_all_get_a_verdict(
    workspace: Config, tmp_path: Path, start_watcher: Callable[..., Watcher], polling: bool
) -> None:
    names = [f"Đơn vị {i:02d} tuần 23.xlsx" for i in range(8)]
    staged = _staged(workspace, tmp_path / "đính kèm", names)
    (workspace.inbox / "~$Đơn vị 00 tuần 23.xlsx").write_bytes(b"owner")
    watcher = start_watcher(polling=polling)
    assert watcher.mode == ("polling" if polling else "native")
    for name in names:
        os.replace(tmp_path / "đính kèm" / name, workspace.inbox / name)

    _wait_for(lambda: len(_verdicts(workspace)) == len(names), "every verdict")
    _quiet_period()
    assert _verdicts(workspace) == dict.fromkeys(names, "accepted")  # files in = verdicts
    assert sorted(_arrivals(workspace)) == sorted((n, "watch") for n in names)  # once each
    assert _inbox_names(workspace) == {"~$Đơn vị 00 tuần 23.xlsx"}
    assert sorted(p.read_bytes() for p in _processed(workspace)) == sorted(staged.values())


@pytest.mark.parametrize("polling", [False, True], ids=["native", "polling"])
def test_a_watcher_deaf_to_events_sees_nothing(
    workspace: Config,
    tmp_path: Path,
    start_watcher: Callable[..., Watcher],
    monkeypatch: pytest.MonkeyPatch,
    polling: bool,
) -> None:
    """The control of defect 16: with the event handler a no-op and no periodic rescan, a
    file dropped after the scan at start is never taken. So each arrival test above, run
    the same way, passes only through the event path."""
    monkeypatch.setattr(watch_module._Events, "on_any_event", lambda self, event: None)
    start_watcher(polling=polling)
    sent = submission(workspace, tmp_path / "SKHCN.xlsx")
    os.replace(sent, workspace.inbox / sent.name)
    (workspace.inbox / "thư mục").mkdir()
    submission(workspace, workspace.inbox / "thư mục" / "SNV.xlsx", n_tasks=4)
    time.sleep(3 * QUIET)
    assert _verdicts(workspace) == {}
    assert _inbox_names(workspace) == {"SKHCN.xlsx", "SNV.xlsx"}


def test_a_folder_moved_in_is_scanned_on_its_event(
    workspace: Config, tmp_path: Path, start_watcher: Callable[..., Watcher]
) -> None:
    """A folder moved in brings files without events of their own: its event asks for a
    scan of the inbox (no periodic rescan here)."""
    folder = tmp_path / "Thư tuần 23"
    submission(workspace, folder / "Sở Nội vụ.xlsx")
    submission(workspace, folder / "con" / "Sở Tư pháp.xlsx", n_tasks=4)
    start_watcher()
    os.replace(folder, workspace.inbox / folder.name)
    _wait_for(lambda: len(_verdicts(workspace)) == 2, "both verdicts")
    assert _verdicts(workspace) == {"Sở Nội vụ.xlsx": "accepted", "Sở Tư pháp.xlsx": "accepted"}


def test_files_already_in_inbox_at_start_are_processed(
    workspace: Config, start_watcher: Callable[..., Watcher]
) -> None:
    names = ["Sở Nội vụ tuần 23.xlsx", "thư mục con/Sở Tư pháp tuần 23.xlsx"]
    for i, name in enumerate(names):
        submission(workspace, workspace.inbox / name, n_tasks=4 + i)
    start_watcher(rescan_seconds=60.0)  # the start scan, not a later rescan, finds them
    _wait_for(lambda: len(_verdicts(workspace)) == 2, "both verdicts", timeout=10)
    assert set(_verdicts(workspace)) == {Path(n).name for n in names}
    assert _inbox_names(workspace) == set()


def test_broken_file_is_rejected_and_the_watcher_goes_on(
    workspace: Config, tmp_path: Path, start_watcher: Callable[..., Watcher], events: list[str]
) -> None:
    watcher = start_watcher()
    (workspace.inbox / "hỏng.xlsx").write_bytes(b"not excel")
    _wait_for(lambda: _verdicts(workspace), "the broken file's verdict")
    assert _verdicts(workspace) == {"hỏng.xlsx": "rejected"}
    assert any("✘ Không tiếp nhận" in e and "hỏng.xlsx" in e for e in events)

    good = submission(workspace, tmp_path / "tốt.xlsx")
    os.replace(good, workspace.inbox / good.name)
    _wait_for(lambda: len(_verdicts(workspace)) == 2, "the next file's verdict")
    assert _verdicts(workspace)["tốt.xlsx"] == "accepted"
    assert watcher.running
    assert _inbox_names(workspace) == set()


def test_watcher_keeps_going_after_its_handler_raises(
    workspace: Config,
    tmp_path: Path,
    start_watcher: Callable[..., Watcher],
    events: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[Path] = []

    def flaky(config: Config, paths: Sequence[Path], **kw: Any) -> IngestResult:
        calls.extend(paths)
        if len(calls) == 1:
            raise RuntimeError("sự cố giả lập")
        return ingest_paths(config, paths, **kw)

    monkeypatch.setattr(watch_module, "ingest_paths", flaky)
    watcher = start_watcher(retry_seconds=RETRY)
    first = submission(workspace, workspace.inbox / "lần 1.xlsx")

    _wait_for(lambda: any("Lỗi khi xử lý lần 1.xlsx" in e for e in events), "the error line")
    assert _verdicts(workspace) == {}
    assert first.exists()  # stays queued in the inbox
    # Retried after the retry delay, not in a hot loop.
    _wait_for(lambda: _verdicts(workspace), "the retried verdict")
    assert _verdicts(workspace) == {"lần 1.xlsx": "accepted"}
    assert calls == [first, first]

    second = submission(workspace, tmp_path / "lần 2.xlsx", n_tasks=7)
    os.replace(second, workspace.inbox / second.name)
    _wait_for(lambda: len(_verdicts(workspace)) == 2, "the next file's verdict")
    _quiet_period()
    assert len(calls) == 3
    assert watcher.running
    assert _inbox_names(workspace) == set()


def test_native_observer_failure_falls_back_to_polling(
    workspace: Config,
    tmp_path: Path,
    start_watcher: Callable[..., Watcher],
    events: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class BrokenObserver(watch_module.PollingObserver):
        def start(self) -> None:
            raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(watch_module, "Observer", BrokenObserver)
    watcher = start_watcher(rescan_seconds=60.0)  # only the polling observer can see the file
    assert watcher.mode == "polling"
    assert any("chuyển sang quét định kỳ" in e for e in events)
    time.sleep(SETTLE)  # let the start scan pass on an empty inbox
    sent = submission(workspace, tmp_path / "x.xlsx")
    os.replace(sent, workspace.inbox / sent.name)
    _wait_for(lambda: _verdicts(workspace), "a verdict")


def test_watch_returns_when_stop_is_set(workspace: Config, events: list[str]) -> None:
    stop = threading.Event()
    runner = threading.Thread(
        target=watch,
        args=(workspace,),
        kwargs={"settle_seconds": SETTLE, "on_event": events.append, "stop": stop},
    )
    runner.start()
    _wait_for(lambda: any("Đang theo dõi" in e for e in events), "the start line")
    submission(workspace, workspace.inbox / "SKHCN.xlsx")
    _wait_for(lambda: _verdicts(workspace), "a verdict")
    began = time.monotonic()
    stop.set()
    runner.join(timeout=5)
    assert not runner.is_alive()
    assert time.monotonic() - began < 2
    assert events[-1].endswith("Đã dừng theo dõi thư mục nhận tệp.")


# --- the state machine, driven by a fake clock (no threads, no sleeping) ----------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeIngest:
    """Records calls; moves the file out like the real ingest unless told not to."""

    def __init__(self, config: Config, *, move: bool = True, fail: int = 0) -> None:
        self.config = config
        self.move = move
        self.fail = fail
        self.calls: list[tuple[Path, datetime | None]] = []

    def __call__(self, config: Config, paths: Sequence[Path], **kw: Any) -> IngestResult:
        (path,) = paths
        assert kw["source"] == "watch"
        self.calls.append((path, kw.get("received_at")))
        if len(self.calls) <= self.fail:
            raise OSError(13, "Permission denied")
        result = IngestResult(reports=[Report(file=path.name, sha256="0" * 64)])
        if self.move:
            target = self.config.root / "processed" / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            result.moved.append((path, target))
        return result


def _driven(workspace: Config, fake: FakeIngest, **kw: Any) -> tuple[Watcher, FakeClock, list[str]]:
    clock = FakeClock()
    events: list[str] = []
    watcher = Watcher(
        workspace,
        settle_seconds=1.0,
        rescan_seconds=30.0,
        clock=clock,
        ingest=fake,
        on_event=events.append,
        **kw,
    )
    workspace.ensure_dirs()
    return watcher, clock, events


def test_a_file_is_taken_only_after_it_stopped_changing_for_the_settle_time(
    workspace: Config,
) -> None:
    fake = FakeIngest(workspace)
    watcher, clock, _ = _driven(workspace, fake)
    path = workspace.inbox / "đang chép.xlsx"
    path.write_bytes(b"a" * 100)
    assert watcher.scan_once() == 1
    clock.now = 0.75
    assert watcher.process_ready() == []
    with path.open("ab") as fh:  # still growing: the timer starts again
        fh.write(b"b" * 100)
    assert watcher.process_ready() == []
    clock.now = 1.5
    assert watcher.process_ready() == []
    clock.now = 1.75
    assert watcher.process_ready() == [path]
    (call,) = fake.calls
    assert call[0] == path
    assert call[1] is not None and call[1].tzinfo is not None and call[1] <= datetime.now(UTC)
    clock.now = 100.0
    assert watcher.scan_once() == 0
    assert watcher.process_ready() == []
    assert len(fake.calls) == 1


def test_an_empty_file_waits_longer(workspace: Config) -> None:
    fake = FakeIngest(workspace)
    watcher, clock, _ = _driven(workspace, fake)
    (workspace.inbox / "rỗng.xlsx").write_bytes(b"")
    watcher.scan_once()
    clock.now = 4.9
    assert watcher.process_ready() == []
    clock.now = 5.0
    assert len(watcher.process_ready()) == 1


def test_a_file_that_cannot_be_moved_out_is_not_processed_again(
    workspace: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeIngest(workspace, move=False)  # e.g. still open in Excel on Windows
    watcher, clock, events = _driven(workspace, fake)
    path = workspace.inbox / "đang mở.xlsx"
    path.write_bytes(b"x" * 10)
    monkeypatch.setattr(watch_module, "move_out_of_inbox", lambda config, p: None)
    watcher.scan_once()
    clock.now = 1.0
    assert watcher.process_ready() == [path]
    assert any("Chưa chuyển được đang mở.xlsx" in e for e in events)
    for t in (2.0, 40.0, 80.0):
        clock.now = t
        watcher.scan_once()
        watcher.notify(path)  # a stray modified event
        assert watcher.process_ready() == []
    assert len(fake.calls) == 1
    # Once the file is free again, a rescan moves it out without ingesting it again.
    monkeypatch.undo()
    watcher.scan_once()
    assert not path.exists()
    assert len(fake.calls) == 1
    # New content under the same name is a new file.
    path.write_bytes(b"y" * 20)
    watcher.notify(path)
    clock.now = 200.0
    watcher.process_ready()
    clock.now = 201.0
    assert watcher.process_ready() == [path]
    assert len(fake.calls) == 2


def test_a_failing_file_is_retried_with_backoff_not_in_a_hot_loop(workspace: Config) -> None:
    fake = FakeIngest(workspace, fail=2)
    watcher, clock, events = _driven(workspace, fake)
    path = workspace.inbox / "khóa.xlsx"
    path.write_bytes(b"z" * 10)
    watcher.scan_once()
    clock.now = 1.0
    watcher.process_ready()
    assert len(fake.calls) == 1
    assert any("Lỗi khi xử lý khóa.xlsx: không có quyền truy cập" in e for e in events)
    for t in (2.0, 10.0, 30.0):  # events and scans before the retry time do nothing
        clock.now = t
        watcher.notify(path)
        watcher.scan_once()
        watcher.process_ready()
    assert len(fake.calls) == 1
    clock.now = 31.0  # retry due: noticed, settles again, retried
    watcher.process_ready()
    clock.now = 32.0
    watcher.process_ready()
    assert len(fake.calls) == 2  # failed again: now waits twice as long
    clock.now = 80.0
    watcher.scan_once()
    watcher.process_ready()
    assert len(fake.calls) == 2
    clock.now = 92.0
    watcher.process_ready()
    clock.now = 93.0
    watcher.process_ready()
    assert len(fake.calls) == 3
    assert not path.exists()


def test_a_file_that_vanishes_while_settling_is_dropped(workspace: Config) -> None:
    fake = FakeIngest(workspace)
    watcher, clock, _ = _driven(workspace, fake)
    path = workspace.inbox / "rút lại.xlsx"
    path.write_bytes(b"q" * 10)
    watcher.scan_once()
    path.unlink()
    clock.now = 5.0
    assert watcher.process_ready() == []
    assert fake.calls == []


def test_files_in_workspace_folders_inside_the_inbox_are_not_submissions(
    workspace: Config,
) -> None:
    fake = FakeIngest(workspace)
    watcher, _, _ = _driven(workspace, fake)
    for rel in ("processed/2026-06-04/a.xlsx", ".git/b.xlsx", "đợt 2/.ẩn/c.xlsx"):
        target = workspace.inbox / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"x")
    assert watcher.scan_once() == 0


def test_report_line_reads_like_the_ingest_command() -> None:
    report = Report(file="SKHCN tuần 23.xlsx", sha256="0" * 64)
    report.unit_name = "Sở Khoa học và Công nghệ"
    report.findings = [
        Finding(code="six-clear-missing", severity="warning", message="thiếu"),
        Finding(code="six-clear-missing", severity="warning", message="thiếu"),
    ]
    assert report_line(report) == (
        "✔ Tiếp nhận        SKHCN tuần 23.xlsx — Sở Khoa học và Công nghệ — 0 lỗi, 2 cảnh báo"
    )
    report.duplicate_of = "bản trước.xlsx"
    assert report_line(report).startswith("= Đã nhận trước đó ")
    assert report_line(report).endswith("(trùng tệp bản trước.xlsx)")


def test_watching_a_missing_inbox_recreates_it(
    workspace: Config, start_watcher: Callable[..., Watcher]
) -> None:
    workspace.inbox.rmdir()
    start_watcher()
    assert workspace.inbox.is_dir()
