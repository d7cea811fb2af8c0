"""The weekly workbook (``Bao-cao-tuan-<tuần>.xlsx``)."""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from consolidate.core.config import Office
from consolidate.core.fmt import fmt_date, fmt_dt, fmt_pct
from consolidate.render.kit import (
    EXCEL_EPOCH,
    FONT,
    STATUS_COLORS,
    Book,
    Sheet,
    cell_lines,
    cell_writers,
    count_axis,
    cyclic_gc_paused,
    excel_datetime,
    vi_number,
)
from consolidate.render.output import WriteOutcome, safe_write
from consolidate.render.shared import (
    appendix_title,
    cell_format,
    detail_format,
    grouped,
    register_gap_sheet,
    reporting_sheet,
    roman,
    share_pct,
    sources_sheet,
    table,
)
from consolidate.render.trends import trends_sheet
from consolidate.render.wording import CARRIED_LABEL, usage_label
from consolidate.reports.rows import TaskRow
from consolidate.reports.status import (
    DONE_LATE,
    DONE_ON_TIME,
    DUE_SOON,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    RECURRING_STATUS,
    STATUSES,
)
from consolidate.reports.weekly import WeeklyData
from schemas import TASKS
from schemas.columns import Column, Kind
from schemas.reports import detail_columns

#: Above this many ``Chi tiết`` rows the weekly workbook is streamed (constant_memory): about
#: 3 kB of memory per row in the default mode, so 60,000 rows stay well under 200 MB.
CONSTANT_MEMORY_ROWS = 60_000

# --- weekly -------------------------------------------------------------------------------------

_SHORT_STATUS = {
    DONE_ON_TIME: "Hoàn thành đúng hạn",
    DONE_LATE: "Hoàn thành quá hạn",
    IN_PROGRESS: "Đang thực hiện (trong hạn)",
    DUE_SOON: "Sắp đến hạn",
    OVERDUE: "Quá hạn",
    NOT_STARTED: "Chưa triển khai",
    RECURRING_STATUS: "Thường xuyên",
}


WEEKLY_SHEETS = (
    "Tổng hợp",
    "Xu hướng",
    "Quá hạn",
    "Sắp đến hạn",
    "Điểm nghẽn, kiến nghị",
    "Tình hình báo cáo",
    "Chưa có đơn vị báo cáo",
    "Chi tiết",
    "Nguồn dữ liệu",
)


def write_weekly(data: WeeklyData, target: Path, office: Office) -> WriteOutcome:
    with cyclic_gc_paused():
        return safe_write(target, lambda tmp: _weekly_workbook(data, tmp, office))


def _weekly_workbook(data: WeeklyData, path: Path, office: Office) -> None:
    book = Book(path, data.horizon, office, constant_memory=len(data.detail) > CONSTANT_MEMORY_ROWS)
    try:
        book.reserve([s for s in WEEKLY_SHEETS if s != "Xu hướng" or data.trends is not None])
        # Chi tiết first: streaming its rows also counts them (data.tally), so the other
        # sheets need no second pass over the store.
        _task_detail(book, data)
        _weekly_summary(book, data)
        if data.trends is not None:
            trends_sheet(book, data.trends, data.due_soon_days)
        _task_appendix(book, data, overdue=True)
        _task_appendix(book, data, overdue=False)
        _task_issues(book, data)
        reporting_sheet(book, data.selection, "nhiệm vụ")
        register_gap_sheet(book, data.unreported_register)
        sources_sheet(book, data.selection.snapshots, data.unit_names, "nhiệm vụ")
    finally:
        book.close()


def _week_caption(data: WeeklyData) -> str:
    p = data.period
    text = (
        f"(Từ sau {fmt_dt(p.start)} đến {fmt_dt(p.cutoff)}; số liệu tiếp nhận đến "
        f"{fmt_dt(data.horizon)})"
    )
    if data.preliminary:
        text += "\nSỐ LIỆU TẠM TÍNH: chưa đến hạn chốt báo cáo."
    return text


def _weekly_summary(book: Book, data: WeeklyData) -> None:
    widths = [5, 34, 17] + [9.5] * 8 + [9]
    sh = book.sheet("Tổng hợp", widths)
    sh.ws.hide_gridlines(2)
    st = sh.st
    t, sel, p = data.tally, data.selection, data.period
    sh.official_heading(2, data.horizon.date())
    sh.merged("BÁO CÁO", st.title, height=22)
    sh.para(
        f"Tiến độ thực hiện nhiệm vụ {book.office.subject} — {p.label.lower()}",
        st.subtitle,
    )
    sh.para(_week_caption(data), st.caption)
    if p.shifted:
        sh.para(p.shift_note(), st.note)
    sh.blank(height=8)

    # I. Summary sentences: what a leader reads first.
    c = sel.counts()
    sh.merged("I. TÓM TẮT", st.section, height=20)
    done = t.by_status[DONE_ON_TIME] + t.by_status[DONE_LATE]
    lines = [
        f"- Có {c['reported']}/{c['expected']} đơn vị đã gửi báo cáo (tỷ lệ "
        f"{fmt_pct(sel.completeness_pct)}): {c['on_time']} đúng hạn, {c['late']} trễ hạn; "
        f"{c['missing']} đơn vị chưa báo cáo; {c['rejected']} đơn vị có báo cáo bị từ chối, "
        "đang chờ gửi lại.",
        f"- Tổng số {t.total} nhiệm vụ: {done} đã hoàn thành ({t.by_status[DONE_LATE]} hoàn "
        f"thành quá hạn); {t.by_status[OVERDUE]} quá hạn chưa hoàn thành; "
        f"{t.by_status[DUE_SOON]} sắp đến hạn trong {data.due_soon_days} ngày tới; "
        f"{t.by_status[NOT_STARTED]} chưa triển khai.",
    ]
    worst = sorted(
        ((n[OVERDUE], code) for code, n in t.unit_status.items() if n[OVERDUE]),
        key=lambda x: (-x[0], x[1]),
    )[:5]
    if worst:
        lines.append(
            "- Đơn vị có nhiều nhiệm vụ quá hạn: "
            + "; ".join(f"{data.unit_names.get(code, code)} ({n})" for n, code in worst)
            + "."
        )
    missing = [u.name for u in sel.expected if not u.reported]
    if missing:
        shown = ", ".join(missing[:12]) + (
            f" và {len(missing) - 12} đơn vị khác" if len(missing) > 12 else ""
        )
        lines.append(f"- Đơn vị chưa có báo cáo kỳ này: {shown}.")
    lines.append(
        f"- {t.six_complete}/{t.total} nhiệm vụ ghi đủ 06 rõ ({fmt_pct(t.six_pct)}); "
        f"{len(t.issues)} nhiệm vụ có khó khăn, vướng mắc hoặc kiến nghị (xem trang "
        "“Điểm nghẽn, kiến nghị”)."
    )
    if t.carried:
        lines.append(
            f"- {t.carried} nhiệm vụ lấy từ số liệu kỳ trước của đơn vị chưa báo cáo kỳ này."
        )
    comparison = data.trends.comparison() if data.trends is not None else ""
    if comparison:
        lines.append(f"- {comparison.rstrip('.')} (xem trang “Xu hướng”).")
    for line in lines:
        sh.para(line, st.para, line_height=15.5)
    sh.blank(height=8)

    # II. Key figures, with the chart beside them.
    sh.merged("II. SỐ LIỆU CHÍNH", st.section, height=20)
    sh.header(["STT", "Nội dung", None, "Số lượng", "Tỷ lệ (%)"], merge=[(1, 2)], repeat=False)
    expected = c["expected"]
    key_rows: list[tuple[str, str, int, float | None, Any]] = [
        ("1", "Đơn vị phải báo cáo", expected, 100.0 if expected else None, st.td),
        ("", "- Đã báo cáo đúng hạn", c["on_time"], share_pct(c["on_time"], expected), st.sub),
        ("", "- Đã báo cáo trễ hạn", c["late"], share_pct(c["late"], expected), st.sub),
        ("", "- Chưa báo cáo", c["missing"], share_pct(c["missing"], expected), st.sub),
        (
            "",
            "- Bị từ chối, chờ gửi lại",
            c["rejected"],
            share_pct(c["rejected"], expected),
            st.sub,
        ),
        ("2", "Tổng số nhiệm vụ", t.total, 100.0 if t.total else None, st.td),
    ]
    status_first = sh.row + len(key_rows)
    for s in STATUSES:
        key_rows.append(("", s, t.by_status[s], share_pct(t.by_status[s], t.total), st.status[s]))
    key_rows += [
        ("3", "Nhiệm vụ ghi đủ 06 rõ", t.six_complete, share_pct(t.six_complete, t.total), st.td),
        ("4", "Nhiệm vụ dùng số liệu kỳ trước", t.carried, share_pct(t.carried, t.total), st.td),
        ("5", "Nhiệm vụ trong danh mục chưa có đơn vị báo cáo",
         len(data.unreported_register), None, st.td),
    ]  # fmt: skip
    table_top = sh.row
    for stt, label, value, pct, label_fmt in key_rows:
        sh.ws.set_row(sh.row, 15.5)
        sh.cells(
            [stt, label, None, value, pct],
            [st.td_center, label_fmt, label_fmt, st.td_int, st.td_pct],
            merge=[(1, 2)],
        )
    _status_chart(book, sh, status_first, table_top, max(t.by_status.values(), default=0))
    sh.blank()
    # Page 1 is what a leader reads: heading, summary, key figures and chart. Tables follow.
    sh.ws.set_h_pagebreaks([sh.row])

    # III. Per pillar.
    nums = [st.td_int] * 8
    sh.merged("III. TÌNH HÌNH THỰC HIỆN THEO LĨNH VỰC", st.section, height=20)
    sh.header(
        ["STT", TASKS.column("pillar").report_title, None, "Tổng số nhiệm vụ", *(_SHORT_STATUS[s] for s in STATUSES),
         "Đủ 06 rõ (%)"],
        merge=[(1, 2)], repeat=False,
    )  # fmt: skip
    for i, pillar in enumerate(t.pillars(), 1):
        counts = t.pillar_status.get(pillar)
        total = t.pillar_total[pillar]
        sh.cells(
            [i, pillar, None, total, *((counts[s] if counts else 0) for s in STATUSES),
             share_pct(t.pillar_six[pillar], total)],
            [st.td_center, st.td, st.td, *nums, st.td_pct],
            merge=[(1, 2)],
        )  # fmt: skip
    sh.cells(
        ["", "Tổng cộng", None, t.total, *(t.by_status[s] for s in STATUSES),
         share_pct(t.six_complete, t.total)],
        [st.tot, st.tot, st.tot, *([st.tot_int] * 8), st.tot_pct],
        merge=[(1, 2)],
    )  # fmt: skip
    sh.blank()
    # IV. Per unit: the long table, last, its header repeated on every printed page.
    sh.merged("IV. TÌNH HÌNH THỰC HIỆN THEO ĐƠN VỊ", st.section, height=20)
    sh.header(
        ["STT", "Đơn vị", "Tình hình báo cáo", "Tổng số nhiệm vụ",
         *(_SHORT_STATUS[s] for s in STATUSES), "Đủ 06 rõ (%)"]
    )  # fmt: skip
    for i, u in enumerate(sel.units, 1):
        counts = t.unit_status.get(u.code)
        total = t.unit_total[u.code]
        label = u.status_label
        if u.snapshot is not None and u.snapshot.carried:
            label += " (dùng số liệu kỳ trước)"
        sh.cells(
            [i, u.name, label, total if u.snapshot else None,
             *((counts[s] if counts else 0) if u.snapshot else None for s in STATUSES),
             share_pct(t.unit_six[u.code], total)],
            [st.td_center, st.td, st.reporting.get(u.status, st.td), *nums, st.td_pct],
        )  # fmt: skip
    sh.cells(
        ["", "Tổng cộng", f"{c['reported']}/{expected} đã báo cáo", t.total,
         *(t.by_status[s] for s in STATUSES), share_pct(t.six_complete, t.total)],
        [st.tot, st.tot, st.tot, *([st.tot_int] * 8), st.tot_pct],
    )  # fmt: skip
    sh.blank()

    sh.para(
        f"Ghi chú: Trạng thái tổng hợp do hệ thống xác định từ thời hạn, tình trạng và ngày hoàn "
        f"thành đơn vị báo cáo, tính đến ngày chốt {fmt_date(data.as_of)}. “Sắp đến hạn”: chưa "
        f"hoàn thành, thời hạn trong {data.due_soon_days} ngày tới. “Quá hạn”: chưa hoàn thành "
        "và đã qua thời hạn, bất kể tình trạng đơn vị ghi. Nhiệm vụ “Thường xuyên” không tính "
        f"quá hạn. {book.office.prepared_by}.",
        st.note,
        line_height=15,
    )


def _status_chart(book: Book, sh: Sheet, first_row: int, anchor_row: int, largest: int) -> None:
    chart = book.wb.add_chart({"type": "bar"})
    last_row = first_row + len(STATUSES) - 1
    chart.add_series(
        {
            "name": "Số nhiệm vụ",
            "categories": [sh.name, first_row, 1, last_row, 1],
            "values": [sh.name, first_row, 3, last_row, 3],
            "points": [{"fill": {"color": STATUS_COLORS[s][2]}} for s in STATUSES],
            "data_labels": {"value": True, "font": {"name": FONT, "size": 11}},
            "gap": 60,
        }
    )
    chart.set_title(
        {"name": "Nhiệm vụ theo trạng thái tổng hợp", "name_font": {"name": FONT, "size": 12}}
    )
    chart.set_legend({"none": True})
    chart.set_x_axis(count_axis(largest, ticks=6, major_gridlines={"visible": True}))
    chart.set_y_axis({"num_font": {"name": FONT, "size": 11}, "reverse": True})
    chart.set_chartarea({"border": {"color": "#BFBFBF"}})
    # Fill columns F..L beside the key figures (pixels as xlsxwriter sizes columns).
    width = sum(int(w * 7 + 5) for w in sh.widths[5:]) - 14
    chart.set_size({"width": width, "height": 21 * (len(STATUSES) + 9) - 2})
    sh.ws.insert_chart(anchor_row, 5, chart, {"x_offset": 10, "y_offset": 0, "object_position": 1})


#: The appendices of the weekly report, by key (labels and widths from schemas).
_APPENDIX_KEYS = ("no", "task_code", "task", "source_doc", "deadline", "days", "progress", "state",
                  "officer", "authority", "bottleneck")  # fmt: skip
_ISSUES_KEYS = ("no", "task_code", "task", "status", "bottleneck", "proposal")
_ISSUES_WIDTHS = {"task": 36, "status": 15, "bottleneck": 44, "proposal": 44}


def _task_appendix(book: Book, data: WeeklyData, *, overdue: bool) -> None:
    rows = data.tally.overdue if overdue else data.tally.due_soon
    days = "days_overdue" if overdue else "days_left"
    keys = tuple(days if k == "days" else k for k in _APPENDIX_KEYS)
    cols = table(TASKS, keys, {"task": 40, "days": 10, "officer": 17, "authority": 17})
    sh = book.sheet("Quá hạn" if overdue else "Sắp đến hạn", cols.widths)
    st = sh.st
    what = (
        "DANH SÁCH NHIỆM VỤ QUÁ HẠN CHƯA HOÀN THÀNH"
        if overdue
        else f"DANH SÁCH NHIỆM VỤ SẮP ĐẾN HẠN (TRONG {data.due_soon_days} NGÀY TỚI)"
    )
    appendix_title(
        sh,
        "I" if overdue else "II",
        what,
        f"(Kèm theo báo cáo {data.period.label.lower()}; tính đến {fmt_dt(data.period.cutoff)}; "
        f"tổng số {len(rows)} nhiệm vụ)",
    )
    sh.header(cols.labels)
    if not rows:
        sh.merged("Không có nhiệm vụ nào.", st.td)
        return
    fmts = [cell_format(st, c) for c in cols.columns]
    values = operator.attrgetter(*keys[1:])
    c_task = cols.where("task") if "task" in keys else None
    for number, name, group in grouped(rows, data.unit_names):
        sh.group_row(f"{roman(number)}. {name} ({len(group)} nhiệm vụ)")
        sh.table_rows((_marked([i, *values(row)], row, c_task) for i, row in enumerate(group, 1)),
                      fmts)  # fmt: skip


def _marked(cells: list[Any], row: TaskRow, c_task: int | None) -> list[Any]:
    """A row of last period's data says so after its task."""
    if row.carried and c_task is not None:
        cells[c_task] = f"{cells[c_task] or ''} [số liệu kỳ trước]"
    return cells


def _task_issues(book: Book, data: WeeklyData) -> None:
    rows = data.tally.issues
    cols = table(TASKS, _ISSUES_KEYS, _ISSUES_WIDTHS)
    sh = book.sheet("Điểm nghẽn, kiến nghị", cols.widths)
    st = sh.st
    appendix_title(
        sh,
        "III",
        "KHÓ KHĂN, VƯỚNG MẮC (ĐIỂM NGHẼN) VÀ ĐỀ XUẤT, KIẾN NGHỊ CỦA CÁC ĐƠN VỊ",
        f"(Kèm theo báo cáo {data.period.label.lower()}; {len(rows)} nhiệm vụ có nội dung)",
    )
    sh.header(cols.labels)
    if not rows:
        sh.merged("Không có đơn vị nào nêu khó khăn, vướng mắc hoặc kiến nghị.", st.td)
        return
    fmts = [cell_format(st, c) for c in cols.columns]
    c_status = cols.where("status")
    values = operator.attrgetter(*_ISSUES_KEYS[1:])
    for number, name, group in grouped(rows, data.unit_names):
        sh.group_row(f"{roman(number)}. {name}")
        for status, same in itertools.groupby(enumerate(group, 1), key=lambda x: x[1].status):
            fmts[c_status] = st.status[status]
            sh.table_rows(([i, *values(row)] for i, row in same), fmts)


#: Chi tiết: every column of the spec a report shows (Column.detail), in spec order, with the
#: derived ones after the keys below; labels and widths from schemas (read at build time).
DETAIL_HEAD = ("no", "unit")
DETAIL_AFTER: dict[str, tuple[str, ...]] = {"completed_on": ("status", "days_overdue")}
DETAIL_TAIL = ("issues", "file", "received", "usage")
#: Columns written from the snapshot or by a rule of their own, not from a row field.
_SPECIAL = {"no", "unit", "issues", "file", "received", "usage"}


def detail_columns_of_tasks() -> list[Column]:
    return detail_columns(TASKS, DETAIL_HEAD, DETAIL_AFTER, DETAIL_TAIL)


def _task_detail(book: Book, data: WeeklyData) -> None:
    """Every counted task row. The hot path of a province-sized build (issue 5): cells carry
    no format of their own (only date columns have a column format), one call per
    non-empty cell, and the usual case ("this period, on time") writes nothing extra."""
    cols = detail_columns_of_tasks()
    sh = book.sheet("Chi tiết", [c.report_size for c in cols])
    st, ws = sh.st, sh.ws
    # Column formats carry the cells' formats (a cell written without one takes its
    # column's): dates, numbers the Vietnamese way, text wrapped.
    for c, col in enumerate(cols):
        if col.key == "received":
            ws.set_column(c, c, col.report_size, st.d_dt)
        else:
            ws.set_column(c, c, col.report_size, detail_format(st, col))
    sh.merged(
        f"CHI TIẾT NHIỆM VỤ — {data.period.label.upper()} (tính đến {fmt_dt(data.period.cutoff)})",
        st.section,
        last=8,
        height=20,
    )
    header_row = sh.header([c.report_title for c in cols], height=42)
    first = sh.row
    fields = data.detail.shape.at
    plain = [(c, col) for c, col in enumerate(cols) if col.key not in _SPECIAL]
    unit_cols = [(c, fields[col.key]) for c, col in plain if col.kind == Kind.UNIT]
    num_cols = [
        (c, fields[col.key], detail_format(st, col).vi_decimals)
        for c, col in plain
        if col.kind in _NUMBER_KINDS
    ]
    date_cols = [(c, fields[col.key]) for c, col in plain if col.kind == Kind.DATE]
    text_cols = [
        (c, fields[col.key])
        for c, col in plain
        if col.kind not in _NUMBER_KINDS and col.kind not in (Kind.UNIT, Kind.DATE)
    ]
    where = {col.key: c for c, col in enumerate(cols)}
    c_stt, c_unit, c_warn = where["no"], where["unit"], where["issues"]
    c_file, c_recv, c_use = where["file"], where["received"], where["usage"]
    i_issues, i_missing = fields["issues"], fields["missing_clear"]
    names = data.unit_names
    per_snap = {
        s.submission_id: (
            s.original_name,
            excel_datetime(s.received_at),
            usage_label(s) if s.carried or s.late else "",
        )
        for s in data.selection.snapshots
    }
    write_s, write_n, _ = cell_writers(ws)
    set_row = ws.set_row
    # A text longer than its column wraps: the row is made tall enough (up to 10 lines;
    # Excel does not grow a row it did not lay out). Only long texts are measured.
    widths = sh.widths
    wrap_at = [(i, widths[c], widths[c] * 1.1) for c, i in (*text_cols, *unit_cols)]
    unit_width = widths[c_unit]
    epoch = EXCEL_EPOCH
    fromiso = date.fromisoformat
    r = first
    rows: Iterable[tuple[Any, ...]] = data.detail  # plain tuples on the hot path
    for n, row in enumerate(rows, 1):
        write_n(r, c_stt, n)
        unit = names.get(row[0], row[0])
        write_s(r, c_unit, unit)
        for c, i in text_cols:
            v = row[i]
            if v:
                write_s(r, c, v if v.__class__ is str else str(v))
        lines = cell_lines(unit, unit_width) if len(unit) > unit_width * 1.1 else 1
        for i, width, longest in wrap_at:
            v = row[i]
            if v and len(v) > longest:
                lines = max(lines, cell_lines(v if v.__class__ is str else str(v), width))
        if lines > 1:
            set_row(r, 14.5 * min(lines, 10) + 3)
        for c, i, places in num_cols:
            v = row[i]
            if v is not None and v != "":
                if v.__class__ is not str:
                    v = vi_number(v, places)
                if v.__class__ is str:
                    write_s(r, c, v)
                else:
                    write_n(r, c, v)
        for c, i in date_cols:
            v = row[i]
            if v:
                try:
                    write_n(r, c, fromiso(v[:10]).toordinal() - epoch)
                except (TypeError, ValueError):
                    write_s(r, c, str(v))
        for c, i in unit_cols:
            v = row[i]
            if v:
                write_s(r, c, names.get(v, v))
        if row[i_issues]:
            write_s(r, c_warn, str(row[i_issues]))
        elif row[i_missing]:
            write_s(r, c_warn, f"Thiếu 06 rõ: {row[i_missing]}.")
        file, received, usage = per_snap[row[1]]
        write_s(r, c_file, file)
        write_n(r, c_recv, received)
        if usage:
            write_s(r, c_use, usage)
        r += 1
    last = max(r - 1, first)
    ws.autofilter(header_row, 0, last, len(cols) - 1)
    ws.freeze_panes(header_row + 1, 2)
    c_status = where["status"]
    for status in STATUSES:
        ws.conditional_format(
            first, c_status, last, c_status,
            {"type": "cell", "criteria": "==", "value": f'"{status}"',
             "format": st.status_cf[status]},
        )  # fmt: skip
    ws.conditional_format(
        first, c_use, last, c_use,
        {"type": "cell", "criteria": "==", "value": f'"{CARRIED_LABEL}"', "format": st.carried_cf},
    )  # fmt: skip


_NUMBER_KINDS = (Kind.INT, Kind.NUMBER, Kind.MONEY, Kind.PERCENT)
