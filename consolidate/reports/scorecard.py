"""The unit scorecard over a range of weeks, a month or a quarter.

Per unit: the periods it owed (weekly reports, and project reports for investors) and how
it reported in each (on time / late / missing / rejected awaiting correction, and whether
its first file was rejected) — the very statuses of each period's own report; its tasks as
of the last closed week of the range (completed on time, completed late, overdue, due
soon); the share of its task rows written with all "06 rõ" over the files counted in the
range; for investors, disbursement against the year's capital plan at the last closed
project period. A score 0–100 weighs the components (``[scorecard]`` in the configuration)
over those that apply to the unit, and falls into a band A–E.

Only periods whose cut-off has passed are counted. A unit counts only for the periods it
owed: the period's frozen list, i.e. the units on the list at its cut-off (``since`` /
``until`` in the configuration).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pandas as pd

from consolidate.calendar.periods import (
    Period,
    PeriodError,
    iso_year,
    next_period,
    parse_month,
    parse_quarter,
    parse_week,
    twice_monthly_containing,
    weekly_containing,
)
from consolidate.core.config import SCORE_COMPONENTS, Config
from consolidate.reports.history import (
    History,
    arrival_events,
    history,
    periods_between,
    rejected_files,
    task_counts,
)
from consolidate.reports.projects import time_path_pct
from consolidate.reports.selection import LATE, MISSING, ON_TIME, REJECTED
from consolidate.store.db import Store

#: Columns of the scorecard export, in order (stable keys, see docs/exports.md).
SCORE_KEYS: tuple[str, ...] = (
    "rank",
    "code",
    "name",
    "kind",
    "score",
    "band",
    "band_label",
    "weekly_owed",
    "weekly_on_time",
    "weekly_late",
    "weekly_missing",
    "weekly_rejected",
    "weekly_first_rejected",
    "projects_owed",
    "projects_on_time",
    "projects_late",
    "projects_missing",
    "projects_rejected",
    "projects_first_rejected",
    "tasks_total",
    "tasks_done_on_time",
    "tasks_done_late",
    "tasks_overdue",
    "tasks_due_soon",
    "six_clear_pct",
    "year_plan",
    "disbursed",
    "disbursement_pct",
    "time_path_pct",
    *(f"component_{k}" for k in SCORE_COMPONENTS),
)


@dataclass(frozen=True)
class ScoreRange:
    """The days a scorecard covers: periods whose cut-off day is within [first, last]."""

    key: str  # for the file name: 2026-W40-2026-W48, 2026-06, 2026-Q3
    label: str  # Vietnamese
    first: date
    last: date

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "first_day": self.first.isoformat(),
            "last_day": self.last.isoformat(),
        }


def parse_range(
    config: Config,
    *,
    week_from: str | None = None,
    week_to: str | None = None,
    month: str | None = None,
    quarter: str | None = None,
    now: datetime,
) -> ScoreRange:
    """``--from/--to`` weeks, ``--month`` or ``--quarter`` (one of them; default: the
    current quarter). Raises :class:`PeriodError` with a Vietnamese message."""
    cal = config.calendar
    chosen = sum(x is not None for x in (week_from or week_to, month, quarter))
    if chosen > 1:
        raise PeriodError("Chỉ chọn một cách: --from/--to, --month hoặc --quarter.")
    if month:
        p = parse_month(cal, month)
        return ScoreRange(p.key, p.label, p.first_day, p.last_day)
    if week_from or week_to:
        year = iso_year(now)
        first = parse_week(cal, week_from or week_to or "", year)
        last = parse_week(cal, week_to or week_from or "", year)
        if last.cutoff < first.cutoff:
            raise PeriodError(f"Tuần cuối {last.key} đứng trước tuần đầu {first.key}.")
        first_day = _iso_day(first.key, 1)
        last_day = _iso_day(last.key, 7)
        key = first.key if first.key == last.key else f"{first.key}-{last.key}"
        label = (
            first.label
            if first.key == last.key
            else f"Từ {first.label.lower()} đến {last.label.lower()}"
        )
        return ScoreRange(key, label, first_day, last_day)
    if quarter:
        p = parse_quarter(cal, quarter)
    else:
        local = now.astimezone(cal.tz)
        p = parse_quarter(cal, f"{local.year}-Q{(local.month - 1) // 3 + 1}")
    return ScoreRange(p.key, p.label, p.first_day, p.last_day)


def _iso_day(week_key: str, weekday: int) -> date:
    year, week = week_key.split("-W")
    return date.fromisocalendar(int(year), int(week), weekday)


def _closed_periods(config: Config, report: str, rng: ScoreRange, now: datetime) -> list[Period]:
    cal = config.calendar
    start = datetime.combine(rng.first, time(0, 0), tzinfo=cal.tz)
    first = (
        weekly_containing(cal, start)
        if report == "weekly"
        else twice_monthly_containing(cal, start)
    )
    return [p for p in periods_between(config, first, rng.last) if p.cutoff <= now]


@dataclass
class ScorecardData:
    range: ScoreRange
    now: datetime
    weekly: History | None
    projects: History | None
    table: pd.DataFrame  # one row per unit, ranked, columns SCORE_KEYS
    weights: dict[str, float]
    late_credit: float
    bands: list[dict[str, Any]] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        """JSON-ready rows (NaN as None)."""
        clean = self.table.astype(object).where(self.table.notna(), None)
        return [
            {str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in clean.to_dict("records")
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "range": self.range.to_dict(),
            "generated_at": self.now.isoformat(timespec="seconds"),
            "weeks": [p.key for p in self.weekly.periods] if self.weekly else [],
            "project_periods": [p.key for p in self.projects.periods] if self.projects else [],
            "weights": self.weights,
            "late_credit": self.late_credit,
            "bands": self.bands,
            "units": self.records(),
        }


def _reporting(hist: History | None, prefix: str) -> pd.DataFrame:
    cols = [f"{prefix}_{k}" for k in ("owed", "on_time", "late", "missing", "rejected")]
    cols.append(f"{prefix}_first_rejected")
    if hist is None or hist.frame.empty:
        return pd.DataFrame(columns=cols, dtype="int64")
    f = hist.frame[hist.frame["expected"]]
    status = pd.crosstab(f["unit_code"], f["status"]).reindex(
        columns=[ON_TIME, LATE, MISSING, REJECTED], fill_value=0
    )
    out = pd.DataFrame(
        {
            cols[0]: f.groupby("unit_code").size(),
            cols[1]: status[ON_TIME],
            cols[2]: status[LATE],
            cols[3]: status[MISSING],
            cols[4]: status[REJECTED],
            cols[5]: f.groupby("unit_code")["first_rejected"].sum(),
        }
    )
    return out.fillna(0).astype("int64")


def _project_money(store: Store, hist: History) -> pd.DataFrame:
    """Year plan and disbursement of each investor's counted projects at the last period."""
    f = hist.frame
    last = f[(f["period"] == len(hist.periods) - 1) & f["submission_id"].notna()]
    if last.empty:
        return pd.DataFrame(columns=["year_plan", "disbursed"], dtype="float64")
    money = pd.read_sql_query(
        "SELECT submission_id, sum(COALESCE(year_plan, 0)) AS year_plan, "
        "sum(COALESCE(disbursed, 0)) AS disbursed FROM projects "
        "WHERE submission_id IN (SELECT value FROM json_each(?)) GROUP BY submission_id",
        store.db,
        params=(json.dumps([int(s) for s in last["submission_id"]]),),
    )
    merged = last[["unit_code", "submission_id"]].astype({"submission_id": "int64"})
    merged = merged.merge(money, on="submission_id", how="left")
    return merged.set_index("unit_code")[["year_plan", "disbursed"]].fillna(0.0)


def scorecard(config: Config, store: Store, rng: ScoreRange, now: datetime) -> ScorecardData:
    """The ranked scorecard of every unit that owed at least one report in the range."""
    rules = config.scorecard
    ranges = {r: _closed_periods(config, r, rng, now) for r in ("weekly", "projects")}
    # the arrivals and rejected files of the range, read once for both reports
    spans = [(p[0].start, min(now, next_period(config.calendar, p[-1]).cutoff))
             for p in ranges.values() if p]  # fmt: skip
    events = rejected = None
    if spans:
        lo = min(a for a, _ in spans)
        hi = max(lo, *(b for _, b in spans))
        events, rejected = arrival_events(store, lo, hi), rejected_files(store, lo, hi)
    hists: dict[str, History | None] = {
        report: history(config, store, report, periods, now, events=events, rejected=rejected)
        if periods
        else None
        for report, periods in ranges.items()
    }
    weekly, projects = hists["weekly"], hists["projects"]
    table = _reporting(weekly, "weekly").join(_reporting(projects, "projects"), how="outer")
    table = table.fillna(0).astype("int64")

    # tasks as of the last closed week: the snapshot counted for each unit that week
    if weekly is not None:
        f = weekly.frame
        last = f[(f["period"] == len(weekly.periods) - 1) & f["submission_id"].notna()]
        picks = last[["unit_code", "submission_id", "n_tasks"]].reset_index(drop=True)
        picks["day"] = weekly.periods[-1].as_of
        counts = task_counts(store, picks, config.calendar.due_soon_days)
        tasks = pd.concat([picks[["unit_code", "n_tasks"]], counts], axis=1).set_index("unit_code")
        table["tasks_total"] = tasks["n_tasks"]
        for key in ("done_on_time", "done_late", "overdue", "due_soon"):
            table[f"tasks_{key}"] = tasks[key]
        # "06 rõ" over the files counted in the range (each file once, not carried copies)
        own = f[f["submission_id"].notna() & ~f["carried"]].drop_duplicates(
            ["unit_code", "submission_id"]
        )
        six = own.groupby("unit_code")[["n_tasks", "n_six"]].sum()
        table["six_clear_pct"] = 100.0 * six["n_six"] / six["n_tasks"].where(six["n_tasks"] > 0)
    else:
        for key in ("total", "done_on_time", "done_late", "overdue", "due_soon"):
            table[f"tasks_{key}"] = np.nan
        table["six_clear_pct"] = np.nan
    task_cols = [c for c in table.columns if c.startswith("tasks_")]
    table[task_cols] = table[task_cols].astype("Float64").round().astype("Int64")

    path = time_path_pct(projects.periods[-1].as_of) if projects is not None else np.nan
    if projects is not None:
        money = _project_money(store, projects)
        investors = table.index[table["projects_owed"] > 0]
        table["year_plan"] = money["year_plan"].reindex(investors)
        table["disbursed"] = money["disbursed"].reindex(investors)
    else:
        table["year_plan"] = np.nan
        table["disbursed"] = np.nan
    table["disbursement_pct"] = (
        100.0 * table["disbursed"] / table["year_plan"].where(table["year_plan"] > 0)
    )
    table["time_path_pct"] = np.where(table["disbursement_pct"].notna(), path, np.nan)

    owed = table["weekly_owed"] + table["projects_owed"]
    table = table[owed > 0].copy()
    owed = owed[owed > 0]
    on_time = table["weekly_on_time"] + table["projects_on_time"]
    late = table["weekly_late"] + table["projects_late"]
    reached = (
        table["tasks_done_on_time"] + table["tasks_done_late"] + table["tasks_overdue"]
    ).astype("float64")
    components = pd.DataFrame(
        {
            "reporting": (on_time + rules.late_credit * late) / owed,
            "tasks": table["tasks_done_on_time"].astype("float64") / reached.where(reached > 0),
            "six_clear": table["six_clear_pct"].astype("float64") / 100.0,
            "disbursement": (
                table["disbursement_pct"] / table["time_path_pct"].where(table["time_path_pct"] > 0)
            ).clip(upper=1.0),
        },
        index=table.index,
    )
    weights = pd.Series(dict(rules.weights), dtype="float64")
    applies = components.notna()
    weight_sum = applies.mul(weights, axis=1).sum(axis=1)
    score = components.fillna(0.0).mul(weights, axis=1).sum(axis=1) / weight_sum.where(
        weight_sum > 0
    )
    table["score"] = (100.0 * score).round(1)
    for key in SCORE_COMPONENTS:
        table[f"component_{key}"] = (100.0 * components[key]).round(1)
    bands = [rules.band_of(s) for s in table["score"].fillna(0.0)]
    table["band"] = [b.name for b in bands]
    table["band_label"] = [b.label for b in bands]
    units = {u.code: u for u in config.units}
    table["name"] = [units[c].name if c in units else c for c in table.index]
    table["kind"] = [units[c].kind_label if c in units else "" for c in table.index]
    order = {u.code: i for i, u in enumerate(config.units)}
    table["_order"] = [order.get(c, len(order)) for c in table.index]
    table = table.rename_axis("code").reset_index()
    table = table.sort_values(["score", "_order", "code"], ascending=[False, True, True])
    table["rank"] = table["score"].rank(method="min", ascending=False).astype("Int64")
    for col in ("six_clear_pct", "disbursement_pct", "time_path_pct", "year_plan", "disbursed"):
        table[col] = table[col].astype("float64").round(1)
    table = table.reset_index(drop=True)[list(SCORE_KEYS)]
    return ScorecardData(
        range=rng,
        now=now,
        weekly=weekly,
        projects=projects,
        table=table,
        weights=dict(rules.weights),
        late_credit=rules.late_credit,
        bands=[
            {"band": b.name, "from": b.low, "to": b.high, "label": b.label} for b in rules.bands
        ],
    )
