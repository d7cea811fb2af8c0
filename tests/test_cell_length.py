"""A cell longer than Excel can hold (32,767 characters) comes only from a broken or hostile
file: it is refused at its cell with its real length, by both sheet parsers, and it is cut
where it is read so that a multi-megabyte text costs no more memory than one copy of it."""

from __future__ import annotations

import io
import random
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from consolidate.core.config import Config
from consolidate.intake.cells import MAX_CELL_CHARS, Overlong
from consolidate.intake.ingest import ingest_bytes
from consolidate.intake.reader import read_workbook
from tests.builders import submission, task_row

MARK = "ĐÁNH_DẤU_Ô_DÀI"
NOON = datetime(2026, 6, 4, 5, 0, tzinfo=UTC)


def _edit_parts(data: bytes, edit: Callable[[str, str], str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            body = zin.read(item)
            if item.filename.endswith(".xml"):
                body = edit(item.filename, body.decode("utf-8")).encode("utf-8")
            zout.writestr(item, body)
    return out.getvalue()


def _long_task(config: Config, tmp_path: Path, length: int, rows: int = 3) -> bytes:
    """A valid submission whose task names are all one text of ``length`` characters."""
    data = submission(
        config, tmp_path / "s.xlsx", tasks=[task_row(i, task=MARK) for i in range(1, rows + 1)]
    ).read_bytes()
    # words in a random order: a repeated phrase would compress like a zip bomb (refused)
    rng = random.Random(length)
    words = [w + " " for w in ("triển", "khai", "nhiệm", "vụ", "số", "hóa", "hồ", "sơ", "đợt")]
    giant = ("Triển khai " + "".join(rng.choices(words, k=length // 3)))[:length]
    assert len(giant) == length
    edited = _edit_parts(data, lambda _name, xml: xml.replace(MARK, giant))
    assert edited != data  # the mark was in the package
    return edited


def _task_cells(data: bytes, fast: bool) -> list[object]:
    wb = read_workbook(data, "s.xlsx", fast=fast).workbook
    assert wb is not None
    sheet = wb.sheets["Nhiệm vụ"]
    return [v for row in sheet.rows.values() for v in row.values() if isinstance(v, Overlong)]


def test_both_parsers_cut_an_overlong_cell_and_keep_its_length(
    workspace: Config, tmp_path: Path
) -> None:
    data = _long_task(workspace, tmp_path, 100_000)
    for fast in (True, False):
        cells = _task_cells(data, fast)
        assert len(cells) == 3, fast
        for cell in cells:
            assert isinstance(cell, Overlong)
            assert len(cell) == MAX_CELL_CHARS and cell.length == 100_000
            assert cell.startswith("Triển khai ")


def test_text_of_exactly_the_limit_is_an_ordinary_cell(workspace: Config, tmp_path: Path) -> None:
    data = _long_task(workspace, tmp_path, MAX_CELL_CHARS)
    for fast in (True, False):
        assert _task_cells(data, fast) == []
    report = ingest_bytes(workspace, data, "s.xlsx", received_at=NOON, dry_run=True)
    assert "cell-too-long" not in {f.code for f in report.findings}


def test_an_overlong_cell_is_refused_at_its_cell(workspace: Config, tmp_path: Path) -> None:
    data = _long_task(workspace, tmp_path, 100_000)
    report = ingest_bytes(workspace, data, "s.xlsx", received_at=NOON, dry_run=True)
    assert report.verdict == "rejected"
    long = [f for f in report.errors if f.code == "cell-too-long"]
    assert len(long) == 3
    first = long[0]
    assert first.sheet == "Nhiệm vụ"
    assert first.cell == "C4"
    assert first.message == (
        "Dòng 4: Ô 'Nội dung nhiệm vụ' có 100.000 ký tự, vượt giới hạn 32.767 ký tự của một ô Excel "
        "(tệp có thể bị hỏng)."
    )
    assert first.fix.startswith("Rút gọn nội dung ô")


def test_a_giant_text_in_every_row_costs_one_copy(workspace: Config, tmp_path: Path) -> None:
    # 5 million characters (10 MB as a Python string of Vietnamese text) named by 40 cells.
    # Before the cut this file was accepted (5-million-character task names stored), its
    # check copied the text per cell: 135 MB traced, 19 s; now 48 MB, 6 s.
    data = _long_task(workspace, tmp_path, 5_000_000, rows=40)
    tracemalloc.start()
    try:
        report = ingest_bytes(workspace, data, "s.xlsx", received_at=NOON, dry_run=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.verdict == "rejected"
    assert sum(f.code == "cell-too-long" for f in report.errors) == 40
    assert peak < 80 * (1 << 20), f"{peak / (1 << 20):.0f} MB"
