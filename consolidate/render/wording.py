"""The Vietnamese words for what the reports hold as data.

Notes on a unit's reporting, the use of a snapshot, why a project is lagging. Numbers and
dates go through core.fmt."""

from __future__ import annotations

from consolidate.core.fmt import fmt_dt, fmt_num, fmt_pct
from consolidate.reports.projects import BEHIND_TIME_PATH, BELOW_THRESHOLD
from consolidate.reports.selection import (
    CARRIED_FROM,
    LATE_UPDATE,
    NO_ROWS,
    REJECTED_LATER,
    REJECTED_WAITING,
    Note,
    Snapshot,
    UnitReporting,
)

CARRIED_LABEL = "Số liệu kỳ trước"
#: What a report calls the rows of its sheet.
ROWS_OF = {"weekly": "nhiệm vụ", "projects": "dự án"}


def usage_label(snap: Snapshot) -> str:
    """How a counted snapshot is used: this period, received late, last period's data."""
    if snap.carried:
        return CARRIED_LABEL
    return "Nhận sau hạn chốt" if snap.late else "Kỳ này"


def note_text(note: Note, report: str) -> str:
    at = fmt_dt(note.at) if note.at is not None else ""
    if note.kind == LATE_UPDATE:
        return f"Bản cập nhật nhận lúc {at}, sau hạn chốt."
    if note.kind == REJECTED_LATER:
        used = fmt_dt(note.used_at) if note.used_at is not None else ""
        return (
            f"Tệp gửi lúc {at} không được tiếp nhận ({note.n_errors} lỗi); "
            f"đang dùng bản nhận lúc {used}."
        )
    if note.kind == REJECTED_WAITING:
        return f"Tệp “{note.file}” gửi lúc {at} có {note.n_errors} lỗi, chờ đơn vị sửa và gửi lại."
    if note.kind == NO_ROWS:
        return f"Có gửi báo cáo trong kỳ nhưng không có số liệu {ROWS_OF.get(report, report)}."
    if note.kind == CARRIED_FROM:
        return f"Dùng số liệu kỳ trước (báo cáo nhận lúc {at})."
    raise ValueError(f"unknown note kind {note.kind!r}")


def unit_note(unit: UnitReporting, report: str) -> str:
    """Every note on a unit's reporting, as one line."""
    return " ".join(note_text(n, report) for n in unit.notes)


def lagging_text(
    reason: str, rate: float | None, path_pct: float, threshold: float, tolerance: float
) -> str:
    """Why a project is counted as lagging in disbursement ("" when it is not)."""
    if not reason or rate is None:
        return ""
    if reason == BELOW_THRESHOLD:
        return f"Tỷ lệ giải ngân {fmt_pct(rate)} dưới ngưỡng {fmt_pct(threshold)}."
    if reason == BEHIND_TIME_PATH:
        return (
            f"Tỷ lệ giải ngân {fmt_pct(rate)} thấp hơn tiến độ theo thời gian "
            f"({fmt_pct(path_pct)}) quá {fmt_num(tolerance)} điểm %."
        )
    raise ValueError(f"unknown lagging reason {reason!r}")
