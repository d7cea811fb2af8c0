"""Which snapshot counts: the reporting status of every unit in one period of one report.

Decisions where the issue is silent:

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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, NamedTuple

from consolidate.calendar.periods import Period, PeriodError, localize
from consolidate.core.config import Config, Unit
from consolidate.core.fmt import fmt_dt
from consolidate.store.arrivals import ARRIVAL_COLUMNS
from consolidate.store.db import Store, utc_iso

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


#: What the office notes about the reporting of a unit (worded by consolidate.render.wording).
LATE_UPDATE = "late_update"  # at: the counted update, received after the cut-off
REJECTED_LATER = "rejected_later"  # a later file (at, n_errors) rejected; used_at: the one counted
REJECTED_WAITING = "rejected_waiting"  # file, at, n_errors: rejected, awaiting a correction
NO_ROWS = "no_rows"  # sent in the period, but without rows of the report's sheet
CARRIED_FROM = "carried_from"  # at: the previous report carried forward


class Note(NamedTuple):
    kind: str
    at: datetime | None = None
    file: str = ""
    n_errors: int = 0
    used_at: datetime | None = None


@dataclass
class UnitReporting:
    code: str
    name: str
    kind_label: str
    expected: bool
    status: str
    snapshot: Snapshot | None = None
    rejected: FileRef | None = None
    notes: list[Note] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return REPORTING_LABELS[self.status]

    @property
    def reported(self) -> bool:
        return self.status in (ON_TIME, LATE, EXTRA)


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


_SHEET_ROWS = {"tasks": "n_tasks", "projects": "n_projects"}


def _events(
    config: Config,
    store: Store,
    sheet: str,
    start: datetime,
    horizon: datetime,
    units: Iterable[str] | None = None,
) -> dict[str, list[_Event]]:
    """The arrivals of accepted submissions per unit, oldest first: those in the window
    ``(start, horizon]`` and each unit's newest one with rows of ``sheet`` up to ``start``
    (of ``units``, or of every unit when None) — all that the selection rules look at, read
    through the store's indexes, so that years of history are neither read nor walked."""
    tz = config.calendar.tz
    n = _SHEET_ROWS[sheet]
    has_rows = ARRIVAL_COLUMNS.index(n)
    per_unit: dict[str, list[_Event]] = {}
    seen: set[tuple[int, datetime]] = set()
    for row in store.accepted_arrivals(start, horizon, carry=n, units=units):
        at = _ts(row[4])
        if at is None or (row[0], at) in seen:
            continue
        seen.add((row[0], at))
        per_unit.setdefault(row[2], []).append(
            _Event(at.astimezone(tz), row[3] or "", row[0], row[1], row[2], row[5] or "",
                   int(row[6] or 0), bool(row[has_rows]))
        )  # fmt: skip
    for events in per_unit.values():
        events.sort(key=lambda e: (e.at, e.as_of, e.submission_id))
    return per_unit


def _not_counted_files(
    config: Config, store: Store, start: datetime, horizon: datetime
) -> list[FileRef]:
    """Files in ``(start, horizon]`` that do not count: rejected, or of an unknown unit
    (a range of the index on the verdicts' arrival time)."""
    tz = config.calendar.tz
    files = []
    for r in store.db.execute(
        "SELECT sha256, original_name, received_at, verdict, unit_code, n_errors, n_warnings "
        "FROM verdicts WHERE received_at > :start AND received_at <= :horizon "
        "AND (verdict = 'rejected' OR (unit_code IS NULL AND verdict != 'duplicate'))",
        {"start": utc_iso(start), "horizon": utc_iso(horizon)},
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


def unit_lookup(config: Config) -> tuple[dict[str, Unit], dict[str, int]]:
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
    owing = [u.code for u in config.unit_index.owing(report, period.cutoff.date())]
    expected_codes = store.frozen_expected(period.kind, period.key, owing)
    by_code, order = unit_lookup(config)
    events = _events(config, store, sheet, period.start, horizon, expected_codes)
    not_counted = _not_counted_files(config, store, period.start, horizon)

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
        notes = entry.notes
        if window:
            newest = window[-1]
            on_time = any(e.at <= period.cutoff for e in window)
            entry.status = (ON_TIME if on_time else LATE) if entry.expected else EXTRA
            entry.snapshot = _snapshot(newest, carried=False, late=newest.at > period.cutoff)
            if on_time and newest.at > period.cutoff:
                notes.append(Note(LATE_UPDATE, newest.at))
            later_rejects = [f for f in rejected if f.received_at > newest.at]
            if later_rejects:
                last = later_rejects[-1]
                notes.append(
                    Note(REJECTED_LATER, last.received_at, last.original_name, last.n_errors,
                         newest.at)
                )  # fmt: skip
        else:
            if rejected:
                entry.status = REJECTED
                entry.rejected = rejected[-1]
                last = rejected[-1]
                notes.append(
                    Note(REJECTED_WAITING, last.received_at, last.original_name, last.n_errors)
                )
            elif any(in_window(e.at) for e in evs):
                notes.append(Note(NO_ROWS))
            previous = [e for e in evs if e.has_rows and e.at <= period.start]
            if previous:
                entry.snapshot = _snapshot(previous[-1], carried=True, late=False)
                notes.append(Note(CARRIED_FROM, previous[-1].at))
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
    _, order = unit_lookup(config)
    chosen = []
    for evs in _events(config, store, sheet, horizon, horizon).values():
        usable = [e for e in evs if e.has_rows and e.at <= horizon]
        if usable:
            chosen.append(_snapshot(usable[-1], carried=False, late=False))
    chosen.sort(key=lambda s: (order.get(s.unit_code, len(order)), s.unit_code))
    return chosen


def report_horizon(period: Period, now: datetime, cap: datetime | None) -> datetime:
    if now <= period.start:
        raise PeriodError(
            f"{period.label} chưa bắt đầu (kỳ bắt đầu sau {fmt_dt(period.start)}); "
            "chưa có gì để tổng hợp."
        )
    return min(now, cap) if cap is not None else now


def local_now(config: Config, now: datetime | None) -> datetime:
    return localize(config.calendar, now) if now is not None else datetime.now(config.calendar.tz)
