"""Layer 2 of validation: cell values typed as people type them.

Dates (real, serial, "05/06/2026"), 60 % shown as a percent, "1.234,5", NFD text, legacy
fonts: :func:`coerce_value` turns one cell into its column's type or raises
:class:`BadValue`; :func:`coerce_table` does it for a whole sheet, converting each distinct
value of a column once.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from consolidate.calendar.deadlines import (
    DEFAULT_SESSIONS,
    DeadlineError,
    SessionRule,
    parse_deadline,
)
from consolidate.core.errors import BadValue
from consolidate.core.fmt import fmt_num, fmt_pct
from consolidate.core.legacy import Legacy, decode_legacy
from consolidate.core.text import canonical_code, clean_multiline, label_key, nfc
from consolidate.core.units import UnitIndex
from consolidate.intake.cells import MAX_CELL_CHARS, CellError, Formula, Overlong
from consolidate.intake.checked import Context, Table, display
from schemas import Column, Kind

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TEXT_DATE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")


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
    raise BadValue("not-a-number", f"'{label}' phải là số; đang ghi “{display(value)}”.")


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
    raise BadValue("not-a-date", f"'{label}' phải là ngày; đang ghi “{text}”.")


#: Columns the product computes itself (rules.py): a formula without a cached value there is
#: no reason to reject a file.
COMPUTED_KEYS = frozenset({"disbursed_pct"})

#: Columns holding a code (task register code): "kh05-04 " and "KH05–04" are "KH05-04".
CODE_KEYS = frozenset({"task_code", "code"})


def _known_reading(col: Column, legacy: Legacy, units: UnitIndex) -> tuple[str, str]:
    """The reading of a legacy-font cell: for a unit or a list column, the first plausible
    one that names a known unit / choice (a short name reads plausibly in two fonts)."""
    for encoding, text in legacy.readings:
        if col.kind == Kind.UNIT and units.resolve(text) is not None:
            return encoding, text
        if col.kind == Kind.CHOICE and label_key(text) in {label_key(c) for c in col.choices}:
            return encoding, text
    assert legacy.text is not None
    return legacy.encoding, legacy.text


def coerce_value(
    col: Column,
    value: Any,
    is_percent: bool,
    units: UnitIndex,
    year: int | None = None,
    sessions: SessionRule = DEFAULT_SESSIONS,
) -> Any:
    """Turn what a person typed into the column's type, or raise BadValue.

    ``year``: the year of the report's period, for a deadline written without one ("trước
    30/6"); ``sessions``: the People's Council's session months (``[calendar]``)."""
    if isinstance(value, Formula) and col.key in COMPUTED_KEYS:
        raise BadValue(
            "formula-no-value",
            f"Ô '{col.label}' chứa công thức chưa được tính (={value.text}); hệ thống tự tính "
            "giá trị này từ các cột khác.",
            "Không cần sửa; có thể để trống ô này.",
            "warning",
        )
    if isinstance(value, Formula):
        raise BadValue(
            "formula-no-value", f"Ô '{col.label}' chứa công thức chưa được tính (={value.text})."
        )
    if isinstance(value, CellError):
        raise BadValue("cell-error", f"Ô '{col.label}' có giá trị lỗi {value}.")
    if isinstance(value, Overlong):
        raise BadValue(
            "cell-too-long",
            f"Ô '{col.label}' có {fmt_num(value.length, 0)} ký tự, vượt giới hạn "
            f"{fmt_num(MAX_CELL_CHARS, 0)} ký tự của một ô Excel (tệp có thể bị hỏng).",
        )
    kind = col.kind
    if kind in (Kind.TEXT, Kind.CHOICE, Kind.UNIT, Kind.EMAIL) and isinstance(value, str):
        legacy = decode_legacy(value)
        if legacy is not None and legacy.text is None:
            raise BadValue(
                "legacy-encoding",
                f"Ô '{col.label}' được gõ bằng phông chữ cũ {legacy.encoding} (“{display(value)}”) "
                "và không chuyển được sang Unicode; máy không đọc được tiếng Việt của ô này.",
                "Gõ lại bằng Unicode (bộ gõ Unikey/EVKey chọn bảng mã Unicode, phông Times New Roman).",
            )
        if legacy is not None and legacy.text is not None:
            encoding, text = _known_reading(col, legacy, units)
            converted = coerce_value(col, text, is_percent, units, year, sessions)
            raise BadValue(
                "legacy-encoding",
                f"Ô '{col.label}' được gõ bằng phông chữ cũ {encoding} (“{display(value)}”); "
                f"đã chuyển sang Unicode: “{display(text)}”.",
                "Kiểm tra lại nội dung đã chuyển; lần sau gõ bằng Unicode (Unikey/EVKey chọn "
                "bảng mã Unicode, phông Times New Roman).",
                "warning",
                value=converted,
            )
    if kind == Kind.TEXT:
        if isinstance(value, datetime):
            return value.strftime("%d/%m/%Y")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if col.key in CODE_KEYS:  # codes compare only through the one normaliser
            return canonical_code(str(value)) or None
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
                "unknown-unit", f"Không có đơn vị “{display(value)}” trong danh mục đơn vị."
            )
        return unit.code
    if kind == Kind.EMAIL:
        text = nfc(str(value))
        if not _EMAIL.match(text):
            raise BadValue("invalid-email", f"Email “{text}” không hợp lệ.")
        return text
    if kind == Kind.INT:
        num = parse_number(value, col.label)
        if not num.is_integer():
            raise BadValue("not-an-integer", f"'{col.label}' phải là số nguyên.")
        return int(num)
    if kind in (Kind.NUMBER, Kind.MONEY):
        return parse_number(value, col.label)
    if kind == Kind.PERCENT:
        num = parse_number(value, col.label)
        if is_percent:
            num *= 100.0  # 0.6 shown as 60 % means 60
        elif 0 < num < 1:  # "0.8" in a plain cell: 0.8 % or 80 %? Kept as typed, but said.
            raise BadValue(
                "percent-below-one",
                f"'{col.label}' ghi {fmt_num(num, 6)}, được hiểu là {fmt_pct(num)} (không phải "
                f"{fmt_pct(num * 100)}).",
                f"Nếu ý là {fmt_pct(num * 100)}, ghi {fmt_num(num * 100, 6)}; ô này ghi số phần trăm "
                "(60 cho 60 %).",
                value=round(num, 6),
            )
        return round(num, 6)
    if kind == Kind.DATE:
        return parse_date(value, col.label)
    if kind == Kind.DEADLINE:
        try:
            return parse_deadline(value, year, sessions)
        except DeadlineError as exc:
            raise BadValue("bad-deadline", f"'{col.label}': {exc}") from None
    return value


def coerce_table(
    table: Table,
    ctx: Context,
    units: UnitIndex,
    year: int | None = None,
    sessions: SessionRule = DEFAULT_SESSIONS,
) -> None:
    """Every cell of a table to its column's type; ``year`` and ``sessions`` as for
    :func:`coerce_value`."""
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
                    value = coerce_value(col, raw, is_pct, units, year, sessions)
                if key is not None:
                    memo[key] = value
                out.append(value)
            except BadValue as bad:
                if bad.severity == "error":
                    out.append(None)
                else:
                    out.append(bad.value if bad.value is not None else _fallback(col, raw))
                table.failed.add((r, col.key))
                ctx.add(
                    bad.code,
                    f"Dòng {r}: {bad.message}",
                    bad.fix,
                    severity=bad.severity,
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
