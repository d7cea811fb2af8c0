"""The reader's two sheet parsers (regular-expression fast path, ElementTree fallback)
must read every workbook identically."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consolidate.core.config import Config
from consolidate.intake.cells import RawWorkbook
from consolidate.intake.reader import read_workbook
from tests.builders import project_row, submission

DATA = Path(__file__).parent / "data"


def _same(data: bytes) -> RawWorkbook:
    fast = read_workbook(data, "a.xlsx", fast=True)
    slow = read_workbook(data, "a.xlsx", fast=False)
    assert [f.code for f in fast.findings] == [f.code for f in slow.findings]
    assert fast.workbook is not None and slow.workbook is not None
    assert fast.workbook.template_version == slow.workbook.template_version
    assert list(fast.workbook.sheets) == list(slow.workbook.sheets)
    for name, a in fast.workbook.sheets.items():
        b = slow.workbook.sheets[name]
        assert {r: {c: repr(v) for c, v in row.items()} for r, row in a.rows.items()} == {
            r: {c: repr(v) for c, v in row.items()} for r, row in b.rows.items()
        }, name
        assert (a.percent, sorted(a.merged), a.hidden_rows, a.hidden_cols, a.state) == (
            b.percent, sorted(b.merged), b.hidden_rows, b.hidden_cols, b.state
        )  # fmt: skip
    return fast.workbook


def test_generated_libreoffice_and_hand_edited_files_read_the_same(
    workspace: Config, tmp_path: Path
) -> None:
    src = submission(workspace, tmp_path / "a.xlsx", n_tasks=20, projects=[project_row(1)])
    _same(src.read_bytes())
    _same((DATA / "libreoffice-resaved Sở Y tế.xlsx").read_bytes())
    wb = openpyxl.load_workbook(src)
    ws = wb["Nhiệm vụ"]
    ws.merge_cells("H5:H6")
    ws.row_dimensions[7].hidden = True
    ws.column_dimensions["R"].hidden = True
    ws["L8"] = "=40+10"
    ws["L9"] = 0.6
    ws["L9"].number_format = "0%"
    ws["Q10"] = "a & b < c > d \"e\" 'f'\nline two"
    ws["Q11"] = unicodedata.normalize("NFD", "Đề xuất kinh phí")
    ws["N12"] = datetime(2026, 6, 1)
    ws["B13"] = True
    buf = io.BytesIO()
    wb.save(buf)
    book = _same(buf.getvalue())
    assert book.sheets["Nhiệm vụ"].value(10, 17) == "a & b < c > d \"e\" 'f'\nline two"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.text(min_size=1, max_size=40).filter(lambda s: s.strip()), min_size=1, max_size=8)
)
def test_any_text_reads_the_same_through_both_parsers(workspace: Config, texts: list[str]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, text in enumerate(texts, start=1):
        cleaned = "".join(
            ch
            for ch in text
            if ch in "\t\n"
            or (
                ord(ch) >= 32
                and not 0xD800 <= ord(ch) <= 0xDFFF
                and ord(ch) not in (0xFFFE, 0xFFFF)
            )
        )
        ws.cell(i, 1, cleaned or "x")
        ws.cell(i, 2, i * 1.5)
    buf = io.BytesIO()
    wb.save(buf)
    _same(buf.getvalue())


def test_row_limits_skip_our_own_sheets_in_both_parsers(workspace: Config, tmp_path: Path) -> None:
    data = submission(workspace, tmp_path / "a.xlsx", n_tasks=12).read_bytes()
    full = read_workbook(data, "a.xlsx").workbook
    assert full is not None and full.sheets["Hướng dẫn"].rows
    assert len(full.sheets["_danhmuc"].rows) > 1
    for fast in (True, False):
        wb = read_workbook(
            data, "a.xlsx", fast=fast, row_limits={"Hướng dẫn": 0, "_danhmuc": 1}
        ).workbook
        assert wb is not None
        assert wb.sheets["Hướng dẫn"].rows == {}
        assert set(wb.sheets["_danhmuc"].rows) == {1}
        assert wb.template_version == full.template_version
        assert wb.sheets["Nhiệm vụ"].rows == full.sheets["Nhiệm vụ"].rows


def _with_sheet_xml(data: bytes, edit: Callable[[str], str]) -> bytes:
    """The workbook with the XML of every worksheet passed through ``edit``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                body = edit(body.decode()).encode()
            zout.writestr(info.filename, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_unusual_cell_markup_reads_the_same_through_both_parsers(
    workspace: Config, tmp_path: Path
) -> None:
    data = submission(workspace, tmp_path / "a.xlsx", n_tasks=6).read_bytes()
    plain = read_workbook(data, "a.xlsx").workbook
    assert plain is not None
    # "s" before "r", an empty cell written open/close instead of self-closing, and an
    # attribute the reader does not know.
    edited = _with_sheet_xml(
        data,
        lambda xml: re.sub(
            r'<c r="([A-Z]+\d+)" s="(\d+)"/>',
            r'<c r="\1" s="\2"></c>',
            re.sub(r'<c r="(C\d+)" s="(\d+)"', r'<c s="\2" r="\1"', xml, count=3),
            count=1,
        ).replace(' t="s">', ' t="s" cm1="1">', 2),
    )
    book = _same(edited)
    assert book.sheets["Nhiệm vụ"].rows == plain.sheets["Nhiệm vụ"].rows
    # A cell left open swallows nothing: the file is reported broken, not read short.
    broken = _with_sheet_xml(data, lambda xml: xml.replace("</c>", "", 1))
    result = read_workbook(broken, "a.xlsx")
    assert result.workbook is None and result.findings[0].code == "container-corrupt"
