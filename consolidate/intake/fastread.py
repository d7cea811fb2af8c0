"""The fast path of reading a sheet: regular expressions over the inflated sheet XML."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from consolidate.core.findings import Finding
from consolidate.intake.cells import (
    CellError,
    Sheet,
    capped,
    col_index,
    serial_to_datetime,
    split_ref,
    too_many_rows,
    typed_value,
    unescape,
)
from consolidate.intake.container import MAX_ROW

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


def decoded(raw: bytes) -> str | None:
    """UTF-8 text of an XML part; None (the slow parser decides) for any other encoding."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


# XML's five entities and numeric references, as an XML parser reads them. (html.unescape
# is not XML: it maps &#128;-&#159; to Windows-1252 letters, "&#128;" to "€" not "\x80".)
_XML_REF = re.compile(r"&(?:#(\d+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));")
_XML_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _xml_ref(m: re.Match[str]) -> str:
    if m[3]:
        return _XML_NAMED[m[3]]
    code = int(m[1]) if m[1] else int(m[2], 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m[0]


def _text(raw: str) -> str:
    return _XML_REF.sub(_xml_ref, raw) if "&" in raw else raw


def fast_ok(data: str, root: str = "<worksheet") -> bool:
    """Only standard layouts take the fast path (namespace prefixes, CDATA... do not)."""
    head = data[:2000]
    return root in head and not any(marker in data for marker in _F_UNSAFE) and "<x:" not in head


def shared_strings_fast(data: str) -> list[str]:
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
        out.append(capped(unescape(text) if "_x" in text else text))
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


def read_sheet_fast(
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
                value = capped(v)
            else:
                if is_date:
                    value = serial_to_datetime(num, date1904)
                else:
                    value = int(num) if num.is_integer() and abs(num) < 1e15 else num
                    is_pct = is_pct_style
        elif v:
            value, is_pct = typed_value(
                t, s, _text(v), True, None, "", strings, dates, pcts, date1904
            )
        elif other or t != "inlineStr":
            value, is_pct = _typed_general(t, s, other, strings, dates, pcts, date1904)
        else:
            value = capped(unescape(_text(inline)))
        if value is None or value == "":
            continue
        if row_s != row_s_seen:
            r = int(row_s)
            if r > MAX_ROW:
                return too_many_rows(sheet, r)
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
    return typed_value(t, s, v_text, has_v, f_text, inline, strings, dates, pcts, date1904)
