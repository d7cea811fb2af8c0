"""Legacy Vietnamese fonts (defect 3): TCVN3 and VNI recognised correctly and converted to
Unicode with a warning naming the cell; what no table reads rejects the row with the reason."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from consolidate.core.config import Config
from consolidate.core.legacy import decode_legacy
from consolidate.intake.ingest import ingest_paths
from tests.builders import submission, task_row

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
    ],
)
def test_each_legacy_font_is_named_and_converted(typed: str, encoding: str, text: str) -> None:
    legacy = decode_legacy(typed)
    assert legacy is not None and (legacy.encoding, legacy.text) == (encoding, text)


@pytest.mark.parametrize("typed", ["Sở Khoa học", "café", "±5 %", "Xã Ea Kar", "Bé"])
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
