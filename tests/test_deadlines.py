"""The deadline grammar: examples from the letters, and properties (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consolidate.calendar.deadlines import (
    DATE,
    MONTH,
    QUARTER,
    RECURRING,
    YEAR,
    Deadline,
    DeadlineError,
    parse_deadline,
)
from consolidate.core.config import Config
from consolidate.intake.ingest import ingest_paths
from tests.builders import cover, submission, task_row


@pytest.mark.parametrize(
    ("text", "kind", "end"),
    [
        ("30/06/2026", DATE, date(2026, 6, 30)),
        ("5/6/2026", DATE, date(2026, 6, 5)),
        ("trước ngày 15/6/2026", DATE, date(2026, 6, 15)),
        ("Trước ngày 25/5/2026", DATE, date(2026, 5, 25)),
        ("chậm nhất trong ngày 01/6/2026", DATE, date(2026, 6, 1)),
        ("hoàn thành trước 31/12/2025", DATE, date(2025, 12, 31)),
        ("Tháng 7/2026", MONTH, date(2026, 7, 31)),
        ("trong tháng 7/2026", MONTH, date(2026, 7, 31)),
        ("tháng 02/2028", MONTH, date(2028, 2, 29)),
        ("Quý III/2026", QUARTER, date(2026, 9, 30)),
        ("quý I/2026", QUARTER, date(2026, 3, 31)),
        ("Quý 4/2026", QUARTER, date(2026, 12, 31)),
        ("Năm 2026", YEAR, date(2026, 12, 31)),
        ("trong năm 2026", YEAR, date(2026, 12, 31)),
        ("Thường xuyên", RECURRING, None),
        ("  thường   xuyên ", RECURRING, None),
        ("2026-06-30", DATE, date(2026, 6, 30)),
    ],
)
def test_examples_from_the_letters(text: str, kind: str, end: date | None) -> None:
    assert parse_deadline(text) == Deadline(kind, end)


def test_real_dates_and_serials() -> None:
    assert parse_deadline(datetime(2026, 6, 30, 0, 0)) == Deadline(DATE, date(2026, 6, 30))
    assert parse_deadline(date(2026, 6, 30)) == Deadline(DATE, date(2026, 6, 30))
    assert parse_deadline(46203) == Deadline(DATE, date(2026, 6, 30))
    assert parse_deadline(2026) == Deadline(YEAR, date(2026, 12, 31))


@pytest.mark.parametrize(
    "text", ["sớm", "", "31/02/2026", "Quý V/2026", "Tháng 13/2026", "ngay", "12/2026/01"]
)
def test_anything_else_is_a_clear_vietnamese_error(text: str) -> None:
    with pytest.raises(DeadlineError) as err:
        parse_deadline(text)
    assert any(
        word in str(err.value)
        for word in ("Không hiểu", "không tồn tại", "để trống", "không hợp lệ")
    )


kinds = st.sampled_from([DATE, MONTH, QUARTER, YEAR])


@st.composite
def deadlines(draw: st.DrawFn) -> Deadline:
    if draw(st.booleans()) and draw(st.booleans()):
        return Deadline(RECURRING, None)
    day = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
    kind = draw(kinds)
    return parse_deadline(
        {
            DATE: day.strftime("%d/%m/%Y"),
            MONTH: f"Tháng {day.month}/{day.year}",
            QUARTER: f"Quý {['I', 'II', 'III', 'IV'][(day.month - 1) // 3]}/{day.year}",
            YEAR: f"Năm {day.year}",
        }[kind]
    )


@given(deadlines())
def test_canonical_text_round_trips(dl: Deadline) -> None:
    assert parse_deadline(dl.text()) == dl


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(["trước ngày ", "", "hạn "]),
)
def test_any_date_text_parses_to_that_day(day: date, prefix: str) -> None:
    assert parse_deadline(f"{prefix}{day.day}/{day.month}/{day.year}") == Deadline(DATE, day)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_period_ends_contain_the_day(day: date) -> None:
    month = parse_deadline(f"Tháng {day.month}/{day.year}").end
    quarter = parse_deadline(f"Quý {(day.month - 1) // 3 + 1}/{day.year}").end
    year = parse_deadline(f"Năm {day.year}").end
    assert month is not None and quarter is not None and year is not None
    assert day <= month <= quarter <= year
    assert month.month == day.month and year == date(day.year, 12, 31)


@given(st.text(max_size=30))
def test_never_crashes_with_anything_but_deadline_error(text: str) -> None:
    try:
        parse_deadline(text)
    except DeadlineError:
        pass


@pytest.mark.parametrize(
    ("text", "kind", "end"),
    [
        ("hằng tuần", RECURRING, None),
        ("Hàng tuần", RECURRING, None),
        ("02 lần/tháng", RECURRING, None),
        ("định kỳ 2 lần / tháng", RECURRING, None),
        ("giai đoạn 2026 - 2030", YEAR, date(2030, 12, 31)),
        ("Giai đoạn 2026–2030", YEAR, date(2030, 12, 31)),
        ("trong tháng 5, tháng 6/2026", MONTH, date(2026, 6, 30)),
        ("tháng 5, tháng 6", MONTH, date(2026, 6, 30)),
        ("trước 30/6", DATE, date(2026, 6, 30)),
        ("trước ngày 30/5", DATE, date(2026, 5, 30)),
        ("trong tháng 7", MONTH, date(2026, 7, 31)),
        ("trong kỳ họp thường lệ giữa năm 2026", MONTH, date(2026, 7, 31)),
        ("Trình HĐND tỉnh trong kỳ họp thường lệ cuối năm 2026", MONTH, date(2026, 12, 31)),
    ],
)
def test_deadlines_as_the_province_writes_them(text: str, kind: str, end: date | None) -> None:
    """Defect 17: these rejected the whole file."""
    assert parse_deadline(text, year=2026) == Deadline(kind, end)


def test_session_rule_is_configurable() -> None:
    from consolidate.calendar.deadlines import SessionRule

    rule = SessionRule(mid_year_month=6, year_end_month=11)
    assert parse_deadline("kỳ họp thường lệ giữa năm 2026", sessions=rule).end == date(2026, 6, 30)
    assert parse_deadline("kỳ họp thường lệ cuối năm 2026", sessions=rule).end == date(2026, 11, 30)


@pytest.mark.parametrize(
    "text",
    ["trước 30/6", "tháng 5, tháng 6", "tháng 5 hoặc tháng 6/2026", "sớm", "giai đoạn 2030 - 2026"],
)
def test_truly_ambiguous_deadlines_are_still_refused_with_examples(text: str) -> None:
    with pytest.raises(DeadlineError) as err:
        parse_deadline(text)  # no year of the period known
    assert "ví dụ" in str(err.value).casefold() or "trước năm bắt đầu" in str(err.value)


def _stored_deadlines(config: Config) -> list[tuple[str, str, str]]:
    from consolidate.store.db import Store

    with Store(config.store, config.archive) as store:
        rows = store.db.execute(
            "SELECT deadline, deadline_kind, deadline_end FROM tasks ORDER BY row"
        )
        return [tuple(r) for r in rows]


@pytest.mark.parametrize("year", [2025, 2026])
def test_a_deadline_without_a_year_takes_the_year_of_the_report_through_ingest(
    workspace: Config, tmp_path: Path, year: int
) -> None:
    """Defect 17, the rest: "trước 30/6" and "tháng 5, tháng 6" in a real submission were
    refused (the reader passed no year); now they fall in the year of the report's period,
    that of its report date — not the clock's year — and the session months come from
    ``[calendar]``."""
    config = replace(
        workspace,
        calendar=replace(workspace.calendar, mid_year_session_month=6, year_end_session_month=11),
    )
    tasks = [
        task_row(1, deadline="trước 30/6"),
        task_row(2, deadline="tháng 5, tháng 6"),
        task_row(3, deadline="Trình HĐND tỉnh trong kỳ họp thường lệ giữa năm 2026"),
        task_row(4, deadline="trong kỳ họp thường lệ cuối năm 2026"),
    ]
    path = submission(
        config, tmp_path / "a.xlsx", cover_data=cover(as_of=date(year, 6, 4)), tasks=tasks
    )
    received = datetime(year, 6, 4, 16, 30, tzinfo=config.calendar.tz)
    (report,) = ingest_paths(config, [path], received_at=received).reports
    assert not [f for f in report.findings if f.code == "bad-deadline"], report.findings
    assert report.verdict == "accepted"
    assert _stored_deadlines(config) == [
        (f"30/06/{year}", DATE, f"{year}-06-30"),
        (f"Tháng 6/{year}", MONTH, f"{year}-06-30"),
        ("Tháng 6/2026", MONTH, "2026-06-30"),
        ("Tháng 11/2026", MONTH, "2026-11-30"),
    ]


def test_a_deadline_with_no_year_and_no_report_date_takes_the_arrival_year(
    workspace: Config, tmp_path: Path
) -> None:
    """No report date (an error of its own): the deadline does not add a second error."""
    path = submission(
        workspace,
        tmp_path / "a.xlsx",
        cover_data=cover(as_of=None),
        tasks=[task_row(1, deadline="trước 30/6")],
    )
    received = datetime(2026, 6, 4, 16, 30, tzinfo=workspace.calendar.tz)
    (report,) = ingest_paths(workspace, [path], received_at=received).reports
    assert [f.code for f in report.errors] == ["required-missing"]
