"""Đôn đốc by e-mail: reminders on the schedule of ``[remind]``.

Weekly: the step due last before the period's delivery is sent — "nhắc trước hạn"
(default Thursday 14:00), "quá hạn" (Thursday 17:30) — to each unit that owes the weekly
report and has no accepted submission for the period; a unit whose file was rejected gets
"your file was rejected, please resend" with the findings. Friday 08:00: a summary to the
officer. Projects: the day before and the day after the cut-off day (5th / 20th). Each
reminder is queued in the outbox and recorded in ``mail_reminders`` in one transaction,
so it is never sent twice for the same unit, period and step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from consolidate.calendar.periods import Period, collecting_twice_monthly, collecting_weekly
from consolidate.core.config import Config, WeekdayTime
from consolidate.core.findings import SEVERITY_LABELS
from consolidate.core.fmt import fmt_dt
from consolidate.mail import ledger
from consolidate.mail.config import MailSettings, unit_addresses
from consolidate.mail.reply import build_message, footer
from consolidate.reports.selection import REJECTED, select_snapshots
from consolidate.store.db import Store

BEFORE, OVERDUE, SUMMARY = "nhac-truoc-han", "qua-han", "tong-hop"
STEP_LABELS = {BEFORE: "nhắc trước hạn", OVERDUE: "quá hạn", SUMMARY: "tổng hợp cho chuyên viên"}
REPORT_LABELS = {"weekly": "báo cáo tuần", "projects": "báo cáo dự án 02 lần/tháng"}


@dataclass
class Reminder:
    report: str
    period: str
    step: str
    unit_code: str
    recipients: list[str]
    subject: str
    body: str
    sent_before: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": self.report,
            "period": self.period,
            "step": self.step,
            "unit": self.unit_code,
            "recipients": self.recipients,
            "subject": self.subject,
            "already_recorded": self.sent_before,
        }


@dataclass
class RemindResult:
    reminders: list[Reminder] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # units owing but with no address
    sent: int = 0
    failed: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def new(self) -> list[Reminder]:
        return [r for r in self.reminders if not r.sent_before]

    def to_dict(self) -> dict[str, Any]:
        return {
            "reminders": [r.to_dict() for r in self.new],
            "already_recorded": len(self.reminders) - len(self.new),
            "no_address": self.skipped,
            "sent": self.sent,
            "failed": self.failed,
            "notes": self.notes,
        }


def _on_day(period: Period, at: WeekdayTime) -> datetime:
    """The step's moment in the week of the period's cut-off."""
    cutoff = period.nominal_cutoff
    day = cutoff.date() + timedelta(days=at.weekday - cutoff.weekday())
    return datetime.combine(day, at.at, tzinfo=cutoff.tzinfo)


def due_steps(
    config: Config, settings: MailSettings, now: datetime
) -> list[tuple[str, Period, str]]:
    """(report, period, step) due at ``now``: for each report the latest step whose time
    has come, while the period's delivery is still ahead."""
    cal, rem = config.calendar, settings.remind
    out: list[tuple[str, Period, str]] = []
    week = collecting_weekly(cal, now)
    steps = [
        (BEFORE, _on_day(week, rem.weekly_before)),
        (OVERDUE, _on_day(week, rem.weekly_overdue)),
    ]
    due = [s for s, at in steps if at <= now < week.delivery]
    if due:
        out.append(("weekly", week, due[-1]))
    if _on_day(week, rem.weekly_summary) <= now < week.delivery + timedelta(hours=12):
        out.append(("weekly", week, SUMMARY))
    twice = collecting_twice_monthly(cal, now)
    cut = twice.nominal_cutoff
    before = datetime.combine(
        cut.date() - timedelta(days=rem.projects_days_before), rem.projects_time, cut.tzinfo
    )
    after = datetime.combine(
        cut.date() + timedelta(days=rem.projects_days_after), rem.projects_time, cut.tzinfo
    )
    due = [s for s, at in ((BEFORE, before), (OVERDUE, after)) if at <= now < twice.delivery]
    if due:
        out.append(("projects", twice, due[-1]))
    return out


def plan_reminders(
    config: Config, settings: MailSettings, store: Store, now: datetime
) -> RemindResult:
    result = RemindResult()
    if not settings.remind.enabled:
        return result
    for report, period, step in due_steps(config, settings, now):
        sel = select_snapshots(config, store, period, report, now)
        if step == SUMMARY:
            if settings.officer_address:
                result.reminders.append(_summary(report, period, sel, settings, footer(config)))
            continue
        for unit in sel.expected:
            snap = unit.snapshot
            if unit.reported and snap is not None and not snap.carried:
                continue  # an accepted submission for the period: nothing owed
            addresses = unit_addresses(config.unit_index.by_code.get(unit.code))
            if not addresses:
                result.skipped.append(unit.code)
                continue
            result.reminders.append(_to_unit(config, store, report, period, step, unit, addresses))
    for item in result.reminders:
        item.sent_before = (
            store.db.execute(
                "SELECT 1 FROM mail_reminders WHERE report=? AND period_key=? AND step=? "
                "AND unit_code=?",
                (item.report, item.period, item.step, item.unit_code),
            ).fetchone()
            is not None
        )
    return result


def _to_unit(
    config: Config, store: Store, report: str, period: Period, step: str, unit: Any, to: list[str]
) -> Reminder:
    what = REPORT_LABELS[report]
    lines = [f"Kính gửi: {unit.name},", ""]
    if unit.status == REJECTED and unit.rejected is not None:
        subject = f"Đề nghị gửi lại {what} {period.label}: tệp chưa được tiếp nhận"
        lines.append(
            f"Tệp {unit.rejected.original_name} đơn vị gửi lúc {fmt_dt(unit.rejected.received_at)} "
            "CHƯA được tiếp nhận vì còn lỗi. Đề nghị đơn vị sửa các lỗi dưới đây và gửi lại "
            f"toàn bộ tệp báo cáo trước {fmt_dt(period.cutoff)}:"
        )
        verdict = store.verdict_of(unit.rejected.sha256)
        for n, f in enumerate(verdict.errors if verdict else [], start=1):
            where = f" [{f.where()}]" if f.where() else ""
            lines.append(f"{n}. {SEVERITY_LABELS[f.severity]}{where}: {f.message}")
            if f.fix:
                lines.append(f"   Cách sửa: {f.fix}")
    elif step == OVERDUE:
        subject = f"Quá hạn {what} {period.label}"
        lines.append(
            f"Đến nay {config.office.office_name} chưa nhận được {what} {period.label} của đơn vị "
            f"(hạn chốt {fmt_dt(period.cutoff)}). Đề nghị đơn vị gửi ngay để kịp tổng hợp "
            f"báo cáo {config.office.addressee} trước {fmt_dt(period.delivery)}; báo cáo gửi sau hạn "
            "được ghi nhận là gửi muộn."
        )
    else:
        subject = f"Nhắc gửi {what} {period.label} (hạn {fmt_dt(period.cutoff)})"
        lines.append(
            f"{config.office.office_name} chưa nhận được {what} {period.label} của đơn vị. Đề nghị "
            f"đơn vị gửi báo cáo theo mẫu trước {fmt_dt(period.cutoff)} vào hộp thư này."
        )
    lines += ["", "Nếu đơn vị đã gửi, xin bỏ qua thư này.", "", footer(config)]
    return Reminder(report, period.key, step, unit.code, to, subject, "\n".join(lines) + "\n")


def _summary(report: str, period: Period, sel: Any, settings: MailSettings, foot: str) -> Reminder:
    missing = [u for u in sel.expected if not u.reported]
    counts = sel.counts()
    lines = [
        f"Tình hình {REPORT_LABELS[report]} {period.label} (hạn chốt {fmt_dt(period.cutoff)}):",
        f"- Phải báo cáo: {counts['expected']}; đã báo cáo: {counts['reported']} "
        f"(đúng hạn {counts['on_time']}, muộn {counts['late']}); "
        f"bị từ chối: {counts['rejected']}; chưa gửi: {counts['missing']}.",
    ]
    if missing:
        lines.append(
            "- Chưa có báo cáo được tiếp nhận: " + "; ".join(u.name for u in missing) + "."
        )
    lines += ["", "Xem chi tiết: consolidate status; lập báo cáo: consolidate weekly.", "", foot]
    return Reminder(
        report, period.key, SUMMARY, "*", [settings.officer_address],
        f"Tổng hợp tình hình {REPORT_LABELS[report]} {period.label}", "\n".join(lines) + "\n",
    )  # fmt: skip


def queue_reminders(
    config: Config, settings: MailSettings, store: Store, plan: RemindResult
) -> int:
    """Queue each new reminder and record it, one transaction per reminder."""
    n = 0
    for item in plan.new:
        out = build_message(
            config, settings, to=item.recipients, cc=[], subject=item.subject, body=item.body
        )
        with store.transaction() as db:
            outbox = ledger.queue(
                db,
                kind="reminder",
                dedup_key=f"remind:{item.report}:{item.period}:{item.step}:{item.unit_code}",
                recipients=out.recipients,
                subject=item.subject,
                message_id=out.message_id,
                eml=out.eml,
            )
            cur = db.execute(
                "INSERT OR IGNORE INTO mail_reminders VALUES (?,?,?,?,?,?)",
                (item.report, item.period, item.step, item.unit_code, outbox, ledger.now_iso()),
            )
            n += cur.rowcount
    return n


def remind(
    config: Config,
    settings: MailSettings,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    send: bool = True,
) -> RemindResult:
    """Work out who owes what now; queue, record and send (or, dry run, only list)."""
    from consolidate.mail.config import mail_password
    from consolidate.mail.send import send_outbox

    moment = now or datetime.now(config.calendar.tz)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=config.calendar.tz)
    config.ensure_dirs()
    with Store(config.store, config.archive) as store:
        plan = plan_reminders(config, settings, store, moment)
        if dry_run:
            return plan
        settings.require()
        queue_reminders(config, settings, store, plan)
        if send:
            sent = send_outbox(config, settings, store, mail_password(settings))
            plan.sent, plan.failed = sent.sent, sent.failed
            plan.notes.extend(sent.notes)
    return plan
