"""The written workbooks: untrusted text stays text, official layout, safe write."""

from __future__ import annotations

import errno
import gc
import os
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from consolidate.build import build_plan, build_projects, build_weekly
from consolidate.core.config import Config
from consolidate.core.errors import OutputError
from consolidate.core.files import versioned_name
from consolidate.render import weekly as render_weekly
from consolidate.render.kit import sheet_name
from consolidate.render.output import safe_write
from consolidate.store.db import Store
from tests.helpers_store import add_submission, project, task

EVIL = {
    "task": '=HYPERLINK("http://x","y")',
    "officer": "+84 912 345 678",
    "authority": "-Giám đốc",
    "deliverable": "@SUM(A1:A2)",
    "proposal": "http://example.com/bao-cao",
    "bottleneck": "=1+1",
    "note": "Chuông\x07 trong ô",
}


@pytest.fixture
def store(workspace: Config) -> Iterator[Store]:
    with Store(workspace.store, workspace.archive) as s:
        yield s


def friday(cfg: Config) -> datetime:
    return datetime(2026, 5, 29, 9, 30, tzinfo=cfg.calendar.tz)


def weekly(cfg: Config, store: Store) -> Path:
    when = datetime(2026, 5, 27, 9, tzinfo=cfg.calendar.tz)
    add_submission(
        store, "SNV", when, tasks=[task(**EVIL, deadline="20/05/2026"), task(task="Bình thường")]
    )
    add_submission(store, "STP", when, tasks=[task(task="Việc của Sở Tư pháp")])
    return build_weekly(cfg, store, "2026-W22", now=friday(cfg)).path


def test_unit_text_arrives_as_plain_text(workspace: Config, store: Store) -> None:
    path = weekly(workspace, store)
    wb = openpyxl.load_workbook(path)
    found = {}
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in EVIL.values() or (
                    isinstance(cell.value, str) and cell.value.startswith("Chuông")
                ):
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    assert cell.hyperlink is None
                    found.setdefault(ws.title, set()).add(cell.value)
    assert set(EVIL.values()) - {EVIL["note"]} <= found["Chi tiết"]
    assert EVIL["task"] in found["Quá hạn"] and EVIL["proposal"] in found["Điểm nghẽn, kiến nghị"]
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            text = z.read(name).decode("utf-8", "replace")
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in text and "<f " not in text, name  # no formula anywhere
                assert "<hyperlink" not in text, name
            if name.endswith(".rels"):
                assert "hyperlink" not in text.lower(), name
        shared = z.read("xl/sharedStrings.xml").decode("utf-8")
    # A shared string (a cell of type "s"), not a formula.
    assert '<t>=HYPERLINK("http://x","y")</t>' in shared


def test_streaming_mode_writes_the_same_content(
    workspace: Config, store: Store, monkeypatch
) -> None:
    """Above CONSTANT_MEMORY_ROWS the weekly workbook is streamed; same cells either way."""
    path = weekly(workspace, store)
    normal = {ws.title: list(ws.values) for ws in openpyxl.load_workbook(path)}
    monkeypatch.setattr(render_weekly, "CONSTANT_MEMORY_ROWS", 0)
    streamed = build_weekly(workspace, store, "2026-W22", now=friday(workspace)).path
    assert {ws.title: list(ws.values) for ws in openpyxl.load_workbook(streamed)} == normal
    with zipfile.ZipFile(streamed) as z:
        # Chi tiết is the 8th sheet (after Tổng hợp, Xu hướng, three appendices, reporting,
        # the register tasks nobody reports)
        detail = z.read("xl/worksheets/sheet8.xml").decode("utf-8")
        assert "<f>" not in detail
    assert re.search(r't="inlineStr"><is><t>=HYPERLINK\("http://x","y"\)</t>', detail)


def test_weekly_layout(workspace: Config, store: Store) -> None:
    path = weekly(workspace, store)
    assert gc.isenabled()
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "Tổng hợp",
        "Xu hướng",
        "Quá hạn",
        "Sắp đến hạn",
        "Điểm nghẽn, kiến nghị",
        "Tình hình báo cáo",
        "Chưa có đơn vị báo cáo",
        "Chi tiết",
        "Nguồn dữ liệu",
    ]
    for ws in wb:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert str(ws.page_setup.paperSize) == "9", ws.title  # A4
        if ws.sheet_properties.pageSetUpPr.fitToPage:
            # One page wide (1 is the XML default, so it may be omitted), any number tall.
            assert ws.page_setup.fitToWidth in (None, 1), ws.title
            assert ws.page_setup.fitToHeight == 0, ws.title
        else:  # too wide to fit readably: 84 % across pages, STT and unit on every page
            assert ws.page_setup.scale == 84 and ws.page_setup.pageOrder == "overThenDown"
            assert ws.print_title_cols == "$A:$B", ws.title
        assert ws.print_title_rows, ws.title  # header row repeated on every page
        assert ws.oddFooter.center.text == "Trang &P", ws.title
    summary = wb["Tổng hợp"]
    texts = [c.value for row in summary.iter_rows(max_row=8) for c in row if c.value]
    assert texts[:4] == [
        "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "TỔ GIÚP VIỆC VỀ CCHC, THỂ CHẾ, KHCN,\nĐMST, CĐS VÀ PHÁT TRIỂN NGUỒN NHÂN LỰC",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert any("tuần 22/2026" in str(t) for t in texts)
    assert summary["A1"].font.name == "Times New Roman"
    detail = wb["Chi tiết"]
    assert detail.freeze_panes == "C3"  # title, header; STT and unit stay visible
    assert detail.auto_filter.ref and detail.auto_filter.ref.startswith("A2:")
    rules = [r for cf in detail.conditional_formatting for r in cf.rules]
    assert len(rules) >= 7
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert charts, "Tổng hợp needs a native chart"
        rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        assert "drawing" in rels
        assert "Tổng hợp" in z.read(charts[0]).decode()


def test_projects_and_plan_workbooks(workspace: Config, store: Store) -> None:
    cfg = workspace
    when = datetime(2026, 6, 4, 9, tzinfo=cfg.calendar.tz)
    add_submission(
        store,
        "SKHCN",
        when,
        tasks=[task(deadline="Tháng 7/2026")],
        projects=[project(), project(stage="Chưa phê duyệt chủ trương đầu tư", disbursed=0.0)],
    )
    projects = build_projects(
        cfg, store, "2026-06/1", now=datetime(2026, 6, 6, tzinfo=cfg.calendar.tz)
    )
    wb = openpyxl.load_workbook(projects.path)
    assert wb.sheetnames == [
        "Tổng hợp",
        "Dự án chậm giải ngân",
        "Chưa phê duyệt chủ trương",
        "Điểm nghẽn, kiến nghị",
        "Tình hình báo cáo",
        "Chi tiết dự án",
        "Nguồn dữ liệu",
    ]
    with zipfile.ZipFile(projects.path) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
    plan = build_plan(cfg, store, month="2026-07", now=datetime(2026, 6, 6, tzinfo=cfg.calendar.tz))
    assert openpyxl.load_workbook(plan.path).sheetnames == [
        "Tổng hợp",
        "Kế hoạch chi tiết",
        "Quá hạn chưa hoàn thành",
        "Theo văn bản giao",
        "Chỉ tiêu",
        "Nguồn dữ liệu",
    ]
    assert plan.path.name == "Ke-hoach-chi-tiet-2026-07.xlsx"


# --- safe write ---------------------------------------------------------------------------------


def _write_marker(text: str):
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    return write


def test_target_open_in_excel_gets_a_versioned_name(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "Bao-cao-tuan-2026-W22.xlsx"
    target.write_text("bản cũ đang mở", encoding="utf-8")
    real_replace = os.replace

    def locked(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == target:
            raise PermissionError(errno.EACCES, "The process cannot access the file")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", locked)
    first = safe_write(target, _write_marker("mới 1"))
    assert first.path == tmp_path / "Bao-cao-tuan-2026-W22 (2).xlsx"
    assert first.path.read_text(encoding="utf-8") == "mới 1"
    assert "đang được mở" in first.note and first.path.name in first.note
    second = safe_write(target, _write_marker("mới 2"))  # (2) exists: never overwrite it
    assert second.path.name == "Bao-cao-tuan-2026-W22 (3).xlsx"
    assert target.read_text(encoding="utf-8") == "bản cũ đang mở"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "Bao-cao-tuan-2026-W22 (2).xlsx",
        "Bao-cao-tuan-2026-W22 (3).xlsx",
        "Bao-cao-tuan-2026-W22.xlsx",
    ]


def test_weekly_build_reports_the_versioned_name(
    workspace: Config, store: Store, monkeypatch
) -> None:
    real_replace = os.replace

    def locked(src: str | Path, dst: str | Path) -> None:
        if Path(dst).name == "Bao-cao-tuan-2026-W22.xlsx":
            raise PermissionError(errno.EACCES, "locked")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", locked)
    add_submission(
        store, "SNV", datetime(2026, 5, 27, 9, tzinfo=workspace.calendar.tz), tasks=[task()]
    )
    result = build_weekly(workspace, store, "2026-W22", now=friday(workspace))
    assert result.path.name == "Bao-cao-tuan-2026-W22 (2).xlsx"
    assert result.note and result.note in result.summary
    assert openpyxl.load_workbook(result.path).sheetnames[0] == "Tổng hợp"


def test_all_names_locked_is_an_output_error(tmp_path: Path, monkeypatch) -> None:
    def locked(src: str | Path, dst: str | Path) -> None:
        raise PermissionError(errno.EACCES, "locked")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(OutputError, match="đang bị khóa"):
        safe_write(tmp_path / "a.xlsx", _write_marker("x"), max_versions=3)
    assert list(tmp_path.iterdir()) == []


def test_disk_full_keeps_the_previous_report(workspace: Config, store: Store, monkeypatch) -> None:
    path = weekly(workspace, store)
    before = path.read_bytes()

    def full(self: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", full)
    with pytest.raises(OutputError) as err:
        build_weekly(workspace, store, "2026-W22", now=friday(workspace))
    assert "ổ đĩa đã đầy" in str(err.value) and "dung lượng" in err.value.hint
    assert gc.isenabled()  # the collector paused during the write is back on
    assert path.read_bytes() == before
    assert sorted(p.name for p in workspace.outbox.iterdir()) == [
        path.with_suffix(".docx").name,  # the Word report of the first build
        path.name,
    ]


def test_rename_failure_removes_the_temporary_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "b.xlsx"
    target.write_text("cũ", encoding="utf-8")

    def broken(src: str | Path, dst: str | Path) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OutputError, match=r"b\.xlsx: lỗi đọc, ghi ổ đĩa"):
        safe_write(target, _write_marker("mới"))
    assert [p.name for p in tmp_path.iterdir()] == ["b.xlsx"]
    assert target.read_text(encoding="utf-8") == "cũ"


def test_versioned_name() -> None:
    assert versioned_name(Path("o/Bao-cao.xlsx"), 4) == Path("o/Bao-cao (4).xlsx")


# --- sheet names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tổng hợp", "Tổng hợp"),
        ("Tháng 6/2026", "Tháng 6-2026"),
        ("a[b]c:d*e?f\\g", "a-b-c-d-e-f-g"),
        ("'Trích dẫn'", "Trích dẫn"),
        ("", "Trang"),
        ("Điểm nghẽn, kiến nghị của các sở, ban, ngành và xã", "Điểm nghẽn, kiến nghị của các s"),
    ],
)
def test_sheet_names_are_sanitised(text: str, expected: str) -> None:
    name = sheet_name(text)
    assert name == expected
    assert len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name)


def test_sheet_names_are_unique() -> None:
    used: set[str] = set()
    names = [sheet_name("Chi tiết dự án của đơn vị rất dài tên", used) for _ in range(3)]
    assert len(set(names)) == 3 and all(len(n) <= 31 for n in names)
    assert names[1].endswith("(2)") and names[2].endswith("(3)")
