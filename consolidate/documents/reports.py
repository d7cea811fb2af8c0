"""The weekly, projects and plan reports as NĐ 30 Word documents.

Each is written from the same data object as its workbook (``WeeklyData``, ``ProjectsData``,
``PlanData``), so every figure in the body is the workbook's figure; the tables the leader
forwards go to the appendices (Phụ lục I, II, III), landscape where they are wide.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from consolidate.core.config import Office
from consolidate.core.files import WriteOutcome, write_versioned
from consolidate.core.fmt import fmt_date, fmt_dt, fmt_money, fmt_num, fmt_pct
from consolidate.documents.nd30 import Column, OfficialDocument
from consolidate.render.wording import lagging_text
from consolidate.reports.plan import PlanData
from consolidate.reports.projects import ProjectsData
from consolidate.reports.rows import ProjectRow, TaskRow
from consolidate.reports.selection import Selection
from consolidate.reports.status import (
    DONE_LATE,
    DONE_ON_TIME,
    DUE_SOON,
    NOT_STARTED,
    OVERDUE,
    STATUSES,
)
from consolidate.reports.weekly import WeeklyData

#: Most overdue / soonest due tasks named in the body (the rest are in the appendices).
TOP = 5


def roman(n: int) -> str:
    out = ""
    for value, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out


def pct(part: float, whole: float) -> str:
    return fmt_pct(100.0 * part / whole) if whole else "—"


def names_list(names: Sequence[str], limit: int = 15) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" và {len(names) - limit} đơn vị khác" if len(names) > limit else "")


def grouped(rows: Iterable[Any], names: dict[str, str]) -> Iterator[tuple[str, list[Any]]]:
    """Consecutive rows of the same unit as (unit name, rows)."""
    current: list[Any] = []
    for row in rows:
        if current and current[0].unit_code != row.unit_code:
            yield names.get(current[0].unit_code, current[0].unit_code), current
            current = []
        current.append(row)
    if current:
        yield names.get(current[0].unit_code, current[0].unit_code), current


def _caption(doc: OfficialDocument, when: date, kind: str = "Báo cáo") -> str:
    return f"(Kèm theo {kind} số {doc.number} ngày {fmt_date(when)} của {doc.office.office_name})"


def _reporting(doc: OfficialDocument, sel: Selection, who: str) -> None:
    c = sel.counts()
    doc.para(
        f"Có {c['reported']}/{c['expected']} {who} đã gửi báo cáo (tỷ lệ "
        f"{fmt_pct(sel.completeness_pct)}), trong đó {c['on_time']} {who} báo cáo đúng hạn, "
        f"{c['late']} {who} báo cáo trễ hạn; {c['missing']} {who} chưa báo cáo; "
        f"{c['rejected']} {who} có báo cáo bị từ chối do không đúng mẫu, đang chờ gửi lại."
    )
    missing = [u.name for u in sel.expected if not u.reported and u.status != "rejected"]
    rejected = [u.name for u in sel.expected if u.status == "rejected"]
    if missing:
        doc.para(f"{who.capitalize()} chưa báo cáo: {names_list(missing)}.")
    if rejected:
        doc.para(f"{who.capitalize()} có báo cáo bị từ chối, chờ gửi lại: {names_list(rejected)}.")


def _task_line(r: TaskRow, names: dict[str, str], tail: str) -> str:
    task = (r.task or "").strip().rstrip(".;")
    return f"{task} ({names.get(r.unit_code, r.unit_code)}; thời hạn {r.deadline or '—'}; {tail})"


_TASK_COLUMNS = (
    Column("STT", 10, "center"),
    Column("Nội dung nhiệm vụ", 70),
    Column("Văn bản giao nhiệm vụ", 38),
    Column("Thời hạn", 22, "center"),
    Column("", 17, "center"),  # days overdue / left
    Column("Tiến độ (%)", 15, "center"),
    Column("Cán bộ đầu mối", 28),
    Column("Khó khăn, vướng mắc", 52),
)


def task_table_rows(
    rows: Sequence[TaskRow], names: dict[str, str], days: str
) -> Iterator[Sequence[Any] | str]:
    for g, (unit, group) in enumerate(grouped(rows, names), 1):
        yield f"{roman(g)}. {unit} ({len(group)} nhiệm vụ)"
        for i, r in enumerate(group, 1):
            n = r.days_overdue if days == "overdue" else r.days_left
            task = (r.task or "") + (" [số liệu kỳ trước]" if r.carried else "")
            progress = None if r.progress is None else fmt_num(r.progress)
            yield [i, task, r.source_doc, r.deadline, n, progress, r.officer, r.bottleneck]


def _task_columns(days_label: str) -> list[Column]:
    cols = list(_TASK_COLUMNS)
    cols[4] = Column(days_label, cols[4].width_mm, "center")
    return cols


# --- weekly -----------------------------------------------------------------------------------


def weekly_document(data: WeeklyData, office: Office, when: date) -> OfficialDocument:
    doc = OfficialDocument(office)
    t, sel, p = data.tally, data.selection, data.period
    names = data.unit_names
    doc.heading(when)
    doc.title("Báo cáo", f"Tiến độ thực hiện nhiệm vụ {office.subject} {p.label.lower()}")
    doc.addressee([office.addressee])
    doc.para(
        f"Thực hiện chế độ báo cáo tuần về tiến độ thực hiện nhiệm vụ {office.subject}, "
        f"{office.office_name} tổng hợp báo cáo của các sở, ban, ngành, xã, phường "
        f"{p.label.lower()} (từ sau {fmt_dt(p.start)} đến {fmt_dt(p.cutoff)}; số liệu tiếp nhận "
        f"đến {fmt_dt(data.horizon)}) như sau:"
    )
    if data.preliminary:
        doc.para("Số liệu tạm tính: báo cáo được lập trước hạn chốt.", italic=True)
    doc.section("I. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ")
    _reporting(doc, sel, "đơn vị")

    doc.section("II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ")
    done = t.by_status[DONE_ON_TIME] + t.by_status[DONE_LATE]
    doc.para(
        f"1. Tổng số nhiệm vụ các đơn vị báo cáo: {t.total} nhiệm vụ; {done} nhiệm vụ đã hoàn "
        f"thành ({pct(done, t.total)}). Theo trạng thái tổng hợp tính đến ngày "
        f"{fmt_date(data.as_of)}:"
    )
    doc.bullets(
        f"{s}: {t.by_status[s]} nhiệm vụ ({pct(t.by_status[s], t.total)});" for s in STATUSES
    )
    doc.para(
        f"Có {t.six_complete}/{t.total} nhiệm vụ ghi đủ 06 rõ ({fmt_pct(t.six_pct)}); "
        f"{t.carried} nhiệm vụ lấy từ số liệu kỳ trước của đơn vị chưa báo cáo kỳ này; "
        f"{len(data.unreported_register)} nhiệm vụ trong danh mục giao chưa có đơn vị báo cáo."
    )
    overdue, soon = t.overdue, t.due_soon
    doc.para(
        f"2. Nhiệm vụ quá hạn chưa hoàn thành: {t.by_status[OVERDUE]} nhiệm vụ "
        "(chi tiết tại Phụ lục I)."
    )
    worst = sorted(
        ((n[OVERDUE], code) for code, n in t.unit_status.items() if n[OVERDUE]),
        key=lambda x: (-x[0], x[1]),
    )[:TOP]
    if worst:
        doc.para(
            "Đơn vị có nhiều nhiệm vụ quá hạn: "
            + "; ".join(f"{names.get(code, code)} ({n} nhiệm vụ)" for n, code in worst)
            + "."
        )
    longest = sorted(overdue, key=lambda r: -(r.days_overdue or 0))[:TOP]
    if longest:
        doc.para("Các nhiệm vụ quá hạn lâu nhất:")
        doc.bullets(_task_line(r, names, f"quá hạn {r.days_overdue} ngày") + ";" for r in longest)
    doc.para(
        f"3. Nhiệm vụ sắp đến hạn trong {data.due_soon_days} ngày tới: "
        f"{t.by_status[DUE_SOON]} nhiệm vụ (chi tiết tại Phụ lục II)."
    )
    nearest = sorted(soon, key=lambda r: r.days_left or 0)[:TOP]
    if nearest:
        doc.bullets(_task_line(r, names, f"còn {r.days_left} ngày") + ";" for r in nearest)
    doc.para(f"4. Nhiệm vụ chưa triển khai: {t.by_status[NOT_STARTED]} nhiệm vụ.")

    doc.section("III. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ CỦA CÁC ĐƠN VỊ")
    units_with = sorted(
        ((len(rows), unit) for unit, rows in grouped(t.issues, names)), key=lambda x: -x[0]
    )
    doc.para(
        f"Có {len(t.issues)} nhiệm vụ của {len(units_with)} đơn vị nêu khó khăn, vướng mắc "
        "hoặc đề xuất, kiến nghị (chi tiết tại Phụ lục III)"
        + (
            "; nhiều nhất: " + "; ".join(f"{u} ({n} nhiệm vụ)" for n, u in units_with[:TOP]) + "."
            if units_with
            else "."
        )
    )

    doc.section("IV. ĐỀ XUẤT, KIẾN NGHỊ")
    requests = []
    if t.by_status[OVERDUE]:
        requests.append(
            "Chỉ đạo các đơn vị có nhiệm vụ quá hạn (Phụ lục I) khẩn trương hoàn thành, báo cáo "
            "rõ nguyên nhân và thời hạn hoàn thành mới."
        )
    if t.by_status[DUE_SOON]:
        requests.append(
            "Các đơn vị có nhiệm vụ sắp đến hạn (Phụ lục II) tập trung nguồn lực hoàn thành đúng "
            "thời hạn được giao."
        )
    c = sel.counts()
    if c["missing"] or c["rejected"]:
        requests.append(
            "Các đơn vị chưa gửi báo cáo hoặc có báo cáo bị từ chối gửi báo cáo đúng mẫu trước "
            f"{data.period.cutoff:%H:%M} thứ Năm hằng tuần."
        )
    requests.append(
        "Xem xét, giải quyết các khó khăn, vướng mắc và đề xuất, kiến nghị của các đơn vị tại "
        "Phụ lục III."
    )
    doc.para(f"{office.office_name} kính đề nghị {office.addressee}:")
    doc.bullets(requests)
    doc.last(f"{office.office_name} kính báo cáo {office.addressee} xem xét, chỉ đạo./.")
    doc.closing(doc.recipients())

    caption = _caption(doc, when)
    width = doc.appendix(
        "I", "Danh sách nhiệm vụ quá hạn chưa hoàn thành", caption, landscape=True,
        note=f"(Tính đến {fmt_dt(p.cutoff)}; tổng số {len(overdue)} nhiệm vụ)",
    )  # fmt: skip
    doc.table(_task_columns("Số ngày quá hạn"), task_table_rows(overdue, names, "overdue"), width)
    width = doc.appendix(
        "II", f"Danh sách nhiệm vụ sắp đến hạn (trong {data.due_soon_days} ngày tới)", caption,
        landscape=True, note=f"(Tính đến {fmt_dt(p.cutoff)}; tổng số {len(soon)} nhiệm vụ)",
    )  # fmt: skip
    doc.table(_task_columns("Số ngày còn lại"), task_table_rows(soon, names, "left"), width)
    width = doc.appendix(
        "III", "Khó khăn, vướng mắc (điểm nghẽn) và đề xuất, kiến nghị của các đơn vị", caption,
        landscape=True, note=f"(Tổng số {len(t.issues)} nhiệm vụ có nội dung)",
    )  # fmt: skip
    doc.table(
        [Column("STT", 10, "center"), Column("Nhiệm vụ", 70), Column("Trạng thái", 30),
         Column("Khó khăn, vướng mắc (điểm nghẽn)", 71), Column("Đề xuất, kiến nghị", 71)],
        _issue_rows(t.issues, names),
        width,
    )  # fmt: skip
    return doc


def _issue_rows(rows: Sequence[TaskRow], names: dict[str, str]) -> Iterator[Sequence[Any] | str]:
    for g, (unit, group) in enumerate(grouped(rows, names), 1):
        yield f"{roman(g)}. {unit}"
        for i, r in enumerate(group, 1):
            yield [i, r.task, r.status, r.bottleneck, r.proposal]


# --- projects ---------------------------------------------------------------------------------


def projects_document(data: ProjectsData, office: Office, when: date) -> OfficialDocument:
    doc = OfficialDocument(office)
    p, sel = data.period, data.selection
    names = data.unit_names
    total = data.total()
    doc.heading(when)
    doc.title(
        "Báo cáo",
        "Tiến độ triển khai các dự án khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số "
        f"năm {p.as_of.year} {p.label.lower()}",
    )
    doc.addressee([office.addressee])
    doc.para(
        f"{office.office_name} tổng hợp báo cáo của các chủ đầu tư về tiến độ triển khai, giải "
        f"ngân các dự án (số liệu chủ đầu tư gửi đến {fmt_dt(p.cutoff)}; tiếp nhận đến "
        f"{fmt_dt(data.horizon)}) như sau:"
    )
    if data.preliminary:
        doc.para("Số liệu tạm tính: báo cáo được lập trước hạn chốt.", italic=True)
    doc.section("I. TÌNH HÌNH BÁO CÁO CỦA CÁC CHỦ ĐẦU TƯ")
    _reporting(doc, sel, "chủ đầu tư")

    doc.section("II. KẾT QUẢ GIẢI NGÂN")
    rate = "—" if total.rate is None else fmt_pct(total.rate)
    doc.para(
        f"1. Tổng số {total.n_projects} dự án; kế hoạch vốn năm {fmt_money(total.year_plan)} triệu "
        f"đồng; đã giải ngân {fmt_money(total.disbursed)} triệu đồng, đạt {rate} kế hoạch (tiến "
        f"độ theo thời gian: {fmt_pct(data.path_pct)})."
    )
    funds = data.by_fund()
    if funds:
        doc.para("2. Theo nguồn vốn:")
        for s in funds:
            s_rate = "—" if s.rate is None else fmt_pct(s.rate)
            doc.para(
                f"- Nguồn {s.label.lower()}: {s.n_projects} dự án, kế hoạch "
                f"{fmt_money(s.year_plan)} triệu đồng, giải ngân {fmt_money(s.disbursed)} triệu "
                f"đồng ({s_rate});"
            )
    committed = total.committed_rate
    if committed is not None:
        doc.para(
            f"3. Các chủ đầu tư cam kết giải ngân đến 31/12/{p.as_of.year} bình quân "
            f"{fmt_pct(committed)} kế hoạch vốn ({total.n_without_commitment} dự án chưa ghi "
            "cam kết)."
        )
    doc.section("III. DỰ ÁN CHẬM GIẢI NGÂN, CHƯA PHÊ DUYỆT CHỦ TRƯƠNG")
    doc.para(
        f"Có {total.n_lagging} dự án chậm giải ngân (tỷ lệ dưới "
        f"{fmt_pct(data.lagging_rate_pct)} hoặc thấp hơn tiến độ theo thời gian quá "
        f"{fmt_num(data.path_tolerance_pct)} điểm %), chi tiết tại Phụ lục I; "
        f"{total.n_no_policy} dự án chưa được phê duyệt chủ trương đầu tư."
    )
    lag = sorted(data.lagging, key=lambda x: x.rate if x.rate is not None else 0.0)[:TOP]
    if lag:
        doc.para("Các dự án có tỷ lệ giải ngân thấp nhất:")
        doc.bullets(
            f"{x.project} ({names.get(x.unit_code, x.unit_code)}): giải ngân "
            f"{fmt_money(x.disbursed or 0.0)}/{fmt_money(x.year_plan or 0.0)} triệu đồng "
            f"({'—' if x.rate is None else fmt_pct(x.rate)});"
            for x in lag
        )
    doc.section("IV. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ")
    doc.para(
        f"Có {len(data.issues)} dự án có khó khăn, vướng mắc hoặc đề xuất, kiến nghị của chủ "
        "đầu tư (chi tiết tại Phụ lục II)."
    )
    doc.section("V. ĐỀ XUẤT")
    doc.para(f"{office.office_name} kính đề nghị {office.addressee}:")
    doc.bullets(
        [
            "Chỉ đạo các chủ đầu tư có dự án chậm giải ngân (Phụ lục I) khẩn trương tháo gỡ "
            "vướng mắc, đẩy nhanh tiến độ giải ngân theo cam kết.",
            "Xem xét, giải quyết các khó khăn, vướng mắc và kiến nghị của các chủ đầu tư tại "
            "Phụ lục II.",
        ]
    )
    doc.last(f"{office.office_name} kính báo cáo {office.addressee} xem xét, chỉ đạo./.")
    doc.closing(doc.recipients())

    caption = _caption(doc, when)
    width = doc.appendix(
        "I", "Danh sách dự án chậm giải ngân", caption, landscape=True,
        note=f"(Tổng số {len(data.lagging)} dự án; đơn vị tiền: triệu đồng)",
    )  # fmt: skip
    doc.table(
        [Column("STT", 10, "center"), Column("Tên dự án", 62), Column("Nguồn vốn", 24),
         Column("Kế hoạch vốn năm", 24, "right"), Column("Giải ngân lũy kế", 24, "right"),
         Column("Tỷ lệ giải ngân (%)", 18, "center"), Column("Lý do chậm giải ngân", 50),
         Column("Khó khăn, vướng mắc", 40)],
        _project_rows(data, data.lagging, lagging=True),
        width,
    )  # fmt: skip
    width = doc.appendix(
        "II", "Khó khăn, vướng mắc và đề xuất, kiến nghị của các chủ đầu tư", caption,
        landscape=True, note=f"(Tổng số {len(data.issues)} dự án có nội dung)",
    )  # fmt: skip
    doc.table(
        [Column("STT", 10, "center"), Column("Tên dự án", 62), Column("Giai đoạn", 30),
         Column("Khó khăn, vướng mắc", 75), Column("Đề xuất, kiến nghị", 75)],
        _project_rows(data, data.issues, lagging=False),
        width,
    )  # fmt: skip
    return doc


def _project_rows(
    data: ProjectsData, rows: Sequence[ProjectRow], *, lagging: bool
) -> Iterator[Sequence[Any] | str]:
    """Rows of Phụ lục I (lagging projects, with why in words) or II (issues)."""
    for g, (unit, group) in enumerate(grouped(rows, data.unit_names), 1):
        yield f"{roman(g)}. {unit} ({len(group)} dự án)"
        for i, x in enumerate(group, 1):
            name = (x.project or "") + (" [số liệu kỳ trước]" if x.carried else "")
            if lagging:
                yield [
                    i, name, x.fund_source,
                    None if x.year_plan is None else fmt_money(x.year_plan),
                    None if x.disbursed is None else fmt_money(x.disbursed),
                    None if x.rate is None else fmt_num(x.rate),
                    lagging_text(x.lagging, x.rate, data.path_pct, data.lagging_rate_pct,
                                 data.path_tolerance_pct),
                    x.bottleneck,
                ]  # fmt: skip
            else:
                yield [i, name, x.stage, x.bottleneck, x.proposal]


# --- plan -------------------------------------------------------------------------------------


def plan_document(data: PlanData, office: Office, when: date) -> OfficialDocument:
    doc = OfficialDocument(office, kind_code="KH")
    p = data.period
    names = data.unit_names
    all_due = [r for _, rows in data.groups for r in rows]
    six = sum(1 for r in all_due if r.six_clear)
    doc.heading(when)
    # A plan (kế hoạch) is addressed to no one (NĐ 30): those who carry it out are in it.
    doc.title("Kế hoạch", f"Thực hiện nhiệm vụ {office.subject} {p.label.lower()}")
    doc.para(
        f"Trên cơ sở kế hoạch, báo cáo mới nhất của {len(data.snapshots)} đơn vị (tình trạng "
        f"tính đến ngày {fmt_date(data.as_of)}), {office.office_name} tổng hợp kế hoạch chi "
        f"tiết {p.label.lower()} theo nguyên tắc 06 rõ (rõ người, rõ việc, rõ thời gian, rõ "
        "trách nhiệm, rõ sản phẩm, rõ thẩm quyền) như sau:"
    )
    doc.section("I. NHIỆM VỤ PHẢI HOÀN THÀNH TRONG KỲ")
    split = (
        " (" + "; ".join(f"{label.lower()}: {len(rows)}" for label, rows in data.groups) + ")"
        if len(data.groups) > 1
        else ""
    )
    doc.para(
        f"1. Có {len(all_due)} nhiệm vụ có thời hạn hoàn thành trong {p.label.lower()}{split}, "
        f"chi tiết tại Phụ lục I; {six}/{len(all_due)} nhiệm vụ ghi đủ 06 rõ."
    )
    doc.para(f"2. Có {len(data.recurring)} nhiệm vụ thường xuyên.")
    per_unit: dict[str, int] = {}
    for r in all_due:
        per_unit[r.unit_code] = per_unit.get(r.unit_code, 0) + 1
    top = sorted(per_unit.items(), key=lambda x: (-x[1], x[0]))[:TOP]
    if top:
        doc.para(
            "Đơn vị có nhiều nhiệm vụ đến hạn trong kỳ: "
            + "; ".join(f"{names.get(c, c)} ({n} nhiệm vụ)" for c, n in top)
            + "."
        )
    doc.section("II. NHIỆM VỤ QUÁ HẠN TỪ TRƯỚC CHƯA HOÀN THÀNH")
    doc.para(
        f"Có {len(data.overdue_before)} nhiệm vụ đã quá hạn từ trước {fmt_date(p.first_day)} "
        "nhưng chưa hoàn thành (chi tiết tại Phụ lục II)."
    )
    doc.section("III. TỔ CHỨC THỰC HIỆN")
    doc.bullets(
        [
            "Thủ trưởng các sở, ban, ngành, Chủ tịch UBND các xã, phường chỉ đạo hoàn thành các "
            "nhiệm vụ tại Phụ lục I đúng thời hạn; ưu tiên xử lý dứt điểm các nhiệm vụ quá hạn "
            "tại Phụ lục II.",
            f"Các đơn vị cập nhật kết quả thực hiện vào báo cáo tuần gửi {office.office_name} "
            "đúng hạn để tổng hợp, báo cáo.",
        ]
    )
    doc.last(
        f"Trên đây là Kế hoạch thực hiện nhiệm vụ {p.label.lower()}; đề nghị các cơ quan, đơn "
        "vị, địa phương triển khai thực hiện./."
    )
    doc.closing(
        [
            x
            for r in doc.recipients()
            for x in (
                [
                    f"{office.addressee} (để b/c)",
                    "Các sở, ban, ngành, UBND các xã, phường (để th/h)",
                ]
                if r == "Như trên"  # no "Kính gửi" in a plan: say who "above" was
                else [r]
            )
        ]
    )

    caption = _caption(doc, when, "Kế hoạch")
    cols = [
        Column("STT", 10, "center"), Column("Nội dung nhiệm vụ (rõ việc)", 72),
        Column("Cán bộ đầu mối (rõ người)", 30), Column("Thời hạn (rõ thời gian)", 24, "center"),
        Column("Sản phẩm đầu ra (rõ sản phẩm)", 44), Column("Lãnh đạo phụ trách", 30),
        Column("Trạng thái", 27),
    ]  # fmt: skip
    width = doc.appendix(
        "I", f"Danh sách nhiệm vụ phải hoàn thành trong {p.label.lower()}", caption,
        landscape=True, note=f"(Tổng số {len(all_due)} nhiệm vụ, theo đơn vị chủ trì)",
    )  # fmt: skip
    doc.table(cols, _plan_rows(all_due, names), width)
    width = doc.appendix(
        "II", "Danh sách nhiệm vụ quá hạn từ trước chưa hoàn thành", caption, landscape=True,
        note=f"(Tổng số {len(data.overdue_before)} nhiệm vụ)",
    )  # fmt: skip
    doc.table(cols, _plan_rows(data.overdue_before, names), width)
    return doc


def _plan_rows(rows: Sequence[TaskRow], names: dict[str, str]) -> Iterator[Sequence[Any] | str]:
    rank = {code: i for i, code in enumerate(names)}
    ordered = sorted(
        rows, key=lambda r: (rank.get(r.unit_code, len(rank)), r.unit_code, r.deadline_end or "")
    )
    for g, (unit, group) in enumerate(grouped(ordered, names), 1):
        yield f"{roman(g)}. {unit} ({len(group)} nhiệm vụ)"
        for i, r in enumerate(group, 1):
            yield [i, r.task, r.officer, r.deadline, r.deliverable, r.authority, r.status]


# --- writing ----------------------------------------------------------------------------------


def write_document(doc: OfficialDocument, target: Path) -> WriteOutcome:
    """Write next to the workbook through the same safe write (a busy name gets ``(2)``)."""
    return write_versioned(target, doc.save)
