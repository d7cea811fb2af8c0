"""Rebuild consolidate/data/units.csv, the default unit list, from the official commune list.

Run once when the official list changes:
    python scripts/build_unit_list.py /work/shared/data/dak_lak_communes_2025.csv

Sources (see consolidate/data/units-SOURCE.md): the 102 communes and wards of Đắk Lắk since
1 July 2025 (Quyết định 19/2025/QĐ-TTg codes) and the provincial agencies the office sends
the report to. Codes already in use (P-BMT, X-EAKAR ...) are kept; the others are made the
same way: P- or X- and the name without diacritics. The official 5-digit code is an alias.
"""

from __future__ import annotations

import csv
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "consolidate" / "data" / "units.csv"
HEADER = ("code", "name", "kind", "aliases", "email", "reports")

# Provincial agencies: the 16 the product shipped with plus those every province has after
# the 2025 reorganisation. No official machine-readable list exists (units-SOURCE.md); the
# officer checks it and corrects it with `consolidate units import`.
AGENCIES: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("VPUBND", "Văn phòng UBND tỉnh", ("Văn phòng Ủy ban nhân dân tỉnh", "VP UBND tỉnh", "VPUB"), ("weekly", "projects")),
    ("SNV", "Sở Nội vụ", ("SNV",), ("weekly",)),
    ("STP", "Sở Tư pháp", ("STP",), ("weekly",)),
    ("SKHCN", "Sở Khoa học và Công nghệ", ("Sở KH&CN", "Sở KHCN"), ("weekly", "projects")),
    ("SGDDT", "Sở Giáo dục và Đào tạo", ("Sở GD&ĐT", "Sở GDĐT"), ("weekly", "projects")),
    ("STC", "Sở Tài chính", ("STC",), ("weekly",)),
    ("SCT", "Sở Công Thương", ("SCT",), ("weekly",)),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", ("Sở NN&MT", "Sở NNMT"), ("weekly", "projects")),
    ("SYT", "Sở Y tế", ("SYT",), ("weekly", "projects")),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", ("Sở VHTTDL", "Sở VH,TT&DL"), ("weekly",)),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", ("Sở DT&TG", "Sở DTTG"), ("weekly",)),
    ("SXD", "Sở Xây dựng", ("SXD",), ("weekly", "projects")),
    ("CAT", "Công an tỉnh", ("CA tỉnh", "Công an tỉnh Đắk Lắk"), ("weekly", "projects")),
    ("TTT", "Thanh tra tỉnh", ("Thanh tra tỉnh Đắk Lắk",), ("weekly",)),
    ("BQLKKT", "Ban Quản lý Khu kinh tế Phú Yên", ("BQL KKT Phú Yên", "Ban Quản lý KKT Phú Yên"), ("weekly",)),
    ("BTCTU", "Ban Tổ chức Tỉnh ủy", ("BTC Tỉnh ủy",), ()),
    ("VPTU", "Văn phòng Tỉnh ủy", ("VP Tỉnh ủy",), ()),
    ("BTGDVTU", "Ban Tuyên giáo và Dân vận Tỉnh ủy", ("Ban TG&DV Tỉnh ủy",), ()),
    ("VPDDBQHHDND", "Văn phòng Đoàn ĐBQH và HĐND tỉnh", ("Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh",), ("weekly",)),
    ("UBMTTQ", "Ủy ban MTTQ Việt Nam tỉnh", ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "MTTQ tỉnh"), ("weekly",)),
    ("BCHQS", "Bộ Chỉ huy Quân sự tỉnh", ("BCH Quân sự tỉnh",), ("weekly",)),
    ("BDBP", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", ("BĐBP tỉnh", "Bộ đội Biên phòng tỉnh"), ("weekly",)),
)  # fmt: skip

# Communes/wards that already had a code (and the reports they owe).
PROJECTS = {"P-BMT", "P-TUYHOA"}


def _ascii(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return "".join(c for c in bare.upper() if c.isalnum())


def main(source: Path) -> None:
    known: dict[str, str] = {}
    if OUT.exists():  # keep the codes already in use
        with OUT.open(encoding="utf-8") as handle:
            known = {row["name"]: row["code"] for row in csv.DictReader(handle)}
    rows = [
        (code, name, "so-ban-nganh", ";".join(aliases), "", ";".join(reports) or "không")
        for code, name, aliases, reports in AGENCIES
    ]
    seen = {r[0] for r in rows}
    with source.open(encoding="utf-8") as handle:
        official = list(csv.DictReader(handle))
    for item in official:
        name = unicodedata.normalize("NFC", item["ten"])
        prefix, _, rest = name.partition(" ")
        code = known.get(name) or ("P-" if prefix == "Phường" else "X-") + _ascii(rest)
        if code in seen:
            raise SystemExit(f"duplicate code {code}")
        seen.add(code)
        reports = "weekly;projects" if code in PROJECTS else "weekly"
        rows.append((code, name, "xa-phuong", item["ma"], "", reports))
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    print(f"{OUT}: {len(rows)} units")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/dak_lak_communes_2025.csv"))
