"""The scorecard workbook (``Bang-diem-<range>.xlsx``): the method first, then the ranking.

Sheets: ``Phương pháp`` (heading, what is counted, weights, bands, units per band with a
native chart), ``Bảng điểm`` (units ranked by score, frozen header and filters), ``Theo
tuần`` (unit × week: the reporting status of each week, as in that week's report).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from consolidate.core.config import SCORE_COMPONENTS, Office
from consolidate.core.fmt import fmt_dt, fmt_num
from consolidate.render.kit import FONT, Book, cyclic_gc_paused
from consolidate.render.output import WriteOutcome, safe_write
from consolidate.render.trends import status_grid
from consolidate.reports.scorecard import ScorecardData

BAND_COLORS = {"A": "#C6EFCE", "B": "#E2EFDA", "C": "#FFEB9C", "D": "#FCE4D6", "E": "#FFC7CE"}
COMPONENT_METHOD = {
    "reporting": "Số kỳ nộp đúng hạn + hệ số × số kỳ nộp trễ hạn, chia cho số kỳ phải báo cáo "
    "(báo cáo tuần và, với chủ đầu tư, báo cáo dự án).",
    "tasks": "Trong các nhiệm vụ đã đến hạn (đã hoàn thành hoặc quá hạn) tại tuần cuối của "
    "khoảng: tỷ lệ hoàn thành đúng hạn.",
    "six_clear": "Tỷ lệ dòng nhiệm vụ ghi đủ 06 rõ trong các báo cáo của đơn vị được tính "
    "trong khoảng (mỗi báo cáo một lần).",
    "disbursement": "Chủ đầu tư: tỷ lệ giải ngân so với kế hoạch vốn năm, chia cho tiến độ theo "
    "thời gian tại kỳ báo cáo dự án cuối của khoảng (tối đa 100 %).",
}


def write_scorecard(data: ScorecardData, target: Path, office: Office) -> WriteOutcome:
    with cyclic_gc_paused():
        return safe_write(target, lambda tmp: _workbook(data, tmp, office))


def _workbook(data: ScorecardData, path: Path, office: Office) -> None:
    book = Book(path, data.now, office)
    try:
        _method(book, data)
        _ranking(book, data)
        if data.weekly is not None:
            status_grid(book, "Theo tuần", data.weekly, "TÌNH HÌNH BÁO CÁO TUẦN CỦA TỪNG ĐƠN VỊ")
        if data.projects is not None and not data.projects.frame.empty:
            status_grid(
                book, "Theo kỳ dự án", data.projects, "TÌNH HÌNH BÁO CÁO DỰ ÁN CỦA CHỦ ĐẦU TƯ"
            )
    finally:
        book.close()


def _band_formats(book: Book) -> dict[str, Any]:
    cell = {"font_name": FONT, "font_size": 11, "border": 1, "align": "center", "valign": "top"}
    return {
        name: book.wb.add_format({**cell, "bold": True, "bg_color": color})
        for name, color in BAND_COLORS.items()
    }


def _method(book: Book, data: ScorecardData) -> None:
    sh = book.sheet("Phương pháp", [8, 42, 48, 12, 12])
    sh.ws.hide_gridlines(2)
    st = sh.st
    sh.official_heading(1, data.now.date())
    sh.merged("BẢNG ĐIỂM ĐƠN VỊ", st.title, height=22)
    sh.para(
        "Việc gửi báo cáo, thực hiện nhiệm vụ, ghi đủ 06 rõ và giải ngân của các sở, ban, "
        f"ngành, xã, phường — {data.range.label.lower()}",
        st.subtitle,
    )
    weeks = data.weekly.periods if data.weekly else []
    proj = data.projects.periods if data.projects else []
    sh.para(
        f"(Các kỳ có hạn chốt từ {data.range.first:%d/%m/%Y} đến {data.range.last:%d/%m/%Y} "
        f"đã qua hạn chốt: {len(weeks)} kỳ báo cáo tuần, {len(proj)} kỳ báo cáo dự án; số liệu "
        f"tính đến {fmt_dt(data.now)})",
        st.caption,
    )
    sh.blank(height=8)
    sh.merged("I. CÁCH TÍNH ĐIỂM", st.section, height=20)
    total_w = sum(data.weights.values())
    sh.para(
        "Điểm (thang 100) = tổng của (trọng số × mức đạt) các thành phần áp dụng cho đơn vị, "
        "chia cho tổng trọng số của các thành phần đó. Thành phần không áp dụng (đơn vị không "
        "phải chủ đầu tư, chưa có nhiệm vụ đến hạn) không tính vào mẫu số. Báo cáo nộp trễ hạn "
        f"được tính {fmt_num(data.late_credit * 100)} % của một báo cáo đúng hạn. Đơn vị chỉ "
        "được tính các kỳ phải báo cáo (đơn vị mới tham gia hoặc thôi báo cáo trong khoảng chỉ "
        "tính các kỳ có tên trong danh sách). Tình hình từng kỳ trùng với trang “Tình hình báo "
        "cáo” của báo cáo kỳ đó.",
        st.para,
    )
    sh.header(["STT", "Thành phần", "Cách tính", "Trọng số", "Tỷ trọng (%)"], repeat=False)
    fmts = [st.td_center, st.td, st.td, st.td_num, st.td_pct]
    for i, key in enumerate(SCORE_COMPONENTS, 1):
        w = data.weights.get(key, 0.0)
        sh.cells([i, SCORE_COMPONENTS[key], COMPONENT_METHOD[key], w, 100.0 * w / total_w], fmts)
    sh.blank()
    sh.merged("II. MỨC XẾP LOẠI", st.section, height=20)
    sh.header(["Mức", "Xếp loại", "Khoảng điểm", "Số đơn vị", "Tỷ lệ (%)"], repeat=False)
    bands = _band_formats(book)
    n_units = len(data.table)
    first_row = sh.row
    for b in data.bands:
        n = int((data.table["band"] == b["band"]).sum())
        top = "≤ 100" if b["to"] >= 100 else f"< {b['to']:g}"
        sh.cells(
            [b["band"], b["label"], f"từ {b['from']:g} đến {top}", n,
             100.0 * n / n_units if n_units else 0.0],
            [bands.get(b["band"], st.td_center), st.td, st.td_center, st.td_int, st.td_pct],
        )  # fmt: skip
    last_row = sh.row - 1
    sh.cells(["", "Tổng số đơn vị", "", n_units, 100.0 if n_units else 0.0],
             [st.tot, st.tot, st.tot, st.tot_int, st.tot_pct])  # fmt: skip
    if n_units:
        chart = book.wb.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": "Số đơn vị",
                "categories": [sh.name, first_row, 0, last_row, 0],
                "values": [sh.name, first_row, 3, last_row, 3],
                "points": [{"fill": {"color": BAND_COLORS.get(b["band"], "#5B9BD5")},
                            "border": {"color": "#7F7F7F"}} for b in data.bands],
                "data_labels": {"value": True, "font": {"name": FONT, "size": 11}},
                "gap": 80,
            }
        )  # fmt: skip
        chart.set_title({"name": "Số đơn vị theo mức xếp loại", "name_font": {"name": FONT,
                         "size": 12}})  # fmt: skip
        chart.set_legend({"none": True})
        chart.set_x_axis({"num_font": {"name": FONT, "size": 11}})
        chart.set_y_axis({"num_font": {"name": FONT, "size": 11}, "min": 0, "major_unit":
                          max(1, math.ceil(n_units / 8)), "num_format": "0",
                          "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})  # fmt: skip
        chart.set_size({"width": 620, "height": 260})
        sh.blank()
        sh.ws.insert_chart(sh.row, 1, chart, {"x_offset": 10, "object_position": 1})
        sh.blank(14)
    sh.blank()
    sh.para(f"{book.office.prepared_by}. Bảng xếp hạng chi tiết: trang “Bảng điểm”.", st.note)


#: Key, header, width, format name. The ranking prints one page wide at ≥ 84 % (kit.print_
#: setup), so no column of a unit's row goes to another page: LibreOffice lays out 18
#: columns ~4 % wider than kit.COLUMN_UNIT_PT says (each column's padding), so the widths
#: (135.7 units) keep that margin; the unit column holds the longest unit name on one line.
_RANK_COLUMNS: tuple[tuple[str, str, float, str], ...] = (
    ("rank", "Hạng", 4.5, "td_center"),
    ("name", "Đơn vị", 30, "td"),
    ("score", "Điểm", 6.5, "td_pct"),
    ("band", "Xếp loại", 6.5, "band"),
    ("weekly_owed", "Tuần phải báo cáo", 6.3, "td_int"),
    ("weekly_on_time", "Đúng hạn", 6.3, "td_int"),
    ("weekly_late", "Trễ hạn", 6.3, "td_int"),
    ("weekly_missing", "Chưa báo cáo", 6.3, "td_int"),
    ("weekly_rejected", "Bị từ chối, chưa gửi lại", 6.3, "td_int"),
    ("weekly_first_rejected", "Lần gửi đầu bị từ chối", 6.3, "td_int"),
    ("projects_owed", "Kỳ dự án phải báo cáo", 6.3, "td_int"),
    ("projects_on_time", "Dự án: đúng hạn", 6.3, "td_int"),
    ("tasks_total", "Nhiệm vụ (tuần cuối)", 6.3, "td_int"),
    ("tasks_done_on_time", "Hoàn thành đúng hạn", 6.3, "td_int"),
    ("tasks_done_late", "Hoàn thành quá hạn", 6.3, "td_int"),
    ("tasks_overdue", "Quá hạn", 6.3, "td_int"),
    ("six_clear_pct", "Ghi đủ 06 rõ (%)", 6.3, "td_pct"),
    ("disbursement_pct", "Giải ngân (%)", 6.3, "td_pct"),
)


def _value(v: Any) -> Any:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    return v.item() if hasattr(v, "item") else v


def _ranking(book: Book, data: ScorecardData) -> None:
    widths = [w for _, _, w, _ in _RANK_COLUMNS]
    sh = book.sheet("Bảng điểm", widths)
    st = sh.st
    sh.merged("BẢNG XẾP HẠNG ĐƠN VỊ", st.title, height=22)
    sh.para(f"{data.range.label} — xếp theo điểm từ cao xuống thấp", st.caption)
    sh.blank()
    header_row = sh.header([h for _, h, _, _ in _RANK_COLUMNS])
    bands = _band_formats(book)
    base = [getattr(st, f) if f != "band" else None for _, _, _, f in _RANK_COLUMNS]
    i_band = [k for k, _, _, _ in _RANK_COLUMNS].index("band")
    for rec in data.records():
        fmts = list(base)
        fmts[i_band] = bands.get(rec["band"], st.td_center)
        sh.cells([_value(rec[k]) for k, _, _, _ in _RANK_COLUMNS], fmts)
    if data.table.empty:
        sh.merged("Không có đơn vị nào phải báo cáo trong khoảng này.", st.td)
    last = max(sh.row - 1, header_row)
    sh.ws.autofilter(header_row, 0, last, len(widths) - 1)
    sh.ws.freeze_panes(header_row + 1, 2)
    sh.blank()
    sh.para(
        "Ghi chú: “Nhiệm vụ (tuần cuối)” là số nhiệm vụ trong báo cáo được tính của tuần cuối "
        "cùng trong khoảng; giải ngân chỉ áp dụng cho chủ đầu tư. Ô trống: không áp dụng.",
        st.note,
    )
