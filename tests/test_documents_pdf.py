"""The Word reports as LibreOffice prints them: measured from the PDF (pdfplumber).

One soffice run converts every document of the module (fixture); in CI LibreOffice must be
installed (scripts/install-system-deps.sh), so these tests fail there rather than skip.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pdfplumber
import pytest
from docx.oxml.ns import qn

from consolidate.core.config import Office
from consolidate.demo import build_demo_reports
from consolidate.documents.nd30 import OfficialDocument
from tests.conftest import DemoRun
from tests.docs_helpers import chars, to_pdf, with_office

MM = 72 / 25.4


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, demo_run: DemoRun
) -> dict[str, tuple[Path, Path]]:
    """{name: (the .docx, its PDF)}: the demo's documents with a configured office, the
    demo's letter with the default one, and two headings of long names."""
    base = tmp_path_factory.mktemp("docs-pdf")
    root, _ = demo_run.copy(base / "Báo cáo demo")
    docs = [p for p in build_demo_reports(with_office(root), []) if p.suffix == ".docx"]
    docs += sorted((root / "outbox").glob("Cong-van-don-doc-*.docx"))  # the default office
    docs += [_heading_only(base / f"{name}.docx", office) for name, office in HEADINGS.items()]
    pdfs = to_pdf(docs, base / "pdf", base / "lo-profile")
    return {d.stem: (d, p) for d, p in zip(docs, pdfs, strict=True)}


@pytest.fixture(scope="module")
def pdfs(built: dict[str, tuple[Path, Path]]) -> dict[str, Path]:
    return {name: pdf for name, (_, pdf) in built.items()}


#: Offices whose names do not fit one line of the heading's columns.
HEADINGS = {
    "heading-default": Office(),  # "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK"
    "heading-long": Office(
        parent_agency="Ủy ban nhân dân tỉnh Đắk Lắk",
        office_name="Văn phòng Ủy ban nhân dân tỉnh Đắk Lắk",
        letter_prefix="VPUBND-KGVX",
    ),
}


def _heading_only(path: Path, office: Office) -> Path:
    doc = OfficialDocument(office, kind_code="")
    doc.heading(date(2026, 2, 6), subject="V/v đôn đốc triển khai thực hiện các nhiệm vụ quá hạn")
    doc.title("Báo cáo", "Thử phần đầu văn bản")
    doc.para("Nội dung.")
    doc.save(path)
    return path


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


def _heading_cells(path: Path) -> tuple[list[float], list[list[str]]]:
    """The heading table of a .docx: its column widths (mm) and each column's lines."""
    head = docx.Document(str(path)).tables[0]
    grid = head._tbl.findall(".//" + qn("w:gridCol"))
    widths = [int(g.get(qn("w:w"))) * 25.4 / 1440 for g in grid]
    cols = [
        [p.text for r in range(len(head.rows)) for p in head.cell(r, c).paragraphs if p.text]
        for c in range(len(widths))
    ]
    return widths, cols


def test_heading_lines_are_printed_whole_never_broken_inside_a_word(
    built: dict[str, tuple[Path, Path]],
) -> None:
    """Every line of the heading's two columns prints as the document writes it: the word
    processor breaks none of them (it broke "ĐẮK / LẮK" of the agency's name before); a name
    too long for its column is broken by the document between words, evenly."""
    assert len(built) == 7
    for name, (docx_path, pdf_path) in built.items():
        widths, cols = _heading_cells(docx_path)
        with _open(pdf_path) as pdf:
            page = pdf.pages[0]
            lines = page.extract_text_lines()
            end = min(
                ln["top"] for ln in lines if re.match(r"(BÁO CÁO|KẾ HOẠCH|Kính gửi)", ln["text"])
            )
            x = 30 * MM
            for width, expected in zip(widths, cols, strict=True):
                box = page.within_bbox((x - 1, 0, x + width * MM + 1, end))
                printed = [ln["text"] for ln in box.extract_text_lines()]
                assert printed == expected, f"{name}: {printed} != {expected}"
                x += width * MM
            # the subject under BÁO CÁO / KẾ HOẠCH: the lines the document sets, no others
            paras = [p.text for p in docx.Document(str(docx_path)).paragraphs]
            kinds = [i for i, t in enumerate(paras) if t in ("BÁO CÁO", "KẾ HOẠCH")]
            if kinds:
                subject = paras[kinds[0] + 1].split("\n")
                texts = [ln["text"] for ln in lines]
                at = texts.index(paras[kinds[0]]) + 1
                assert texts[at : at + len(subject)] == subject, name
                assert len(subject) <= 3
    _, cols = _heading_cells(built["heading-default"][0])
    assert cols[0][:2] == ["ỦY BAN NHÂN DÂN", "TỈNH ĐẮK LẮK"]  # as the province's letters
    _, cols = _heading_cells(built["heading-long"][0])
    assert cols[0][2:4] == ["VĂN PHÒNG ỦY BAN NHÂN DÂN", "TỈNH ĐẮK LẮK"]
    assert cols[1][-1] == "Đắk Lắk, ngày 06 tháng 02 năm 2026"
