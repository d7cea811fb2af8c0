"""The threaded packager writes xlsxwriter's package unchanged, and fails loudly, never hangs."""

from __future__ import annotations

import struct
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from xlsxwriter.exceptions import FileCreateError

from consolidate.core.config import Office
from consolidate.render import xlsxzip

OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def _png() -> bytes:
    """A 1×1 PNG, so the package also carries a binary part."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _fill(wb: Any, rows: int) -> None:
    """Many kinds of part: sheets with shared strings, numbers, merges, a comment, a floating
    and an embedded image, a validation, a chart, and one sheet large enough to be deflated
    in several batches."""
    wb.set_properties({"title": "Báo cáo", "created": datetime(2026, 6, 5, 17, 0)})
    bold = wb.add_format({"bold": True, "font_name": "Times New Roman", "border": 1})
    first = wb.add_worksheet("Tổng hợp")
    first.merge_range(0, 0, 0, 3, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold)
    first.write_string(2, 0, '=HYPERLINK("http://x")')
    first.write_comment(2, 0, "Ghi chú: văn bản của đơn vị")
    first.insert_image(4, 4, "pixel.png", {"image_data": BytesIO(_png())})
    first.embed_image(5, 1, "pixel.png", {"image_data": BytesIO(_png())})  # a "/xl/…" part
    first.data_validation(1, 1, 10, 1, {"validate": "list", "source": ["Có", "Không"]})
    big = wb.add_worksheet("Chi tiết")
    for r in range(rows):
        big.write_string(r, 0, f"Nhiệm vụ số {r} — Đắk Lắk 😀", bold)
        big.write_number(r, 1, r * 1.5)
        big.write_string(r, 2, "Đang thực hiện" if r % 3 else "Hoàn thành")
    chart = wb.add_chart({"type": "bar"})
    chart.add_series({"values": ["Chi tiết", 0, 1, min(rows, 10) - 1, 1], "name": "Số"})
    first.insert_chart(12, 0, chart)
    wb.add_worksheet("Nguồn dữ liệu").write_string(0, 0, "Nguồn")


def _entries(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        return [(name, zf.read(name)) for name in zf.namelist()]


@contextmanager
def _batch(size: int) -> Iterator[None]:
    saved = xlsxzip._BATCH
    xlsxzip._BATCH = size
    try:
        yield
    finally:
        xlsxzip._BATCH = saved


def _read_cell(path: Path, ref: str) -> Any:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return wb.worksheets[0][ref].value
    finally:
        wb.close()


def _zip_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "xlsx-zip"]


@pytest.mark.parametrize("constant_memory", [False, True])
def test_same_parts_in_the_same_order_as_plain_xlsxwriter(
    tmp_path: Path, constant_memory: bool
) -> None:
    assert xlsxzip.supported()
    options = {**OPTIONS, "constant_memory": constant_memory}
    plain, threaded = tmp_path / "plain.xlsx", tmp_path / "luồng ghi.xlsx"
    for cls, path in ((xlsxwriter.Workbook, plain), (xlsxzip.Workbook, threaded)):
        wb = cls(str(path), options)
        _fill(wb, rows=5_000)
        with _batch(64):  # several batches per large part, and many tiny ones
            wb.close()
    got, want = _entries(threaded), _entries(plain)
    assert [n for n, _ in got] == [n for n, _ in want]
    assert "xl/media/image1.png" in dict(got)
    assert got == want
    sheet = openpyxl.load_workbook(threaded)["Chi tiết"]
    assert sheet["A4999"].value == "Nhiệm vụ số 4998 — Đắk Lắk 😀"
    assert sheet["B5000"].value == 4999 * 1.5
    assert not _zip_threads()


@settings(max_examples=25, deadline=None)
@given(
    texts=st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=60),
    batch=st.integers(min_value=1, max_value=50),
)
def test_any_text_in_any_batching_comes_back_exactly(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str], batch: int
) -> None:
    path = tmp_path_factory.mktemp("z") / "b.xlsx"
    wb = xlsxzip.Workbook(path, OPTIONS)
    ws = wb.add_worksheet("Chi tiết")
    for r, text in enumerate(texts):
        ws.write_string(r, 0, text)
    with _batch(batch):
        wb.close()
    with zipfile.ZipFile(path) as zf:
        sst = zf.read("xl/sharedStrings.xml").decode("utf-8")
    plain = BytesIO()
    wb = xlsxwriter.Workbook(plain, {**OPTIONS, "in_memory": True})
    ws = wb.add_worksheet("Chi tiết")
    for r, text in enumerate(texts):
        ws.write_string(r, 0, text)
    wb.close()
    with zipfile.ZipFile(plain) as zf:
        assert sst == zf.read("xl/sharedStrings.xml").decode("utf-8")


def test_a_failed_write_raises_on_close_and_leaves_no_thread(tmp_path: Path) -> None:
    wb = xlsxzip.Workbook(tmp_path / "không có" / "b.xlsx", OPTIONS)
    _fill(wb, rows=100)
    with pytest.raises(FileCreateError):  # xlsxwriter's own error for an unwritable target
        wb.close()
    assert not _zip_threads()


def test_a_failure_while_generating_stops_the_zip_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlsxwriter.sharedstrings import SharedStrings

    def broken(self: object) -> None:
        raise RuntimeError("hỏng giữa chừng")

    monkeypatch.setattr(SharedStrings, "_assemble_xml_file", broken)
    wb = xlsxzip.Workbook(tmp_path / "b.xlsx", OPTIONS)
    _fill(wb, rows=100)
    with pytest.raises(RuntimeError, match="hỏng giữa chừng"):
        wb.close()
    assert not _zip_threads()
    assert not (tmp_path / "b.xlsx").exists()  # no half package that opens like a workbook


def test_a_disk_that_fills_up_stops_the_generating_early(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[str] = []

    class FullDisk(zipfile.ZipFile):
        def open(self, name: Any, mode: str = "r", **kwargs: Any) -> Any:  # type: ignore[override]
            if mode == "w" and len(self.filelist) >= 2:
                raise OSError(28, "No space left on device")
            written.append(str(getattr(name, "filename", name)))
            return super().open(name, mode, **kwargs)

    monkeypatch.setattr(xlsxzip, "ZipFile", FullDisk)
    made: list[str] = []
    real = xlsxzip._StreamingPackager._filename

    def count(self: Any, name: str) -> Any:
        made.append(name)
        return real(self, name)

    monkeypatch.setattr(xlsxzip._StreamingPackager, "_filename", count)
    wb = xlsxzip.Workbook(tmp_path / "b.xlsx", OPTIONS)
    _fill(wb, rows=20_000)
    with pytest.raises(FileCreateError, match="No space left"):
        wb.close()
    assert not _zip_threads() and not (tmp_path / "b.xlsx").exists()
    assert len(written) == 2
    assert "xl/sharedStrings.xml" not in made  # stopped long before the end of the package


def test_constant_memory_stays_plain_xlsxwriter_and_flat(tmp_path: Path) -> None:
    """In constant_memory mode a sheet is copied into its part in a few 64 kB writes, far
    faster than zlib deflates them: streaming would hold the whole sheet in memory."""
    import tracemalloc

    rows = 20_000
    wb = xlsxzip.Workbook(tmp_path / "cm.xlsx", {**OPTIONS, "constant_memory": True})
    ws = wb.add_worksheet("Chi tiết")
    for r in range(rows):
        for c in range(5):
            ws.write_string(r, c, f"Nhiệm vụ {r}-{c}: tăng cường chuyển đổi số")
    tracemalloc.start()
    try:
        wb.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    with zipfile.ZipFile(tmp_path / "cm.xlsx") as zf:
        sheet_xml = zf.getinfo("xl/worksheets/sheet1.xml").file_size
    assert sheet_xml > 5_000_000
    assert peak < sheet_xml / 4
    assert (
        _read_cell(tmp_path / "cm.xlsx", "E20000") == "Nhiệm vụ 19999-4: tăng cường chuyển đổi số"
    )


@pytest.mark.parametrize("zip64", [False, True])
def test_a_part_over_the_zip_limit_fails_as_in_xlsxwriter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zip64: bool
) -> None:
    """Parts over 2 GiB (here: over a limit lowered to 1 MiB): FileSizeError unless
    use_zip64(), then a readable package — what plain xlsxwriter does."""
    from xlsxwriter.exceptions import FileSizeError

    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 1 << 20)
    outcomes = []
    for cls in (xlsxwriter.Workbook, xlsxzip.Workbook):
        path = tmp_path / f"{cls.__module__}.xlsx"
        wb = cls(str(path), OPTIONS)
        if zip64:
            wb.use_zip64()
        ws = wb.add_worksheet()
        for r in range(40_000):
            ws.write_number(r, 0, r)
        try:
            wb.close()
        except FileSizeError:
            outcomes.append("FileSizeError")
        else:
            outcomes.append(_read_cell(path, "A40000"))
    assert outcomes == ([39_999, 39_999] if zip64 else ["FileSizeError", "FileSizeError"])
    assert not _zip_threads()


def test_the_renderer_falls_back_to_plain_xlsxwriter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from consolidate.render import kit as render

    made: list[type] = []
    real_init: Callable[..., None] = xlsxwriter.Workbook.__init__

    def spy(self: Any, *args: Any, **kwargs: Any) -> None:
        made.append(type(self))
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(xlsxwriter.Workbook, "__init__", spy)
    render.Book(tmp_path / "a.xlsx", datetime(2026, 6, 5), Office()).close()
    monkeypatch.setattr(xlsxzip, "supported", lambda: False)
    render.Book(tmp_path / "b.xlsx", datetime(2026, 6, 5), Office()).close()
    assert made == [xlsxzip.Workbook, xlsxwriter.Workbook]
    assert openpyxl.load_workbook(tmp_path / "a.xlsx").sheetnames == ["Sheet1"]
    assert openpyxl.load_workbook(tmp_path / "b.xlsx").sheetnames == ["Sheet1"]


@pytest.mark.parametrize("failure", ["generating", "writing"])
def test_a_failed_close_leaves_nothing_that_complains_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    """After close() failed, collecting what is left prints nothing on stderr (no finalizer
    of a half-closed zip file failing)."""
    import gc
    import sys

    from xlsxwriter.sharedstrings import SharedStrings

    def broken(self: object) -> None:
        raise RuntimeError("hỏng giữa chừng")

    if failure == "generating":
        monkeypatch.setattr(SharedStrings, "_assemble_xml_file", broken)
        target = tmp_path / "b.xlsx"
    else:
        target = tmp_path / "không có" / "b.xlsx"
    caught: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: caught.append(repr(u.exc_value)))
    for _ in range(3):
        wb = xlsxzip.Workbook(target, OPTIONS)
        _fill(wb, rows=50)
        with pytest.raises((RuntimeError, FileCreateError)) as excinfo:
            wb.close()
        del wb, excinfo
        gc.collect()
    assert caught == []
