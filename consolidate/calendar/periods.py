"""Reporting periods: weekly, twice-monthly, month and quarter; cut-offs and holidays.

A period is the window ``(start, cutoff]`` in which units send one report; ``start`` is the
previous period's cut-off, so every moment belongs to exactly one weekly and one
twice-monthly period. Cut-offs and deliveries come from :class:`~consolidate.core.config.Calendar`.

Holidays: Vietnamese public holidays come from the ``holidays`` package (including the
Saturdays that the government turns into working days). ``Calendar.holiday_rule`` says what
happens to a cut-off that falls on a day off: ``keep``, ``next_workday`` (default) or
``previous_workday``. A delivery is moved by the same rule and, if that would put it at or
before the cut-off, to the first working day after the cut-off.

Which period is "current" (decided here, used by the commands):

- :func:`current_weekly` / :func:`current_twice_monthly` — the period whose cut-off is the
  latest one at or before ``now``: on Friday morning the officer builds the week whose
  Thursday cut-off has just passed. A still-open period is built only when asked by key.
- :func:`collecting_weekly` / :func:`collecting_twice_monthly` — the first period whose
  delivery is still ahead: the one the office is chasing units for (``consolidate status``).

Keys: weekly ``2026-W22`` (ISO week), twice-monthly ``2026-06/1`` (the first cut-off day of
June, the 5th) or ``2026-06/2`` (the 20th), month ``2026-06``, quarter ``2026-Q3``.
Parsers raise :class:`~consolidate.core.errors.PeriodError` (a usage error: exit 2) with a
Vietnamese message.
"""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from consolidate.calendar.deadlines import ROMAN, ROMAN_OF
from consolidate.core.config import Calendar
from consolidate.core.errors import PeriodError
from consolidate.core.fmt import fmt_dt
from consolidate.core.text import nfc

WEEKLY = "weekly"
TWICE_MONTHLY = "twice_monthly"
MONTH = "month"
QUARTER = "quarter"
PERIOD_KINDS = (WEEKLY, TWICE_MONTHLY, MONTH, QUARTER)

_MAX_SHIFT_DAYS = 14  # a holiday run longer than this is a configuration problem, not ours


@dataclass(frozen=True)
class Period:
    """One reporting period; all datetimes are tz-aware in the configured time zone."""

    kind: str
    key: str
    label: str
    start: datetime  # exclusive: the previous period's cut-off (month/quarter: first instant)
    cutoff: datetime  # inclusive end of the window
    delivery: datetime  # when the office must deliver the consolidated report
    nominal_cutoff: datetime  # before the holiday rule; equals cutoff on a working day

    @property
    def shifted(self) -> bool:
        return self.cutoff != self.nominal_cutoff

    @property
    def as_of(self) -> date:
        """The date derived task status is computed for."""
        return self.cutoff.date()

    @property
    def first_day(self) -> date:
        """First calendar day covered (month/quarter); day after the start otherwise."""
        if self.kind in (MONTH, QUARTER):
            return self.start.date()
        return (self.start + timedelta(seconds=1)).date()

    @property
    def last_day(self) -> date:
        return self.cutoff.date()

    @property
    def file_key(self) -> str:
        """The key made safe for a file name (no '/')."""
        return self.key.replace("/", "-")

    def shift_note(self) -> str:
        """Vietnamese note when the holiday rule moved the cut-off, else ''."""
        if not self.shifted:
            return ""
        return (
            f"Hạn chốt {fmt_dt(self.nominal_cutoff)} rơi vào ngày nghỉ nên được chuyển sang "
            f"{fmt_dt(self.cutoff)}."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "label": self.label,
            "start": self.start.isoformat(),
            "cutoff": self.cutoff.isoformat(),
            "delivery": self.delivery.isoformat(),
            "shifted": self.shifted,
        }


# --- holidays ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _vn_holidays() -> Any:
    # Imported lazily: `holidays` is not cheap and the CLI must start fast.
    import holidays

    return holidays.country_holidays("VN")


def is_working_day(day: date) -> bool:
    """Monday–Friday that is not a Vietnamese public holiday, or a swapped working Saturday."""
    return bool(_vn_holidays().is_working_day(day))


def holiday_name(day: date) -> str | None:
    name = _vn_holidays().get(day)
    return str(name) if name else None


def apply_holiday_rule(day: date, rule: str) -> date:
    """Move ``day`` off a weekend or holiday according to ``rule``."""
    if rule == "keep" or is_working_day(day):
        return day
    step = timedelta(days=-1 if rule == "previous_workday" else 1)
    moved = day
    for _ in range(_MAX_SHIFT_DAYS):
        moved += step
        if is_working_day(moved):
            return moved
    return day


def _next_working_day_after(day: date) -> date:
    moved = day
    for _ in range(_MAX_SHIFT_DAYS):
        moved += timedelta(days=1)
        if is_working_day(moved):
            return moved
    return day + timedelta(days=1)


def _at(day: date, at: time, cal: Calendar) -> datetime:
    return datetime.combine(day, at, tzinfo=cal.tz)


def _cutoff_and_delivery(
    cal: Calendar,
    cutoff_day: date,
    cutoff_at: time,
    delivery_day: date,
    delivery_at: time,
    latest_cutoff_day: date | None,
) -> tuple[datetime, datetime, datetime]:
    """(cutoff, delivery, nominal cutoff) after the holiday rule."""  # fmt: skip
    nominal = _at(cutoff_day, cutoff_at, cal)
    moved = apply_holiday_rule(cutoff_day, cal.holiday_rule)
    if latest_cutoff_day is not None and moved > latest_cutoff_day:
        moved = cutoff_day  # never let a cut-off overtake the next period's
    cutoff = _at(moved, cutoff_at, cal)
    delivery = _at(apply_holiday_rule(delivery_day, cal.holiday_rule), delivery_at, cal)
    if delivery <= cutoff:
        delivery = _at(_next_working_day_after(cutoff.date()), delivery_at, cal)
    return cutoff, delivery, nominal


# --- weekly -----------------------------------------------------------------------------------

_WEEK = re.compile(r"^(\d{4})\s*-?\s*w\s*(\d{1,2})$", re.IGNORECASE)
# "48", "W48", "tuần 48", "Tuần 48/2026", "48/2026", "tuần 48 năm 2026"
_WEEK_VI = re.compile(
    r"^(?:tuần\s*)?(?:w\s*)?(\d{1,2})(?:\s*(?:[/\-]|năm)\s*(\d{4}))?$", re.IGNORECASE
)
#: How the officer may write a week (the CLI's help and error messages say the same).
WEEK_FORMS = "48, tuần 48, 48/2026 hoặc 2026-W48"


def _week_cutoff_day(cal: Calendar, year: int, week: int) -> date:
    return date.fromisocalendar(year, week, cal.weekly_cutoff.weekday + 1)


def _week_of(day: date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso[0], iso[1]


def _weekly_cutoff(cal: Calendar, year: int, week: int) -> tuple[datetime, datetime, datetime]:
    day = _week_cutoff_day(cal, year, week)
    nominal = _at(day, cal.weekly_cutoff.at, cal)
    delivery_day = date.fromisocalendar(year, week, cal.weekly_delivery.weekday + 1)
    if _at(delivery_day, cal.weekly_delivery.at, cal) <= nominal:
        delivery_day += timedelta(days=7)
    return _cutoff_and_delivery(
        cal, day, cal.weekly_cutoff.at, delivery_day, cal.weekly_delivery.at,
        latest_cutoff_day=day + timedelta(days=6),
    )  # fmt: skip


def weekly_period(cal: Calendar, year: int, week: int) -> Period:
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise PeriodError(
            f"Năm {year} không có tuần {week} (tuần ISO từ 1 đến 52 hoặc 53)."
        ) from None
    cutoff, delivery, nominal = _weekly_cutoff(cal, year, week)
    prev_y, prev_w = _week_of(date.fromisocalendar(year, week, 1) - timedelta(days=7))
    start = _weekly_cutoff(cal, prev_y, prev_w)[0]
    return Period(
        kind=WEEKLY,
        key=f"{year}-W{week:02d}",
        label=f"Tuần {week:02d}/{year}",
        start=start,
        cutoff=cutoff,
        delivery=delivery,
        nominal_cutoff=nominal,
    )


def parse_week(cal: Calendar, text: str, year: int | None = None) -> Period:
    """'2026-W22', '2026W22', 'Tuần 22/2026', '22/2026', 'tuần 22', 'W22', '22' -> the
    weekly period. Written without a year, the week is of ``year`` (callers pass the ISO
    year of today, so that "tuần 53" typed on 2 January is still last year's week 53);
    with no ``year`` either, the text is refused."""
    raw = " ".join(nfc(text).split())
    m = _WEEK.match(raw)
    if m:
        found, week = int(m[1]), int(m[2])
    else:
        m = _WEEK_VI.match(raw)
        if not m:
            raise PeriodError(
                f"Không hiểu tuần “{text}”. Ghi số tuần ISO (1–53), ví dụ {WEEK_FORMS}."
            )
        week = int(m[1])
        if m[2] is None and year is None:
            this = date.today().year
            raise PeriodError(
                f"Tuần “{text}” không ghi năm. Ghi kèm năm, ví dụ {week}/{this} hoặc "
                f"{this}-W{week:02d}."
            )
        found = int(m[2]) if m[2] else year or 0
    _check_year(found)
    return weekly_period(cal, found, week)


def iso_year(moment: datetime) -> int:
    """The ISO year of ``moment``'s day: the year of a week written without one."""
    return moment.date().isocalendar()[0]


def weekly_containing(cal: Calendar, moment: datetime) -> Period:
    """The weekly period whose window (start, cutoff] contains ``moment``."""
    moment = localize(cal, moment)
    year, week = _week_of(moment.date())
    period = weekly_period(cal, year, week)
    while moment <= period.start:
        period = _shift_week(cal, period, -1)
    while moment > period.cutoff:
        period = _shift_week(cal, period, 1)
    return period


def _shift_week(cal: Calendar, period: Period, weeks: int) -> Period:
    year, week = (int(p) for p in period.key.split("-W"))
    day = date.fromisocalendar(year, week, 1) + timedelta(days=7 * weeks)
    return weekly_period(cal, *_week_of(day))


def current_weekly(cal: Calendar, now: datetime) -> Period:
    """The week whose cut-off is the latest one at or before ``now``."""
    period = weekly_containing(cal, now)
    return period if period.cutoff <= localize(cal, now) else _shift_week(cal, period, -1)


def collecting_weekly(cal: Calendar, now: datetime) -> Period:
    """The first week whose delivery is still ahead of ``now``."""
    period = current_weekly(cal, now)
    return period if period.delivery > localize(cal, now) else _shift_week(cal, period, 1)


def previous_period(cal: Calendar, period: Period) -> Period:
    if period.kind == WEEKLY:
        return _shift_week(cal, period, -1)
    if period.kind == TWICE_MONTHLY:
        return _shift_twice(cal, period, -1)
    raise ValueError(f"no previous period for a {period.kind} period")  # a caller's bug


def next_period(cal: Calendar, period: Period) -> Period:
    if period.kind == WEEKLY:
        return _shift_week(cal, period, 1)
    if period.kind == TWICE_MONTHLY:
        return _shift_twice(cal, period, 1)
    raise ValueError(f"no next period for a {period.kind} period")  # a caller's bug


# --- twice monthly ----------------------------------------------------------------------------

_TWICE = re.compile(r"^(\d{4})\s*-\s*(\d{1,2})\s*/\s*(\d)$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_VN_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _delivery_day_for(cal: Calendar, index: int, cutoff_day: int) -> int:
    days = cal.twice_monthly_delivery_days
    if index < len(days) and days[index] >= cutoff_day:
        return days[index]
    later = [d for d in days if d >= cutoff_day]
    return later[0] if later else cutoff_day + 2


def _twice_cutoff(
    cal: Calendar, year: int, month: int, n: int
) -> tuple[datetime, datetime, datetime]:
    days = cal.twice_monthly_cutoff_days
    cutoff_day = days[n - 1]
    delivery_day = _delivery_day_for(cal, n - 1, cutoff_day)
    last = _calendar.monthrange(year, month)[1]
    delivery_date = (
        date(year, month, delivery_day)
        if delivery_day <= last
        else date(year, month, last) + timedelta(days=delivery_day - last)
    )
    next_y, next_m, next_n = _twice_step(cal, year, month, n, 1)
    return _cutoff_and_delivery(
        cal, date(year, month, cutoff_day), cal.twice_monthly_cutoff_time,
        delivery_date, cal.twice_monthly_delivery_time,
        latest_cutoff_day=date(next_y, next_m, days[next_n - 1]) - timedelta(days=1),
    )  # fmt: skip


def _twice_step(cal: Calendar, year: int, month: int, n: int, step: int) -> tuple[int, int, int]:
    count = len(cal.twice_monthly_cutoff_days)
    index = (year * 12 + month - 1) * count + (n - 1) + step
    months, n0 = divmod(index, count)
    y, m0 = divmod(months, 12)
    return y, m0 + 1, n0 + 1


def twice_monthly_period(cal: Calendar, year: int, month: int, n: int) -> Period:
    count = len(cal.twice_monthly_cutoff_days)
    if not 1 <= month <= 12:
        raise PeriodError(f"Tháng {month} không tồn tại.")
    if not 1 <= n <= count:
        raise PeriodError(
            f"Kỳ {n} không có: mỗi tháng có {count} kỳ (ngày "
            f"{', '.join(f'{d:02d}' for d in cal.twice_monthly_cutoff_days)}); ghi /1 đến /{count}."
        )
    cutoff, delivery, nominal = _twice_cutoff(cal, year, month, n)
    start = _twice_cutoff(cal, *_twice_step(cal, year, month, n, -1))[0]
    day = cal.twice_monthly_cutoff_days[n - 1]
    return Period(
        kind=TWICE_MONTHLY,
        key=f"{year}-{month:02d}/{n}",
        label=f"Kỳ ngày {day:02d}/{month:02d}/{year}",
        start=start,
        cutoff=cutoff,
        delivery=delivery,
        nominal_cutoff=nominal,
    )


def _shift_twice(cal: Calendar, period: Period, step: int) -> Period:
    ym, n = period.key.split("/")
    year, month = (int(p) for p in ym.split("-"))
    return twice_monthly_period(cal, *_twice_step(cal, year, month, int(n), step))


def parse_twice_monthly(cal: Calendar, text: str) -> Period:
    """'2026-06/1' (or the cut-off date '2026-06-05' / '05/06/2026') -> the period."""
    raw = text.strip()
    m = _TWICE.match(raw)
    if m:
        year, month, n = int(m[1]), int(m[2]), int(m[3])
        _check_year(year)
        return twice_monthly_period(cal, year, month, n)
    m = _ISO_DAY.match(raw)
    parts = (int(m[1]), int(m[2]), int(m[3])) if m else None
    if parts is None:
        m = _VN_DAY.match(raw)
        parts = (int(m[3]), int(m[2]), int(m[1])) if m else None
    if parts is not None:
        year, month, day = parts
        _check_year(year)
        if day in cal.twice_monthly_cutoff_days:
            n = cal.twice_monthly_cutoff_days.index(day) + 1
            return twice_monthly_period(cal, year, month, n)
        raise PeriodError(
            f"Ngày {day:02d}/{month:02d}/{year} không phải ngày chốt báo cáo dự án (ngày "
            f"{', '.join(f'{d:02d}' for d in cal.twice_monthly_cutoff_days)} hằng tháng)."
        )
    raise PeriodError(
        f"Không hiểu kỳ báo cáo dự án “{text}”. Ghi dạng 2026-06/1 (kỳ ngày "
        f"{cal.twice_monthly_cutoff_days[0]:02d}) hoặc 2026-06/2 (kỳ ngày "
        f"{cal.twice_monthly_cutoff_days[-1]:02d})."
    )


def twice_monthly_containing(cal: Calendar, moment: datetime) -> Period:
    moment = localize(cal, moment)
    period = twice_monthly_period(cal, moment.year, moment.month, 1)
    while moment <= period.start:
        period = _shift_twice(cal, period, -1)
    while moment > period.cutoff:
        period = _shift_twice(cal, period, 1)
    return period


def current_twice_monthly(cal: Calendar, now: datetime) -> Period:
    """The twice-monthly period whose cut-off is the latest one at or before ``now``."""
    period = twice_monthly_containing(cal, now)
    return period if period.cutoff <= localize(cal, now) else _shift_twice(cal, period, -1)


def collecting_twice_monthly(cal: Calendar, now: datetime) -> Period:
    period = current_twice_monthly(cal, now)
    return period if period.delivery > localize(cal, now) else _shift_twice(cal, period, 1)


# --- month and quarter ------------------------------------------------------------------------

_MONTH_KEY = re.compile(r"^(\d{4})\s*-\s*(\d{1,2})$")
_MONTH_VN = re.compile(r"^(?:tháng|t)?\s*(\d{1,2})\s*[/\-]\s*(\d{4})$", re.IGNORECASE)
_QUARTER_KEY = re.compile(r"^(\d{4})\s*-?\s*[Qq]\s*([1-4])$")
_QUARTER_VN = re.compile(r"^(?:quý|q)\s*(iv|iii|ii|i|[1-4])\s*[/\-]\s*(\d{4})$", re.IGNORECASE)


def _span(cal: Calendar, first: date, last: date) -> tuple[datetime, datetime]:
    return _at(first, time(0, 0), cal), _at(last, time(23, 59, 59), cal)


def month_period(cal: Calendar, year: int, month: int) -> Period:
    if not 1 <= month <= 12:
        raise PeriodError(f"Tháng {month} không tồn tại (ghi từ 1 đến 12).")
    first = date(year, month, 1)
    last = date(year, month, _calendar.monthrange(year, month)[1])
    start, end = _span(cal, first, last)
    return Period(MONTH, f"{year}-{month:02d}", f"Tháng {month}/{year}", start, end, end, end)


def quarter_period(cal: Calendar, year: int, quarter: int) -> Period:
    if not 1 <= quarter <= 4:
        raise PeriodError(f"Quý {quarter} không tồn tại (từ I đến IV).")
    first = date(year, quarter * 3 - 2, 1)
    last = date(year, quarter * 3, _calendar.monthrange(year, quarter * 3)[1])
    start, end = _span(cal, first, last)
    return Period(
        QUARTER, f"{year}-Q{quarter}", f"Quý {ROMAN_OF[quarter]}/{year}", start, end, end, end
    )


def parse_month(cal: Calendar, text: str) -> Period:
    """'2026-06' (also '6/2026', 'Tháng 6/2026') -> the month."""
    raw = text.strip()
    m = _MONTH_KEY.match(raw)
    if m:
        year, month = int(m[1]), int(m[2])
    else:
        m = _MONTH_VN.match(raw)
        if not m:
            raise PeriodError(f"Không hiểu tháng “{text}”. Ghi dạng 2026-06 (năm-tháng).")
        month, year = int(m[1]), int(m[2])
    _check_year(year)
    return month_period(cal, year, month)


def parse_quarter(cal: Calendar, text: str) -> Period:
    """'2026-Q3' (also 'Q3/2026', 'Quý III/2026') -> the quarter."""
    raw = text.strip()
    m = _QUARTER_KEY.match(raw)
    if m:
        year, quarter = int(m[1]), int(m[2])
    else:
        m = _QUARTER_VN.match(raw)
        if not m:
            raise PeriodError(f"Không hiểu quý “{text}”. Ghi dạng 2026-Q3 (năm, chữ Q, quý 1–4).")
        token = m[1].upper()
        quarter = ROMAN[token] if token in ROMAN else int(token)
        year = int(m[2])
    _check_year(year)
    return quarter_period(cal, year, quarter)


def current_month(cal: Calendar, now: datetime) -> Period:
    local = localize(cal, now)
    return month_period(cal, local.year, local.month)


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise PeriodError(f"Năm {year} không hợp lệ (từ 2000 đến 2100).")


def localize(cal: Calendar, moment: datetime) -> datetime:
    """A naive moment is local time in the configured zone; an aware one is converted."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=cal.tz)
    return moment.astimezone(cal.tz)


def parse_period(cal: Calendar, kind: str, text: str) -> Period:
    parsers = {
        WEEKLY: parse_week,
        TWICE_MONTHLY: parse_twice_monthly,
        MONTH: parse_month,
        QUARTER: parse_quarter,
    }
    if kind not in parsers:
        raise PeriodError(f"Loại kỳ “{kind}” không có; chọn một trong: {', '.join(PERIOD_KINDS)}.")
    return parsers[kind](cal, text)
