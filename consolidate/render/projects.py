"""The projects workbook (``Bao-cao-du-an-<kỳ>.xlsx``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from consolidate.core.fmt import fmt_date, fmt_dt, fmt_num, fmt_pct
from consolidate.render.kit import FONT, PREPARED_BY, Book, Sheet, cyclic_gc_paused
from consolidate.render.output import WriteOutcome, safe_write
from consolidate.render.shared import (
    appendix_title,
    grouped,
    reporting_sheet,
    roman,
    sources_sheet,
)
from consolidate.render.wording import lagging_text, usage_label
from consolidate.reports.projects import MoneySummary, ProjectsData
from consolidate.reports.rows import ProjectRow

# --- projects -----------------------------------------------------------------------------------


def write_projects(data: ProjectsData, target: Path) -> WriteOutcome:
    with cyclic_gc_paused():
        return safe_write(target, lambda tmp: _projects_workbook(data, tmp))


def _projects_workbook(data: ProjectsData, path: Path) -> None:
    book = Book(path, data.horizon)
    try:
        _projects_summary(book, data)
        _project_list(
            book, data, "Dự án chậm giải ngân", "I", "DANH SÁCH DỰ ÁN CHẬM GIẢI NGÂN",
            data.lagging, lagging=True,
        )  # fmt: skip
        _project_list(
            book, data, "Chưa phê duyệt chủ trương", "II",
            "DANH SÁCH DỰ ÁN ĐÃ ĐĂNG KÝ NHƯNG CHƯA PHÊ DUYỆT CHỦ TRƯƠNG ĐẦU TƯ",
            data.no_policy, lagging=False,
        )  # fmt: skip
        _project_issues(book, data)
        reporting_sheet(book, data.selection, "dự án")
        _project_detail(book, data)
        sources_sheet(book, data.selection.snapshots, data.unit_names, "dự án")
    finally:
        book.close()


def _money_cells(s: MoneySummary) -> list[Any]:
    return [s.n_projects, s.total_investment, s.year_plan, s.disbursed,
            None if s.rate is None else round(s.rate, 1), s.committed_amount,
            None if s.committed_rate is None else round(s.committed_rate, 1),
            s.n_lagging, s.n_no_policy]  # fmt: skip


_MONEY_HEADERS = [
    "Số dự án",
    "Tổng mức đầu tư (triệu đồng)",
    "Kế hoạch vốn năm (triệu đồng)",
    "Giải ngân lũy kế (triệu đồng)",
    "Tỷ lệ giải ngân (%)",
    "Cam kết giải ngân đến 31/12 (triệu đồng)",
    "Tỷ lệ cam kết (%)",
    "Dự án chậm giải ngân",
    "Chưa phê duyệt chủ trương",
]


def _projects_summary(book: Book, data: ProjectsData) -> None:
    widths = [5, 30, 16, 8, 13, 13, 13, 9, 13, 9, 9, 10]
    sh = book.sheet("Tổng hợp", widths)
    sh.ws.hide_gridlines(2)
    st = sh.st
    p, sel = data.period, data.selection
    total = data.total()
    funds = data.by_fund()
    sh.official_heading(2, data.horizon.date())
    sh.merged("BÁO CÁO", st.title, height=22)
    sh.para(
        "Tiến độ triển khai các dự án khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số "
        f"năm {p.as_of.year} (vốn đầu tư công và vốn sự nghiệp) — {p.label.lower()}",
        st.subtitle,
    )
    caption = (
        f"(Số liệu chủ đầu tư gửi đến {fmt_dt(p.cutoff)}; tiếp nhận đến {fmt_dt(data.horizon)})"
    )
    if data.preliminary:
        caption += "\nSỐ LIỆU TẠM TÍNH: chưa đến hạn chốt báo cáo."
    sh.para(caption, st.caption)
    if p.shifted:
        sh.para(p.shift_note(), st.note)
    sh.blank()
    c = sel.counts()
    sh.merged("I. TÓM TẮT", st.section, height=20)
    rate = "—" if total.rate is None else fmt_pct(total.rate)
    lines = [
        f"- Có {c['reported']}/{c['expected']} chủ đầu tư đã gửi báo cáo ({c['on_time']} đúng "
        f"hạn, {c['late']} trễ hạn); {c['missing']} chưa báo cáo; {c['rejected']} bị từ chối, "
        "chờ gửi lại.",
        f"- Tổng số {total.n_projects} dự án; kế hoạch vốn năm {fmt_num(total.year_plan)} triệu "
        f"đồng; đã giải ngân {fmt_num(total.disbursed)} triệu đồng, đạt {rate} (tiến độ theo "
        f"thời gian: {fmt_pct(data.path_pct)}).",
        f"- {total.n_lagging} dự án chậm giải ngân (tỷ lệ dưới {fmt_pct(data.lagging_rate_pct)} "
        f"hoặc thấp hơn tiến độ theo thời gian quá {fmt_num(data.path_tolerance_pct)} điểm %); "
        f"{total.n_no_policy} dự án chưa được phê duyệt chủ trương đầu tư.",
    ]
    for s in funds:
        s_rate = "—" if s.rate is None else fmt_pct(s.rate)
        lines.append(
            f"- Nguồn {s.label.lower()}: {s.n_projects} dự án, kế hoạch {fmt_num(s.year_plan)} "
            f"triệu đồng, giải ngân {fmt_num(s.disbursed)} triệu đồng ({s_rate})."
        )
    for line in lines:
        sh.para(line, st.para)
    sh.blank()

    sh.merged("II. GIẢI NGÂN THEO NGUỒN VỐN", st.section, height=20)
    sh.header(["STT", "Nguồn vốn", None, *_MONEY_HEADERS], merge=[(1, 2)], height=64, repeat=False)
    money = [st.td_int, st.td_num, st.td_num, st.td_num, st.td_pct, st.td_num, st.td_pct,
             st.td_int, st.td_int]  # fmt: skip
    fund_first = sh.row
    for i, s in enumerate(funds, 1):
        sh.cells(
            [i, s.label, None, *_money_cells(s)],
            [st.td_center, st.td, st.td, *money],
            merge=[(1, 2)],
        )
    fund_last = sh.row - 1
    tot = [st.tot_int, st.tot_num, st.tot_num, st.tot_num, st.tot_pct, st.tot_num, st.tot_pct,
           st.tot_int, st.tot_int]  # fmt: skip
    sh.cells(
        ["", "Tổng cộng", None, *_money_cells(total)],
        [st.tot, st.tot, st.tot, *tot],
        merge=[(1, 2)],
    )
    if funds:
        _money_chart(book, sh, fund_first, fund_last)
        sh.blank(13)
    sh.blank()
    sh.ws.set_h_pagebreaks([sh.row])  # page 1: summary, funds and chart; then the investors

    sh.merged("III. TÌNH HÌNH THEO CHỦ ĐẦU TƯ", st.section, height=20)
    sh.header(["STT", "Chủ đầu tư", "Tình hình báo cáo", *_MONEY_HEADERS], height=64)
    for i, (u, s) in enumerate(data.by_investor(), 1):
        label = u.status_label
        if u.snapshot is not None and u.snapshot.carried:
            label += " (dùng số liệu kỳ trước)"
        cells = _money_cells(s) if u.snapshot else [None] * 9
        sh.cells(
            [i, u.name, label, *cells],
            [st.td_center, st.td, st.reporting.get(u.status, st.td), *money],
        )
    sh.cells(
        ["", "Tổng cộng", f"{c['reported']}/{c['expected']} đã báo cáo", *_money_cells(total)],
        [st.tot, st.tot, st.tot, *tot],
    )
    sh.blank()
    sh.para(
        "Ghi chú: Tỷ lệ giải ngân = giải ngân lũy kế / kế hoạch vốn năm. Tiến độ theo thời gian "
        f"= số ngày đã qua trong năm tính đến {fmt_date(data.as_of)} / số ngày của năm. Tỷ lệ "
        "cam kết tính trên các dự án chủ đầu tư đã ghi cam kết. Đơn vị tiền: triệu đồng. "
        f"{PREPARED_BY}.",
        st.note,
        line_height=15,
    )


def _money_chart(book: Book, sh: Sheet, first_row: int, last_row: int) -> None:
    chart = book.wb.add_chart({"type": "column"})
    for col, name, color in (
        (5, "Kế hoạch vốn năm", "#5B9BD5"),
        (6, "Giải ngân lũy kế", "#4E9A3A"),
    ):
        chart.add_series(
            {
                "name": name,
                "categories": [sh.name, first_row, 1, last_row, 1],
                "values": [sh.name, first_row, col, last_row, col],
                "fill": {"color": color},
                "data_labels": {
                    "value": True,
                    "num_format": "#,##0",
                    "font": {"name": FONT, "size": 9},
                },
            }
        )
    chart.set_title(
        {"name": "Kế hoạch vốn và giải ngân theo nguồn vốn (triệu đồng)",
         "name_font": {"name": FONT, "size": 12}}
    )  # fmt: skip
    chart.set_legend({"position": "bottom", "font": {"name": FONT, "size": 10}})
    chart.set_x_axis({"num_font": {"name": FONT, "size": 10}})
    chart.set_y_axis({"num_font": {"name": FONT, "size": 9}, "num_format": "#,##0"})
    chart.set_size({"width": 620, "height": 250})
    sh.ws.insert_chart(sh.row + 1, 1, chart, {"x_offset": 10, "y_offset": 4, "object_position": 1})


def _project_list(
    book: Book,
    data: ProjectsData,
    name: str,
    number: str,
    title: str,
    rows: Sequence[ProjectRow],
    *,
    lagging: bool,
) -> None:
    if lagging:
        widths = [6, 36, 12, 13, 13, 9, 18, 9, 30, 28, 15]
        headers = ["STT", "Tên dự án", "Nguồn vốn", "Kế hoạch vốn năm (triệu đồng)",
                   "Giải ngân lũy kế (triệu đồng)", "Tỷ lệ giải ngân (%)", "Giai đoạn",
                   "Cam kết đến 31/12 (%)", "Lý do xếp chậm giải ngân", "Khó khăn, vướng mắc",
                   "Cán bộ đầu mối"]  # fmt: skip
    else:
        widths = [6, 36, 12, 13, 13, 14, 30, 30, 15]
        headers = ["STT", "Tên dự án", "Nguồn vốn", "Tổng mức đầu tư (triệu đồng)",
                   "Kế hoạch vốn năm (triệu đồng)", "Thời hạn hoàn thành", "Khó khăn, vướng mắc",
                   "Đề xuất, kiến nghị", "Cán bộ đầu mối"]  # fmt: skip
    sh = book.sheet(name, widths)
    st = sh.st
    appendix_title(
        sh, number, title,
        f"(Kèm theo báo cáo dự án {data.period.label.lower()}; {len(rows)} dự án)",
    )  # fmt: skip
    sh.header(headers)
    if not rows:
        sh.merged("Không có dự án nào.", st.td)
        return
    for num, unit, group in grouped(rows, data.unit_names):
        sh.group_row(f"{roman(num)}. {unit} ({len(group)} dự án)")
        for i, p in enumerate(group, 1):
            project = (p.project or "") + (" [số liệu kỳ trước]" if p.carried else "")
            if lagging:
                sh.cells(
                    [i, project, p.fund_source, p.year_plan, p.disbursed,
                     None if p.rate is None else round(p.rate, 1), p.stage, p.committed_pct,
                     _lagging(p, data), p.bottleneck, p.officer],
                    [st.td_center, st.td, st.td, st.td_num, st.td_num, st.td_pct, st.td,
                     st.td_pct, st.td, st.td, st.td],
                )  # fmt: skip
            else:
                sh.cells(
                    [i, project, p.fund_source, p.total_investment, p.year_plan, p.deadline,
                     p.bottleneck, p.proposal, p.officer],
                    [st.td_center, st.td, st.td, st.td_num, st.td_num, st.td_center, st.td,
                     st.td, st.td],
                )  # fmt: skip


def _lagging(p: ProjectRow, data: ProjectsData) -> str:
    return lagging_text(
        p.lagging, p.rate, data.path_pct, data.lagging_rate_pct, data.path_tolerance_pct
    )


def _project_issues(book: Book, data: ProjectsData) -> None:
    rows = data.issues
    sh = book.sheet("Điểm nghẽn, kiến nghị", [6, 36, 20, 46, 46])
    st = sh.st
    appendix_title(
        sh, "III", "KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ CỦA CÁC CHỦ ĐẦU TƯ",
        f"(Kèm theo báo cáo dự án {data.period.label.lower()}; {len(rows)} dự án có nội dung)",
    )  # fmt: skip
    sh.header(["STT", "Tên dự án", "Giai đoạn", "Khó khăn, vướng mắc", "Đề xuất, kiến nghị"])
    if not rows:
        sh.merged("Không có chủ đầu tư nào nêu khó khăn, vướng mắc hoặc kiến nghị.", st.td)
        return
    for num, unit, group in grouped(rows, data.unit_names):
        sh.group_row(f"{roman(num)}. {unit}")
        for i, p in enumerate(group, 1):
            sh.cells([i, p.project, p.stage, p.bottleneck, p.proposal], st.td)


_PROJECT_DETAIL: tuple[tuple[str, float, str], ...] = (
    ("Mã dự án", 11, "project_code"),
    ("Tên dự án", 36, "project"),
    ("Bài toán lớn", 16, "big_problem"),
    ("Nguồn vốn", 12, "fund_source"),
    ("Tổng mức đầu tư (triệu đồng)", 13, "total_investment"),
    ("Kế hoạch vốn năm (triệu đồng)", 13, "year_plan"),
    ("Giải ngân lũy kế (triệu đồng)", 13, "disbursed"),
    ("Tỷ lệ giải ngân (%)", 9, "rate"),
    ("Giai đoạn", 18, "stage"),
    ("Tiến độ thực hiện (%)", 9, "progress"),
    ("Thời hạn hoàn thành", 13, "deadline"),
    ("Cam kết giải ngân đến 31/12 (%)", 10, "committed_pct"),
    ("Chậm giải ngân", 26, "lagging"),
    ("Khó khăn, vướng mắc", 28, "bottleneck"),
    ("Đề xuất, kiến nghị", 28, "proposal"),
    ("Cán bộ đầu mối", 15, "officer"),
    ("Cảnh báo khi tiếp nhận", 26, "issues"),
)


def _project_detail(book: Book, data: ProjectsData) -> None:
    cols = _PROJECT_DETAIL
    widths = [6, 22, *(w for _, w, _ in cols), 24, 15, 14]
    sh = book.sheet("Chi tiết dự án", widths)
    st = sh.st
    sh.merged(f"CHI TIẾT DỰ ÁN — {data.period.label.upper()}", st.section, last=6, height=20)
    header_row = sh.header(
        ["STT", "Chủ đầu tư", *(label for label, _, _ in cols), "Tệp nguồn", "Thời điểm nhận",
         "Số liệu"], height=56,
    )  # fmt: skip
    money_keys = {"total_investment", "year_plan", "disbursed"}
    pct_keys = {"rate", "progress", "committed_pct"}
    fmts = [st.d_center, st.d_text]
    for _, _, key in cols:
        fmts.append(st.d_money if key in money_keys else st.d_pct if key in pct_keys else st.d_text)
    fmts += [st.d_text, st.d_dt, st.d_text]
    snaps = {s.submission_id: s for s in data.selection.snapshots}
    first = sh.row
    for i, p in enumerate(data.projects, 1):
        snap = snaps[p.submission_id]
        values = [i, data.unit_names.get(p.unit_code, p.unit_code)]
        for _, _, key in cols:
            v: Any = _lagging(p, data) if key == "lagging" else getattr(p, key)
            values.append(round(v, 1) if key == "rate" and v is not None else v)
        values += [snap.original_name, snap.received_at, usage_label(snap)]
        sh.cells(values, fmts)
    last = max(sh.row - 1, first)
    sh.ws.autofilter(header_row, 0, last, len(widths) - 1)
    sh.ws.freeze_panes(header_row + 1, 3)
