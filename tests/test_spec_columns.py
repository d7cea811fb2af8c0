"""The column spec drives everything: one more column in ``schemas`` appears in the template,
the reader, validation, the store, the feedback workbook and the detail sheets of the reports,
with no other edit. The spec objects the product reads are changed in place for one test."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl

from consolidate.build import build_plan, build_projects, build_weekly
from consolidate.core.config import Config
from consolidate.intake.ingest import ingest_paths
from consolidate.render.projects import detail_columns_of_projects
from consolidate.render.weekly import detail_columns_of_tasks
from consolidate.store.db import Store
from schemas import PROJECTS, SHEETS, TASKS, Column, Kind, SheetSpec
from schemas.reports import DERIVED
from tests.builders import cover, project_row, submission, task_row

CHANNEL = Column(
    "channel",
    "Kênh thực hiện",
    Kind.CHOICE,
    choices=("Trực tuyến", "Trực tiếp"),
    help="Chọn trong danh sách.",
    width=14,
)
DECISION = Column("funding_decision", "Quyết định giao vốn", help="Số, ngày quyết định.", width=20)


def _set_columns(spec: SheetSpec, columns: tuple[Column, ...]) -> None:
    # SheetSpec is frozen: the test changes the very objects every module holds.
    object.__setattr__(spec, "columns", columns)
    object.__setattr__(spec, "required_keys", tuple(c.key for c in columns if c.required))


def _with_after(spec: SheetSpec, anchor: str, col: Column) -> tuple[Column, ...]:
    i = spec.keys.index(anchor) + 1
    return (*spec.columns[:i], col, *spec.columns[i:])


@contextmanager
def extended_spec() -> Iterator[None]:
    """TASKS with ``channel`` after ``deliverable``; PROJECTS with ``funding_decision`` at the
    end. Restored after the test."""
    saved = [(spec, spec.columns) for spec in (TASKS, PROJECTS)]
    _set_columns(TASKS, _with_after(TASKS, "deliverable", CHANNEL))
    _set_columns(PROJECTS, (*PROJECTS.columns, DECISION))
    try:
        yield
    finally:
        for spec, columns in saved:
            _set_columns(spec, columns)


def _labels(ws: Any, row: int) -> list[Any]:
    return [c.value for c in ws[row]]


def _column_values(ws: Any, label: str) -> tuple[list[Any], list[Any]]:
    """The header row (found by label) and the values below it in that column."""
    for row in ws.iter_rows(max_row=6):
        for cell in row:
            if cell.value == label:
                values = [
                    ws.cell(r, cell.column).value for r in range(cell.row + 1, ws.max_row + 1)
                ]
                return _labels(ws, cell.row), [v for v in values if v is not None]
    raise AssertionError(f"no column {label!r} in {ws.title}")


def test_an_extra_column_flows_from_the_spec_to_every_report(workspace: Config) -> None:
    # A store made before the spec changed gains the new columns when next opened.
    Store(workspace.store, workspace.archive).close()
    with extended_spec():
        assert TASKS in SHEETS and PROJECTS in SHEETS  # the objects the product reads
        _extra_column_flow(workspace)


def _extra_column_flow(config: Config) -> None:
    tasks = [
        task_row(1, channel="Trực tuyến"),
        task_row(2, channel="Trực tiếp", officer=None),  # a 06 rõ warning: in the feedback copy
        task_row(3, deadline="Tháng 6/2026"),  # due soon, no channel
    ]
    projects = [
        project_row(1, funding_decision="QĐ số 12/QĐ-UBND ngày 05/01/2026"),
        project_row(2, disbursed=0.0, funding_decision="QĐ số 98/QĐ-UBND"),
    ]
    path = submission(
        config,
        config.inbox / "SKHCN tuần 23.xlsx",
        cover_data=cover(),
        tasks=tasks,
        projects=projects,
    )

    # The template the unit filled has the columns, in spec order.
    filled = openpyxl.load_workbook(path)
    header = next(r for r in range(1, 8) if "Kênh thực hiện" in _labels(filled[TASKS.name], r))
    assert _labels(filled[TASKS.name], header) == [c.label for c in TASKS.columns]

    received = datetime.fromisoformat("2026-06-04T16:30:00+07:00")
    (report,) = ingest_paths(config, [path], received_at=received).reports
    assert report.verdict == "accepted", report.findings
    assert any(f.code == "six-clear-missing" for f in report.findings)

    # The store holds the values under the spec's keys.
    db = sqlite3.connect(config.store)
    assert db.execute("SELECT channel FROM tasks ORDER BY row").fetchall() == [
        ("Trực tuyến",),
        ("Trực tiếp",),
        (None,),
    ]
    assert [r[0] for r in db.execute("SELECT funding_decision FROM projects ORDER BY row")] == [
        "QĐ số 12/QĐ-UBND ngày 05/01/2026",
        "QĐ số 98/QĐ-UBND",
    ]
    db.close()

    # The feedback workbook copies the rows with findings, with the new column.
    feedback = openpyxl.load_workbook(report.feedback_path or "")[TASKS.name]
    head, values = _column_values(feedback, "Kênh thực hiện")
    assert "Nội dung nhiệm vụ" in head
    assert values == ["Trực tiếp"]

    now = datetime.fromisoformat("2026-06-05T09:00:00+07:00")
    with Store(config.store, config.archive) as store:
        weekly = build_weekly(config, store, "2026-W23", now=now)
        projects_report = build_projects(config, store, "2026-06/1", now=now)
        plan = build_plan(config, store, month="2026-06", now=now)

    wb = openpyxl.load_workbook(weekly.path)
    head, values = _column_values(wb["Chi tiết"], "Kênh thực hiện")
    assert values == ["Trực tuyến", "Trực tiếp"]
    assert head.index("Kênh thực hiện") == head.index("Sản phẩm đầu ra") + 1  # spec order
    assert head == [c.report_title for c in detail_columns_of_tasks()]

    wb = openpyxl.load_workbook(projects_report.path)
    head, values = _column_values(wb["Chi tiết dự án"], "Quyết định giao vốn")
    assert values == ["QĐ số 12/QĐ-UBND ngày 05/01/2026", "QĐ số 98/QĐ-UBND"]
    assert head == [c.report_title for c in detail_columns_of_projects()]
    assert "Cán bộ đầu mối" in head and "Tỷ lệ giải ngân (%)" in head

    # The plan reads the same rows (its table shows chosen columns only) and still builds.
    assert "Kế hoạch chi tiết" in openpyxl.load_workbook(plan.path).sheetnames


def test_a_relabelled_column_is_relabelled_in_the_reports(
    workspace: Config, tmp_path: Path
) -> None:
    """Labels are never re-typed in the reports: a new label in the spec is the new header."""
    state = TASKS.column("state")
    saved = TASKS.columns
    renamed = dataclasses.replace(state, report_label="Tình trạng theo đơn vị")
    _set_columns(TASKS, tuple(renamed if c is state else c for c in TASKS.columns))
    try:
        path = submission(workspace, workspace.inbox / "a.xlsx", tasks=[task_row(1)])
        received = datetime.fromisoformat("2026-06-04T16:30:00+07:00")
        ingest_paths(workspace, [path], received_at=received)
        with Store(workspace.store, workspace.archive) as store:
            out = build_weekly(
                workspace, store, "2026-W23", now=datetime.fromisoformat("2026-06-05T09:00+07:00")
            )
        wb = openpyxl.load_workbook(out.path)
        head, values = _column_values(wb["Chi tiết"], "Tình trạng theo đơn vị")
        assert values == ["Đang thực hiện"]
        assert "Tình trạng (đơn vị ghi)" not in head
    finally:
        _set_columns(TASKS, saved)


def test_derived_columns_never_shadow_the_spec() -> None:
    """Report-only columns (schemas.reports) and row fields must not reuse a spec key."""
    for spec in (TASKS, PROJECTS):
        own = {c.key for c in DERIVED[spec.key]}
        assert not own & set(spec.keys), spec.key
