"""The workbook kit: a book, sheets written top to bottom, styles, cell writers, Excel dates.

Rules kept by every workbook written with it:

- Text that came from a unit is written with ``write_string`` only, in a workbook opened with
  ``strings_to_formulas/urls/numbers`` off: ``=HYPERLINK(...)``, ``+``, ``-``, ``@`` and
  ``http://`` stay plain text.
- Every sheet is written top to bottom, row by row, with single-row merges only, so the same
  code runs in xlsxwriter's ``constant_memory`` mode (see
  :data:`consolidate.render.weekly.CONSTANT_MEMORY_ROWS`).
- Times New Roman, A4 landscape, fit to one page wide, the table header repeated on every
  printed page, page numbers in the footer.
"""

from __future__ import annotations

import gc
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from consolidate.core.config import Office
from consolidate.core.fmt import date_line, fmt_num
from consolidate.core.text import nfc
from consolidate.render import xlsxzip
from consolidate.reports.status import (
    DONE_LATE,
    DONE_ON_TIME,
    DUE_SOON,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    RECURRING_STATUS,
)

FONT = "Times New Roman"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

WORKBOOK_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_format_properties": {"font_name": FONT, "font_size": 12},
}


#: Cell fill / font colour per derived status (light, for tables) and bar colour (charts).
STATUS_COLORS: dict[str, tuple[str, str, str]] = {
    DONE_ON_TIME: ("#C6EFCE", "#006100", "#4E9A3A"),
    DONE_LATE: ("#E2EFDA", "#375623", "#A9D08E"),
    IN_PROGRESS: ("#DDEBF7", "#1F4E79", "#5B9BD5"),
    DUE_SOON: ("#FFEB9C", "#7F4F00", "#FFC000"),
    OVERDUE: ("#FFC7CE", "#9C0006", "#C00000"),
    NOT_STARTED: ("#EDEDED", "#404040", "#A6A6A6"),
    RECURRING_STATUS: ("#E4DFEC", "#3F3151", "#8064A2"),
}

EXCEL_EPOCH = date(1899, 12, 30).toordinal()

#: Whole numbers grouped with "." whatever the PC's regional setting: the dots are literal
#: characters of the format, not the locale's separator (Excel's "#,##0" shows 78,000 on an
#: English Windows, 78.000 on a Vietnamese one). Two conditions (≥ a million, ≥ a thousand),
#: plain digits below; a cell with this format holds a number, so sums and sorting work.
VI_INT = '[>=999999.5]#"."###"."###;[>=999.5]#"."###;0'


def vi_number(value: float, decimals: int) -> float | str:
    """What a cell holds to show ``value`` the Vietnamese way on any PC: the number itself
    when it shows whole at ``decimals`` places (through :data:`VI_INT`, rounded: money is
    shown in whole triệu đồng), else the text of :func:`fmt_num` ("81,4"): no number format
    puts a decimal comma on an English Windows, so a fraction is written as text. Negative
    numbers, rare in the reports, are text too (the format's last section drops the sign)."""
    if value < 0 or (decimals and round(value, decimals) != round(value)):
        return fmt_num(value, decimals)
    return value


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_name(text: str, used: set[str] | None = None) -> str:
    """A valid, unique Excel sheet name: ≤ 31 characters, none of ``[]:*?/\\``."""
    name = _BAD_SHEET_CHARS.sub("-", nfc(text)).strip().strip("'").strip() or "Trang"
    name = name[:31].rstrip()
    if used is None:
        return name
    candidate, n = name, 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate = name[: 31 - len(suffix)].rstrip() + suffix
        n += 1
    used.add(candidate.casefold())
    return candidate


# --- cells ------------------------------------------------------------------------------------


def excel_date(value: date | str | None) -> float | None:
    """A date (or ISO text) as an Excel serial number, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return None
    return float(value.toordinal() - EXCEL_EPOCH)


def excel_datetime(moment: datetime) -> float:
    """A tz-aware moment as an Excel serial in its own (local) time zone."""
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    return moment.date().toordinal() - EXCEL_EPOCH + seconds / 86400.0


Writers = tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]


def cell_writers(ws: Any) -> Writers:
    """(write_string, write_number, write_blank) of a worksheet, without the decorator that
    accepts "A1" strings: xlsxwriter keeps the undecorated ``_write_*`` methods for exactly
    this, and on the hot path the decorator is ~10 % of the time. Same cells, same XML."""
    names = ("_write_string", "_write_number", "_write_blank")
    if all(hasattr(ws, n) for n in names):
        return ws._write_string, ws._write_number, ws._write_blank
    return ws.write_string, ws.write_number, ws.write_blank


def put(ws: Any, r: int, c: int, value: Any, fmt: Any = None) -> None:
    """Write one cell by Python type; strings always as strings, never formulas or links."""
    _put(cell_writers(ws), r, c, value, fmt)


def _put(writers: Writers, r: int, c: int, value: Any, fmt: Any) -> None:
    write_s, write_n, write_b = writers
    if value is None or value == "":
        if fmt is not None:
            write_b(r, c, None, fmt)
    elif isinstance(value, str):
        write_s(r, c, value, fmt)
    elif isinstance(value, bool):
        write_s(r, c, "Có" if value else "Không", fmt)
    elif isinstance(value, (int, float)):
        if not math.isfinite(value):
            write_b(r, c, None, fmt)
            return
        places = getattr(fmt, "vi_decimals", None)
        shown = value if places is None else vi_number(value, places)
        if shown.__class__ is str:
            write_s(r, c, shown, fmt)
        else:
            write_n(r, c, shown, fmt)
    elif isinstance(value, datetime):
        write_n(r, c, excel_datetime(value), fmt)
    elif isinstance(value, date):
        write_n(r, c, excel_date(value), fmt)
    else:
        write_s(r, c, str(value), fmt)


def cell_lines(text: str, width_chars: float, chars_per_unit: float = 1.15) -> int:
    """Rough number of printed lines of ``text`` wrapped in a cell ``width_chars`` wide.

    Neither Excel nor LibreOffice reliably grows a row for wrapped text written by a
    program (and never for merged cells), so rows get an explicit height from this.
    """
    per_line = max(6.0, width_chars * chars_per_unit)
    return sum(max(1, math.ceil(len(part) * 1.08 / per_line)) for part in text.split("\n"))


# --- styles -----------------------------------------------------------------------------------


def count_axis(largest: float, *, ticks: int = 8, **extra: Any) -> dict[str, Any]:
    """A chart axis of counts: from 0, in round whole steps (never 0,5 or 1,5 of a task; 1, 2,
    5, 10, 20, 50 …), at most ``ticks`` of them, numbers the Vietnamese way."""
    step = 1
    while step * ticks < largest:  # 1, 2, 5, 10, 20, 50, …: steps a reader counts in
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return {"min": 0, "major_unit": step, "num_format": VI_INT,
            "num_font": {"name": FONT, "size": 11}, **extra}  # fmt: skip


def decimals(fmt: Any, places: int) -> Any:
    """Mark a number format with the decimal places its numbers are shown to
    (:func:`vi_number`); a cell written with it holds a number or, for a fraction, text."""
    fmt.vi_decimals = places
    return fmt


class Styles:
    """Every format of one workbook, created once (xlsxwriter formats belong to a workbook).
    Numbers show the Vietnamese way on any PC (:data:`VI_INT`, :func:`vi_number`)."""

    def __init__(self, wb: Any) -> None:
        def f(**props: Any) -> Any:
            base = {"font_name": FONT, "font_size": 12, "valign": "top"}
            base.update(props)
            return wb.add_format(base)

        cell = {"border": 1, "font_size": 11, "text_wrap": True, "valign": "top"}
        self.issuer = f(align="center", text_wrap=True)
        self.issuer_bold = f(align="center", bold=True, text_wrap=True)
        self.nation = f(align="center", bold=True)
        self.motto = f(align="center", bold=True, underline=1, font_size=13)
        self.dateline = f(align="center", italic=True)
        self.title = f(align="center", bold=True, font_size=14, text_wrap=True, valign="vcenter")
        self.subtitle = f(align="center", bold=True, text_wrap=True)
        self.caption = f(align="center", italic=True, text_wrap=True)
        self.section = f(bold=True, valign="vcenter")
        self.para = f(text_wrap=True, align="justify")
        self.note = f(italic=True, font_size=11, text_wrap=True)
        self.appendix = f(align="center", bold=True, font_size=13)
        self.th = f(bold=True, align="center", valign="vcenter", bg_color="#D9E1F2", **{
            k: v for k, v in cell.items() if k != "valign"})  # fmt: skip
        self.td = f(**cell)
        self.td_center = f(align="center", **cell)
        self.td_int = decimals(f(align="center", num_format=VI_INT, **cell), 0)
        self.td_money = decimals(f(align="right", num_format=VI_INT, **cell), 0)
        self.td_num = decimals(f(align="right", num_format=VI_INT, **cell), 2)
        self.td_pct = decimals(f(align="center", num_format=VI_INT, **cell), 1)
        self.td_date = f(align="center", num_format="dd/mm/yyyy", **cell)
        self.td_dt = f(align="center", num_format="dd/mm/yyyy hh:mm", **cell)
        self.td_mono = f(font_name="Courier New", font_size=9, **{
            k: v for k, v in cell.items() if k != "font_size"})  # fmt: skip
        self.tot = f(bold=True, bg_color="#F2F2F2", **cell)
        total = {"bold": True, "bg_color": "#F2F2F2", "num_format": VI_INT, **cell}
        self.tot_int = decimals(f(align="center", **total), 0)
        self.tot_money = decimals(f(align="right", **total), 0)
        self.tot_num = decimals(f(align="right", **total), 2)
        self.tot_pct = decimals(f(align="center", **total), 1)
        self.group = f(bold=True, bg_color="#F2F2F2", **cell)
        self.sub = f(italic=True, **cell)  # an indented sub-item of a key-figure list
        self.status = {
            s: f(bg_color=fill, font_color=font, **cell)
            for s, (fill, font, _bar) in STATUS_COLORS.items()
        }
        self.status_cf = {
            s: wb.add_format({"bg_color": fill, "font_color": font})
            for s, (fill, font, _bar) in STATUS_COLORS.items()
        }
        self.reporting = {
            "missing": f(bg_color="#FFC7CE", font_color="#9C0006", **cell),
            "rejected": f(bg_color="#FCE4D6", font_color="#833C0B", **cell),
            "late": f(bg_color="#FFEB9C", font_color="#7F4F00", **cell),
            "on_time": f(**cell),
            "extra": f(italic=True, **cell),
        }
        # Chi tiết: no borders (column formats), smaller font; the header is a real header.
        self.d_text = f(font_size=11, text_wrap=True)
        self.d_center = f(font_size=11, align="center")
        self.d_num = decimals(f(font_size=11, align="center", num_format=VI_INT), 2)
        self.d_money = decimals(f(font_size=11, align="right", num_format=VI_INT), 0)
        self.d_pct = decimals(f(font_size=11, align="center", num_format=VI_INT), 1)
        self.d_date = f(font_size=11, align="center", num_format="dd/mm/yyyy")
        self.d_dt = f(font_size=11, align="center", num_format="dd/mm/yyyy hh:mm")
        self.d_hash = f(font_name="Courier New", font_size=8)
        self.carried_cf = wb.add_format({"italic": True, "font_color": "#7F7F7F"})


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a workbook is written.

    Writing creates about a million small tuples (one per cell) and no reference cycles, so
    reference counting frees everything; but each allocation burst triggers the cyclic
    collector, whose full passes walk the ever-growing cell table again and again — about a
    third of the build time of a province-sized weekly workbook (issue 5). Restored after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- a sheet written top to bottom --------------------------------------------------------------


class Book:
    def __init__(
        self, path: Path, created: datetime, office: Office, *, constant_memory: bool = False
    ) -> None:
        #: Who issues the workbook (config ``[office]``): heading, dateline, notes.
        self.office = office
        # The package is deflated on a second thread while xlsxwriter generates it
        # (consolidate.render.xlsxzip); plain xlsxwriter if its private hooks ever change.
        workbook = xlsxzip.Workbook if xlsxzip.supported() else xlsxwriter.Workbook
        self.wb = workbook(str(path), {**WORKBOOK_OPTIONS, "constant_memory": constant_memory})
        # A fixed creation time keeps two builds of the same period identical.
        self.wb.set_properties(
            {
                "title": "Báo cáo tổng hợp",
                "author": office.full_name,
                "company": office.parent_agency,
                "created": created.replace(tzinfo=None),
            }
        )
        self.styles = Styles(self.wb)
        self.used_names: set[str] = set()
        self._reserved: dict[str, Any] = {}

    def reserve(self, names: Sequence[str]) -> None:
        """Create the worksheets in their final order now, to be filled in any order later
        (each sheet is its own stream, also in constant_memory mode)."""
        for name in names:
            safe = sheet_name(name, self.used_names)
            self._reserved[name] = (safe, self.wb.add_worksheet(safe))

    def sheet(self, name: str, widths: Sequence[float]) -> Sheet:
        if name in self._reserved:
            safe, ws = self._reserved.pop(name)
            return Sheet(self, safe, widths, ws)
        return Sheet(self, sheet_name(name, self.used_names), widths)

    def close(self) -> None:
        try:
            self.wb.close()
        finally:
            # xlsxwriter's worksheets hold a bound method of their workbook: a reference
            # cycle, so the whole cell table (~700k objects for a province) would wait for
            # the cyclic collector, which then walks all of it. Breaking the cycle lets
            # reference counting free it at once.
            self.wb.worksheets_objs.clear()
            self.wb.sheetnames.clear()
            self.wb.charts.clear()


#: A4 landscape, margins 0.5" + 0.4": the printable width in points.
PRINT_WIDTH_PT = (297 / 25.4 - 0.9) * 72
#: Points one unit of column width takes when printed at 100 % (default font Times New
#: Roman 12; measured from LibreOffice's PDF: 6.29 pt per unit, padding included).
COLUMN_UNIT_PT = 6.29
#: The smallest print scale: the smallest cell font is 11 pt, so printed text stays
#: ≥ 9.2 pt (issue 13: nothing under 9 pt on paper).
MIN_PRINT_SCALE = 84


def print_setup(ws: Any, widths: Sequence[float]) -> None:
    """A4 landscape, "Trang N" centred in the footer, and a scale that keeps text readable.

    A sheet as wide as one page at ≥ 84 % is fitted to one page width. A wider one (the
    detail sheets: every column of the spec, in spec order, for filtering) is printed at
    84 % across as many pages as it needs, left to right then down, its first two columns
    (STT and the unit) repeated on every page so each page names its rows: nothing is cut
    and nothing is shrunk below 9 pt.
    """
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.5, right=0.4, top=0.45, bottom=0.55)
    ws.set_footer(f'&C&"{FONT},Regular"&11Trang &P')
    width = sum(widths) * COLUMN_UNIT_PT
    if width * MIN_PRINT_SCALE / 100 <= PRINT_WIDTH_PT:
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        return
    ws.set_print_scale(MIN_PRINT_SCALE)
    ws.print_across()
    if len(widths) > 2 and sum(widths[:2]) <= 40:
        ws.repeat_columns(0, 1)


class Sheet:
    """Row cursor over one worksheet; rows are only ever written downwards."""

    def __init__(
        self, book: Book, name: str, widths: Sequence[float], worksheet: Any = None
    ) -> None:
        self.book = book
        self.st = book.styles
        self.name = name
        self.ws = worksheet if worksheet is not None else book.wb.add_worksheet(name)
        self.writers = cell_writers(self.ws)
        self.widths = list(widths)
        self.ncols = len(widths)
        self.row = 0
        self._repeat_set = False
        for i, w in enumerate(widths):
            self.ws.set_column(i, i, w)
        print_setup(self.ws, self.widths)

    def width(self, first: int, last: int) -> float:
        return sum(self.widths[first : last + 1])

    def merged(
        self,
        text: str,
        fmt: Any,
        *,
        first: int = 0,
        last: int | None = None,
        height: float | None = None,
        advance: bool = True,
    ) -> None:
        last = self.ncols - 1 if last is None else last
        if height is not None:
            self.ws.set_row(self.row, height)
        if last > first:
            self.ws.merge_range(self.row, first, self.row, last, "", fmt)
        if text:
            self.ws.write_string(self.row, first, text, fmt)
        elif last == first:
            self.ws.write_blank(self.row, first, None, fmt)
        if advance:
            self.row += 1

    def para(self, text: str, fmt: Any, *, line_height: float = 16.5) -> None:
        """A wrapped paragraph across the whole width, with a row height that fits it."""
        lines = cell_lines(text, self.width(0, self.ncols - 1))
        self.merged(text, fmt, height=max(line_height, lines * line_height + 2))

    def blank(self, n: int = 1, *, height: float | None = None) -> None:
        if height is not None:
            for r in range(self.row, self.row + n):
                self.ws.set_row(r, height)
        self.row += n

    def official_heading(self, left_last: int, day: date) -> None:
        """Issuing body on the left, national title and motto on the right, then the dateline."""
        st, office = self.st, self.book.office
        self.merged(office.parent_heading, st.issuer, last=left_last, advance=False)
        self.merged(NATION, st.nation, first=left_last + 1)
        self.merged(office.group_heading, st.issuer_bold, last=left_last, height=34, advance=False)
        self.merged(MOTTO, st.motto, first=left_last + 1)
        self.merged("", st.issuer, last=left_last, advance=False)
        self.merged(date_line(day, office.province), st.dateline, first=left_last + 1, height=20)
        self.blank(height=8)

    def header(
        self,
        labels: Sequence[str | None],
        *,
        height: float | None = None,
        repeat: bool = True,
        merge: Sequence[tuple[int, int]] = (),
    ) -> int:
        """A table header row (``None`` under a merged span); the first header of a sheet
        repeats on every printed page."""
        r = self.row
        if height is None:
            height = 4 + 16.5 * max(
                cell_lines(lab, self.widths[i] * 0.9) for i, lab in enumerate(labels) if lab
            )
        self.ws.set_row(r, height)
        for first, last in merge:
            self.ws.merge_range(r, first, r, last, "", self.st.th)
        for c, label in enumerate(labels):
            if label is not None:
                self.ws.write_string(r, c, label, self.st.th)
        if repeat and not self._repeat_set:
            self.ws.repeat_rows(r)
            self._repeat_set = True
        self.row += 1
        return r

    def cells(
        self,
        values: Sequence[Any],
        fmts: Sequence[Any] | Any,
        *,
        merge: Sequence[tuple[int, int]] = (),
        line_height: float = 14.5,
    ) -> int:
        """One table row; ``merge`` spans are merged first (their other cells left None).
        The row is made tall enough for its longest wrapped text."""
        if not merge:
            self.table_rows([values], fmts if isinstance(fmts, (list, tuple)) else
                            [fmts] * len(values), line_height=line_height)  # fmt: skip
            return self.row - 1
        r = self.row
        many = isinstance(fmts, (list, tuple))
        spans = dict(merge)
        lines = 1
        for c, value in enumerate(values):
            if isinstance(value, str) and len(value) > 6:
                lines = max(lines, cell_lines(value, self.width(c, spans.get(c, c)), 1.2))
        if lines > 1:
            self.ws.set_row(r, lines * line_height + 3)
        for first, last in merge:
            self.ws.merge_range(r, first, r, last, "", fmts[first] if many else fmts)
        writers = self.writers
        for c, value in enumerate(values):
            _put(writers, r, c, value, fmts[c] if many else fmts)
        self.row += 1
        return r

    def table_rows(
        self, rows: Iterable[Sequence[Any]], fmts: Sequence[Any], *, line_height: float = 14.5
    ) -> None:
        """Table rows without merged cells, each as tall as its longest wrapped text; the
        writers are looked up once for all of them (appendices of a province run to
        thousands of rows). :meth:`cells` writes a single row through it."""
        widths = self.widths
        write_s, write_n, write_b = self.writers
        set_row = self.ws.set_row
        isfinite = math.isfinite
        r = self.row
        for values in rows:
            lines = max(
                (cell_lines(v, widths[c], 1.2) for c, v in enumerate(values)
                 if isinstance(v, str) and len(v) > 6),
                default=1,
            )  # fmt: skip
            if lines > 1:
                set_row(r, lines * line_height + 3)
            for c, v in enumerate(values):
                f = fmts[c]
                cls = v.__class__
                if v is None or v == "":
                    write_b(r, c, None, f)
                elif cls is str:
                    write_s(r, c, v, f)
                elif (cls is int or cls is float) and isfinite(v):
                    places = getattr(f, "vi_decimals", None)
                    if places is not None:
                        v = vi_number(v, places)
                    if v.__class__ is str:
                        write_s(r, c, v, f)
                    else:
                        write_n(r, c, v, f)
                else:
                    _put(self.writers, r, c, v, f)
            r += 1
        self.row = r

    def group_row(self, text: str) -> None:
        self.merged(text, self.st.group)
