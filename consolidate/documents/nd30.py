"""The NĐ 30 layout kit: one :class:`OfficialDocument` per Word file.

Decree 30/2020/NĐ-CP, Appendix I: A4, margins top/bottom 20 mm, left 30 mm, right 15 mm;
Times New Roman in every font slot (python-docx's ``Font.name`` sets only ascii/hAnsi, so
eastAsia and cs are written here, on the document defaults, on every style and on every run);
body 14 pt justified with a first-line indent and 6 pt between paragraphs; the national
heading as a borderless two-column table with the short rules; page numbers centred in the
top margin from page 2 (``titlePg`` plus a ``PAGE`` field: python-docx has no field API);
appendices as their own sections, landscape where the table is wide, numbered from 1.

Tables are written as raw ``w:tbl`` XML: python-docx's cell API re-scans the table on every
cell access, which is quadratic for an appendix of a few thousand rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from docx.oxml.parser import parse_xml
from docx.shared import Mm, Pt
from lxml import etree

from consolidate.core.config import Office
from consolidate.core.fmt import date_line as fmt_date_line
from consolidate.core.textwidth import fit_lines, text_width_mm

FONT = "Times New Roman"
PAGE_W, PAGE_H = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
BODY_PT = 14
TABLE_PT = 11
#: Usable width in twentieths of a point (twips): portrait 165 mm, landscape 252 mm.
TWIPS_PER_MM = 1440 / 25.4
USABLE_MM = 165  # portrait: 210 - 30 - 15
PORTRAIT_TWIPS = round(USABLE_MM * TWIPS_PER_MM)
LANDSCAPE_TWIPS = round(252 * TWIPS_PER_MM)
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BLANK_NUMBER = "…"
#: The heading table: cell margins (57 twips each side), room kept free on a line so that a
#: small difference of font between machines cannot push a word onto the next line, the
#: narrowest left column, and the office's short rule as a share of its name's width.
CELL_PAD_MM = 2 * 57 / (1440 / 25.4)
HEAD_SLACK_MM = 3.0
MIN_LEFT_MM = 60.0
RULE_SHARE = 0.4
#: The subject under ``BÁO CÁO`` is set narrower than the page, as the province's letters do.
TITLE_INDENT_MM = 15.0

_ALIGN = {"left": "left", "center": "center", "right": "right", "both": "both"}


def date_line(province: str, when: date) -> str:
    """``Đắk Lắk, ngày 05 tháng 6 năm 2026``: day below 10 and months 1, 2 with a leading 0
    (Decree 30/2020/NĐ-CP, Appendix I; the same line as the workbooks', core.fmt)."""
    return fmt_date_line(when, province)


def _fonts(rpr: Any) -> None:
    """Times New Roman in all four slots, no theme font that would override them."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(qn(f"w:{attr}"), None)
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{slot}"), FONT)


def _rpr(size: float, bold: bool = False, italic: bool = False) -> Any:
    rpr = OxmlElement("w:rPr")
    _fonts(rpr)
    if bold:
        rpr.append(OxmlElement("w:b"))
        rpr.append(OxmlElement("w:bCs"))
    if italic:
        rpr.append(OxmlElement("w:i"))
        rpr.append(OxmlElement("w:iCs"))
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(round(size * 2)))
        rpr.append(el)
    return rpr


def _run(text: str, size: float, bold: bool = False, italic: bool = False) -> Any:
    r = OxmlElement("w:r")
    r.append(_rpr(size, bold, italic))
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i:
            r.append(OxmlElement("w:br"))
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = line
        r.append(t)
    return r


def _ppr(
    align: str = "both",
    *,
    first_line_mm: float = 0,
    before_pt: float = 0,
    after_pt: float = 0,
    line: float | None = None,
    keep_next: bool = False,
    indent_mm: tuple[float, float] = (0, 0),
    border_top: bool = False,
) -> Any:
    ppr = OxmlElement("w:pPr")
    if keep_next:
        ppr.append(OxmlElement("w:keepNext"))
    if border_top:
        bdr = OxmlElement("w:pBdr")
        top = OxmlElement("w:top")
        for k, v in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
            top.set(qn(f"w:{k}"), v)
        bdr.append(top)
        ppr.append(bdr)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:before"), str(round(before_pt * 20)))
    spacing.set(qn("w:after"), str(round(after_pt * 20)))
    if line is not None:
        spacing.set(qn("w:line"), str(round(line * 240)))
        spacing.set(qn("w:lineRule"), "auto")
    ppr.append(spacing)
    ind = OxmlElement("w:ind")
    ind.set(qn("w:left"), str(round(indent_mm[0] * TWIPS_PER_MM)))
    ind.set(qn("w:right"), str(round(indent_mm[1] * TWIPS_PER_MM)))
    if first_line_mm:
        ind.set(qn("w:firstLine"), str(round(first_line_mm * TWIPS_PER_MM)))
    ppr.append(ind)
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), _ALIGN[align])
    ppr.append(jc)
    return ppr


#: One piece of a paragraph: text, or (text, bold, italic).
Piece = str | tuple[str, bool, bool]


def _para(
    pieces: Piece | Sequence[Piece],
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    **ppr: Any,
) -> Any:
    p = OxmlElement("w:p")
    p.append(_ppr(**ppr))
    items = [pieces] if isinstance(pieces, str | tuple) else list(pieces)
    for item in items:
        if isinstance(item, tuple):
            text, b, i = item
        else:
            text, b, i = item, bold, italic
        if text:
            p.append(_run(text, size, b, i))
    return p


@dataclass(frozen=True)
class Column:
    title: str
    width_mm: float
    align: str = "left"


def _tc(width: int, paragraphs: Iterable[Any], span: int = 1, shade: str = "") -> Any:
    tc = OxmlElement("w:tc")
    tcpr = OxmlElement("w:tcPr")
    w = OxmlElement("w:tcW")
    w.set(qn("w:w"), str(width))
    w.set(qn("w:type"), "dxa")
    tcpr.append(w)
    if span > 1:
        gs = OxmlElement("w:gridSpan")
        gs.set(qn("w:val"), str(span))
        tcpr.append(gs)
    if shade:
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), shade)
        tcpr.append(shd)
    tc.append(tcpr)
    for p in paragraphs:
        tc.append(p)
    return tc


# Characters XML 1.0 cannot carry (a unit's cell may hold them); dropped from cell text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class _CellProto:
    """A table cell of one column (width, alignment, 11 pt) as XML text around its value:
    thousands of rows are written as one string and parsed once, which is ~20× faster than
    building each cell element by element."""

    def __init__(self, width: int, align: str) -> None:
        self.width = width
        self.align = align
        self.empty = _xml(_tc(width, [_para("", TABLE_PT, align=align)]))
        marker = "\ue000"  # a private-use character: never in the prototype's markup
        full = _xml(_tc(width, [_para(marker, TABLE_PT, align=align)]))
        self.before, self.after = full.split(marker)

    def cell(self, text: str) -> str:
        text = _NOT_XML.sub("", text)
        if not text.strip():
            return self.empty
        if "\n" in text:  # line breaks: the general path
            return _xml(_tc(self.width, [_para(text, TABLE_PT, align=self.align)]))
        return self.before + escape(text) + self.after


def _xml(el: Any) -> str:
    """An element as XML text without namespace declarations (they sit on the wrapper)."""
    text: str = etree.tostring(el, encoding="unicode")
    return _NS_DECL.sub("", text)


_NS_DECL = re.compile(r' xmlns:\w+="[^"]*"')


def _rows_xml(rows_xml: list[str]) -> list[Any]:
    """Parse table rows written as text (see :class:`_CellProto`) into elements."""
    wrapper = f'<w:tbl xmlns:w="{nsmap["w"]}">' + "".join(rows_xml) + "</w:tbl>"
    return list(parse_xml(wrapper))


def _tr(cells: Iterable[Any], header: bool = False) -> Any:
    tr = OxmlElement("w:tr")
    trpr = OxmlElement("w:trPr")
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))
    tr.append(trpr)
    for c in cells:
        tr.append(c)
    return tr


def _tbl(widths: Sequence[int], borders: bool) -> Any:
    tbl = OxmlElement("w:tbl")
    pr = OxmlElement("w:tblPr")
    tw = OxmlElement("w:tblW")
    tw.set(qn("w:w"), str(sum(widths)))
    tw.set(qn("w:type"), "dxa")
    pr.append(tw)
    bdr = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single" if borders else "nil")
        if borders:
            el.set(qn("w:sz"), "4")
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
        bdr.append(el)
    pr.append(bdr)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    pr.append(layout)
    mar = OxmlElement("w:tblCellMar")
    for side, v in (("left", 57), ("right", 57)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(v))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    pr.append(mar)
    tbl.append(pr)
    grid = OxmlElement("w:tblGrid")
    for w in widths:
        gc = OxmlElement("w:gridCol")
        gc.set(qn("w:w"), str(w))
        grid.append(gc)
    tbl.append(grid)
    return tbl


def _page_field(size: float) -> Any:
    """A centred paragraph holding a PAGE field (w:fldChar begin/separate/end)."""
    p = OxmlElement("w:p")
    p.append(_ppr("center"))

    def fld(kind: str) -> Any:
        r = OxmlElement("w:r")
        r.append(_rpr(size))
        fc = OxmlElement("w:fldChar")
        fc.set(qn("w:fldCharType"), kind)
        r.append(fc)
        return r

    p.append(fld("begin"))
    instr = OxmlElement("w:r")
    instr.append(_rpr(size))
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = " PAGE "
    instr.append(it)
    p.append(instr)
    p.append(fld("separate"))
    p.append(_run("2", size))
    p.append(fld("end"))
    return p


def _rule(cell_mm: float, length_mm: float) -> Any:
    """A solid rule ``length_mm`` long, centred in a heading cell ``cell_mm`` wide: the top
    border of an empty 2 pt paragraph indented from both sides."""
    side = max(0.0, (cell_mm - CELL_PAD_MM - length_mm) / 2)
    return _para("", 2, border_top=True, indent_mm=(side, side), align="center")


class OfficialDocument:
    """A Word document in NĐ 30 format, written paragraph by paragraph."""

    def __init__(self, office: Office, *, kind_code: str = "BC") -> None:
        """``kind_code`` "BC" (báo cáo: ``…/BC-SKHCN``), "KH" (kế hoạch: ``…/KH-SKHCN``);
        "" for a letter (công văn: ``…/SKHCN-VP``, ``office.letter_prefix``)."""
        self.office = office
        self.doc: Any = Document()
        self.body = self.doc.element.body
        self._sect_pr = self.body.sectPr
        if not kind_code:
            self.number = f"{BLANK_NUMBER}/{office.letter_prefix}"
        elif kind_code == "BC" or not office.doc_prefix.startswith("BC-"):
            self.number = f"{BLANK_NUMBER}/{office.doc_prefix}"
        else:  # a plan: "…/KH-SKHCN" from "BC-SKHCN"
            self.number = f"{BLANK_NUMBER}/{kind_code}-{office.doc_prefix[3:]}"
        self._setup_styles()
        self._setup_section(self.doc.sections[0], landscape=False, restart=False)

    # --- setup -----------------------------------------------------------------------------

    def _setup_styles(self) -> None:
        styles = self.doc.styles.element
        defaults = styles.find(qn("w:docDefaults"))
        if defaults is not None:
            rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
            if rpr is not None:
                _fonts(rpr)
        for style in self.doc.styles:
            el = style.element
            rpr = el.find(qn("w:rPr"))
            if rpr is None:
                rpr = el.get_or_add_rPr() if hasattr(el, "get_or_add_rPr") else None
            if rpr is not None:
                _fonts(rpr)
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(BODY_PT)
        normal.element.get_or_add_rPr()
        _fonts(normal.element.rPr)
        normal.paragraph_format.space_after = Pt(6)

    def _setup_section(self, section: Any, *, landscape: bool, restart: bool) -> None:
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (
            (PAGE_H, PAGE_W) if landscape else (PAGE_W, PAGE_H)
        )
        section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
        section.header_distance, section.footer_distance = Mm(10), Mm(10)
        section.different_first_page_header_footer = True
        header = section.header
        header.is_linked_to_previous = False
        hdr = header._element
        for child in list(hdr):
            hdr.remove(child)
        hdr.append(_page_field(BODY_PT))
        first = section.first_page_header
        first.is_linked_to_previous = False
        fel = first._element
        for child in list(fel):
            fel.remove(child)
        fel.append(_para("", size=BODY_PT, align="center"))
        for footer in (section.footer, section.first_page_footer):
            footer.is_linked_to_previous = False
        sect_pr = section._sectPr
        pg = sect_pr.find(qn("w:pgNumType"))
        if restart:
            if pg is None:
                pg = OxmlElement("w:pgNumType")
                sect_pr.append(pg)
            pg.set(qn("w:start"), "1")
        elif pg is not None:
            sect_pr.remove(pg)

    def _add(self, element: Any) -> Any:
        self._sect_pr.addprevious(element)
        return element

    # --- heading ---------------------------------------------------------------------------

    def heading(self, when: date, subject: str = "") -> None:
        """The national heading: agencies | national title and motto (first row), ``Số`` and
        the subject of a letter | the dateline (second row, so they stand level).

        The columns are as wide as the right-hand lines need; a line too long for its column
        is broken between words into balanced lines ("ỦY BAN NHÂN DÂN / TỈNH ĐẮK LẮK", as the
        province's own letters write it), never inside a name by the word processor."""
        o = self.office
        date_text = date_line(o.province, when)
        right_need = max(
            text_width_mm(NATIONAL_TITLE, 12, bold=True),
            text_width_mm(MOTTO, 13, bold=True),
            text_width_mm(date_text, 14, italic=True),
        )
        right_mm = min(right_need + CELL_PAD_MM + HEAD_SLACK_MM, USABLE_MM - MIN_LEFT_MM)
        left_mm = USABLE_MM - right_mm
        left_w = round(left_mm * TWIPS_PER_MM)
        right_w = PORTRAIT_TWIPS - left_w
        room_left = left_mm - CELL_PAD_MM - HEAD_SLACK_MM
        room_right = right_mm - CELL_PAD_MM

        def lines(text: str, size: float, room: float, bold: bool = False,
                  italic: bool = False) -> list[Any]:  # fmt: skip
            return [
                _para(line, size, bold=bold, italic=italic, align="center")
                for line in fit_lines(text, room, size, bold=bold, italic=italic)
            ]

        office = o.office_name.upper()
        office_w = max(
            text_width_mm(x, 12, bold=True) for x in fit_lines(office, room_left, 12, bold=True)
        )
        motto_w = min(text_width_mm(MOTTO, 13, bold=True), room_right)
        tbl = _tbl([left_w, right_w], borders=False)
        left = [
            *lines(o.parent_agency.upper(), 12, room_left),
            *lines(office, 12, room_left, bold=True),
            _rule(left_mm, RULE_SHARE * office_w),
        ]
        right = [
            *lines(NATIONAL_TITLE, 12, room_right, bold=True),
            *lines(MOTTO, 13, room_right, bold=True),
            _rule(right_mm, motto_w),
        ]
        tbl.append(_tr([_tc(left_w, left), _tc(right_w, right)]))
        number = [_para(f"Số: {self.number}", 13, before_pt=4, align="center")]
        if subject:
            number += lines(subject, 12, room_left)
        dated = [
            _para(line, 14, italic=True, before_pt=4, align="center")
            for line in fit_lines(date_text, room_right, 14, italic=True)
        ]
        tbl.append(_tr([_tc(left_w, number), _tc(right_w, dated)]))
        self._add(tbl)
        self._add(_para("", 12, after_pt=6))

    def title(self, kind: str, subject: str) -> None:
        """``BÁO CÁO`` and the subject under it, the subject broken into even lines between
        words (after a comma where that is enough), never by the word processor."""
        self._add(_para(kind.upper(), 14, bold=True, align="center", before_pt=12, keep_next=True))
        lines = fit_lines(subject, USABLE_MM - TITLE_INDENT_MM, 14, bold=True)
        self._add(_para("\n".join(lines), 14, bold=True, align="center", after_pt=12,
                        keep_next=True))  # fmt: skip

    def addressee(self, names: Sequence[str]) -> None:
        """``Kính gửi: X.`` on one line, or a list ``- A;`` ``- B.`` for several."""
        if len(names) == 1:
            self._add(_para(f"Kính gửi: {names[0]}.", 14, align="center", after_pt=12))
            return
        self._add(_para("Kính gửi:", 14, align="left", indent_mm=(35, 0), after_pt=0))
        for i, name in enumerate(names):
            end = "." if i == len(names) - 1 else ";"
            self._add(_para(f"- {name}{end}", 14, align="left", indent_mm=(50, 0), after_pt=0))
        self._add(_para("", 8))

    # --- body ------------------------------------------------------------------------------

    def section(self, text: str) -> None:
        """``I. TÌNH HÌNH …`` (bold)."""
        self._add(_para(text, BODY_PT, bold=True, first_line_mm=10, after_pt=6, keep_next=True))

    def subsection(self, text: str) -> None:
        self._add(_para(text, BODY_PT, bold=True, first_line_mm=10, after_pt=6, keep_next=True))

    def para(self, pieces: Piece | Sequence[Piece], *, italic: bool = False) -> None:
        """A body paragraph: 14 pt, justified, first line indented 1 cm, 6 pt after."""
        self._add(_para(pieces, BODY_PT, italic=italic, first_line_mm=10, after_pt=6, line=1.1))

    def last(self, text: str) -> None:
        """The closing sentence ending in ``./.``, kept on the page of the signature."""
        self._add(_para(text, BODY_PT, first_line_mm=10, after_pt=6, line=1.1, keep_next=True))

    def bullets(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.para(f"- {line}")

    # --- close -----------------------------------------------------------------------------

    def closing(self, recipients: Sequence[str]) -> None:
        """``Nơi nhận`` (bold italic 12, list 11) beside the signature block."""
        o = self.office
        left_w = round(75 * TWIPS_PER_MM)
        right_w = PORTRAIT_TWIPS - left_w
        tbl = _tbl([left_w, right_w], borders=False)
        left = [_para("Nơi nhận:", 12, bold=True, italic=True, align="left", before_pt=6)]
        for i, name in enumerate(recipients):
            end = "." if i == len(recipients) - 1 else ";"
            left.append(_para(f"- {name}{end}", 11, align="left"))
        right = []
        if o.signer_authority:
            right.append(
                _para(o.signer_authority.upper(), 14, bold=True, before_pt=6, align="center")
            )
        right.append(_para(o.signer_title.upper(), 14, bold=True, align="center"))
        right.append(_para("\n\n\n", 14, align="center"))
        right.append(_para(o.signer_name or "", 14, bold=True, align="center"))
        tbl.append(_tr([_tc(left_w, left), _tc(right_w, right)]))
        self._add(tbl)

    def recipients(self) -> list[str]:
        """``Nơi nhận`` as configured (``Như trên`` … ``Lưu: VT``)."""
        return list(self.office.recipients)

    # --- appendices ------------------------------------------------------------------------

    def appendix(
        self, number: str, title: str, caption: str, *, landscape: bool, note: str = ""
    ) -> int:
        """Start ``Phụ lục <number>`` on a new section; returns the usable width in twips."""
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        self._setup_section(section, landscape=landscape, restart=True)
        self._add(_para(f"Phụ lục {number}", 14, bold=True, align="center", keep_next=True))
        self._add(_para(title.upper(), 14, bold=True, align="center", keep_next=True))
        self._add(_para(caption, 14, italic=True, align="center", after_pt=6 if not note else 0))
        if note:
            self._add(_para(note, 13, italic=True, align="center", after_pt=6))
        return LANDSCAPE_TWIPS if landscape else PORTRAIT_TWIPS

    def table(
        self,
        columns: Sequence[Column],
        rows: Iterable[Sequence[Any] | str],
        width: int,
        empty: str = "Không có.",
    ) -> int:
        """A bordered table, header repeated on every page, 11 pt; a ``str`` row is a group
        heading across all columns. Returns the number of data rows."""
        total_mm = sum(c.width_mm for c in columns)
        widths = [round(width * c.width_mm / total_mm) for c in columns]
        tbl = _tbl(widths, borders=True)
        head = [
            _tc(w, [_para(c.title, TABLE_PT, bold=True, align="center")], shade="F2F2F2")
            for c, w in zip(columns, widths, strict=True)
        ]
        tbl.append(_tr(head, header=True))
        # A data cell is a copy of a prototype built once per column with its text set:
        # building each of the thousands of cells element by element took seconds.
        protos = [_CellProto(w, c.align) for c, w in zip(columns, widths, strict=True)]
        tr_open, tr_close = _xml(_tr([])).replace("</w:tr>", "\x00</w:tr>").split("\x00")
        pending: list[str] = []
        n = 0
        for row in rows:
            if isinstance(row, str):
                tbl.extend(_rows_xml(pending))
                pending.clear()
                para = _para(row, TABLE_PT, bold=True, align="left", keep_next=True)
                tbl.append(_tr([_tc(sum(widths), [para], span=len(widths))]))
                continue
            n += 1
            cells = [
                proto.cell("" if value is None else str(value))
                for proto, value in zip(protos, row, strict=True)
            ]
            pending.append(tr_open + "".join(cells) + tr_close)
        tbl.extend(_rows_xml(pending))
        if n == 0:
            para = _para(empty, TABLE_PT, italic=True, align="center")
            tbl.append(_tr([_tc(sum(widths), [para], span=len(widths))]))
        self._add(tbl)
        return n

    def save(self, path: Path) -> None:
        self.doc.save(str(path))
