"""Ingest: every file kept, a verdict with precise findings, accepted snapshots stored."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from consolidate.core.config import Config
from consolidate.core.findings import Report
from consolidate.intake.ingest import ingest_paths
from consolidate.intake.reader import read_workbook
from tests.builders import cover, project_row, submission, task_row

TZ_NOON = "2026-06-04T12:00:00+07:00"


def _ingest(config: Config, *paths: Path, **kw: object) -> list[Report]:
    kw.setdefault("received_at", datetime.fromisoformat(TZ_NOON))
    return ingest_paths(config, list(paths), **kw).reports  # type: ignore[arg-type]


def _codes(report: Report) -> dict[str, list[str | None]]:
    out: dict[str, list[str | None]] = {}
    for f in report.findings:
        out.setdefault(f.code, []).append(f.cell)
    return out


def _db(config: Config) -> sqlite3.Connection:
    return sqlite3.connect(config.store)


def test_clean_submission_is_accepted_stored_and_answered(workspace: Config) -> None:
    path = submission(workspace, workspace.inbox / "Sở KH&CN tuần 23.xlsx", n_tasks=12)
    original = path.read_bytes()
    (report,) = _ingest(workspace, path)
    assert report.verdict == "accepted", report.findings
    assert report.errors == []
    assert report.unit_code == "SKHCN"
    assert report.counts["tasks"] == 12
    db = _db(workspace)
    assert db.execute("SELECT count(*) FROM tasks").fetchone()[0] == 12
    # lead unit defaults to the reporting unit; deadline parsed
    row = db.execute(
        "SELECT lead_unit, deadline, deadline_kind, deadline_end, progress FROM tasks LIMIT 1"
    ).fetchone()
    assert row == ("SKHCN", "30/09/2026", "date", "2026-09-30", 50.0)
    # archived byte for byte, by hash; moved out of the inbox
    (archived,) = [p for p in workspace.archive.rglob("*") if p.is_file()]
    assert archived.read_bytes() == original
    assert not path.exists()
    assert list((workspace.root / "processed").rglob("*.xlsx"))
    assert Path(report.feedback_path or "").is_file()
    assert "TIẾP NHẬN" in Path(report.summary_path or "").read_text(encoding="utf-8-sig")


def test_same_bytes_twice_is_one_submission(workspace: Config, tmp_path: Path) -> None:
    path = submission(workspace, tmp_path / "a.xlsx")
    copy = tmp_path / "b.xlsx"
    copy.write_bytes(path.read_bytes())
    first, second = _ingest(workspace, path, copy)
    assert first.verdict == "accepted"
    assert second.verdict == "duplicate" and second.duplicate_of == "a.xlsx"
    (third,) = _ingest(workspace, path)
    assert third.verdict == "duplicate"
    assert _db(workspace).execute("SELECT count(*) FROM submissions").fetchone()[0] == 1
    assert _db(workspace).execute("SELECT count(*) FROM arrivals").fetchone()[0] == 3


def test_dry_run_stores_nothing(workspace: Config, tmp_path: Path) -> None:
    path = submission(workspace, tmp_path / "a.xlsx")
    (report,) = _ingest(workspace, path, dry_run=True)
    assert report.verdict == "accepted"
    db = _db(workspace)
    assert db.execute("SELECT count(*) FROM files").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM submissions").fetchone()[0] == 0


def test_all_errors_of_a_file_at_once_with_cells(workspace: Config, tmp_path: Path) -> None:
    tasks = [
        task_row(1),
        task_row(2, progress=150),  # L row 6? header row decides; asserted by column letter
        task_row(3, pillar="Văn hóa"),
        task_row(4, state="Đã hoàn thành", progress=100, completed_on=None),
        task_row(5, deadline="sớm nhất có thể"),
        task_row(6, officer=None, deliverable=None),
        task_row(7, state="Đã hoàn thành", progress=40, completed_on=datetime(2026, 6, 1)),
        task_row(8, state="Chưa triển khai", progress=100),
        task_row(9, state="Đã hoàn thành", progress=100, completed_on=datetime(2026, 7, 1)),
        task_row(10, task=None),
    ]
    path = submission(workspace, tmp_path / "errors.xlsx", tasks=tasks)
    (report,) = _ingest(workspace, path)
    assert report.verdict == "rejected"
    codes = _codes(report)
    header = _header_row(path)
    r = lambda i: header + i  # noqa: E731  (Excel row of the i-th task)
    assert codes["out-of-range"] == [f"L{r(2)}"]
    assert codes["not-in-list"] == [f"D{r(3)}"]
    assert codes["completed-date-missing"] == [f"N{r(4)}"]
    assert codes["bad-deadline"] == [f"J{r(5)}"]
    assert codes["six-clear-missing"] == [f"H{r(6)}"]
    assert codes["done-but-progress"] == [f"L{r(7)}"]
    assert codes["not-started-but-progress"] == [f"M{r(8)}"]
    assert codes["completed-in-future"] == [f"N{r(9)}"]
    assert codes["required-missing"] == [f"C{r(10)}"]
    six = next(f for f in report.findings if f.code == "six-clear-missing")
    assert six.severity == "warning"
    assert "rõ người" in six.message and "rõ sản phẩm" in six.message
    assert all(f.sheet == "Nhiệm vụ" for f in report.findings if f.cell)
    # nothing stored for a rejected file
    assert _db(workspace).execute("SELECT count(*) FROM tasks").fetchone()[0] == 0
    assert _db(workspace).execute("SELECT verdict FROM verdicts").fetchone()[0] == "rejected"


def _header_row(path: Path) -> int:
    ws = openpyxl.load_workbook(path)["Nhiệm vụ"]
    for row in ws.iter_rows(min_row=1, max_row=30):
        if any(c.value == "Nội dung nhiệm vụ" for c in row):
            return row[0].row
    raise AssertionError("no header")


def test_six_clear_strictness_is_configurable(workspace: Config, tmp_path: Path) -> None:
    from dataclasses import replace

    strict = replace(workspace, validation=replace(workspace.validation, six_clear="error"))
    path = submission(strict, tmp_path / "a.xlsx", tasks=[task_row(1, authority=None)])
    (report,) = _ingest(strict, path)
    assert report.verdict == "rejected"
    assert [f.severity for f in report.findings if f.code == "six-clear-missing"] == ["error"]


def test_a_unit_speaks_only_for_itself(workspace: Config, tmp_path: Path) -> None:
    tasks = [task_row(1), task_row(2, lead_unit="Sở Y tế")]
    path = submission(workspace, tmp_path / "a.xlsx", tasks=tasks)
    (report,) = _ingest(workspace, path)
    assert report.verdict == "rejected"
    (f,) = [f for f in report.findings if f.code == "other-unit-task"]
    assert "Sở Y tế" in f.message and f.cell and f.cell.startswith("F")
    db = _db(workspace)
    assert db.execute("SELECT count(*) FROM tasks").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM submissions").fetchone()[0] == 0


def test_unknown_unit_on_the_cover_is_rejected(workspace: Config, tmp_path: Path) -> None:
    path = submission(workspace, tmp_path / "a.xlsx", cover_data=cover(unit="Sở Không Tồn Tại"))
    (report,) = _ingest(workspace, path)
    assert report.verdict == "rejected"
    (f,) = [f for f in report.findings if f.code == "unknown-unit"]
    assert f.sheet == "Thông tin chung" and f.cell and f.cell.startswith("B")


@pytest.mark.parametrize("typed", ["SKHCN", "Sở KH&CN", "so khoa hoc va cong nghe"])
def test_unit_matched_by_code_or_alias(workspace: Config, tmp_path: Path, typed: str) -> None:
    path = submission(workspace, tmp_path / "a.xlsx", cover_data=cover(unit=typed))
    # write_submission may refuse unknown dropdown text; the reader resolves aliases
    (report,) = _ingest(workspace, path)
    assert report.unit_code == "SKHCN", report.findings


def test_legacy_tcvn3_unit_name_is_converted_with_a_warning(
    workspace: Config, tmp_path: Path
) -> None:
    path = submission(
        workspace, tmp_path / "a.xlsx", cover_data=cover(unit="Së Khoa häc vµ C«ng nghÖ")
    )
    (report,) = _ingest(workspace, path)
    assert report.verdict == "accepted" and report.unit_code == "SKHCN"
    (warning,) = [f for f in report.findings if f.code == "legacy-encoding"]
    assert warning.severity == "warning" and warning.sheet == "Thông tin chung" and warning.cell
    assert "TCVN3" in warning.message and "“Sở Khoa học và Công nghệ”" in warning.message


def test_as_of_in_the_future_is_rejected(workspace: Config, tmp_path: Path) -> None:
    path = submission(workspace, tmp_path / "a.xlsx", cover_data=cover(as_of=datetime(2026, 6, 9)))
    (report,) = _ingest(workspace, path)
    assert "as-of-in-future" in _codes(report)
    assert report.verdict == "rejected"


def test_received_at_decides_the_reference_day(workspace: Config, tmp_path: Path) -> None:
    path = submission(workspace, tmp_path / "a.xlsx", cover_data=cover(as_of=datetime(2026, 6, 9)))
    (report,) = _ingest(
        workspace, path, received_at=datetime.fromisoformat("2026-06-10T08:00:00+07:00")
    )
    assert report.verdict == "accepted"
    assert report.received_at == "2026-06-10T01:00:00+00:00"


def test_projects_disbursement_rules(workspace: Config, tmp_path: Path) -> None:
    projects = [
        project_row(1),
        project_row(2, disbursed=6000.0),  # above the plan: warning
        project_row(3, disbursed_pct=55),  # typed 55 % vs 30 % computed: warning, recomputed
    ]
    path = submission(workspace, tmp_path / "a.xlsx", projects=projects)
    (report,) = _ingest(workspace, path)
    assert report.verdict == "accepted", report.errors
    codes = _codes(report)
    assert len(codes["disbursed-above-plan"]) == 1
    assert len(codes["disbursed-rate-mismatch"]) == 1
    # numbers the Vietnamese way: not "6,000.0 vượt kế hoạch vốn năm 5,000.0"
    said = {f.code: f.message for f in report.findings}
    assert (
        "giải ngân lũy kế 6.000 vượt kế hoạch vốn năm 5.000 triệu đồng."
        in said["disbursed-above-plan"]
    )
    assert "ghi 55\u00a0% nhưng theo số liệu là 30\u00a0%" in said["disbursed-rate-mismatch"]
    pcts = [r[0] for r in _db(workspace).execute("SELECT disbursed_pct FROM projects ORDER BY row")]
    assert pcts == [30.0, 120.0, 30.0]


def test_duplicate_task_codes_and_register(workspace: Config, tmp_path: Path) -> None:
    from consolidate.store.db import Store

    with Store(workspace.store, workspace.archive) as store:
        store.replace_register(
            [
                {"code": "KH05-01", "task": "x", "lead_unit": "SKHCN"},
                {"code": "KH05-02", "task": "y", "lead_unit": "SNV"},
            ]
        )
    tasks = [
        task_row(1, task_code="KH05-01"),
        task_row(2, task_code="KH05-01"),
        task_row(3, task_code="KH05-99"),
        task_row(4, task_code="KH05-02"),
    ]
    path = submission(workspace, tmp_path / "a.xlsx", tasks=tasks)
    (report,) = _ingest(workspace, path)
    codes = _codes(report)
    assert len(codes["duplicate-task-code"]) == 1
    assert [f.severity for f in report.findings if f.code == "unknown-task-code"] == ["warning"]
    other = [f for f in report.findings if f.code == "other-unit-task"]
    assert len(other) == 1 and "Sở Nội vụ" in other[0].message


def test_rejected_file_leaves_current_data_untouched(workspace: Config, tmp_path: Path) -> None:
    good = submission(workspace, tmp_path / "good.xlsx", n_tasks=3)
    bad = submission(workspace, tmp_path / "bad.xlsx", tasks=[task_row(1, progress=500)])
    _ingest(workspace, good)
    (report,) = _ingest(workspace, bad)
    assert report.verdict == "rejected"
    db = _db(workspace)
    assert db.execute("SELECT count(*) FROM submissions").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM tasks").fetchone()[0] == 3


def test_feedback_workbook_links_and_highlights(workspace: Config, tmp_path: Path) -> None:
    path = submission(workspace, tmp_path / "a.xlsx", tasks=[task_row(1, progress=150)])
    (report,) = _ingest(workspace, path)
    wb = openpyxl.load_workbook(report.feedback_path or "")
    assert wb.sheetnames[0] == "Kết quả kiểm tra"
    ws = wb["Kết quả kiểm tra"]
    values = [c.value for row in ws.iter_rows() for c in row if c.value]
    assert "Kết luận: Không tiếp nhận" in values
    link_cells = [c for row in ws.iter_rows() for c in row if c.hyperlink is not None]
    assert link_cells and "Nhiệm vụ" in (link_cells[0].hyperlink.location or "")
    f = next(f for f in report.findings if f.code == "out-of-range")
    copy = wb["Nhiệm vụ"]
    assert copy[f.cell or ""].value == 150
    assert copy[f.cell or ""].comment is not None
    assert "0 đến 100" in copy[f.cell or ""].comment.text


def test_feedback_copy_holds_header_and_rows_with_findings_only(
    workspace: Config, tmp_path: Path
) -> None:
    tasks = [task_row(i) for i in range(1, 6)]
    tasks[2] = task_row(3, progress=150)
    path = submission(workspace, tmp_path / "a.xlsx", tasks=tasks)
    (report,) = _ingest(workspace, path)
    f = next(f for f in report.findings if f.code == "out-of-range")
    bad_row = int(re.sub(r"[A-Z]", "", f.cell or ""))
    original = openpyxl.load_workbook(path)["Nhiệm vụ"]
    copy = openpyxl.load_workbook(report.feedback_path or "")["Nhiệm vụ"]
    kept = {c.row for row in copy.iter_rows() for c in row if c.value is not None}
    data_rows = {c.row for c in original["C"] if c.row > bad_row - 3 and c.value is not None}
    assert bad_row in kept and len(data_rows - {bad_row}) >= 2
    assert not (data_rows - {bad_row}) & kept  # rows without findings are not copied
    header = next(c.row for c in original["C"] if c.value == "Nội dung nhiệm vụ")
    assert copy.cell(header, 3).value == "Nội dung nhiệm vụ"  # header at its own row
    assert copy.sheet_format.zeroHeight  # the rows in between are hidden
    assert copy[f.cell or ""].value == 150


# --- tolerant reading --------------------------------------------------------------------


def _reshape(src: Path, dst: Path, edit: object) -> Path:
    wb = openpyxl.load_workbook(src)
    edit(wb)  # type: ignore[operator]
    wb.save(dst)
    return dst


def test_title_rows_moved_columns_and_extra_column(workspace: Config, tmp_path: Path) -> None:
    src = submission(workspace, tmp_path / "src.xlsx", n_tasks=4)

    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb["Nhiệm vụ"]
        ws.insert_rows(1, amount=3)
        ws["A1"] = "BÁO CÁO CỦA SỞ"
        ws.move_range("C1:C400", cols=30)  # move "Nội dung nhiệm vụ" far right
        header = next(r for r in range(1, 40) if ws.cell(r, 1).value == "STT")
        ws.cell(header, 40, "Cột riêng của đơn vị")
        ws.cell(header + 1, 40, "ghi chú nội bộ")

    path = _reshape(src, tmp_path / "moved.xlsx", edit)
    (report,) = _ingest(workspace, path)
    assert report.verdict == "accepted", report.errors
    assert "extra-column" in _codes(report)
    first_task = _db(workspace).execute("SELECT task FROM tasks ORDER BY row").fetchone()[0]
    assert first_task.startswith("Số hóa")


def test_values_as_people_type_them(workspace: Config, tmp_path: Path) -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Cải cách hành chính")
    tasks = [
        task_row(1, pillar=nfd, officer="Nguyễn\u00a0Thị\u200b Hoa", progress="60%"),
        task_row(2, progress="45", deadline="trước ngày 15/6/2026"),
        task_row(3, deadline="Quý III/2026"),
        task_row(4, deadline="Thường xuyên", state="Đang thực hiện"),
        task_row(5, deadline="trong tháng 7/2026"),
        task_row(
            6, deadline="Năm 2026", completed_on="01/06/2026", state="Đã hoàn thành", progress=100
        ),
    ]
    path = submission(workspace, tmp_path / "a.xlsx", tasks=tasks)
    (report,) = _ingest(workspace, path)
    assert report.verdict == "accepted", report.errors
    rows = (
        _db(workspace)
        .execute(
            "SELECT pillar, officer, progress, deadline_kind, deadline_end, completed_on FROM tasks ORDER BY row"
        )
        .fetchall()
    )
    assert rows[0][:3] == ("Cải cách hành chính", "Nguyễn Thị Hoa", 60.0)
    assert rows[1][2:5] == (45.0, "date", "2026-06-15")
    assert rows[2][3:5] == ("quarter", "2026-09-30")
    assert rows[3][3:5] == ("recurring", None)
    assert rows[4][3:5] == ("month", "2026-07-31")
    assert rows[5][3:] == ("year", "2026-12-31", "2026-06-01")


def test_percent_formatted_cell_reads_on_the_0_100_scale(workspace: Config, tmp_path: Path) -> None:
    src = submission(workspace, tmp_path / "src.xlsx", n_tasks=2)

    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb["Nhiệm vụ"]
        header = next(r for r in range(1, 40) if ws.cell(r, 1).value == "STT")
        ws.cell(header + 1, 12, 0.6).number_format = "0%"
        ws.cell(header + 2, 12, 1.5).number_format = "0%"

    path = _reshape(src, tmp_path / "pct.xlsx", edit)
    (report,) = _ingest(workspace, path)
    assert report.verdict == "rejected"
    # 150 % rejected at its own cell (header + 2 = row 5, column L); 60 % read as 60, unsaid
    (bad,) = [f for f in report.findings if f.column == "progress"]
    assert (bad.code, bad.sheet, bad.cell, bad.value) == ("out-of-range", "Nhiệm vụ", "L5", "150")


def test_merged_hidden_and_formula_cells_are_reported(workspace: Config, tmp_path: Path) -> None:
    src = submission(workspace, tmp_path / "src.xlsx", n_tasks=6)

    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb["Nhiệm vụ"]
        header = next(r for r in range(1, 40) if ws.cell(r, 1).value == "STT")
        ws.merge_cells(start_row=header + 1, start_column=8, end_row=header + 2, end_column=8)
        ws.row_dimensions[header + 3].hidden = True
        ws.cell(header + 4, 12, "=40+10")  # openpyxl writes no cached value

    path = _reshape(src, tmp_path / "odd.xlsx", edit)
    (report,) = _ingest(workspace, path)
    codes = _codes(report)  # header at row 3: merged H4:H5, row 6 hidden, a formula in L7
    assert codes["merged-cells"] == ["H4"]
    assert codes["hidden-row"] == ["A6"]
    assert codes["formula-no-value"] == ["L7"]
    assert {f.sheet for f in report.findings if f.code in codes} == {"Nhiệm vụ"}
    assert report.verdict == "rejected"


def test_hidden_sheet_with_data_is_reported(workspace: Config, tmp_path: Path) -> None:
    src = submission(workspace, tmp_path / "src.xlsx", projects=[project_row(1)])

    def edit(wb: openpyxl.Workbook) -> None:
        wb["Dự án"].sheet_state = "hidden"

    path = _reshape(src, tmp_path / "hidden.xlsx", edit)
    (report,) = _ingest(workspace, path)
    (hidden,) = [f for f in report.findings if f.code == "hidden-sheet"]
    assert (hidden.sheet, hidden.cell) == ("Dự án", None)  # the sheet, there is no one cell
    assert report.counts["projects"] == 1


def test_workbook_not_made_from_template_is_accepted_with_warning(
    workspace: Config, tmp_path: Path
) -> None:
    from schemas import COVER, TASKS

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Thông tin chung"
    values = cover()
    for f in COVER:
        ws.append([f.label, values.get(f.key)])
    tasks = wb.create_sheet("Nhiệm vụ")
    tasks.append([c.label.upper() for c in TASKS.columns])  # case-insensitive labels
    row = task_row(1)
    tasks.append([row.get(c.key) for c in TASKS.columns])
    path = tmp_path / "handmade.xlsx"
    wb.save(path)
    (report,) = _ingest(workspace, path)
    assert report.verdict == "accepted", report.errors
    assert "not-from-template" in _codes(report)


def test_missing_required_column(workspace: Config, tmp_path: Path) -> None:
    src = submission(workspace, tmp_path / "src.xlsx", n_tasks=2)

    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb["Nhiệm vụ"]
        ws.delete_cols(13)  # Tình trạng

    path = _reshape(src, tmp_path / "nocol.xlsx", edit)
    (report,) = _ingest(workspace, path)
    f = next(f for f in report.findings if f.code == "missing-column")
    assert "Tình trạng" in f.message and f.severity == "error"


# --- hostile and broken containers ----------------------------------------------------------


def _container_code(data: bytes, name: str = "x.xlsx") -> str:
    result = read_workbook(data, name)
    assert result.workbook is None
    (f,) = result.findings
    return f.code


def test_container_cases(workspace: Config, tmp_path: Path) -> None:
    import io
    import zipfile

    good = submission(workspace, tmp_path / "g.xlsx").read_bytes()
    assert _container_code(b"") == "container-empty"
    assert _container_code(good[: len(good) // 2]) == "container-corrupt"
    assert (
        _container_code(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls")
        == "container-legacy-xls"
    )
    enc = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100 + "EncryptionInfo".encode("utf-16-le")
    assert _container_code(enc) == "container-encrypted"
    assert (
        _container_code(b"<html><body><table><tr><td>1</td></tr></table></body></html>", "a.xls")
        == "container-html"
    )
    assert _container_code(b"just some text") == "container-not-excel"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
        zf.writestr("[Content_Types].xml", "<Types/>")
    assert _container_code(buf.getvalue(), "renamed.xlsx") == "container-word"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    assert len(buf.getvalue()) < 2_000_000
    assert _container_code(buf.getvalue(), "bomb.xlsx") == "container-zip-bomb"
    # macros: never run, file refused
    with zipfile.ZipFile(io.BytesIO(good)) as zin:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zout:
            for item in zin.infolist():
                zout.writestr(item, zin.read(item.filename))
            zout.writestr("xl/vbaProject.bin", b"\0" * 100)
    assert _container_code(buf.getvalue(), "macro.xlsm") == "container-macro"


def test_xml_entity_bomb_is_refused(workspace: Config, tmp_path: Path) -> None:
    import io
    import zipfile

    good = submission(workspace, tmp_path / "g.xlsx").read_bytes()
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>'
    )
    with zipfile.ZipFile(io.BytesIO(good)) as zin:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zout:
            for item in zin.infolist():
                data = (
                    bomb.encode()
                    if item.filename == "xl/sharedStrings.xml"
                    else zin.read(item.filename)
                )
                zout.writestr(item, data)
    assert _container_code(buf.getvalue()) == "container-xml-entities"


def test_every_broken_file_gets_a_verdict_and_feedback(workspace: Config, tmp_path: Path) -> None:
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "text.xlsx").write_text("hello")
    reports = _ingest(workspace, tmp_path / "empty.xlsx", tmp_path / "text.xlsx")
    assert [r.verdict for r in reports] == ["rejected", "rejected"]
    for r in reports:
        assert Path(r.feedback_path or "").is_file()
        assert Path(r.summary_path or "").is_file()
    db = _db(workspace)
    assert db.execute("SELECT count(*) FROM verdicts").fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM files").fetchone()[0] == 2


def test_file_resaved_by_libreoffice_is_accepted(workspace: Config, tmp_path: Path) -> None:
    """tests/data fixture: a generated submission re-saved by LibreOffice Calc
    (`soffice --headless --convert-to xlsx`), committed so CI needs no LibreOffice."""
    import shutil

    fixture = Path(__file__).parent / "data" / "libreoffice-resaved Sở Y tế.xlsx"
    path = shutil.copy(fixture, tmp_path / fixture.name)
    (report,) = _ingest(workspace, Path(path))
    assert report.verdict == "accepted", report.errors
    assert report.unit_code == "SYT"
    assert report.counts == {"tasks": 8, "projects": 2, "indicators": 0}
    assert report.template_version is not None
    progress = [r[0] for r in _db(workspace).execute("SELECT progress FROM tasks ORDER BY row")]
    assert progress == [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0]


def test_system_and_temporary_files_are_ignored(workspace: Config) -> None:
    from consolidate.intake.inbox import collect, is_ignored

    for name in (
        "~$bao cao.xlsx",
        "Thumbs.db",
        "desktop.ini",
        "a.xlsx.crdownload",
        ".hidden.xlsx",
        "x.tmp",
    ):
        (workspace.inbox / name).write_bytes(b"x")
        assert is_ignored(workspace.inbox / name)
    real = submission(workspace, workspace.inbox / "SKHCN.xlsx")
    assert collect([workspace.inbox]) == [real]


def test_compact_rows_store_the_same_as_one_dict_per_row(workspace: Config, tmp_path: Path) -> None:
    """The workers send rows as tuples (StoredTable); the store must hold exactly what the
    dict form stores."""
    from consolidate.intake.checked import Checked
    from consolidate.intake.ingest import ROW_LIMITS
    from consolidate.intake.layout import check_layout
    from consolidate.intake.rows import stored_rows, stored_tables
    from consolidate.intake.rules import check_rules
    from consolidate.store.db import Store

    tasks = [task_row(i) for i in range(1, 8)]
    tasks[1]["officer"] = None  # a row with a 06 rõ note in "issues"
    path = submission(workspace, tmp_path / "a.xlsx", tasks=tasks, projects=[project_row(1)])
    received = datetime.fromisoformat(TZ_NOON)
    wb = read_workbook(path.read_bytes(), path.name, row_limits=ROW_LIMITS).workbook
    assert wb is not None
    tables = {}
    for form in ("tuples", "dicts"):
        checked = Checked(report=Report(file=path.name, sha256=form * 8, received_at=TZ_NOON))
        check_layout(wb, checked, workspace, received)
        with Store(workspace.store, workspace.archive) as store:
            check_rules(checked, workspace, store.register_codes(), received)
            assert checked.report.valid
            store.archive_bytes(form.encode(), path.name, received)
            checked.report.sha256 = hashlib.sha256(form.encode()).hexdigest()
            rows = stored_tables(checked) if form == "tuples" else stored_rows(checked)
            sid = store.save_result(checked.report, checked.cover, rows)
        with _db(workspace) as db:
            tables[form] = {
                t: [
                    tuple(r)[1:]
                    for r in db.execute(
                        f"SELECT * FROM {t} WHERE submission_id=? ORDER BY row", (sid,)
                    )
                ]
                for t in ("tasks", "projects")
            }
    assert tables["tuples"]["tasks"] and tables["tuples"]["projects"]
    assert any(r for r in tables["tuples"]["tasks"] if "06 rõ" in str(r))
    assert tables["tuples"] == tables["dicts"]


def test_a_report_survives_its_json_round_trip(workspace: Config, tmp_path: Path) -> None:
    """What the ledger stores (Report.to_dict as JSON) gives back the same findings."""
    import json

    rows = [task_row(1), task_row(2, progress=150), task_row(3, deadline="sớm nhất có thể")]
    path = submission(workspace, tmp_path / "a.xlsx", tasks=rows)
    (report,) = ingest_paths(workspace, [path], received_at=datetime(2026, 6, 4, 9)).reports
    assert report.findings
    again = Report.from_dict(json.loads(json.dumps(report.to_dict(), ensure_ascii=False)))
    assert again.findings == report.findings
    assert again.to_dict() == report.to_dict()
