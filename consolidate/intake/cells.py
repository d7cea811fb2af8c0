"""What reading a workbook gives: sheets of Python cell values, and how a cell is typed.

Shared by both sheet parsers (:mod:`.reader`'s ElementTree parser and :mod:`.fastread`'s
regular expressions), so that they give the same sheets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from consolidate.core.codes import finding
from consolidate.core.findings import Finding
from consolidate.intake.container import MAX_ROW

EXCEL_EPOCH = datetime(1899, 12, 30)
EXCEL_EPOCH_1904 = datetime(1904, 1, 1)
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


class CellError(str):
    """An Excel error value such as #REF! or #N/A."""


# Excel keeps at most 32,767 characters in a cell. A longer text can only come from a
# broken or hostile file; it is cut here, where it is read, so that nothing downstream
# (normalising, legacy-font checks, messages) copies megabytes per cell, and the cell is
# refused (cell-too-long) with its real length.
MAX_CELL_CHARS = 32_767


class Overlong(str):
    """The first MAX_CELL_CHARS characters of a text that was ``length`` characters long."""

    length: int


def capped(text: str) -> str:
    """``text``, or an :class:`Overlong` of its beginning when Excel could not hold it."""
    if len(text) <= MAX_CELL_CHARS:
        return text
    cut = Overlong(text[:MAX_CELL_CHARS])
    cut.length = len(text)
    return cut


class Formula:
    """Marker for a formula cell that carries no cached value."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"


@dataclass
class Sheet:
    name: str
    state: str = "visible"  # visible | hidden | veryHidden
    rows: dict[int, dict[int, Any]] = field(default_factory=dict)
    percent: set[tuple[int, int]] = field(default_factory=set)  # cells formatted as %
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    max_row: int = 0
    max_col: int = 0
    partial: bool = False  # only some rows kept (the feedback's copy of a sheet)
    truncated: bool = False  # a sheet not of the template: only its first rows were read

    def value(self, row: int, col: int) -> Any:
        return self.rows.get(row, {}).get(col)


@dataclass
class RawWorkbook:
    sheets: dict[str, Sheet]
    application: str = ""
    template_version: str | None = None

    def sheet_names(self) -> list[str]:
        return list(self.sheets)


@dataclass
class ReadResult:
    workbook: RawWorkbook | None
    findings: list[Finding]


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def split_ref(ref: str) -> tuple[int, int]:
    m = _REF.match(ref.replace("$", ""))
    if not m:
        raise ValueError(ref)
    return int(m[2]), col_index(m[1])


def serial_to_datetime(value: float, date1904: bool) -> datetime | float:
    if not -1 < value < 2958466:  # beyond 9999-12-31: not a date, keep the number
        return value
    base = EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH
    moment = base + timedelta(days=value)
    # Round to the second: Excel stores times as fractions of a day.
    return moment.replace(microsecond=0) + timedelta(seconds=round(moment.microsecond / 1e6))


def too_many_rows(sheet: Sheet, r: int) -> Finding:
    return finding(
        "sheet-too-large",
        f"Trang '{sheet.name}' có dữ liệu ở dòng {r}, vượt giới hạn {MAX_ROW} dòng.",
    )


def put_cell(
    sheet: Sheet, rows: dict[int, dict[int, Any]], r: int, c: int, value: Any, is_pct: bool
) -> Finding | None:
    if r > MAX_ROW:
        return too_many_rows(sheet, r)
    row = rows.get(r)
    if row is None:
        row = rows[r] = {}
    row[c] = value
    if is_pct:
        sheet.percent.add((r, c))
    if r > sheet.max_row:
        sheet.max_row = r
    if c > sheet.max_col:
        sheet.max_col = c
    return None


def typed_value(
    t: str,
    s: str | None,
    v_text: str | None,
    has_v: bool,
    f_text: str | None,
    inline: str,
    strings: list[str],
    dates: Sequence[bool],
    pcts: Sequence[bool],
    date1904: bool,
) -> tuple[Any, bool]:
    """A cell's Python value from its parts; shared by both sheet parsers."""
    value: Any = None
    is_pct = False
    if t == "s":
        if v_text is not None:
            try:
                value = strings[int(v_text)]
            except (ValueError, IndexError):
                value = CellError("#SST!")
    elif t == "inlineStr":
        value = capped(unescape(inline))
    elif t == "str":
        value = capped(unescape(v_text)) if v_text else v_text
    elif t == "b":
        value = None if v_text is None else v_text == "1"
    elif t == "e":
        value = CellError(v_text or "#ERR!")
    elif t == "d":
        value = _iso_to_datetime(v_text)
    elif v_text:
        try:
            num = float(v_text)
        except ValueError:
            value = capped(v_text)
        else:
            style = int(s or 0)
            if style < len(dates) and dates[style]:
                value = serial_to_datetime(num, date1904)
            else:
                value = int(num) if num.is_integer() and abs(num) < 1e15 else num
                is_pct = style < len(pcts) and pcts[style]
    # A formula whose cached result is an empty text (=IF(x="";"";...)) is saved by Excel and
    # LibreOffice as t="str" with an empty <v>: that is a value. Without <v>, or an empty <v>
    # of another type (openpyxl's way), the value was never calculated.
    if f_text is not None and (value is None or value == "") and not (t == "str" and has_v):
        value = Formula(f_text)
    return value, is_pct


def unescape(text: str) -> str:
    """Decode the OOXML ``_xHHHH_`` escape (Excel writes a carriage return as ``_x000D_``)."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(_escaped_char, text)


def _escaped_char(match: re.Match[str]) -> str:
    code = int(match[1], 16)
    return match[0] if 0xD800 <= code <= 0xDFFF else chr(code)  # no lone surrogates


def _iso_to_datetime(text: str | None) -> Any:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", ""))
    except ValueError:
        return text
