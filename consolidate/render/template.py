"""The unit template ("khung báo cáo chung") and filled submissions, generated from the spec.

Everything a unit sees is generated from :mod:`schemas.columns`: sheet names, header labels
(verbatim), dropdowns, validations, help texts and the guide. Layout:

* ``Hướng dẫn`` – the guide (protected, read-only).
* ``Thông tin chung`` – title in row 1, then one row per cover field from
  :data:`COVER_FIRST_ROW`: exact label in column A, value in column B, a note in column C.
* one sheet per :data:`schemas.SHEETS`: title in row 1, a note in row 2, the ONE header
  row at :data:`HEADER_ROW` (exact labels in spec order from column A), data below it.
* ``_danhmuc`` (very hidden): ``A1`` = "Phiên bản mẫu", ``B1`` = the template version;
  from row :data:`LIST_FIRST_ROW` the dropdown lists, one per column, title in the row above
  (column A unit names, column B unit codes, then one column per CHOICE column of the spec).
  Validations refer to the lists through workbook names (``DM_DonVi``, ``DM_<sheet>_<col>``)
  because Excel 2007 rejects list validations that point at another sheet directly.

xlsxwriter, not openpyxl, writes the workbook: it supports everything needed (validations
with input and error messages, sheet protection options without a password, very hidden
sheets, comments, custom document properties, print titles) and is several times faster,
which matters because :func:`write_submission` builds thousands of files in tests and
benchmarks. openpyxl is used only to fill a template given as a file.
"""

from __future__ import annotations

import io
import math
import numbers
import os
import tempfile
import textwrap
from collections.abc import Mapping, Sequence
from copy import copy
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from consolidate.calendar.deadlines import EXAMPLES as DEADLINE_EXAMPLES
from consolidate.calendar.deadlines import MAX_YEAR, MIN_YEAR
from consolidate.core.config import Calendar, Unit
from consolidate.core.errors import OutputError
from consolidate.core.text import label_key
from schemas import COVER, COVER_SHEET, GUIDE_SHEET, SHEETS, TEMPLATE_VERSION, Kind, SheetSpec
from schemas.columns import SIX_CLEAR, Column

__all__ = [
    "COVER_FIRST_ROW",
    "HEADER_ROW",
    "HIDDEN_SHEET",
    "LIST_FIRST_ROW",
    "MIN_ROWS",
    "UNIT_LIST_NAME",
    "VERSION_LABEL",
    "list_name",
    "write_submission",
    "write_template",
]

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
# Characters of 12 pt Times New Roman per unit of column width, slightly pessimistic.
# Excel and LibreOffice do not grow merged rows for wrapped text, so we size them.
CHARS_PER_WIDTH = 1.15
OFFICE = "Sở Khoa học và Công nghệ tỉnh Đắk Lắk"
OFFICE_ROLE = "cơ quan thường trực Tổ giúp việc (Sở Khoa học và Công nghệ)"
_FIRST_DATE, _LAST_DATE = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)
_NUM_FORMATS = {
    Kind.INT: "0",
    Kind.NUMBER: "General",
    Kind.MONEY: "#,##0.0",
    Kind.PERCENT: "0.0",  # plain 0–100, never an Excel percent
    Kind.DATE: DATE_FORMAT,
    Kind.DEADLINE: DATE_FORMAT,  # a typed date shows as dd/mm/yyyy; text stays text
}
_CENTERED = {Kind.INT, Kind.DATE, Kind.DEADLINE, Kind.PERCENT}
# Sheet protection without a password: it keeps headers and the guide intact by accident,
# never blocks a unit (Review > Unprotect Sheet), and leaves the usual table work allowed.
_PROTECTION = {
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


def write_template(
    path: Path,
    units: Sequence[Unit],
    *,
    sheets: Sequence[SheetSpec] = SHEETS,
    calendar: Calendar | None = None,
) -> Path:
    """Write the empty unit template to ``path`` atomically and return ``path``.

    ``sheets`` defaults to the specification; ``calendar`` (the workspace's) only changes
    the deadlines quoted in the guide.
    """
    return _build(path, units, sheets, calendar or Calendar(), {}, {})


def write_submission(
    path: Path,
    units: Sequence[Unit],
    cover: Mapping[str, object],
    rows: Mapping[str, Sequence[Mapping[str, object]]],
    *,
    template: Path | None = None,
    sheets: Sequence[SheetSpec] = SHEETS,
) -> Path:
    """Write a filled submission, as a unit would send it, atomically to ``path``.

    ``cover`` maps cover keys (``unit``, ``as_of``...) to values; ``rows`` maps sheet keys
    (``tasks``...) to row dicts keyed by column key. Missing keys give empty cells; unknown
    keys raise :class:`KeyError` (a typo must not silently produce an empty column). Dates
    become real Excel dates shown as dd/mm/yyyy; strings are always written as text.

    Without ``template`` the template is generated with the data in one pass (fast);
    with it, that file is filled with openpyxl (labels are looked up, so it may be an
    older or modified template).
    """
    _check_keys(cover, rows, sheets)
    if template is not None:
        return _fill_template(path, Path(template), cover, rows, sheets)
    return _build(path, units, sheets, Calendar(), cover, rows)


def _check_keys(
    cover: Mapping[str, object],
    rows: Mapping[str, Sequence[Mapping[str, object]]],
    sheets: Sequence[SheetSpec],
) -> None:
    unknown = [f"cover.{k}" for k in cover if k not in {f.key for f in COVER}]
    specs = {s.key: s for s in sheets}
    for sheet_key, sheet_rows in rows.items():
        spec = specs.get(sheet_key)
        if spec is None:
            unknown.append(sheet_key)
            continue
        keys = set(spec.keys)
        unknown.extend(
            f"{sheet_key}.{k}" for k in sorted({k for r in sheet_rows for k in r} - keys)
        )
    if unknown:
        raise KeyError(f"unknown keys: {', '.join(unknown)}")


# --- generation with xlsxwriter ---------------------------------------------------------


class _Formats:
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
        num = DATE_FORMAT if is_date else _NUM_FORMATS.get(kind, "General")
        return self.get(
            border=1,
            border_color="#808080",
            valign="top",
            text_wrap=True,
            locked=False,
            num_format=num,
            align="center" if kind in _CENTERED or is_date else "general",
        )


def _build(
    path: Path,
    units: Sequence[Unit],
    sheets: Sequence[SheetSpec],
    calendar: Calendar,
    cover: Mapping[str, object],
    rows: Mapping[str, Sequence[Mapping[str, object]]],
) -> Path:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "remove_timezone": True,
            "default_format_properties": dict(FONT_PROPS),
            "default_row_height": 21,  # pixels: fits one 12 pt line
        },
    )
    fmts = _Formats(workbook)
    _set_properties(workbook)
    guide = workbook.add_worksheet(GUIDE_SHEET)
    cover_ws = workbook.add_worksheet(COVER_SHEET)
    data_ws = [workbook.add_worksheet(spec.name) for spec in sheets]
    lists = workbook.add_worksheet(HIDDEN_SHEET)
    has_units = _write_lists(workbook, lists, fmts, units, sheets)
    _write_guide(guide, fmts, sheets, calendar)
    _write_cover(cover_ws, fmts, has_units, cover)
    for ws, spec in zip(data_ws, sheets, strict=True):
        _write_data_sheet(ws, fmts, spec, has_units, rows.get(spec.key, ()))
    guide.activate()
    workbook.close()
    return _atomic_write(path, buffer.getvalue())


def _set_properties(workbook: xlsxwriter.Workbook) -> None:
    workbook.set_properties(
        {
            "title": "Mẫu báo cáo - Khung báo cáo chung",
            "subject": "Báo cáo tiến độ nhiệm vụ, dự án của Tổ giúp việc",
            "author": OFFICE,
            "company": OFFICE,
            "keywords": f"template_version={TEMPLATE_VERSION}",
            "comments": f"{VERSION_LABEL} {TEMPLATE_VERSION}",
        }
    )
    workbook.set_custom_property("template_version", TEMPLATE_VERSION)


def _write_lists(
    workbook: xlsxwriter.Workbook,
    ws: Worksheet,
    fmts: _Formats,
    units: Sequence[Unit],
    sheets: Sequence[SheetSpec],
) -> bool:
    """Fill the very hidden ``_danhmuc`` sheet and name its lists; True if units exist."""
    bold = fmts.get(bold=True)
    ws.write_string(0, 0, VERSION_LABEL, bold)
    ws.write_string(0, 1, TEMPLATE_VERSION)
    columns: list[tuple[str, str | None, Sequence[str]]] = [
        ("Đơn vị", UNIT_LIST_NAME if units else None, [u.name for u in units]),
        ("Mã đơn vị", None, [u.code for u in units]),
    ]
    for spec in sheets:
        for col in spec.columns:
            if col.kind is Kind.CHOICE and col.choices:
                columns.append((f"{spec.name} / {col.label}", list_name(spec, col), col.choices))
    first = LIST_FIRST_ROW - 1
    for c, (title, name, values) in enumerate(columns):
        ws.write_string(first - 1, c, title, bold)
        for r, value in enumerate(values):
            ws.write_string(first + r, c, value)
        if name:
            letter = xlsxwriter.utility.xl_col_to_name(c)
            workbook.define_name(
                name, f"='{HIDDEN_SHEET}'!${letter}${first + 1}:${letter}${first + len(values)}"
            )
        ws.set_column(c, c, 40 if c != 1 else 14)
    ws.very_hidden()
    return bool(units)


#: Column-width units that stay readable (about 70 % scale) on one A4 landscape page.
READABLE_PAGE_WIDTH = 190.0


def _print_setup(ws: Worksheet, *, landscape: bool = True, pages_wide: int = 1) -> None:
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(pages_wide, 0)  # as many pages tall as needed
    ws.center_horizontally()
    ws.set_footer(f'&L&"{FONT}"&9&A&R&"{FONT}"&9Trang &P/&N')


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _allowed(col: Column | None, kind: Kind) -> str:
    """What a cell of this kind accepts, in Vietnamese (for prompts and the guide)."""
    if kind is Kind.CHOICE and col is not None:
        return "Giá trị: " + "; ".join(col.choices) + "."
    low = col.minimum if col is not None and col.minimum is not None else 0
    high = col.maximum if col is not None else None
    return {
        Kind.UNIT: "Chọn tên đơn vị trong danh sách.",
        Kind.INT: "Số nguyên.",
        Kind.NUMBER: "Một số.",
        Kind.MONEY: f"Số từ {low:g} trở lên.",
        Kind.PERCENT: (
            f"Số từ {low:g} đến {high:g}, ví dụ 60 (không ghi 60%)."
            if high is not None
            else f"Số từ {low:g} trở lên, ví dụ 60 (không ghi 60%)."
        ),
        Kind.DATE: "Ngày dạng dd/mm/yyyy, ví dụ 28/05/2026.",
        Kind.DEADLINE: "Một ngày dd/mm/yyyy hoặc một thời hạn như: " + DEADLINE_EXAMPLES + ".",
        Kind.EMAIL: "Địa chỉ thư điện tử, ví dụ ten@daklak.gov.vn.",
    }.get(kind, "Ghi tự do.")


def _describe(kind: Kind, help_text: str, col: Column | None) -> str:
    """Help text plus what the cell accepts, without saying the same thing twice."""
    parts = [help_text] if help_text else []
    # Plain text needs no rule; the deadline help already lists the accepted forms.
    if kind is not Kind.TEXT and not (kind is Kind.DEADLINE and help_text):
        allowed = _allowed(col, kind)
        if help_text and help_text.rstrip(".") in allowed:
            parts = []
        parts.append(allowed)
    return " ".join(parts)


def _prompt(required: bool, kind: Kind, help_text: str, col: Column | None) -> str:
    parts = ["Bắt buộc." if required else "Không bắt buộc.", _describe(kind, help_text, col)]
    return _truncate(" ".join(p for p in parts if p), 255)


def _validation(
    kind: Kind,
    label: str,
    prompt: str,
    col: Column | None,
    has_units: bool,
    list_ref: str = "",
) -> dict[str, Any]:
    """xlsxwriter data_validation options for a cell of ``kind`` (Vietnamese messages)."""
    base: dict[str, Any] = {
        "input_title": _truncate(label, 32),
        "input_message": prompt,
        "error_title": "Giá trị không hợp lệ",
    }
    low = col.minimum if col is not None and col.minimum is not None else 0
    high = col.maximum if col is not None else None
    if kind is Kind.CHOICE and list_ref:
        return base | {
            "validate": "list",
            "source": "=" + list_ref,
            "error_message": f"Cột “{_truncate(label, 60)}” chỉ nhận giá trị trong danh sách. "
            "Bấm mũi tên bên phải ô để chọn.",
        }
    if kind is Kind.UNIT and has_units:
        return base | {
            "validate": "list",
            "source": "=" + UNIT_LIST_NAME,
            "error_message": "Chọn tên đơn vị trong danh sách (bấm mũi tên bên phải ô).",
        }
    if kind is Kind.PERCENT:
        limits = {"criteria": ">=", "value": low}
        if high is not None:
            limits = {"criteria": "between", "minimum": low, "maximum": high}
        return base | {"validate": "decimal", **limits, "error_message": _allowed(col, kind)}
    if kind is Kind.MONEY:
        return base | {
            "validate": "decimal",
            "criteria": ">=",
            "value": low,
            "error_message": _allowed(col, kind),
        }
    if kind is Kind.NUMBER:
        return base | {
            "validate": "decimal",
            "criteria": "between",
            "minimum": -1e15,
            "maximum": 1e15,
            "error_message": "Ghi một số (không ghi chữ hoặc đơn vị tính).",
        }
    if kind is Kind.INT:
        return base | {
            "validate": "integer",
            "criteria": ">=",
            "value": 0,
            "error_type": "warning",  # units sometimes number groups "I", "II": allow it
            "error_message": "Nên ghi số nguyên (1, 2, 3...).",
        }
    if kind is Kind.DATE:
        return base | {
            "validate": "date",
            "criteria": "between",
            "minimum": _FIRST_DATE,
            "maximum": _LAST_DATE,
            "error_message": "Ghi ngày dạng dd/mm/yyyy, ví dụ 28/05/2026.",
        }
    # Text, deadline (text or date), e-mail: unrestricted; the prompt still helps.
    return base | {"validate": "any"}


def _write_cover(
    ws: Worksheet, fmts: _Formats, has_units: bool, values: Mapping[str, object]
) -> None:
    for c, width in enumerate(COVER_WIDTHS):
        ws.set_column(c, c, width)
    ws.merge_range(
        0,
        0,
        0,
        2,
        "THÔNG TIN CHUNG VỀ BÁO CÁO",
        fmts.get(bold=True, font_size=14, align="center", valign="vcenter"),
    )
    ws.set_row(0, 30)
    ws.write_string(
        1,
        0,
        "Điền thông tin vào cột B. Dòng có dấu (*) ở cột C là bắt buộc.",
        fmts.get(italic=True),
    )
    label_fmt = fmts.get(bold=True, border=1, border_color="#808080", valign="vcenter")
    note = fmts.get(italic=True, font_color="#404040", text_wrap=True, valign="vcenter", indent=1)
    red = fmts.get(italic=True, bold=True, font_color=RED)
    for i, field in enumerate(COVER):
        row = COVER_FIRST_ROW - 1 + i
        note_text = ("(*) Bắt buộc. " if field.required else "") + field.help
        ws.set_row(row, max(24, 17 * _lines(note_text, COVER_WIDTHS[2]) + 6))
        ws.write_string(row, 0, field.label, label_fmt)
        if field.kind is Kind.TEXT and field.key == "phone":
            value_fmt = fmts.get(
                border=1, border_color="#808080", locked=False, num_format="@", valign="vcenter"
            )
        else:
            value_fmt = fmts.get(**_value_props(field.kind), valign="vcenter")
        date_fmt = fmts.get(**_value_props(Kind.DATE), valign="vcenter")
        _write_value(ws, row, 1, values.get(field.key), value_fmt, date_fmt)
        prompt = _prompt(field.required, field.kind, field.help, None)
        options = _validation(field.kind, field.label, prompt, None, has_units)
        if field.kind is Kind.EMAIL:
            cell = xlsxwriter.utility.xl_rowcol_to_cell(row, 1)
            options |= {
                "validate": "custom",
                "value": f'=ISNUMBER(SEARCH("?@?*.?*",{cell}))',
                "error_type": "warning",
                "error_message": "Địa chỉ thư điện tử chưa đúng dạng (ví dụ ten@daklak.gov.vn).",
            }
        ws.data_validation(row, 1, row, 1, options)
        if field.required:
            ws.write_rich_string(row, 2, red, "(*) Bắt buộc. ", note, field.help, note)
        else:
            ws.write_string(row, 2, field.help, note)
    _print_setup(ws)
    ws.protect("", _PROTECTION)
    ws.set_selection(COVER_FIRST_ROW - 1, 1, COVER_FIRST_ROW - 1, 1)


def _value_props(kind: Kind) -> dict[str, Any]:
    return {
        "border": 1,
        "border_color": "#808080",
        "locked": False,
        "num_format": _NUM_FORMATS.get(kind, "General"),
        "align": "left",
    }


def _write_value(
    ws: Worksheet, row: int, col: int, value: object, fmt: Format, date_fmt: Format
) -> None:
    """Write one value safely: strings as text (never formulas), dates as real dates."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    elif isinstance(value, datetime | date):
        if isinstance(value, datetime) and value != value:  # pandas NaT
            ws.write_blank(row, col, None, fmt)
        else:
            ws.write_datetime(row, col, value, date_fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            ws.write_blank(row, col, None, fmt)
        else:
            ws.write_number(row, col, number, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _lines(text: str, width: float) -> int:
    """Lines that ``text`` takes when word-wrapped in a column ``width`` wide."""
    chars = max(int(width * CHARS_PER_WIDTH), 1)
    return sum(max(1, len(textwrap.wrap(part, chars))) for part in text.split("\n"))


def _header_height(spec: SheetSpec) -> float:
    # Excel does not grow a row for wrapped text it did not lay out itself: size it here.
    lines = max(math.ceil(len(c.label) * 1.15 / max(c.width - 1, 1)) for c in spec.columns)
    return 17.0 * lines + 8


def _write_data_sheet(
    ws: Worksheet,
    fmts: _Formats,
    spec: SheetSpec,
    has_units: bool,
    data: Sequence[Mapping[str, object]],
) -> None:
    ncols = len(spec.columns)
    header = HEADER_ROW - 1
    first = header + 1
    nrows = max(MIN_ROWS.get(spec.key, DEFAULT_MIN_ROWS), len(data) + SPARE_ROWS if data else 0)
    last = first + nrows - 1

    for c, col in enumerate(spec.columns):
        ws.set_column(c, c, col.width, fmts.get(locked=False))
    # Title and note span the columns of the first printed page, so they are not cut.
    total = sum(c.width for c in spec.columns)
    pages_wide = max(1, math.ceil(total / READABLE_PAGE_WIDTH))
    span, acc = 0, 0.0
    for c, col in enumerate(spec.columns):
        acc += col.width
        if acc > total / pages_wide + 1e-9:
            break
        span = c
    ws.merge_range(
        0,
        0,
        0,
        span,
        spec.title,
        fmts.get(bold=True, font_size=14, align="center", valign="vcenter", text_wrap=True),
    )
    ws.set_row(0, 30)
    note = (
        f"{spec.help} Tiêu đề nền cam: cột bắt buộc; nền xanh: không bắt buộc. "
        "Chọn một ô để xem hướng dẫn của cột; không sửa dòng tiêu đề."
    ).strip()
    ws.merge_range(1, 0, 1, span, note, fmts.get(italic=True, text_wrap=True, valign="vcenter"))
    ws.set_row(1, 17.0 * _lines(note, sum(c.width for c in spec.columns[: span + 1])) + 5)

    head_props = {
        "bold": True, "text_wrap": True, "align": "center", "valign": "vcenter",
        "border": 1, "border_color": "#404040",
    }  # fmt: skip
    req_fmt = fmts.get(**head_props, bg_color=REQUIRED_FILL)
    opt_fmt = fmts.get(**head_props, bg_color=OPTIONAL_FILL)
    ws.set_row(header, _header_height(spec))
    for c, col in enumerate(spec.columns):
        ws.write_string(header, c, col.label, req_fmt if col.required else opt_fmt)
        prompt = _prompt(col.required, col.kind, col.help, col)
        comment = prompt
        if col.example and col.example not in prompt:
            comment += f" Ví dụ: {col.example}."
        ws.write_comment(
            header, c, comment,
            {"font_name": FONT, "font_size": 11, "x_scale": 2.2, "y_scale": 1.6, "author": OFFICE},
        )  # fmt: skip
        ref = list_name(spec, col) if col.kind is Kind.CHOICE and col.choices else ""
        options = _validation(col.kind, col.label, prompt, col, has_units, ref)
        ws.data_validation(first, c, last, c, options)

    cell_fmts = [fmts.cell(col.kind) for col in spec.columns]
    date_fmts = [fmts.cell(col.kind, is_date=True) for col in spec.columns]
    for r, row_data in enumerate(data):
        lines = 1
        for c, col in enumerate(spec.columns):
            value = row_data.get(col.key)
            _write_value(ws, first + r, c, value, cell_fmts[c], date_fmts[c])
            if isinstance(value, str) and len(value) > col.width:
                lines = max(lines, _lines(value, col.width))
        if lines > 1:  # LibreOffice keeps the default height of rows it did not lay out
            ws.set_row(first + r, 16.0 * lines + 5)
    for r in range(len(data), nrows):
        for c in range(ncols):
            ws.write_blank(first + r, c, None, cell_fmts[c])

    ws.freeze_panes(first, 0)
    ws.autofilter(header, 0, last, ncols - 1)
    # A wide sheet squeezed onto one page prints unreadably small: split it across pages
    # and repeat the task/project name column so every page says which row is which.
    _print_setup(ws, pages_wide=pages_wide)
    if pages_wide > 1:
        name_col = next(
            (i for i, c in enumerate(spec.columns) if c.required and c.kind == Kind.TEXT), 0
        )
        ws.repeat_columns(name_col, name_col)
    ws.repeat_rows(header)
    ws.print_area(0, 0, last, ncols - 1)
    ws.protect("", _PROTECTION)
    ws.set_selection(first, 0, first, 0)


# --- the guide --------------------------------------------------------------------------


def _write_guide(
    ws: Worksheet, fmts: _Formats, sheets: Sequence[SheetSpec], calendar: Calendar
) -> None:
    """A guide for a commune officer, generated from the spec and the calendar."""
    widths = (5, 26, 10, 52)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    para_width = sum(widths[1:])
    title = fmts.get(bold=True, font_size=14, align="center", valign="vcenter", text_wrap=True)
    section = fmts.get(bold=True, font_size=13, font_color="#1F3864", valign="vcenter")
    text = fmts.get(text_wrap=True, valign="top")
    num = fmts.get(align="center", valign="top")
    th = fmts.get(
        bold=True,
        text_wrap=True,
        align="center",
        valign="vcenter",
        border=1,
        bg_color=OPTIONAL_FILL,
    )
    td = fmts.get(text_wrap=True, valign="top", border=1)
    td_c = fmts.get(text_wrap=True, valign="top", align="center", border=1)
    td_req = fmts.get(
        text_wrap=True, valign="top", align="center", border=1, bold=True, font_color=RED
    )

    row = 0

    def para(body: str, marker: str = "", fmt: Format = text) -> None:
        nonlocal row
        if marker:
            ws.write_string(row, 0, marker, num)
        ws.merge_range(row, 1, row, 3, body, fmt)
        lines = _lines(body, para_width)
        ws.set_row(row, 17 * lines + 4)
        row += 1

    def head(body: str) -> None:
        nonlocal row
        row += 1
        ws.merge_range(row, 0, row, 3, body, section)
        ws.set_row(row, 22)
        row += 1

    ws.merge_range(row, 0, row, 3, "HƯỚNG DẪN ĐIỀN MẪU BÁO CÁO (KHUNG BÁO CÁO CHUNG)", title)
    ws.set_row(row, 26)
    row += 1
    ws.merge_range(
        row, 0, row, 3,
        f"Tổ giúp việc về cải cách hành chính, thể chế, khoa học, công nghệ, đổi mới sáng tạo, "
        f"chuyển đổi số và phát triển nguồn nhân lực – {VERSION_LABEL.lower()} {TEMPLATE_VERSION}",
        fmts.get(italic=True, align="center", text_wrap=True),
    )  # fmt: skip
    ws.set_row(row, 36)
    row += 1

    head("1. Tệp này gồm những gì")
    para(f"Sheet “{COVER_SHEET}”: tên đơn vị, ngày báo cáo, người lập, lãnh đạo phụ trách.", "–")
    for spec in sheets:
        optional = " Không bắt buộc nếu đơn vị không có nội dung." if spec.optional else ""
        para(f"Sheet “{spec.name}”: {spec.help}{optional}", "–")
    para(
        "Mỗi lần báo cáo, đơn vị gửi lại TOÀN BỘ báo cáo hiện tại (tất cả nhiệm vụ, dự án), "
        "không chỉ phần thay đổi. Bản nhận được sau cùng trước hạn là bản được tổng hợp.",
        "–",
    )

    head("2. Khi nào gửi")
    cut = calendar.weekly_cutoff
    days = " và ".join(f"{d:02d}" for d in calendar.twice_monthly_cutoff_days)
    para(
        f"Báo cáo tuần (sheet “Nhiệm vụ”): gửi trước {cut.at:%H} giờ {cut.at:%M} "
        f"{_weekday(cut.weekday)} hằng tuần.",
        "–",
    )
    para(
        f"Báo cáo dự án (sheet “Dự án”, chỉ chủ đầu tư dự án): gửi ngày {days} hằng tháng, "
        f"trước {calendar.twice_monthly_cutoff_time:%H} giờ "
        f"{calendar.twice_monthly_cutoff_time:%M}.",
        "–",
    )
    para(
        f"Kế hoạch chi tiết theo tháng, quý: gửi theo thời hạn tại văn bản đôn đốc của {OFFICE_ROLE}.",
        "–",
    )

    head("3. Nguyên tắc “06 rõ” – mỗi nhiệm vụ phải ghi đủ")
    by_clear = {col.clear: col for spec in sheets for col in spec.columns if col.clear}
    for key, meaning in SIX_CLEAR.items():
        col = by_clear.get(key)
        where = f" → cột “{col.label}”" if col else ""
        para(f"{meaning[0].upper()}{meaning[1:]}{where}.", "–")
    para("Dòng nhiệm vụ thiếu một trong 06 rõ là chưa đầy đủ; hệ thống sẽ báo lại cho đơn vị.", "")

    head("4. Cách điền")
    rules = (
        f"Điền sheet “{COVER_SHEET}” trước: chọn tên đơn vị trong danh sách, ghi ngày báo cáo.",
        "Mỗi dòng một nhiệm vụ (dự án, chỉ tiêu), bắt đầu ngay dưới dòng tiêu đề cột. "
        "Không gộp ô, không để dòng tổng cộng.",
        "Tiêu đề cột nền cam là cột bắt buộc; nền xanh là không bắt buộc. Chọn một ô để xem "
        "hướng dẫn của cột đó.",
        "Cột có mũi tên thả xuống: bấm mũi tên và chọn; không tự gõ giá trị khác.",
        "Ngày ghi dạng dd/mm/yyyy (ví dụ 28/05/2026). Tỷ lệ % ghi số từ 0 đến 100 (ví dụ 60, "
        "không ghi 60%). Số tiền ghi bằng triệu đồng.",
        "Không đổi tên sheet, không sửa hoặc xóa dòng tiêu đề cột (đã được khóa). Được chèn "
        "thêm dòng, xóa dòng, sắp xếp, lọc, đổi độ rộng cột.",
        "Ghi giá trị, không dùng công thức hoặc liên kết sang tệp khác. Dùng phông chữ Unicode "
        "(Times New Roman); không dùng phông TCVN3 (.VnTime) hay VNI.",
    )
    for rule in rules:
        para(rule, "–")

    head("5. Cách ghi thời hạn hoàn thành")
    for example, meaning in (
        ("30/06/2026", "một ngày cụ thể"),
        ("trước ngày 15/6/2026", "hạn là ngày 15/6/2026"),
        ("Tháng 7/2026", "hạn là ngày cuối tháng 7/2026"),
        ("Quý III/2026", "hạn là ngày cuối quý (30/9/2026)"),
        ("Năm 2026", "hạn là ngày 31/12/2026"),
        ("Thường xuyên", "nhiệm vụ thực hiện thường xuyên, không có hạn cụ thể"),
    ):
        para(f"“{example}”: {meaning}.", "–")

    section_no = 6
    for spec in sheets:
        head(f"{section_no}. Các cột của sheet “{spec.name}”")
        section_no += 1
        for c, label in enumerate(("Cột", "Tên cột", "Bắt buộc", "Giá trị hợp lệ, hướng dẫn")):
            ws.write_string(row, c, label, th)
        ws.set_row(row, 20)
        row += 1
        for c, col in enumerate(spec.columns):
            letter = xlsxwriter.utility.xl_col_to_name(c)
            detail = " ".join(
                part
                for part in (
                    _describe(col.kind, col.help, col),
                    f"Ví dụ: {col.example}." if col.example and col.example not in col.help else "",
                )
                if part
            )
            ws.write_string(row, 0, letter, td_c)
            ws.write_string(row, 1, col.label, td)
            ws.write_string(
                row, 2, "Có" if col.required else "Không", td_req if col.required else td_c
            )
            ws.write_string(row, 3, detail or "Ghi tự do.", td)
            lines = max(
                _lines(detail, widths[3]),
                _lines(col.label, widths[1]),
                1,
            )
            ws.set_row(row, 17 * lines + 4)
            row += 1

    head(f"{section_no}. Đặt tên tệp và gửi")
    para(
        "Lưu tệp dạng Excel (.xlsx), đặt tên: BaoCao_<tên đơn vị viết liền, không dấu>_<ngày "
        "báo cáo dd-mm-yyyy>.xlsx, ví dụ: BaoCao_SoKhoaHocVaCongNghe_28-05-2026.xlsx.",
        "–",
    )
    para(
        "Hệ thống nhận biết đơn vị theo ô “Đơn vị báo cáo”, không theo tên tệp: chọn đúng tên "
        "đơn vị. Không chuyển sang .xls, .pdf hay ảnh chụp.",
        "–",
    )
    para(f"Gửi tệp qua thư điện tử cho {OFFICE_ROLE} theo địa chỉ đã thông báo.", "–")

    head(f"{section_no + 1}. Sau khi gửi")
    para(
        "Hệ thống kiểm tra tệp ngay khi nhận và gửi lại đơn vị một tệp phản hồi liệt kê TẤT CẢ "
        "các điểm cần sửa: sheet nào, ô nào, sai gì, cần ghi thế nào.",
        "–",
    )
    para(
        "Nếu có lỗi, tệp chưa được tiếp nhận: sửa theo tệp phản hồi rồi gửi lại toàn bộ tệp. "
        "Nếu chỉ có cảnh báo, báo cáo vẫn được tiếp nhận; đơn vị rà soát và hoàn thiện ở kỳ sau.",
        "–",
    )
    para("Được gửi lại nhiều lần trước hạn; bản nhận được sau cùng là bản được tổng hợp.", "–")
    para(f"Mọi vướng mắc xin liên hệ {OFFICE_ROLE}.", "")

    _print_setup(ws, landscape=False)
    ws.print_area(0, 0, row, 3)
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})
    ws.set_selection(0, 0, 0, 0)


def _weekday(index: int) -> str:
    return ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")[index]


# --- filling a given template with openpyxl ---------------------------------------------


def _fill_template(
    path: Path,
    template: Path,
    cover: Mapping[str, object],
    rows: Mapping[str, Sequence[Mapping[str, object]]],
    sheets: Sequence[SheetSpec],
) -> Path:
    from openpyxl import load_workbook

    workbook = load_workbook(template)
    ws = workbook[COVER_SHEET]
    by_label = {label_key(str(c.value)): c.row for c in ws["A"] if isinstance(c.value, str)}
    for field in COVER:
        if field.key in cover and label_key(field.label) in by_label:
            _set_cell(ws.cell(by_label[label_key(field.label)], 2), cover[field.key])
    for spec in sheets:
        data = rows.get(spec.key, ())
        if not data:
            continue
        ws = workbook[spec.name]
        header_row, columns = _find_header(ws, spec)
        for r, row_data in enumerate(data, start=header_row + 1):
            for key, value in row_data.items():
                col = columns.get(key)
                if col is None:
                    continue
                cell: Any = ws.cell(r, col)
                if not cell.has_style:  # below the formatted grid: copy the first data row
                    source: Any = ws.cell(header_row + 1, col)
                    cell._style = copy(source._style)
                _set_cell(cell, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _atomic_write(path, buffer.getvalue())


def _find_header(ws: Any, spec: SheetSpec) -> tuple[int, dict[str, int]]:
    labels = {label_key(c.label): c.key for c in spec.columns}
    for row in ws.iter_rows(min_row=1, max_row=20):
        found = {
            labels[label_key(cell.value)]: cell.column
            for cell in row
            if isinstance(cell.value, str) and label_key(cell.value) in labels
        }
        if len(found) >= max(1, len(labels) // 2):
            return row[0].row, found
    raise KeyError(f"no header row of sheet {spec.name!r} in the template")


def _set_cell(cell: Any, value: object) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        cell.value = None
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl would take "=..." for a formula
    elif isinstance(value, datetime | date):
        cell.value = value.replace(tzinfo=None) if isinstance(value, datetime) else value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, numbers.Real):
        cell.value = value if isinstance(value, bool) else float(value)
    else:
        cell.value = str(value)
        cell.data_type = "s"


# --- output -----------------------------------------------------------------------------


def _atomic_write(path: Path, data: bytes) -> Path:
    """Write via a temporary file in the same folder and os.replace: never a half file."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".~", suffix=".xlsx.tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(
            f"Không ghi được tệp {path}: {exc.strerror or exc}.",
            "Đóng tệp nếu đang mở trong Excel, kiểm tra quyền ghi và dung lượng ổ đĩa.",
        ) from exc
    return path
