"""Widths of Times New Roman text (documents.metrics) and the heading's line breaking."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import ImageFont

from consolidate.core.textwidth import fit_lines, text_width_mm

SAMPLES = (
    "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Đắk Lắk, ngày 05 tháng 6 năm 2026",
    "Số: …/BC-SKHCN “Ưu tiên” — Sở Thông tin và Truyền thông; Phường Ea Tam",
)
STYLES = {(False, False): "Regular", (True, False): "Bold", (False, True): "Italic",
          (True, True): "BoldItalic"}  # fmt: skip


def _liberation(style: str) -> Path:
    found = sorted(Path("/usr/share/fonts").rglob(f"LiberationSerif-{style}.ttf"))
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail("Liberation Serif is installed with LibreOffice in CI")
        pytest.skip("Liberation Serif is not installed")
    return found[0]


@pytest.mark.parametrize(("bold", "italic"), list(STYLES))
def test_widths_match_the_metric_twin_of_times_new_roman(bold: bool, italic: bool) -> None:
    font = ImageFont.truetype(str(_liberation(STYLES[(bold, italic)])), 1000)
    for text in SAMPLES:
        measured = font.getlength(text) * 12 / 1000 * 25.4 / 72
        ours = text_width_mm(text, 12, bold=bold, italic=italic)
        assert ours == pytest.approx(measured, rel=0.01), text


def test_a_name_too_long_is_broken_before_the_place_evenly() -> None:
    assert fit_lines("ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK", 67, 12) == ["ỦY BAN NHÂN DÂN", "TỈNH ĐẮK LẮK"]
    assert fit_lines("VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK", 67, 12, bold=True) == [
        "VĂN PHÒNG ỦY BAN NHÂN DÂN",
        "TỈNH ĐẮK LẮK",
    ]
    assert fit_lines("UBND TỈNH ĐẮK LẮK", 67, 12) == ["UBND TỈNH ĐẮK LẮK"]


def test_lines_fit_break_only_between_words_and_after_commas_first() -> None:
    text = (
        "Tiến độ thực hiện nhiệm vụ cải cách hành chính, thể chế, khoa học, công nghệ, đổi mới "
        "sáng tạo, chuyển đổi số và phát triển nguồn nhân lực tuần 23/2026"
    )
    lines = fit_lines(text, 150, 14, bold=True)
    assert " ".join(lines) == text
    assert lines == [
        "Tiến độ thực hiện nhiệm vụ cải cách hành chính,",
        "thể chế, khoa học, công nghệ, đổi mới sáng tạo,",
        "chuyển đổi số và phát triển nguồn nhân lực tuần 23/2026",
    ]  # three even lines (323 mm of text), each broken after a comma
    assert all(text_width_mm(x, 14, bold=True) <= 150 for x in lines)
    # no place to break: a word wider than the room stays whole
    assert fit_lines("Siêudàikhôngcáchnào", 5, 12) == ["Siêudàikhôngcáchnào"]
    assert fit_lines("a b", 10, 12) == ["a b"]
    assert fit_lines("a b", 4, 12) == ["a", "b"]
