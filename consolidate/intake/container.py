"""The container of a submitted file, checked before anything is parsed.

What is not an xlsx (empty, too large, encrypted, .xls, HTML, Word, .xlsb, macros) and
hostile zips (bombs, overlapping members, lying sizes) come back as findings
(``container-*`` codes), never as exceptions.
"""

from __future__ import annotations

import itertools
import zipfile

from consolidate.core.codes import finding
from consolidate.core.findings import Finding

# Limits keep a hostile file from costing unbounded memory or time.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_MEMBER_BYTES = 200 * 1024 * 1024  # one inflated XML part
MAX_TOTAL_BYTES = 400 * 1024 * 1024
MAX_RATIO = 200  # inflated/compressed for parts over 1 MiB
MAX_ENTRIES = 2000
MAX_ROW = 100_000  # rows of data we are willing to read in one sheet

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


def sniff(data: bytes, name: str) -> Finding | None:
    """Recognise what is not an xlsx before opening it as a zip."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not data:
        return finding("container-empty", "Tệp rỗng (0 byte): không có nội dung.")
    if len(data) > MAX_FILE_BYTES:
        return finding("container-too-large", f"Tệp quá lớn ({len(data) // 1048576} MB).")
    if data.startswith(OLE_MAGIC):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o" in data:
            return finding("container-encrypted", "Tệp được đặt mật khẩu nên không đọc được.")
        return finding(
            "container-legacy-xls", "Tệp ở định dạng Excel 97-2003 (.xls) cũ, không dùng được."
        )
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<", b"\xff\xfe<", b"\xfe\xff")) or b"<html" in head or b"<table" in head:
        return finding(
            "container-html",
            "Tệp là trang web (HTML) được đặt tên đuôi Excel, không phải sổ Excel thật.",
        )
    if not data.startswith(ZIP_MAGIC):
        return finding(
            "container-not-excel",
            f"Tệp không phải sổ Excel (.xlsx){f' (đuôi .{ext})' if ext else ''}.",
            "Gửi tệp báo cáo theo mẫu, định dạng .xlsx.",
        )
    return None


def check_zip(zf: zipfile.ZipFile, size: int) -> Finding | None:
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        return finding(
            "container-zip-bomb",
            f"Tệp chứa quá nhiều thành phần ({len(infos)}).",
            "Gửi lại tệp báo cáo lưu từ mẫu gốc.",
        )
    total = 0
    spans: list[tuple[int, int]] = []
    for info in infos:
        total += info.file_size
        if (
            info.file_size > MAX_MEMBER_BYTES
            or total > MAX_TOTAL_BYTES
            or (
                info.file_size > (1 << 20)
                and info.file_size > MAX_RATIO * max(info.compress_size, 1)
            )
        ):
            return finding(
                "container-zip-bomb",
                "Tệp có thành phần nén bất thường (có thể là 'bom nén'), không mở để bảo vệ hệ thống.",
            )
        if info.flag_bits & 0x1:
            return finding(
                "container-encrypted",
                "Tệp nén có mật khẩu nên không đọc được.",
                "Bỏ mật khẩu rồi gửi lại.",
            )
        spans.append(
            (
                info.header_offset,
                info.header_offset + 30 + len(info.filename.encode()) + info.compress_size,
            )
        )
    spans.sort()
    for (_, end), (start, _) in itertools.pairwise(spans):
        if start < end:
            return finding(
                "container-zip-overlap", "Cấu trúc tệp nén bị chồng lấn (tệp đã bị sửa bất thường)."
            )
    if any(end > size for _, end in spans):
        return finding(
            "container-corrupt", "Tệp bị hỏng hoặc chưa tải xong (thiếu dữ liệu cuối tệp)."
        )
    return None


def classify_zip(names: set[str]) -> Finding | None:
    if "word/document.xml" in names:
        return finding("container-word", "Tệp là văn bản Word được đổi đuôi, không phải sổ Excel.")
    if "ppt/presentation.xml" in names or "content.xml" in names:
        return finding("container-not-excel", "Tệp không phải sổ Excel (.xlsx).")
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        return finding("container-not-excel", "Tệp nén không chứa sổ Excel.")
    if "xl/workbook.bin" in names:
        return finding("container-xlsb", "Tệp ở định dạng Excel nhị phân (.xlsb), không dùng được.")
    if "xl/vbaProject.bin" in names:
        return finding(
            "container-macro",
            "Tệp chứa macro (VBA). Vì an toàn, hệ thống không tiếp nhận tệp có macro "
            "(macro không bao giờ được chạy).",
        )
    return None


def read_member(zf: zipfile.ZipFile, name: str) -> bytes:
    """The inflated member, never more than its declared size (a lying header is corrupt)."""
    declared = zf.getinfo(name).file_size
    with zf.open(name) as fh:
        data = fh.read(declared + 1)
    if len(data) > declared:
        raise zipfile.BadZipFile(f"{name}: more data than declared")
    return data
