"""Consolidation: derived task status, which snapshot counts, and the data of each report.

Everything here reads the store; nothing re-reads a workbook. The data objects are plain
dataclasses and NamedTuples that :mod:`consolidate.render.workbooks` writes.

Decisions where the issue is silent (also in the closing note of the work):

- **Which file counts.** For a period ``(start, cutoff]`` built at ``now``, the horizon is
  ``min(now, next period's cut-off)``: a file after the next cut-off belongs to the next
  period, so rebuilding an old week gives the same figures. The counted snapshot of a unit is
  its newest accepted submission *carrying rows of the report's sheet* (a weekly file with an
  empty ``Dự án`` sheet does not wipe the unit's projects) received in the window. A unit is
  "on time" if any such file arrived by the cut-off (a later correction still counts, with a
  note), "late" if all arrived after. The same bytes sent again count at their new arrival.
- **Nothing this period.** "Rejected awaiting correction" when a file of the unit was
  rejected in the window, otherwise "not reported"; in both cases the previous snapshot, if
  any, is carried forward and marked as last period's data.
- **Units not on the list** that sent a report anyway are shown and their tasks counted, but
  completeness is over the frozen expected list only, so it never exceeds 100 %.
- **Derived status** is computed for the cut-off date. A completed task without a completion
  date is taken as completed on the cut-off date (so it is late only if the deadline had
  already passed); a task without a deadline can be neither overdue nor due soon; a
  "Thường xuyên" task is always "Thường xuyên".
"""

from __future__ import annotations

import operator
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from consolidate.calendar.deadlines import RECURRING, try_parse_deadline
from consolidate.calendar.periods import (
    MONTH,
    QUARTER,
    Period,
    PeriodError,
    fmt_dt,
    localize,
    next_period,
)
from consolidate.core.config import Config, Unit
from consolidate.store.db import Store
from schemas import PROJECTS, TASKS
from schemas.columns import PILLARS, STATE_DONE, STATE_IN_PROGRESS

# --- derived status ---------------------------------------------------------------------------

DONE_ON_TIME = "Hoàn thành đúng hạn"
DONE_LATE = "Hoàn thành quá hạn"
IN_PROGRESS = "Đang thực hiện (trong hạn)"
DUE_SOON = "Sắp đến hạn"
OVERDUE = "Quá hạn"
NOT_STARTED = "Chưa triển khai"
RECURRING_STATUS = "Thường xuyên"
#: Display order, everywhere.
STATUSES: tuple[str, ...] = (
    DONE_ON_TIME,
    DONE_LATE,
    IN_PROGRESS,
    DUE_SOON,
    OVERDUE,
    NOT_STARTED,
    RECURRING_STATUS,
)
DONE_STATUSES = (DONE_ON_TIME, DONE_LATE)
NO_PILLAR = "Chưa xác định lĩnh vực"


class Derived(NamedTuple):
    status: str
    #: Quá hạn: days past the deadline; Hoàn thành quá hạn: days completed late.
    days_overdue: int | None = None
    days_left: int | None = None  # unfinished with a deadline not yet passed: 0 = due today


def _as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def derive_status(
    deadline_kind: str | None,
    deadline_end: date | str | None,
    state: str | None,
    completed_on: date | str | None,
    as_of: date,
    due_soon_days: int,
) -> Derived:
    """The status the office reports, from what the unit wrote, as of ``as_of``.

    An unfinished task past its deadline is Quá hạn whatever its state; one due within
    ``due_soon_days`` is Sắp đến hạn; Chưa triển khai / Đang thực hiện apply only otherwise.
    """
    if deadline_kind == RECURRING:
        return Derived(RECURRING_STATUS)
    end = _as_date(deadline_end)
    if state == STATE_DONE:
        if end is None:
            return Derived(DONE_ON_TIME)
        late = ((_as_date(completed_on) or as_of) - end).days
        return Derived(DONE_LATE, late) if late > 0 else Derived(DONE_ON_TIME)
    left: int | None = None
    if end is not None:
        left = (end - as_of).days
        if left < 0:
            return Derived(OVERDUE, -left)
        if left <= due_soon_days:
            return Derived(DUE_SOON, None, left)
    if state == STATE_IN_PROGRESS:
        return Derived(IN_PROGRESS, None, left)
    return Derived(NOT_STARTED, None, left)


# --- reporting status of units ----------------------------------------------------------------

ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"
REJECTED = "rejected"
EXTRA = "extra"
REPORTING_LABELS = {
    ON_TIME: "Đúng hạn",
    LATE: "Trễ hạn",
    MISSING: "Chưa báo cáo",
    REJECTED: "Bị từ chối, chờ gửi lại",
    EXTRA: "Gửi thêm (ngoài danh sách)",
}
REPORTING_ORDER = (ON_TIME, LATE, REJECTED, MISSING, EXTRA)


@dataclass(frozen=True)
class Snapshot:
    """One accepted submission chosen to count for a unit in a report."""

    submission_id: int
    sha256: str
    unit_code: str
    as_of: str
    received_at: datetime  # local time of the arrival that counts
    original_name: str
    n_warnings: int
    carried: bool = False  # last period's data, carried forward
    late: bool = False  # this file arrived after the cut-off
    n_rows: int = 0

    @property
    def usage_label(self) -> str:
        if self.carried:
            return "Số liệu kỳ trước"
        return "Nhận sau hạn chốt" if self.late else "Kỳ này"


@dataclass(frozen=True)
class FileRef:
    """A file that has a verdict but does not count (rejected, or its unit is unknown)."""

    sha256: str
    original_name: str
    received_at: datetime
    verdict: str
    unit_code: str | None
    n_errors: int
    n_warnings: int


@dataclass
class UnitReporting:
    code: str
    name: str
    kind_label: str
    expected: bool
    status: str
    snapshot: Snapshot | None = None
    rejected: FileRef | None = None
    note: str = ""

    @property
    def status_label(self) -> str:
        return REPORTING_LABELS[self.status]

    @property
    def reported(self) -> bool:
        return self.status in (ON_TIME, LATE, EXTRA)

    def to_dict(self) -> dict[str, Any]:
        snap, rej = self.snapshot, self.rejected
        return {
            "code": self.code,
            "name": self.name,
            "expected": self.expected,
            "status": self.status,
            "status_label": self.status_label,
            "received_at": snap.received_at.isoformat() if snap and not snap.carried else None,
            "file": snap.original_name if snap and not snap.carried else None,
            "carried_forward_from": snap.received_at.isoformat() if snap and snap.carried else None,
            "n_warnings": snap.n_warnings if snap and not snap.carried else None,
            "rejected_file": rej.original_name if rej else None,
            "rejected_at": rej.received_at.isoformat() if rej else None,
            "n_errors": rej.n_errors if rej else 0,
            "note": self.note,
        }


@dataclass
class Selection:
    """Which snapshot counts for each unit in one report of one period."""

    report: str  # "weekly" | "projects"
    period: Period
    horizon: datetime
    units: list[UnitReporting]
    unknown_files: list[FileRef] = field(default_factory=list)

    @property
    def expected(self) -> list[UnitReporting]:
        return [u for u in self.units if u.expected]

    @property
    def snapshots(self) -> list[Snapshot]:
        return [u.snapshot for u in self.units if u.snapshot is not None]

    def count(self, status: str) -> int:
        return sum(1 for u in self.units if u.status == status)

    @property
    def n_reported(self) -> int:
        return sum(1 for u in self.expected if u.reported)

    @property
    def completeness_pct(self) -> float:
        expected = len(self.expected)
        return 100.0 * self.n_reported / expected if expected else 100.0

    def counts(self) -> dict[str, Any]:
        return {
            "expected": len(self.expected),
            "on_time": self.count(ON_TIME),
            "late": self.count(LATE),
            "missing": self.count(MISSING),
            "rejected": self.count(REJECTED),
            "extra": self.count(EXTRA),
            "reported": self.n_reported,
            "completeness_pct": round(self.completeness_pct, 1),
            "carried_forward": sum(1 for s in self.snapshots if s.carried),
        }


def _ts(text: str | None) -> datetime | None:
    """Store timestamps are UTC ISO strings; a naive one is taken as UTC."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class _Event(NamedTuple):
    at: datetime  # arrival time (local)
    as_of: str
    submission_id: int
    sha256: str
    unit_code: str
    original_name: str
    n_warnings: int
    has_rows: bool


def _events(config: Config, store: Store, sheet: str) -> dict[str, list[_Event]]:
    """Every arrival of an accepted submission, per unit, oldest first."""
    tz = config.calendar.tz
    subs = store.db.execute(
        f"SELECT s.id, s.sha256, s.unit_code, s.as_of, s.received_at, s.original_name, "
        f"s.n_warnings, EXISTS(SELECT 1 FROM {sheet} x WHERE x.submission_id = s.id) "
        f"FROM submissions s"
    ).fetchall()
    by_sha = {r[1]: r for r in subs}
    seen: set[tuple[str, datetime]] = set()
    per_unit: dict[str, list[_Event]] = {}

    def add(row: sqlite3.Row | tuple[Any, ...], at_text: str, name: str | None) -> None:
        at = _ts(at_text)
        if at is None or (row[1], at) in seen:
            return
        seen.add((row[1], at))
        per_unit.setdefault(row[2], []).append(
            _Event(at.astimezone(tz), row[3] or "", row[0], row[1], row[2], name or row[5] or "",
                   int(row[6] or 0), bool(row[7]))
        )  # fmt: skip

    for row in subs:
        add(row, row[4], row[5])
    # The same bytes sent again (a "no change" report) count at their new arrival.
    for sha, at_text, name in store.db.execute(
        "SELECT sha256, received_at, original_name FROM arrivals "
        "WHERE sha256 IN (SELECT sha256 FROM submissions)"
    ):
        add(by_sha[sha], at_text, name)
    for events in per_unit.values():
        events.sort(key=lambda e: (e.at, e.as_of, e.submission_id))
    return per_unit


def _not_counted_files(config: Config, store: Store) -> list[FileRef]:
    tz = config.calendar.tz
    files = []
    for r in store.db.execute(
        "SELECT sha256, original_name, received_at, verdict, unit_code, n_errors, n_warnings "
        "FROM verdicts WHERE verdict = 'rejected' OR (unit_code IS NULL AND verdict != 'duplicate')"
    ):
        at = _ts(r[2])
        if at is not None:
            files.append(
                FileRef(
                    r[0], r[1] or "", at.astimezone(tz), r[3], r[4], int(r[5] or 0), int(r[6] or 0)
                )
            )
    files.sort(key=lambda f: (f.received_at, f.sha256))
    return files


def _unit_lookup(config: Config) -> tuple[dict[str, Unit], dict[str, int]]:
    by_code = {u.code: u for u in config.units}
    order = {u.code: i for i, u in enumerate(config.units)}
    return by_code, order


def unit_name(config: Config, code: str | None) -> str:
    if not code:
        return ""
    unit = config.unit_index.by_code.get(code)
    return unit.name if unit else code


def _snapshot(event: _Event, *, carried: bool, late: bool, n_rows: int = 0) -> Snapshot:
    return Snapshot(
        submission_id=event.submission_id,
        sha256=event.sha256,
        unit_code=event.unit_code,
        as_of=event.as_of,
        received_at=event.at,
        original_name=event.original_name,
        n_warnings=event.n_warnings,
        carried=carried,
        late=late,
        n_rows=n_rows,
    )


def select_snapshots(
    config: Config, store: Store, period: Period, report: str, horizon: datetime
) -> Selection:
    """Choose the snapshot that counts for each unit owing ``report`` in ``period``."""
    sheet = "tasks" if report == "weekly" else "projects"
    what = "nhiệm vụ" if report == "weekly" else "dự án"
    owing = [u.code for u in config.unit_index.owing(report)]
    expected_codes = store.frozen_expected(period.kind, period.key, owing)
    by_code, order = _unit_lookup(config)
    events = _events(config, store, sheet)
    not_counted = _not_counted_files(config, store)

    def in_window(at: datetime) -> bool:
        return period.start < at <= horizon

    rejected_by_unit: dict[str, list[FileRef]] = {}
    unknown: list[FileRef] = []
    for f in not_counted:
        if not in_window(f.received_at):
            continue
        if f.unit_code is None:
            unknown.append(f)
        elif f.verdict == "rejected":
            rejected_by_unit.setdefault(f.unit_code, []).append(f)

    senders = {
        code for code, evs in events.items() if any(e.has_rows and in_window(e.at) for e in evs)
    }
    expected_set = set(expected_codes)
    extras = sorted(senders - expected_set, key=lambda c: (order.get(c, len(order)), c))
    # Configured units in configuration order; units dropped from it since the period was
    # frozen keep their frozen order.
    frozen_pos = {c: i for i, c in enumerate(expected_codes)}
    codes = sorted(expected_codes, key=lambda c: (order.get(c, len(order)), frozen_pos[c]))
    codes += extras

    units: list[UnitReporting] = []
    for code in codes:
        unit = by_code.get(code)
        evs = [e for e in events.get(code, []) if e.at <= horizon]
        window = [e for e in evs if e.has_rows and in_window(e.at)]
        rejected = rejected_by_unit.get(code, [])
        entry = UnitReporting(
            code=code,
            name=unit.name if unit else code,
            kind_label=unit.kind_label if unit else "",
            expected=code in expected_set,
            status=MISSING,
        )
        notes: list[str] = []
        if window:
            newest = window[-1]
            on_time = any(e.at <= period.cutoff for e in window)
            entry.status = (ON_TIME if on_time else LATE) if entry.expected else EXTRA
            entry.snapshot = _snapshot(newest, carried=False, late=newest.at > period.cutoff)
            if on_time and newest.at > period.cutoff:
                notes.append(f"Bản cập nhật nhận lúc {fmt_dt(newest.at)}, sau hạn chốt.")
            later_rejects = [f for f in rejected if f.received_at > newest.at]
            if later_rejects:
                last = later_rejects[-1]
                notes.append(
                    f"Tệp gửi lúc {fmt_dt(last.received_at)} không được tiếp nhận "
                    f"({last.n_errors} lỗi); đang dùng bản nhận lúc {fmt_dt(newest.at)}."
                )
        else:
            if rejected:
                entry.status = REJECTED
                entry.rejected = rejected[-1]
                notes.append(
                    f"Tệp “{rejected[-1].original_name}” gửi lúc "
                    f"{fmt_dt(rejected[-1].received_at)} có {rejected[-1].n_errors} lỗi, "
                    "chờ đơn vị sửa và gửi lại."
                )
            elif any(in_window(e.at) for e in evs):
                notes.append(f"Có gửi báo cáo trong kỳ nhưng không có số liệu {what}.")
            previous = [e for e in evs if e.has_rows and e.at <= period.start]
            if previous:
                entry.snapshot = _snapshot(previous[-1], carried=True, late=False)
                notes.append(f"Dùng số liệu kỳ trước (báo cáo nhận lúc {fmt_dt(previous[-1].at)}).")
        entry.note = " ".join(notes)
        units.append(entry)

    _count_rows(store, sheet, units)
    return Selection(report, period, horizon, units, unknown)


def _count_rows(store: Store, sheet: str, units: list[UnitReporting]) -> None:
    ids = [u.snapshot.submission_id for u in units if u.snapshot]
    if not ids:
        return
    marks = ",".join("?" * len(ids))
    counts = dict(
        store.db.execute(
            f"SELECT submission_id, count(*) FROM {sheet} WHERE submission_id IN ({marks}) "
            "GROUP BY submission_id",
            ids,
        ).fetchall()
    )
    for u in units:
        if u.snapshot:
            u.snapshot = replace(u.snapshot, n_rows=int(counts.get(u.snapshot.submission_id, 0)))


def latest_snapshots(
    config: Config, store: Store, horizon: datetime, sheet: str = "tasks"
) -> list[Snapshot]:
    """The newest snapshot with rows of ``sheet`` of every unit, up to ``horizon`` (plans)."""
    _, order = _unit_lookup(config)
    chosen = []
    for evs in _events(config, store, sheet).values():
        usable = [e for e in evs if e.has_rows and e.at <= horizon]
        if usable:
            chosen.append(_snapshot(usable[-1], carried=False, late=False))
    chosen.sort(key=lambda s: (order.get(s.unit_code, len(order)), s.unit_code))
    return chosen


# --- task rows --------------------------------------------------------------------------------

#: Task columns read from the store, in this order, after unit/submission/row.
_EXTRA_KEYS = ("deadline_kind", "deadline_end", "issues")
TASK_KEYS: tuple[str, ...] = (*(c.key for c in TASKS.columns), *_EXTRA_KEYS)
_SIX = tuple((c.key, c.clear or "") for c in TASKS.columns if c.clear)


class TaskRow(NamedTuple):
    unit_code: str
    submission_id: int
    row: int
    stt: int | None
    task_code: str | None
    task: str | None
    pillar: str | None
    source_doc: str | None
    lead_unit: str | None
    partner_units: str | None
    officer: str | None
    authority: str | None
    deadline: str | None
    deliverable: str | None
    progress: float | None
    state: str | None
    completed_on: str | None
    period_result: str | None
    bottleneck: str | None
    proposal: str | None
    note: str | None
    deadline_kind: str | None
    deadline_end: str | None
    issues: str | None
    status: str
    days_overdue: int | None
    days_left: int | None
    missing_clear: str  # "" when all "06 rõ" are present, else "người, sản phẩm"
    carried: bool

    @property
    def six_clear(self) -> bool:
        return not self.missing_clear


_TASK_SQL = (
    "SELECT row, " + ", ".join(f'"{k}"' for k in TASK_KEYS) + " FROM tasks "
    "WHERE submission_id = ? ORDER BY row"
)


def _task_rows(
    db: sqlite3.Connection, snap: Snapshot, as_of: date, due_soon_days: int
) -> Iterator[TaskRow]:
    i_kind, i_end, i_state, i_done = (
        TASK_KEYS.index(k) + 1 for k in ("deadline_kind", "deadline_end", "state", "completed_on")
    )
    i_deadline = TASK_KEYS.index("deadline") + 1
    six = [(TASK_KEYS.index(k) + 1, name) for k, name in _SIX]
    six_values = operator.itemgetter(*(i for i, _ in six))
    head = (snap.unit_code, snap.submission_id)
    carried = snap.carried
    cursor = db.cursor()
    cursor.row_factory = None  # plain tuples: this runs once per task row
    make = TaskRow._make
    # Rows of a unit share deadlines and states: each combination is derived once.
    derived_of: dict[tuple[Any, ...], Derived] = {}
    for r in cursor.execute(_TASK_SQL, (snap.submission_id,)):
        kind, end = r[i_kind], r[i_end]
        if kind is None and r[i_deadline]:
            # Rows stored before the deadline columns existed: understand the text now.
            parsed = try_parse_deadline(r[i_deadline])
            if parsed is not None:
                kind, end = parsed.kind, parsed.end.isoformat() if parsed.end else None
                values = list(r)
                values[i_kind], values[i_end] = kind, end
                r = tuple(values)
        key = (kind, end, r[i_state], r[i_done])
        derived = derived_of.get(key)
        if derived is None:
            derived = derived_of[key] = derive_status(*key, as_of, due_soon_days)
        missing = "" if all(six_values(r)) else ", ".join(n for i, n in six if not r[i])
        yield make((*head, *r, *derived, missing, carried))


class TaskRows:
    """The task rows of the counted snapshots, streamed from the store in unit order.

    Re-iterable (each iteration re-reads the store) so that a province-sized report never
    holds every row in memory at once. Every complete iteration also counts the rows into a
    :class:`TaskTally` (:attr:`tally`), so a renderer that writes ``Chi tiết`` first gets
    the figures of the other sheets without a second pass over the store.
    """

    def __init__(
        self,
        store: Store,
        snapshots: Sequence[Snapshot],
        as_of: date,
        due_soon_days: int,
        unit_order: dict[str, int] | None = None,
    ):
        self.store = store
        self.snapshots = list(snapshots)
        self.as_of = as_of
        self.due_soon_days = due_soon_days
        self.unit_order = dict(unit_order or {})
        self._tally: TaskTally | None = None

    def __iter__(self) -> Iterator[TaskRow]:
        tally = TaskTally()
        add = tally.add
        for snap in self.snapshots:
            for row in _task_rows(self.store.db, snap, self.as_of, self.due_soon_days):
                add(row)
                yield row
        tally.finish(self.unit_order)
        self._tally = tally

    @property
    def tally(self) -> TaskTally:
        """The counts of all rows (one pass over the store if no iteration finished yet)."""
        if self._tally is None:
            for _ in self:
                pass
        assert self._tally is not None
        return self._tally

    def __len__(self) -> int:
        return sum(s.n_rows for s in self.snapshots)


@dataclass
class TaskTally:
    """Counts of task rows by status, unit and pillar, plus the lists leaders read."""

    total: int = 0
    six_complete: int = 0
    carried: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    unit_status: dict[str, Counter[str]] = field(default_factory=dict)
    unit_total: Counter[str] = field(default_factory=Counter)
    unit_six: Counter[str] = field(default_factory=Counter)
    pillar_status: dict[str, Counter[str]] = field(default_factory=dict)
    pillar_total: Counter[str] = field(default_factory=Counter)
    pillar_six: Counter[str] = field(default_factory=Counter)
    overdue: list[TaskRow] = field(default_factory=list)
    due_soon: list[TaskRow] = field(default_factory=list)
    issues: list[TaskRow] = field(default_factory=list)
    reported_codes: set[str] = field(default_factory=set)

    _keys: Counter[tuple[str, str, str, bool, bool]] = field(default_factory=Counter)

    def add(self, row: TaskRow) -> None:
        # One counter per row on the hot path; the breakdowns are expanded in finish().
        status = row.status
        self._keys[
            (row.unit_code, row.pillar or "", status, not row.missing_clear, row.carried)
        ] += 1
        if status == OVERDUE:
            self.overdue.append(row)
        elif status == DUE_SOON:
            self.due_soon.append(row)
        if row.bottleneck or row.proposal:
            self.issues.append(row)
        if row.task_code:
            self.reported_codes.add(row.task_code)

    def finish(self, unit_order: dict[str, int]) -> None:
        """Expand the counts and sort the lists the way leaders read them: by unit, the
        most overdue first."""
        for (unit, pillar, status, six, carried), n in self._keys.items():
            pillar = pillar if pillar in PILLARS else NO_PILLAR
            self.total += n
            self.by_status[status] += n
            self.unit_status.setdefault(unit, Counter())[status] += n
            self.unit_total[unit] += n
            self.pillar_status.setdefault(pillar, Counter())[status] += n
            self.pillar_total[pillar] += n
            if six:
                self.six_complete += n
                self.unit_six[unit] += n
                self.pillar_six[pillar] += n
            if carried:
                self.carried += n
        self._keys.clear()
        rank = {c: unit_order.get(c, len(unit_order)) for c in self.unit_total}

        def by_unit(r: TaskRow) -> tuple[int, str, int, int]:
            return (rank[r.unit_code], r.unit_code, r.submission_id, r.row)

        self.overdue.sort(key=lambda r: (*by_unit(r)[:2], -(r.days_overdue or 0), *by_unit(r)[2:]))
        self.due_soon.sort(key=lambda r: (*by_unit(r)[:2], r.days_left or 0, *by_unit(r)[2:]))
        self.issues.sort(key=by_unit)

    @property
    def six_pct(self) -> float:
        return 100.0 * self.six_complete / self.total if self.total else 100.0

    def pillars(self) -> list[str]:
        """Pillars in the official order, then 'not stated' if any row lacks one."""
        return list(PILLARS) + ([NO_PILLAR] if self.pillar_total[NO_PILLAR] else [])


def tally_tasks(rows: Iterator[TaskRow] | TaskRows, unit_order: dict[str, int]) -> TaskTally:
    tally = TaskTally()
    for row in rows:
        tally.add(row)
    tally.finish(unit_order)
    return tally


@dataclass(frozen=True)
class RegisterTask:
    code: str
    task: str
    source_doc: str
    lead_unit: str  # code as stored
    lead_unit_name: str
    deadline: str
    deadline_kind: str | None
    deadline_end: str | None
    pillar: str


def register_tasks(config: Config, store: Store) -> list[RegisterTask]:
    out = []
    for r in store.register():
        out.append(
            RegisterTask(
                code=r["code"],
                task=r["task"] or "",
                source_doc=r["source_doc"] or "",
                lead_unit=r["lead_unit"] or "",
                lead_unit_name=unit_name(config, r["lead_unit"]),
                deadline=r["deadline"] or "",
                deadline_kind=r["deadline_kind"],
                deadline_end=r["deadline_end"],
                pillar=r["pillar"] or "",
            )
        )
    return out


# --- weekly -----------------------------------------------------------------------------------


@dataclass
class WeeklyData:
    period: Period
    horizon: datetime
    built_at: datetime
    due_soon_days: int
    selection: Selection
    detail: TaskRows
    register: list[RegisterTask]
    unit_names: dict[str, str]

    @property
    def tally(self) -> TaskTally:
        return self.detail.tally

    @property
    def unreported_register(self) -> list[RegisterTask]:
        """Register tasks that no counted snapshot reports on (by task code)."""
        codes = self.tally.reported_codes
        return [t for t in self.register if t.code not in codes]

    @property
    def as_of(self) -> date:
        return self.period.as_of

    @property
    def preliminary(self) -> bool:
        """Built before the cut-off: figures may still change."""
        return self.horizon < self.period.cutoff

    def figures(self) -> dict[str, Any]:
        t = self.tally
        return {
            "period": self.period.key,
            "as_of": self.as_of.isoformat(),
            "horizon": self.horizon.isoformat(),
            "preliminary": self.preliminary,
            "units": self.selection.counts(),
            "tasks": {
                "total": t.total,
                "by_status": {s: t.by_status[s] for s in STATUSES},
                "six_clear_complete": t.six_complete,
                "six_clear_pct": round(t.six_pct, 1),
                "carried_forward": t.carried,
                "with_bottleneck_or_proposal": len(t.issues),
                "register_unreported": len(self.unreported_register),
            },
        }


def _horizon(period: Period, now: datetime, cap: datetime | None) -> datetime:
    if now <= period.start:
        raise PeriodError(
            f"{period.label} chưa bắt đầu (kỳ bắt đầu sau {fmt_dt(period.start)}); "
            "chưa có gì để tổng hợp."
        )
    return min(now, cap) if cap is not None else now


def _now(config: Config, now: datetime | None) -> datetime:
    return localize(config.calendar, now) if now is not None else datetime.now(config.calendar.tz)


def weekly_data(config: Config, store: Store, period: Period, now: datetime) -> WeeklyData:
    """Everything the weekly workbook shows. Task rows are read when first iterated."""
    cal = config.calendar
    horizon = _horizon(period, now, next_period(cal, period).cutoff)
    selection = select_snapshots(config, store, period, "weekly", horizon)
    _, order = _unit_lookup(config)
    detail = TaskRows(store, selection.snapshots, period.as_of, cal.due_soon_days, order)
    return WeeklyData(
        period=period,
        horizon=horizon,
        built_at=now,
        due_soon_days=cal.due_soon_days,
        selection=selection,
        detail=detail,
        register=register_tasks(config, store),
        unit_names={u.code: u.name for u in config.units},
    )


# --- projects ---------------------------------------------------------------------------------

PROJECT_KEYS: tuple[str, ...] = (*(c.key for c in PROJECTS.columns), *_EXTRA_KEYS)
NO_POLICY_STAGE = "Chưa phê duyệt chủ trương đầu tư"


class ProjectRow(NamedTuple):
    unit_code: str
    submission_id: int
    row: int
    stt: int | None
    project_code: str | None
    project: str | None
    big_problem: str | None
    fund_source: str | None
    total_investment: float | None
    year_plan: float | None
    disbursed: float | None
    disbursed_pct: float | None
    stage: str | None
    progress: float | None
    deadline: str | None
    committed_pct: float | None
    bottleneck: str | None
    proposal: str | None
    officer: str | None
    deadline_kind: str | None
    deadline_end: str | None
    issues: str | None
    rate: float | None  # disbursed / year plan, %
    lagging: str  # "" or why the project is lagging (Vietnamese)
    carried: bool

    @property
    def no_policy(self) -> bool:
        return self.stage == NO_POLICY_STAGE


@dataclass
class MoneySummary:
    """Sums of one group of projects (a fund source, an investor, the total)."""

    label: str
    n_projects: int = 0
    total_investment: float = 0.0
    year_plan: float = 0.0
    disbursed: float = 0.0
    committed_amount: float = 0.0  # year plan × committed %, over projects with a commitment
    committed_plan: float = 0.0  # year plan of the projects with a commitment
    n_without_commitment: int = 0
    n_lagging: int = 0
    n_no_policy: int = 0

    def add(self, p: ProjectRow) -> None:
        self.n_projects += 1
        self.total_investment += p.total_investment or 0.0
        self.year_plan += p.year_plan or 0.0
        self.disbursed += p.disbursed or 0.0
        if p.committed_pct is not None:
            self.committed_amount += (p.year_plan or 0.0) * p.committed_pct / 100.0
            self.committed_plan += p.year_plan or 0.0
        else:
            self.n_without_commitment += 1
        self.n_lagging += bool(p.lagging)
        self.n_no_policy += p.no_policy

    @property
    def rate(self) -> float | None:
        return 100.0 * self.disbursed / self.year_plan if self.year_plan else None

    @property
    def committed_rate(self) -> float | None:
        return 100.0 * self.committed_amount / self.committed_plan if self.committed_plan else None


def time_path_pct(as_of: date) -> float:
    """Share of the calendar year elapsed at the end of ``as_of``, in %."""
    start = date(as_of.year, 1, 1)
    days = (date(as_of.year + 1, 1, 1) - start).days
    return 100.0 * ((as_of - start).days + 1) / days


def lagging_reason(rate: float | None, path_pct: float, threshold: float, tolerance: float) -> str:
    if rate is None:
        return ""
    if rate < threshold:
        return f"Tỷ lệ giải ngân {fmt_pct(rate)} dưới ngưỡng {fmt_pct(threshold)}."
    if rate < path_pct - tolerance:
        return (
            f"Tỷ lệ giải ngân {fmt_pct(rate)} thấp hơn tiến độ theo thời gian "
            f"({fmt_pct(path_pct)}) quá {fmt_num(tolerance)} điểm %."
        )
    return ""


def fmt_num(value: float, decimals: int = 1) -> str:
    """Vietnamese number: '.' groups thousands, ',' is the decimal mark."""
    text = f"{value:,.{decimals}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if decimals and text.endswith("," + "0" * decimals):
        text = text[: -(decimals + 1)]
    return text


def fmt_pct(value: float) -> str:
    return f"{fmt_num(value)}%"


@dataclass
class ProjectsData:
    period: Period
    horizon: datetime
    built_at: datetime
    selection: Selection
    projects: list[ProjectRow]
    path_pct: float
    lagging_rate_pct: float
    path_tolerance_pct: float
    unit_names: dict[str, str]

    @property
    def as_of(self) -> date:
        return self.period.as_of

    @property
    def preliminary(self) -> bool:
        return self.horizon < self.period.cutoff

    def by_fund(self) -> list[MoneySummary]:
        groups: dict[str, MoneySummary] = {}
        for p in self.projects:
            label = p.fund_source or "Chưa xác định nguồn vốn"
            groups.setdefault(label, MoneySummary(label)).add(p)
        known = [s for s in PROJECTS.column("fund_source").choices if s in groups]
        return [groups[s] for s in known] + [groups[s] for s in sorted(groups) if s not in known]

    def by_investor(self) -> list[tuple[UnitReporting, MoneySummary]]:
        sums = {u.code: MoneySummary(u.name) for u in self.selection.units}
        for p in self.projects:
            sums.setdefault(
                p.unit_code, MoneySummary(self.unit_names.get(p.unit_code, p.unit_code))
            ).add(p)
        return [(u, sums[u.code]) for u in self.selection.units]

    def total(self) -> MoneySummary:
        total = MoneySummary("Tổng cộng")
        for p in self.projects:
            total.add(p)
        return total

    @property
    def lagging(self) -> list[ProjectRow]:
        return [p for p in self.projects if p.lagging]

    @property
    def no_policy(self) -> list[ProjectRow]:
        return [p for p in self.projects if p.no_policy]

    @property
    def issues(self) -> list[ProjectRow]:
        return [p for p in self.projects if p.bottleneck or p.proposal]

    def figures(self) -> dict[str, Any]:
        total = self.total()
        return {
            "period": self.period.key,
            "as_of": self.as_of.isoformat(),
            "horizon": self.horizon.isoformat(),
            "preliminary": self.preliminary,
            "units": self.selection.counts(),
            "projects": {
                "total": total.n_projects,
                "year_plan": round(total.year_plan, 3),
                "disbursed": round(total.disbursed, 3),
                "rate_pct": None if total.rate is None else round(total.rate, 1),
                "lagging": total.n_lagging,
                "no_policy": total.n_no_policy,
                "time_path_pct": round(self.path_pct, 1),
                "by_fund": {
                    s.label: {
                        "n": s.n_projects,
                        "year_plan": round(s.year_plan, 3),
                        "disbursed": round(s.disbursed, 3),
                    }
                    for s in self.by_fund()
                },
            },
        }


_PROJECT_SQL = (
    "SELECT row, " + ", ".join(f'"{k}"' for k in PROJECT_KEYS) + " FROM projects "
    "WHERE submission_id = ? ORDER BY row"
)


def project_rows(
    store: Store, snapshots: Sequence[Snapshot], path_pct: float, threshold: float, tolerance: float
) -> list[ProjectRow]:
    i_plan, i_disb = PROJECT_KEYS.index("year_plan") + 1, PROJECT_KEYS.index("disbursed") + 1
    out = []
    for snap in snapshots:
        for r in store.db.execute(_PROJECT_SQL, (snap.submission_id,)):
            plan, disbursed = r[i_plan], r[i_disb]
            rate = 100.0 * (disbursed or 0.0) / plan if plan else None
            reason = lagging_reason(rate, path_pct, threshold, tolerance)
            out.append(
                ProjectRow._make(
                    (snap.unit_code, snap.submission_id, *r, rate, reason, snap.carried)
                )
            )
    return out


def projects_data(config: Config, store: Store, period: Period, now: datetime) -> ProjectsData:
    cal = config.calendar
    horizon = _horizon(period, now, next_period(cal, period).cutoff)
    selection = select_snapshots(config, store, period, "projects", horizon)
    path = time_path_pct(period.as_of)
    rules = config.projects
    rows = project_rows(
        store, selection.snapshots, path, rules.lagging_rate_pct, rules.path_tolerance_pct
    )
    return ProjectsData(
        period=period,
        horizon=horizon,
        built_at=now,
        selection=selection,
        projects=rows,
        path_pct=path,
        lagging_rate_pct=rules.lagging_rate_pct,
        path_tolerance_pct=rules.path_tolerance_pct,
        unit_names={u.code: u.name for u in config.units},
    )


# --- plan -------------------------------------------------------------------------------------


@dataclass
class DocSummary:
    """One source document (văn bản giao nhiệm vụ) in the register view."""

    source_doc: str
    total: int = 0
    due_by: int = 0  # deadline on or before the period's last day (not recurring)
    done: int = 0
    overdue: int = 0
    unreported: int = 0  # register tasks no unit reports on


@dataclass
class PlanData:
    period: Period
    horizon: datetime
    built_at: datetime
    as_of: date
    snapshots: list[Snapshot]
    groups: list[tuple[str, list[TaskRow]]]  # ("Tháng 7/2026", rows due that month)
    recurring: list[TaskRow]
    overdue_before: list[TaskRow]  # unfinished, deadline before the period, overdue as of as_of
    docs: list[DocSummary]
    unit_names: dict[str, str]

    @property
    def due_by(self) -> date:
        return self.period.last_day

    @property
    def n_due(self) -> int:
        return sum(len(rows) for _, rows in self.groups)

    def figures(self) -> dict[str, Any]:
        return {
            "period": self.period.key,
            "as_of": self.as_of.isoformat(),
            "tasks_due": self.n_due,
            "by_month": {label: len(rows) for label, rows in self.groups},
            "recurring": len(self.recurring),
            "overdue_before": len(self.overdue_before),
            "source_documents": len(self.docs),
            "units": len(self.snapshots),
        }


def _month_label(year: int, month: int) -> str:
    return f"Tháng {month}/{year}"


def plan_data(config: Config, store: Store, period: Period, now: datetime) -> PlanData:
    if period.kind not in (MONTH, QUARTER):
        raise PeriodError("Kế hoạch chi tiết lập theo tháng hoặc quý.")
    horizon = min(now, period.cutoff)
    as_of = horizon.date()
    snapshots = latest_snapshots(config, store, horizon)
    _, order = _unit_lookup(config)
    first, last = period.first_day.isoformat(), period.last_day.isoformat()
    months: dict[tuple[int, int], list[TaskRow]] = {}
    d = period.first_day
    while d <= period.last_day:
        months[(d.year, d.month)] = []
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    recurring: list[TaskRow] = []
    overdue_before: list[TaskRow] = []
    all_rows: list[TaskRow] = []
    for row in TaskRows(store, snapshots, as_of, config.calendar.due_soon_days):
        all_rows.append(row)
        end = row.deadline_end
        if row.deadline_kind == RECURRING:
            recurring.append(row)
        elif end and first <= end <= last:
            months[(int(end[:4]), int(end[5:7]))].append(row)
        elif end and end < first and row.status == OVERDUE:
            overdue_before.append(row)

    def by_unit_then_deadline(r: TaskRow) -> tuple[int, str, str, int, int]:
        return (
            order.get(r.unit_code, len(order)),
            r.unit_code,
            r.deadline_end or "",
            r.submission_id,
            r.row,
        )

    groups = [
        (_month_label(y, m), sorted(rows, key=by_unit_then_deadline))
        for (y, m), rows in months.items()
    ]
    recurring.sort(key=by_unit_then_deadline)
    overdue_before.sort(key=by_unit_then_deadline)
    docs = register_view(config, store, all_rows, period.last_day, as_of)
    return PlanData(
        period=period,
        horizon=horizon,
        built_at=now,
        as_of=as_of,
        snapshots=snapshots,
        groups=groups,
        recurring=recurring,
        overdue_before=overdue_before,
        docs=docs,
        unit_names={u.code: u.name for u in config.units},
    )


def register_view(
    config: Config, store: Store, rows: Sequence[TaskRow], due_by: date, as_of: date
) -> list[DocSummary]:
    """Per source document: total, due by ``due_by``, completed, overdue, not reported.

    A register task counts once, with the status of the row its lead unit reports (else the
    first row reporting its code); a reported task outside the register counts under the
    document the unit wrote.
    """
    register = register_tasks(config, store)
    codes = {t.code for t in register}
    reported: dict[str, TaskRow] = {}
    for row in rows:
        code = row.task_code
        if code in codes and (code not in reported or row.lead_unit == row.unit_code):
            reported[code] = row
    docs: dict[str, DocSummary] = {}
    due_iso = due_by.isoformat()

    def count(doc: str, kind: str | None, end: str | None, status: str | None) -> DocSummary:
        summary = docs.setdefault(doc, DocSummary(doc))
        summary.total += 1
        if kind != RECURRING and end and end <= due_iso:
            summary.due_by += 1
        if status in DONE_STATUSES:
            summary.done += 1
        elif status == OVERDUE:
            summary.overdue += 1
        return summary

    for task in register:
        match = reported.get(task.code)
        doc = task.source_doc or "Không ghi văn bản giao"
        if match is None:
            count(doc, task.deadline_kind, task.deadline_end, None).unreported += 1
        else:
            count(doc, task.deadline_kind, task.deadline_end, match.status)
    for row in rows:
        if row.task_code in codes:
            continue
        count(row.source_doc or "Nhiệm vụ đơn vị tự đề ra (không ghi văn bản giao)",
              row.deadline_kind, row.deadline_end, row.status)  # fmt: skip
    return sorted(docs.values(), key=lambda s: s.source_doc)
