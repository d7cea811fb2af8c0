"""The Word reports as LibreOffice prints them: measured from the PDF (pdfplumber).

One soffice run converts every document of the module (fixture); in CI LibreOffice must be
installed (scripts/install-system-deps.sh), so these tests fail there rather than skip.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from consolidate.demo import build_demo_reports, run_demo
from tests.docs_helpers import chars, to_pdf, with_office

MM = 72 / 25.4


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("docs-pdf")
    root = base / "Báo cáo demo"
    run_demo(root)
    docs = [p for p in build_demo_reports(with_office(root), []) if p.suffix == ".docx"]
    return {p.stem: p for p in to_pdf(docs, base / "pdf", base / "lo-profile")}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _open(path: Path) -> Any:
    return pdfplumber.open(path)


def test_no_page_number_on_page_one_then_numbers_centred_in_the_top_margin(
    pdfs: dict[str, Path],
) -> None:
    with _open(pdfs["Bao-cao-tuan-2026-W23"]) as pdf:
        top = 20 * MM  # the top margin
        page1 = [w["text"] for w in pdf.pages[0].extract_words() if w["bottom"] < top]
        assert page1 == []
        page2 = [w for w in pdf.pages[1].extract_words() if w["bottom"] < top]
        assert [w["text"] for w in page2] == ["2"]
        middle = (page2[0]["x0"] + page2[0]["x1"]) / 2
        text_middle = (30 * MM + pdf.pages[1].width - 15 * MM) / 2
        assert abs(middle - text_middle) < 3 * MM


def test_smallest_text_is_at_least_9pt_on_every_page(pdfs: dict[str, Path]) -> None:
    for name, path in pdfs.items():
        with _open(path) as pdf:
            sizes: dict[int, float] = {}
            for n, ch in chars(pdf):
                sizes[n] = min(sizes.get(n, 99.0), ch["size"])
            assert len(sizes) == len(pdf.pages), f"{name}: a page without text"
            small = {n: s for n, s in sizes.items() if s < 9}
            assert not small, f"{name}: pages with text under 9 pt: {small}"
            assert min(sizes.values()) >= 11 - 0.01  # tables are 11 pt


def test_fonts_are_times_new_roman_or_its_metric_twin(pdfs: dict[str, Path]) -> None:
    with _open(pdfs["Bao-cao-tuan-2026-W23"]) as pdf:
        fonts = {ch["fontname"].split("+")[-1].split("-")[0] for _, ch in chars(pdf)}
    # LibreOffice substitutes Liberation Serif (metric-compatible) where TNR is missing
    assert fonts <= {"TimesNewRomanPSMT", "TimesNewRoman", "LiberationSerif"}, fonts


def test_page_counts_are_sane(pdfs: dict[str, Path]) -> None:
    with _open(pdfs["Bao-cao-tuan-2026-W23"]) as pdf:
        assert 5 <= len(pdf.pages) <= 30
        first = pdf.pages[0].extract_text()
        assert "BÁO CÁO" in first and "Số: …/BC-SKHCN" in first
        assert "Đắk Lắk, ngày 05 tháng 6 năm 2026" in first


def test_appendix_pages_are_landscape_and_each_shows_its_own_header(
    pdfs: dict[str, Path],
) -> None:
    """Every landscape page shows the header row of the table it continues: no table's rows
    stand under another table's header."""
    own = {"I": "Số ngày quá hạn", "II": "Số ngày còn lại", "III": "Đề xuất, kiến nghị"}
    with _open(pdfs["Bao-cao-tuan-2026-W23"]) as pdf:
        landscape = [p for p in pdf.pages if p.width > p.height]
        assert len(landscape) >= 3
        current = None
        for page in landscape:
            text = page.extract_text()
            m = re.search(r"^Phụ lục ([IV]+)$", text, re.MULTILINE)
            current = m[1] if m else current
            assert current is not None, page.page_number
            tables = page.extract_tables()
            assert tables, page.page_number
            header = squeeze(" ".join(c or "" for c in tables[0][0]))
            assert header.startswith("STT"), f"page {page.page_number}: {header}"
            assert squeeze(own[current]) in header, f"page {page.page_number} (Phụ lục {current})"
