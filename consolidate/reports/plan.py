"""The figures of the detailed plan (``Kế hoạch chi tiết``) of a month or a quarter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from consolidate.calendar.deadlines import RECURRING
from consolidate.calendar.periods import MONTH, QUARTER, Period, PeriodError
from consolidate.core.config import Config
from consolidate.reports.indicators import Indicators, indicators
from consolidate.reports.rows import TaskRow, TaskRows, register_tasks
from consolidate.reports.selection import Snapshot, latest_snapshots, unit_lookup
from consolidate.reports.status import DONE_STATUSES, OVERDUE
from consolidate.store.db import Store

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
    #: The indicators (Chỉ tiêu) as of ``as_of``: a section of the plan report.
    indicators: Indicators | None = None

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
    _, order = unit_lookup(config)
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
        indicators=indicators(config, store, as_of),
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
