"""Read a submitted workbook safely: container checks, then a streaming SpreadsheetML parse.

Why our own reader: one pass over the sheet XML gives values *and* what a tolerant but
honest reader must know — number formats (dates, 0.6 shown as 60 %), formulas without a
cached value, merged cells, hidden rows and sheets — with bounded memory, with
defusedxml refusing entity tricks, and without ever running anything from the file.

Container problems come back as findings (``container-*`` codes), never as exceptions.
"""

from __future__ import annotations

import functools
import html
import io
import itertools
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from consolidate.core.findings import Finding, cell_ref

# Limits keep a hostile file from costing unbounded memory or time.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_MEMBER_BYTES = 200 * 1024 * 1024  # one inflated XML part
MAX_TOTAL_BYTES = 400 * 1024 * 1024
MAX_RATIO = 200  # inflated/compressed for parts over 1 MiB
MAX_ENTRIES = 2000
MAX_ROW = 100_000  # rows of data we are willing to read in one sheet

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EXCEL_EPOCH = datetime(1899, 12, 30)
EXCEL_EPOCH_1904 = datetime(1904, 1, 1)

_DATE_BUILTIN = {14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57}
_PCT_BUILTIN = {9, 10}
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


class CellError(str):
    """An Excel error value such as #REF! or #N/A."""


class Formula:
    """Marker for a formula cell that carries no cached value."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"


@dataclass
class Sheet:
    name: str
    state: str = "visible"  # visible | hidden | veryHidden
    rows: dict[int, dict[int, Any]] = field(default_factory=dict)
    percent: set[tuple[int, int]] = field(default_factory=set)  # cells formatted as %
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    max_row: int = 0
    max_col: int = 0
    partial: bool = False  # only some rows kept (the feedback's copy of a sheet)

    def value(self, row: int, col: int) -> Any:
        return self.rows.get(row, {}).get(col)


@dataclass
class RawWorkbook:
    sheets: dict[str, Sheet]
    application: str = ""
    template_version: str | None = None

    def sheet_names(self) -> list[str]:
        return list(self.sheets)


@dataclass
class ReadResult:
    workbook: RawWorkbook | None
    findings: list[Finding]


def _finding(code: str, message: str, fix: str, severity: str = "error") -> Finding:
    return Finding(code=code, severity=severity, message=message, fix=fix)  # type: ignore[arg-type]


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def split_ref(ref: str) -> tuple[int, int]:
    m = _REF.match(ref.replace("$", ""))
    if not m:
        raise ValueError(ref)
    return int(m[2]), col_index(m[1])


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# --- container ----------------------------------------------------------------------------


def sniff(data: bytes, name: str) -> Finding | None:
    """Recognise what is not an xlsx before opening it as a zip."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not data:
        return _finding(
            "container-empty",
            "Tệp rỗng (0 byte): không có nội dung.",
            "Gửi lại tệp báo cáo; có thể tệp đính kèm chưa tải xong.",
        )
    if len(data) > MAX_FILE_BYTES:
        return _finding(
            "container-too-large",
            f"Tệp quá lớn ({len(data) // 1048576} MB).",
            "Báo cáo theo mẫu thường dưới 5 MB; xóa hình ảnh, trang tính thừa rồi gửi lại.",
        )
    if data.startswith(OLE_MAGIC):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o" in data:
            return _finding(
                "container-encrypted",
                "Tệp được đặt mật khẩu nên không đọc được.",
                "Mở tệp, bỏ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi gửi lại.",
            )
        return _finding(
            "container-legacy-xls",
            "Tệp ở định dạng Excel 97-2003 (.xls) cũ, không dùng được.",
            "Mở tệp bằng Excel, chọn Lưu thành (Save As) > Excel Workbook (*.xlsx), "
            "tốt nhất là chép số liệu vào mẫu báo cáo mới nhất.",
        )
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<", b"\xff\xfe<", b"\xfe\xff")) or b"<html" in head or b"<table" in head:
        return _finding(
            "container-html",
            "Tệp là trang web (HTML) được đặt tên đuôi Excel, không phải sổ Excel thật.",
            "Mở tệp bằng Excel rồi Lưu thành (Save As) định dạng Excel Workbook (*.xlsx).",
        )
    if not data.startswith(ZIP_MAGIC):
        return _finding(
            "container-not-excel",
            f"Tệp không phải sổ Excel (.xlsx){f' (đuôi .{ext})' if ext else ''}.",
            "Gửi tệp báo cáo theo mẫu, định dạng .xlsx.",
        )
    return None


def _check_zip(zf: zipfile.ZipFile, size: int) -> Finding | None:
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        return _finding(
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
            return _finding(
                "container-zip-bomb",
                "Tệp có thành phần nén bất thường (có thể là 'bom nén'), không mở để bảo vệ hệ thống.",
                "Gửi lại tệp báo cáo lưu trực tiếp từ Excel theo mẫu.",
            )
        if info.flag_bits & 0x1:
            return _finding(
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
            return _finding(
                "container-zip-overlap",
                "Cấu trúc tệp nén bị chồng lấn (tệp đã bị sửa bất thường).",
                "Gửi lại tệp báo cáo lưu trực tiếp từ Excel theo mẫu.",
            )
    if any(end > size for _, end in spans):
        return _finding(
            "container-corrupt",
            "Tệp bị hỏng hoặc chưa tải xong (thiếu dữ liệu cuối tệp).",
            "Tải lại tệp đính kèm hoặc đề nghị đơn vị gửi lại.",
        )
    return None


def _classify_zip(names: set[str]) -> Finding | None:
    if "word/document.xml" in names:
        return _finding(
            "container-word",
            "Tệp là văn bản Word được đổi đuôi, không phải sổ Excel.",
            "Điền số liệu vào mẫu báo cáo Excel (.xlsx) rồi gửi lại.",
        )
    if "ppt/presentation.xml" in names or "content.xml" in names:
        return _finding(
            "container-not-excel",
            "Tệp không phải sổ Excel (.xlsx).",
            "Điền số liệu vào mẫu báo cáo Excel (.xlsx) rồi gửi lại.",
        )
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        return _finding(
            "container-not-excel",
            "Tệp nén không chứa sổ Excel.",
            "Điền số liệu vào mẫu báo cáo Excel (.xlsx) rồi gửi lại.",
        )
    if "xl/workbook.bin" in names:
        return _finding(
            "container-xlsb",
            "Tệp ở định dạng Excel nhị phân (.xlsb), không dùng được.",
            "Lưu thành (Save As) Excel Workbook (*.xlsx) rồi gửi lại.",
        )
    if "xl/vbaProject.bin" in names:
        return _finding(
            "container-macro",
            "Tệp chứa macro (VBA). Vì an toàn, hệ thống không tiếp nhận tệp có macro "
            "(macro không bao giờ được chạy).",
            "Chép số liệu vào mẫu báo cáo (.xlsx, không có macro) rồi gửi lại.",
        )
    return None


def _open_member(zf: zipfile.ZipFile, name: str) -> IO[bytes]:
    # ZipExtFile stops at the declared size, and _check_zip bounded the declared sizes.
    return zf.open(name)


def _parse(fh: IO[bytes], events: tuple[str, ...] = ("end",)) -> Iterator[tuple[str, Any]]:
    return iterparse(fh, events=events, forbid_dtd=True)  # type: ignore[no-any-return]


# --- workbook parts -----------------------------------------------------------------------


def _rels(zf: zipfile.ZipFile, names: set[str], path: str) -> dict[str, str]:
    folder, base = path.rsplit("/", 1) if "/" in path else ("", path)
    rels_path = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    if rels_path not in names:
        return {}
    return dict(_small_part(_rels_parsed, _read_member(zf, rels_path), folder))


# The small parts (relations, workbook, styles, properties) are the same bytes in every file
# made from one template: parsed once per process, keyed by their bytes. A large part (a
# hostile one, say) is parsed without being kept.
SMALL_PART = 1 << 20


def _small_part(parser: Any, raw: bytes, *args: Any) -> Any:
    return parser(raw, *args) if len(raw) <= SMALL_PART else parser.__wrapped__(raw, *args)


@functools.lru_cache(maxsize=32)
def _rels_parsed(raw: bytes, folder: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for _, el in _parse(io.BytesIO(raw)):
        if _local(el.tag) == "Relationship":
            target = el.get("Target", "")
            if target.startswith("/"):
                target = target[1:]
            elif folder:
                parts = f"{folder}/{target}".split("/")
                norm: list[str] = []
                for p in parts:
                    if p == "..":
                        if norm:
                            norm.pop()
                    elif p and p != ".":
                        norm.append(p)
                target = "/".join(norm)
            out.append((el.get("Id", ""), target))
    return tuple(out)


def _shared_strings(zf: zipfile.ZipFile, path: str | None) -> list[str]:
    if not path:
        return []
    strings: list[str] = []
    parts: list[str] = []
    in_phonetic = 0
    with _open_member(zf, path) as fh:
        for event, el in _parse(fh, ("start", "end")):
            tag = _local(el.tag)
            if tag == "rPh":
                in_phonetic += 1 if event == "start" else -1
            elif event == "end":
                if tag == "t" and not in_phonetic:
                    parts.append(el.text or "")
                elif tag == "si":
                    strings.append(_unescape("".join(parts)))
                    parts = []
                    el.clear()
    return strings


def _is_date_code(code: str) -> bool:
    bare = _QUOTED.sub("", code).lower()
    if "general" in bare:
        return False
    return any(ch in bare for ch in "dmyhs") and not bare.strip().startswith("@")


def _styles(zf: zipfile.ZipFile, path: str | None) -> tuple[Sequence[bool], Sequence[bool]]:
    """Per cellXfs index: is it a date format, is it a percent format."""
    if not path:
        return (), ()
    return _small_part(_styles_parsed, _read_member(zf, path))  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=32)
def _styles_parsed(raw: bytes) -> tuple[tuple[bool, ...], tuple[bool, ...]]:
    custom: dict[int, str] = {}
    xfs: list[int] = []
    in_cellxfs = False
    for event, el in _parse(io.BytesIO(raw), ("start", "end")):
        tag = _local(el.tag)
        if tag == "cellXfs":
            in_cellxfs = event == "start"
        elif event == "end" and tag == "numFmt":
            try:
                custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
            except ValueError:
                pass
        elif event == "start" and tag == "xf" and in_cellxfs:
            try:
                xfs.append(int(el.get("numFmtId", "0")))
            except ValueError:
                xfs.append(0)
    dates: list[bool] = []
    pcts: list[bool] = []
    for fmt_id in xfs:
        code = custom.get(fmt_id)
        if code is None:
            dates.append(fmt_id in _DATE_BUILTIN)
            pcts.append(fmt_id in _PCT_BUILTIN)
        else:
            bare = _QUOTED.sub("", code)
            dates.append(_is_date_code(code))
            pcts.append("%" in bare)
    return tuple(dates), tuple(pcts)


def _serial_to_datetime(value: float, date1904: bool) -> datetime | float:
    if not -1 < value < 2958466:  # beyond 9999-12-31: not a date, keep the number
        return value
    base = EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH
    moment = base + timedelta(days=value)
    # Round to the second: Excel stores times as fractions of a day.
    return moment.replace(microsecond=0) + timedelta(seconds=round(moment.microsecond / 1e6))


def _read_sheet(
    zf: zipfile.ZipFile,
    path: str,
    sheet: Sheet,
    strings: list[str],
    dates: Sequence[bool],
    pcts: Sequence[bool],
    date1904: bool,
) -> Finding | None:
    rows = sheet.rows
    last_row = 0  # number of the previous <row>, for rows/cells written without references
    pending: list[tuple[int, Any, bool]] = []  # cells of the current row without "r"
    col_no = 0
    with _open_member(zf, path) as fh:
        for _event, el in _parse(fh):
            tag = el.tag
            if tag.endswith("}c") or tag == "c":
                ref = el.get("r")
                r = c = 0
                if ref:
                    try:
                        r, c = split_ref(ref)
                    except ValueError:
                        ref = None
                if not ref:
                    c = col_no + 1
                col_no = c
                value, is_pct = _cell_value(el, strings, dates, pcts, date1904)
                el.clear()
                if value is None or value == "":
                    continue
                if not ref:
                    pending.append((c, value, is_pct))
                    continue
                problem = _put(sheet, rows, r, c, value, is_pct)
                if problem:
                    return problem
            else:
                local = _local(tag)
                if local == "row":
                    try:
                        row_no = int(el.get("r", "0")) or last_row + 1
                    except ValueError:
                        row_no = last_row + 1
                    last_row = row_no
                    col_no = 0
                    if el.get("hidden") in ("1", "true"):
                        sheet.hidden_rows.add(row_no)
                    for c, value, is_pct in pending:
                        problem = _put(sheet, rows, row_no, c, value, is_pct)
                        if problem:
                            return problem
                    pending.clear()
                    el.clear()
                elif local == "mergeCell":
                    ref = el.get("ref", "")
                    if ":" in ref:
                        try:
                            (r1, c1), (r2, c2) = (split_ref(x) for x in ref.split(":", 1))
                            sheet.merged.append((r1, c1, r2, c2))
                        except ValueError:
                            pass
                elif local == "col" and el.get("hidden") in ("1", "true"):
                    try:
                        lo, hi = int(el.get("min", "0")), int(el.get("max", "0"))
                    except ValueError:
                        lo = hi = 0
                    sheet.hidden_cols.update(range(lo, min(hi, 16384) + 1))
    return None


def _too_many_rows(sheet: Sheet, r: int) -> Finding:
    return _finding(
        "sheet-too-large",
        f"Trang '{sheet.name}' có dữ liệu ở dòng {r}, vượt giới hạn {MAX_ROW} dòng.",
        "Xóa dữ liệu thừa ở cuối trang tính rồi gửi lại.",
    )


def _put(
    sheet: Sheet, rows: dict[int, dict[int, Any]], r: int, c: int, value: Any, is_pct: bool
) -> Finding | None:
    if r > MAX_ROW:
        return _too_many_rows(sheet, r)
    row = rows.get(r)
    if row is None:
        row = rows[r] = {}
    row[c] = value
    if is_pct:
        sheet.percent.add((r, c))
    if r > sheet.max_row:
        sheet.max_row = r
    if c > sheet.max_col:
        sheet.max_col = c
    return None


def _cell_value(
    el: Any, strings: list[str], dates: Sequence[bool], pcts: Sequence[bool], date1904: bool
) -> tuple[Any, bool]:
    v_text: str | None = None
    has_v = False
    f_text: str | None = None
    inline: list[str] = []
    for child in el:
        ctag = _local(child.tag)
        if ctag == "v":
            v_text = child.text
            has_v = True
        elif ctag == "f":
            f_text = child.text or ""
        elif ctag == "is":
            inline.extend(x.text or "" for x in child.iter() if _local(x.tag) == "t")
    return _typed(
        el.get("t", "n"), el.get("s", "0"), v_text, has_v, f_text, "".join(inline),
        strings, dates, pcts, date1904,
    )  # fmt: skip


def _typed(
    t: str,
    s: str | None,
    v_text: str | None,
    has_v: bool,
    f_text: str | None,
    inline: str,
    strings: list[str],
    dates: Sequence[bool],
    pcts: Sequence[bool],
    date1904: bool,
) -> tuple[Any, bool]:
    """A cell's Python value from its parts; shared by both sheet parsers."""
    value: Any = None
    is_pct = False
    if t == "s":
        if v_text is not None:
            try:
                value = strings[int(v_text)]
            except (ValueError, IndexError):
                value = CellError("#SST!")
    elif t == "inlineStr":
        value = _unescape(inline)
    elif t == "str":
        value = _unescape(v_text) if v_text else v_text
    elif t == "b":
        value = None if v_text is None else v_text == "1"
    elif t == "e":
        value = CellError(v_text or "#ERR!")
    elif t == "d":
        value = _iso_to_datetime(v_text)
    elif v_text:
        try:
            num = float(v_text)
        except ValueError:
            value = v_text
        else:
            style = int(s or 0)
            if style < len(dates) and dates[style]:
                value = _serial_to_datetime(num, date1904)
            else:
                value = int(num) if num.is_integer() and abs(num) < 1e15 else num
                is_pct = style < len(pcts) and pcts[style]
    # A formula whose cached result is an empty text (=IF(x="";"";...)) is saved by Excel and
    # LibreOffice as t="str" with an empty <v>: that is a value. Without <v>, or an empty <v>
    # of another type (openpyxl's way), the value was never calculated.
    if f_text is not None and (value is None or value == "") and not (t == "str" and has_v):
        value = Formula(f_text)
    return value, is_pct


# --- fast path ------------------------------------------------------------------------------
# Regular expressions over the inflated sheet XML, for the layout every mainstream writer
# (Excel, LibreOffice, WPS, openpyxl, xlsxwriter) produces: unprefixed tags, double quotes,
# "r" as the first attribute of <c>. Anything else falls back to the ElementTree parser; a
# test proves both parsers give the same sheets. Why: this is where a flood spends its time,
# so the common cell shapes (a <v>, an inline string, nothing) are taken apart by ONE
# expression and handled without further searches; other cells take the general route.

# Cells with content only: a self-closing cell (60 % of a template's cells are empty
# formatted ones) carries no value, and the expression does not match it. The last
# alternative (formulas, rich text...) never runs past the end of its own cell.
_F_CELL = re.compile(
    r'<c r="([A-Z]{1,3})(\d+)"((?: [\w:.-]+="[^"]*")*) ?>'
    r'(?:<v>([^<]+)</v>|(<is>)<t(?: xml:space="preserve")?>([^<]*)</t></is>|'
    r"((?:(?!</c>|<c[ >/]).)*))</c>",
    re.S,
)
_F_ATTR_T = re.compile(r' t="(\w+)"')
_F_ATTR_S = re.compile(r' s="(\d+)"')
_F_V = re.compile(r"<v(?:\s[^>]*)?>(.*?)</v>|<v\s*/>", re.S)
_F_F = re.compile(r"<f(?:\s[^>]*)?>(.*?)</f>|<f(?:\s[^>]*)?/>", re.S)
_F_T = re.compile(r"<t(?:\s[^>]*)?>(.*?)</t>", re.S)
_F_RPH = re.compile(r"<rPh\b.*?</rPh>", re.S)
_F_SI = re.compile(r'<si><t(?: xml:space="preserve")?>([^<]*)</t></si>|<si>(.*?)</si>|<si/>', re.S)
_F_HIDDEN_ROW = re.compile(r'<row [^>]*?hidden="(?:1|true)"[^>]*>')
_F_ROW_R = re.compile(r' r="(\d+)"')
_F_MERGE = re.compile(r'<mergeCell ref="([A-Z]{1,3}\d+):([A-Z]{1,3}\d+)"')
_F_HIDDEN_COL = re.compile(r"<col [^>]*?hidden=\"(?:1|true)\"[^>]*>")
_F_COL_MIN = re.compile(r' min="(\d+)"')
_F_COL_MAX = re.compile(r' max="(\d+)"')
_F_UNSAFE = ("<!DOCTYPE", "<!ENTITY", "<![CDATA[")


def _read_member(zf: zipfile.ZipFile, name: str) -> bytes:
    """The inflated member, never more than its declared size (a lying header is corrupt)."""
    declared = zf.getinfo(name).file_size
    with zf.open(name) as fh:
        data = fh.read(declared + 1)
    if len(data) > declared:
        raise zipfile.BadZipFile(f"{name}: more data than declared")
    return data


def _decoded(raw: bytes) -> str | None:
    """UTF-8 text of an XML part; None (the slow parser decides) for any other encoding."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _text(raw: str) -> str:
    return html.unescape(raw) if "&" in raw else raw


def _fast_ok(data: str, root: str = "<worksheet") -> bool:
    """Only standard layouts take the fast path (namespace prefixes, CDATA... do not)."""
    head = data[:2000]
    return root in head and not any(marker in data for marker in _F_UNSAFE) and "<x:" not in head


def _shared_strings_fast(data: str) -> list[str]:
    out = []
    for simple, body, *_ in _F_SI.findall(data):
        if simple:
            text = _text(simple)
        elif body:
            if "<rPh" in body:
                body = _F_RPH.sub("", body)
            text = "".join(_text(t) for t in _F_T.findall(body))
        else:
            text = ""
        out.append(_unescape(text) if "_x" in text else text)
    return out


_F_VALUE_TAG = re.compile(r"<(?:v|is|f)[ >/]")


def _first_rows(region: str, n: int) -> str:
    """The sheet XML up to the end of its n-th <row> (all rows numbered up to n)."""
    at = 0
    for _ in range(n):
        found = region.find("</row>", at)
        if found < 0:
            return region
        at = found + 6
    return region[:at]


def _keep_rows(sheet: Sheet, limit: int) -> None:
    sheet.rows = {r: cells for r, cells in sheet.rows.items() if r <= limit}
    sheet.percent = {(r, c) for r, c in sheet.percent if r <= limit}
    sheet.max_row = max(sheet.rows, default=0)
    sheet.max_col = max((c for cells in sheet.rows.values() for c in cells), default=0)


def _read_sheet_fast(
    data: str,
    sheet: Sheet,
    strings: list[str],
    dates: Sequence[bool],
    pcts: Sequence[bool],
    date1904: bool,
    limit: int | None = None,
) -> Finding | bool | None:
    """Parse with regular expressions; False = layout not understood, use the slow parser."""
    rows = sheet.rows
    # Cells with a value end with "</c>": after the last one come only the template's empty
    # formatted rows (often half the sheet), skipped unless something there looks like a
    # value, which only a broken or unusual file has.
    end = data.rfind("</c>") + 4
    region = data[:end] if end >= 4 else ""
    if _F_VALUE_TAG.search(data, end if end >= 4 else 0):
        return False
    if limit is not None:
        region = _first_rows(region, limit)
    cells = _F_CELL.findall(region)
    # Every <v>, <is> and <f> must belong to a cell the expression took apart; a cell in
    # another shape (or broken markup) sends the sheet to the full parser. A cell that the
    # expression skips without any of them has no value to lose.
    tags_expected = len(_F_VALUE_TAG.findall(region))
    tags_seen = 0
    columns: dict[str, int] = {}
    # attributes text -> (type, style, is date, is percent): a sheet has few distinct ones
    kinds: dict[str, tuple[str, str, bool, bool]] = {}
    n_strings = len(strings)
    max_row = sheet.max_row
    max_col = sheet.max_col
    row_s_seen = ""  # cells come row by row: the row's dict is looked up once per row
    row: dict[int, Any] = {}
    r = 0
    for letters, row_s, attrs, v, is_tag, inline, other in cells:
        if v or is_tag:
            tags_seen += 1
        elif other:
            tags_seen += len(_F_VALUE_TAG.findall(other))
        else:
            continue  # no content
        kind = kinds.get(attrs)
        if kind is None:
            tm, sm = _F_ATTR_T.search(attrs), _F_ATTR_S.search(attrs)
            t = tm.group(1) if tm else "n"
            s = sm.group(1) if sm else "0"
            style = int(s)
            kind = kinds[attrs] = (
                t, s, style < len(dates) and dates[style], style < len(pcts) and pcts[style]
            )  # fmt: skip
        t, s, is_date, is_pct_style = kind
        is_pct = False
        value: Any
        if v and t == "s":
            try:
                i = int(v)
                value = strings[i] if 0 <= i < n_strings else CellError("#SST!")
            except ValueError:
                value = CellError("#SST!")
        elif v and t == "n":
            try:
                num = float(v)
            except ValueError:
                value = v
            else:
                if is_date:
                    value = _serial_to_datetime(num, date1904)
                else:
                    value = int(num) if num.is_integer() and abs(num) < 1e15 else num
                    is_pct = is_pct_style
        elif v:
            value, is_pct = _typed(t, s, _text(v), True, None, "", strings, dates, pcts, date1904)
        elif other or t != "inlineStr":
            value, is_pct = _typed_general(t, s, other, strings, dates, pcts, date1904)
        else:
            value = _unescape(_text(inline))
        if value is None or value == "":
            continue
        if row_s != row_s_seen:
            r = int(row_s)
            if r > MAX_ROW:
                return _too_many_rows(sheet, r)
            found = rows.get(r)
            if found is None:
                found = rows[r] = {}
            row, row_s_seen = found, row_s
            if r > max_row:
                max_row = r
        c = columns.get(letters)
        if c is None:
            c = columns[letters] = col_index(letters)
        row[c] = value
        if is_pct:
            sheet.percent.add((r, c))
        if c > max_col:
            max_col = c
    if tags_seen != tags_expected:
        return False
    sheet.max_row, sheet.max_col = max_row, max_col
    for m in _F_HIDDEN_ROW.finditer(data):
        rm = _F_ROW_R.search(m.group(0))
        if rm:
            sheet.hidden_rows.add(int(rm.group(1)))
    for m in _F_MERGE.finditer(data):
        (r1, c1), (r2, c2) = split_ref(m.group(1)), split_ref(m.group(2))
        sheet.merged.append((r1, c1, r2, c2))
    for m in _F_HIDDEN_COL.finditer(data):
        lo, hi = _F_COL_MIN.search(m.group(0)), _F_COL_MAX.search(m.group(0))
        if lo and hi:
            sheet.hidden_cols.update(range(int(lo.group(1)), min(int(hi.group(1)), 16384) + 1))
    return None


def _typed_general(
    t: str,
    s: str,
    inner: str,
    strings: list[str],
    dates: Sequence[bool],
    pcts: Sequence[bool],
    date1904: bool,
) -> tuple[Any, bool]:
    """A cell of any other shape (formula, rich inline text, empty <v/>...)."""
    v_text: str | None = None
    has_v = False
    f_text: str | None = None
    inline = ""
    if t == "inlineStr":
        inline = "".join(_text(x) for x in _F_T.findall(_F_RPH.sub("", inner)))
    else:
        vm = _F_V.search(inner)
        if vm is not None:
            has_v = True
            v_text = _text(vm.group(1)) if vm.group(1) is not None else None
    if "<f" in inner:
        fm = _F_F.search(inner)
        if fm is not None:
            f_text = _text(fm.group(1)) if fm.group(1) is not None else ""
    return _typed(t, s, v_text, has_v, f_text, inline, strings, dates, pcts, date1904)


def _unescape(text: str) -> str:
    """Decode the OOXML ``_xHHHH_`` escape (Excel writes a carriage return as ``_x000D_``)."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(_escaped_char, text)


def _escaped_char(match: re.Match[str]) -> str:
    code = int(match[1], 16)
    return match[0] if 0xD800 <= code <= 0xDFFF else chr(code)  # no lone surrogates


def _iso_to_datetime(text: str | None) -> Any:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", ""))
    except ValueError:
        return text


def read_workbook(
    data: bytes, name: str, *, fast: bool = True, row_limits: Mapping[str, int] | None = None
) -> ReadResult:
    """Open ``data`` (the bytes of one submitted file) without trusting it.

    ``row_limits`` names sheets of which only the first rows matter (sheet name -> last row
    to read, 0 for none): the guide and the lists sheet are ours, and reading their cells
    would cost a flood a tenth of its reading time for nothing.
    """
    problem = sniff(data, name)
    if problem:
        return ReadResult(None, [problem])
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return ReadResult(
            None,
            [
                _finding(
                    "container-corrupt",
                    "Tệp bị hỏng hoặc chưa tải xong, không mở được.",
                    "Tải lại tệp đính kèm hoặc đề nghị đơn vị gửi lại.",
                )
            ],
        )
    with zf:
        problem = _check_zip(zf, len(data))
        names = set(zf.namelist())
        problem = problem or _classify_zip(names)
        if problem:
            return ReadResult(None, [problem])
        try:
            return _read_parts(zf, names, fast, row_limits or {})
        except DefusedXmlException:
            return ReadResult(
                None,
                [
                    _finding(
                        "container-xml-entities",
                        "Tệp chứa khai báo XML bất thường (thực thể/DTD), không mở để bảo vệ hệ thống.",
                        "Gửi lại tệp báo cáo lưu trực tiếp từ Excel theo mẫu.",
                    )
                ],
            )
        except (zipfile.BadZipFile, EOFError, OSError, KeyError, ValueError) as exc:
            return ReadResult(
                None,
                [
                    _finding(
                        "container-corrupt",
                        f"Tệp bị hỏng, không đọc được nội dung ({type(exc).__name__}).",
                        "Mở tệp bằng Excel, lưu lại rồi gửi lại.",
                    )
                ],
            )
        except SyntaxError:  # ElementTree.ParseError
            return ReadResult(
                None,
                [
                    _finding(
                        "container-corrupt",
                        "Nội dung XML trong tệp bị hỏng, không đọc được.",
                        "Mở tệp bằng Excel, lưu lại rồi gửi lại.",
                    )
                ],
            )


@functools.lru_cache(maxsize=32)
def _workbook_parsed(raw: bytes) -> tuple[tuple[tuple[str, str, str], ...], bool]:
    """(sheet name, relation id, state) of each sheet, and the 1904 date system flag."""
    listed: list[tuple[str, str, str]] = []
    date1904 = False
    for _, el in _parse(io.BytesIO(raw)):
        tag = _local(el.tag)
        if tag == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
            listed.append((el.get("name", ""), rid, el.get("state", "visible")))
        elif tag == "workbookPr":
            date1904 = el.get("date1904") in ("1", "true")
    return tuple(listed), date1904


@functools.lru_cache(maxsize=32)
def _application(raw: bytes) -> str:
    for _, el in _parse(io.BytesIO(raw)):
        if _local(el.tag) == "Application":
            return (el.text or "").strip()
    return ""


def _read_parts(
    zf: zipfile.ZipFile, names: set[str], fast: bool, row_limits: Mapping[str, int]
) -> ReadResult:
    wb_rels = _rels(zf, names, "xl/workbook.xml")
    listed, date1904 = _small_part(_workbook_parsed, _read_member(zf, "xl/workbook.xml"))
    sheets_meta = [(name, wb_rels.get(rid, ""), state) for name, rid, state in listed]
    strings_path = next((t for t in wb_rels.values() if t.endswith("sharedStrings.xml")), None)
    styles_path = next((t for t in wb_rels.values() if t.endswith("styles.xml")), None)
    strings: list[str] | None = None
    if strings_path in names and fast:
        raw = _decoded(_read_member(zf, strings_path))  # type: ignore[arg-type]
        if raw is not None and _fast_ok(raw, "<sst"):
            strings = _shared_strings_fast(raw)
    if strings is None:
        strings = _shared_strings(zf, strings_path if strings_path in names else None)
    dates, pcts = _styles(zf, styles_path if styles_path in names else None)
    sheets: dict[str, Sheet] = {}
    for sheet_name, path, state in sheets_meta:
        sheet = Sheet(name=sheet_name, state=state)
        sheets[sheet_name] = sheet
        if path not in names:
            continue
        outcome: Finding | bool | None = False
        limit = row_limits.get(sheet_name)
        if fast:
            data = _decoded(_read_member(zf, path))
            if data is not None and _fast_ok(data):
                outcome = _read_sheet_fast(data, sheet, strings, dates, pcts, date1904, limit)
                if outcome is False:
                    sheet = sheets[sheet_name] = Sheet(name=sheet_name, state=state)
        if outcome is False:
            outcome = _read_sheet(zf, path, sheet, strings, dates, pcts, date1904)
        if isinstance(outcome, Finding):
            return ReadResult(None, [outcome])
        if limit is not None:
            _keep_rows(sheet, limit)
    app = ""
    if "docProps/app.xml" in names:
        app = _small_part(_application, _read_member(zf, "docProps/app.xml"))
    version = None
    meta = sheets.get("_danhmuc")
    if meta is not None and isinstance(meta.value(1, 2), (str, int, float)):
        version = str(meta.value(1, 2))
    return ReadResult(RawWorkbook(sheets=sheets, application=app, template_version=version), [])


__all__ = [
    "CellError",
    "Formula",
    "RawWorkbook",
    "ReadResult",
    "Sheet",
    "cell_ref",
    "read_workbook",
]
