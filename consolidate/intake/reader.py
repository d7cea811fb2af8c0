"""Read a submitted workbook safely: container checks, then a streaming SpreadsheetML parse.

Why our own reader: one pass over the sheet XML gives values *and* what a tolerant but
honest reader must know — number formats (dates, 0.6 shown as 60 %), formulas without a
cached value, merged cells, hidden rows and sheets — with bounded memory, with
defusedxml refusing entity tricks, and without ever running anything from the file.

The container is checked first (:mod:`.container`); sheets in the usual layout are taken
apart by :mod:`.fastread`, any other by the ElementTree parser here. Container problems come
back as findings (``container-*`` codes), never as exceptions.
"""

from __future__ import annotations

import functools
import io
import re
import sys
import zipfile
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from consolidate.core.codes import finding
from consolidate.core.findings import Finding
from consolidate.core.text import label_key
from consolidate.intake.cells import (
    CellError,
    RawWorkbook,
    ReadResult,
    Sheet,
    capped,
    put_cell,
    split_ref,
    typed_value,
    unescape,
)
from consolidate.intake.container import check_zip, classify_zip, read_member, sniff
from consolidate.intake.fastread import decoded, fast_ok, read_sheet_fast, shared_strings_fast

_DATE_BUILTIN = {14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57}
_PCT_BUILTIN = {9, 10}
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _open_member(zf: zipfile.ZipFile, name: str) -> IO[bytes]:
    # ZipExtFile stops at the declared size, and check_zip bounded the declared sizes.
    return zf.open(name)


def _parse(fh: IO[bytes], events: tuple[str, ...] = ("end",)) -> Iterator[tuple[str, Any]]:
    return iterparse(fh, events=events, forbid_dtd=True)  # type: ignore[no-any-return]


# --- workbook parts -----------------------------------------------------------------------


def _rels(zf: zipfile.ZipFile, names: set[str], path: str) -> dict[str, str]:
    folder, base = path.rsplit("/", 1) if "/" in path else ("", path)
    rels_path = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    if rels_path not in names:
        return {}
    return dict(_small_part(_rels_parsed, read_member(zf, rels_path), folder))


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
                    strings.append(capped(unescape("".join(parts))))
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
    return _small_part(_styles_parsed, read_member(zf, path))  # type: ignore[no-any-return]


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


def _read_sheet(
    zf: zipfile.ZipFile,
    path: str,
    sheet: Sheet,
    strings: list[str],
    dates: Sequence[bool],
    pcts: Sequence[bool],
    date1904: bool,
    limit: int | None = None,
) -> Finding | None:
    """The streaming parser; with ``limit``, parsing stops after that row (the rest of
    the part is never inflated)."""
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
                problem = put_cell(sheet, rows, r, c, value, is_pct)
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
                    if limit is not None and row_no > limit:
                        rows.pop(row_no, None)
                        sheet.truncated = True
                        return None
                    if el.get("hidden") in ("1", "true"):
                        sheet.hidden_rows.add(row_no)
                    for c, value, is_pct in pending:
                        problem = put_cell(sheet, rows, row_no, c, value, is_pct)
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
    return typed_value(
        el.get("t", "n"), el.get("s", "0"), v_text, has_v, f_text, "".join(inline),
        strings, dates, pcts, date1904,
    )  # fmt: skip


def _keep_rows(sheet: Sheet, limit: int) -> None:
    sheet.rows = {r: cells for r, cells in sheet.rows.items() if r <= limit}
    sheet.percent = {(r, c) for r, c in sheet.percent if r <= limit}
    sheet.max_row = max(sheet.rows, default=0)
    sheet.max_col = max((c for cells in sheet.rows.values() for c in cells), default=0)


#: What the zip layer raises on a damaged file (a finding, never a traceback). Found by the
#: fuzzer (issue 14): zlib.error (damaged deflate data), NotImplementedError (a zip entry
#: needing an unknown zip version), RuntimeError (an encrypted or unsupported entry).
_BROKEN = (
    zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError, NotImplementedError,
    zlib.error,
)  # fmt: skip


def read_workbook(
    data: bytes,
    name: str,
    *,
    fast: bool = True,
    row_limits: Mapping[str, int] | None = None,
    known: Collection[str] | None = None,
) -> ReadResult:
    """Open ``data`` (the bytes of one submitted file) without trusting it.

    ``row_limits`` names sheets of which only the first rows matter (sheet name -> last row
    to read, 0 for none): the guide and the lists sheet are ours, and reading their cells
    would cost a flood a tenth of its reading time for nothing. ``known`` (label keys of
    the template's sheet names): any other sheet is read to its first OTHER_SHEET_ROWS rows
    only, so that a workbook with a huge sheet of its own is answered in bounded memory.
    """
    problem = sniff(data, name)
    if problem:
        return ReadResult(None, [problem])
    try:
        zf = _Package(io.BytesIO(data))
    except (*_BROKEN, zipfile.LargeZipFile):
        return ReadResult(
            None,
            [finding("container-corrupt", "Tệp bị hỏng hoặc chưa tải xong, không mở được.")],
        )
    with zf:
        problem = check_zip(zf, len(data))
        names = set(zf.namelist())
        try:
            workbook = "xl/workbook.xml" if problem else _office_document(zf, names)
            mimetype = read_member(zf, "mimetype")[:200] if "mimetype" in names else b""
        except (*_BROKEN, KeyError, SyntaxError):
            workbook, mimetype = "xl/workbook.xml", b""
        problem = problem or classify_zip(names, workbook, mimetype)
        if problem:
            return ReadResult(None, [problem])
        try:
            return _read_parts(zf, names, fast, row_limits or {}, workbook, known)
        except DefusedXmlException:
            return ReadResult(
                None,
                [
                    finding(
                        "container-xml-entities",
                        "Tệp chứa khai báo XML bất thường (thực thể/DTD), không mở để bảo vệ hệ thống.",
                    )
                ],
            )
        except (*_BROKEN, KeyError):
            return ReadResult(
                None,
                [
                    finding(
                        "container-corrupt",
                        "Tệp bị hỏng, không đọc được nội dung (một phần của tệp nén bị "
                        "thiếu hoặc sai).",
                        "Mở tệp bằng Excel, lưu lại rồi gửi lại.",
                    )
                ],
            )
        except SyntaxError:  # ElementTree.ParseError
            return ReadResult(
                None,
                [
                    finding(
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


#: Memory bounds (defect 13): rows read of a sheet the template does not have; the largest
#: part taken whole by the fast path (larger ones stream); the largest string table kept
#: whole (a larger one keeps only the strings the read cells use).
OTHER_SHEET_ROWS = 500
FAST_PATH_BYTES = 16 << 20
FULL_STRINGS_BYTES = 8 << 20


def _size(zf: zipfile.ZipFile, name: str) -> int:
    return zf.getinfo(name).file_size


class _Ref:
    """A shared-string index waiting for its text (see :class:`_LazyStrings`)."""

    __slots__ = ("i",)

    def __init__(self, i: int) -> None:
        self.i = i


class _LazyStrings:
    """Stands for the string table while the sheets are read: records which indices the
    cells use; :meth:`resolve` then streams the table once and puts the texts in place."""

    def __init__(self) -> None:
        self.wanted: set[int] = set()

    def __len__(self) -> int:
        return sys.maxsize

    def __getitem__(self, i: int) -> _Ref:
        if i < 0:
            raise IndexError(i)
        self.wanted.add(i)
        return _Ref(i)

    def resolve(self, zf: zipfile.ZipFile, path: str, sheets: Iterable[Sheet]) -> None:
        texts: dict[int, str] = {}
        if self.wanted:
            last = max(self.wanted)
            index, parts, in_phonetic, root = 0, [], 0, None
            with _open_member(zf, path) as fh:
                for event, el in _parse(fh, ("start", "end")):
                    if root is None:
                        root = el
                    tag = _local(el.tag)
                    if tag == "rPh":
                        in_phonetic += 1 if event == "start" else -1
                    elif event == "end":
                        if tag == "t" and not in_phonetic and index in self.wanted:
                            parts.append(el.text or "")
                        elif tag == "si":
                            if index in self.wanted:
                                texts[index] = capped(unescape("".join(parts)))
                            parts = []
                            index += 1
                            root.clear()  # nothing of the table stays in memory
                            if index > last:
                                break
        for sheet in sheets:
            for row in sheet.rows.values():
                for c, value in list(row.items()):
                    if isinstance(value, _Ref):
                        text = texts.get(value.i)
                        if text is None:
                            row[c] = CellError("#SST!")
                        elif text:
                            row[c] = text
                        else:
                            del row[c]


class _Package(zipfile.ZipFile):
    """A zip whose members are named with "/" whatever the writer stored: some tools write
    "xl\\workbook.xml" or "/xl/workbook.xml"; the package's own names are kept for reading."""

    def __init__(self, file: IO[bytes]) -> None:
        super().__init__(file)
        self._alias: dict[str, str] = {}
        for info in self.infolist():
            canonical = info.filename.replace("\\", "/").lstrip("/")
            if canonical != info.filename:
                self._alias.setdefault(canonical, info.filename)

    def namelist(self) -> list[str]:
        return [n.replace("\\", "/").lstrip("/") for n in super().namelist()]

    def getinfo(self, name: str) -> zipfile.ZipInfo:
        return super().getinfo(self._alias.get(name, name))

    def open(self, name: Any, mode: Any = "r", pwd: Any = None, **kw: Any) -> Any:
        if isinstance(name, str):
            name = self._alias.get(name, name)
        return super().open(name, mode, pwd, **kw)


OFFICE_DOCUMENT = "/officeDocument"


def _office_document(zf: zipfile.ZipFile, names: set[str]) -> str:
    """The workbook part, where the package's ``_rels/.rels`` says it is (xl/workbook.xml
    in files from Excel and LibreOffice; elsewhere in some generated files)."""
    if "_rels/.rels" not in names:
        return "xl/workbook.xml"
    raw = read_member(zf, "_rels/.rels")
    for _, el in _parse(io.BytesIO(raw)):
        if _local(el.tag) == "Relationship" and el.get("Type", "").endswith(OFFICE_DOCUMENT):
            target = el.get("Target", "").replace("\\", "/").lstrip("/")
            if target and not target.startswith("../"):
                return target
    return "xl/workbook.xml"


def _read_parts(
    zf: zipfile.ZipFile,
    names: set[str],
    fast: bool,
    row_limits: Mapping[str, int],
    workbook: str = "xl/workbook.xml",
    known: Collection[str] | None = None,
) -> ReadResult:
    wb_rels = _rels(zf, names, workbook)
    listed, date1904 = _small_part(_workbook_parsed, read_member(zf, workbook))
    sheets_meta = [(name, wb_rels.get(rid, ""), state) for name, rid, state in listed]
    strings_path = next((t for t in wb_rels.values() if t.endswith("sharedStrings.xml")), None)
    styles_path = next((t for t in wb_rels.values() if t.endswith("styles.xml")), None)
    strings: Any = None
    lazy: _LazyStrings | None = None
    if strings_path in names and _size(zf, strings_path) > FULL_STRINGS_BYTES:
        # A big string table (a legitimate workbook with a large sheet of text): only the
        # strings the read cells use are kept, taken in one streaming pass at the end.
        strings = lazy = _LazyStrings()
    elif strings_path in names and fast:
        raw = decoded(read_member(zf, strings_path))  # type: ignore[arg-type]
        if raw is not None and fast_ok(raw, "<sst"):
            strings = shared_strings_fast(raw)
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
        if known is not None and label_key(sheet_name) not in known:
            # Not a sheet of the template: its first rows tell what it is (a renamed
            # template sheet, or anything else); the rest is never read.
            limit = OTHER_SHEET_ROWS if limit is None else min(limit, OTHER_SHEET_ROWS)
        if fast and _size(zf, path) <= FAST_PATH_BYTES:
            data = decoded(read_member(zf, path))
            if data is not None and fast_ok(data):
                outcome = read_sheet_fast(data, sheet, strings, dates, pcts, date1904, limit)
                if outcome is False:
                    sheet = sheets[sheet_name] = Sheet(name=sheet_name, state=state)
                elif limit is not None and sheet.max_row > limit:
                    sheet.truncated = True
            del data
        if outcome is False:
            outcome = _read_sheet(zf, path, sheet, strings, dates, pcts, date1904, limit)
        if isinstance(outcome, Finding):
            return ReadResult(None, [outcome])
        if limit is not None:
            _keep_rows(sheet, limit)
    if lazy is not None and strings_path is not None:
        lazy.resolve(zf, strings_path, sheets.values())
    app = ""
    if "docProps/app.xml" in names:
        app = _small_part(_application, read_member(zf, "docProps/app.xml"))
    version = None
    meta = sheets.get("_danhmuc")
    if meta is not None and isinstance(meta.value(1, 2), (str, int, float)):
        version = str(meta.value(1, 2))
    return ReadResult(RawWorkbook(sheets=sheets, application=app, template_version=version), [])


__all__ = ["ReadResult", "read_workbook"]
