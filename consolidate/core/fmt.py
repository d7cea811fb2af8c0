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


def date_line(day: date, place: str = "Đắk Lắk") -> str:
    """'Đắk Lắk, ngày 29 tháng 5 năm 2026' (the dateline of an official document)."""
    return f"{place}, ngày {day.day:02d} tháng {day.month} năm {day.year}"
