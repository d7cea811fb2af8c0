"""The detailed plan workbook (``Ke-hoach-chi-tiet-<tháng|quý>.xlsx``)."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from consolidate.core.config import Office
from consolidate.core.fmt import fmt_date
from consolidate.render.indicators import WIDTHS as INDICATOR_WIDTHS
from consolidate.render.indicators import indicators_table
from consolidate.render.kit import Book, Sheet, cyclic_gc_paused
from consolidate.render.output import WriteOutcome, safe_write
from consolidate.render.shared import (
    Table,
    appendix_title,
    cell_format,
    grouped,
    make_table,
    roman,
    share_pct,
    sources_sheet,
    table,
)
from consolidate.reports.plan import DocSummary, PlanData
from consolidate.reports.rows import TaskRow
from schemas import TASKS
from schemas.reports import report_columns

# --- plan ---------------------------------------------------------------------------------------


def write_plan(data: PlanData, target: Path, office: Office) -> WriteOutcome:
    with cyclic_gc_paused():
        return safe_write(target, lambda tmp: _plan_workbook(data, tmp, office))


def _plan_workbook(data: PlanData, path: Path, office: Office) -> None:
    book = Book(path, data.horizon, office)
    try:
        _plan_summary(book, data)
        _plan_detail(book, data)
        _plan_overdue(book, data)
        _plan_register(book, data)
        if data.indicators is not None:
            _plan_indicators(book, data)
        sources_sheet(book, data.snapshots, data.unit_names, "nhiệm vụ")
    finally:
        book.close()


def _plan_indicators(book: Book, data: PlanData) -> None:
    assert data.indicators is not None
    sh = book.sheet("Chỉ tiêu", INDICATOR_WIDTHS)
    st = sh.st
    sh.merged("KẾT QUẢ THỰC HIỆN CHỈ TIÊU", st.title, height=22)
    sh.para(
        f"Từ báo cáo mới nhất của {data.indicators.n_units} đơn vị trong năm, tính đến ngày "
        f"{fmt_date(data.as_of)}; chỉ tiêu có đơn vị tính không thống nhất không được cộng.",
        st.caption,
    )
    sh.blank()
    indicators_table(sh, data.indicators)


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
        f"Thực hiện nhiệm vụ {book.office.subject} của các sở, ban, ngành, xã, phường "
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
        f"{book.office.prepared_by}.",
        st.note,
        line_height=15,
    )


#: The plan's table, by key: the "06 rõ" columns say which "rõ" they carry (Column.clear).
_PLAN_KEYS = ("no", "task", "lead_unit", "partner_units", "officer", "deadline", "deliverable",
              "authority", "pillar", "source_doc", "status", "missing_clear")  # fmt: skip
_PLAN_WIDTHS = {"task": 38, "partner_units": 16, "pillar": 18, "source_doc": 18, "status": 14}
_OVERDUE_KEYS = ("no", "task_code", "task", "source_doc", "deadline", "days_overdue", "progress",
                 "state", "officer", "authority")  # fmt: skip


def _plan_table() -> Table:
    cols = report_columns(TASKS, _PLAN_KEYS)
    six = [replace(c, report_label=f"{c.report_title} (rõ {c.clear})") if c.clear else c
           for c in cols]  # fmt: skip
    return make_table(six, _PLAN_WIDTHS)


def _plan_rows(sh: Sheet, rows: Sequence[TaskRow], names: dict[str, str], fmts: list[Any]) -> None:
    st = sh.st
    values = operator.attrgetter(*_PLAN_KEYS[1:])
    c_lead, c_status = _PLAN_KEYS.index("lead_unit"), _PLAN_KEYS.index("status")
    for i, r in enumerate(rows, 1):
        cells = [i, *values(r)]
        lead = r.lead_unit or r.unit_code
        cells[c_lead] = names.get(lead, lead)
        fmts[c_status] = st.status[r.status]
        sh.cells(cells, fmts)


def _plan_detail(book: Book, data: PlanData) -> None:
    cols = _plan_table()
    sh = book.sheet("Kế hoạch chi tiết", cols.widths)
    appendix_title(
        sh, "", f"KẾ HOẠCH CHI TIẾT {data.period.label.upper()}",
        f"(Nhiệm vụ xếp theo tháng của thời hạn hoàn thành; tình trạng tính đến ngày "
        f"{fmt_date(data.as_of)})",
    )  # fmt: skip
    sh.header(cols.labels)
    fmts = [cell_format(sh.st, c) for c in cols.columns]
    number = 0
    for label, rows in data.groups:
        number += 1
        sh.group_row(f"{roman(number)}. {label.upper()} ({len(rows)} nhiệm vụ)")
        if rows:
            _plan_rows(sh, rows, data.unit_names, fmts)
    number += 1
    sh.group_row(f"{roman(number)}. NHIỆM VỤ THƯỜNG XUYÊN ({len(data.recurring)} nhiệm vụ)")
    _plan_rows(sh, data.recurring, data.unit_names, fmts)


def _plan_overdue(book: Book, data: PlanData) -> None:
    rows = data.overdue_before
    cols = table(TASKS, _OVERDUE_KEYS, {"task": 40, "days_overdue": 10, "officer": 17,
                                        "authority": 17})  # fmt: skip
    sh = book.sheet("Quá hạn chưa hoàn thành", cols.widths)
    st = sh.st
    appendix_title(
        sh, "I", "DANH SÁCH NHIỆM VỤ ĐÃ QUÁ HẠN NHƯNG CHƯA HOÀN THÀNH",
        f"(Thời hạn trước {fmt_date(data.period.first_day)}; tính đến ngày {fmt_date(data.as_of)}; "
        f"{len(rows)} nhiệm vụ)",
    )  # fmt: skip
    sh.header(cols.labels)
    if not rows:
        sh.merged("Không có nhiệm vụ nào.", st.td)
        return
    fmts = [cell_format(st, c) for c in cols.columns]
    values = operator.attrgetter(*_OVERDUE_KEYS[1:])
    for num, name, group in grouped(rows, data.unit_names):
        sh.group_row(f"{roman(num)}. {name} ({len(group)} nhiệm vụ)")
        for i, r in enumerate(group, 1):
            sh.cells([i, *values(r)], fmts)


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
        ["STT", TASKS.column("source_doc").report_title, "Tổng số nhiệm vụ", f"Phải hoàn thành đến {due}",
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
