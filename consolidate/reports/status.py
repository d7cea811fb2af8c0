"""Derived task status: what the office reports for a task, from what the unit wrote.

Computed for the cut-off date. A completed task without a completion date is taken as
completed on the cut-off date (so it is late only if the deadline had already passed); a
task without a deadline can be neither overdue nor due soon; a "Thường xuyên" task is always
"Thường xuyên".
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from consolidate.calendar.deadlines import RECURRING
from schemas.columns import STATE_DONE, STATE_IN_PROGRESS

# --- derived status ---------------------------------------------------------------------------

DONE_ON_TIME = "Hoàn thành đúng hạn"
DONE_LATE = "Hoàn thành quá hạn"
IN_PROGRESS = "Đang thực hiện (trong hạn)"
DUE_SOON = "Sắp đến hạn"
OVERDUE = "Quá hạn"
NOT_STARTED = "Chưa triển khai"
RECURRING_STATUS = "Thường xuyên"
#: Display order, everywhere.
STATUSES: tuple[str, ...] = (
    DONE_ON_TIME,
    DONE_LATE,
    IN_PROGRESS,
    DUE_SOON,
    OVERDUE,
    NOT_STARTED,
    RECURRING_STATUS,
)
DONE_STATUSES = (DONE_ON_TIME, DONE_LATE)
NO_PILLAR = "Chưa xác định lĩnh vực"


class Derived(NamedTuple):
    status: str
    #: Quá hạn: days past the deadline; Hoàn thành quá hạn: days completed late.
    days_overdue: int | None = None
    days_left: int | None = None  # unfinished with a deadline not yet passed: 0 = due today


def _as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def derive_status(
    deadline_kind: str | None,
    deadline_end: date | str | None,
    state: str | None,
    completed_on: date | str | None,
    as_of: date,
    due_soon_days: int,
) -> Derived:
    """The status the office reports, from what the unit wrote, as of ``as_of``.

    An unfinished task past its deadline is Quá hạn whatever its state; one due within
    ``due_soon_days`` is Sắp đến hạn; Chưa triển khai / Đang thực hiện apply only otherwise.
    """
    if deadline_kind == RECURRING:
        return Derived(RECURRING_STATUS)
    end = _as_date(deadline_end)
    if state == STATE_DONE:
        if end is None:
            return Derived(DONE_ON_TIME)
        late = ((_as_date(completed_on) or as_of) - end).days
        return Derived(DONE_LATE, late) if late > 0 else Derived(DONE_ON_TIME)
    left: int | None = None
    if end is not None:
        left = (end - as_of).days
        if left < 0:
            return Derived(OVERDUE, -left)
        if left <= due_soon_days:
            return Derived(DUE_SOON, None, left)
    if state == STATE_IN_PROGRESS:
        return Derived(IN_PROGRESS, None, left)
    return Derived(NOT_STARTED, None, left)
