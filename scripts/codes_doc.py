"""Write the finding-code catalogue into the officer guide (between its two markers).

Usage: python scripts/codes_doc.py [--check]
With --check, write nothing and exit 1 if the guide is not up to date (tests/test_codes.py
runs it). The table comes from :func:`consolidate.core.codes.guide_markdown`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from consolidate.core.codes import guide_markdown

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "huong-dan-chuyen-vien.md"
START = "<!-- ma-loi: bắt đầu (tạo bởi scripts/codes_doc.py, không sửa tay) -->"
END = "<!-- ma-loi: kết thúc -->"


def updated(text: str) -> str:
    """``text`` with the section between the markers replaced by the catalogue."""
    head, sep, rest = text.partition(START)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise SystemExit(f"{GUIDE.name}: thiếu cặp dấu mốc {START!r} … {END!r}.")
    return f"{head}{START}\n\n{guide_markdown()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    text = GUIDE.read_text(encoding="utf-8")
    new = updated(text)
    if "--check" in argv:
        if new != text:
            print(f"{GUIDE} chưa cập nhật: chạy python scripts/codes_doc.py", file=sys.stderr)
            return 1
        return 0
    if new != text:
        GUIDE.write_text(new, encoding="utf-8", newline="\n")
        print(f"Đã cập nhật {GUIDE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
