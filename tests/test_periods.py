"""Periods, cut-offs, deliveries and the holiday rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consolidate.calendar.periods import (
    PeriodError,
    apply_holiday_rule,
    collecting_twice_monthly,
    collecting_weekly,
    current_month,
    current_twice_monthly,
    current_weekly,
    is_working_day,
    next_period,
    parse_month,
    parse_period,
    parse_quarter,
    parse_twice_monthly,
    parse_week,
    previous_period,
    twice_monthly_containing,
    weekly_containing,
)
from consolidate.core.config import default_calendar
from consolidate.core.errors import UsageError

CAL = default_calendar()
TZ = CAL.tz


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def test_week_22_of_2026() -> None:
    p = parse_week(CAL, "2026-W22")
    assert p.key == "2026-W22"
    assert p.label == "Tuần 22/2026"
    assert p.cutoff == at(2026, 5, 28, 17)  # Thursday 17:00
    assert p.delivery == at(2026, 5, 29, 10)  # Friday 10:00
    assert p.start == at(2026, 5, 21, 17)
    assert not p.shifted
    assert p.as_of == date(2026, 5, 28)
    assert p.file_key == "2026-W22"


@pytest.mark.parametrize(
    "text",
    ["2026-W22", "2026w22", "2026 - W 22", "Tuần 22/2026", "tuần 22-2026", "22/2026",
     "tuần 22 năm 2026", "TUẦN  22 / 2026"],
)  # fmt: skip
def test_week_spellings(text: str) -> None:
    assert parse_week(CAL, text).key == "2026-W22"


@pytest.mark.parametrize("text", ["48", "tuần 48", "Tuần 48", "W48", "w 48", " 48 "])
@pytest.mark.parametrize("year", [2026, 2027])
def test_a_week_without_a_year_takes_the_year_given(text: str, year: int) -> None:
    """Defect 15: "--week 48" and "tuần 48" were refused though the tool prints "tuần
    48/2026"; the caller gives the year (the ISO year of today)."""
    assert parse_week(CAL, text, year).key == f"{year}-W48"


def test_the_year_of_a_week_is_the_iso_year_of_today() -> None:
    from consolidate.calendar.periods import iso_year

    assert iso_year(datetime(2026, 11, 28, 9, 0)) == 2026
    assert iso_year(datetime(2027, 1, 2, 9, 0)) == 2026  # still ISO week 53 of 2026
    assert parse_week(CAL, "tuần 53", iso_year(datetime(2027, 1, 2))).key == "2026-W53"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("22", "không ghi năm"),
        ("2026-22", "ví dụ 48, tuần 48, 48/2026 hoặc 2026-W48"),
        ("tuần hai mươi", "ví dụ 48, tuần 48, 48/2026 hoặc 2026-W48"),
        ("2025-W53", "không có tuần 53"),
        ("2026-W00", "không có tuần 0"),
        ("1999-W10", "Năm 1999"),
    ],
)
def test_bad_week_says_how_to_fix_in_vietnamese(text: str, words: str) -> None:
    with pytest.raises(PeriodError) as err:
        parse_week(CAL, text)
    assert words in str(err.value)
    # a usage error (exit 2), never a ValueError: an `except ValueError` must not take a bug
    # for a typo
    assert isinstance(err.value, UsageError) and not isinstance(err.value, ValueError)


def test_iso_week_53_exists_in_2026() -> None:
    assert parse_week(CAL, "2026-W53").cutoff == at(2026, 12, 31, 17)


def test_liberation_day_moves_weekly_cutoff_to_next_workday() -> None:
    # Thursday 30/4 and Friday 1/5/2026 are public holidays.
    p = parse_week(CAL, "2026-W18")
    assert p.nominal_cutoff == at(2026, 4, 30, 17)
    assert p.cutoff == at(2026, 5, 4, 17)
    assert p.delivery == at(2026, 5, 5, 10)  # delivery never before the cut-off
    assert p.shifted and "30/04/2026" in p.shift_note() and "04/05/2026" in p.shift_note()
    assert parse_week(CAL, "2026-W19").start == p.cutoff  # the next window starts there


def test_holiday_rule_previous_workday_and_keep() -> None:
    prev = replace(CAL, holiday_rule="previous_workday")
    assert parse_week(prev, "2026-W18").cutoff == at(2026, 4, 29, 17)
    keep = replace(CAL, holiday_rule="keep")
    p = parse_week(keep, "2026-W18")
    assert p.cutoff == at(2026, 4, 30, 17) and not p.shifted


def test_tet_moves_cutoff_past_the_whole_holiday() -> None:
    assert parse_week(CAL, "2026-W08").cutoff == at(2026, 2, 23, 17)


def test_holidays_package_knows_vietnam() -> None:
    assert not is_working_day(date(2026, 9, 2))  # Quốc khánh
    assert not is_working_day(date(2026, 6, 20))  # Saturday
    assert is_working_day(date(2026, 8, 22))  # Saturday worked in exchange for 31/8
    assert apply_holiday_rule(date(2026, 9, 1), "next_workday") == date(2026, 9, 3)
    assert apply_holiday_rule(date(2026, 9, 1), "previous_workday") == date(2026, 8, 28)
    assert apply_holiday_rule(date(2026, 9, 1), "keep") == date(2026, 9, 1)


def test_twice_monthly_first_and_second() -> None:
    first = parse_twice_monthly(CAL, "2026-06/1")
    assert first.cutoff == at(2026, 6, 5, 17)
    assert first.start == at(2026, 5, 20, 17)
    assert first.delivery == at(2026, 6, 8, 10)  # the 7th is a Sunday
    assert first.label == "Kỳ ngày 05/06/2026"
    assert first.file_key == "2026-06-1"
    second = parse_twice_monthly(CAL, "2026-06/2")
    assert second.nominal_cutoff == at(2026, 6, 20, 17)  # Saturday
    assert second.cutoff == at(2026, 6, 22, 17)
    assert second.delivery == at(2026, 6, 23, 10)
    assert second.start == first.cutoff
    keep = parse_twice_monthly(replace(CAL, holiday_rule="keep"), "2026-06/2")
    assert keep.cutoff == at(2026, 6, 20, 17) and keep.delivery == at(2026, 6, 22, 10)


def test_twice_monthly_delivery_on_a_worked_saturday() -> None:
    assert parse_twice_monthly(CAL, "2026-08/2").delivery == at(2026, 8, 22, 10)


@pytest.mark.parametrize("text", ["2026-06-05", "05/06/2026", "2026-6/1"])
def test_twice_monthly_spellings(text: str) -> None:
    assert parse_twice_monthly(CAL, text).key == "2026-06/1"


@pytest.mark.parametrize(
    ("text", "words"),
    [("2026-06/3", "Kỳ 3 không có"), ("2026-06-07", "không phải ngày chốt"), ("tháng 6", "2026-06/1"),
     ("2026-13/1", "Tháng 13")],
)  # fmt: skip
def test_bad_twice_monthly(text: str, words: str) -> None:
    with pytest.raises(PeriodError, match=words):
        parse_twice_monthly(CAL, text)


def test_twice_monthly_year_boundary() -> None:
    p = parse_twice_monthly(CAL, "2026-01/1")
    assert p.start == at(2025, 12, 22, 17)  # 20/12/2025 was a Saturday
    assert previous_period(CAL, p).key == "2025-12/2"
    assert next_period(CAL, parse_twice_monthly(CAL, "2026-12/2")).key == "2027-01/1"


def test_current_week_is_the_latest_cutoff_passed() -> None:
    assert current_weekly(CAL, at(2026, 5, 29, 8)).key == "2026-W22"  # Friday morning
    assert current_weekly(CAL, at(2026, 5, 28, 16, 59)).key == "2026-W21"
    assert current_weekly(CAL, at(2026, 5, 28, 17)).key == "2026-W22"
    assert current_weekly(CAL, at(2026, 6, 1, 9)).key == "2026-W22"  # Monday


def test_collecting_week_is_the_one_still_to_deliver() -> None:
    assert collecting_weekly(CAL, at(2026, 5, 28, 15)).key == "2026-W22"
    assert collecting_weekly(CAL, at(2026, 5, 29, 9, 59)).key == "2026-W22"
    assert collecting_weekly(CAL, at(2026, 5, 29, 10, 1)).key == "2026-W23"


def test_current_and_collecting_twice_monthly() -> None:
    assert current_twice_monthly(CAL, at(2026, 6, 6, 9)).key == "2026-06/1"
    assert current_twice_monthly(CAL, at(2026, 6, 5, 16)).key == "2026-05/2"
    assert collecting_twice_monthly(CAL, at(2026, 6, 8, 9)).key == "2026-06/1"
    assert collecting_twice_monthly(CAL, at(2026, 6, 8, 11)).key == "2026-06/2"


def test_naive_now_is_local_time() -> None:
    assert current_weekly(CAL, datetime(2026, 5, 29, 8)).key == "2026-W22"


def test_month_and_quarter() -> None:
    m = parse_month(CAL, "2026-06")
    assert (m.label, m.first_day, m.last_day) == (
        "Tháng 6/2026",
        date(2026, 6, 1),
        date(2026, 6, 30),
    )
    assert parse_month(CAL, "Tháng 6/2026").key == "2026-06"
    assert parse_month(CAL, "06/2026").key == "2026-06"
    q = parse_quarter(CAL, "2026-Q3")
    assert (q.label, q.first_day, q.last_day) == (
        "Quý III/2026",
        date(2026, 7, 1),
        date(2026, 9, 30),
    )
    assert parse_quarter(CAL, "Quý III/2026").key == "2026-Q3"
    assert parse_quarter(CAL, "q4-2026").key == "2026-Q4"
    assert current_month(CAL, at(2026, 2, 28, 23)).key == "2026-02"
    assert parse_period(CAL, "quarter", "2026Q1").key == "2026-Q1"


@pytest.mark.parametrize(
    ("kind", "text", "words"),
    [("month", "2026-13", "Tháng 13"), ("month", "June", "2026-06"), ("quarter", "2026-Q5", "2026-Q3"),
     ("year", "2026", "Loại kỳ")],
)  # fmt: skip
def test_bad_month_quarter(kind: str, text: str, words: str) -> None:
    with pytest.raises(PeriodError, match=words):
        parse_period(CAL, kind, text)


moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31)).map(
    lambda d: d.replace(tzinfo=TZ)
)
rules = st.sampled_from(["keep", "next_workday", "previous_workday"])


@settings(max_examples=150, deadline=None)
@given(moments, rules)
def test_every_moment_is_in_exactly_one_weekly_window(moment: datetime, rule: str) -> None:
    cal = replace(CAL, holiday_rule=rule)
    p = weekly_containing(cal, moment)
    assert p.start < moment <= p.cutoff
    assert p.delivery > p.cutoff
    assert next_period(cal, p).start == p.cutoff
    assert previous_period(cal, p).cutoff == p.start
    assert p.cutoff - p.start < timedelta(days=14)
    assert parse_week(cal, p.key) == p


@settings(max_examples=150, deadline=None)
@given(moments, rules)
def test_every_moment_is_in_exactly_one_twice_monthly_window(moment: datetime, rule: str) -> None:
    cal = replace(CAL, holiday_rule=rule)
    p = twice_monthly_containing(cal, moment)
    assert p.start < moment <= p.cutoff
    assert p.delivery > p.cutoff
    assert next_period(cal, p).start == p.cutoff
    assert parse_twice_monthly(cal, p.key) == p
    if rule != "keep":
        assert is_working_day(p.cutoff.date())
