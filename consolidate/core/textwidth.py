"""How wide a line of Times New Roman is, for layouts that must not break or clip text.

The national heading of a document is laid out without a break inside a name, and the rows
of wrapped text in a workbook are sized (Excel and LibreOffice do not grow a merged row, nor
one they did not lay out themselves).

The advance widths (thousandths of an em) are those of Liberation Serif, which is metric-
compatible with Times New Roman by design (the font LibreOffice substitutes for it): the same
text takes the same width in Word with Times New Roman and in LibreOffice. A Vietnamese letter
takes the width of its base letter (the tone and hat marks stand above or below it) except the
horn letters ơ, ư, which are wider and are listed. Letters outside the table count as an "M"
(wide), so a measure errs toward "does not fit".
"""

from __future__ import annotations

import unicodedata

_CHARS = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~ĐđƠơƯư…–—“”‘’"


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split())


_WIDTHS: dict[tuple[bool, bool], tuple[int, ...]] = {
    (False, False): _ints(
        "250 333 408 500 500 833 778 180 333 333 500 564 250 333 250 278 500 500 500 500 500 "
        "500 500 500 500 500 278 278 564 564 564 444 921 722 667 667 722 611 556 722 722 333 "
        "389 722 611 889 722 722 556 722 667 556 611 722 722 944 722 722 611 333 278 333 469 "
        "500 333 444 500 444 500 444 333 500 500 278 278 500 278 778 500 500 500 500 333 389 "
        "278 500 500 722 500 500 444 480 200 480 541 722 500 722 529 776 542 1000 500 1000 "
        "444 444 333 333"
    ),
    (True, False): _ints(
        "250 333 555 500 500 1000 833 278 333 333 500 570 250 333 250 278 500 500 500 500 "
        "500 500 500 500 500 500 333 333 570 570 570 500 930 722 667 722 722 667 611 778 778 "
        "389 500 778 667 944 722 778 611 778 722 556 667 722 722 1000 722 722 667 333 278 "
        "333 581 500 333 500 556 444 556 444 333 500 556 278 333 556 278 833 556 500 556 556 "
        "444 389 333 556 500 722 500 500 444 394 220 394 520 722 556 778 554 796 600 1000 "
        "500 1000 500 500 333 333"
    ),
    (False, True): _ints(
        "250 333 420 500 500 833 778 214 333 333 500 675 250 333 250 278 500 500 500 500 500 "
        "500 500 500 500 500 333 333 675 675 675 500 920 611 611 667 722 611 611 722 722 333 "
        "444 667 556 833 667 722 611 722 611 500 556 722 611 833 611 556 556 389 278 389 422 "
        "500 333 500 500 444 500 444 278 500 500 278 278 444 278 722 500 500 500 500 389 389 "
        "278 500 444 667 444 444 389 400 275 400 541 722 500 722 534 754 545 889 500 889 556 "
        "556 333 333"
    ),
    (True, True): _ints(
        "250 389 555 500 500 833 778 278 333 333 500 570 250 333 250 278 500 500 500 500 500 "
        "500 500 500 500 500 333 333 570 570 570 500 832 667 667 667 722 667 667 722 778 389 "
        "500 667 611 889 722 722 611 722 667 556 611 722 667 889 667 611 611 333 278 333 570 "
        "500 333 500 500 444 500 444 333 500 556 278 278 500 278 778 556 500 500 500 389 389 "
        "278 556 444 667 500 444 389 348 220 348 570 722 500 722 537 775 599 1000 500 1000 "
        "500 500 333 333"
    ),
}
_HORN = "\u031b"
PT_PER_MM = 72 / 25.4


def _base(ch: str) -> str:
    """The letter whose width ``ch`` has: without tone and hat marks, with its horn."""
    parts = unicodedata.normalize("NFD", ch)
    kept = parts[0] + (_HORN if _HORN in parts else "")
    return unicodedata.normalize("NFC", kept)


def text_width_pt(text: str, size: float, *, bold: bool = False, italic: bool = False) -> float:
    """Width of ``text`` set in Times New Roman at ``size`` points, in points."""
    table = _WIDTHS[(bold, italic)]
    m = table[_CHARS.index("M")]
    total = 0
    for ch in text:
        i = _CHARS.find(ch)
        if i < 0:
            i = _CHARS.find(_base(ch))
        total += table[i] if i >= 0 else m
    return total * size / 1000


def text_width_mm(text: str, size: float, *, bold: bool = False, italic: bool = False) -> float:
    return text_width_pt(text, size, bold=bold, italic=italic) / PT_PER_MM


#: Words that begin the name of a place ("tỉnh Đắk Lắk"): a heading line is best broken
#: before one ("ỦY BAN NHÂN DÂN" / "TỈNH ĐẮK LẮK"), as the province's letters are.
PLACE_WORDS = ("tỉnh", "thành", "huyện", "thị", "quận", "xã", "phường")


def fit_lines(
    text: str, room_mm: float, size: float, *, bold: bool = False, italic: bool = False
) -> list[str]:
    """``text`` in as few lines as fit in ``room_mm``, broken only between words, the lines
    as even as can be; after a comma or before the name of a place when such breaks are
    enough ("ỦY BAN NHÂN DÂN" / "TỈNH ĐẮK LẮK" rather than "ỦY BAN" / "NHÂN DÂN TỈNH ĐẮK
    LẮK"). A single word wider than the room stays whole on its own line."""
    words = text.split()
    if not words:
        return [text]
    n = len(words)
    place = {
        i for i in range(1, n) if words[i].lower() in PLACE_WORDS or words[i - 1].endswith(",")
    }
    for count in range(1, n + 1):
        for breaks in (place, set(range(1, n))):
            lines = _even_lines(words, count, breaks, size, bold, italic)
            if (
                lines is not None
                and max(text_width_mm(x, size, bold=bold, italic=italic) for x in lines) <= room_mm
            ):
                return lines
    return words


def _even_lines(
    words: list[str], count: int, breaks: set[int], size: float, bold: bool, italic: bool
) -> list[str] | None:
    """``words`` on ``count`` lines broken only at ``breaks`` (word indices), the widest line
    as narrow as can be; None when there are not enough breaks."""
    n = len(words)
    cuts = sorted(breaks | {0})

    def width(i: int, j: int) -> float:
        return text_width_mm(" ".join(words[i:j]), size, bold=bold, italic=italic)

    # best[k][j]: the narrowest widest line setting words[:j] on k lines, and where the last
    # of those lines starts
    best: list[dict[int, tuple[float, int]]] = [{0: (0.0, 0)}]
    for k in range(1, count + 1):
        row: dict[int, tuple[float, int]] = {}
        for j in [*(c for c in cuts if c), n]:
            options = [(max(best[k - 1][i][0], width(i, j)), i) for i in best[k - 1] if i < j]
            if options:
                row[j] = min(options)
        best.append(row)
    if n not in best[count]:
        return None
    out, j = [], n
    for k in range(count, 0, -1):
        i = best[k][j][1]
        out.append(" ".join(words[i:j]))
        j = i
    return out[::-1]


def wrap(text: str, room_mm: float, size: float, *, bold: bool = False) -> list[str]:
    """``text`` wrapped as a spreadsheet or word processor does: as many words on a line as
    fit in ``room_mm``, then the next line; a word wider than the room takes its own line.
    Line breaks in ``text`` are kept."""
    lines: list[str] = []
    for part in text.split("\n"):
        line = ""
        for word in part.split():
            trial = f"{line} {word}" if line else word
            if line and text_width_mm(trial, size, bold=bold) > room_mm:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines
