"""Derived task status: the table of rules from the issue, and its invariants."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consolidate.reports.status import (
    DONE_LATE,
    DONE_ON_TIME,
    DONE_STATUSES,
    DUE_SOON,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    RECURRING_STATUS,
    STATUSES,
    derive_status,
)

AS_OF = date(2026, 5, 28)
NOT, DOING, DONE = "Chưa triển khai", "Đang thực hiện", "Đã hoàn thành"


@pytest.mark.parametrize(
    ("kind", "end", "state", "completed", "expected"),
    [
        # Completed: on time or late by the completion date.
        ("date", "2026-05-20", DONE, "2026-05-19", (DONE_ON_TIME, None, None)),
        ("date", "2026-05-20", DONE, "2026-05-20", (DONE_ON_TIME, None, None)),
        ("date", "2026-05-20", DONE, "2026-05-25", (DONE_LATE, 5, None)),
        ("month", "2026-06-30", DONE, "2026-05-02", (DONE_ON_TIME, None, None)),
        # Completed without a date: taken as completed on the cut-off date.
        ("date", "2026-06-30", DONE, None, (DONE_ON_TIME, None, None)),
        ("date", "2026-05-20", DONE, None, (DONE_LATE, 8, None)),
        # Unfinished past the deadline: Quá hạn whatever the state.
        ("date", "2026-05-27", DOING, None, (OVERDUE, 1, None)),
        ("date", "2026-05-18", NOT, None, (OVERDUE, 10, None)),
        ("quarter", "2026-03-31", DOING, None, (OVERDUE, 58, None)),
        # Due within the window (7 days, both ends included): Sắp đến hạn.
        ("date", "2026-05-28", NOT, None, (DUE_SOON, None, 0)),
        ("date", "2026-06-04", DOING, None, (DUE_SOON, None, 7)),
        ("month", "2026-05-31", DOING, None, (DUE_SOON, None, 3)),
        # Otherwise the state decides.
        ("date", "2026-06-05", DOING, None, (IN_PROGRESS, None, 8)),
        ("date", "2026-06-05", NOT, None, (NOT_STARTED, None, 8)),
        ("year", "2026-12-31", None, None, (NOT_STARTED, None, 217)),
        # Recurring: never overdue, whatever it says.
        ("recurring", None, NOT, None, (RECURRING_STATUS, None, None)),
        ("recurring", None, DOING, None, (RECURRING_STATUS, None, None)),
        ("recurring", None, DONE, "2026-01-01", (RECURRING_STATUS, None, None)),
        # No deadline at all: cannot be late or due soon.
        (None, None, DOING, None, (IN_PROGRESS, None, None)),
        (None, None, DONE, None, (DONE_ON_TIME, None, None)),
    ],
)
def test_derived_status_table(
    kind: str | None, end: str | None, state: str | None, completed: str | None, expected: tuple
) -> None:
    assert tuple(derive_status(kind, end, state, completed, AS_OF, 7)) == expected


def test_dates_or_iso_text_give_the_same_answer() -> None:
    a = derive_status("date", date(2026, 5, 20), DONE, date(2026, 5, 25), AS_OF, 7)
    b = derive_status("date", "2026-05-20", DONE, "2026-05-25", AS_OF, 7)
    assert a == b == (DONE_LATE, 5, None)


def test_due_soon_window_is_configurable() -> None:
    assert derive_status("date", "2026-06-04", DOING, None, AS_OF, 3).status == IN_PROGRESS
    assert derive_status("date", "2026-05-28", DOING, None, AS_OF, 0).status == DUE_SOON


days = st.integers(min_value=-400, max_value=400)
kinds = st.sampled_from(["date", "month", "quarter", "half", "year", "recurring", None])
states = st.sampled_from([NOT, DOING, DONE, None])


@settings(max_examples=400)
@given(kinds, days, states, st.one_of(st.none(), days), st.integers(0, 30))
def test_status_invariants(
    kind: str | None, end_offset: int, state: str | None, done_offset: int | None, soon: int
) -> None:
    end = None if kind in ("recurring", None) else AS_OF + timedelta(days=end_offset)
    completed = None if done_offset is None else AS_OF + timedelta(days=done_offset)
    d = derive_status(kind, end, state, completed, AS_OF, soon)
    assert d.status in STATUSES
    if kind == "recurring":
        assert d.status == RECURRING_STATUS  # a "Thường xuyên" task is never Quá hạn
        return
    if state == DONE:
        assert d.status in DONE_STATUSES
        assert (d.status == DONE_LATE) == (d.days_overdue is not None and d.days_overdue > 0)
        return
    assert d.status not in DONE_STATUSES
    if end is not None and end < AS_OF:
        assert d.status == OVERDUE and d.days_overdue == (AS_OF - end).days > 0
    elif end is not None and (end - AS_OF).days <= soon:
        assert d.status == DUE_SOON and 0 <= (d.days_left or 0) <= soon
    else:
        assert d.status == (IN_PROGRESS if state == DOING else NOT_STARTED)
        assert d.days_overdue is None
