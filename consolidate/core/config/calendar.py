"""The ``[calendar]`` section: cut-offs, deliveries, the holiday rule and the weekday names.

No default is written here: a key the workspace leaves out takes its value from
``consolidate/data/default_config.toml``, the one place the calendar's defaults live. The
periods built from this calendar are in :mod:`consolidate.calendar.periods`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from consolidate.core.config.checks import bad, choice, default_table, typed
from consolidate.core.text import nfc

HOLIDAY_RULES = ("keep", "next_workday", "previous_workday")

#: The one list of weekday names (Monday = 0); configuration accepts either language.
WEEKDAY_NAMES_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
WEEKDAY_NAMES_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS = {
    nfc(name).casefold(): day
    for names in (WEEKDAY_NAMES_EN, WEEKDAY_NAMES_VI)
    for day, name in enumerate(names)
}


def weekday_in_sentence(day: int) -> str:
    """'thứ Năm', 'Chủ nhật': the name as it stands inside a Vietnamese sentence."""
    name = WEEKDAY_NAMES_VI[day]
    return "t" + name[1:] if name.startswith("Thứ") else name


@dataclass(frozen=True)
class WeekdayTime:
    weekday: int  # Monday = 0
    at: time

    def label(self) -> str:
        return f"{self.at:%H:%M} {WEEKDAY_NAMES_VI[self.weekday]}"


@dataclass(frozen=True)
class Calendar:
    """Cut-offs, deliveries and the holiday rule. No defaults here: every default of the
    calendar lives only in ``consolidate/data/default_config.toml`` (:func:`default_calendar`)."""

    timezone: str
    weekly_cutoff: WeekdayTime
    weekly_delivery: WeekdayTime
    twice_monthly_cutoff_days: tuple[int, ...]
    twice_monthly_cutoff_time: time
    twice_monthly_delivery_days: tuple[int, ...]
    twice_monthly_delivery_time: time
    due_soon_days: int
    holiday_rule: str
    # Deadline "kỳ họp thường lệ giữa/cuối năm": the month of the People's Council session.
    mid_year_session_month: int
    year_end_session_month: int

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def parse_calendar(cal: dict[str, Any]) -> Calendar:
    """The ``[calendar]`` table of a workspace; a missing key takes its value from
    ``default_config.toml``, the one place the calendar's defaults are written."""
    default = default_table("calendar")

    def text(key: str) -> str:
        return str(typed(cal, "calendar", key, default[key], str))

    tz_name = text("timezone")
    try:
        ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise bad(
            "calendar.timezone",
            f"không biết múi giờ '{tz_name}'",
            f'Ghi tên múi giờ IANA, ví dụ timezone = "{default["timezone"]}".',
        ) from None
    due_soon = typed(cal, "calendar", "due_soon_days", default["due_soon_days"], int)
    if not 0 <= due_soon <= 90:
        raise bad(
            "calendar.due_soon_days",
            f"{due_soon} ngoài khoảng 0–90",
            f"Ghi số ngày từ 0 đến 90, ví dụ {default['due_soon_days']}.",
        )
    return Calendar(
        timezone=tz_name,
        weekly_cutoff=parse_weekday_time("calendar.weekly_cutoff", text("weekly_cutoff")),
        weekly_delivery=parse_weekday_time("calendar.weekly_delivery", text("weekly_delivery")),
        twice_monthly_cutoff_days=_parse_days(
            "calendar.twice_monthly_cutoff_days",
            cal.get("twice_monthly_cutoff_days", default["twice_monthly_cutoff_days"]),
        ),
        twice_monthly_cutoff_time=parse_time(
            "calendar.twice_monthly_cutoff_time", text("twice_monthly_cutoff_time")
        ),
        twice_monthly_delivery_days=_parse_days(
            "calendar.twice_monthly_delivery_days",
            cal.get("twice_monthly_delivery_days", default["twice_monthly_delivery_days"]),
        ),
        twice_monthly_delivery_time=parse_time(
            "calendar.twice_monthly_delivery_time", text("twice_monthly_delivery_time")
        ),
        due_soon_days=due_soon,
        holiday_rule=choice(
            "calendar.holiday_rule", cal.get("holiday_rule", default["holiday_rule"]), HOLIDAY_RULES
        ),
        mid_year_session_month=_month(cal, "mid_year_session_month", default),
        year_end_session_month=_month(cal, "year_end_session_month", default),
    )


def default_calendar() -> Calendar:
    """The calendar of ``default_config.toml``."""
    return parse_calendar({})


def _example(key: str) -> str:
    """The default of ``section.key`` as written in ``default_config.toml``."""
    section, _, name = key.rpartition(".")
    try:
        value = default_table(section)[name]
    except KeyError:
        return '"17:00"'
    return f'"{value}"' if isinstance(value, str) else str(value)


def parse_time(key: str, text: str) -> time:
    """A time of day: 'HH:MM' or 'HHhMM'."""
    m = re.fullmatch(r"(\d{1,2})[:h](\d{2})", text.strip())
    if not m or not (0 <= int(m[1]) <= 23 and 0 <= int(m[2]) <= 59):
        raise bad(
            key, f"'{text}' không phải giờ hợp lệ", f"Ghi giờ dạng HH:MM, ví dụ {_example(key)}."
        )
    return time(int(m[1]), int(m[2]))


def parse_weekday_time(key: str, text: str) -> WeekdayTime:
    """A weekday and a time: 'friday 10:00' or 'thứ sáu 10:00'."""
    parts = nfc(text).casefold().rsplit(" ", 1)
    day = WEEKDAYS.get(parts[0]) if len(parts) == 2 else None
    if day is None:
        raise bad(
            key,
            f"'{text}' không rõ thứ và giờ",
            f"Ghi thứ (tiếng Anh hoặc tiếng Việt, ví dụ thứ năm) rồi giờ, ví dụ {_example(key)}.",
        )
    return WeekdayTime(day, parse_time(key, parts[1]))


def _parse_days(key: str, value: Any) -> tuple[int, ...]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 28 for d in value)
    ):
        raise bad(
            key,
            f"{value!r} không phải danh sách ngày",
            f"Ghi dạng {_example(key)}; mỗi ngày từ 1 đến 28.",
        )
    return tuple(sorted(value))


def _month(cal: dict[str, Any], key: str, defaults: dict[str, Any]) -> int:
    default = int(defaults[key])
    month = typed(cal, "calendar", key, default, int)
    if not 1 <= month <= 12:
        raise bad(
            f"calendar.{key}", f"{month} không phải tháng", f"Ghi số từ 1 đến 12, ví dụ {default}."
        )
    return int(month)
