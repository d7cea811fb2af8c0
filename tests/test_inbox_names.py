"""File names in inbox/: a 255-byte name dropped twice leaves inbox/ (defect 11), '~' names
get a note or are read (11), and a name starting with a unit's code is a hint (12)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidate.cli import main
from consolidate.core.config import Config
from consolidate.intake.ingest import ingest_paths
from tests.builders import cover, project_row, submission, task_row

NOON = datetime.fromisoformat("2026-06-04T12:00:00+07:00")


def _run(config: Config, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["-w", str(config.root), *args])
    return result.exit_code, result.output


def test_a_255_byte_name_dropped_twice_leaves_the_inbox(workspace: Config, tmp_path: Path) -> None:
    stem = "Báo cáo tuần Sở Khoa học và Công nghệ " * 6
    while len((stem + ".xlsx").encode()) < 255:
        stem += "x"
    stem = stem.encode()[: 255 - 5].decode("utf-8", errors="ignore")
    name = stem + ".xlsx"
    assert len(name.encode()) <= 255
    source = submission(workspace, tmp_path / "a.xlsx")
    for _ in range(2):
        (workspace.inbox / name).write_bytes(source.read_bytes())
        result = ingest_paths(workspace, [workspace.inbox], received_at=NOON)
        assert result.notes == []
        assert not (workspace.inbox / name).exists()
    moved = sorted(p.name for p in (workspace.root / "processed").rglob("*.xlsx"))
    assert len(moved) == 2
    assert any(p.endswith(" (2).xlsx") for p in moved)
    assert all(len(p.encode()) <= 255 for p in moved)


def test_owner_files_in_a_folder_run_get_a_note(workspace: Config) -> None:
    (workspace.inbox / "~$bao cao.xlsx").write_bytes(b"\x00" * 165)
    code, out = _run(workspace, "ingest", str(workspace.inbox))
    assert code == 0
    assert "Bỏ qua 1 tệp tạm hoặc tệp hệ thống: ~$bao cao.xlsx" in out
    assert "Không có tệp nào để tiếp nhận." in out


def test_a_tilde_name_that_is_no_owner_file_is_read(workspace: Config) -> None:
    submission(workspace, workspace.inbox / "~SKHCN tuần 23.xlsx")
    code, out = _run(workspace, "ingest", str(workspace.inbox), "--received-at", "04/06/2026 16:30")
    assert code == 0, out
    assert "1 tiếp nhận" in out


def test_file_name_is_a_unit_hint_when_the_content_cannot_tell(
    workspace: Config, tmp_path: Path
) -> None:
    old = tmp_path / "SXD - Báo cáo.xls"
    old.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 4000)
    (report,) = ingest_paths(workspace, [old], received_at=NOON).reports
    assert report.verdict == "rejected"
    assert report.unit_code == "SXD"
    hint = [f for f in report.findings if f.code == "unit-from-file-name"]
    assert hint and "Sở Xây dựng" in hint[0].message
    assert report.feedback_path is not None and "/SXD/" in Path(report.feedback_path).as_posix()


def test_file_name_never_overrides_the_unit_the_content_names(
    workspace: Config, tmp_path: Path
) -> None:
    path = submission(workspace, tmp_path / "SXD - của Sở KH&CN.xlsx")
    (report,) = ingest_paths(workspace, [path], received_at=NOON).reports
    assert report.verdict == "accepted" and report.unit_code == "SKHCN"


def test_a_copy_of_a_rejected_file_in_the_same_batch_repeats_its_errors(
    workspace: Config, tmp_path: Path
) -> None:
    """Defect 4: the copy came back valid, 0 errors, no findings."""
    bad = submission(workspace, tmp_path / "a.xlsx", tasks=[task_row(1, progress=150)])
    copy = tmp_path / "a (bản sao).xlsx"
    copy.write_bytes(bad.read_bytes())
    result = ingest_paths(workspace, [bad, copy], received_at=NOON)
    first, second = result.reports
    assert first.verdict == "rejected"
    assert second.verdict == "duplicate" and second.duplicate_of == "a.xlsx"
    assert not second.valid
    assert [(f.code, f.cell) for f in second.errors] == [(f.code, f.cell) for f in first.errors]
    assert result.exit_code == 1


def test_a_non_template_workbook_is_not_called_readable_next_to_missing_sheets(
    workspace: Config, tmp_path: Path
) -> None:
    """Defect 5: 'vẫn đọc được vì có đủ các trang và cột' next to 'Không có trang …'."""
    from openpyxl import Workbook

    path = tmp_path / "bang tinh khac.xlsx"
    book = Workbook()
    assert book.active is not None
    book.active.append(("Họ tên", "Số điện thoại"))
    book.save(path)
    (report,) = ingest_paths(workspace, [path], received_at=NOON).reports
    assert report.verdict == "rejected"
    assert any(f.code == "missing-sheet" for f in report.errors)
    (note,) = [f for f in report.findings if f.code == "not-from-template"]
    assert "vẫn đọc được" not in note.message


def test_a_blank_unit_cell_is_named_not_the_help_text(workspace: Config, tmp_path: Path) -> None:
    """Defect 7: the message quoted the help column as the unit's name and pointed at it."""
    path = submission(workspace, tmp_path / "a.xlsx", cover_data=cover(unit=None))
    (report,) = ingest_paths(workspace, [path], received_at=NOON).reports
    assert report.verdict == "rejected"
    (missing,) = [f for f in report.errors if f.column == "unit"]
    assert missing.code == "required-missing"
    assert missing.sheet == "Thông tin chung" and missing.cell is not None
    assert missing.cell.startswith("B"), missing.cell
    assert "Chọn tên đơn vị" not in (missing.value or "")


def test_received_at_in_the_future_is_the_officers_error(workspace: Config) -> None:
    """Defect 8: a year typo (2062 for 2026) was accepted; now exit 2, nothing archived."""
    submission(workspace, workspace.inbox / "SKHCN.xlsx")
    code, out = _run(workspace, "ingest", str(workspace.inbox), "--received-at", "04/06/2062 16:30")
    assert code == 2, out
    assert "Giá trị của --received-at “04/06/2062 16:30”" in out and "ở tương lai" in out
    assert "Cách khắc phục" in out and "Traceback" not in out
    assert not any(workspace.archive.rglob("*.*"))
    assert (workspace.inbox / "SKHCN.xlsx").exists()


def _tell(config: Config) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """What the store holds: archived files, arrivals, verdicts."""
    from consolidate.store.db import Store

    with Store(config.store, config.archive) as store:
        files = [r[0] for r in store.db.execute("SELECT sha256 FROM files")]
        arrivals = [r[0] for r in store.db.execute("SELECT received_at FROM arrivals")]
        verdicts = [
            (r[0], r[1]) for r in store.db.execute("SELECT verdict, unit_code FROM verdicts")
        ]
    return files, arrivals, verdicts


def test_received_at_before_the_report_date_is_held_for_the_officer(workspace: Config) -> None:
    """Defect 8, the year typed back: ``--received-at 04/06/2025`` for a report dated
    04/06/2026 sent the unit "Ngày báo cáo … sau ngày gửi tệp". The typed time is wrong, not
    the unit: the file is held (exit 2), nothing stored, nothing written to the unit; the
    same file with the right time is then accepted."""
    path = submission(workspace, workspace.inbox / "SKHCN.xlsx")
    code, out = _run(workspace, "ingest", str(workspace.inbox), "--received-at", "04/06/2025 16:30")
    assert code == 2, out
    assert (
        "Chưa tiếp nhận SKHCN.xlsx: ngày báo cáo trong tệp là 04/06/2026 (ô B4 trang "
        "'Thông tin chung'), sau thời điểm nhận --received-at 04/06/2025 16:30" in out
    ), out
    assert "1 chưa xét (xem --received-at)" in out
    assert "sau ngày gửi tệp" not in out and "sau ngày nhận được tệp" not in out
    assert path.exists()  # still in inbox/, to be ingested again with the right time
    assert _tell(workspace) == ([], [], [])
    assert not any(workspace.archive.rglob("*.*"))
    assert not (workspace.outbox / "phan-hoi").exists() or not any(
        (workspace.outbox / "phan-hoi").rglob("*.*")
    )
    code, out = _run(workspace, "ingest", str(workspace.inbox), "--received-at", "04/06/2026 16:30")
    assert code == 0, out
    assert "1 tiếp nhận" in out
    files, arrivals, verdicts = _tell(workspace)
    assert len(files) == 1 and arrivals == ["2026-06-04T09:30:00+00:00"]
    assert verdicts == [("accepted", "SKHCN")]


def test_held_file_in_a_batch_leaves_the_others_judged(workspace: Config) -> None:
    """Only the file the typed time contradicts is held; the batch's other files (report
    dated before the typed time) are judged and moved out of inbox/ as usual."""
    submission(workspace, workspace.inbox / "SKHCN.xlsx", cover_data=cover(as_of=date(2026, 6, 5)))
    submission(
        workspace,
        workspace.inbox / "SYT.xlsx",
        cover_data=cover(unit="Sở Y tế", as_of=date(2026, 6, 3)),
        tasks=[],
        projects=[project_row(1)],
    )
    result = ingest_paths(
        workspace,
        [workspace.inbox],
        received_at=datetime.fromisoformat("2026-06-04T16:30:00+07:00"),
        officer_time=True,
    )
    assert result.held == ["SKHCN.xlsx"] and result.exit_code == 2
    assert [(r.file, r.verdict) for r in result.reports] == [("SYT.xlsx", "accepted")]
    assert (workspace.inbox / "SKHCN.xlsx").exists()
    assert not (workspace.inbox / "SYT.xlsx").exists()


def test_the_same_date_from_a_clock_is_the_units_error_at_its_cell(workspace: Config) -> None:
    """Without a typed time (watch, mail, the clock) a report date after the arrival is
    the unit's: an error at the date's cell, saying 'after the day the file was received'."""
    path = submission(
        workspace, workspace.inbox / "SKHCN.xlsx", cover_data=cover(as_of=date(2026, 6, 5))
    )
    (report,) = ingest_paths(workspace, [path], received_at=NOON).reports
    assert report.verdict == "rejected"
    (late,) = [f for f in report.errors if f.column == "as_of"]
    assert (late.code, late.sheet, late.cell) == ("as-of-in-future", "Thông tin chung", "B4")
    assert late.message == (
        "Ngày báo cáo ở ô B4 là 05/06/2026, sau ngày nhận được tệp (04/06/2026)."
    )


@pytest.mark.parametrize("year", [2062, 2206])
def test_a_report_date_not_yet_come_is_named_as_a_year_typo(workspace: Config, year: int) -> None:
    """Defect 8, the unit's typo: 04/06/2062 in the report-date cell was answered "Ngày báo
    cáo … sau ngày gửi tệp …". It is a date that has not come at all: the unit is told
    which cell, that the year looks mistyped and the year it probably meant — also when
    the officer typed the arrival time (the file is the unit's to fix, not held)."""
    path = submission(
        workspace, workspace.inbox / "SKHCN.xlsx", cover_data=cover(as_of=date(year, 6, 4))
    )
    result = ingest_paths(workspace, [path], received_at=NOON, officer_time=True)
    assert result.held == []
    (report,) = result.reports
    assert report.verdict == "rejected" and result.exit_code == 1
    (typo,) = [f for f in report.errors if f.column == "as_of"]
    assert (typo.code, typo.sheet, typo.cell) == ("as-of-year-typo", "Thông tin chung", "B4")
    assert typo.message.startswith(f"Ngày báo cáo ở ô B4 là 04/06/{year}: ngày này chưa tới")
    assert typo.message.endswith(f"có lẽ gõ nhầm năm {year} thay cho 2026.")
    assert typo.fix is not None and "04/06/2026" in typo.fix
    assert "sau ngày" not in typo.message
