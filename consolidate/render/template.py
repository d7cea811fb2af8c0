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
benchmarks. openpyxl is used only to fill a template given as a file
(:mod:`.template_fill`). The guide sheet is written by :mod:`.template_guide`; what the
parts share (layout constants, formats, help texts) is in :mod:`.template_kit`.
"""

from __future__ import annotations

import io
import math
import numbers
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from consolidate.calendar.deadlines import MAX_YEAR, MIN_YEAR
from consolidate.core.config import Calendar, Office, Unit, default_calendar
from consolidate.render.template_fill import fill_template
from consolidate.render.template_guide import COLUMNS_SECTION, PRINT_FILLED, write_guide
from consolidate.render.template_kit import (
    COVER_FIRST_ROW,
    COVER_WIDTHS,
    DEFAULT_MIN_ROWS,
    FONT,
    FONT_PROPS,
    HEADER_ROW,
    HIDDEN_SHEET,
    LIST_FIRST_ROW,
    MIN_ROWS,
    NUM_FORMATS,
    OPTIONAL_FILL,
    PROTECTION,
    READABLE_PAGE_WIDTH,
    RED,
    REQUIRED_FILL,
    SPARE_ROWS,
    UNIT_LIST_NAME,
    VERSION_LABEL,
    Formats,
    allowed_text,
    atomic_write,
    input_prompt,
    list_name,
    print_setup,
    text_lines,
    truncate,
)
from schemas import COVER, COVER_SHEET, GUIDE_SHEET, SHEETS, TEMPLATE_VERSION, Kind, SheetSpec
from schemas.columns import Column

__all__ = ["write_submission", "write_template"]

_FIRST_DATE, _LAST_DATE = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)


def write_template(
    path: Path,
    units: Sequence[Unit],
    *,
    sheets: Sequence[SheetSpec] = SHEETS,
    calendar: Calendar | None = None,
    office: Office | None = None,
) -> Path:
    """Write the empty unit template to ``path`` atomically and return ``path``.

    ``sheets`` defaults to the specification; ``calendar`` and ``office`` (the workspace's)
    only change the deadlines and the office named in the guide and the file's properties.
    """
    return _build(path, units, sheets, calendar or default_calendar(), {}, {}, office or Office())


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
        return fill_template(path, Path(template), cover, rows, sheets)
    return _build(path, units, sheets, default_calendar(), cover, rows, Office())


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


def _build(
    path: Path,
    units: Sequence[Unit],
    sheets: Sequence[SheetSpec],
    calendar: Calendar,
    cover: Mapping[str, object],
    rows: Mapping[str, Sequence[Mapping[str, object]]],
    office: Office,
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
    fmts = Formats(workbook)
    _set_properties(workbook, office)
    guide = workbook.add_worksheet(GUIDE_SHEET)
    cover_ws = workbook.add_worksheet(COVER_SHEET)
    data_ws = [workbook.add_worksheet(spec.name) for spec in sheets]
    lists = workbook.add_worksheet(HIDDEN_SHEET)
    has_units = _write_lists(workbook, lists, fmts, units, sheets)
    write_guide(guide, fmts, sheets, calendar, office)
    _write_cover(cover_ws, fmts, has_units, cover)
    for ws, spec in zip(data_ws, sheets, strict=True):
        _write_data_sheet(
            ws, fmts, spec, has_units, rows.get(spec.key, ()), office,
            guide_section=COLUMNS_SECTION + list(sheets).index(spec),
        )  # fmt: skip
    guide.activate()
    workbook.close()
    return atomic_write(path, buffer.getvalue())


def _set_properties(workbook: xlsxwriter.Workbook, office: Office) -> None:
    workbook.set_properties(
        {
            "title": "Mẫu báo cáo - Khung báo cáo chung",
            "subject": f"Báo cáo tiến độ nhiệm vụ, dự án: {office.group_in_line}",
            "author": office.full_name,
            "company": office.full_name,
            "keywords": f"template_version={TEMPLATE_VERSION}",
            "comments": f"{VERSION_LABEL} {TEMPLATE_VERSION}",
        }
    )
    workbook.set_custom_property("template_version", TEMPLATE_VERSION)


def _write_lists(
    workbook: xlsxwriter.Workbook,
    ws: Worksheet,
    fmts: Formats,
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
        "input_title": truncate(label, 32),
        "input_message": prompt,
        "error_title": "Giá trị không hợp lệ",
    }
    low = col.minimum if col is not None and col.minimum is not None else 0
    high = col.maximum if col is not None else None
    if kind is Kind.CHOICE and list_ref:
        return base | {
            "validate": "list",
            "source": "=" + list_ref,
            "error_message": f"Cột “{truncate(label, 60)}” chỉ nhận giá trị trong danh sách. "
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
        return base | {"validate": "decimal", **limits, "error_message": allowed_text(col, kind)}
    if kind is Kind.MONEY:
        return base | {
            "validate": "decimal",
            "criteria": ">=",
            "value": low,
            "error_message": allowed_text(col, kind),
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
    ws: Worksheet, fmts: Formats, has_units: bool, values: Mapping[str, object]
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
        ws.set_row(row, max(24, 17 * text_lines(note_text, COVER_WIDTHS[2]) + 6))
        ws.write_string(row, 0, field.label, label_fmt)
        if field.kind is Kind.TEXT and field.key == "phone":
            value_fmt = fmts.get(
                border=1, border_color="#808080", locked=False, num_format="@", valign="vcenter"
            )
        else:
            value_fmt = fmts.get(**_value_props(field.kind), valign="vcenter")
        date_fmt = fmts.get(**_value_props(Kind.DATE), valign="vcenter")
        _write_value(ws, row, 1, values.get(field.key), value_fmt, date_fmt)
        prompt = input_prompt(field.required, field.kind, field.help, None)
        options = _validation(field.kind, field.label, prompt, None, has_units)
        if field.kind is Kind.EMAIL:
            cell = xlsxwriter.utility.xl_rowcol_to_cell(row, 1)
            options |= {
                "validate": "custom",
                "value": f'=ISNUMBER(SEARCH("?@?*.?*",{cell}))',
                "error_type": "warning",
                "error_message": "Địa chỉ thư điện tử chưa đúng dạng (ví dụ ten@donvi.gov.vn).",
            }
        ws.data_validation(row, 1, row, 1, options)
        if field.required:
            ws.write_rich_string(row, 2, red, "(*) Bắt buộc. ", note, field.help, note)
        else:
            ws.write_string(row, 2, field.help, note)
    print_setup(ws)
    ws.protect("", PROTECTION)
    ws.set_selection(COVER_FIRST_ROW - 1, 1, COVER_FIRST_ROW - 1, 1)


def _value_props(kind: Kind) -> dict[str, Any]:
    return {
        "border": 1,
        "border_color": "#808080",
        "locked": False,
        "num_format": NUM_FORMATS.get(kind, "General"),
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


def _header_height(spec: SheetSpec) -> float:
    # Excel does not grow a row for wrapped text it did not lay out itself: size it here.
    lines = max(math.ceil(len(c.label) * 1.15 / max(c.width - 1, 1)) for c in spec.columns)
    return 17.0 * lines + 8


#: Empty rows a blank template prints under each header (the rows are filled on screen).
BLANK_PRINT_ROWS = 5


def page_columns(spec: SheetSpec) -> int:
    """How many of the sheet's first columns one readable A4 landscape page holds."""
    acc, n = 0.0, 0
    for col in spec.columns:
        acc += col.width
        if acc > READABLE_PAGE_WIDTH:
            break
        n += 1
    return max(n, 1)


def _blank_print_area(ws: Worksheet, spec: SheetSpec, first: int, guide_section: int) -> None:
    """The blank template prints one page per data sheet: title, note, header and a few
    empty rows of the columns one readable page holds; the page header says where every
    column is described (the guide, printed in full) and how to print a filled sheet whole
    (without the print area it prints across pages at the same readable scale).

    Every column of every sheet at ≥ 9 pt takes 3 landscape pages for ``Nhiệm vụ`` and 2 for
    ``Dự án``: with the guide and the cover that is 9 pages or more, over the 6 the office
    allows for the blank template (issue 13), so the blank grid is cut and the guide carries
    the columns."""
    n = page_columns(spec)
    ws.print_area(0, 0, first + BLANK_PRINT_ROWS - 1, n - 1)
    if n < len(spec.columns):
        last = xlsxwriter.utility.xl_col_to_name(n - 1)
        ws.set_header(
            f'&C&"{FONT}"&12Mẫu trắng: in các cột A–{last}; đủ {len(spec.columns)} cột và cách '
            f"ghi: trang “{GUIDE_SHEET}”, mục {guide_section}.\n{PRINT_FILLED}",
            {"margin": 0.25},
        )
        ws.set_margins(left=0.5, right=0.4, top=0.85, bottom=0.6)  # room for its two lines


def _write_data_sheet(
    ws: Worksheet,
    fmts: Formats,
    spec: SheetSpec,
    has_units: bool,
    data: Sequence[Mapping[str, object]],
    office: Office,
    guide_section: int,
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
    if not data:  # the blank template prints the first page's columns: centre on them
        span = page_columns(spec) - 1
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
    ws.set_row(1, 17.0 * text_lines(note, sum(c.width for c in spec.columns[: span + 1])) + 5)

    head_props = {
        "bold": True, "text_wrap": True, "align": "center", "valign": "vcenter",
        "border": 1, "border_color": "#404040",
    }  # fmt: skip
    req_fmt = fmts.get(**head_props, bg_color=REQUIRED_FILL)
    opt_fmt = fmts.get(**head_props, bg_color=OPTIONAL_FILL)
    ws.set_row(header, _header_height(spec))
    for c, col in enumerate(spec.columns):
        ws.write_string(header, c, col.label, req_fmt if col.required else opt_fmt)
        prompt = input_prompt(col.required, col.kind, col.help, col)
        comment = prompt
        if col.example and col.example not in prompt:
            comment += f" Ví dụ: {col.example}."
        ws.write_comment(
            header, c, comment,
            {"font_name": FONT, "font_size": 11, "x_scale": 2.2, "y_scale": 1.6,
             "author": office.full_name},
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
                lines = max(lines, text_lines(value, col.width))
        if lines > 1:  # LibreOffice keeps the default height of rows it did not lay out
            ws.set_row(first + r, 16.0 * lines + 5)
    for r in range(len(data), nrows):
        for c in range(ncols):
            ws.write_blank(first + r, c, None, cell_fmts[c])

    ws.freeze_panes(first, 0)
    ws.autofilter(header, 0, last, ncols - 1)
    # A wide sheet squeezed onto one page prints unreadably small: split it across pages
    # and repeat the task/project name column so every page says which row is which.
    print_setup(ws, pages_wide=pages_wide)
    if pages_wide > 1:
        name_col = next(
            (i for i, c in enumerate(spec.columns) if c.required and c.kind == Kind.TEXT), 0
        )
        ws.repeat_columns(name_col, name_col)
    ws.repeat_rows(header)
    if data:
        ws.print_area(0, 0, min(last, first + len(data) + 1), ncols - 1)
    else:
        _blank_print_area(ws, spec, first, guide_section)
    ws.protect("", PROTECTION)
    ws.set_selection(first, 0, first, 0)
