"""The projects workbook (``Bao-cao-du-an-<kỳ>.xlsx``)."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from consolidate.core.config import Office
from consolidate.core.fmt import fmt_date, fmt_dt, fmt_money, fmt_num, fmt_pct
from consolidate.render.kit import FONT, VI_INT, Book, Sheet, cyclic_gc_paused, excel_date
from consolidate.render.output import WriteOutcome, safe_write
from consolidate.render.shared import (
    appendix_title,
    cell_format,
    detail_format,
    grouped,
    reporting_sheet,
    roman,
    sources_sheet,
    table,
)
from consolidate.render.wording import lagging_text, usage_label
from consolidate.reports.projects import MoneySummary, ProjectsData
from consolidate.reports.rows import ProjectRow
from schemas import PROJECTS
from schemas.columns import Column, Kind
from schemas.reports import detail_columns, report_column

# --- projects -----------------------------------------------------------------------------------


def write_projects(data: ProjectsData, target: Path, office: Office) -> WriteOutcome:
    with cyclic_gc_paused():
        return safe_write(target, lambda tmp: _projects_workbook(data, tmp, office))


def _projects_workbook(data: ProjectsData, path: Path, office: Office) -> None:
    book = Book(path, data.horizon, office)
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


def _money_headers() -> list[str]:
    """Sums of the spec's money columns, the rate, then the office's own figures."""
    spec = PROJECTS.column
    return [
        "Số dự án",
        spec("total_investment").report_title,
        spec("year_plan").report_title,
        spec("disbursed").report_title,
        report_column(PROJECTS, "rate").report_title,
        "Cam kết giải ngân đến 31/12 (triệu đồng)",
        "Tỷ lệ cam kết (%)",
        "Dự án chậm giải ngân",
        "Chưa phê duyệt chủ trương",
    ]


def _projects_summary(book: Book, data: ProjectsData) -> None:
    widths = [5, 27, 16, 8, 13, 13, 13, 9, 13, 9, 9, 10]
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
        f"- Tổng số {total.n_projects} dự án; kế hoạch vốn năm {fmt_money(total.year_plan)} triệu "
        f"đồng; đã giải ngân {fmt_money(total.disbursed)} triệu đồng, đạt {rate} (tiến độ theo "
        f"thời gian: {fmt_pct(data.path_pct)}).",
        f"- {total.n_lagging} dự án chậm giải ngân (tỷ lệ dưới {fmt_pct(data.lagging_rate_pct)} "
        f"hoặc thấp hơn tiến độ theo thời gian quá {fmt_num(data.path_tolerance_pct)} điểm %); "
        f"{total.n_no_policy} dự án chưa được phê duyệt chủ trương đầu tư.",
    ]
    for s in funds:
        s_rate = "—" if s.rate is None else fmt_pct(s.rate)
        lines.append(
            f"- Nguồn {s.label.lower()}: {s.n_projects} dự án, kế hoạch {fmt_money(s.year_plan)} "
            f"triệu đồng, giải ngân {fmt_money(s.disbursed)} triệu đồng ({s_rate})."
        )
    for line in lines:
        sh.para(line, st.para)
    sh.blank()

    sh.merged("II. GIẢI NGÂN THEO NGUỒN VỐN", st.section, height=20)
    sh.header(
        ["STT", "Nguồn vốn", None, *_money_headers()], merge=[(1, 2)], height=64, repeat=False
    )
    money = [st.td_int, st.td_money, st.td_money, st.td_money, st.td_pct, st.td_money,
             st.td_pct, st.td_int, st.td_int]  # fmt: skip
    fund_first = sh.row
    for i, s in enumerate(funds, 1):
        sh.cells(
            [i, s.label, None, *_money_cells(s)],
            [st.td_center, st.td, st.td, *money],
            merge=[(1, 2)],
        )
    fund_last = sh.row - 1
    tot = [st.tot_int, st.tot_money, st.tot_money, st.tot_money, st.tot_pct, st.tot_money,
           st.tot_pct, st.tot_int, st.tot_int]  # fmt: skip
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
    sh.header(["STT", "Chủ đầu tư", "Tình hình báo cáo", *_money_headers()], height=64)
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
        f"{book.office.prepared_by}.",
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
                    "num_format": VI_INT,
                    "font": {"name": FONT, "size": 11},
                },
            }
        )
    chart.set_title(
        {"name": "Kế hoạch vốn và giải ngân theo nguồn vốn (triệu đồng)",
         "name_font": {"name": FONT, "size": 12}}
    )  # fmt: skip
    chart.set_legend({"position": "bottom", "font": {"name": FONT, "size": 11}})
    chart.set_x_axis({"num_font": {"name": FONT, "size": 11}})
    chart.set_y_axis({"num_font": {"name": FONT, "size": 11}, "num_format": VI_INT, "min": 0})
    chart.set_size({"width": 620, "height": 250})
    sh.ws.insert_chart(sh.row + 1, 1, chart, {"x_offset": 10, "y_offset": 4, "object_position": 1})


#: The lists of the projects report, by key (labels and widths from schemas).
_LAGGING_KEYS = ("no", "project", "fund_source", "year_plan", "disbursed", "rate", "stage",
                 "committed_pct", "lagging", "bottleneck", "officer")  # fmt: skip
_NO_POLICY_KEYS = ("no", "project", "fund_source", "total_investment", "year_plan", "deadline",
                   "bottleneck", "proposal", "officer")  # fmt: skip
_ISSUES_KEYS = ("no", "project", "stage", "bottleneck", "proposal")


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
    keys = _LAGGING_KEYS if lagging else _NO_POLICY_KEYS
    cols = table(PROJECTS, keys, {"lagging": 30, "deadline": 14, "bottleneck": 30, "proposal": 30})
    sh = book.sheet(name, cols.widths)
    st = sh.st
    appendix_title(
        sh, number, title,
        f"(Kèm theo báo cáo dự án {data.period.label.lower()}; {len(rows)} dự án)",
    )  # fmt: skip
    sh.header(cols.labels)
    if not rows:
        sh.merged("Không có dự án nào.", st.td)
        return
    fmts = [cell_format(st, c) for c in cols.columns]
    for num, unit, group in grouped(rows, data.unit_names):
        sh.group_row(f"{roman(num)}. {unit} ({len(group)} dự án)")
        for i, p in enumerate(group, 1):
            sh.cells([i, *(_value(p, k, data) for k in keys[1:])], fmts)


def _value(p: ProjectRow, key: str, data: ProjectsData) -> Any:
    """A project's value in a report column: what the unit wrote, or what the office derives."""
    if key == "project":
        return (p.project or "") + (" [số liệu kỳ trước]" if p.carried else "")
    if key == "rate":
        return None if p.rate is None else round(p.rate, 1)
    if key == "lagging":
        return lagging_text(
            p.lagging, p.rate, data.path_pct, data.lagging_rate_pct, data.path_tolerance_pct
        )
    return getattr(p, key)


def _project_issues(book: Book, data: ProjectsData) -> None:
    rows = data.issues
    cols = table(PROJECTS, _ISSUES_KEYS, {"stage": 20, "bottleneck": 46, "proposal": 46})
    sh = book.sheet("Điểm nghẽn, kiến nghị", cols.widths)
    st = sh.st
    appendix_title(
        sh, "III", "KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ CỦA CÁC CHỦ ĐẦU TƯ",
        f"(Kèm theo báo cáo dự án {data.period.label.lower()}; {len(rows)} dự án có nội dung)",
    )  # fmt: skip
    sh.header(cols.labels)
    if not rows:
        sh.merged("Không có chủ đầu tư nào nêu khó khăn, vướng mắc hoặc kiến nghị.", st.td)
        return
    values = operator.attrgetter(*_ISSUES_KEYS[1:])
    for num, unit, group in grouped(rows, data.unit_names):
        sh.group_row(f"{roman(num)}. {unit}")
        for i, p in enumerate(group, 1):
            sh.cells([i, *values(p)], st.td)


#: Chi tiết dự án: every column of the spec a report shows (Column.detail), in spec order,
#: with the derived ones after the keys below; labels and widths from schemas.
DETAIL_HEAD = ("no", "unit")
DETAIL_AFTER: dict[str, tuple[str, ...]] = {"disbursed": ("rate",), "committed_pct": ("lagging",)}
DETAIL_TAIL = ("issues", "file", "received", "usage")


def detail_columns_of_projects() -> list[Column]:
    return detail_columns(PROJECTS, DETAIL_HEAD, DETAIL_AFTER, DETAIL_TAIL)


def _project_detail(book: Book, data: ProjectsData) -> None:
    cols = detail_columns_of_projects()
    widths = [c.report_size for c in cols]
    sh = book.sheet("Chi tiết dự án", widths)
    st = sh.st
    sh.merged(f"CHI TIẾT DỰ ÁN — {data.period.label.upper()}", st.section, last=6, height=20)
    header_row = sh.header([c.report_title for c in cols], height=56)
    fmts = [detail_format(st, c) for c in cols]
    keys = [c.key for c in cols]
    kinds = [c.kind for c in cols]
    snaps = {s.submission_id: s for s in data.selection.snapshots}
    names = data.unit_names
    first = sh.row
    for i, p in enumerate(data.projects, 1):
        snap = snaps[p.submission_id]
        values: list[Any] = []
        for key, kind in zip(keys, kinds, strict=True):
            if key == "no":
                values.append(i)
            elif key == "unit":
                values.append(names.get(p.unit_code, p.unit_code))
            elif key == "file":
                values.append(snap.original_name)
            elif key == "received":
                values.append(snap.received_at)
            elif key == "usage":
                values.append(usage_label(snap))
            elif key in ("rate", "lagging"):
                values.append(_value(p, key, data))
            else:
                v = getattr(p, key)
                if kind == Kind.UNIT and v:
                    v = names.get(v, v)
                elif kind == Kind.DATE:
                    v = excel_date(v)
                values.append(v)
        sh.cells(values, fmts)
    last = max(sh.row - 1, first)
    sh.ws.autofilter(header_row, 0, last, len(widths) - 1)
    sh.ws.freeze_panes(header_row + 1, 3)
