"""Bounded memory for real (defect 13): a legitimate non-template .xlsx of more than 20 MB
(one big sheet of text, a big string table) and a template with one huge extra sheet are
answered with a peak RSS under 300 MB, measured on the `consolidate ingest` child process;
a flood of four such files under 600 MB. Only the template's sheets are read in full; any
other sheet to its first rows; a big string table keeps only the strings those rows use."""

from __future__ import annotations

import base64
import io
import os
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from consolidate.core.config import Config
from tests.builders import submission

pytestmark = pytest.mark.skipif(not hasattr(os, "wait4"), reason="peak RSS via wait4 (POSIX)")

MB = 1 << 20
ROWS, COLS = 55_000, 20

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Dữ liệu khảo sát" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def _letters(c: int) -> str:
    out = ""
    while c:
        c, rem = divmod(c - 1, 26)
        out = chr(65 + rem) + out
    return out


def _texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    return [base64.b64encode(rng.randbytes(16)).decode() for _ in range(n)]


def _rows_xml(cell: str) -> bytes:
    """The sheetData of ROWS × COLS cells; ``cell`` formats (ref, index)."""
    cols = [_letters(c) for c in range(1, COLS + 1)]
    out = io.StringIO()
    out.write("<sheetData>")
    i = 0
    for r in range(1, ROWS + 1):
        out.write(f'<row r="{r}">')
        for col in cols:
            out.write(cell.format(ref=f"{col}{r}", i=i))
            i += 1
        out.write("</row>")
    out.write("</sheetData>")
    return out.getvalue().encode()


def big_plain_workbook(path: Path, seed: int) -> Path:
    """An ordinary workbook (not the template): one sheet of ROWS × COLS distinct texts."""
    texts = _texts(seed, ROWS * COLS)
    sst = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(f"<si><t>{t}</t></si>" for t in texts)
        + "</sst>"
    ).encode()
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + _rows_xml('<c r="{ref}" t="s"><v>{i}</v></c>')
        + b"</worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/sharedStrings.xml", sst)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def template_with_huge_sheet(config: Config, path: Path, seed: int) -> Path:
    """A real submission plus one sheet of its own with ROWS × COLS inline texts."""
    good = submission(config, path.with_suffix(".src.xlsx")).read_bytes()
    texts = iter(_texts(seed, ROWS * COLS))
    cells = _rows_xml('<c r="{ref}" t="inlineStr"><is><t>X</t></is></c>').decode()
    cells = re.sub("<t>X</t>", lambda _m: f"<t>{next(texts)}</t>", cells)
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + cells
        + "</worksheet>"
    ).encode()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as src,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = data.replace(
                    b"</sheets>", b'<sheet name="Du lieu tho" sheetId="99" r:id="rIdBig"/></sheets>'
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdBig" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/worksheet" Target="worksheets/big.xml"/>'
                    b"</Relationships>",
                )
            elif info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/worksheets/big.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
                )
            dst.writestr(info.filename, data)
        dst.writestr("xl/worksheets/big.xml", sheet)
    return path


# Measured by a small launcher: a child forked from this (large) test process would count
# the pages it shares with it before exec in its peak.
LAUNCHER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
out = proc.stdout.read()
_, status, usage = os.wait4(proc.pid, 0)
sys.stdout.buffer.write(out)
print(f"\\nEXIT {os.waitstatus_to_exitcode(status)} PEAK_KB {usage.ru_maxrss}")
"""


def peak_rss_mb(config: Config, *paths: Path) -> tuple[float, str]:
    """Peak RSS of a `consolidate ingest` child process (wait4), and its output."""
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, sys.executable, "-m", "consolidate", "-w",
         str(config.root), "ingest", *map(str, paths), "--received-at", "04/06/2026 16:30"],
        capture_output=True, timeout=600,
    )  # fmt: skip
    out = done.stdout.decode("utf-8", errors="replace")
    m = re.search(r"EXIT (-?\d+) PEAK_KB (\d+)", out)
    assert m is not None, out + done.stderr.decode(errors="replace")
    assert int(m[1]) in (0, 1), out
    return int(m[2]) / 1024, out  # kilobytes on Linux


def test_big_files_are_answered_in_bounded_memory(workspace: Config, tmp_path: Path) -> None:
    plain = big_plain_workbook(tmp_path / "khao sat lon.xlsx", seed=1)
    assert plain.stat().st_size >= 20 * MB
    rss, out = peak_rss_mb(workspace, plain)
    assert "Không có trang" in out and "Traceback" not in out
    assert rss < 300, f"peak RSS {rss:.0f} MB"

    extra = template_with_huge_sheet(workspace, tmp_path / "mau them trang.xlsx", seed=2)
    assert extra.stat().st_size >= 15 * MB
    rss, out = peak_rss_mb(workspace, extra)
    assert "✔ Tiếp nhận" in out, out
    assert rss < 300, f"peak RSS {rss:.0f} MB"


def test_a_flood_of_four_big_files_stays_under_600_mb(workspace: Config, tmp_path: Path) -> None:
    folder = tmp_path / "dot"
    folder.mkdir()
    big_plain_workbook(folder / "a.xlsx", seed=3)
    big_plain_workbook(folder / "b.xlsx", seed=4)
    template_with_huge_sheet(workspace, folder / "c.xlsx", seed=5)
    template_with_huge_sheet(workspace, folder / "d.xlsx", seed=6)
    for src in folder.glob("*.src.xlsx"):
        src.unlink()
    rss, out = peak_rss_mb(workspace, folder)
    assert "Tổng cộng 4 tệp" in out, out
    assert rss < 600, f"peak RSS {rss:.0f} MB"
