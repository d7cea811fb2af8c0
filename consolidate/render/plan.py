"""The detailed plan workbook (``Ke-hoach-chi-tiet-<tháng|quý>.xlsx``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from consolidate.core.fmt import fmt_date
from consolidate.render.kit import PREPARED_BY, Book, Sheet, cyclic_gc_paused
from consolidate.render.output import WriteOutcome, safe_write
from consolidate.render.shared import appendix_title, grouped, roman, share_pct, sources_sheet
from consolidate.reports.plan import DocSummary, PlanData
from consolidate.reports.rows import TaskRow

# --- plan ---------------------------------------------------------------------------------------


def write_plan(data: PlanData, target: Path) -> WriteOutcome:
    with cyclic_gc_paused():
        return safe_write(target, lambda tmp: _plan_workbook(data, tmp))


def _plan_workbook(data: PlanData, path: Path) -> None:
    book = Book(path, data.horizon)
    try:
        _plan_summary(book, data)
        _plan_detail(book, data)
        _plan_overdue(book, data)
        _plan_register(book, data)
        sources_sheet(book, data.snapshots, data.unit_names, "nhiệm vụ")
    finally:
        book.close()


def _plan_summary(book: Book, data: PlanData) -> None:
    months = [label for label, _ in data.groups]
    widths = [5, 40, *([11] * len(months)), 11, 11, 11, 10]
    sh = book.sheet("Tổng hợp", widths)
    sh.ws.hide_gridlines(2)
    st = sh.st
    p = data.period
    sh.official_heading(2, data.horizon.date())
    sh.merged(f"KẾ HOẠCH CHI TIẾT {p.label.upper()}", st.title, height=22)
    sh.para(
        "Thực hiện nhiệm vụ cải cách hành chính, thể chế, khoa học, công nghệ, đổi mới sáng tạo, "
        "chuyển đổi số và phát triển nguồn nhân lực của các sở, ban, ngành, xã, phường "
        "(theo nguyên tắc 06 rõ: rõ người, rõ việc, rõ thời gian, rõ trách nhiệm, rõ sản phẩm, "
        "rõ thẩm quyền)",
        st.subtitle,
    )
    sh.para(
        f"(Tổng hợp từ kế hoạch, báo cáo mới nhất của {len(data.snapshots)} đơn vị; tình trạng "
        f"tính đến ngày {fmt_date(data.as_of)})",
        st.caption,
    )
    sh.blank()
    all_due = [r for _, rows in data.groups for r in rows]
    six = sum(1 for r in all_due if r.six_clear)
    sh.merged("I. TÓM TẮT", st.section, height=20)
    lines = [
        f"- {len(all_due)} nhiệm vụ có thời hạn hoàn thành trong {p.label.lower()}"
        + (
            " (" + "; ".join(f"{label.lower()}: {len(rows)}" for label, rows in data.groups) + ")"
            if len(data.groups) > 1
            else ""
        )
        + f"; {len(data.recurring)} nhiệm vụ thường xuyên.",
        f"- {len(data.overdue_before)} nhiệm vụ đã quá hạn từ trước {fmt_date(p.first_day)} "
        "nhưng chưa hoàn thành (xem trang “Quá hạn chưa hoàn thành”).",
        f"- {six}/{len(all_due)} nhiệm vụ đến hạn trong kỳ ghi đủ 06 rõ.",
    ]
    for line in lines:
        sh.para(line, st.para)
    sh.blank()
    sh.merged("II. SỐ NHIỆM VỤ THEO ĐƠN VỊ CHỦ TRÌ", st.section, height=20)
    sh.header(
        ["STT", "Đơn vị", *(f"Đến hạn {m.lower()}" for m in months), "Thường xuyên",
         "Quá hạn từ trước", "Tổng cộng", "Đủ 06 rõ (%)"], height=36,
    )  # fmt: skip
    per_unit: dict[str, list[int]] = {}
    six_unit: dict[str, int] = {}
    n_m = len(months)
    for k, (_, rows) in enumerate(data.groups):
        for r in rows:
            per_unit.setdefault(r.unit_code, [0] * (n_m + 2))[k] += 1
            six_unit[r.unit_code] = six_unit.get(r.unit_code, 0) + r.six_clear
    for r in data.recurring:
        per_unit.setdefault(r.unit_code, [0] * (n_m + 2))[n_m] += 1
    for r in data.overdue_before:
        per_unit.setdefault(r.unit_code, [0] * (n_m + 2))[n_m + 1] += 1
    totals = [0] * (n_m + 2)
    nums = [st.td_int] * (n_m + 3)
    for i, snap in enumerate(data.snapshots, 1):
        counts = per_unit.get(snap.unit_code, [0] * (n_m + 2))
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        due = sum(counts[:n_m])
        sh.cells(
            [i, data.unit_names.get(snap.unit_code, snap.unit_code), *counts, sum(counts),
             share_pct(six_unit.get(snap.unit_code, 0), due)],
            [st.td_center, st.td, *nums, st.td_pct],
        )  # fmt: skip
    sh.cells(
        ["", "Tổng cộng", *totals, sum(totals), share_pct(six, len(all_due))],
        [st.tot, st.tot, *([st.tot_int] * (n_m + 3)), st.tot_pct],
    )
    sh.blank()
    sh.para(
        f"Ghi chú: Nhiệm vụ được xếp theo tháng của thời hạn hoàn thành (“Quý III/{p.as_of.year}” "
        f"xếp vào tháng cuối quý). Danh mục theo văn bản giao ở trang “Theo văn bản giao”. "
        f"{PREPARED_BY}.",
        st.note,
        line_height=15,
    )


_PLAN_COLUMNS = (
    ("STT", 6),
    ("Nội dung nhiệm vụ (rõ việc)", 38),
    ("Đơn vị chủ trì (rõ trách nhiệm)", 20),
    ("Đơn vị phối hợp", 16),
    ("Cán bộ đầu mối (rõ người)", 16),
    ("Thời hạn hoàn thành (rõ thời gian)", 14),
    ("Sản phẩm đầu ra (rõ sản phẩm)", 24),
    ("Lãnh đạo phụ trách (rõ thẩm quyền)", 16),
    ("Lĩnh vực", 18),
    ("Văn bản giao nhiệm vụ", 18),
    ("Trạng thái", 14),
    ("06 rõ còn thiếu", 14),
)


def _plan_rows(sh: Sheet, rows: Sequence[TaskRow], names: dict[str, str]) -> None:
    st = sh.st
    for i, r in enumerate(rows, 1):
        lead = (
            names.get(r.lead_unit or "", r.lead_unit)
            if r.lead_unit
            else names.get(r.unit_code, r.unit_code)
        )
        sh.cells(
            [i, r.task, lead, r.partner_units, r.officer, r.deadline, r.deliverable, r.authority,
             r.pillar, r.source_doc, r.status, r.missing_clear],
            [st.td_center, st.td, st.td, st.td, st.td, st.td_center, st.td, st.td, st.td, st.td,
             st.status[r.status], st.td],
        )  # fmt: skip


def _plan_detail(book: Book, data: PlanData) -> None:
    sh = book.sheet("Kế hoạch chi tiết", [w for _, w in _PLAN_COLUMNS])
    appendix_title(
        sh, "", f"KẾ HOẠCH CHI TIẾT {data.period.label.upper()}",
        f"(Nhiệm vụ xếp theo tháng của thời hạn hoàn thành; tình trạng tính đến ngày "
        f"{fmt_date(data.as_of)})",
    )  # fmt: skip
    sh.header([label for label, _ in _PLAN_COLUMNS])
    number = 0
    for label, rows in data.groups:
        number += 1
        sh.group_row(f"{roman(number)}. {label.upper()} ({len(rows)} nhiệm vụ)")
        if rows:
            _plan_rows(sh, rows, data.unit_names)
    number += 1
    sh.group_row(f"{roman(number)}. NHIỆM VỤ THƯỜNG XUYÊN ({len(data.recurring)} nhiệm vụ)")
    _plan_rows(sh, data.recurring, data.unit_names)


def _plan_overdue(book: Book, data: PlanData) -> None:
    rows = data.overdue_before
    sh = book.sheet("Quá hạn chưa hoàn thành", [6, 11, 40, 20, 13, 10, 9, 14, 17, 17])
    st = sh.st
    appendix_title(
        sh, "I", "DANH SÁCH NHIỆM VỤ ĐÃ QUÁ HẠN NHƯNG CHƯA HOÀN THÀNH",
        f"(Thời hạn trước {fmt_date(data.period.first_day)}; tính đến ngày {fmt_date(data.as_of)}; "
        f"{len(rows)} nhiệm vụ)",
    )  # fmt: skip
    sh.header(
        ["STT", "Mã nhiệm vụ", "Nội dung nhiệm vụ", "Văn bản giao nhiệm vụ", "Thời hạn",
         "Số ngày quá hạn", "Tiến độ (%)", "Tình trạng (đơn vị ghi)", "Cán bộ đầu mối",
         "Lãnh đạo phụ trách"]
    )  # fmt: skip
    if not rows:
        sh.merged("Không có nhiệm vụ nào.", st.td)
        return
    for num, name, group in grouped(rows, data.unit_names):
        sh.group_row(f"{roman(num)}. {name} ({len(group)} nhiệm vụ)")
        for i, r in enumerate(group, 1):
            sh.cells(
                [i, r.task_code, r.task, r.source_doc, r.deadline, r.days_overdue, r.progress,
                 r.state, r.officer, r.authority],
                [st.td_center, st.td, st.td, st.td, st.td_center, st.td_int, st.td_int, st.td,
                 st.td, st.td],
            )  # fmt: skip


def _plan_register(book: Book, data: PlanData) -> None:
    docs: Sequence[DocSummary] = data.docs
    due = fmt_date(data.due_by)
    sh = book.sheet("Theo văn bản giao", [6, 50, 12, 14, 12, 14, 14])
    st = sh.st
    appendix_title(
        sh, "", "TÌNH HÌNH THỰC HIỆN NHIỆM VỤ THEO VĂN BẢN GIAO",
        f"(Tính đến ngày {fmt_date(data.as_of)}; {len(docs)} văn bản)",
    )  # fmt: skip
    sh.header(
        ["STT", "Văn bản giao nhiệm vụ", "Tổng số nhiệm vụ", f"Phải hoàn thành đến {due}",
         "Đã hoàn thành", "Quá hạn chưa hoàn thành", "Chưa có đơn vị báo cáo"], height=36,
    )  # fmt: skip
    nums = [st.td_int] * 5
    for i, d in enumerate(docs, 1):
        sh.cells([i, d.source_doc, d.total, d.due_by, d.done, d.overdue, d.unreported],
                 [st.td_center, st.td, *nums])  # fmt: skip
    sh.cells(
        ["", "Tổng cộng", *(sum(getattr(d, k) for d in docs)
                            for k in ("total", "due_by", "done", "overdue", "unreported"))],
        [st.tot, st.tot, *([st.tot_int] * 5)],
    )  # fmt: skip
    sh.blank()
    sh.para(
        "Ghi chú: Nhiệm vụ trong danh mục giao được tính một lần, theo báo cáo của đơn vị chủ "
        "trì; nhiệm vụ đơn vị tự đề ra được tính theo văn bản giao đơn vị ghi. "
        f"Cột “Phải hoàn thành đến {due}” gồm các nhiệm vụ có thời hạn đến hết ngày đó "
        "(không tính nhiệm vụ thường xuyên).",
        st.note,
        line_height=15,
    )
