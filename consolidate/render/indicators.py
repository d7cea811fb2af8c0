"""The indicators workbook (``Chi-tieu-<ngày>.xlsx``) and its ``Chỉ tiêu`` table.

The plan workbook carries the same table."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from consolidate.core.config import Office
from consolidate.core.fmt import fmt_date
from consolidate.render.kit import Book, Sheet, cyclic_gc_paused
from consolidate.render.output import WriteOutcome, safe_write
from consolidate.reports.indicators import MEAN, Indicators

WIDTHS = [6, 12, 44, 12, 34, 14, 14, 10, 13]


def write_indicators(
    data: Indicators, target: Path, office: Office, created: datetime
) -> WriteOutcome:
    with cyclic_gc_paused():
        return safe_write(target, lambda tmp: _workbook(data, tmp, office, created))


def _workbook(data: Indicators, path: Path, office: Office, created: datetime) -> None:
    book = Book(path, created, office)
    try:
        sh = book.sheet("Chỉ tiêu", WIDTHS)
        sh.ws.hide_gridlines(2)
        st = sh.st
        sh.official_heading(3, created.date())
        sh.merged("KẾT QUẢ THỰC HIỆN CHỈ TIÊU", st.title, height=22)
        sh.para(
            f"Tổng hợp từ báo cáo mới nhất của {data.n_units} đơn vị, tính đến ngày "
            f"{fmt_date(data.as_of)}",
            st.caption,
        )
        sh.blank()
        indicators_table(sh, data)
    finally:
        book.close()


def indicators_table(sh: Sheet, data: Indicators) -> None:
    """Per indicator a total row, then one row per unit; flagged when the units of measure
    disagree (no total then)."""
    st = sh.st
    pad = [None] * (sh.ncols - len(WIDTHS))
    header = sh.header(
        ["STT", "Mã chỉ tiêu", "Chỉ tiêu / đơn vị thực hiện", "Đơn vị tính", "Ghi chú",
         "Chỉ tiêu năm", "Kết quả lũy kế", "Tỷ lệ (%)", "Ngày báo cáo", *pad]
    )  # fmt: skip
    tot = [
        st.tot_int,
        st.tot,
        st.tot,
        st.tot_int,
        st.tot,
        st.tot_num,
        st.tot_num,
        st.tot_pct,
        st.tot,
    ]
    row_fmt = [st.td_center, st.td, st.sub, st.td_center, st.td, st.td_num, st.td_num,
               st.td_pct, st.td_center]  # fmt: skip
    units = {k: g for k, g in data.rows.groupby("indicator_key", sort=False)}
    for i, t in enumerate(data.totals.to_dict("records"), 1):
        if not t["consistent"]:
            note = (
                "Đơn vị tính không thống nhất ("
                + "; ".join(u or "trống" for u in t["units_of_measure"])
                + "): không cộng, xem từng đơn vị."
            )
        elif t["aggregation"] == MEAN:
            note = f"Bình quân của {t['n_units']} đơn vị (tỷ lệ không cộng dồn)."
        else:
            note = f"Tổng của {t['n_units']} đơn vị."
        sh.cells(
            [i, t["indicator_code"] or "", t["indicator"], t["unit_of_measure"] or "", note,
             _num(t["target"]), _num(t["achieved"]), _num(t["rate_pct"]), "", *pad],
            [*tot, *([None] * len(pad))],
        )  # fmt: skip
        for r in units[t["indicator_key"]].to_dict("records"):
            sh.cells(
                ["", "", f"- {r['unit_name']}", r["unit_of_measure"], "",
                 _num(r["target"]), _num(r["achieved"]), _num(r["rate_pct"]),
                 _day(r["report_date"]), *pad],
                [*row_fmt, *([None] * len(pad))],
            )  # fmt: skip
    if data.totals.empty:
        sh.merged("Chưa có đơn vị nào báo cáo chỉ tiêu trong năm.", st.td)
    sh.ws.freeze_panes(header + 1, 3)


def _num(value: object) -> float | None:
    if value is None or not isinstance(value, (int, float)) or value != value:
        return None
    return float(value)


def _day(text: object) -> str:
    value = str(text or "")
    return f"{value[8:10]}/{value[5:7]}/{value[:4]}" if len(value) >= 10 else value
