"""The đôn đốc letter (công văn "V/v đôn đốc triển khai thực hiện", seed 004).

From the newest report of every unit up to the chosen day: per source document (văn bản giao
nhiệm vụ) how many tasks the units report and how many must be finished by the end of the
month; Phụ lục I lists the overdue tasks not done, Phụ lục II the tasks due within the month,
by source document and unit. "Kính gửi" names the units that have such tasks; with a unit
given, the letter is for that unit alone.

Decisions where the issue is silent: a task counts once per unit that reports it (a task
reported by its lead and a partner unit concerns both); "due within the month" means not
done, not recurring, deadline from the chosen day to the month's last day; the letter is
dated the chosen day.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from consolidate.calendar.deadlines import RECURRING
from consolidate.core.config import Config, Office, Unit
from consolidate.core.errors import ConfigError
from consolidate.core.files import WriteOutcome, write_versioned
from consolidate.core.fmt import fmt_date
from consolidate.documents.nd30 import Column, OfficialDocument
from consolidate.documents.reports import roman
from consolidate.reports.rows import TaskRow, TaskRows
from consolidate.reports.selection import latest_snapshots, unit_lookup
from consolidate.reports.status import DONE_STATUSES, OVERDUE
from consolidate.store.db import Store

NO_DOC = "Nhiệm vụ đơn vị tự đề ra (không ghi văn bản giao)"
SUBJECT = "V/v đôn đốc triển khai thực hiện"


@dataclass
class SourceGroup:
    """The tasks of one source document."""

    source_doc: str
    total: int = 0
    overdue: list[TaskRow] = field(default_factory=list)
    due_month: list[TaskRow] = field(default_factory=list)

    @property
    def to_finish(self) -> int:
        """Tasks that must be done by the month's end: overdue plus due this month."""
        return len(self.overdue) + len(self.due_month)


@dataclass
class DonDocData:
    as_of: date
    month_end: date
    horizon: datetime
    n_units_reporting: int
    groups: list[SourceGroup]  # every source document, those with tasks to finish first
    units: list[Unit]  # the units concerned, in configuration order
    unit: Unit | None  # the one unit of a --unit letter
    unit_names: dict[str, str]

    @property
    def overdue(self) -> list[TaskRow]:
        return [r for g in self.groups for r in g.overdue]

    @property
    def due_month(self) -> list[TaskRow]:
        return [r for g in self.groups for r in g.due_month]

    def figures(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "month_end": self.month_end.isoformat(),
            "unit": self.unit.code if self.unit else None,
            "units_concerned": [u.code for u in self.units],
            "overdue": len(self.overdue),
            "due_month": len(self.due_month),
            "by_source_doc": {
                g.source_doc: {
                    "total": g.total,
                    "overdue": len(g.overdue),
                    "due_month": len(g.due_month),
                }
                for g in self.groups
            },
        }


def month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def resolve_unit(config: Config, text: str) -> Unit:
    unit = config.unit_index.resolve(text)
    if unit is None:
        raise ConfigError(
            f"Không có đơn vị '{text}' trong danh mục đơn vị của cấu hình.",
            "Ghi mã đơn vị như trong consolidate.toml, ví dụ --unit SNV.",
        )
    return unit


def don_doc_data(
    config: Config, store: Store, as_of: date, unit: Unit | None = None, now: datetime | None = None
) -> DonDocData:
    tz = config.calendar.tz
    horizon = datetime.combine(as_of, time(23, 59, 59), tzinfo=tz)
    if now is not None and now < horizon:
        horizon = now
    snapshots = latest_snapshots(config, store, horizon)
    if unit is not None:
        snapshots = [s for s in snapshots if s.unit_code == unit.code]
    units_by_code, order = unit_lookup(config)
    end = month_end(as_of)
    end_iso, as_of_iso = end.isoformat(), as_of.isoformat()
    groups: dict[str, SourceGroup] = {}
    for row in TaskRows(store, snapshots, as_of, config.calendar.due_soon_days, order):
        doc = (row.source_doc or "").strip() or NO_DOC
        g = groups.setdefault(doc, SourceGroup(doc))
        g.total += 1
        if row.status == OVERDUE:
            g.overdue.append(row)
        elif (
            row.status not in DONE_STATUSES
            and row.deadline_kind != RECURRING
            and row.deadline_end
            and as_of_iso <= row.deadline_end <= end_iso
        ):
            g.due_month.append(row)

    def by_unit(r: TaskRow) -> tuple[int, str, str, int]:
        return (order.get(r.unit_code, len(order)), r.unit_code, r.deadline_end or "", r.row)

    for g in groups.values():
        g.overdue.sort(key=by_unit)
        g.due_month.sort(key=by_unit)
    ordered = sorted(groups.values(), key=lambda g: (g.to_finish == 0, g.source_doc == NO_DOC,
                                                     g.source_doc))  # fmt: skip
    concerned = {r.unit_code for g in ordered for r in (*g.overdue, *g.due_month)}
    units = [u for u in config.units if u.code in concerned]
    units += [
        Unit(code, code) for code in sorted(concerned) if code not in units_by_code
    ]  # reported by a unit no longer configured
    return DonDocData(
        as_of=as_of,
        month_end=end,
        horizon=horizon,
        n_units_reporting=len(snapshots),
        groups=ordered,
        units=units,
        unit=unit,
        unit_names={u.code: u.name for u in config.units},
    )


def addressee_name(unit: Unit) -> str:
    """How a letter addresses a unit: a commune or ward through its People's Committee."""
    if unit.kind == "xa-phuong":
        return f"UBND {unit.name[:1].lower()}{unit.name[1:]}"
    return unit.name


#: "Kính gửi" names the units of a group up to this many; a larger group is addressed as the
#: province's letters do ("UBND các xã, phường", seed 004), its units named in the appendices.
NAMED_UP_TO = 8


def addressees(units: Sequence[Unit]) -> list[str]:
    if len(units) <= NAMED_UP_TO:
        return [addressee_name(u) for u in units]
    departments = [u.name for u in units if u.kind != "xa-phuong"]
    communes = [u.name for u in units if u.kind == "xa-phuong"]
    out = []
    if len(departments) > NAMED_UP_TO:
        out.append("Các sở, ban, ngành của tỉnh có tên tại Phụ lục kèm theo")
    elif departments:
        out.extend(departments)
    if len(communes) > NAMED_UP_TO:
        out.append("UBND các xã, phường có tên tại Phụ lục kèm theo")
    elif communes:
        out.append("UBND " + ", ".join(f"{c[:1].lower()}{c[1:]}" for c in communes))
    return out


_COLUMNS = (
    Column("STT", 10, "center"),
    Column("Nội dung nhiệm vụ", 80),
    Column("Đơn vị báo cáo", 38),
    Column("Thời hạn", 24, "center"),
    Column("", 18, "center"),
    Column("Tình trạng (đơn vị ghi)", 28),
    Column("Cán bộ đầu mối", 32),
)


def _rows(
    groups: Sequence[SourceGroup], names: dict[str, str], *, overdue: bool
) -> Iterator[Sequence[Any] | str]:
    n = 0
    for g in groups:
        rows = g.overdue if overdue else g.due_month
        if not rows:
            continue
        n += 1
        yield f"{roman(n)}. Các nhiệm vụ tại {g.source_doc} ({len(rows)} nhiệm vụ)"
        for i, r in enumerate(rows, 1):
            days = r.days_overdue if overdue else r.days_left
            yield [i, r.task, names.get(r.unit_code, r.unit_code), r.deadline, days, r.state,
                   r.officer]  # fmt: skip


def don_doc_document(data: DonDocData, office: Office, config: Config) -> OfficialDocument:
    doc = OfficialDocument(office, kind_code="")
    doc.heading(data.as_of, subject=SUBJECT)
    doc.addressee(addressees([data.unit] if data.unit else data.units))
    month = f"{data.as_of.month:02d}/{data.as_of.year}"
    who = data.unit.name if data.unit else "các sở, ban, ngành, xã, phường"
    doc.para(
        f"Trên cơ sở tổng hợp báo cáo của {who} về tiến độ thực hiện nhiệm vụ {office.subject} "
        f"(báo cáo mới nhất của {data.n_units_reporting} đơn vị, tiếp nhận đến ngày "
        f"{fmt_date(data.horizon.date())}), đến ngày {fmt_date(data.as_of)} vẫn còn nhiệm vụ "
        f"quá hạn chưa hoàn thành và nhiệm vụ phải hoàn thành trong tháng {month}, cụ thể như "
        "sau:"
    )
    numbered = [g for g in data.groups if g.to_finish]
    for i, g in enumerate(numbered, 1):
        doc.para(
            f"{i}. Các nhiệm vụ tại {g.source_doc}: tổng {g.total} nhiệm vụ; trong đó "
            f"{g.to_finish} nhiệm vụ phải hoàn thành trước {fmt_date(data.month_end)} "
            f"({len(g.overdue)} nhiệm vụ đã quá hạn chưa hoàn thành, tại Phụ lục I; "
            f"{len(g.due_month)} nhiệm vụ đến hạn trong tháng, tại Phụ lục II)."
        )
    doc.para(
        "Để bảo đảm tiến độ, chất lượng, hiệu quả thực hiện các nhiệm vụ, "
        f"{office.office_name} đề nghị:"
    )
    cutoff = config.calendar.weekly_cutoff.label()
    doc.para(
        "(1) Thủ trưởng các cơ quan, đơn vị, địa phương khẩn trương chỉ đạo hoàn thành dứt điểm "
        "các nhiệm vụ quá hạn tại Phụ lục I; báo cáo rõ nguyên nhân, khó khăn, vướng mắc và "
        "thời hạn hoàn thành."
    )
    doc.para(
        "(2) Rà soát, tập trung nguồn lực hoàn thành các nhiệm vụ tại Phụ lục II trước ngày "
        f"{fmt_date(data.month_end)}."
    )
    doc.para(
        f"(3) Cập nhật kết quả thực hiện vào báo cáo tuần gửi {office.office_name} trước "
        f"{cutoff} hằng tuần để tổng hợp, báo cáo {office.addressee}."
    )
    doc.last(
        "Đề nghị các cơ quan, đơn vị, địa phương khẩn trương triển khai thực hiện./."
        if not data.unit
        else f"Đề nghị {data.unit.name} khẩn trương triển khai thực hiện./."
    )
    doc.closing(doc.recipients())
    caption = (
        f"(Kèm theo Công văn số {doc.number} ngày {fmt_date(data.as_of)} của {office.office_name})"
    )
    cols = list(_COLUMNS)
    cols[4] = Column("Số ngày quá hạn", 18, "center")
    width = doc.appendix(
        "I", "Danh sách nhiệm vụ quá hạn chưa hoàn thành", caption, landscape=True,
        note=f"(Tính đến ngày {fmt_date(data.as_of)}; tổng số {len(data.overdue)} nhiệm vụ)",
    )  # fmt: skip
    doc.table(cols, _rows(data.groups, data.unit_names, overdue=True), width)
    cols[4] = Column("Số ngày còn lại", 18, "center")
    width = doc.appendix(
        "II", f"Danh sách nhiệm vụ phải hoàn thành trong tháng {month}", caption, landscape=True,
        note=f"(Từ ngày {fmt_date(data.as_of)} đến ngày {fmt_date(data.month_end)}; tổng số "
        f"{len(data.due_month)} nhiệm vụ)",
    )  # fmt: skip
    doc.table(cols, _rows(data.groups, data.unit_names, overdue=False), width)
    return doc


def don_doc_file_name(as_of: date, unit: Unit | None) -> str:
    tail = f"-{unit.code}" if unit else ""
    return f"Cong-van-don-doc-{as_of.isoformat()}{tail}.docx"


@dataclass
class DonDocResult:
    path: Path | None  # None when no unit has a task to urge
    note: str
    summary: str
    figures: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path) if self.path else None,
            "note": self.note,
            "summary": self.summary,
            "figures": self.figures,
        }


def build_don_doc(
    config: Config,
    store: Store,
    as_of: date,
    unit: Unit | None = None,
    now: datetime | None = None,
) -> DonDocResult:
    """Write ``outbox/Cong-van-don-doc-<date>[-<unit>].docx``."""
    data = don_doc_data(config, store, as_of, unit, now)
    n_over, n_due = len(data.overdue), len(data.due_month)
    who = f"{unit.name}: " if unit else ""
    if not data.units:
        summary = (
            f"{who}Không có nhiệm vụ quá hạn hoặc phải hoàn thành trong tháng tính đến ngày "
            f"{fmt_date(as_of)}; không lập công văn đôn đốc."
        )
        return DonDocResult(None, "", summary, data.figures())
    outcome: WriteOutcome = write_versioned(
        config.outbox / don_doc_file_name(as_of, unit),
        don_doc_document(data, config.office, config).save,
    )
    summary = (
        f"Đã lập công văn đôn đốc ngày {fmt_date(as_of)}: {outcome.path.name}\n"
        f"{who}{n_over} nhiệm vụ quá hạn chưa hoàn thành (Phụ lục I), {n_due} nhiệm vụ phải "
        f"hoàn thành đến {fmt_date(data.month_end)} (Phụ lục II); "
        f"{len(data.units)} đơn vị được đôn đốc."
    )
    if outcome.note:
        summary += f"\n{outcome.note}"
    return DonDocResult(outcome.path, outcome.note, summary, data.figures())
