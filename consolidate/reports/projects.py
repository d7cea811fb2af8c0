"""The figures of the twice-monthly projects report (``Báo cáo dự án``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from consolidate.calendar.periods import Period, next_period
from consolidate.core.config import Config
from consolidate.reports.rows import ProjectRow, project_shape
from consolidate.reports.selection import (
    Selection,
    Snapshot,
    UnitReporting,
    report_horizon,
    select_snapshots,
)
from consolidate.store.db import Store
from schemas import PROJECTS


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


#: Why a project is lagging (ProjectRow.lagging; worded by consolidate.render.wording).
BELOW_THRESHOLD = "below_threshold"  # disbursement rate under the configured threshold
BEHIND_TIME_PATH = "behind_time_path"  # more than the tolerance behind the time path


def lagging_reason(rate: float | None, path_pct: float, threshold: float, tolerance: float) -> str:
    """``""`` when the project is not lagging, else why (one of the codes above)."""
    if rate is None:
        return ""
    if rate < threshold:
        return BELOW_THRESHOLD
    if rate < path_pct - tolerance:
        return BEHIND_TIME_PATH
    return ""


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


def project_rows(
    store: Store, snapshots: Sequence[Snapshot], path_pct: float, threshold: float, tolerance: float
) -> list[ProjectRow]:
    shape = project_shape()
    i_plan, i_disb = shape.select("year_plan"), shape.select("disbursed")
    make = shape.type._make
    out = []
    for snap in snapshots:
        for r in store.db.execute(shape.sql, (snap.submission_id,)):
            plan, disbursed = r[i_plan], r[i_disb]
            rate = 100.0 * (disbursed or 0.0) / plan if plan else None
            reason = lagging_reason(rate, path_pct, threshold, tolerance)
            out.append(make((snap.unit_code, snap.submission_id, *r, rate, reason, snap.carried)))
    return out


def projects_data(config: Config, store: Store, period: Period, now: datetime) -> ProjectsData:
    cal = config.calendar
    horizon = report_horizon(period, now, next_period(cal, period).cutoff)
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
