"""Layer 1 of validation: find the sheets, header rows and columns of a file by their labels.

Extra, missing and duplicate columns, renamed and hidden sheets, merged cells, hidden rows
and columns, values outside the table, the template version, and the cover sheet (which
unit, which date). :func:`check_layout` runs layers 1 and 2 for one workbook.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from typing import Any

from consolidate.calendar.deadlines import SessionRule
from consolidate.core.config import Config
from consolidate.core.findings import cell_ref
from consolidate.core.text import label_key, nfc
from consolidate.core.units import UnitIndex
from consolidate.intake.cells import RawWorkbook, Sheet
from consolidate.intake.checked import Checked, Context, Table, display
from consolidate.intake.coerce import BadValue, coerce_table, coerce_value
from schemas import COVER, COVER_SHEET, SHEETS, TEMPLATE_VERSION, Column, SheetSpec

HEADER_SCAN_ROWS = 40
META_SHEET = "_danhmuc"


_ASTERISK = re.compile(r"\(\*\)|\*")


@functools.lru_cache(maxsize=1 << 12)
def _label_key(text: str) -> str:
    # Units add an asterisk or "(*)" to required headers; ignore it when matching.
    return label_key(_ASTERISK.sub("", text)) if len(text) <= 256 else ""


def _find_header(sheet: Sheet, spec: SheetSpec) -> tuple[int, int]:
    """Best header row in the first rows: (row, number of labels matched)."""
    wanted = {_label_key(c.label) for c in spec.columns}
    best = (0, 0)
    for r in sorted(sheet.rows)[:HEADER_SCAN_ROWS]:
        hits = sum(
            1 for v in sheet.rows[r].values() if isinstance(v, str) and _label_key(v) in wanted
        )
        if hits > best[1]:
            best = (r, hits)
    return best


def locate_sheet(wb: RawWorkbook, spec: SheetSpec, ctx: Context) -> Sheet | None:
    by_key = {label_key(name): sheet for name, sheet in wb.sheets.items()}
    sheet = by_key.get(label_key(spec.name))
    if sheet is not None:
        return sheet
    # Renamed sheet: accept the sheet whose header row carries most of this sheet's labels.
    need = max(3, len(spec.required_keys) // 2 + 1)
    for candidate in wb.sheets.values():
        if candidate.name in (META_SHEET,):
            continue
        _, hits = _find_header(candidate, spec)
        if hits >= need and hits >= len(spec.columns) // 2 and candidate.truncated:
            # Only its first rows were read (not a template name): never a silent cut.
            ctx.add(
                "missing-sheet",
                f"Không có trang '{spec.name}'; trang '{candidate.name}' có các cột của nó "
                "nhưng không đúng tên mẫu và quá dài để đọc theo cách đó.",
                f"Đổi tên trang '{candidate.name}' thành '{spec.name}' như mẫu rồi gửi lại.",
                sheet=candidate.name,
            )
            return None
        if hits >= need and hits >= len(spec.columns) // 2:
            ctx.add(
                "sheet-renamed",
                f"Không có trang '{spec.name}'; đã dùng trang '{candidate.name}' vì có các cột của nó.",
                f"Đổi tên trang thành '{spec.name}' như mẫu.",
                sheet=candidate.name,
            )
            return candidate
    return None


def read_table(sheet: Sheet, spec: SheetSpec, ctx: Context) -> Table | None:
    header_row, hits = _find_header(sheet, spec)
    if hits < 2:
        ctx.add(
            "header-not-found",
            f"Không tìm thấy dòng tiêu đề cột trong trang '{sheet.name}'.",
            "Giữ nguyên dòng tiêu đề của mẫu: "
            + ", ".join(c.label for c in spec.columns[:5])
            + ", …",
            sheet=sheet.name,
        )
        return None
    table = Table(spec=spec, sheet=sheet, header_row=header_row)
    by_label = {_label_key(c.label): c for c in spec.columns}
    header = sheet.rows.get(header_row, {})
    for col_no in sorted(header):
        value = header[col_no]
        if not isinstance(value, str) or not nfc(value):
            continue
        column = by_label.get(_label_key(value))
        if column is None:
            ctx.add(
                "extra-column",
                f"Cột “{nfc(value)}” không có trong mẫu; số liệu của cột này không được tổng hợp.",
                sheet=sheet.name,
                row=header_row,
                col=col_no,
                value=value,
            )
        elif column.key in table.colmap:
            ctx.add(
                "duplicate-column",
                f"Cột '{column.label}' xuất hiện hai lần (cột {cell_ref(header_row, table.colmap[column.key])[: -len(str(header_row))]} "
                f"và {cell_ref(header_row, col_no)[: -len(str(header_row))]}), không biết lấy cột nào.",
                sheet=sheet.name,
                row=header_row,
                col=col_no,
                value=value,
                column=column.key,
            )
        else:
            table.colmap[column.key] = col_no
    for column in spec.columns:
        if column.key not in table.colmap:
            ctx.add(
                "missing-column",
                f"Thiếu cột '{column.label}' trong trang '{sheet.name}'.",
                f"Thêm lại cột '{column.label}' vào dòng tiêu đề (dòng {header_row}) như mẫu.",
                severity="error" if column.required else "warning",
                sheet=sheet.name,
                row=header_row,
                column=column.key,
            )
    mapped = set(table.colmap.values())
    data_cols = {c for k, c in table.colmap.items() if k != "stt"}
    for r in sorted(sheet.rows):
        if r <= header_row:
            continue
        cells = sheet.rows[r]
        if any(c in data_cols for c in cells):
            table.rows.append(r)
        elif cells and not any(c in mapped for c in cells):
            for c in sorted(cells)[:1]:
                if c > max(mapped, default=0):
                    ctx.add(
                        "value-outside-table",
                        f"Ô {cell_ref(r, c)} nằm ngoài bảng số liệu nên không được tổng hợp.",
                        sheet=sheet.name,
                        row=r,
                        col=c,
                        value=cells[c],
                    )
    # Data typed in a column with no header, on a row that is read: said once per column,
    # never dropped silently (a headed column gets 'extra-column' instead).
    header_cols = set(header)
    stray: dict[int, list[int]] = {}
    for r in table.rows:
        for c in sheet.rows[r]:
            if c not in mapped and c not in header_cols:
                stray.setdefault(c, []).append(r)
    for c, rows in sorted(stray.items()):
        first = cell_ref(rows[0], c)
        ctx.add(
            "value-outside-table",
            f"Cột {first[: -len(str(rows[0]))]} không có tiêu đề nhưng có {len(rows)} ô số liệu "
            f"(từ ô {first}); số liệu này nằm ngoài bảng nên không được tổng hợp.",
            "Chuyển nội dung sang cột Ghi chú, hoặc xóa nếu không cần.",
            sheet=sheet.name,
            row=rows[0],
            col=c,
            value=sheet.rows[rows[0]][c],
        )
    _layout_checks(table, ctx)
    return table


def _layout_checks(table: Table, ctx: Context) -> None:
    sheet, header_row = table.sheet, table.header_row
    mapped = set(table.colmap.values())
    data_rows = set(table.rows)
    for r1, c1, r2, c2 in sheet.merged:
        if r2 <= header_row or not any(c1 <= c <= c2 for c in mapped):
            continue
        if r1 <= header_row:
            continue
        ref = f"{cell_ref(r1, c1)}:{cell_ref(r2, c2)}"
        ctx.add(
            "merged-cells",
            f"Các ô {ref} bị gộp (merge) trong vùng số liệu: chỉ ô đầu có giá trị, "
            "các ô còn lại sẽ bị coi là trống.",
            sheet=sheet.name,
            row=r1,
            col=c1,
        )
    for r in sorted(sheet.hidden_rows & data_rows):
        ctx.add(
            "hidden-row",
            f"Dòng {r} đang bị ẩn nhưng có số liệu; số liệu này vẫn được tiếp nhận.",
            sheet=sheet.name,
            row=r,
            col=min(mapped, default=1),
            sheet_key=table.spec.key,
        )
    for key, c in table.colmap.items():
        if c in sheet.hidden_cols and any(c in sheet.rows[r] for r in table.rows):
            ctx.add(
                "hidden-column",
                f"Cột '{table.spec.column(key).label}' đang bị ẩn nhưng có số liệu; vẫn được tiếp nhận.",
                sheet=sheet.name,
                row=header_row,
                col=c,
            )


def check_layout(
    wb: RawWorkbook, checked: Checked, config: Config, received_local: datetime
) -> None:
    """Layers 1 and 2 for one workbook: fills ``checked`` (cover, tables, typed values)."""
    ctx = Context(checked)
    report = checked.report
    units = config.unit_index
    report.template_version = wb.template_version
    if wb.template_version is not None and wb.template_version != TEMPLATE_VERSION:
        ctx.add(
            "old-template-version",
            f"Tệp dùng mẫu phiên bản {wb.template_version}; phiên bản hiện hành là {TEMPLATE_VERSION}.",
        )
    for sheet in wb.sheets.values():
        if sheet.state != "visible" and sheet.name != META_SHEET and sheet.rows:
            ctx.add(
                "hidden-sheet",
                f"Trang '{sheet.name}' đang bị ẩn nhưng có dữ liệu"
                + (
                    "; dữ liệu vẫn được đọc."
                    if _is_known_sheet(sheet.name)
                    else "; trang này không thuộc mẫu nên không được tổng hợp."
                ),
                sheet=sheet.name,
            )
    _check_cover(wb, checked, ctx, units, received_local)
    # A deadline without a year ("trước 30/6") falls in the year of the report's period:
    # that of its report date, or of its arrival when the date is missing (defect 17).
    as_of = checked.cover.get("as_of")
    year = as_of.year if isinstance(as_of, date) else received_local.year
    sessions = session_rule(config)
    for spec in SHEETS:
        found = locate_sheet(wb, spec, ctx)
        if found is None:
            if not spec.optional:
                ctx.add(
                    "missing-sheet",
                    f"Không có trang '{spec.name}'.",
                    f"Dùng mẫu báo cáo chuẩn; giữ nguyên trang '{spec.name}'.",
                    sheet=spec.name,
                )
            continue
        table = read_table(found, spec, ctx)
        if table is None:
            continue
        checked.tables[spec.key] = table
        coerce_table(table, ctx, units, year, sessions)
    if wb.template_version is None:
        # Said only once the layout is known: "still readable" would contradict the
        # "Không có trang …" errors of a workbook that is not a report at all (defect 5).
        layout_errors = any(
            f.code in ("missing-sheet", "missing-column", "header-not-found") for f in report.errors
        )
        ctx.add(
            "not-from-template",
            "Tệp không được tạo từ mẫu báo cáo chuẩn (không có dấu phiên bản mẫu)"
            + ("." if layout_errors else "; vẫn đọc được vì có đủ các trang và cột."),
        )
    if not any(t.rows for t in checked.tables.values()) and not checked.report.errors:
        ctx.add("empty-report", "Báo cáo không có dòng số liệu nào (nhiệm vụ, dự án, chỉ tiêu).")


def session_rule(config: Config) -> SessionRule:
    """The People's Council's session months of ``[calendar]``, for deadlines."""
    cal = config.calendar
    return SessionRule(cal.mid_year_session_month, cal.year_end_session_month)


def _is_help_text(value: Any, help_text: str) -> bool:
    """The template's help cell beside a cover field ("(*) Bắt buộc. " + the help)."""
    if not isinstance(value, str):
        return False
    text = label_key(value)
    return text.startswith("(*)") or text.endswith(label_key(help_text))


def _is_known_sheet(name: str) -> bool:
    return label_key(name) in {label_key(s.name) for s in SHEETS} | {label_key(COVER_SHEET)}


def _check_cover(
    wb: RawWorkbook, checked: Checked, ctx: Context, units: UnitIndex, received_local: datetime
) -> None:
    sheet = next((s for n, s in wb.sheets.items() if label_key(n) == label_key(COVER_SHEET)), None)
    if sheet is None:
        ctx.add(
            "missing-sheet",
            f"Không có trang '{COVER_SHEET}' (đơn vị báo cáo, ngày báo cáo…).",
            f"Dùng mẫu báo cáo chuẩn; điền trang '{COVER_SHEET}'.",
            sheet=COVER_SHEET,
        )
        return
    labels = {label_key(f.label): f for f in COVER}
    found: dict[str, tuple[int, int, Any]] = {}
    for r in sorted(sheet.rows)[:60]:
        cells = sheet.rows[r]
        for c in sorted(cells):
            v = cells[c]
            if isinstance(v, str) and _label_key(v) in labels:
                field_ = labels[_label_key(v)]
                if field_.key in found:
                    continue
                # The value is the next non-empty cell to the right (column B in the template)
                # unless that is the template's help text (column C): then the input cell is
                # blank, and the finding points at it (defect 7).
                right = [cc for cc in sorted(cells) if cc > c]
                vc = right[0] if right else c + 1
                if vc != c + 1 and _is_help_text(cells.get(vc), field_.help):
                    vc = c + 1
                found[field_.key] = (r, vc, cells.get(vc))
                break
    for f in COVER:
        r, c, raw = found.get(f.key, (0, 0, None))
        if raw is None or (isinstance(raw, str) and not nfc(raw)):
            if f.required:
                ctx.add(
                    "required-missing",
                    f"Chưa ghi '{f.label}' ở trang '{COVER_SHEET}'.",
                    f"Ghi '{f.label}': {f.help}",
                    sheet=sheet.name,
                    row=r or None,
                    col=c or None,
                    column=f.key,
                )
            continue
        col = Column(f.key, f.label, f.kind)
        try:
            value = coerce_value(col, raw, False, units)
        except BadValue as bad:
            ctx.add(
                bad.code,
                bad.message,
                bad.fix,
                severity=bad.severity,
                sheet=sheet.name,
                row=r,
                col=c,
                value=raw,
                column=f.key,
            )
            if f.key == "unit" and bad.code == "unknown-unit":
                checked.report.findings[
                    -1
                ].message = f"Không xác định được đơn vị báo cáo “{display(raw)}”: không có trong danh mục đơn vị."
            if bad.severity == "error" or bad.value is None:
                continue
            value = bad.value  # a warning with a usable value (legacy font converted)
        checked.cover[f.key] = value
        if f.key == "unit":
            checked.unit = units.by_code[value]
            checked.report.unit_code = value
            checked.report.unit_name = checked.unit.name
        elif f.key == "as_of":
            checked.report.as_of = value.isoformat()
            _check_as_of(ctx, value, received_local, sheet.name, r, c, raw)


def _check_as_of(
    ctx: Context, value: date, received_local: datetime, sheet: str, r: int, c: int, raw: Any
) -> None:
    """The report date against the day it arrived and against today (defect 8).

    A date that has not come yet (2062 or 2206 typed for 2026) is the unit's typo in its own
    cell: said as such, with the cell and the year it probably meant. A date after the day
    of arrival but not after today is ``as-of-in-future``; when that arrival time was typed
    by the officer (``--received-at``), ingest holds the file for the officer instead of
    sending this finding to the unit."""
    cell = cell_ref(r, c)
    received = received_local.date()
    today = datetime.now(received_local.tzinfo).date()
    if value > max(today, received):
        ctx.add(
            "as-of-year-typo",
            f"Ngày báo cáo ở ô {cell} là {value:%d/%m/%Y}: ngày này chưa tới (hôm nay là "
            f"{today:%d/%m/%Y}); có lẽ gõ nhầm năm {value.year} thay cho {received.year}.",
            f"Sửa năm của ngày báo cáo ở ô {cell} (ví dụ {_same_day(value, received.year)}), "
            "lưu và gửi lại tệp.",
            sheet=sheet,
            row=r,
            col=c,
            value=raw,
            column="as_of",
        )
    elif value > received:
        ctx.add(
            "as-of-in-future",
            f"Ngày báo cáo ở ô {cell} là {value:%d/%m/%Y}, sau ngày nhận được tệp "
            f"({received:%d/%m/%Y}).",
            sheet=sheet,
            row=r,
            col=c,
            value=raw,
            column="as_of",
        )


def _same_day(value: date, year: int) -> str:
    """``value`` in ``year`` (28/02 for a 29/02 that year lacks), as dd/mm/yyyy."""
    try:
        return f"{value.replace(year=year):%d/%m/%Y}"
    except ValueError:
        return f"{value.replace(year=year, day=28):%d/%m/%Y}"
