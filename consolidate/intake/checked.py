"""What validation works on: one file's tables and report, and how findings are added.

:class:`Checked` is one file after validation (its report plus what would be stored);
:class:`Table` one data sheet as found in it; :class:`Context` adds findings with the sheet
and cell filled in. Every validation layer (:mod:`.layout`, :mod:`.coerce`, :mod:`.schema`,
:mod:`.rules`) writes through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from consolidate.core.codes import finding
from consolidate.core.config import Unit
from consolidate.core.findings import Report, Severity, cell_ref
from consolidate.core.fmt import fmt_num
from consolidate.intake.cells import Formula, Sheet
from schemas import SheetSpec


@dataclass
class Table:
    """One data sheet as found in a file: header position and raw values by column key."""

    spec: SheetSpec
    sheet: Sheet
    header_row: int = 0
    colmap: dict[str, int] = field(default_factory=dict)  # key -> Excel column
    rows: list[int] = field(default_factory=list)  # Excel rows holding data
    typed: dict[str, list[Any]] = field(default_factory=dict)  # key -> typed values
    failed: set[tuple[int, str]] = field(default_factory=set)  # (row, key) already reported

    def ref(self, row: int, key: str) -> str | None:
        col = self.colmap.get(key)
        return cell_ref(row, col) if col else None


@dataclass
class Checked:
    """One file after validation: the report plus what would be stored."""

    report: Report
    unit: Unit | None = None
    cover: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    row_issues: dict[tuple[str, int], list[str]] = field(default_factory=dict)

    def note_row(self, sheet_key: str, row: int, message: str) -> None:
        self.row_issues.setdefault((sheet_key, row), []).append(message)


class Context:
    """Adds findings to a report with sheet/cell filled in."""

    def __init__(self, checked: Checked) -> None:
        self.checked = checked

    def add(
        self,
        code: str,
        message: str,
        fix: str | None = None,
        *,
        severity: Severity | None = None,
        sheet: str | None = None,
        row: int | None = None,
        col: int | None = None,
        value: Any = None,
        column: str | None = None,
        sheet_key: str | None = None,
    ) -> None:
        """Add a finding of a catalogued ``code`` (fix and severity default to the catalogue)."""
        cell = cell_ref(row, col) if row and col else None
        text = None if value is None else display(value)
        found = finding(
            code, message, fix, severity=severity, sheet=sheet, cell=cell, value=text, row=row,
            column=column,
        )  # fmt: skip
        self.checked.report.add(found)
        if found.severity == "warning" and sheet_key and row:
            self.checked.note_row(sheet_key, row, message)


def display(value: Any) -> str:
    if isinstance(value, datetime):
        return (
            value.strftime("%d/%m/%Y %H:%M")
            if value.time() != datetime.min.time()
            else value.strftime("%d/%m/%Y")
        )
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Formula):
        return f"={value.text}"
    if isinstance(value, float):
        return fmt_num(value, 6) if abs(value) < 1e15 else str(value)
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."


def row_name(table: Table, r: int) -> str:
    name_key = (
        "task"
        if table.spec.key == "tasks"
        else "project"
        if table.spec.key == "projects"
        else "indicator"
    )
    values = table.typed.get(name_key)
    if not values:
        return ""
    text = values[table.rows.index(r)] if r in table.rows else None
    if not text:
        return ""
    text = str(text)
    return f" (“{text[:60]}{'…' if len(text) > 60 else ''}”)"
