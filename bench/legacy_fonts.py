"""How well legacy Vietnamese fonts are recognised: every Vietnamese line of the officer
guide and every default unit name, typed in TCVN3, VNI and VISCII, through
``consolidate.core.legacy.decode_legacy``; and how many Unicode texts are taken for legacy.

    .venv/bin/python bench/legacy_fonts.py [-v]

For each font: converted right / converted wrong / not converted. The figures are quoted in
docs/reliability.md (defect 3).
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consolidate.core import legacy
from consolidate.core.units import default_units_text, rows_from_csv

ROOT = Path(__file__).resolve().parent.parent


def _typing(table: dict[str, str]) -> Callable[[str], str | None]:
    """Type ``text`` with a font whose letters are ``table`` (None: a letter it lacks)."""

    def typed(text: str) -> str | None:
        out = []
        for ch in unicodedata.normalize("NFC", text):
            if ch in table:
                out.append(table[ch])
            elif ch.isascii():
                out.append(ch)
            else:
                return None
        return "".join(out)

    return typed


def fonts() -> dict[str, Callable[[str], str | None]]:
    tcvn3 = dict(zip(legacy._TCVN3_TO, legacy._TCVN3_FROM, strict=True))
    vni: dict[str, str] = {}
    for raw, letter in legacy._VNI_ALL.items():
        vni.setdefault(letter, raw)
    vni.update({"í": "í", "ì": "ì", "Í": "Í", "Ì": "Ì"})
    viscii = {}
    for b, ch in [*enumerate(legacy._VISCII_HIGH, start=0x80), *legacy._VISCII_LOW.items()]:
        viscii[ch] = bytes([b]).decode("cp1252", errors="ignore") or chr(b)
    return {"TCVN3": _typing(tcvn3), "VNI": _typing(vni), "VISCII": _typing(viscii)}


def texts() -> tuple[list[str], list[str]]:
    """Vietnamese lines of the guide (20-120 characters), unit names."""
    guide = (ROOT / "docs" / "huong-dan-chuyen-vien.md").read_text(encoding="utf-8")
    lines = []
    for line in guide.splitlines():
        line = re.sub(r"[`*|#>\[\]()_]", "", line).strip()
        if 20 < len(line) < 120 and re.search("[ăâđêôơưạ-ỹ]", line):
            lines.append(unicodedata.normalize("NFC", line))
    rows, _problems = rows_from_csv(default_units_text())
    names = [row["name"] for _where, row in rows]
    return sorted(set(lines)), names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print each miss")
    args = parser.parse_args(argv)
    lines, names = texts()
    for label, group in (("guide lines", lines), ("unit names", names)):
        for font, typed_in in fonts().items():
            count: Counter[str] = Counter()
            for text in group:
                typed = typed_in(text)
                if typed is None or typed == text:
                    continue
                got = legacy.decode_legacy(typed)
                if got is not None and (got.encoding, got.text) == (font, text):
                    count["right"] += 1
                    continue
                count["wrong" if got is not None and got.text else "none"] += 1
                if args.verbose:
                    print(f"  {font}: {text!r} typed {typed!r} -> {got}")
            print(
                f"{label:12} {font:7} right {count['right']:4}  wrong {count['wrong']:3}  "
                f"not converted {count['none']:3}"
            )
    unicode_texts = lines + names
    words = {w for t in unicode_texts for w in t.split()}
    taken = [t for t in [*unicode_texts, *words] if legacy.decode_legacy(t) is not None]
    print(f"Unicode texts taken for legacy: {len(taken)} of {len(unicode_texts) + len(words)}")
    if args.verbose:
        for t in taken:
            print(f"  {t!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
