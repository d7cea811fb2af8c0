"""The official workbooks, written with xlsxwriter directly, and the safe write to outbox/.

Rules kept everywhere in this module:

- Text that came from a unit is written with ``write_string`` only, in a workbook opened with
  ``strings_to_formulas/urls/numbers`` off: ``=HYPERLINK(...)``, ``+``, ``-``, ``@`` and
  ``http://`` stay plain text.
- Every sheet is written top to bottom, row by row, with single-row merges only, so the same
  code runs in xlsxwriter's ``constant_memory`` mode, which a weekly build switches on above
  :data:`CONSTANT_MEMORY_ROWS` task rows (memory stays flat; below that the default mode,
  with its shared-string table, is faster).
- Times New Roman, A4 landscape, fit to one page wide, the table header repeated on every
  printed page, page numbers in the footer.
- :func:`safe_write` writes to a temporary file in the outbox and renames it; a target open in
  Excel (``PermissionError``) gets a versioned name; a failed write leaves the previous
  report intact and raises :class:`~consolidate.core.errors.OutputError`.
"""

from __future__ import annotations

import gc
import itertools
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from consolidate.calendar.periods import date_line, fmt_date, fmt_dt
from consolidate.core.errors import OutputError
from consolidate.core.text import nfc
from consolidate.render import xlsxzip
from consolidate.reports.data import (
    DONE_LATE,
    DONE_ON_TIME,
    DUE_SOON,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    RECURRING_STATUS,
    REPORTING_LABELS,
    STATUSES,
    DocSummary,
    MoneySummary,
    PlanData,
    ProjectRow,
    ProjectsData,
    Selection,
    Snapshot,
    TaskRow,
    UnitReporting,
    WeeklyData,
    fmt_num,
    fmt_pct,
)

FONT = "Times New Roman"
ISSUER = "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK"
ISSUER_BODY = "TỔ GIÚP VIỆC VỀ CCHC, THỂ CHẾ, KHCN,\nĐMST, CĐS VÀ PHÁT TRIỂN NGUỒN NHÂN LỰC"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PREPARED_BY = "Cơ quan thường trực Tổ giúp việc: Sở Khoa học và Công nghệ"

WORKBOOK_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_format_properties": {"font_name": FONT, "font_size": 12},
}
#: Above this many ``Chi tiết`` rows the weekly workbook is streamed (constant_memory): about
#: 3 kB of memory per row in the default mode, so 60,000 rows stay well under 200 MB.
CONSTANT_MEMORY_ROWS = 60_000

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

_EXCEL_EPOCH = date(1899, 12, 30).toordinal()
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


# --- safe write -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WriteOutcome:
    path: Path  # the file actually written
    note: str  # Vietnamese note when a versioned name had to be used, else ""


def versioned_name(target: Path, n: int) -> Path:
    """``Bao-cao.xlsx`` -> ``Bao-cao (2).xlsx``."""
    return target.with_name(f"{target.stem} ({n}){target.suffix}")


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        pass  # nothing more we can do; the name starts with '.' and ends with .tmp


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or exc.__class__.__name__


def safe_write(target: Path, write: Callable[[Path], None], max_versions: int = 50) -> WriteOutcome:
    """Write through ``write(tmp_path)`` then rename onto ``target``.

    If ``target`` is locked (open in Excel on Windows: ``PermissionError`` on rename), the
    report goes to ``<name> (2).xlsx``, ``(3)``… and the outcome says so. Any other failure
    (disk full, no permission on the folder) removes the temporary file, leaves the previous
    report untouched and raises :class:`OutputError`.
    """
    folder = target.parent
    hint = (
        "Giải phóng dung lượng ổ đĩa hoặc kiểm tra quyền ghi thư mục "
        f"{folder}, rồi chạy lại lệnh. Báo cáo cũ (nếu có) vẫn còn nguyên."
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Không tạo được thư mục {folder}: {_reason(exc)}.", hint) from exc
    # Leftovers of a run killed before its rename (builds hold the workspace lock, so no
    # other writer owns them).
    for stale in folder.glob(f".{target.stem}.*.tmp"):
        _unlink_quietly(stale)
    tmp = folder / f".{target.stem}.{os.getpid()}.tmp"
    try:
        write(tmp)
    except (OSError, XlsxWriterException) as exc:
        _unlink_quietly(tmp)
        raise OutputError(f"Không ghi được báo cáo {target.name}: {_reason(exc)}.", hint) from exc
    for n in range(1, max_versions + 1):
        candidate = target if n == 1 else versioned_name(target, n)
        if n > 1 and candidate.exists():
            continue  # never overwrite an older versioned report someone may be reading
        try:
            os.replace(tmp, candidate)
        except PermissionError:
            continue
        except OSError as exc:
            _unlink_quietly(tmp)
            raise OutputError(
                f"Không ghi được báo cáo {target.name}: {_reason(exc)}.", hint
            ) from exc
        note = ""
        if n > 1:
            note = (
                f"Tệp {target.name} đang được mở (có thể trong Excel) nên không ghi đè được; "
                f"báo cáo mới đã được ghi vào {candidate.name}. Đóng tệp cũ để lần sau ghi đúng tên."
            )
        return WriteOutcome(candidate, note)
    _unlink_quietly(tmp)
    raise OutputError(
        f"Không ghi được báo cáo {target.name}: tệp và {max_versions - 1} tên thay thế đều đang bị khóa.",
        "Đóng các tệp báo cáo đang mở trong Excel rồi chạy lại lệnh.",
    )


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
    return float(value.toordinal() - _EXCEL_EPOCH)


def excel_datetime(moment: datetime) -> float:
    """A tz-aware moment as an Excel serial in its own (local) time zone."""
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    return moment.date().toordinal() - _EXCEL_EPOCH + seconds / 86400.0


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
        if math.isfinite(value):
            write_n(r, c, value, fmt)
        else:
            write_b(r, c, None, fmt)
    elif isinstance(value, datetime):
        write_n(r, c, excel_datetime(value), fmt)
    elif isinstance(value, date):
        write_n(r, c, excel_date(value), fmt)
    else:
        write_s(r, c, str(value), fmt)


def _lines(text: str, width_chars: float, chars_per_unit: float = 1.15) -> int:
    """Rough number of printed lines of ``text`` wrapped in a cell ``width_chars`` wide.

    Neither Excel nor LibreOffice reliably grows a row for wrapped text written by a
    program (and never for merged cells), so rows get an explicit height from this.
    """
    per_line = max(6.0, width_chars * chars_per_unit)
    return sum(max(1, math.ceil(len(part) * 1.08 / per_line)) for part in text.split("\n"))


# --- styles -----------------------------------------------------------------------------------


class Styles:
    """Every format of one workbook, created once (xlsxwriter formats belong to a workbook)."""

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
        self.td_int = f(align="center", num_format="#,##0", **cell)
        self.td_num = f(num_format="#,##0.0", **cell)
        self.td_pct = f(align="center", num_format="0.0", **cell)
        self.td_date = f(align="center", num_format="dd/mm/yyyy", **cell)
        self.td_dt = f(align="center", num_format="dd/mm/yyyy hh:mm", **cell)
        self.td_mono = f(font_name="Courier New", font_size=9, **{
            k: v for k, v in cell.items() if k != "font_size"})  # fmt: skip
        self.tot = f(bold=True, bg_color="#F2F2F2", **cell)
        self.tot_int = f(bold=True, bg_color="#F2F2F2", align="center", num_format="#,##0", **cell)
        self.tot_num = f(bold=True, bg_color="#F2F2F2", num_format="#,##0.0", **cell)
        self.tot_pct = f(bold=True, bg_color="#F2F2F2", align="center", num_format="0.0", **cell)
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
        self.d_text = f(font_size=10, text_wrap=True)
        self.d_center = f(font_size=10, align="center")
        self.d_num = f(font_size=10, align="center", num_format="0")
        self.d_money = f(font_size=10, num_format="#,##0.0")
        self.d_pct = f(font_size=10, align="center", num_format="0.0")
        self.d_date = f(font_size=10, align="center", num_format="dd/mm/yyyy")
        self.d_dt = f(font_size=10, align="center", num_format="dd/mm/yyyy hh:mm")
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
    def __init__(self, path: Path, created: datetime, *, constant_memory: bool = False) -> None:
        # The package is deflated on a second thread while xlsxwriter generates it
        # (consolidate.render.xlsxzip); plain xlsxwriter if its private hooks ever change.
        workbook = xlsxzip.Workbook if xlsxzip.supported() else xlsxwriter.Workbook
        self.wb = workbook(str(path), {**WORKBOOK_OPTIONS, "constant_memory": constant_memory})
        # A fixed creation time keeps two builds of the same period identical.
        self.wb.set_properties(
            {
                "title": "Báo cáo tổng hợp",
                "author": "Sở Khoa học và Công nghệ tỉnh Đắk Lắk",
                "company": "Tổ giúp việc",
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
        ws = self.ws
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.4, top=0.45, bottom=0.55)
        ws.center_horizontally()
        ws.set_footer(f'&C&"{FONT},Regular"&10Trang &P/&N')

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
        lines = _lines(text, self.width(0, self.ncols - 1))
        self.merged(text, fmt, height=max(line_height, lines * line_height + 2))

    def blank(self, n: int = 1, *, height: float | None = None) -> None:
        if height is not None:
            for r in range(self.row, self.row + n):
                self.ws.set_row(r, height)
        self.row += n

    def official_heading(self, left_last: int, day: date) -> None:
        """Issuing body on the left, national title and motto on the right, then the dateline."""
        st = self.st
        self.merged(ISSUER, st.issuer, last=left_last, advance=False)
        self.merged(NATION, st.nation, first=left_last + 1)
        self.merged(ISSUER_BODY, st.issuer_bold, last=left_last, height=34, advance=False)
        self.merged(MOTTO, st.motto, first=left_last + 1)
        self.merged("", st.issuer, last=left_last, advance=False)
        self.merged(date_line(day), st.dateline, first=left_last + 1, height=20)
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
                _lines(lab, self.widths[i] * 0.9) for i, lab in enumerate(labels) if lab
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
                lines = max(lines, _lines(value, self.width(c, spans.get(c, c)), 1.2))
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
                (_lines(v, widths[c], 1.2) for c, v in enumerate(values)
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
                    write_n(r, c, v, f)
                else:
                    _put(self.writers, r, c, v, f)
            r += 1
        self.row = r

    def group_row(self, text: str) -> None:
        self.merged(text, self.st.group)


# --- shared pieces ------------------------------------------------------------------------------


def _roman(n: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals:
        while n >= value:
            out += letters
            n -= value
    return out


def _pct(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _grouped(rows: Sequence[Any], names: dict[str, str]) -> Iterable[tuple[int, str, list[Any]]]:
    """Consecutive rows of the same unit, as (group number, unit name, rows)."""
    groups: list[tuple[int, str, list[Any]]] = []
    for row in rows:
        if not groups or groups[-1][2][0].unit_code != row.unit_code:
            groups.append((len(groups) + 1, names.get(row.unit_code, row.unit_code), []))
        groups[-1][2].append(row)
    return groups


def _appendix_title(sh: Sheet, number: str, title: str, caption: str) -> None:
    st = sh.st
    sh.merged(f"PHỤ LỤC {number}" if number else "", st.appendix, height=20)
    sh.para(title, st.title, line_height=19)
    sh.para(caption, st.caption)
    sh.blank()


def _sources_sheet(
    book: Book, snapshots: Sequence[Snapshot], names: dict[str, str], what: str
) -> None:
    sh = book.sheet("Nguồn dữ liệu", [6, 30, 34, 36, 17, 13, 10, 20])
    st = sh.st
    sh.merged("NGUỒN DỮ LIỆU", st.title, height=22)
    sh.para(
        "Mỗi dòng là một tệp báo cáo của đơn vị được dùng để tổng hợp; mã SHA-256 giúp đối "
        "chiếu đúng tệp gốc lưu trong kho (archive/).",
        st.caption,
    )
    sh.blank()
    sh.header(
        ["STT", "Đơn vị", "Tệp", "Mã SHA-256", "Thời điểm nhận", "Ngày báo cáo",
         f"Số dòng {what}", "Sử dụng"]
    )  # fmt: skip
    fmts = [st.td_center, st.td, st.td, st.td_mono, st.td_dt, st.td_date, st.td_int, st.td]
    for i, snap in enumerate(snapshots, 1):
        sh.cells(
            [i, names.get(snap.unit_code, snap.unit_code), snap.original_name, snap.sha256,
             snap.received_at, excel_date(snap.as_of), snap.n_rows, snap.usage_label],
            fmts,
        )  # fmt: skip
    if not snapshots:
        sh.merged("Không có tệp nào được sử dụng.", st.td)


def _reporting_sheet(
    book: Book, sel: Selection, what: str, register_rows: Sequence[Any] = ()
) -> None:
    """Every expected unit: on time / late / not reported / rejected, time, file, findings."""
    sh = book.sheet("Tình hình báo cáo", [6, 15, 30, 17, 16, 30, 9, 7, 9, 40])
    st = sh.st
    period = sel.period
    sh.merged("TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC ĐƠN VỊ", st.title, height=22)
    sh.para(
        f"{period.label}: hạn gửi {fmt_dt(period.cutoff)}; số liệu tiếp nhận đến "
        f"{fmt_dt(sel.horizon)}. {period.shift_note()}".strip(),
        st.caption,
    )
    c = sel.counts()
    sh.para(
        f"Phải báo cáo: {c['expected']} đơn vị; đúng hạn: {c['on_time']}; trễ hạn: {c['late']}; "
        f"chưa báo cáo: {c['missing']}; bị từ chối, chờ gửi lại: {c['rejected']}; "
        f"tỷ lệ đã báo cáo: {fmt_pct(sel.completeness_pct)}.",
        st.caption,
    )
    sh.blank()
    sh.header(
        ["STT", "Mã đơn vị", "Đơn vị", "Tình hình báo cáo", "Thời điểm nhận", "Tệp",
         f"Số {what}", "Số lỗi", "Số cảnh báo", "Ghi chú"]
    )  # fmt: skip
    kinds: dict[str, list[UnitReporting]] = {}
    for u in sel.units:
        group = "C. ĐƠN VỊ GỬI THÊM (NGOÀI DANH SÁCH PHẢI BÁO CÁO)" if not u.expected else (
            "B. XÃ, PHƯỜNG" if u.kind_label == "Xã, phường" else "A. SỞ, BAN, NGÀNH VÀ ĐƠN VỊ KHÁC")  # fmt: skip
        kinds.setdefault(group, []).append(u)
    n = 0
    for group in sorted(kinds):
        sh.group_row(f"{group} ({len(kinds[group])} đơn vị)")
        for u in kinds[group]:
            n += 1
            snap, rej = u.snapshot, u.rejected
            current = snap if snap is not None and not snap.carried else None
            received = current.received_at if current else (rej.received_at if rej else None)
            file = current.original_name if current else (rej.original_name if rej else "")
            fmt_status = st.reporting.get(u.status, st.td)
            sh.cells(
                [n, u.code, u.name, u.status_label, received, file,
                 current.n_rows if current else None,
                 rej.n_errors if rej and not current else (0 if current else None),
                 current.n_warnings if current else (rej.n_warnings if rej else None),
                 u.note],
                [st.td_center, st.td, st.td, fmt_status, st.td_dt, st.td, st.td_int,
                 st.td_int, st.td_int, st.td],
            )  # fmt: skip
    if sel.unknown_files:
        sh.blank()
        sh.merged("TỆP KHÔNG XÁC ĐỊNH ĐƯỢC ĐƠN VỊ BÁO CÁO", st.section, height=20)
        for i, f in enumerate(sel.unknown_files, 1):
            sh.cells(
                [i, f.original_name, None, REPORTING_LABELS.get(f.verdict, "Không tiếp nhận"),
                 f.received_at,
                 f"Không xác định được đơn vị ({f.n_errors} lỗi); xem phản hồi gửi kèm tệp.",
                 None, None, None, None],
                [st.td_center, st.td, st.td, st.td, st.td_dt, st.td, st.td, st.td, st.td, st.td],
                merge=[(1, 2), (5, 9)],
            )  # fmt: skip
    if register_rows:
        sh.blank()
        sh.merged(
            f"NHIỆM VỤ TRONG DANH MỤC GIAO CHƯA CÓ ĐƠN VỊ NÀO BÁO CÁO ({len(register_rows)} nhiệm vụ)",
            st.section,
            height=20,
        )
        sh.cells(
            ["STT", "Mã nhiệm vụ", "Nội dung nhiệm vụ", "Thời hạn", "Đơn vị chủ trì",
             "Văn bản giao nhiệm vụ", None, None, None, "Lĩnh vực"],
            st.th,
            merge=[(5, 8)],
        )  # fmt: skip
        for i, t in enumerate(register_rows, 1):
            sh.cells(
                [i, t.code, t.task, t.deadline, t.lead_unit_name, t.source_doc, None, None, None,
                 t.pillar],
                [st.td_center, st.td, st.td, st.td_center, st.td, st.td, st.td, st.td, st.td, st.td],
                merge=[(5, 8)],
            )  # fmt: skip


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
    "Quá hạn",
    "Sắp đến hạn",
    "Điểm nghẽn, kiến nghị",
    "Tình hình báo cáo",
    "Chi tiết",
    "Nguồn dữ liệu",
)


def write_weekly(data: WeeklyData, target: Path) -> WriteOutcome:
    with cyclic_gc_paused():
        return safe_write(target, lambda tmp: _weekly_workbook(data, tmp))


def _weekly_workbook(data: WeeklyData, path: Path) -> None:
    book = Book(path, data.horizon, constant_memory=len(data.detail) > CONSTANT_MEMORY_ROWS)
    try:
        book.reserve(WEEKLY_SHEETS)
        # Chi tiết first: streaming its rows also counts them (data.tally), so the other
        # sheets need no second pass over the store.
        _task_detail(book, data)
        _weekly_summary(book, data)
        _task_appendix(book, data, overdue=True)
        _task_appendix(book, data, overdue=False)
        _task_issues(book, data)
        _reporting_sheet(book, data.selection, "nhiệm vụ", data.unreported_register)
        _sources_sheet(book, data.selection.snapshots, data.unit_names, "nhiệm vụ")
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
        "Tiến độ thực hiện nhiệm vụ cải cách hành chính, thể chế, khoa học, công nghệ, đổi mới "
        f"sáng tạo, chuyển đổi số và phát triển nguồn nhân lực — {p.label.lower()}",
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
    for line in lines:
        sh.para(line, st.para, line_height=15.5)
    sh.blank(height=8)

    # II. Key figures, with the chart beside them.
    sh.merged("II. SỐ LIỆU CHÍNH", st.section, height=20)
    sh.header(["STT", "Nội dung", None, "Số lượng", "Tỷ lệ (%)"], merge=[(1, 2)], repeat=False)
    expected = c["expected"]
    key_rows: list[tuple[str, str, int, float | None, Any]] = [
        ("1", "Đơn vị phải báo cáo", expected, 100.0 if expected else None, st.td),
        ("", "- Đã báo cáo đúng hạn", c["on_time"], _pct(c["on_time"], expected), st.sub),
        ("", "- Đã báo cáo trễ hạn", c["late"], _pct(c["late"], expected), st.sub),
        ("", "- Chưa báo cáo", c["missing"], _pct(c["missing"], expected), st.sub),
        ("", "- Bị từ chối, chờ gửi lại", c["rejected"], _pct(c["rejected"], expected), st.sub),
        ("2", "Tổng số nhiệm vụ", t.total, 100.0 if t.total else None, st.td),
    ]
    status_first = sh.row + len(key_rows)
    for s in STATUSES:
        key_rows.append(("", s, t.by_status[s], _pct(t.by_status[s], t.total), st.status[s]))
    key_rows += [
        ("3", "Nhiệm vụ ghi đủ 06 rõ", t.six_complete, _pct(t.six_complete, t.total), st.td),
        ("4", "Nhiệm vụ dùng số liệu kỳ trước", t.carried, _pct(t.carried, t.total), st.td),
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
    _status_chart(book, sh, status_first, table_top)
    sh.blank()
    # Page 1 is what a leader reads: heading, summary, key figures and chart. Tables follow.
    sh.ws.set_h_pagebreaks([sh.row])

    # III. Per unit.
    sh.merged("III. TÌNH HÌNH THỰC HIỆN THEO ĐƠN VỊ", st.section, height=20)
    sh.header(
        ["STT", "Đơn vị", "Tình hình báo cáo", "Tổng số nhiệm vụ",
         *(_SHORT_STATUS[s] for s in STATUSES), "Đủ 06 rõ (%)"]
    )  # fmt: skip
    nums = [st.td_int] * 8
    for i, u in enumerate(sel.units, 1):
        counts = t.unit_status.get(u.code)
        total = t.unit_total[u.code]
        label = u.status_label
        if u.snapshot is not None and u.snapshot.carried:
            label += " (dùng số liệu kỳ trước)"
        sh.cells(
            [i, u.name, label, total if u.snapshot else None,
             *((counts[s] if counts else 0) if u.snapshot else None for s in STATUSES),
             _pct(t.unit_six[u.code], total)],
            [st.td_center, st.td, st.reporting.get(u.status, st.td), *nums, st.td_pct],
        )  # fmt: skip
    sh.cells(
        ["", "Tổng cộng", f"{c['reported']}/{expected} đã báo cáo", t.total,
         *(t.by_status[s] for s in STATUSES), _pct(t.six_complete, t.total)],
        [st.tot, st.tot, st.tot, *([st.tot_int] * 8), st.tot_pct],
    )  # fmt: skip
    sh.blank()

    # IV. Per pillar.
    sh.merged("IV. TÌNH HÌNH THỰC HIỆN THEO LĨNH VỰC", st.section, height=20)
    sh.header(
        ["STT", "Lĩnh vực", None, "Tổng số nhiệm vụ", *(_SHORT_STATUS[s] for s in STATUSES),
         "Đủ 06 rõ (%)"],
        merge=[(1, 2)], repeat=False,
    )  # fmt: skip
    for i, pillar in enumerate(t.pillars(), 1):
        counts = t.pillar_status.get(pillar)
        total = t.pillar_total[pillar]
        sh.cells(
            [i, pillar, None, total, *((counts[s] if counts else 0) for s in STATUSES),
             _pct(t.pillar_six[pillar], total)],
            [st.td_center, st.td, st.td, *nums, st.td_pct],
            merge=[(1, 2)],
        )  # fmt: skip
    sh.cells(
        ["", "Tổng cộng", None, t.total, *(t.by_status[s] for s in STATUSES),
         _pct(t.six_complete, t.total)],
        [st.tot, st.tot, st.tot, *([st.tot_int] * 8), st.tot_pct],
        merge=[(1, 2)],
    )  # fmt: skip
    sh.blank()
    sh.para(
        f"Ghi chú: Trạng thái tổng hợp do hệ thống xác định từ thời hạn, tình trạng và ngày hoàn "
        f"thành đơn vị báo cáo, tính đến ngày chốt {fmt_date(data.as_of)}. “Sắp đến hạn”: chưa "
        f"hoàn thành, thời hạn trong {data.due_soon_days} ngày tới. “Quá hạn”: chưa hoàn thành "
        "và đã qua thời hạn, bất kể tình trạng đơn vị ghi. Nhiệm vụ “Thường xuyên” không tính "
        f"quá hạn. {PREPARED_BY}.",
        st.note,
        line_height=15,
    )


def _status_chart(book: Book, sh: Sheet, first_row: int, anchor_row: int) -> None:
    chart = book.wb.add_chart({"type": "bar"})
    last_row = first_row + len(STATUSES) - 1
    chart.add_series(
        {
            "name": "Số nhiệm vụ",
            "categories": [sh.name, first_row, 1, last_row, 1],
            "values": [sh.name, first_row, 3, last_row, 3],
            "points": [{"fill": {"color": STATUS_COLORS[s][2]}} for s in STATUSES],
            "data_labels": {"value": True, "font": {"name": FONT, "size": 10}},
            "gap": 60,
        }
    )
    chart.set_title(
        {"name": "Nhiệm vụ theo trạng thái tổng hợp", "name_font": {"name": FONT, "size": 12}}
    )
    chart.set_legend({"none": True})
    chart.set_x_axis({"num_font": {"name": FONT, "size": 9}, "major_gridlines": {"visible": True}})
    chart.set_y_axis({"num_font": {"name": FONT, "size": 10}, "reverse": True})
    chart.set_chartarea({"border": {"color": "#BFBFBF"}})
    # Fill columns F..L beside the key figures (pixels as xlsxwriter sizes columns).
    width = sum(int(w * 7 + 5) for w in sh.widths[5:]) - 14
    chart.set_size({"width": width, "height": 21 * (len(STATUSES) + 9) - 2})
    sh.ws.insert_chart(anchor_row, 5, chart, {"x_offset": 10, "y_offset": 0, "object_position": 1})


def _task_appendix(book: Book, data: WeeklyData, *, overdue: bool) -> None:
    rows = data.tally.overdue if overdue else data.tally.due_soon
    days_label = "Số ngày quá hạn" if overdue else "Số ngày còn lại"
    sh = book.sheet(
        "Quá hạn" if overdue else "Sắp đến hạn", [6, 11, 40, 20, 13, 10, 9, 14, 17, 17, 30]
    )
    st = sh.st
    what = (
        "DANH SÁCH NHIỆM VỤ QUÁ HẠN CHƯA HOÀN THÀNH"
        if overdue
        else f"DANH SÁCH NHIỆM VỤ SẮP ĐẾN HẠN (TRONG {data.due_soon_days} NGÀY TỚI)"
    )
    _appendix_title(
        sh,
        "I" if overdue else "II",
        what,
        f"(Kèm theo báo cáo {data.period.label.lower()}; tính đến {fmt_dt(data.period.cutoff)}; "
        f"tổng số {len(rows)} nhiệm vụ)",
    )
    sh.header(
        ["STT", "Mã nhiệm vụ", "Nội dung nhiệm vụ", "Văn bản giao nhiệm vụ", "Thời hạn",
         days_label, "Tiến độ (%)", "Tình trạng (đơn vị ghi)", "Cán bộ đầu mối",
         "Lãnh đạo phụ trách", "Khó khăn, vướng mắc"]
    )  # fmt: skip
    if not rows:
        sh.merged("Không có nhiệm vụ nào.", st.td)
        return
    fmts = [st.td_center, st.td, st.td, st.td, st.td_center, st.td_int, st.td_int, st.td,
            st.td, st.td, st.td]  # fmt: skip
    for number, name, group in _grouped(rows, data.unit_names):
        sh.group_row(f"{_roman(number)}. {name} ({len(group)} nhiệm vụ)")
        sh.table_rows(
            (
                [i, row.task_code,
                 f"{row.task or ''} [số liệu kỳ trước]" if row.carried else row.task or "",
                 row.source_doc, row.deadline, row.days_overdue if overdue else row.days_left,
                 row.progress, row.state, row.officer, row.authority, row.bottleneck]
                for i, row in enumerate(group, 1)
            ),
            fmts,
        )  # fmt: skip


def _task_issues(book: Book, data: WeeklyData) -> None:
    rows = data.tally.issues
    sh = book.sheet("Điểm nghẽn, kiến nghị", [6, 11, 36, 15, 44, 44])
    st = sh.st
    _appendix_title(
        sh,
        "III",
        "KHÓ KHĂN, VƯỚNG MẮC (ĐIỂM NGHẼN) VÀ ĐỀ XUẤT, KIẾN NGHỊ CỦA CÁC ĐƠN VỊ",
        f"(Kèm theo báo cáo {data.period.label.lower()}; {len(rows)} nhiệm vụ có nội dung)",
    )
    sh.header(
        ["STT", "Mã nhiệm vụ", "Nhiệm vụ", "Trạng thái", "Khó khăn, vướng mắc (điểm nghẽn)",
         "Đề xuất, kiến nghị"]
    )  # fmt: skip
    if not rows:
        sh.merged("Không có đơn vị nào nêu khó khăn, vướng mắc hoặc kiến nghị.", st.td)
        return
    for number, name, group in _grouped(rows, data.unit_names):
        sh.group_row(f"{_roman(number)}. {name}")
        for status, same in itertools.groupby(enumerate(group, 1), key=lambda x: x[1].status):
            sh.table_rows(
                ([i, row.task_code, row.task, row.status, row.bottleneck, row.proposal]
                 for i, row in same),
                [st.td_center, st.td, st.td, st.status[status], st.td, st.td],
            )  # fmt: skip


#: Chi tiết: (header, width, kind, TaskRow field). Kinds: s text, n number, d date, x special.
#: Kept close to the specification's columns: this sheet is the hot path of a build.
_DETAIL_COLUMNS: tuple[tuple[str, float, str, str], ...] = (
    ("STT", 6, "x", "stt"),
    ("Đơn vị báo cáo", 22, "x", "unit"),
    ("Mã nhiệm vụ", 11, "s", "task_code"),
    ("Nội dung nhiệm vụ", 42, "s", "task"),
    ("Lĩnh vực", 20, "s", "pillar"),
    ("Văn bản giao nhiệm vụ", 20, "s", "source_doc"),
    ("Đơn vị chủ trì", 20, "x", "lead_unit"),
    ("Đơn vị phối hợp", 18, "s", "partner_units"),
    ("Cán bộ đầu mối", 16, "s", "officer"),
    ("Lãnh đạo phụ trách", 16, "s", "authority"),
    ("Thời hạn hoàn thành", 14, "s", "deadline"),
    ("Sản phẩm đầu ra", 24, "s", "deliverable"),
    ("Tiến độ (%)", 8, "n", "progress"),
    ("Tình trạng (đơn vị ghi)", 14, "s", "state"),
    ("Ngày hoàn thành", 11, "d", "completed_on"),
    ("Trạng thái tổng hợp", 16, "s", "status"),
    ("Số ngày quá hạn", 8, "n", "days_overdue"),
    ("Kết quả thực hiện trong kỳ", 30, "s", "period_result"),
    ("Khó khăn, vướng mắc (điểm nghẽn)", 28, "s", "bottleneck"),
    ("Đề xuất, kiến nghị", 28, "s", "proposal"),
    ("Ghi chú", 16, "s", "note"),
    ("Cảnh báo (06 rõ, khi tiếp nhận)", 28, "x", "issues"),
    ("Tệp nguồn", 26, "x", "file"),
    ("Thời điểm nhận", 15, "x", "received"),
    ("Nguồn số liệu", 16, "x", "usage"),
)
CARRIED_LABEL = "Số liệu kỳ trước"


def _task_detail(book: Book, data: WeeklyData) -> None:
    """Every counted task row. The hot path of a province-sized build (issue 5): cells carry
    no format of their own (only date columns have a column format), one call per
    non-empty cell, and the usual case ("this period, on time") writes nothing extra."""
    cols = _DETAIL_COLUMNS
    sh = book.sheet("Chi tiết", [w for _, w, _, _ in cols])
    st, ws = sh.st, sh.ws
    for c, (_, width, kind, key) in enumerate(cols):
        if kind == "d":
            ws.set_column(c, c, width, st.d_date)
        elif key == "received":
            ws.set_column(c, c, width, st.d_dt)
    sh.merged(
        f"CHI TIẾT NHIỆM VỤ — {data.period.label.upper()} (tính đến {fmt_dt(data.period.cutoff)})",
        st.section,
        last=8,
        height=20,
    )
    header_row = sh.header([label for label, _, _, _ in cols], height=42)
    first = sh.row
    fields = {name: i for i, name in enumerate(TaskRow._fields)}
    text_cols = [(c, fields[key]) for c, (_, _, kind, key) in enumerate(cols) if kind == "s"]
    num_cols = [(c, fields[key]) for c, (_, _, kind, key) in enumerate(cols) if kind == "n"]
    date_cols = [(c, fields[key]) for c, (_, _, kind, key) in enumerate(cols) if kind == "d"]
    where = {key: c for c, (_, _, _, key) in enumerate(cols)}
    c_stt, c_unit, c_lead, c_warn = where["stt"], where["unit"], where["lead_unit"], where["issues"]
    c_file, c_recv, c_use = where["file"], where["received"], where["usage"]
    i_lead, i_issues, i_missing = fields["lead_unit"], fields["issues"], fields["missing_clear"]
    names = data.unit_names
    per_snap = {
        s.submission_id: (
            s.original_name,
            excel_datetime(s.received_at),
            s.usage_label if s.carried or s.late else "",
        )
        for s in data.selection.snapshots
    }
    write_s, write_n, _ = cell_writers(ws)
    epoch = _EXCEL_EPOCH
    fromiso = date.fromisoformat
    r = first
    rows: Iterable[tuple[Any, ...]] = data.detail  # plain tuples on the hot path
    for n, row in enumerate(rows, 1):
        write_n(r, c_stt, n)
        write_s(r, c_unit, names.get(row[0], row[0]))
        for c, i in text_cols:
            v = row[i]
            if v:
                write_s(r, c, v if v.__class__ is str else str(v))
        for c, i in num_cols:
            v = row[i]
            if v is not None and v != "":
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
        lead = row[i_lead]
        if lead:
            write_s(r, c_lead, names.get(lead, lead))
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
    c_status = next(c for c, x in enumerate(cols) if x[3] == "status")
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
        _reporting_sheet(book, data.selection, "dự án")
        _project_detail(book, data)
        _sources_sheet(book, data.selection.snapshots, data.unit_names, "dự án")
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
    _appendix_title(
        sh, number, title,
        f"(Kèm theo báo cáo dự án {data.period.label.lower()}; {len(rows)} dự án)",
    )  # fmt: skip
    sh.header(headers)
    if not rows:
        sh.merged("Không có dự án nào.", st.td)
        return
    for num, unit, group in _grouped(rows, data.unit_names):
        sh.group_row(f"{_roman(num)}. {unit} ({len(group)} dự án)")
        for i, p in enumerate(group, 1):
            project = (p.project or "") + (" [số liệu kỳ trước]" if p.carried else "")
            if lagging:
                sh.cells(
                    [i, project, p.fund_source, p.year_plan, p.disbursed,
                     None if p.rate is None else round(p.rate, 1), p.stage, p.committed_pct,
                     p.lagging, p.bottleneck, p.officer],
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


def _project_issues(book: Book, data: ProjectsData) -> None:
    rows = data.issues
    sh = book.sheet("Điểm nghẽn, kiến nghị", [6, 36, 20, 46, 46])
    st = sh.st
    _appendix_title(
        sh, "III", "KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ CỦA CÁC CHỦ ĐẦU TƯ",
        f"(Kèm theo báo cáo dự án {data.period.label.lower()}; {len(rows)} dự án có nội dung)",
    )  # fmt: skip
    sh.header(["STT", "Tên dự án", "Giai đoạn", "Khó khăn, vướng mắc", "Đề xuất, kiến nghị"])
    if not rows:
        sh.merged("Không có chủ đầu tư nào nêu khó khăn, vướng mắc hoặc kiến nghị.", st.td)
        return
    for num, unit, group in _grouped(rows, data.unit_names):
        sh.group_row(f"{_roman(num)}. {unit}")
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
            v = getattr(p, key)
            values.append(round(v, 1) if key == "rate" and v is not None else v)
        values += [snap.original_name, snap.received_at, snap.usage_label]
        sh.cells(values, fmts)
    last = max(sh.row - 1, first)
    sh.ws.autofilter(header_row, 0, last, len(widths) - 1)
    sh.ws.freeze_panes(header_row + 1, 3)


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
        _sources_sheet(book, data.snapshots, data.unit_names, "nhiệm vụ")
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
             _pct(six_unit.get(snap.unit_code, 0), due)],
            [st.td_center, st.td, *nums, st.td_pct],
        )  # fmt: skip
    sh.cells(
        ["", "Tổng cộng", *totals, sum(totals), _pct(six, len(all_due))],
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
    _appendix_title(
        sh, "", f"KẾ HOẠCH CHI TIẾT {data.period.label.upper()}",
        f"(Nhiệm vụ xếp theo tháng của thời hạn hoàn thành; tình trạng tính đến ngày "
        f"{fmt_date(data.as_of)})",
    )  # fmt: skip
    sh.header([label for label, _ in _PLAN_COLUMNS])
    number = 0
    for label, rows in data.groups:
        number += 1
        sh.group_row(f"{_roman(number)}. {label.upper()} ({len(rows)} nhiệm vụ)")
        if rows:
            _plan_rows(sh, rows, data.unit_names)
    number += 1
    sh.group_row(f"{_roman(number)}. NHIỆM VỤ THƯỜNG XUYÊN ({len(data.recurring)} nhiệm vụ)")
    _plan_rows(sh, data.recurring, data.unit_names)


def _plan_overdue(book: Book, data: PlanData) -> None:
    rows = data.overdue_before
    sh = book.sheet("Quá hạn chưa hoàn thành", [6, 11, 40, 20, 13, 10, 9, 14, 17, 17])
    st = sh.st
    _appendix_title(
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
    for num, name, group in _grouped(rows, data.unit_names):
        sh.group_row(f"{_roman(num)}. {name} ({len(group)} nhiệm vụ)")
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
    _appendix_title(
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
