"""Build a report: the figures (``reports``), the workbook (``render``) and the officer's summary.

This module sits on top of the pipeline: it is what the CLI and the demo call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from consolidate.calendar.periods import (
    Period,
    PeriodError,
    collecting_twice_monthly,
    collecting_weekly,
    current_month,
    current_twice_monthly,
    current_weekly,
    iso_year,
    parse_month,
    parse_quarter,
    parse_twice_monthly,
    parse_week,
)
from consolidate.core.config import Config
from consolidate.core.fmt import fmt_date, fmt_dt, fmt_money, fmt_num, fmt_pct
from consolidate.documents.reports import (
    plan_document,
    projects_document,
    weekly_document,
    write_document,
)
from consolidate.render.plan import write_plan
from consolidate.render.projects import write_projects
from consolidate.render.weekly import write_weekly
from consolidate.render.wording import unit_note
from consolidate.reports.plan import plan_data
from consolidate.reports.projects import projects_data
from consolidate.reports.selection import Selection, UnitReporting, local_now, select_snapshots
from consolidate.reports.status import DONE_LATE, DONE_ON_TIME, DUE_SOON, OVERDUE
from consolidate.reports.weekly import weekly_data
from consolidate.store.db import Store


@dataclass
class BuildResult:
    """What a build wrote and a short Vietnamese summary for the officer."""

    report: str  # "weekly" | "projects" | "plan"
    period: Period
    path: Path  # the file actually written (may be a versioned name)
    note: str  # Vietnamese note when the usual name was busy, else ""
    summary: str
    figures: dict[str, Any]
    document: Path | None = None  # the NĐ 30 Word report next to the workbook

    @property
    def paths(self) -> list[Path]:
        return [self.path] + ([self.document] if self.document else [])

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": self.report,
            "period": self.period.to_dict(),
            "path": str(self.path),
            "document": str(self.document) if self.document else None,
            "note": self.note,
            "summary": self.summary,
            "figures": self.figures,
        }


def weekly_file_name(period: Period) -> str:
    return f"Bao-cao-tuan-{period.file_key}.xlsx"


def projects_file_name(period: Period) -> str:
    return f"Bao-cao-du-an-{period.file_key}.xlsx"


def plan_file_name(period: Period) -> str:
    return f"Ke-hoach-chi-tiet-{period.file_key}.xlsx"


def _units_line(sel: Selection, limit: int | None = 8) -> str:
    c = sel.counts()
    line = (
        f"Đơn vị: {c['reported']}/{c['expected']} đã báo cáo ({c['on_time']} đúng hạn, "
        f"{c['late']} trễ hạn); {c['missing']} chưa báo cáo; {c['rejected']} bị từ chối chờ gửi lại."
    )
    missing = [u.name for u in sel.expected if not u.reported]
    if missing:
        limit = len(missing) if limit is None else limit
        shown = ", ".join(missing[:limit]) + (
            f" và {len(missing) - limit} đơn vị khác" if len(missing) > limit else ""
        )
        line += f"\n  Chưa có báo cáo kỳ này: {shown}."
    return line


def _document_line(path: Path) -> str:
    return f"\nVăn bản Word (Nghị định 30): {path.name}"


def _notes(preliminary: Period | None, write_note: str) -> str:
    """Lines appended to every build summary: figures not final yet, a versioned file name."""
    out = ""
    if preliminary is not None:
        out += f"\nLưu ý: chưa đến hạn chốt {fmt_dt(preliminary.cutoff)}, số liệu là tạm tính."
    if write_note:
        out += f"\n{write_note}"
    return out


def build_weekly(
    config: Config, store: Store, week: str | None = None, now: datetime | None = None
) -> BuildResult:
    """Build ``outbox/Bao-cao-tuan-<week>.xlsx``. Default week: the latest closed one."""
    moment = local_now(config, now)
    period = (
        parse_week(config.calendar, week, iso_year(moment))
        if week
        else current_weekly(config.calendar, moment)
    )
    data = weekly_data(config, store, period, moment)
    outcome = write_weekly(data, config.outbox / weekly_file_name(period), config.office)
    doc = write_document(
        weekly_document(data, config.office, moment.date()), outcome.path.with_suffix(".docx")
    )
    t = data.tally
    summary = (
        f"Đã lập báo cáo {period.label.lower()} (chốt {fmt_dt(period.cutoff)}): {outcome.path.name}\n"
        f"{_units_line(data.selection)}\n"
        f"Nhiệm vụ: {t.total} — {t.by_status[OVERDUE]} quá hạn, {t.by_status[DUE_SOON]} sắp đến hạn, "
        f"{t.by_status[DONE_ON_TIME] + t.by_status[DONE_LATE]} đã hoàn thành; "
        f"{fmt_pct(t.six_pct)} ghi đủ 06 rõ."
    )
    summary += _document_line(doc.path)
    summary += _notes(period if data.preliminary else None, outcome.note)
    return BuildResult(
        "weekly", period, outcome.path, outcome.note, summary, data.figures(), doc.path
    )


def build_projects(
    config: Config, store: Store, period: str | None = None, now: datetime | None = None
) -> BuildResult:
    """Build ``outbox/Bao-cao-du-an-<period>.xlsx``. Default: the latest closed period."""
    moment = local_now(config, now)
    cal = config.calendar
    chosen = parse_twice_monthly(cal, period) if period else current_twice_monthly(cal, moment)
    data = projects_data(config, store, chosen, moment)
    outcome = write_projects(data, config.outbox / projects_file_name(chosen), config.office)
    doc = write_document(
        projects_document(data, config.office, moment.date()), outcome.path.with_suffix(".docx")
    )
    total = data.total()
    rate = "—" if total.rate is None else fmt_pct(total.rate)
    summary = (
        f"Đã lập báo cáo dự án {chosen.label.lower()}: {outcome.path.name}\n"
        f"{_units_line(data.selection)}\n"
        f"Dự án: {total.n_projects}; kế hoạch vốn {fmt_money(total.year_plan)} triệu đồng, "
        f"giải ngân {fmt_money(total.disbursed)} triệu đồng ({rate}); "
        f"{total.n_lagging} dự án chậm giải ngân; {total.n_no_policy} dự án chưa phê duyệt chủ trương."
    )
    summary += _document_line(doc.path)
    summary += _notes(chosen if data.preliminary else None, outcome.note)
    return BuildResult(
        "projects", chosen, outcome.path, outcome.note, summary, data.figures(), doc.path
    )


def build_plan(
    config: Config,
    store: Store,
    month: str | None = None,
    quarter: str | None = None,
    now: datetime | None = None,
) -> BuildResult:
    """Build ``outbox/Ke-hoach-chi-tiet-<month|quarter>.xlsx``. Default: the current month."""
    if month and quarter:
        raise PeriodError("Chỉ chọn một: --month hoặc --quarter.")
    moment = local_now(config, now)
    cal = config.calendar
    if quarter:
        period = parse_quarter(cal, quarter)
    elif month:
        period = parse_month(cal, month)
    else:
        period = current_month(cal, moment)
    data = plan_data(config, store, period, moment)
    outcome = write_plan(data, config.outbox / plan_file_name(period), config.office)
    doc = write_document(
        plan_document(data, config.office, moment.date()), outcome.path.with_suffix(".docx")
    )
    summary = (
        f"Đã lập kế hoạch chi tiết {period.label}: {outcome.path.name}\n"
        f"Nhiệm vụ có thời hạn trong kỳ: {data.n_due} (từ {len(data.snapshots)} đơn vị); "
        f"thường xuyên: {len(data.recurring)}; quá hạn từ trước chưa hoàn thành: "
        f"{len(data.overdue_before)}; số liệu tính đến ngày {fmt_date(data.as_of)}."
    )
    summary += _document_line(doc.path)
    summary += _notes(None, outcome.note)
    return BuildResult(
        "plan", period, outcome.path, outcome.note, summary, data.figures(), doc.path
    )


def _unit_dict(u: UnitReporting, report: str) -> dict[str, Any]:
    snap, rej = u.snapshot, u.rejected
    current = snap if snap is not None and not snap.carried else None
    return {
        "code": u.code,
        "name": u.name,
        "expected": u.expected,
        "status": u.status,
        "status_label": u.status_label,
        "received_at": current.received_at.isoformat() if current else None,
        "file": current.original_name if current else None,
        "carried_forward_from": snap.received_at.isoformat() if snap and snap.carried else None,
        "n_warnings": current.n_warnings if current else None,
        "rejected_file": rej.original_name if rej else None,
        "rejected_at": rej.received_at.isoformat() if rej else None,
        "n_errors": rej.n_errors if rej else 0,
        "note": unit_note(u, report),
    }


def submission_status(config: Config, store: Store, now: datetime | None = None) -> dict[str, Any]:
    """Who has / has not reported for the periods the office is collecting now.

    The period shown is the first one whose delivery is still ahead: before Thursday 17:00
    the current week; on Friday morning the week that just closed (late files still count).
    JSON-serialisable.
    """
    moment = local_now(config, now)
    cal = config.calendar
    out: dict[str, Any] = {"generated_at": moment.isoformat(timespec="seconds")}
    lines = []
    for key, report, period in (
        ("weekly", "weekly", collecting_weekly(cal, moment)),
        ("twice_monthly", "projects", collecting_twice_monthly(cal, moment)),
    ):
        sel = select_snapshots(config, store, period, report, moment)
        not_reported = [u for u in sel.expected if not u.reported]
        out[key] = {
            "report": report,
            "period": period.to_dict(),
            "open": moment <= period.cutoff,
            "counts": sel.counts(),
            "units": [_unit_dict(u, report) for u in sel.units],
            "not_reported": [
                {"code": u.code, "name": u.name, "status": u.status} for u in not_reported
            ],
            "unknown_files": [
                {
                    "file": f.original_name,
                    "received_at": f.received_at.isoformat(),
                    "n_errors": f.n_errors,
                }
                for f in sel.unknown_files
            ],
        }
        what = "Báo cáo tuần" if report == "weekly" else "Báo cáo dự án"
        state = "đang nhận" if moment <= period.cutoff else "đã chốt"
        lines.append(
            f"{what} — {period.label} (hạn chốt {fmt_dt(period.cutoff)}, {state}):\n  "
            + _units_line(sel, limit=None).replace("\n", "\n  ")
        )
        if sel.unknown_files:  # the officer's business, not the leaders' (defect 10)
            names = ", ".join(f.original_name for f in sel.unknown_files[:10])
            more = len(sel.unknown_files) - 10
            lines.append(
                f"  {len(sel.unknown_files)} tệp không xác định được đơn vị: {names}"
                + (f" và {more} tệp khác" if more > 0 else "")
                + " (phản hồi trong outbox/phan-hoi/)."
            )
    out["summary"] = "\n".join(lines)
    return out


# --- history: scorecard, trends, indicators ----------------------------------------------------


@dataclass
class ExportResult:
    """A multi-period view: the workbook written (if any), the officer's summary, and the
    rows other systems read (``--json`` / ``--csv``; keys in docs/exports.md)."""

    report: str  # "scorecard" | "trends" | "indicators"
    path: Path | None
    note: str
    summary: str
    payload: dict[str, Any]  # the JSON object
    rows: list[dict[str, Any]]  # the CSV rows
    keys: tuple[str, ...]  # the CSV columns, in order

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": self.report,
            "path": str(self.path) if self.path else None,
            "note": self.note,
            "summary": self.summary,
            **self.payload,
        }


def scorecard_file_name(key: str) -> str:
    return f"Bang-diem-{key.replace('/', '-')}.xlsx"


def build_scorecard(
    config: Config,
    store: Store,
    *,
    week_from: str | None = None,
    week_to: str | None = None,
    month: str | None = None,
    quarter: str | None = None,
    now: datetime | None = None,
) -> ExportResult:
    """Build ``outbox/Bang-diem-<range>.xlsx``: units ranked by score, the method first."""
    from consolidate.render.scorecard import write_scorecard
    from consolidate.reports.scorecard import SCORE_KEYS, parse_range, scorecard

    moment = local_now(config, now)
    rng = parse_range(
        config, week_from=week_from, week_to=week_to, month=month, quarter=quarter, now=moment
    )
    data = scorecard(config, store, rng, moment)
    outcome = write_scorecard(data, config.outbox / scorecard_file_name(rng.key), config.office)
    table = data.table
    bands = ", ".join(f"{b['band']}: {int((table['band'] == b['band']).sum())}" for b in data.bands)
    weeks = len(data.weekly.periods) if data.weekly else 0
    summary = (
        f"Đã lập bảng điểm {rng.label.lower()} ({weeks} kỳ báo cáo tuần đã chốt): "
        f"{outcome.path.name}\nĐơn vị: {len(table)}; theo mức xếp loại — {bands}."
    )
    if len(table):
        top, bottom = table.iloc[0], table.iloc[-1]
        summary += (
            f"\nCao nhất: {top['name']} ({fmt_num(float(top['score']))} điểm); thấp nhất: "
            f"{bottom['name']} ({fmt_num(float(bottom['score']))} điểm)."
        )
    summary += _notes(None, outcome.note)
    return ExportResult(
        "scorecard", outcome.path, outcome.note, summary, data.to_dict(), data.records(),
        SCORE_KEYS,
    )  # fmt: skip


def build_trends(
    config: Config,
    store: Store,
    week: str | None = None,
    weeks: int | None = None,
    now: datetime | None = None,
) -> ExportResult:
    """The figures of the last weeks (the ``Xu hướng`` of the weekly report), no workbook."""
    from consolidate.reports.trends import TREND_KEYS, trends

    moment = local_now(config, now)
    cal = config.calendar
    period = parse_week(cal, week, iso_year(moment)) if week else current_weekly(cal, moment)
    data = trends(config, store, period, moment, weeks)
    lines = [
        f"{r['label']}: {r['reported']}/{r['expected']} đơn vị đã báo cáo ({r['on_time']} đúng "
        f"hạn, {r['late']} trễ hạn); {r['tasks_done']} hoàn thành, {r['overdue']} quá hạn, "
        f"{r['due_soon']} sắp đến hạn; 06 rõ {fmt_pct(r['six_clear_pct'])}."
        for r in data.records()
    ]
    comparison = data.comparison()
    summary = "\n".join(
        ["Xu hướng các tuần gần nhất:", *lines] + ([comparison] if comparison else [])
    )
    payload = {"weeks": data.records(), "units": data.units(), "comparison": comparison}
    return ExportResult("trends", None, "", summary, payload, data.records(), TREND_KEYS)


def indicators_file_name(day: date) -> str:
    return f"Chi-tieu-{day.isoformat()}.xlsx"


def build_indicators(
    config: Config, store: Store, as_of: date | None = None, now: datetime | None = None
) -> ExportResult:
    """Build ``outbox/Chi-tieu-<ngày>.xlsx``: each indicator against the year's target."""
    from consolidate.render.indicators import write_indicators
    from consolidate.reports.indicators import INDICATOR_KEYS, indicators

    moment = local_now(config, now)
    day = as_of or moment.date()
    data = indicators(config, store, day)
    outcome = write_indicators(
        data, config.outbox / indicators_file_name(day), config.office, moment
    )
    summary = (
        f"Đã lập bảng kết quả thực hiện chỉ tiêu đến ngày {fmt_date(day)}: {outcome.path.name}\n"
        f"Chỉ tiêu: {len(data.totals)} (từ báo cáo mới nhất của {data.n_units} đơn vị); "
        f"{data.n_flagged} chỉ tiêu có đơn vị tính không thống nhất, không cộng."
    )
    summary += _notes(None, outcome.note)
    return ExportResult(
        "indicators", outcome.path, outcome.note, summary, data.to_dict(), data.records(),
        INDICATOR_KEYS,
    )  # fmt: skip
