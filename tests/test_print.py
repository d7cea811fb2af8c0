"""The workbooks as LibreOffice prints them (PDF measured with pdfplumber): readable sizes,
technical sheets out of the default print, "Trang N", no table under another's header.

One soffice run converts every workbook of the module; in CI LibreOffice must be there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest

from schemas.columns import PILLARS
from tests.conftest import DemoRun
from tests.docs_helpers import chars, to_pdf


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory, demo_run: DemoRun) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("print")
    root, outputs = demo_run.copy(base / "Báo cáo demo")
    books = [p for p in outputs if p.suffix == ".xlsx"]
    feedback = sorted((root / "outbox" / "phan-hoi").rglob("*.xlsx"))
    rejected = [p for p in feedback if "tu-choi" in p.name.lower() or "loi" in p.name.lower()]
    books += [feedback[0], *(rejected[:1]), root / "templates" / "report_template.xlsx"]
    return {p.stem: p for p in to_pdf(books, base / "pdf", base / "lo-profile")}


def _sizes(path: Path) -> dict[int, float]:
    with pdfplumber.open(path) as pdf:
        sizes: dict[int, float] = {}
        for n, ch in chars(pdf):
            sizes[n] = min(sizes.get(n, 99.0), ch["size"])
        return sizes


def test_no_printed_text_under_9pt(pdfs: dict[str, Path]) -> None:
    assert len(pdfs) >= 5
    for name, path in pdfs.items():
        small = {n: round(s, 1) for n, s in _sizes(path).items() if s < 9}
        assert not small, f"{name}: pages with text under 9 pt: {small}"


def test_technical_sheet_is_not_printed_and_pages_say_trang_n(pdfs: dict[str, Path]) -> None:
    for name, path in pdfs.items():
        if not name.startswith(("Bao-cao", "Ke-hoach")):
            continue
        with pdfplumber.open(path) as pdf:
            for i, page in enumerate(pdf.pages, 1):
                text = page.extract_text() or ""
                assert "SHA-256" not in text, f"{name} page {i}: the sources sheet is printed"
                footer = [w for w in page.extract_words() if w["top"] > page.height - 40]
                words = " ".join(w["text"] for w in footer)
                assert re.fullmatch(r"Trang \d+", words), f"{name} page {i}: {words!r}"
                middle = (footer[0]["x0"] + footer[-1]["x1"]) / 2
                assert abs(middle - page.width / 2) < 20


def test_no_table_rows_under_another_tables_header(pdfs: dict[str, Path]) -> None:
    """Weekly summary: no per-pillar row stands under the per-unit header (repeated on
    every page); no register task under the reporting header."""
    with pdfplumber.open(pdfs["Bao-cao-tuan-2026-W23"]) as pdf:
        pages_with_unit_header = 0
        for page in pdf.pages:
            text = page.extract_text() or ""
            if not ("Tình hình báo cáo" in text and "Đủ 06 rõ" in text):
                continue
            pages_with_unit_header += 1
            lines = page.extract_text_lines()
            header = min(ln["top"] for ln in lines if "Tình hình báo cáo" in ln["text"])
            for ln in lines:
                if any(p in ln["text"] for p in PILLARS) and re.match(r"\d+ ", ln["text"]):
                    assert ln["top"] < header, f"page {page.page_number}: {ln['text']}"
            assert "CHƯA CÓ ĐƠN VỊ NÀO BÁO CÁO" not in text
        assert pages_with_unit_header >= 2  # the per-unit table runs over pages
        for page in pdf.pages:
            text = page.extract_text() or ""
            if "Số cảnh báo" in text:  # the reporting table: units only
                assert "CHƯA CÓ ĐƠN VỊ NÀO BÁO CÁO" not in text, page.page_number


def test_detail_sheet_prints_every_column_readable_with_its_header(
    pdfs: dict[str, Path],
) -> None:
    with pdfplumber.open(pdfs["Bao-cao-tuan-2026-W23"]) as pdf:
        detail = [p for p in pdf.pages if "Tệp nguồn" in (p.extract_text() or "")]
        assert detail, "the last columns of Chi tiết are printed"
        for page in detail:
            text = page.extract_text() or ""
            assert "STT" in text and "Đơn vị báo cáo" in text  # repeated rows and columns


def test_blank_template_prints_readable_without_pages_of_empty_grid(
    pdfs: dict[str, Path],
) -> None:
    """At most 6 pages (25, then 13 before): the guide on 2 portrait pages with every column
    of every sheet described, the cover, and one page per data sheet (title, note, header and
    5 empty rows of the columns one readable page holds, with a note on the others); never
    under 9 pt, 'Trang N' on every page."""
    with pdfplumber.open(pdfs["report_template"]) as pdf:
        assert len(pdf.pages) <= 6
        heads = [(p.extract_text() or "").splitlines()[0] for p in pdf.pages]
        footers = [" ".join(w["text"] for w in p.extract_words() if w["top"] > p.height - 40)
                   for p in pdf.pages]  # fmt: skip
        assert all(re.search(r"Trang \d+", f) for f in footers), footers
        guide = [p for p in pdf.pages if p.height > p.width]
        assert len(guide) == 2 and heads[0].startswith("HƯỚNG DẪN ĐIỀN MẪU BÁO CÁO")
        text = " ".join(p.extract_text() or "" for p in guide)
        for sheet in ("Nhiệm vụ", "Dự án", "Chỉ tiêu"):
            assert f"Các cột của sheet “{sheet}”" in text
        assert "Mọi vướng mắc xin liên hệ" in text  # the guide's last line is printed
        for head, sheet in zip(heads[3:5], ("Nhiệm vụ", "Dự án"), strict=True):
            assert head.startswith("Mẫu trắng: in các cột A–"), (sheet, head)
    sizes = _sizes(pdfs["report_template"])
    assert min(sizes.values()) >= 9
