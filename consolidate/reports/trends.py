"""The ``Xu hướng`` of the weekly report: the last N weeks side by side.

One row per week with the figures of that week's own report (built at the same moment):
units owed / on time / late / missing / rejected, tasks in total, completed, overdue, due
soon and the share written with all "06 rõ"; a grid unit × week with each unit's reporting
status; and the sentence comparing the week with the one before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from consolidate.calendar.periods import Period
from consolidate.core.config import Config
from consolidate.core.fmt import fmt_num
from consolidate.reports.history import STATUS_KEYS, History, history, periods_back, task_counts
from consolidate.store.db import Store

#: Columns of :attr:`Trends.rows` (the stable keys of the trends export).
TREND_KEYS: tuple[str, ...] = (
    "period",
    "label",
    "cutoff",
    "expected",
    "on_time",
    "late",
    "missing",
    "rejected",
    "extra",
    "reported",
    "completeness_pct",
    "tasks_total",
    "tasks_done",
    *STATUS_KEYS,
    "six_clear_complete",
    "six_clear_pct",
)


@dataclass
class Trends:
    """The figures of consecutive weeks (oldest first) and the reporting grid."""

    history: History
    rows: pd.DataFrame  # one row per week, columns TREND_KEYS

    @property
    def periods(self) -> list[Period]:
        return self.history.periods

    def grid(self) -> pd.DataFrame:
        return self.history.grid()

    def records(self) -> list[dict[str, Any]]:
        """JSON-ready rows (stable keys, see docs/exports.md)."""
        return [
            {str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in self.rows.to_dict("records")
        ]

    def units(self) -> list[dict[str, Any]]:
        """Per unit: its reporting status in each week (key: the week)."""
        grid = self.grid()
        keys = [p.key for p in self.periods]
        return [
            {"code": code, "statuses": dict(zip(keys, (s or None for s in row), strict=True))}
            for code, row in zip(grid.index, grid.to_numpy().tolist(), strict=True)
        ]

    def comparison(self) -> str:
        """'So với tuần trước: quá hạn giảm 5, ...' — the last week against the one before
        ('' with fewer than two weeks)."""
        if len(self.rows) < 2:
            return ""
        prev, last = self.rows.iloc[-2], self.rows.iloc[-1]
        parts = []
        for key, label in (
            ("reported", "đơn vị đã báo cáo"),
            ("tasks_done", "nhiệm vụ đã hoàn thành"),
            ("overdue", "nhiệm vụ quá hạn"),
            ("due_soon", "nhiệm vụ sắp đến hạn"),
        ):
            diff = int(last[key]) - int(prev[key])
            if diff:
                parts.append(f"{label} {'tăng' if diff > 0 else 'giảm'} {abs(diff)}")
            else:
                parts.append(f"{label} không đổi")
        six = float(last["six_clear_pct"]) - float(prev["six_clear_pct"])
        if abs(six) >= 0.05:
            parts.append(
                f"tỷ lệ ghi đủ 06 rõ {'tăng' if six > 0 else 'giảm'} {fmt_num(abs(six))} điểm %"
            )
        else:
            parts.append("tỷ lệ ghi đủ 06 rõ không đổi")
        return f"So với {self.periods[-2].label.lower()}: " + "; ".join(parts) + "."


def trend_rows(
    config: Config, store: Store, hist: History, due_soon_days: int | None = None
) -> pd.DataFrame:
    """One row per period of ``hist``: the reporting counts and the task figures of the
    snapshots counted in that period (derived for its cut-off day)."""
    soon = config.calendar.due_soon_days if due_soon_days is None else due_soon_days
    f = hist.frame
    picks = f.loc[f["submission_id"].notna(), ["period", "submission_id", "n_tasks", "n_six"]]
    picks = picks.reset_index(drop=True)
    picks["day"] = [hist.periods[i].as_of for i in picks["period"]]
    counts = task_counts(store, picks, soon)
    per = pd.concat([picks[["period", "n_tasks", "n_six"]], counts], axis=1)
    n = len(hist.periods)
    sums = per.groupby("period").sum().reindex(range(n), fill_value=0)
    out = hist.counts()
    out.insert(0, "cutoff", [p.cutoff.isoformat() for p in hist.periods])
    out.insert(0, "label", [p.label for p in hist.periods])
    out.insert(0, "period", [p.key for p in hist.periods])
    out["tasks_total"] = sums["n_tasks"]
    out["tasks_done"] = sums["done_on_time"] + sums["done_late"]
    for key in STATUS_KEYS:
        out[key] = sums[key]
    out["six_clear_complete"] = sums["n_six"]
    out["six_clear_pct"] = (
        (100.0 * sums["n_six"] / sums["n_tasks"].where(sums["n_tasks"] > 0)).fillna(100.0).round(1)
    )
    return out.reset_index(drop=True)[list(TREND_KEYS)]


def trends(
    config: Config, store: Store, last: Period, now: datetime, weeks: int | None = None
) -> Trends:
    """The last ``weeks`` weeks (default: the configuration's) ending with ``last``, as
    building each week's report at ``now`` would count them."""
    n = config.trends.weeks if weeks is None else weeks
    periods = [p for p in periods_back(config, last, n) if p.start < now]
    hist = history(config, store, "weekly", periods, now)
    return Trends(hist, trend_rows(config, store, hist))
