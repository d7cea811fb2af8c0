"""Files written by other programs, each with the exact cause expected (defect 6).

The LibreOffice files in ``tests/data/corpus/`` were saved by LibreOffice 7 (soffice
--convert-to) from a submission made by the product: .ods, flat .fods, Excel 97 .xls, a
Word 97 .doc. The rest is built here byte for byte the way its writer lays it out (this
machine has no Excel or Outlook): Excel's XML Spreadsheet 2003, an Outlook .msg (an OLE2
file whose directory holds __substg1.0_ streams), an Excel 4.0 worksheet (BIFF4), an .xlsb,
and real .xlsx packages whose workbook part is not at xl/workbook.xml or whose member names
use backslashes.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from consolidate.core.config import Config
from consolidate.intake.ingest import ingest_paths
from consolidate.intake.reader import read_workbook
from tests.builders import submission

CORPUS = Path(__file__).parent / "data" / "corpus"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

XML_2003 = """<?xml version="1.0"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="Nhiệm vụ"><Table><Row><Cell><Data ss:Type="String">STT</Data></Cell></Row>
 </Table></Worksheet>
</Workbook>
"""


def _ole(*names: str) -> bytes:
    """An OLE2 header and a directory sector naming ``names`` (UTF-16LE, as Office writes)."""
    directory = b"".join(n.encode("utf-16-le").ljust(64, b"\0") + b"\0" * 64 for n in names)
    return OLE + b"\0" * 504 + directory


def _repack(good: bytes, rename: dict[str, str], edit: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = (edit or {}).get(info.filename, src.read(info.filename))
            dst.writestr(rename.get(info.filename, info.filename), data)
    return out.getvalue()


# file name -> (finding code, words of the message)
FILES: dict[str, tuple[str, str]] = {
    "libreoffice Sở Y tế.ods": ("container-ods", "OpenDocument (.ods)"),
    "libreoffice flat.fods": ("container-ods", "dạng phẳng (.fods)"),
    "libreoffice excel97.xls": ("container-legacy-xls", "Excel 97-2003 (.xls)"),
    "libreoffice word97.doc": ("container-word", "Word 97-2003 (.doc)"),
}


@pytest.mark.parametrize("name", list(FILES))
def test_files_saved_by_libreoffice_get_their_cause(name: str) -> None:
    code, words = FILES[name]
    result = read_workbook((CORPUS / name).read_bytes(), name)
    assert result.workbook is None
    (found,) = result.findings
    assert found.code == code and words in found.message, found.message


def test_ods_answer_says_how_to_resave_as_xlsx() -> None:
    data = (CORPUS / "libreoffice Sở Y tế.ods").read_bytes()
    (found,) = read_workbook(data, "bao cao.ods").findings
    assert "Excel 2007-365 (.xlsx)" in found.fix and "Lưu thành" in found.fix


BUILT: dict[str, tuple[bytes, str, str]] = {
    "bao cao.xml": (XML_2003.encode(), "container-xml-spreadsheet", "XML Spreadsheet 2003"),
    "bao cao.xls (xml 2003)": (
        XML_2003.encode("utf-16"),
        "container-xml-spreadsheet",
        "XML Spreadsheet 2003",
    ),
    "thu.msg": (
        _ole("Root Entry", "__substg1.0_0037001F", "__properties_version1.0"),
        "container-msg",
        "thư Outlook (.msg)",
    ),
    "cu.doc": (_ole("Root Entry", "WordDocument", "1Table"), "container-word", "Word 97-2003"),
    "excel4.xls": (
        b"\x09\x04\x06\x00\x00\x00\x10\x00" + b"\0" * 200,
        "container-legacy-xls",
        "Excel 2.x–4.0",
    ),
    "bao cao.pdf": (b"%PDF-1.7\n%\xe2\xe3\n", "container-not-excel", "tệp PDF"),
    "anh.png": (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "container-not-excel", "ảnh PNG"),
}


@pytest.mark.parametrize("name", list(BUILT))
def test_other_programs_formats_get_their_cause(name: str) -> None:
    data, code, words = BUILT[name]
    (found,) = read_workbook(data, name).findings
    assert found.code == code and words in found.message, found.message
    assert "HTML" not in found.message


def test_xlsb_is_named(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.bin", b"\x83\x01\x00")
    (found,) = read_workbook(buf.getvalue(), "bao cao.xlsb").findings
    assert found.code == "container-xlsb"


def test_workbook_part_where_the_package_rels_say(workspace: Config, tmp_path: Path) -> None:
    good = submission(workspace, tmp_path / "g.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        names = zf.namelist()
        rels = zf.read("_rels/.rels").decode()
        types = zf.read("[Content_Types].xml").decode()
    moved = {n: n.replace("xl/", "excel/", 1) for n in names if n.startswith("xl/")}
    moved["excel/workbook.xml"] = "excel/so-lieu.xml"
    moved.pop("xl/workbook.xml")
    moved["xl/workbook.xml"] = "excel/so-lieu.xml"
    moved["xl/_rels/workbook.xml.rels"] = "excel/_rels/so-lieu.xml.rels"
    data = _repack(
        good,
        moved,
        {
            "_rels/.rels": re.sub(
                r'Target="/?xl/workbook.xml"', 'Target="excel/so-lieu.xml"', rels
            ).encode(),
            "[Content_Types].xml": types.replace("/xl/", "/excel/")
            .replace("excel/workbook.xml", "excel/so-lieu.xml")
            .encode(),
        },
    )
    result = read_workbook(data, "g.xlsx")
    assert result.findings == [] and result.workbook is not None
    assert "Nhiệm vụ" in result.workbook.sheets
    path = tmp_path / "duong dan la.xlsx"
    path.write_bytes(data)
    (report,) = ingest_paths(workspace, [path]).reports
    assert report.unit_code == "SKHCN" and not any(
        f.code.startswith("container") for f in report.findings
    )


def test_backslash_member_names_are_read(workspace: Config, tmp_path: Path) -> None:
    good = submission(workspace, tmp_path / "g.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        names = zf.namelist()
    data = _repack(good, {n: n.replace("/", "\\") for n in names if n.startswith("xl/")})
    result = read_workbook(data, "g.xlsx")
    assert result.findings == [] and result.workbook is not None
    assert "Nhiệm vụ" in result.workbook.sheets


def test_no_python_exception_name_reaches_a_unit(workspace: Config, tmp_path: Path) -> None:
    good = submission(workspace, tmp_path / "g.xlsx").read_bytes()
    # A member whose data is cut: the zip opens, the part cannot be inflated.
    cut = _repack(good, {}, {"xl/styles.xml": b"<styleSheet"})
    for data in (cut, good[:-200], good[: len(good) // 3]):
        for found in read_workbook(data, "g.xlsx").findings:
            assert not re.search(r"BadZipFile|Error\b|Exception|\(\w+\)$", found.message), (
                found.message
            )
