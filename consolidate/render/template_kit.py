"""What the unit template's parts share: its layout constants, formats and help texts.

Rows and names a reader of the template relies on (:data:`HEADER_ROW`,
:data:`COVER_FIRST_ROW`, the ``_danhmuc`` lists), Times New Roman formats, A4 print setup,
the Vietnamese description of what a cell accepts (prompts and the guide say the same), and
the atomic write of a finished workbook.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from consolidate.calendar.deadlines import EXAMPLES as DEADLINE_EXAMPLES
from consolidate.core.errors import OutputError, os_reason
from consolidate.core.files import write_atomic
from consolidate.core.fmt import fmt_num
from consolidate.core.textwidth import PT_PER_MM, wrap
from schemas import Kind, SheetSpec
from schemas.columns import Column

HIDDEN_SHEET = "_danhmuc"
VERSION_LABEL = "Phiên bản mẫu"  # _danhmuc!A1; the version itself is in B1
LIST_FIRST_ROW = 4  # 1-based first value row of the lists in _danhmuc (titles in row 3)
UNIT_LIST_NAME = "DM_DonVi"
HEADER_ROW = 3  # 1-based header row of every data sheet (title in row 1, note in row 2)
COVER_FIRST_ROW = 3  # 1-based row of the first cover field
#: Formatted empty rows per data sheet, so that a unit never types outside the grid.
MIN_ROWS: Mapping[str, int] = {"tasks": 300, "projects": 100, "indicators": 50}
DEFAULT_MIN_ROWS = 50
SPARE_ROWS = 30  # empty formatted rows kept below the data of a filled submission

COVER_WIDTHS = (26, 48, 62)  # label, value, note
DATE_FORMAT = "dd/mm/yyyy"
FONT = "Times New Roman"
BODY_SIZE = 12
FONT_PROPS = {"font_name": FONT, "font_size": BODY_SIZE}
REQUIRED_FILL = "#FCE4D6"  # light orange: required header
OPTIONAL_FILL = "#DDEBF7"  # light blue: optional header
RED = "#C00000"
# A unit of column width is the default font's digit (Times New Roman 12: 8 px = 6 pt);
# a cell keeps about 4 pt of padding. Excel and LibreOffice do not grow merged rows for
# wrapped text, so the rows are sized here, from the font's metrics with 5 % to spare.
PT_PER_WIDTH = 6.0
CELL_PADDING_PT = 4.0
NUM_FORMATS = {
    Kind.INT: "0",
    Kind.NUMBER: "General",
    Kind.MONEY: "#,##0.0",
    Kind.PERCENT: "0.0",  # plain 0–100, never an Excel percent
    Kind.DATE: DATE_FORMAT,
    Kind.DEADLINE: DATE_FORMAT,  # a typed date shows as dd/mm/yyyy; text stays text
}
CENTERED = {Kind.INT, Kind.DATE, Kind.DEADLINE, Kind.PERCENT}
# Sheet protection without a password: it keeps headers and the guide intact by accident,
# never blocks a unit (Review > Unprotect Sheet), and leaves the usual table work allowed.
PROTECTION = {
    "format_cells": True,
    "format_columns": True,
    "format_rows": True,
    "insert_rows": True,
    "delete_rows": True,
    "sort": True,
    "autofilter": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}


def list_name(sheet: SheetSpec, column: Column) -> str:
    """Workbook name of the dropdown list of a CHOICE column (``DM_tasks_pillar``)."""
    return f"DM_{sheet.key}_{column.key}"


class Formats:
    """Cached xlsxwriter formats; every one is Times New Roman."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self._wb = workbook
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}

    def get(self, **props: Any) -> Format:
        key = tuple(sorted(props.items()))
        fmt = self._cache.get(key)
        if fmt is None:
            fmt = self._cache[key] = self._wb.add_format({**FONT_PROPS, **props})
        return fmt

    def cell(self, kind: Kind, *, is_date: bool = False) -> Format:
        """An unlocked, bordered data cell of a column of ``kind``."""
        num = DATE_FORMAT if is_date else NUM_FORMATS.get(kind, "General")
        return self.get(
            border=1,
            border_color="#808080",
            valign="top",
            text_wrap=True,
            locked=False,
            num_format=num,
            align="center" if kind in CENTERED or is_date else "general",
        )


#: Column-width units that fit one A4 landscape page at the smallest scale that keeps
#: 11 pt text ≥ 9 pt on paper (84 %; 6.29 pt per unit, measured in LibreOffice's PDF).
READABLE_PAGE_WIDTH = 145.0
#: The print scale of a sheet wider than one page: ≥ 9 pt on paper (issue 13).
WIDE_PRINT_SCALE = 84


def print_setup(ws: Worksheet, *, landscape: bool = True, pages_wide: int = 1) -> None:
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
    if pages_wide > 1:  # never squeezed onto one page width: across pages, then down
        ws.set_print_scale(WIDE_PRINT_SCALE)
        ws.print_across()
    else:
        ws.fit_to_pages(1, 0)  # as many pages tall as needed
        ws.center_horizontally()
    ws.set_footer(f'&L&"{FONT}"&12&A&C&"{FONT}"&12Trang &P')


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def allowed_text(col: Column | None, kind: Kind) -> str:
    """What a cell of this kind accepts, in Vietnamese (for prompts and the guide)."""
    if kind is Kind.CHOICE and col is not None:
        return "Giá trị: " + "; ".join(col.choices) + "."
    low = col.minimum if col is not None and col.minimum is not None else 0
    high = col.maximum if col is not None else None
    return {
        Kind.UNIT: "Chọn tên đơn vị trong danh sách.",
        Kind.INT: "Số nguyên.",
        Kind.NUMBER: "Một số.",
        Kind.MONEY: f"Số từ {fmt_num(low, 6)} trở lên.",
        Kind.PERCENT: (
            f"Số từ {fmt_num(low, 6)} đến {fmt_num(high, 6)}, ví dụ 60 (không ghi 60%)."
            if high is not None
            else f"Số từ {fmt_num(low, 6)} trở lên, ví dụ 60 (không ghi 60%)."
        ),
        Kind.DATE: "Ngày dạng dd/mm/yyyy, ví dụ 28/05/2026.",
        Kind.DEADLINE: "Một ngày dd/mm/yyyy hoặc một thời hạn như: " + DEADLINE_EXAMPLES + ".",
        Kind.EMAIL: "Địa chỉ thư điện tử, ví dụ ten@donvi.gov.vn.",
    }.get(kind, "Ghi tự do.")


def describe_cell(kind: Kind, help_text: str, col: Column | None) -> str:
    """Help text plus what the cell accepts, without saying the same thing twice."""
    parts = [help_text] if help_text else []
    # Plain text needs no rule; the deadline help already lists the accepted forms.
    if kind is not Kind.TEXT and not (kind is Kind.DEADLINE and help_text):
        allowed = allowed_text(col, kind)
        if help_text and help_text.rstrip(".") in allowed:
            parts = []
        parts.append(allowed)
    return " ".join(parts)


def input_prompt(required: bool, kind: Kind, help_text: str, col: Column | None) -> str:
    parts = ["Bắt buộc." if required else "Không bắt buộc.", describe_cell(kind, help_text, col)]
    return truncate(" ".join(p for p in parts if p), 255)


def text_lines(text: str, width: float, size: float = BODY_SIZE) -> int:
    """Lines that ``text`` takes when word-wrapped in a column ``width`` wide."""
    room_mm = (width * PT_PER_WIDTH - CELL_PADDING_PT) * 0.95 / PT_PER_MM
    return len(wrap(text, room_mm, size))


def atomic_write(path: Path, data: bytes) -> Path:
    """Write through :func:`consolidate.core.files.write_atomic`: never a half file."""
    path = Path(path)
    try:
        return write_atomic(path, data)
    except OSError as exc:
        raise OutputError(
            f"Không ghi được tệp {path}: {os_reason(exc)}.",
            "Đóng tệp nếu đang mở trong Excel, kiểm tra quyền ghi và dung lượng ổ đĩa.",
        ) from exc
