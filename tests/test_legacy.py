"""Legacy Vietnamese fonts (defect 3): TCVN3, VNI and VISCII recognised correctly and
converted to Unicode with a warning naming the cell; what no table reads rejects the row with
the reason."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from consolidate.core.config import Config
from consolidate.core.legacy import decode_legacy
from consolidate.intake.ingest import ingest_paths
from tests.builders import cover, submission, task_row

NOON = datetime.fromisoformat("2026-06-04T12:00:00+07:00")


@pytest.mark.parametrize(
    ("typed", "encoding", "text"),
    [
        ("TriÓn khai bÖnh ¸n ®iÖn tö", "TCVN3", "Triển khai bệnh án điện tử"),
        ("Së Khoa häc vµ C«ng nghÖ", "TCVN3", "Sở Khoa học và Công nghệ"),
        ("Tæ gióp viÖc", "TCVN3", "Tổ giúp việc"),
        ("Trieån khai beänh aùn ñieän töû", "VNI", "Triển khai bệnh án điện tử"),
        ("Sôû Khoa hoïc vaø Coâng ngheä", "VNI", "Sở Khoa học và Công nghệ"),
        ("Ñaék Laék", "VNI", "Đắk Lắk"),
        ("SÔÛ KHOA HOÏC", "VNI", "SỞ KHOA HỌC"),
        # VISCII (RFC 1456) as a cell shows it through Windows-1252; the typed texts below
        # are what `iconv -t VISCII` gives for the Unicode text, read as Windows-1252.
        ("Tri¬n khai b®nh án ði®n tØ", "VISCII", "Triển khai bệnh án điện tử"),
        ("TRIŒN KHAI ºNG DžNG", "VISCII", "TRIỂN KHAI ỨNG DỤNG"),
        ("Xây dñng c½ s· dæ li®u ð¤t ðai", "VISCII", "Xây dựng cơ sở dữ liệu đất đai"),
        ("Ðang thñc hi®n", "VISCII", "Đang thực hiện"),
        (
            "Ch§m tiªn ðµ do vß¾ng m¡c giäi phóng m£t b¢ng",
            "VISCII",
            "Chậm tiến độ do vướng mắc giải phóng mặt bằng",
        ),
    ],
)
def test_each_legacy_font_is_named_and_converted(typed: str, encoding: str, text: str) -> None:
    legacy = decode_legacy(typed)
    assert legacy is not None and (legacy.encoding, legacy.text) == (encoding, text)


@pytest.mark.parametrize(
    "typed",
    [
        "Sở Khoa học",
        "café",
        "±5 %",
        "Xã Ea Kar",
        "Bé",
        # Windows-1252 signs that are letters in VISCII, where ordinary text puts them
        "Thành công — xong",
        "— và",
        "“Chuyen doi so”",
        "210 × 297 mm",
        "30°C",
        "Phú Yên",
        "Hòa",
    ],
)
def test_ordinary_text_is_left_alone(typed: str) -> None:
    assert decode_legacy(typed) is None


def test_tcvn3_task_text_reaches_the_store_in_unicode(workspace: Config, tmp_path: Path) -> None:
    tasks = [task_row(1, task="TriÓn khai bÖnh ¸n ®iÖn tö")]
    path = submission(workspace, tmp_path / "a.xlsx", tasks=tasks)
    (report,) = ingest_paths(workspace, [path], received_at=NOON).reports
    assert report.verdict == "accepted", report.findings
    (warning,) = [f for f in report.findings if f.code == "legacy-encoding"]
    assert warning.severity == "warning" and (warning.sheet, warning.cell) == ("Nhiệm vụ", "C4")
    assert "TCVN3" in warning.message and "VNI" not in warning.message
    stored = sqlite3.connect(workspace.store).execute("SELECT task FROM tasks").fetchall()
    assert stored == [("Triển khai bệnh án điện tử",)]


def test_unreadable_legacy_text_rejects_the_row_with_the_reason(
    workspace: Config, tmp_path: Path
) -> None:
    tasks = [task_row(1, task="TriÓn khai ¿¿ bÖnh ¸n")]
    path = submission(workspace, tmp_path / "a.xlsx", tasks=tasks)
    (report,) = ingest_paths(workspace, [path], received_at=NOON).reports
    assert report.verdict == "rejected"
    (error,) = [f for f in report.findings if f.code == "legacy-encoding"]
    assert error.severity == "error" and error.cell == "C4"
    assert "không chuyển được sang Unicode" in error.message


def test_the_catalogue_and_the_unit_list_are_never_taken_for_legacy_text(
    workspace: Config,
) -> None:
    """Every Unicode text the product itself writes (finding titles and fixes, unit names
    and aliases) reads as it is: no table is applied to it."""
    from consolidate.core.codes import CATALOGUE

    texts = [t for c in CATALOGUE for t in (c.title, c.fix)]
    texts += [n for u in workspace.units for n in (u.name, *u.aliases)]
    assert [t for t in texts if decode_legacy(t) is not None] == []


def _viscii_typed(text: str) -> str:
    """``text`` as a VISCII font shows it in a cell, from the RFC 1456 table kept in the
    module (the examples above pin that table to iconv's)."""
    from consolidate.core.legacy import _VISCII_HIGH, _VISCII_LOW

    table = {ch: b for b, ch in enumerate(_VISCII_HIGH, start=0x80)}
    table.update({ch: b for b, ch in _VISCII_LOW.items()})
    raw = bytes(table.get(ch, ord(ch)) for ch in text)
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in raw)


def test_a_legacy_unit_name_never_names_another_unit(workspace: Config) -> None:
    """Short names read plausibly in two fonts ("S· Y tª" is "Sã Y tê" in TCVN3, "Sở Y tế"
    in VISCII): a unit cell takes the first reading that names a unit, and no reading of
    any unit's name in VISCII ever names another unit."""
    from consolidate.intake.coerce import coerce_value
    from schemas import COVER, Column

    (field,) = [f for f in COVER if f.key == "unit"]
    column = Column(field.key, field.label, field.kind)
    units = workspace.unit_index
    named = 0
    for unit in workspace.units:
        typed = _viscii_typed(unit.name)
        if typed == unit.name:
            continue
        try:
            code = coerce_value(column, typed, False, units)
        except Exception as bad:  # a warning with the converted value, or unreadable
            code = getattr(bad, "value", None)
        assert code in (unit.code, None), (unit.name, typed, code)
        named += code == unit.code
    assert named >= 65, named  # 67 of 80 today; the rest are refused, never misread


def test_viscii_task_text_reaches_the_store_in_unicode(workspace: Config, tmp_path: Path) -> None:
    tasks = [task_row(1, task="Tri¬n khai b®nh án ði®n tØ")]
    path = submission(workspace, tmp_path / "a.xlsx", cover_data=cover(unit="S· Y tª"), tasks=tasks)
    (report,) = ingest_paths(workspace, [path], received_at=NOON).reports
    assert report.verdict == "accepted", report.findings
    assert report.unit_code == "SYT"
    found = {(f.sheet, f.cell): f for f in report.findings if f.code == "legacy-encoding"}
    assert set(found) == {("Nhiệm vụ", "C4"), ("Thông tin chung", "B3")}, found
    task, unit = found[("Nhiệm vụ", "C4")], found[("Thông tin chung", "B3")]
    assert task.severity == unit.severity == "warning"
    assert "phông chữ cũ VISCII" in task.message
    assert "“Triển khai bệnh án điện tử”" in task.message
    assert "phông chữ cũ VISCII" in unit.message and "“Sở Y tế”" in unit.message
    stored = sqlite3.connect(workspace.store).execute("SELECT task FROM tasks").fetchall()
    assert stored == [("Triển khai bệnh án điện tử",)]
