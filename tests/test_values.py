"""Values the product can read or compute itself (defect 9), and findings asserted with their
cell (defect 16: the percent and merged/hidden-cell cases named a code without its cell)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import openpyxl

from consolidate.core.config import Config
from consolidate.intake.ingest import ingest_paths
from tests.builders import project_row, submission, task_row

NOON = datetime.fromisoformat("2026-06-04T12:00:00+07:00")


def _column(ws: openpyxl.worksheet.worksheet.Worksheet, label: str) -> tuple[int, int]:
    """(header row, column) of a header label."""
    for row in ws.iter_rows(min_row=1, max_row=40):
        for cell in row:
            if cell.value == label:
                return cell.row, cell.column
    raise AssertionError(label)


def test_uncalculated_disbursement_rate_formula_is_computed_not_rejected(
    workspace: Config, tmp_path: Path
) -> None:
    src = submission(workspace, tmp_path / "src.xlsx", projects=[project_row(1)])
    book = openpyxl.load_workbook(src)
    ws = book["Dự án"]
    header, col = _column(ws, "Tỷ lệ giải ngân (%)")
    ws.cell(header + 1, col, "=H4/G4*100")  # openpyxl writes no cached value
    path = tmp_path / "cong thuc.xlsx"
    book.save(path)
    (report,) = ingest_paths(workspace, [path], received_at=NOON).reports
    assert report.verdict == "accepted", report.errors
    (note,) = [f for f in report.findings if f.code == "formula-no-value"]
    assert note.severity == "warning"
    assert (note.sheet, note.cell) == ("Dự án", ws.cell(header + 1, col).coordinate)
    rate = sqlite3.connect(workspace.store).execute("SELECT disbursed_pct FROM projects").fetchone()
    assert rate is not None and rate[0] is not None


def test_a_fraction_typed_in_a_percent_cell_is_said(workspace: Config, tmp_path: Path) -> None:
    path = submission(workspace, tmp_path / "a.xlsx", tasks=[task_row(1, progress=0.8)])
    (report,) = ingest_paths(workspace, [path], received_at=NOON).reports
    (said,) = [f for f in report.findings if f.code == "percent-below-one"]
    assert said.severity == "warning" and (said.sheet, said.cell) == ("Nhiệm vụ", "L4")
    assert "được hiểu là 0,8\u00a0% (không phải 80\u00a0%)" in said.message
    stored = sqlite3.connect(workspace.store).execute("SELECT progress FROM tasks").fetchone()
    assert stored == (0.8,)


def test_merged_hidden_and_formula_cells_are_reported_at_their_cells(
    workspace: Config, tmp_path: Path
) -> None:
    src = submission(workspace, tmp_path / "src.xlsx", n_tasks=6)
    book = openpyxl.load_workbook(src)
    ws = book["Nhiệm vụ"]
    header = next(r for r in range(1, 40) if ws.cell(r, 1).value == "STT")
    ws.merge_cells(start_row=header + 1, start_column=8, end_row=header + 2, end_column=8)
    ws.row_dimensions[header + 3].hidden = True
    ws.cell(header + 4, 12, "=40+10")
    path = tmp_path / "odd.xlsx"
    book.save(path)
    (report,) = ingest_paths(workspace, [path], received_at=NOON).reports
    where = {(f.code, f.sheet, f.cell) for f in report.findings}
    assert ("formula-no-value", "Nhiệm vụ", f"L{header + 4}") in where
    assert ("merged-cells", "Nhiệm vụ", f"H{header + 1}") in where
    assert ("hidden-row", "Nhiệm vụ", f"A{header + 3}") in where
    assert report.verdict == "rejected"
