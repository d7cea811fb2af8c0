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
        return _ole(data, ext)
    if data[:2] in (b"\x09\x00", b"\x09\x02", b"\x09\x04") and data[2:4] in (
        b"\x04\x00",
        b"\x06\x00",
    ):
        # The BOF record of Excel 2.x, 3.0 and 4.0 worksheets (before the OLE container).
        return finding(
            "container-legacy-xls",
            "Tệp ở định dạng Excel 2.x–4.0 (.xls) rất cũ, không dùng được.",
        )
    text_head = _text_head(data)
    if text_head.startswith("<?xml") or text_head.startswith("<"):
        xml = _xml_kind(text_head)
        if xml is not None:
            return xml
    if text_head.startswith("<") or "<html" in text_head or "<table" in text_head:
        return finding(
            "container-html",
            "Tệp là trang web (HTML) được đặt tên đuôi Excel, không phải sổ Excel thật.",
        )
    for magic, what in _OTHER_MAGIC:
        if data.startswith(magic):
            return finding(
                "container-not-excel",
                f"Tệp là {what}, không phải sổ Excel (.xlsx).",
                "Gửi tệp báo cáo theo mẫu, định dạng .xlsx.",
            )
    if not data.startswith(ZIP_MAGIC):
        return finding(
            "container-not-excel",
            f"Tệp không phải sổ Excel (.xlsx){f' (đuôi .{ext})' if ext else ''}.",
            "Gửi tệp báo cáo theo mẫu, định dạng .xlsx.",
        )
    return None


_OTHER_MAGIC = (
    (b"%PDF", "tệp PDF"),
    (b"{\\rtf", "văn bản RTF"),
    (b"\x89PNG", "ảnh PNG"),
    (b"\xff\xd8\xff", "ảnh JPEG"),
    (b"GIF8", "ảnh GIF"),
    (b"Rar!", "tệp nén RAR"),
    (b"7z\xbc\xaf", "tệp nén 7-Zip"),
)


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _ole(data: bytes, ext: str) -> Finding:
    """An OLE2 compound file: what kind, by the names in its directory."""
    if _utf16("EncryptionInfo") in data:
        return finding("container-encrypted", "Tệp được đặt mật khẩu nên không đọc được.")
    if _utf16("__substg1.0_") in data or _utf16("__properties_version1.0") in data:
        return finding(
            "container-msg",
            "Tệp là một thư Outlook (.msg) được lưu lại, không phải sổ Excel; báo cáo nằm trong "
            "tệp đính kèm của thư.",
        )
    if _utf16("WordDocument") in data:
        return finding(
            "container-word",
            "Tệp là văn bản Word 97-2003 (.doc), không phải sổ Excel.",
        )
    if _utf16("PowerPoint Document") in data:
        return finding("container-not-excel", "Tệp là bản trình chiếu PowerPoint (.ppt).")
    if _utf16("Workbook") in data or _utf16("Book") in data or ext in ("xls", "xlt", "xla"):
        return finding(
            "container-legacy-xls", "Tệp ở định dạng Excel 97-2003 (.xls) cũ, không dùng được."
        )
    return finding(
        "container-not-excel",
        "Tệp là một tài liệu Office cũ (không phải sổ Excel).",
        "Gửi tệp báo cáo theo mẫu, định dạng .xlsx.",
    )


def _text_head(data: bytes) -> str:
    """The first characters of a text file (UTF-8 or UTF-16), lower case; '' for binary."""
    raw = data[:4096]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16", errors="ignore")
    else:
        text = raw.decode("utf-8", errors="ignore")
    return text.lstrip("\ufeff \t\r\n").lower()


def _xml_kind(head: str) -> Finding | None:
    """Excel's XML Spreadsheet 2003 and LibreOffice's flat ODS: XML, not a zip."""
    if "urn:schemas-microsoft-com:office:spreadsheet" in head or 'progid="excel.sheet"' in head:
        return finding(
            "container-xml-spreadsheet",
            "Tệp ở định dạng 'XML Spreadsheet 2003' của Excel, không phải sổ Excel (.xlsx).",
        )
    if "opendocument.spreadsheet" in head or "<office:document" in head:
        return finding(
            "container-ods",
            "Tệp là bảng tính OpenDocument dạng phẳng (.fods) của LibreOffice, không phải sổ "
            "Excel (.xlsx).",
        )
    if "<html" in head or "<table" in head or "<!doctype html" in head:
        return None
    if head.startswith("<?xml"):
        return finding(
            "container-not-excel",
            "Tệp là văn bản XML, không phải sổ Excel (.xlsx).",
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


def classify_zip(
    names: set[str], workbook: str = "xl/workbook.xml", mimetype: bytes = b""
) -> Finding | None:
    """What a zip holds; ``workbook`` is the part ``_rels/.rels`` names (xl/workbook.xml
    in most files), ``mimetype`` the OpenDocument ``mimetype`` member."""
    if "word/document.xml" in names:
        return finding("container-word", "Tệp là văn bản Word được đổi đuôi, không phải sổ Excel.")
    if b"opendocument.spreadsheet" in mimetype:
        return finding(
            "container-ods",
            "Tệp là bảng tính OpenDocument (.ods) của LibreOffice hoặc WPS, không phải sổ "
            "Excel (.xlsx).",
        )
    if "ppt/presentation.xml" in names or "content.xml" in names:
        return finding("container-not-excel", "Tệp không phải sổ Excel (.xlsx).")
    if "Index/Document.iwa" in names:
        return finding(
            "container-not-excel",
            "Tệp là bảng tính Numbers của Apple, không phải sổ Excel (.xlsx).",
            "Trong Numbers chọn Tệp > Xuất sang > Excel (.xlsx) rồi gửi tệp đó.",
        )
    if workbook not in names and "xl/workbook.bin" not in names:
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
