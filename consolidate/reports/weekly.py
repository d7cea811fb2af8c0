"""The figures of the weekly report (``Báo cáo tuần``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from consolidate.calendar.periods import Period, next_period
from consolidate.core.config import Config
from consolidate.reports.rows import RegisterTask, TaskRows, TaskTally, register_tasks
from consolidate.reports.selection import Selection, report_horizon, select_snapshots, unit_lookup
from consolidate.reports.status import STATUSES
from consolidate.reports.trends import Trends, trends
from consolidate.store.db import Store

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
    #: The last weeks side by side (``Xu hướng``), ending with this one; None if not asked.
    trends: Trends | None = None

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
            # The units the workbook lists as without an accepted report, in its order.
            "without_report": [
                {"code": u.code, "name": u.name, "status": u.status}
                for u in self.selection.expected
                if not u.reported
            ],
            "tasks": {
                "total": t.total,
                "by_status": {s: t.by_status[s] for s in STATUSES},
                "six_clear_complete": t.six_complete,
                "six_clear_pct": round(t.six_pct, 1),
                "carried_forward": t.carried,
                "with_bottleneck_or_proposal": len(t.issues),
                "register_unreported": len(self.unreported_register),
            },
            "trends": self.trends.records() if self.trends is not None else [],
        }


def weekly_data(
    config: Config, store: Store, period: Period, now: datetime, *, with_trends: bool = True
) -> WeeklyData:
    """Everything the weekly workbook shows. Task rows are read when first iterated; the
    ``Xu hướng`` of the last weeks (``[trends] weeks``) is computed unless not wanted."""
    cal = config.calendar
    horizon = report_horizon(period, now, next_period(cal, period).cutoff)
    selection = select_snapshots(config, store, period, "weekly", horizon)
    _, order = unit_lookup(config)
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
        trends=trends(config, store, period, now) if with_trends else None,
    )
