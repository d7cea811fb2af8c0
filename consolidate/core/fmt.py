"""Numbers, dates and moments written the Vietnamese way: the one place for it.

Every sentence the product writes (workbooks, summaries, documents) formats its figures
through these functions, so a change of convention is a change here.
"""

from __future__ import annotations

from datetime import date, datetime


def fmt_num(value: float, decimals: int = 1) -> str:
    """Vietnamese number: '.' groups thousands, ',' is the decimal mark."""
    text = f"{value:,.{decimals}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if decimals and text.endswith("," + "0" * decimals):
        text = text[: -(decimals + 1)]
    return text


def fmt_pct(value: float) -> str:
    return f"{fmt_num(value)}%"


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
