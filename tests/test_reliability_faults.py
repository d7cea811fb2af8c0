"""Reliability battery (issue 6), process part: kill -9 during ingest and during report
writing, and two ``consolidate`` processes at once.

Each case runs the real CLI in a child process. The child is the product unchanged; only
this file's ``RUNNER`` wraps a few functions first (no test-only branches in the product):
to die by SIGKILL at a chosen point, to hold the workspace lock for a while, and to log
when it holds the lock.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl

from consolidate.build import build_weekly
from consolidate.core.config import Config
from consolidate.core.lock import workspace_lock
from consolidate.intake.ingest import ingest_paths
from consolidate.store.db import Store
from tests.builders import cover, submission, task_row

REPO = Path(__file__).resolve().parent.parent
NOON = datetime.fromisoformat("2026-06-04T12:00:00+07:00")
FRIDAY = datetime.fromisoformat("2026-06-05T08:00:00+07:00")
WEEK = "2026-W23"
INGEST_AT = ["--received-at", "04/06/2026 12:00"]
WEEKLY = ["weekly", "--week", WEEK, "--now", "05/06/2026 08:00"]
KILLED = -signal.SIGKILL if hasattr(signal, "SIGKILL") else 137

RUNNER = r"""
import json, os, signal, sys, time
from contextlib import contextmanager

spec = json.loads(sys.argv[1])

def die():
    if hasattr(signal, "SIGKILL"):
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(137)

def log(event):
    if spec.get("log"):
        with open(spec["log"], "a", encoding="utf-8") as fh:
            fh.write(json.dumps([spec["name"], event, time.time()]) + "\n")

import consolidate.reports.weekly as cons
import consolidate.intake.ingest as ingest_mod
import consolidate.core.lock as lock_mod
from consolidate.store.db import Store

real_lock = lock_mod.workspace_lock

@contextmanager
def logged_lock(config, timeout=lock_mod.DEFAULT_TIMEOUT_S):
    with real_lock(config, timeout):
        log("lock")
        try:
            yield
        finally:
            log("unlock")

lock_mod.workspace_lock = ingest_mod.workspace_lock = logged_lock

def hold_once(owner, attr):
    real = getattr(owner, attr)
    held = []
    def held_call(*args, **kwargs):
        if not held:
            held.append(1)
            open(spec["ready"], "w").close()
            time.sleep(spec["hold"])
        return real(*args, **kwargs)
    setattr(owner, attr, held_call)

fault = spec.get("fault")
if fault == "hold-in-ingest":
    hold_once(Store, "save_result")
elif fault == "hold-in-weekly":
    hold_once(cons, "weekly_data")
elif fault == "kill-after-archiving":
    real_archive = Store.archive_bytes
    done = []
    def archive_then_die(self, *args, **kwargs):
        arrival = real_archive(self, *args, **kwargs)
        done.append(arrival)
        if len(done) == spec["after"]:
            die()
        return arrival
    Store.archive_bytes = archive_then_die
elif fault == "kill-mid-transaction":
    real_rows = Store._insert_rows
    def rows_then_die(db, sheet, submission_id, rows):
        real_rows(db, sheet, submission_id, rows)
        die()  # the submission and its task rows are written, the verdict is not
    Store._insert_rows = staticmethod(rows_then_die)
elif fault == "kill-before-rename":
    real_replace = os.replace
    def replace_or_die(src, dst):
        if str(dst).endswith(".xlsx") and "Bao-cao" in os.path.basename(str(dst)):
            die()
        real_replace(src, dst)
    os.replace = replace_or_die

from consolidate.cli import main
main(args=spec["argv"], prog_name="consolidate")
"""


def _spawn(
    config: Config, tmp_path: Path, name: str, argv: list[str], **spec: Any
) -> subprocess.Popen[str]:
    spec = {"name": name, "argv": ["-w", str(config.root), *argv], **spec}
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, json.dumps(spec)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def _run(
    config: Config, tmp_path: Path, name: str, argv: list[str], **spec: Any
) -> tuple[int, str]:
    proc = _spawn(config, tmp_path, name, argv, **spec)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out + err


def _wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"child ended early: {proc.communicate()}")
        assert time.monotonic() < deadline, "child never took the lock"
        time.sleep(0.02)


def _check_store(config: Config) -> sqlite3.Connection:
    db = sqlite3.connect(config.store)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    return db


def _assert_consistent(config: Config, n_files: int, n_tasks: int) -> None:
    """Every archived file has exactly one verdict; snapshots are whole, none is doubled."""
    db = _check_store(config)
    with Store(config.store, config.archive) as store:
        assert store.pending() == []
    assert db.execute("SELECT count(*) FROM files").fetchone()[0] == n_files
    assert db.execute("SELECT count(*) FROM verdicts").fetchone()[0] == n_files
    assert db.execute("SELECT count(*) FROM submissions").fetchone()[0] == n_files
    assert db.execute("SELECT count(*) FROM tasks").fetchone()[0] == n_tasks
    per_submission = db.execute(
        "SELECT s.id, s.unit_code, count(t.row) FROM submissions s "
        "LEFT JOIN tasks t ON t.submission_id = s.id GROUP BY s.id"
    ).fetchall()
    assert all(n > 0 for _, _, n in per_submission), per_submission
    db.close()


UNITS = ["Sở Khoa học và Công nghệ", "Sở Y tế", "Sở Nội vụ"]


def _three_files(config: Config) -> int:
    """Three valid files from three units in inbox/; returns the number of task rows."""
    for i, unit in enumerate(UNITS, start=1):
        submission(
            config, config.inbox / f"don-vi-{i}.xlsx", cover_data=cover(unit=unit), n_tasks=i + 1
        )
    return 2 + 3 + 4


# --- kill -9 during ingest -----------------------------------------------------------------


def test_kill_after_archiving_then_the_next_ingest_reprocesses(
    workspace: Config, tmp_path: Path
) -> None:
    n_tasks = _three_files(workspace)
    code, out = _run(
        workspace, tmp_path, "ingest", ["ingest", str(workspace.inbox), *INGEST_AT],
        fault="kill-after-archiving", after=2,
    )  # fmt: skip
    assert code == KILLED, out
    db = _check_store(workspace)
    assert db.execute("SELECT count(*) FROM files").fetchone()[0] == 2  # kept before anything
    assert db.execute("SELECT count(*) FROM verdicts").fetchone()[0] == 0
    db.close()
    with Store(workspace.store, workspace.archive) as store:
        assert [name for _, name, _ in store.pending()] == ["don-vi-1.xlsx", "don-vi-2.xlsx"]
    assert len(list(workspace.inbox.glob("*.xlsx"))) == 3  # nothing left the inbox
    with workspace_lock(workspace, timeout=5):  # the dead process's lock was released
        pass

    result = ingest_paths(workspace, [workspace.inbox], received_at=NOON)

    assert any("Xử lý lại 2 tệp" in note for note in result.notes)
    assert {r.file for r in result.reports} == {"don-vi-1.xlsx", "don-vi-2.xlsx", "don-vi-3.xlsx"}
    assert all(r.verdict in ("accepted", "duplicate") for r in result.reports)
    assert result.count("accepted") == 3
    _assert_consistent(workspace, n_files=3, n_tasks=n_tasks)
    assert list(workspace.inbox.glob("*.xlsx")) == []


def test_kill_mid_transaction_leaves_no_partial_snapshot(workspace: Config, tmp_path: Path) -> None:
    n_tasks = _three_files(workspace)
    code, out = _run(
        workspace, tmp_path, "ingest", ["ingest", str(workspace.inbox), *INGEST_AT],
        fault="kill-mid-transaction",
    )  # fmt: skip
    assert code == KILLED, out
    db = _check_store(workspace)
    assert db.execute("SELECT count(*) FROM files").fetchone()[0] == 3
    for table in ("verdicts", "submissions", "tasks", "projects"):  # all or nothing
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    db.close()

    result = ingest_paths(workspace, [workspace.inbox], received_at=NOON)

    assert result.count("accepted") == 3
    _assert_consistent(workspace, n_files=3, n_tasks=n_tasks)


# --- kill -9 while writing a report --------------------------------------------------------


def test_kill_before_the_report_rename_keeps_the_previous_report(
    workspace: Config, tmp_path: Path
) -> None:
    first = submission(workspace, tmp_path / "a.xlsx", n_tasks=2)
    ingest_paths(workspace, [first], received_at=NOON)
    with Store(workspace.store, workspace.archive) as store:
        report = build_weekly(workspace, store, week=WEEK, now=FRIDAY).path
    previous = report.read_bytes()
    late = submission(workspace, tmp_path / "b.xlsx", cover_data=cover(unit="Sở Y tế"), n_tasks=4)
    ingest_paths(workspace, [late], received_at=NOON)

    code, out = _run(workspace, tmp_path, "weekly", WEEKLY, fault="kill-before-rename")

    assert code == KILLED, out
    assert report.read_bytes() == previous  # the old report is intact
    assert [p.name for p in workspace.outbox.glob("*.xlsx")] == [report.name]
    with Store(workspace.store, workspace.archive) as store:  # the restart writes it whole
        again = build_weekly(workspace, store, week=WEEK, now=FRIDAY)
    assert again.path == report and again.figures["tasks"]["total"] == 2 + 4
    assert openpyxl.load_workbook(report).sheetnames


# --- two processes at once -------------------------------------------------------------------


def _intervals(log: Path) -> list[tuple[str, float, float]]:
    """(process, lock taken, lock released) from the children's log, in time order."""
    events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    spans, start = [], {}
    for name, event, at in events:
        if event == "lock":
            start[name] = at
        else:
            spans.append((name, start.pop(name), at))
    assert not start, "a lock was never released"
    return sorted(spans, key=lambda s: s[1])


def _assert_serialised(log: Path, names: set[str]) -> None:
    spans = _intervals(log)
    assert {s[0] for s in spans} == names
    for (_, _, end), (_, begin, _) in itertools.pairwise(spans):
        assert begin >= end, spans  # no interleaving


def test_two_ingests_at_once_are_serialised(workspace: Config, tmp_path: Path) -> None:
    n_tasks = _three_files(workspace)
    log, ready = tmp_path / "lock.log", tmp_path / "ready"
    argv = ["ingest", str(workspace.inbox), *INGEST_AT]
    first = _spawn(
        workspace,
        tmp_path,
        "A",
        argv,
        fault="hold-in-ingest",
        hold=1.5,
        ready=str(ready),
        log=str(log),
    )
    _wait_for(ready, first)  # A holds the lock, its files are still in the inbox
    second = _spawn(workspace, tmp_path, "B", argv, log=str(log))
    out_a = first.communicate(timeout=120)
    out_b = second.communicate(timeout=120)

    assert first.returncode == 0, out_a
    assert second.returncode == 0, out_b
    assert "locked" not in out_a[1] + out_b[1]
    _assert_serialised(log, {"A", "B"})
    _assert_consistent(workspace, n_files=3, n_tasks=n_tasks)
    db = sqlite3.connect(workspace.store)
    assert db.execute("SELECT count(*) FROM arrivals").fetchone()[0] == 3  # none taken twice
    db.close()


def test_ingest_and_weekly_at_once_are_serialised(workspace: Config, tmp_path: Path) -> None:
    n_tasks = _three_files(workspace)
    log, ready = tmp_path / "lock.log", tmp_path / "ready"
    ingest = _spawn(
        workspace, tmp_path, "ingest", ["ingest", str(workspace.inbox), *INGEST_AT],
        fault="hold-in-ingest", hold=1.5, ready=str(ready), log=str(log),
    )  # fmt: skip
    _wait_for(ready, ingest)
    weekly = _spawn(workspace, tmp_path, "weekly", [*WEEKLY, "--json"], log=str(log))
    out_i = ingest.communicate(timeout=120)
    out_w = weekly.communicate(timeout=120)

    assert ingest.returncode == 0, out_i
    assert weekly.returncode == 0, out_w
    _assert_serialised(log, {"ingest", "weekly"})
    figures = json.loads(out_w[0])["figures"]
    # The report waited for the whole batch: all three units, every task, nothing half-seen.
    assert figures["units"]["reported"] == 3
    assert figures["tasks"]["total"] == n_tasks
    _assert_consistent(workspace, n_files=3, n_tasks=n_tasks)


def test_weekly_holding_the_lock_makes_ingest_wait(workspace: Config, tmp_path: Path) -> None:
    first = submission(workspace, tmp_path / "a.xlsx", n_tasks=2)
    ingest_paths(workspace, [first], received_at=NOON)
    submission(
        workspace,
        workspace.inbox / "syt.xlsx",
        cover_data=cover(unit="Sở Y tế"),
        tasks=[task_row(1)],
    )
    log, ready = tmp_path / "lock.log", tmp_path / "ready"
    weekly = _spawn(
        workspace, tmp_path, "weekly", [*WEEKLY, "--json"],
        fault="hold-in-weekly", hold=1.5, ready=str(ready), log=str(log),
    )  # fmt: skip
    _wait_for(ready, weekly)
    ingest = _spawn(
        workspace, tmp_path, "ingest", ["ingest", str(workspace.inbox), *INGEST_AT], log=str(log)
    )
    out_w = weekly.communicate(timeout=120)
    out_i = ingest.communicate(timeout=120)

    assert weekly.returncode == 0, out_w
    assert ingest.returncode == 0, out_i
    _assert_serialised(log, {"weekly", "ingest"})
    assert json.loads(out_w[0])["figures"]["tasks"]["total"] == 2  # built before the ingest
    _assert_consistent(workspace, n_files=2, n_tasks=3)


def test_restart_after_a_killed_report_leaves_no_temporary_file(
    workspace: Config, tmp_path: Path
) -> None:
    ingest_paths(
        workspace, [submission(workspace, tmp_path / "a.xlsx", n_tasks=2)], received_at=NOON
    )
    code, out = _run(workspace, tmp_path, "weekly", WEEKLY, fault="kill-before-rename")
    assert code == KILLED, out
    with Store(workspace.store, workspace.archive) as store:
        build_weekly(workspace, store, week=WEEK, now=FRIDAY)
    assert sorted(p.name for p in workspace.outbox.iterdir() if p.is_file()) == [
        f"Bao-cao-tuan-{WEEK}.docx",
        f"Bao-cao-tuan-{WEEK}.xlsx",
    ]
