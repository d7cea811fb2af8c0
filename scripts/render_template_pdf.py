"""Render the template (or any workbook) to PDF and PNG pages to look at it as a user would.

Usage: python scripts/render_template_pdf.py [WORKBOOK] [OUTDIR]
Needs LibreOffice (``libreoffice``) and poppler (``pdftoppm``); not used by the tests.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def render(workbook: Path, outdir: Path, dpi: int = 60) -> list[Path]:
    """Convert ``workbook`` to PDF in ``outdir`` and one PNG per page; return the PNGs."""
    office, poppler = (
        shutil.which("libreoffice") or shutil.which("soffice"),
        shutil.which("pdftoppm"),
    )
    if office is None or poppler is None:
        raise SystemExit("Cần cài LibreOffice và poppler-utils (libreoffice, pdftoppm).")
    outdir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as profile
    ):  # a private profile: no clash with a running office
        subprocess.run(
            [office, f"-env:UserInstallation=file://{profile}", "--headless",
             "--convert-to", "pdf", "--outdir", str(outdir), str(workbook)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    pdf = outdir / (workbook.stem + ".pdf")
    subprocess.run([poppler, "-png", "-r", str(dpi), str(pdf), str(outdir / "page")], check=True)
    return sorted(outdir.glob("page*.png"))


def main(argv: list[str]) -> None:
    workbook = Path(argv[1]) if len(argv) > 1 else REPO / "templates" / "report_template.xlsx"
    outdir = Path(argv[2]) if len(argv) > 2 else Path(tempfile.mkdtemp(prefix="template-pdf-"))
    for page in render(workbook, outdir):
        print(page)


if __name__ == "__main__":
    main(sys.argv)
