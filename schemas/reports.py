"""Columns the office's reports add to what units write: derived figures and provenance.

A report table is a sequence of keys. :func:`report_column` resolves a key to a column of the
sheet's spec (read when called, so a changed spec changes every report) or to one of the
columns below; :func:`detail_columns` lays out a detail sheet: every spec column a report
shows (``Column.detail``), in spec order, with derived columns inserted after given keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from schemas.columns import Column, Kind, SheetSpec

#: The running number of a report table (not the unit's own "STT").
ROW_NUMBER = Column("no", "STT", Kind.INT, width=6)

#: Report-only columns, per sheet key.
DERIVED: dict[str, tuple[Column, ...]] = {
    "tasks": (
        ROW_NUMBER,
        Column("unit", "Đơn vị báo cáo", Kind.UNIT, width=22),
        Column("status", "Trạng thái tổng hợp", Kind.CHOICE, width=16),
        Column("days_overdue", "Số ngày quá hạn", Kind.INT, width=8),
        Column("days_left", "Số ngày còn lại", Kind.INT, width=8),
        Column("missing_clear", "06 rõ còn thiếu", width=14),
        Column("issues", "Cảnh báo (06 rõ, khi tiếp nhận)", width=28),
        Column("file", "Tệp nguồn", width=26),
        Column("received", "Thời điểm nhận", Kind.DATE, width=15),
        Column("usage", "Nguồn số liệu", width=16),
    ),
    "projects": (
        ROW_NUMBER,
        Column("unit", "Chủ đầu tư", Kind.UNIT, width=22),
        Column("rate", "Tỷ lệ giải ngân (%)", Kind.PERCENT, width=9),
        Column("lagging", "Chậm giải ngân", width=26),
        Column("issues", "Cảnh báo khi tiếp nhận", width=26),
        Column("file", "Tệp nguồn", width=24),
        Column("received", "Thời điểm nhận", Kind.DATE, width=15),
        Column("usage", "Số liệu", width=14),
    ),
}


def report_column(spec: SheetSpec, key: str) -> Column:
    """The column ``key`` of a report on ``spec``'s rows: the spec's own, else a derived one."""
    for col in spec.columns:
        if col.key == key:
            return col
    for col in DERIVED.get(spec.key, (ROW_NUMBER,)):
        if col.key == key:
            return col
    raise KeyError(key)


def report_columns(spec: SheetSpec, keys: Sequence[str]) -> list[Column]:
    return [report_column(spec, k) for k in keys]


def detail_columns(
    spec: SheetSpec,
    head: Sequence[str],
    after: Mapping[str, Sequence[str]],
    tail: Sequence[str],
) -> list[Column]:
    """``head``, the spec's detail columns with ``after[key]`` following ``key`` (at the end if
    the spec has no ``key`` any more), then ``tail``."""
    keys = list(head)
    pending = dict(after)
    for col in spec.columns:
        if col.detail:
            keys.append(col.key)
        keys.extend(pending.pop(col.key, ()))
    for rest in pending.values():
        keys.extend(rest)
    keys.extend(tail)
    return report_columns(spec, keys)
