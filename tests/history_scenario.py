"""Several weeks of submissions for the history tests, and an independent recount.

The scenario is a plain list of files (unit, arrival, accepted or rejected, task rows); the
recount below derives every figure from that list with the rules written out again here
(windows, on time / late / missing / rejected, carried forward, derived task status), without
the product's selection or status code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from consolidate.core.config import Config, load_config
from consolidate.store.db import Store
from tests.helpers_store import add_rejected, add_submission, resend, task

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
#: Weeks 2026-W23 … W28: Thursday cut-offs 17:00, no public holiday in between.
WEEKS = [f"2026-W{w}" for w in range(23, 29)]
CUTOFFS = [datetime(2026, 6, 4, 17, 0, tzinfo=TZ) + timedelta(days=7 * i) for i in range(7)]
START = CUTOFFS[0] - timedelta(days=7)  # start of W23 (cut-off of W22)
#: Built on the Friday morning after the cut-off of W28.
NOW = CUTOFFS[5] + timedelta(hours=16, minutes=30)

UNITS = ("U1", "U2", "U3", "U4", "U5", "U6", "U7")
NEW_UNIT = "U6"  # on the list from 2026-06-15: owes W25 (cut-off 18/06) onwards
NEW_SINCE = date(2026, 6, 15)
LEAVING_UNIT = "U7"  # on the list until 2026-06-20: owes W23 … W25 only
LEFT_ON = date(2026, 6, 20)
#: Status keys of the derived task status (the trends' and scorecard's column names).
TASK_STATUS_KEYS = ("done_on_time", "done_late", "in_progress", "due_soon", "overdue",
                    "not_started", "recurring")  # fmt: skip


def config_text() -> str:
    units = []
    for code in UNITS:
        extra = f'since = "{NEW_SINCE.isoformat()}"\n' if code == NEW_UNIT else ""
        extra += f'until = "{LEFT_ON.isoformat()}"\n' if code == LEAVING_UNIT else ""
        reports = '["weekly", "projects"]' if code == "U1" else '["weekly"]'
        units.append(
            f'[[units]]\ncode = "{code}"\nname = "Đơn vị {code}"\nkind = "xa-phuong"\n'
            f"reports = {reports}\n{extra}"
        )
    return '[calendar]\ntimezone = "Asia/Ho_Chi_Minh"\n\n' + "\n".join(units)


@dataclass
class File:
    unit: str
    at: datetime
    accepted: bool
    tasks: list[dict[str, Any]] = field(default_factory=list)
    resent_at: datetime | None = None  # the same bytes arrive again


def _tasks(rng: random.Random, as_of: date, n: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        deadline = as_of + timedelta(days=rng.choice([-15, -3, 0, 2, 6, 9, 30]))
        kind = rng.random()
        state = rng.choice(["Đã hoàn thành", "Đang thực hiện", "Chưa triển khai"])
        row: dict[str, Any] = {
            "stt": i + 1,
            "deadline": "Thường xuyên" if kind < 0.1 else deadline.strftime("%d/%m/%Y"),
            "state": state,
        }
        if state == "Đã hoàn thành" and rng.random() < 0.7:
            row["completed_on"] = (deadline + timedelta(days=rng.choice([-4, 0, 3]))).isoformat()
        if rng.random() < 0.25:
            row[rng.choice(["officer", "deliverable", "authority"])] = None
        rows.append(row)
    return rows


def scenario(seed: int = 7) -> list[File]:
    """On time, late, missing, rejected then resent, rejected and never resent, the same
    bytes sent again, a file without task rows, a unit added mid-range and one that leaves."""
    rng = random.Random(seed)
    files: list[File] = []

    def on(week: int, unit: str, hours_before: float, accepted: bool = True, n: int = 4) -> File:
        at = CUTOFFS[week] - timedelta(hours=hours_before)
        f = File(unit, at, accepted, _tasks(rng, at.date(), n) if accepted else [])
        files.append(f)
        return f

    for w in range(6):
        on(w, "U1", 20 + w, n=5)  # always on time
    for w in (0, 2, 4):
        on(w, "U2", 3)
    on(1, "U2", -5)  # week 1: late (after the cut-off, before the next one)
    # U3: rejected then resent on time in week 0; rejected and resent late in week 2;
    # rejected and never resent in week 4
    on(0, "U3", 30, accepted=False)
    on(0, "U3", 5)
    on(2, "U3", 10, accepted=False)
    on(2, "U3", -20)
    on(4, "U3", 8, accepted=False)
    # U4: reports in weeks 0 and 1 only; week 3 the same bytes as week 1 sent again
    on(0, "U4", 2)
    f = on(1, "U4", 1)
    f.resent_at = CUTOFFS[3] - timedelta(hours=6)
    # U5: a file without task rows in week 2 (does not count), otherwise weeks 0, 3, 5
    for w in (0, 3, 5):
        on(w, "U5", 12)
    on(2, "U5", 12, n=0)
    # U6 joins mid-range (owes from W25): one file before (not owed: extra), then 2, 4, 5
    on(1, "U6", 4)
    for w in (2, 4, 5):
        on(w, "U6", 6)
    # U7 leaves after W25 (until 20/06): on time in W23, missing in W24 (its W23 file is
    # carried), late in W25; its file of W26 is sent without owing anything (extra)
    on(0, "U7", 7)
    on(2, "U7", -30)
    on(3, "U7", 2)
    # a file before the range, carried into the first week of U4
    files.append(File("U4", START - timedelta(days=2), True, _tasks(rng, START.date(), 3)))
    return files


def make_workspace(root: Path) -> Config:
    root.mkdir(parents=True, exist_ok=True)
    (root / "consolidate.toml").write_text(config_text(), encoding="utf-8")
    config = load_config(root)
    config.ensure_dirs()
    return config


def load(store: Store, files: list[File]) -> None:
    for f in sorted(files, key=lambda f: f.at):
        if f.accepted:
            _, data = add_submission(
                store, f.unit, f.at, tasks=[task(**row) for row in f.tasks], as_of=f.at.date()
            )
            if f.resent_at is not None:
                resend(store, data, f"{f.unit}-gui-lai.xlsx", f.resent_at)
        else:
            add_rejected(store, f.unit, f.at)


# --- the independent recount ------------------------------------------------------------------


def owes(unit: str, week: int) -> bool:
    day = CUTOFFS[week].date()
    if unit == NEW_UNIT:
        return day >= NEW_SINCE
    return unit != LEAVING_UNIT or day <= LEFT_ON


def task_status(row: dict[str, Any], day: date) -> str:
    """The status key of a task row on ``day`` (the rules of the specification, written out
    again: recurring; done on time or late by the completion day, the day itself if none;
    overdue; due within 7 days; in progress; not started)."""
    if row["deadline"] == "Thường xuyên":
        return "recurring"
    end = datetime.strptime(row["deadline"], "%d/%m/%Y").date()
    if row["state"] == "Đã hoàn thành":
        done = date.fromisoformat(row["completed_on"]) if row.get("completed_on") else day
        return "done_late" if done > end else "done_on_time"
    if end < day:
        return "overdue"
    if (end - day).days <= 7:
        return "due_soon"
    return "in_progress" if row["state"] == "Đang thực hiện" else "not_started"


def six_clear(row: dict[str, Any]) -> bool:
    return all(row.get(k, "x") for k in ("officer", "deliverable", "authority"))


def status_counts(f: File | None, day: date) -> dict[str, int]:
    counts = dict.fromkeys(TASK_STATUS_KEYS, 0)
    for row in f.tasks if f else []:
        counts[task_status(row, day)] += 1
    return counts


def arrivals(files: list[File]) -> list[tuple[datetime, File]]:
    out = [(f.at, f) for f in files] + [(f.resent_at, f) for f in files if f.resent_at]
    return sorted(out, key=lambda x: x[0])


def recount_week(files: list[File], week: int, now: datetime = NOW) -> dict[str, Any]:
    start = START if week == 0 else CUTOFFS[week - 1]
    cutoff, horizon = CUTOFFS[week], min(now, CUTOFFS[week + 1])
    status: dict[str, str] = {}
    counted: dict[str, File] = {}
    own: dict[str, File] = {}
    first_rejected: dict[str, bool] = {}
    for unit in UNITS:
        mine = [(t, f) for t, f in arrivals(files) if f.unit == unit and t <= horizon]
        window = [(t, f) for t, f in mine if start < t]
        with_rows = [(t, f) for t, f in window if f.accepted and f.tasks]
        if window:
            first_rejected[unit] = not window[0][1].accepted
        if with_rows:
            counted[unit] = own[unit] = with_rows[-1][1]
            on_time = any(t <= cutoff for t, _ in with_rows)
            status[unit] = ("on_time" if on_time else "late") if owes(unit, week) else "extra"
        else:
            before = [f for t, f in mine if t <= start and f.accepted and f.tasks]
            if before and owes(unit, week):  # carried forward for a unit that owes
                counted[unit] = before[-1]
            if owes(unit, week):
                rejected = any(not f.accepted for _, f in window)
                status[unit] = "rejected" if rejected else "missing"
    day = cutoff.date()
    by_status = dict.fromkeys(TASK_STATUS_KEYS, 0)
    for f in counted.values():
        for key, n in status_counts(f, day).items():
            by_status[key] += n
    return {
        "status": status,
        "first_rejected": {u: v for u, v in first_rejected.items() if owes(u, week)},
        "counted": counted,  # the file counted for each unit (carried ones included)
        "own": own,  # those of them sent in the week's window (not carried)
        "by_status": by_status,
        "total": sum(len(f.tasks) for f in counted.values()),
        "six": sum(six_clear(r) for f in counted.values() for r in f.tasks),
        "done": by_status["done_on_time"] + by_status["done_late"],
        "overdue": by_status["overdue"],
        "due_soon": by_status["due_soon"],
    }
