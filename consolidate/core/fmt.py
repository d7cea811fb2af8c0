"""Numbers, dates and moments written the Vietnamese way: the one place for it.

Every sentence the product writes (workbooks, summaries, documents) formats its figures
through these functions, so a change of convention is a change here.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

#: Between a number and its unit sign ("81,4 %"): a space that never breaks a line.
NBSP = "\u00a0"


def fmt_num(value: float, decimals: int = 1) -> str:
    """Vietnamese number: '.' groups thousands, ',' is the decimal mark; rounded to
    ``decimals`` places without trailing zeros: 78.000, 141.250, 81,4, 38,22, 100. Halves
    round away from zero, as a spreadsheet shows the same number."""
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    text = f"{exact:,.{decimals}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if decimals:
        text = text.rstrip("0").rstrip(",")
    return "0" if text in ("-0", "") else text


def fmt_pct(value: float) -> str:
    """'81,4 %' (a space that does not break before the sign, as the province writes it)."""
    return f"{fmt_num(value)}{NBSP}%"


def fmt_money(value: float) -> str:
    """An amount in triệu đồng as the reports give it: whole millions, '141.250'."""
    return fmt_num(value, 0)


def fmt_date(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def fmt_dt(moment: datetime) -> str:
    """'17:00 ngày 28/05/2026' — the way official letters write a moment."""
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}"


def date_line(day: date, place: str) -> str:
    """'Đắk Lắk, ngày 05 tháng 6 năm 2026': the dateline of an official document. Days below
    10 and the months 1 and 2 take a leading 0 (Decree 30/2020/NĐ-CP)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"
