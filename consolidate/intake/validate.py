"""Validate a read workbook against the column specification: all findings at once.

Four layers, each adding findings and never stopping early:

1. layout — sheets and header rows found by their labels, extra/missing/duplicate
   columns, merged cells, hidden rows, formulas without values, template version;
2. cell values — typed as people type them (dates, 60 %, "1.234,5", NFD text, legacy
   fonts), see :func:`coerce_value`;
3. pandera — a schema generated from ``schemas/`` checks required cells, closed lists and
   ranges, lazily, over a whole batch of files at once (:func:`run_pandera`);
4. business rules — 06 rõ, state contradictions, authority (a unit speaks only for
   itself), register codes, disbursement.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from consolidate.calendar.deadlines import DeadlineError, parse_deadline
from consolidate.core.config import Config, Unit, UnitIndex
from consolidate.core.findings import Finding, Report, Severity, cell_ref
from consolidate.core.text import clean_multiline, label_key, legacy_encoding, nfc
from consolidate.intake.reader import CellError, Formula, RawWorkbook, Sheet
from consolidate.store.db import StoredTable
from schemas import COVER, COVER_SHEET, SHEETS, TEMPLATE_VERSION, Column, Kind, SheetSpec
from schemas.columns import (
    SIX_CLEAR,
    STATE_DONE,
    STATE_NOT_STARTED,
)

HEADER_SCAN_ROWS = 40
META_SHEET = "_danhmuc"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TEXT_DATE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")


_ASTERISK = re.compile(r"\(\*\)|\*")


@functools.lru_cache(maxsize=1 << 12)
def _label_key(text: str) -> str:
    # Units add an asterisk or "(*)" to required headers; ignore it when matching.
    return label_key(_ASTERISK.sub("", text)) if len(text) <= 256 else ""


@dataclass
class Table:
    """One data sheet as found in a file: header position and raw values by column key."""

    spec: SheetSpec
    sheet: Sheet
    header_row: int = 0
    colmap: dict[str, int] = field(default_factory=dict)  # key -> Excel column
    rows: list[int] = field(default_factory=list)  # Excel rows holding data
    typed: dict[str, list[Any]] = field(default_factory=dict)  # key -> typed values
    failed: set[tuple[int, str]] = field(default_factory=set)  # (row, key) already reported

    def ref(self, row: int, key: str) -> str | None:
        col = self.colmap.get(key)
        return cell_ref(row, col) if col else None


@dataclass
class Checked:
    """One file after validation: the report plus what would be stored."""

    report: Report
    unit: Unit | None = None
    cover: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    row_issues: dict[tuple[str, int], list[str]] = field(default_factory=dict)

    def note_row(self, sheet_key: str, row: int, message: str) -> None:
        self.row_issues.setdefault((sheet_key, row), []).append(message)


class _Context:
    """Adds findings to a report with sheet/cell filled in."""

    def __init__(self, checked: Checked) -> None:
        self.checked = checked

    def add(
        self,
        code: str,
        severity: Severity,
        message: str,
        fix: str = "",
        *,
        sheet: str | None = None,
        row: int | None = None,
        col: int | None = None,
        value: Any = None,
        column: str | None = None,
        sheet_key: str | None = None,
    ) -> None:
        cell = cell_ref(row, col) if row and col else None
        text = None if value is None else _display(value)
        self.checked.report.add(
            Finding(
                code=code,
                severity=severity,
                message=message,
                fix=fix,
                sheet=sheet,
                cell=cell,
                value=text,
                row=row,
                column=column,
            )
        )
        if severity == "warning" and sheet_key and row:
            self.checked.note_row(sheet_key, row, message)


def _display(value: Any) -> str:
    if isinstance(value, datetime):
        return (
            value.strftime("%d/%m/%Y %H:%M")
            if value.time() != datetime.min.time()
            else value.strftime("%d/%m/%Y")
        )
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Formula):
        return f"={value.text}"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else str(value)
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."


# --- value coercion ------------------------------------------------------------------------


class BadValue(ValueError):
    """A cell value that cannot be read as its column's kind; args: code, message, fix."""

    def __init__(self, code: str, message: str, fix: str, severity: Severity = "error") -> None:
        super().__init__(message)
        self.code, self.message, self.fix, self.severity = code, message, fix, severity


def parse_number(value: Any, label: str) -> float:
    """Numbers as typed: 1234.5, "1.234,5", "1,234.5", "12 %"; Vietnamese convention
    (dot thousands, comma decimal) wins when a text is ambiguous."""
    if isinstance(value, bool):
        raise BadValue("not-a-number", f"'{label}' phải là số.", "Ghi một con số.")
    if isinstance(value, (int, float)):
        return float(value)
    text = nfc(str(value)).replace(" ", "").rstrip("%")
    if re.fullmatch(r"[+-]?\d+", text):
        return float(text)
    if re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?", text) or re.fullmatch(r"[+-]?\d+,\d+", text):
        return float(text.replace(".", "").replace(",", "."))
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", text) or re.fullmatch(r"[+-]?\d*\.\d+", text):
        return float(text.replace(",", ""))
    raise BadValue(
        "not-a-number",
        f"'{label}' phải là số; đang ghi “{_display(value)}”.",
        "Ghi số, ví dụ 1.234,5 hoặc 1234.5 (không kèm chữ).",
    )


def parse_date(value: Any, label: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 36526 <= value <= 73051:
        from consolidate.calendar.deadlines import excel_serial_to_date

        return excel_serial_to_date(value)
    text = nfc(str(value))
    m = _TEXT_DATE.match(text)
    if m:
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        if len(m[3]) == 2:
            raise BadValue(
                "ambiguous-date",
                f"'{label}' ghi năm 2 chữ số (“{text}”), không rõ năm.",
                "Ghi đủ ngày/tháng/năm 4 chữ số, ví dụ 05/06/2026.",
            )
        if month > 12 and day <= 12:
            raise BadValue(
                "ambiguous-date",
                f"'{label}' “{text}” có vẻ ghi tháng trước ngày (kiểu Mỹ).",
                "Ghi theo thứ tự ngày/tháng/năm, ví dụ 25/06/2026.",
            )
        try:
            return date(year, month, day)
        except ValueError:
            pass
    m = _ISO_DATE.match(text)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise BadValue(
        "not-a-date",
        f"'{label}' phải là ngày; đang ghi “{text}”.",
        "Ghi ngày dạng dd/mm/yyyy, ví dụ 05/06/2026.",
    )


def coerce_value(col: Column, value: Any, is_percent: bool, units: UnitIndex) -> Any:
    """Turn what a person typed into the column's type, or raise BadValue."""
    if isinstance(value, Formula):
        raise BadValue(
            "formula-no-value",
            f"Ô '{col.label}' chứa công thức chưa được tính (={value.text}).",
            "Mở tệp bằng Excel, nhấn F9 rồi lưu lại; hoặc thay công thức bằng giá trị.",
        )
    if isinstance(value, CellError):
        raise BadValue(
            "cell-error",
            f"Ô '{col.label}' có giá trị lỗi {value}.",
            "Sửa công thức hoặc ghi giá trị trực tiếp.",
        )
    kind = col.kind
    if kind in (Kind.TEXT, Kind.CHOICE, Kind.UNIT, Kind.EMAIL) and isinstance(value, str):
        legacy = legacy_encoding(value)
        if legacy:
            raise BadValue(
                "legacy-encoding",
                f"Ô '{col.label}' được gõ bằng phông chữ cũ {legacy} (“{_display(value)}”), "
                "máy không đọc đúng tiếng Việt.",
                "Gõ lại bằng Unicode (bộ gõ Unikey/EVKey chọn bảng mã Unicode, phông Times New Roman).",
                "error" if kind in (Kind.CHOICE, Kind.UNIT) else "warning",
            )
    if kind == Kind.TEXT:
        if isinstance(value, datetime):
            return value.strftime("%d/%m/%Y")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return clean_multiline(str(value)) or None
    if kind == Kind.CHOICE:
        key = label_key(str(value))
        for choice in col.choices:
            if label_key(choice) == key:
                return choice
        return nfc(str(value))  # pandera reports it against the list
    if kind == Kind.UNIT:
        unit = units.resolve(value)
        if unit is None:
            raise BadValue(
                "unknown-unit",
                f"Không có đơn vị “{_display(value)}” trong danh mục đơn vị.",
                "Chọn tên đơn vị trong danh sách thả xuống của mẫu.",
            )
        return unit.code
    if kind == Kind.EMAIL:
        text = nfc(str(value))
        if not _EMAIL.match(text):
            raise BadValue(
                "invalid-email",
                f"Email “{text}” không hợp lệ.",
                "Ghi địa chỉ dạng ten@daklak.gov.vn hoặc để trống.",
                "warning",
            )
        return text
    if kind == Kind.INT:
        num = parse_number(value, col.label)
        if not num.is_integer():
            raise BadValue(
                "not-an-integer", f"'{col.label}' phải là số nguyên.", "Ghi số nguyên.", "warning"
            )
        return int(num)
    if kind in (Kind.NUMBER, Kind.MONEY):
        return parse_number(value, col.label)
    if kind == Kind.PERCENT:
        num = parse_number(value, col.label)
        if is_percent:
            num *= 100.0  # 0.6 shown as 60 % means 60
        return round(num, 6)
    if kind == Kind.DATE:
        return parse_date(value, col.label)
    if kind == Kind.DEADLINE:
        try:
            return parse_deadline(value)
        except DeadlineError as exc:
            raise BadValue(
                "bad-deadline",
                f"'{col.label}': {exc}",
                "Ghi một ngày (dd/mm/yyyy) hoặc 'Tháng 7/2026', 'Quý III/2026', 'Năm 2026', 'Thường xuyên'.",
            ) from None
    return value


# --- layout --------------------------------------------------------------------------------


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


def _locate_sheet(wb: RawWorkbook, spec: SheetSpec, ctx: _Context) -> Sheet | None:
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
        if hits >= need and hits >= len(spec.columns) // 2:
            ctx.add(
                "sheet-renamed",
                "warning",
                f"Không có trang '{spec.name}'; đã dùng trang '{candidate.name}' vì có các cột của nó.",
                f"Đổi tên trang thành '{spec.name}' như mẫu.",
                sheet=candidate.name,
            )
            return candidate
    return None


def _read_table(sheet: Sheet, spec: SheetSpec, ctx: _Context) -> Table | None:
    header_row, hits = _find_header(sheet, spec)
    if hits < 2:
        ctx.add(
            "header-not-found",
            "error",
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
                "warning",
                f"Cột “{nfc(value)}” không có trong mẫu; số liệu của cột này không được tổng hợp.",
                "Nếu cần, chuyển nội dung sang cột Ghi chú; không thêm cột mới.",
                sheet=sheet.name,
                row=header_row,
                col=col_no,
                value=value,
            )
        elif column.key in table.colmap:
            ctx.add(
                "duplicate-column",
                "error",
                f"Cột '{column.label}' xuất hiện hai lần (cột {cell_ref(header_row, table.colmap[column.key])[: -len(str(header_row))]} "
                f"và {cell_ref(header_row, col_no)[: -len(str(header_row))]}), không biết lấy cột nào.",
                "Xóa một trong hai cột trùng.",
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
                "error" if column.required else "warning",
                f"Thiếu cột '{column.label}' trong trang '{sheet.name}'.",
                f"Thêm lại cột '{column.label}' vào dòng tiêu đề (dòng {header_row}) như mẫu.",
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
                        "warning",
                        f"Ô {cell_ref(r, c)} nằm ngoài bảng số liệu nên không được tổng hợp.",
                        "Xóa giá trị thừa hoặc chuyển vào cột Ghi chú.",
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
            "warning",
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


def _layout_checks(table: Table, ctx: _Context) -> None:
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
            "error",
            f"Các ô {ref} bị gộp (merge) trong vùng số liệu: chỉ ô đầu có giá trị, "
            "các ô còn lại sẽ bị coi là trống.",
            "Bỏ gộp ô (Merge & Center > Unmerge Cells) và ghi giá trị vào từng ô.",
            sheet=sheet.name,
            row=r1,
            col=c1,
        )
    for r in sorted(sheet.hidden_rows & data_rows):
        ctx.add(
            "hidden-row",
            "warning",
            f"Dòng {r} đang bị ẩn nhưng có số liệu; số liệu này vẫn được tiếp nhận.",
            "Bỏ ẩn dòng (Unhide) để kiểm tra lại, xóa dòng nếu không cần báo cáo.",
            sheet=sheet.name,
            row=r,
            col=min(mapped, default=1),
            sheet_key=table.spec.key,
        )
    for key, c in table.colmap.items():
        if c in sheet.hidden_cols and any(c in sheet.rows[r] for r in table.rows):
            ctx.add(
                "hidden-column",
                "warning",
                f"Cột '{table.spec.column(key).label}' đang bị ẩn nhưng có số liệu; vẫn được tiếp nhận.",
                "Bỏ ẩn cột để kiểm tra lại.",
                sheet=sheet.name,
                row=header_row,
                col=c,
            )


# --- one file ------------------------------------------------------------------------------


def check_layout(
    wb: RawWorkbook, checked: Checked, config: Config, received_local: datetime
) -> None:
    """Layers 1 and 2 for one workbook: fills ``checked`` (cover, tables, typed values)."""
    ctx = _Context(checked)
    report = checked.report
    units = config.unit_index
    report.template_version = wb.template_version
    if wb.template_version is None:
        ctx.add(
            "not-from-template",
            "warning",
            "Tệp không được tạo từ mẫu báo cáo chuẩn (không có dấu phiên bản mẫu); "
            "vẫn đọc được vì có đủ các trang và cột.",
            "Lần sau hãy dùng mẫu báo cáo mới nhất do Sở KH&CN gửi.",
        )
    elif wb.template_version != TEMPLATE_VERSION:
        ctx.add(
            "old-template-version",
            "warning",
            f"Tệp dùng mẫu phiên bản {wb.template_version}; phiên bản hiện hành là {TEMPLATE_VERSION}.",
            "Lần sau hãy dùng mẫu báo cáo mới nhất.",
        )
    for sheet in wb.sheets.values():
        if sheet.state != "visible" and sheet.name != META_SHEET and sheet.rows:
            ctx.add(
                "hidden-sheet",
                "warning",
                f"Trang '{sheet.name}' đang bị ẩn nhưng có dữ liệu"
                + (
                    "; dữ liệu vẫn được đọc."
                    if _is_known_sheet(sheet.name)
                    else "; trang này không thuộc mẫu nên không được tổng hợp."
                ),
                "Bỏ ẩn trang (chuột phải vào tên trang > Unhide) để kiểm tra lại.",
                sheet=sheet.name,
            )
    _check_cover(wb, checked, ctx, units, received_local)
    for spec in SHEETS:
        found = _locate_sheet(wb, spec, ctx)
        if found is None:
            if not spec.optional:
                ctx.add(
                    "missing-sheet",
                    "error",
                    f"Không có trang '{spec.name}'.",
                    f"Dùng mẫu báo cáo chuẩn; giữ nguyên trang '{spec.name}'.",
                    sheet=spec.name,
                )
            continue
        table = _read_table(found, spec, ctx)
        if table is None:
            continue
        checked.tables[spec.key] = table
        _coerce_table(table, ctx, units)
    if not any(t.rows for t in checked.tables.values()) and not checked.report.errors:
        ctx.add(
            "empty-report",
            "warning",
            "Báo cáo không có dòng số liệu nào (nhiệm vụ, dự án, chỉ tiêu).",
            "Ghi các nhiệm vụ đơn vị chủ trì vào trang 'Nhiệm vụ'.",
        )


def _is_known_sheet(name: str) -> bool:
    return label_key(name) in {label_key(s.name) for s in SHEETS} | {label_key(COVER_SHEET)}


def _check_cover(
    wb: RawWorkbook, checked: Checked, ctx: _Context, units: UnitIndex, received_local: datetime
) -> None:
    sheet = next((s for n, s in wb.sheets.items() if label_key(n) == label_key(COVER_SHEET)), None)
    if sheet is None:
        ctx.add(
            "missing-sheet",
            "error",
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
                # The value is the next non-empty cell to the right (column B in the template).
                right = [cc for cc in sorted(cells) if cc > c]
                vc = right[0] if right else c + 1
                found[field_.key] = (r, vc, cells.get(vc))
                break
    for f in COVER:
        r, c, raw = found.get(f.key, (0, 0, None))
        if raw is None or (isinstance(raw, str) and not nfc(raw)):
            if f.required:
                ctx.add(
                    "required-missing",
                    "error",
                    f"Chưa ghi '{f.label}' ở trang '{COVER_SHEET}'.",
                    f"Ghi '{f.label}': {f.help}",
                    sheet=sheet.name,
                    row=r or None,
                    col=(c or None),
                    column=f.key,
                )
            continue
        col = Column(f.key, f.label, f.kind)
        try:
            value = coerce_value(col, raw, False, units)
        except BadValue as bad:
            ctx.add(
                bad.code,
                bad.severity,
                bad.message,
                bad.fix,
                sheet=sheet.name,
                row=r,
                col=c,
                value=raw,
                column=f.key,
            )
            if f.key == "unit" and bad.code == "unknown-unit":
                checked.report.findings[
                    -1
                ].message = f"Không xác định được đơn vị báo cáo “{_display(raw)}”: không có trong danh mục đơn vị."
            continue
        checked.cover[f.key] = value
        if f.key == "unit":
            checked.unit = units.by_code[value]
            checked.report.unit_code = value
            checked.report.unit_name = checked.unit.name
        elif f.key == "as_of":
            checked.report.as_of = value.isoformat()
            if value > received_local.date():
                ctx.add(
                    "as-of-in-future",
                    "error",
                    f"Ngày báo cáo {value:%d/%m/%Y} sau ngày gửi tệp ({received_local:%d/%m/%Y}).",
                    "Ghi ngày chốt số liệu thực tế (không sau ngày gửi).",
                    sheet=sheet.name,
                    row=r,
                    col=c,
                    value=raw,
                    column=f.key,
                )


def _coerce_table(table: Table, ctx: _Context, units: UnitIndex) -> None:
    sheet, spec = table.sheet, table.spec
    rows = sheet.rows
    for col in spec.columns:
        c = table.colmap.get(col.key)
        out: list[Any] = []
        if c is None:
            table.typed[col.key] = [None] * len(table.rows)
            continue
        # A column repeats its values (lists, units, deadlines, "Năm 2026"): each distinct
        # cell value is converted once. Keyed by type too (1, 1.0 and True are equal keys).
        memo: dict[tuple[type, Any, bool], Any] = {}
        percent_col = col.kind == Kind.PERCENT
        for r in table.rows:
            raw = rows[r].get(c)
            if raw is None:
                out.append(None)
                continue
            is_pct = percent_col and (r, c) in sheet.percent
            key = (raw.__class__, raw, is_pct)
            try:
                value = memo[key]
            except KeyError:
                pass
            except TypeError:  # an unhashable value: convert it every time
                key = None  # type: ignore[assignment]
            else:
                out.append(value)
                continue
            try:
                if isinstance(raw, str) and not nfc(raw):
                    value = None
                else:
                    value = coerce_value(col, raw, is_pct, units)
                if key is not None:
                    memo[key] = value
                out.append(value)
            except BadValue as bad:
                out.append(None if bad.severity == "error" else _fallback(col, raw))
                table.failed.add((r, col.key))
                ctx.add(
                    bad.code,
                    bad.severity,
                    f"Dòng {r}: {bad.message}",
                    bad.fix,
                    sheet=sheet.name,
                    row=r,
                    col=c,
                    value=raw,
                    column=col.key,
                    sheet_key=spec.key,
                )
        table.typed[col.key] = out


def _fallback(col: Column, raw: Any) -> Any:
    if col.kind in (Kind.TEXT, Kind.EMAIL):
        return clean_multiline(str(raw))
    return None


# --- pandera over a batch ------------------------------------------------------------------

_SCHEMAS: dict[str, Any] = {}


def pandera_schema(spec: SheetSpec) -> Any:
    """A pandera DataFrameSchema generated from the specification (cached)."""
    if spec.key in _SCHEMAS:
        return _SCHEMAS[spec.key]
    import pandera.pandas as pa

    columns = {}
    for col in spec.columns:
        checks = []
        if col.kind == Kind.CHOICE and col.choices:
            checks.append(pa.Check.isin(list(col.choices)))
        if col.minimum is not None and col.maximum is not None:
            checks.append(pa.Check.in_range(col.minimum, col.maximum))
        elif col.minimum is not None:
            checks.append(pa.Check.ge(col.minimum))
        # "rõ" columns other than the task itself are judged by the 06 rõ rule (its
        # severity is configurable), so pandera does not also call them required.
        nullable = not col.required or (col.clear is not None and col.key != "task")
        columns[col.key] = pa.Column(None, nullable=nullable, checks=checks, required=True)
    schema = pa.DataFrameSchema(columns, coerce=False)
    _SCHEMAS[spec.key] = schema
    return schema


def warm_pandera() -> None:
    """Import pandera and build the schemas (~0.4 s), e.g. while workers read a flood."""
    for spec in SHEETS:
        pandera_schema(spec)


_PANDERA_KINDS = (
    Kind.TEXT,
    Kind.CHOICE,
    Kind.PERCENT,
    Kind.MONEY,
    Kind.NUMBER,
    Kind.UNIT,
    Kind.DATE,
    Kind.DEADLINE,
    Kind.INT,
    Kind.EMAIL,
)


def run_pandera(batch: Sequence[Checked]) -> None:
    """Run each sheet's pandera schema ONCE over the rows of all files in ``batch``."""
    import pandas as pd
    import pandera.pandas as pa

    for spec in SHEETS:
        owners: list[tuple[Checked, Table, int]] = []  # global row -> (file, table, Excel row)
        columns: dict[str, list[Any]] = {c.key: [] for c in spec.columns}
        for checked in batch:
            table = checked.tables.get(spec.key)
            if table is None or not table.rows:
                continue
            for r in table.rows:
                owners.append((checked, table, r))
            for col in spec.columns:
                columns[col.key].extend(table.typed[col.key])
        if not owners:
            continue
        frame = pd.DataFrame(
            {
                k: pd.Series(v, dtype="float64")
                if spec.column(k).kind in (Kind.PERCENT, Kind.MONEY, Kind.NUMBER)
                else pd.Series(v, dtype=object)
                for k, v in columns.items()
            }
        )
        try:
            pandera_schema(spec).validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            failures_to_findings(exc.failure_cases, spec, owners)


def failures_to_findings(
    failure_cases: Any, spec: SheetSpec, owners: Sequence[tuple[Checked, Table, int]]
) -> None:
    """THE translation of pandera's failure_cases (column, check, index) to Excel cells."""
    seen: set[tuple[int, int, str]] = set()
    for rec in failure_cases.to_dict("records"):
        index = rec.get("index")
        key = rec.get("column")
        if index is None or key not in spec.keys or (isinstance(index, float) and index != index):
            continue
        checked, table, r = owners[int(index)]
        if (r, key) in table.failed or key not in table.colmap:
            continue  # already reported while reading the cell, or the column is missing
        if (id(checked), r, key) in seen:
            continue
        seen.add((id(checked), r, key))
        col = spec.column(key)
        check = str(rec.get("check", ""))
        value = rec.get("failure_case")
        ctx = _Context(checked)
        where = {
            "sheet": table.sheet.name,
            "row": r,
            "col": table.colmap[key],
            "column": key,
            "sheet_key": spec.key,
        }
        task = _row_name(table, r)
        if check == "not_nullable":
            ctx.add(
                "required-missing",
                "error",
                f"Dòng {r}{task}: chưa ghi '{col.label}' (bắt buộc).",
                f"Ghi '{col.label}'. {col.help}".strip(),
                **where,  # type: ignore[arg-type]
            )
        elif check.startswith("isin"):
            ctx.add(
                "not-in-list",
                "error",
                f"Dòng {r}{task}: “{_display(value)}” không có trong danh sách của cột '{col.label}'.",
                "Chọn một trong: " + "; ".join(col.choices) + ".",
                value=value,
                **where,  # type: ignore[arg-type]
            )
        elif check.startswith(("in_range", "greater_than")):
            bounds = (
                f"từ {col.minimum:g} đến {col.maximum:g}"
                if col.maximum is not None
                else f"không âm (≥ {col.minimum:g})"
            )
            ctx.add(
                "out-of-range",
                "error",
                f"Dòng {r}{task}: '{col.label}' phải {bounds}; đang ghi {_display(value)}.",
                f"Ghi số {bounds}" + (" (ví dụ 60 cho 60 %)." if col.kind == Kind.PERCENT else "."),
                value=value,
                **where,  # type: ignore[arg-type]
            )
        else:
            ctx.add(
                "invalid-value",
                "error",
                f"Dòng {r}{task}: giá trị '{col.label}' không hợp lệ ({check}).",
                col.help,
                value=value,
                **where,  # type: ignore[arg-type]
            )


def _row_name(table: Table, r: int) -> str:
    name_key = (
        "task"
        if table.spec.key == "tasks"
        else "project"
        if table.spec.key == "projects"
        else "indicator"
    )
    values = table.typed.get(name_key)
    if not values:
        return ""
    text = values[table.rows.index(r)] if r in table.rows else None
    if not text:
        return ""
    text = str(text)
    return f" (“{text[:60]}{'…' if len(text) > 60 else ''}”)"


# --- business rules ------------------------------------------------------------------------


def check_rules(
    checked: Checked, config: Config, register: dict[str, str | None], received_local: datetime
) -> None:
    """Layer 4: rules across cells of a row and across rows."""
    ctx = _Context(checked)
    unit = checked.unit
    units = config.unit_index
    tasks = checked.tables.get("tasks")
    if tasks is not None and tasks.rows:
        _task_rules(tasks, ctx, config, unit, units, register, checked, received_local)
    projects = checked.tables.get("projects")
    if projects is not None and projects.rows:
        _project_rules(projects, ctx)
    if unit is not None and "projects" in unit.reports and projects is None:
        ctx.add(
            "missing-sheet",
            "warning",
            f"{unit.name} là chủ đầu tư dự án nhưng tệp không có trang 'Dự án'.",
            "Dùng mẫu báo cáo chuẩn và điền trang 'Dự án' (báo cáo ngày 05 và 20 hằng tháng).",
            sheet="Dự án",
        )


def _task_rules(
    table: Table,
    ctx: _Context,
    config: Config,
    unit: Unit | None,
    units: UnitIndex,
    register: dict[str, str | None],
    checked: Checked,
    received_local: datetime,
) -> None:
    spec, sheet = table.spec, table.sheet
    t = table.typed
    six_severity: Severity = "error" if config.validation.six_clear == "error" else "warning"
    code_severity: Severity = (
        "error" if config.validation.unknown_task_code == "error" else "warning"
    )
    first_code_row: dict[str, int] = {}
    as_of = checked.cover.get("as_of") or received_local.date()
    for i, r in enumerate(table.rows):
        name = _row_name(table, r)

        def add(
            code: str,
            severity: Severity,
            message: str,
            fix: str,
            key: str,
            value: Any = None,
            r: int = r,
            name: str = name,
        ) -> None:
            ctx.add(
                code, severity, f"Dòng {r}{name}: {message}", fix,
                sheet=sheet.name, row=r, col=table.colmap.get(key), value=value,
                column=key, sheet_key=spec.key,
            )  # fmt: skip

        # A unit speaks only for itself.
        lead = t["lead_unit"][i]
        if lead is None and unit is not None and (r, "lead_unit") not in table.failed:
            t["lead_unit"][i] = lead = unit.code
        if unit is not None and lead is not None and lead != unit.code:
            other = units.by_code[lead]
            add(
                "other-unit-task", "error",
                f"nhiệm vụ do {other.name} chủ trì, không phải {unit.name}. Mỗi đơn vị chỉ "
                "báo cáo nhiệm vụ mình chủ trì.",
                f"Xóa dòng này ({other.name} tự báo cáo), hoặc sửa 'Đơn vị chủ trì' nếu ghi nhầm.",
                "lead_unit", other.name,
            )  # fmt: skip
        code = t["task_code"][i]
        if code:
            if code in first_code_row:
                add(
                    "duplicate-task-code", "error",
                    f"mã nhiệm vụ {code} trùng với dòng {first_code_row[code]}.",
                    "Mỗi nhiệm vụ chỉ ghi một dòng; gộp hai dòng hoặc sửa mã.", "task_code", code,
                )  # fmt: skip
            else:
                first_code_row[code] = r
            if register:
                if code not in register:
                    add(
                        "unknown-task-code", code_severity,
                        f"mã nhiệm vụ {code} không có trong danh mục nhiệm vụ giao.",
                        "Kiểm tra lại mã theo danh mục; để trống nếu là nhiệm vụ đơn vị tự đề ra.",
                        "task_code", code,
                    )  # fmt: skip
                elif unit is not None and register[code] and register[code] != unit.code:
                    owner = units.by_code.get(register[code] or "")
                    add(
                        "other-unit-task", "error",
                        f"theo danh mục, nhiệm vụ {code} do "
                        f"{owner.name if owner else register[code]} chủ trì, không phải {unit.name}.",
                        "Xóa dòng này hoặc sửa mã nhiệm vụ cho đúng.", "task_code", code,
                    )  # fmt: skip
        # 06 rõ: which of the six is missing on this row.
        missing = [
            col for col in spec.columns
            if col.clear and col.key != "task" and t[col.key][i] is None and (r, col.key) not in table.failed
        ]  # fmt: skip
        if missing and t["task"][i] is not None:
            names = ", ".join(SIX_CLEAR[c.clear or ""] for c in missing)
            add(
                "six-clear-missing", six_severity,
                f"nhiệm vụ chưa đủ 06 rõ, còn thiếu: {names}.",
                "Ghi đủ: " + "; ".join(f"'{c.label}'" for c in missing) + ".",
                missing[0].key,
            )  # fmt: skip
        # State contradictions.
        state, progress, done_on = t["state"][i], t["progress"][i], t["completed_on"][i]
        if state == STATE_DONE:
            if progress is not None and progress < 100:
                add(
                    "done-but-progress", "warning",
                    f"Tình trạng 'Đã hoàn thành' nhưng tiến độ chỉ {progress:g} %.",
                    "Sửa tiến độ thành 100 hoặc tình trạng thành 'Đang thực hiện'.",
                    "progress", progress,
                )  # fmt: skip
            if done_on is None and (r, "completed_on") not in table.failed:
                add(
                    "completed-date-missing", "error",
                    "Tình trạng 'Đã hoàn thành' nhưng chưa ghi ngày hoàn thành.",
                    "Ghi 'Ngày hoàn thành' (dd/mm/yyyy) để tính đúng hạn/quá hạn.",
                    "completed_on",
                )  # fmt: skip
        elif state == STATE_NOT_STARTED and progress is not None and progress > 0:
            add(
                "not-started-but-progress", "error" if progress >= 100 else "warning",
                f"Tình trạng 'Chưa triển khai' nhưng tiến độ {progress:g} %.",
                "Sửa tình trạng thành 'Đang thực hiện' / 'Đã hoàn thành' hoặc tiến độ thành 0.",
                "state", state,
            )  # fmt: skip
        if done_on is not None:
            if done_on > as_of:
                add(
                    "completed-in-future", "error",
                    f"ngày hoàn thành {done_on:%d/%m/%Y} sau ngày báo cáo {as_of:%d/%m/%Y}.",
                    "Chỉ ghi ngày hoàn thành khi nhiệm vụ đã xong; sửa lại ngày thực tế.",
                    "completed_on", done_on,
                )  # fmt: skip
            if state is not None and state != STATE_DONE:
                add(
                    "completed-date-but-not-done", "warning",
                    f"có ngày hoàn thành nhưng tình trạng là '{state}'.",
                    "Sửa tình trạng thành 'Đã hoàn thành' hoặc xóa ngày hoàn thành.",
                    "completed_on", done_on,
                )  # fmt: skip


def _project_rules(table: Table, ctx: _Context) -> None:
    spec, sheet, t = table.spec, table.sheet, table.typed
    for i, r in enumerate(table.rows):
        name = _row_name(table, r)
        plan, disbursed, typed_pct = t["year_plan"][i], t["disbursed"][i], t["disbursed_pct"][i]
        computed = round(disbursed / plan * 100, 2) if plan and disbursed is not None else None
        if plan is not None and disbursed is not None and disbursed > plan:
            ctx.add(
                "disbursed-above-plan", "warning",
                f"Dòng {r}{name}: giải ngân lũy kế {disbursed:,.1f} vượt kế hoạch vốn năm {plan:,.1f} triệu đồng.",
                "Kiểm tra lại số giải ngân và kế hoạch vốn (đơn vị: triệu đồng).",
                sheet=sheet.name, row=r, col=table.colmap.get("disbursed"), value=disbursed,
                column="disbursed", sheet_key=spec.key,
            )  # fmt: skip
        if typed_pct is not None and computed is not None and abs(typed_pct - computed) > 0.5:
            ctx.add(
                "disbursed-rate-mismatch", "warning",
                f"Dòng {r}{name}: tỷ lệ giải ngân ghi {typed_pct:g} % nhưng theo số liệu là {computed:g} %; "
                "hệ thống dùng số tính lại.",
                "Sửa tỷ lệ cho khớp (giải ngân / kế hoạch vốn năm × 100) hoặc để trống.",
                sheet=sheet.name, row=r, col=table.colmap.get("disbursed_pct"), value=typed_pct,
                column="disbursed_pct", sheet_key=spec.key,
            )  # fmt: skip
        t["disbursed_pct"][i] = computed


# --- rows for the store --------------------------------------------------------------------


def stored_tables(checked: Checked) -> dict[str, StoredTable]:
    """Normalised rows of an accepted file, per store table, one tuple per row."""
    out: dict[str, StoredTable] = {}
    for key, table in checked.tables.items():
        names: list[str] = ["row"]
        columns: list[list[Any]] = [list(table.rows)]
        for col in table.spec.columns:
            values = table.typed[col.key]
            if col.kind == Kind.DEADLINE:
                names += [col.key, "deadline_kind", "deadline_end"]
                columns.append([v.text() if v is not None else None for v in values])
                columns.append([v.kind if v is not None else None for v in values])
                columns.append(
                    [v.end.isoformat() if v is not None and v.end else None for v in values]
                )
            else:
                names.append(col.key)
                columns.append(
                    [v.isoformat() if isinstance(v, date) else v for v in values]
                    if col.kind == Kind.DATE or any(isinstance(v, date) for v in values)
                    else values
                )
        names.append("issues")
        issues = checked.row_issues
        columns.append(
            [
                "\n".join(dict.fromkeys(found)) if (found := issues.get((key, r))) else None
                for r in table.rows
            ]
        )
        out[key] = StoredTable(tuple(names), list(zip(*columns, strict=True)))
    return out


def stored_rows(checked: Checked) -> dict[str, list[dict[str, Any]]]:
    """The same rows as :func:`stored_tables`, as one dict per row."""
    return {
        key: [dict(zip(t.names, row, strict=True)) for row in t.rows]
        for key, t in stored_tables(checked).items()
    }
