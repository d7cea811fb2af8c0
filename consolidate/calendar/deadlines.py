"""The deadline grammar, one function used everywhere.

Deadlines in Vietnamese plans are not always dates: "trước ngày 15/6/2026",
"trong tháng 7/2026", "Quý III/2026", "Năm 2026", "Thường xuyên". :func:`parse_deadline`
turns each into a :class:`Deadline` with an end date (or ``recurring``), and raises
:class:`DeadlineError` with a Vietnamese message for anything else.

Decision: "trước ngày X" / "chậm nhất ngày X" count X itself as the deadline day — the
office's letters use "hoàn thành trước 31/12/2025" for tasks due by the end of the year.

The letters also write (and these are read, not refused):
- "hằng tuần", "02 lần/tháng", "định kỳ hằng quý": recurring;
- "giai đoạn 2026 - 2030": the end of the period's last year (31/12/2030);
- "tháng 5, tháng 6" or "trong tháng 5, tháng 6/2026": the last month named;
- "trước 30/6", "tháng 7" (no year): the year of the report's period, passed as ``year``
  (intake passes the year of the submission's report date, or of its arrival when the date
  is missing; the task register has no period and passes none: there, and wherever no
  year is known, the text is refused: the year is really unknown);
- "trong kỳ họp thường lệ giữa năm 2026" / "... cuối năm 2026": the end of the month in which
  the provincial People's Council holds that session, configurable in ``[calendar]``
  (``mid_year_session_month = 7``, ``year_end_session_month = 12``: the HĐND holds its
  mid-year session in July and its year-end session in December).
Truly ambiguous text ("sớm", "tháng 5 hoặc tháng 6", "quý 3" with no year known) is refused
with the examples.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from consolidate.core.errors import DeadlineError
from consolidate.core.text import nfc

DATE = "date"
MONTH = "month"
QUARTER = "quarter"
HALF = "half"
YEAR = "year"
RECURRING = "recurring"

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
ROMAN_OF = {v: k for k, v in ROMAN.items()}
EXCEL_EPOCH = date(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 2000, 2100

EXAMPLES = (
    "30/06/2026, trước ngày 15/6/2026, Tháng 7/2026, Quý III/2026, Năm 2026, "
    "giai đoạn 2026 - 2030, Thường xuyên, Hằng tuần"
)


@dataclass(frozen=True)
class SessionRule:
    """The month in which the provincial People's Council holds its regular sessions."""

    mid_year_month: int = 7
    year_end_month: int = 12


DEFAULT_SESSIONS = SessionRule()


@dataclass(frozen=True, order=True)
class Deadline:
    kind: str
    end: date | None  # None only for RECURRING

    @property
    def recurring(self) -> bool:
        return self.kind == RECURRING

    def text(self) -> str:
        """Canonical Vietnamese text; parsing it gives back the same Deadline."""
        return format_deadline(self)


def format_deadline(dl: Deadline) -> str:
    if dl.kind == RECURRING or dl.end is None:
        return "Thường xuyên"
    end = dl.end
    if dl.kind == MONTH:
        return f"Tháng {end.month}/{end.year}"
    if dl.kind == QUARTER:
        return f"Quý {ROMAN_OF[(end.month - 1) // 3 + 1]}/{end.year}"
    if dl.kind == HALF:
        return f"6 tháng {'đầu' if end.month == 6 else 'cuối'} năm {end.year}"
    if dl.kind == YEAR:
        return f"Năm {end.year}"
    return end.strftime("%d/%m/%Y")


def _year(text: str) -> int:
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DeadlineError(f"Năm {year} không hợp lệ (phải trong khoảng {MIN_YEAR}–{MAX_YEAR}).")
    return year


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _make_date(day: str, month: str, year: str) -> date:
    y = _year(year)
    try:
        return date(y, int(month), int(day))
    except ValueError:
        raise DeadlineError(f"Ngày {day}/{month}/{year} không tồn tại.") from None


def excel_serial_to_date(serial: float) -> date:
    """Excel's 1900 date system (serial 1 = 1900-01-01, with its leap-year quirk)."""
    return EXCEL_EPOCH + timedelta(days=int(serial))


_PREFIX = re.compile(
    r"^(?:(?:hoàn thành|hoàn thiện)\s+)?(?:chậm nhất\s+)?(?:trước|trong|đến|vào|"
    r"hạn|tới|cuối|đầu)?\s*(?:ngày\s+)?",
)
_DATE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ t]\d{2}:\d{2}(?::\d{2})?)?$")
_MONTH = re.compile(r"^(?:trong\s+|cuối\s+|hết\s+)?(?:tháng|t)\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_MONTH_WORDS = re.compile(r"^(?:trong\s+|cuối\s+|hết\s+)?tháng\s*(\d{1,2})\s+năm\s+(\d{4})$")
_QUARTER = re.compile(
    r"^(?:trong\s+|cuối\s+|hết\s+)?(?:quý|q)\s*(iv|iii|ii|i|[1-4])\s*(?:[/.\-]|\s+năm\s+)\s*(\d{4})$"
)
_HALF = re.compile(r"^(?:trong\s+)?6\s*tháng\s*(đầu|cuối)\s*(?:năm)?\s*(\d{4})$")
_YEAR = re.compile(r"^(?:trong\s+|cuối\s+|hết\s+)?(?:năm\s*)?(\d{4})$")
_RECURRING = re.compile(
    r"^(thường xuyên|hằng năm|hàng năm|liên tục|định kỳ.*|hằng tháng|hàng tháng|"
    r"hằng tuần|hàng tuần|hằng quý|hàng quý|hằng ngày|hàng ngày|"
    r"(?:định kỳ\s+)?0?\d+\s*lần\s*/\s*(?:tuần|tháng|quý|năm))$"
)
_SPAN = re.compile(r"^(?:trong\s+)?giai đoạn\s*(\d{4})\s*[-–—]\s*(\d{4})$")
_MONTHS = re.compile(
    r"^(?:trong\s+|cuối\s+|hết\s+)?tháng\s*\d{1,2}(?:\s*(?:,|và)\s*(?:tháng\s*)?\d{1,2})+"
    r"(?:\s*(?:[/.\-]|\s+năm\s+)\s*(\d{4}))?$"
)
_LAST_MONTH = re.compile(r"(\d{1,2})\s*(?:(?:[/.\-]|\s+năm\s+)\s*\d{4})?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})$")
_MONTH_ONLY = re.compile(r"^(?:trong\s+|cuối\s+|hết\s+)?tháng\s*(\d{1,2})$")
_SESSION = re.compile(
    r"^(?:trình\s+hđnd tỉnh\s+)?(?:trong|tại|vào)?\s*kỳ họp\s+(?:thường lệ\s+)?"
    r"(giữa|cuối)\s+năm\s*(\d{4})$"
)


def _month_deadline(month: int, year: int) -> Deadline:
    if not 1 <= month <= 12:
        raise DeadlineError(f"Tháng {month} không tồn tại.")
    return Deadline(MONTH, _month_end(year, month))


def _no_year(text: str) -> DeadlineError:
    return DeadlineError(
        f"Thời hạn “{text}” không ghi năm và không biết kỳ báo cáo. Ghi kèm năm, ví dụ: {EXAMPLES}."
    )


def parse_deadline(
    value: object, year: int | None = None, sessions: SessionRule = DEFAULT_SESSIONS
) -> Deadline:
    """Understand a deadline cell. Raises DeadlineError (Vietnamese) if it cannot.

    ``year`` is the year of the report's period: a deadline written without one ("trước
    30/6", "tháng 5, tháng 6") falls in it. ``sessions`` says when the People's Council's
    regular sessions are held (see the module doc)."""
    if isinstance(value, datetime):
        return Deadline(DATE, value.date())
    if isinstance(value, date):
        return Deadline(DATE, value)
    if isinstance(value, bool):
        raise DeadlineError("Giá trị đúng/sai không phải thời hạn.")
    if isinstance(value, (int, float)):
        if 36526 <= value <= 73051:  # 2000-01-01 .. 2100-01-01 as Excel serials
            return Deadline(DATE, excel_serial_to_date(value))
        if MIN_YEAR <= value <= MAX_YEAR and float(value).is_integer():
            return Deadline(YEAR, date(int(value), 12, 31))
        raise DeadlineError(f"Số {value} không phải thời hạn hợp lệ. Ví dụ đúng: {EXAMPLES}.")
    if not isinstance(value, str):
        raise DeadlineError(f"Không hiểu thời hạn. Ví dụ đúng: {EXAMPLES}.")
    text = nfc(value).casefold().rstrip(".;,")
    if not text:
        raise DeadlineError("Thời hạn đang để trống.")
    if _RECURRING.match(text):
        return Deadline(RECURRING, None)
    m = _ISO.match(text)
    if m:
        return Deadline(DATE, _make_date(m[3], m[2], m[1]))
    m = _SPAN.match(text)
    if m:
        first, last = _year(m[1]), _year(m[2])
        if last < first:
            raise DeadlineError(f"Giai đoạn {first} - {last}: năm kết thúc trước năm bắt đầu.")
        return Deadline(YEAR, date(last, 12, 31))
    m = _SESSION.search(text)
    if m:
        month = sessions.mid_year_month if m[1] == "giữa" else sessions.year_end_month
        return _month_deadline(month, _year(m[2]))
    for candidate in (text, _PREFIX.sub("", text, count=1).strip()):
        m = _MONTHS.match(candidate)
        if m:  # "tháng 5, tháng 6[/2026]": the last month named
            named = _LAST_MONTH.search(candidate)
            assert named is not None
            if m[1] is None and year is None:
                raise _no_year(nfc(value))
            return _month_deadline(int(named[1]), _year(m[1]) if m[1] else year or 0)
        m = _DAY_MONTH.match(candidate)
        if m:
            if year is None:
                raise _no_year(nfc(value))
            return Deadline(DATE, _make_date(m[1], m[2], str(year)))
        m = _MONTH_ONLY.match(candidate)
        if m:
            if year is None:
                raise _no_year(nfc(value))
            return _month_deadline(int(m[1]), year)
        m = _DATE.match(candidate)
        if m:
            return Deadline(DATE, _make_date(*m.groups()))
        m = _MONTH.match(candidate) or _MONTH_WORDS.match(candidate)
        if m:
            month, year = int(m[1]), _year(m[2])
            if not 1 <= month <= 12:
                raise DeadlineError(f"Tháng {month} không tồn tại.")
            return Deadline(MONTH, _month_end(year, month))
        m = _QUARTER.match(candidate)
        if m:
            q = ROMAN[m[1].upper()] if m[1].upper() in ROMAN else int(m[1])
            return Deadline(QUARTER, _month_end(_year(m[2]), q * 3))
        m = _HALF.match(candidate)
        if m:
            year = _year(m[2])
            return Deadline(HALF, date(year, 6, 30) if m[1] == "đầu" else date(year, 12, 31))
        m = _YEAR.match(candidate)
        if m:
            return Deadline(YEAR, date(_year(m[1]), 12, 31))
    raise DeadlineError(f"Không hiểu thời hạn “{nfc(value)}”. Ví dụ đúng: {EXAMPLES}.")


def try_parse_deadline(value: object) -> Deadline | None:
    try:
        return parse_deadline(value)
    except DeadlineError:
        return None
