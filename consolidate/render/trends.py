"""The ``Xu hướng`` sheet of the weekly workbook and the unit × period status grid.

The scorecard workbook shares the grid.

Written top to bottom like every sheet (also in xlsxwriter's constant_memory mode): the
table of the last weeks, two native line charts (units reporting; tasks completed, overdue,
due soon), then one row per unit with its reporting status in each week.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from consolidate.core.fmt import fmt_date
from consolidate.render.kit import FONT, Book, Sheet, count_axis
from consolidate.reports.history import History
from consolidate.reports.selection import EXTRA, LATE, MISSING, ON_TIME, REJECTED
from consolidate.reports.trends import Trends

#: Short labels of the reporting status in the unit × period grids.
GRID_LABELS = {
    ON_TIME: "Đúng hạn",
    LATE: "Trễ hạn",
    MISSING: "Chưa BC",
    REJECTED: "Bị từ chối",
    EXTRA: "Gửi thêm",
    "": "—",
}
GRID_NOTE = (
    "Đúng hạn / Trễ hạn / Chưa BC (chưa báo cáo) / Bị từ chối (chờ gửi lại) / Gửi thêm "
    "(ngoài danh sách phải báo cáo); “—”: kỳ đó đơn vị không phải báo cáo."
)
_GRID_COLORS = {
    ON_TIME: ("#C6EFCE", "#006100"),
    LATE: ("#FFEB9C", "#7F4F00"),
    MISSING: ("#FFC7CE", "#9C0006"),
    REJECTED: ("#FCE4D6", "#833C0B"),
    EXTRA: ("#EDEDED", "#404040"),
    "": ("#FFFFFF", "#7F7F7F"),
}

#: Line colours of the charts, and the darker shade their value labels are written in
#: (amber text on white is hard to read).
GREEN, AMBER, RED = "#4E9A3A", "#FFC000", "#C00000"
_LABEL_COLOR = {GREEN: "#38702A", AMBER: "#996600", RED: "#C00000"}

#: Columns of the weekly table: (key of a trend row, header, number format).
_TABLE = (
    ("expected", "Đơn vị phải báo cáo", "td_int"),
    ("on_time", "Đúng hạn", "td_int"),
    ("late", "Trễ hạn", "td_int"),
    ("missing", "Chưa báo cáo", "td_int"),
    ("rejected", "Bị từ chối, chờ gửi lại", "td_int"),
    ("completeness_pct", "Tỷ lệ đã báo cáo (%)", "td_pct"),
    ("tasks_total", "Tổng số nhiệm vụ", "td_int"),
    ("tasks_done", "Đã hoàn thành", "td_int"),
    ("overdue", "Quá hạn", "td_int"),
    ("due_soon", "Sắp đến hạn", "td_int"),
    ("six_clear_pct", "Đủ 06 rõ (%)", "td_pct"),
)


def short_key(key: str) -> str:
    """'2026-W23' -> 'T23/26' (tuần 23); '2026-06/1' -> 'Kỳ 1 T6/26' (kỳ 1 tháng 6)."""
    if "-W" in key:
        year, week = key.split("-W")
        return f"T{week}/{year[2:]}"
    ym, n = key.split("/")
    year, month = ym.split("-")
    return f"Kỳ {n} T{int(month)}/{year[2:]}"


def status_formats(book: Book) -> dict[str, Any]:
    cell = {"font_name": FONT, "font_size": 11, "border": 1, "align": "center", "valign": "top"}
    return {
        s: book.wb.add_format({**cell, "bg_color": fill, "font_color": font})
        for s, (fill, font) in _GRID_COLORS.items()
    }


def grid_rows(sh: Sheet, hist: History, *, first_col_label: str = "Đơn vị") -> int:
    """The unit × period grid from the sheet's current row (columns 0, 1 and one per
    period); returns the header row."""
    st = sh.st
    n = len(hist.periods)
    labels = ["STT", first_col_label, *(short_key(p.key) for p in hist.periods)]
    header = sh.header(labels + [None] * (sh.ncols - len(labels)), repeat=False)
    fmts = status_formats(sh.book)
    grid = hist.grid()
    pad = [None] * (sh.ncols - 2 - n)
    for i, (code, row) in enumerate(zip(grid.index, grid.to_numpy().tolist(), strict=True), 1):
        sh.cells(
            [i, hist.unit_names.get(code, code), *(GRID_LABELS.get(s, s) for s in row), *pad],
            [st.td_center, st.td, *(fmts.get(s, st.td_center) for s in row), *([None] * len(pad))],
        )
    if grid.empty:
        sh.merged("Không có đơn vị nào phải báo cáo.", st.td)
    return header


def status_grid(book: Book, name: str, hist: History, title: str) -> Sheet:
    """A sheet holding only the unit × period grid (the scorecard's ``Theo tuần``)."""
    sh = book.sheet(name, [6, 30] + [9.5] * len(hist.periods))
    st = sh.st
    sh.merged(title, st.title, height=22)
    sh.para(GRID_NOTE, st.caption)
    sh.blank()
    header = grid_rows(sh, hist)
    sh.ws.repeat_rows(header)
    sh.ws.freeze_panes(header + 1, 2)
    return sh


def trends_sheet(book: Book, data: Trends, due_soon_days: int) -> None:
    """``Xu hướng``: the last weeks side by side, two line charts, the unit × week grid."""
    n = len(data.periods)
    widths = [5, 30] + [9.5] * max(len(_TABLE), n)
    sh = book.sheet("Xu hướng", [*widths, 8])
    # the last column (hidden) holds the short week labels the charts use as categories
    label_col = len(widths)
    sh.ws.set_column(label_col, label_col, 8, None, {"hidden": True})
    sh.ncols = len(widths)
    st = sh.st
    sh.merged("XU HƯỚNG CÁC TUẦN GẦN NHẤT", st.title, height=22)
    first, last = data.periods[0], data.periods[-1]
    sh.para(
        f"Từ {first.label.lower()} đến {last.label.lower()}; mỗi tuần là số liệu của báo cáo "
        f"tuần đó, trạng thái nhiệm vụ tính đến ngày chốt của tuần (ghi trong ngoặc).",
        st.caption,
    )
    comparison = data.comparison()
    if comparison:
        sh.para(comparison, st.para)
    sh.blank()
    sh.merged("I. SỐ LIỆU THEO TUẦN", st.section, height=20)
    pad = [None] * (sh.ncols - 2 - len(_TABLE))
    header = sh.header(["STT", "Tuần (ngày chốt)", *(h for _, h, _ in _TABLE), *pad], repeat=False)
    sh.ws.set_row(header, 48)
    fmts = [st.td_center, st.td, *(getattr(st, f) for _, _, f in _TABLE), *([None] * len(pad))]
    first_row = sh.row
    records = list(data.records())
    for i, (period, row) in enumerate(zip(data.periods, records, strict=True), 1):
        label = f"{short_key(period.key)} ({fmt_date(period.cutoff.date())})"
        sh.ws.write_string(sh.row, label_col, short_key(period.key))
        sh.cells([i, label, *(row[k] for k, _, _ in _TABLE), *pad], fmts)
    last_row = sh.row - 1
    sh.blank()
    charts_at = sh.row
    _line_chart(book, sh, (first_row, last_row, label_col), charts_at, 1, "Đơn vị gửi báo cáo",
                [("on_time", "Đúng hạn", GREEN), ("late", "Trễ hạn", AMBER),
                 ("missing", "Chưa báo cáo", RED)], records)  # fmt: skip
    _line_chart(book, sh, (first_row, last_row, label_col), charts_at, 7, "Nhiệm vụ",
                [("tasks_done", "Đã hoàn thành", GREEN), ("overdue", "Quá hạn", RED),
                 ("due_soon", f"Sắp đến hạn ({due_soon_days} ngày)", AMBER)],
                records)  # fmt: skip
    sh.blank(17)
    # The grid starts a page of its own, its header repeated on the pages after it.
    sh.ws.set_h_pagebreaks([sh.row])
    sh.merged("II. TÌNH HÌNH BÁO CÁO CỦA TỪNG ĐƠN VỊ QUA CÁC TUẦN", st.section, height=20)
    sh.para(GRID_NOTE, st.note)
    grid_header = grid_rows(sh, data.history)
    sh.ws.repeat_rows(grid_header)
    sh.ws.freeze_panes(header + 1, 2)


def _line_chart(
    book: Book,
    sh: Sheet,
    rows: tuple[int, int, int],
    at_row: int,
    at_col: int,
    title: str,
    series: list[tuple[str, str, str]],
    records: Sequence[Mapping[str, Any]],
) -> None:
    first_row, last_row, label_col = rows
    largest = max((row[k] or 0 for row in records for k, _, _ in series), default=0)
    keys = [k for k, _, _ in _TABLE]
    chart = book.wb.add_chart({"type": "line"})
    chart.show_hidden_data()
    for key, name, color in series:
        col = 2 + keys.index(key)
        chart.add_series(
            {
                "name": name,
                "categories": [sh.name, first_row, label_col, last_row, label_col],
                "values": [sh.name, first_row, col, last_row, col],
                "line": {"color": color, "width": 2.25},
                "marker": {"type": "circle", "size": 6, "fill": {"color": color},
                           "border": {"color": color}},
                # only the newest week is labelled (beside its point): every week's
                # figure is in the table above, and labels on every point of three lines
                # overlap wherever the lines come close
                "data_labels": {"value": True, "position": "right",
                                "custom": [{"delete": True}] * (last_row - first_row) + [{}],
                                "font": {"name": FONT, "size": 11, "bold": True,
                                         "color": _LABEL_COLOR.get(color, color)}},
            }
        )  # fmt: skip
    chart.set_title({"name": title, "name_font": {"name": FONT, "size": 12}})
    chart.set_legend({"position": "bottom", "font": {"name": FONT, "size": 11}})
    chart.set_x_axis({"num_font": {"name": FONT, "size": 11}})
    chart.set_y_axis(count_axis(largest, ticks=6, major_gridlines={"visible": True,
                                "line": {"color": "#D9D9D9"}}))  # fmt: skip
    chart.set_chartarea({"border": {"color": "#BFBFBF"}})
    width = sum(int(w * 7 + 5) for w in sh.widths[at_col : at_col + 6]) - 12
    chart.set_size({"width": max(width, 360), "height": 300})
    sh.ws.insert_chart(at_row, at_col, chart, {"x_offset": 4, "object_position": 1})
