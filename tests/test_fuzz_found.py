"""Crashes found by a second fuzzer (branch trust-fuzz, bench/fuzzing.py there; 10,000
cases, seed 14): each escaped the reader as an exception (exit 3 through the CLI) before
its fix and is now a ``container-corrupt`` verdict."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import pytest

from consolidate.core.config import Config
from consolidate.intake.reader import read_workbook
from tests.builders import submission


@pytest.fixture
def valid(workspace: Config, tmp_path: Path) -> bytes:
    return submission(workspace, tmp_path / "a.xlsx").read_bytes()


def _damaged_deflate(data: bytes) -> bytes:
    """The file with a sheet's deflate stream damaged so that zlib itself refuses it."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("xl/worksheets/sheet2.xml")
    name_len, extra_len = (
        int.from_bytes(data[info.header_offset + k : info.header_offset + k + 2], "little")
        for k in (26, 28)
    )
    start = info.header_offset + 30 + name_len + extra_len
    for at in range(start + 10, start + info.compress_size - 8):
        damaged = bytearray(data)
        damaged[at : at + 4] = b"\xff\xff\xff\xff"
        try:
            zlib.decompressobj(-15).decompress(bytes(damaged[start : start + info.compress_size]))
        except zlib.error:
            return bytes(damaged)
    raise AssertionError("no damage found that zlib refuses")


def test_damaged_deflate_data_is_a_corrupt_file_not_a_crash(valid: bytes) -> None:
    result = read_workbook(_damaged_deflate(valid), "x.xlsx")
    assert result.workbook is None
    (f,) = result.findings
    assert f.code == "container-corrupt"
    assert "zlib" not in f.message and "Error" not in f.message


def test_unknown_zip_version_is_a_corrupt_file_not_a_crash(valid: bytes) -> None:
    data = bytearray(valid)
    at = data.find(b"PK\x01\x02")  # first central directory entry: "version needed" at +6
    data[at + 6 : at + 8] = (146).to_bytes(2, "little")
    result = read_workbook(bytes(data), "x.xlsx")
    assert result.workbook is None
    assert [f.code for f in result.findings] == ["container-corrupt"]
