"""Shared by the document tests: the demo built once with a configured office, the Word text,
and LibreOffice conversion to PDF (a real soffice; in CI it must be there)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docx.oxml.ns import qn

from consolidate.core.config import load_config

OFFICE_TOML = """
[office]
province = "Đắk Lắk"
parent_agency = "UBND tỉnh Đắk Lắk"
office_name = "Sở Khoa học và Công nghệ"
group_name = "Tổ giúp việc"
office_role = "Cơ quan thường trực Tổ giúp việc"
doc_prefix = "BC-SKHCN"
letter_prefix = "SKHCN-VP"
signer_authority = "KT. GIÁM ĐỐC"
signer_title = "PHÓ GIÁM ĐỐC"
signer_name = "Trần Văn Bình"
addressee = "Ủy ban nhân dân tỉnh Đắk Lắk"
recipients = ["Như trên", "UBND tỉnh (để b/c)", "Giám đốc Sở (để b/c)", "Lưu: VT, VP"]
"""


def with_office(root: Path) -> Any:
    """Replace the workspace's [office] section by OFFICE_TOML and reload the config."""
    path = root / "consolidate.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[office]")
    end = text.index("\n[", start + 1)
    path.write_text(text[:start] + OFFICE_TOML.strip() + "\n" + text[end:], encoding="utf-8")
    return load_config(root)


def all_text(doc: Any) -> str:
    """Every paragraph of the body, tables included, one per line."""
    body = doc.element.body
    lines = []
    for p in body.iter(qn("w:p")):
        lines.append("".join(t.text or "" for t in p.iter(qn("w:t"))))
    return "\n".join(lines)


def number(text: str) -> float:
    """'78.000' -> 78000.0, '18,3' -> 18.3 (Vietnamese)."""
    return float(text.replace(".", "").replace(",", "."))


def find(pattern: str, text: str) -> re.Match[str]:
    m = re.search(pattern, text)
    assert m, f"not found: {pattern}"
    return m


# --- LibreOffice ----------------------------------------------------------------------------


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice) is required in CI: scripts/install-system-deps.sh")
        pytest.skip("LibreOffice is not installed")
    return exe


def to_pdf(files: list[Path], outdir: Path, profile: Path) -> list[Path]:
    """Convert in one soffice run (one start-up for all files)."""
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    out = [outdir / (f.stem + ".pdf") for f in files]
    missing = [p.name for p in out if not p.exists()]
    assert not missing, f"LibreOffice wrote no PDF for {missing}"
    return out


def chars(pdf: Any) -> Iterator[tuple[int, Any]]:
    for n, page in enumerate(pdf.pages, 1):
        for ch in page.chars:
            if ch["text"].strip():
                yield n, ch
