"""Vietnamese typed with a legacy 8-bit font, recognised and converted to Unicode.

Before Unicode, offices typed with TCVN3 (ABC, ".VnTime"), VNI ("VNI-Times") or VISCII
("VI Times") fonts: the cell holds Windows-1252 / Latin-1 characters that only the font draws
as Vietnamese ("TriÓn khai" in TCVN3, "Trieån khai" in VNI, "Tri¬n khai" in VISCII for
"Triển khai"). Such a cell is converted with each table; a conversion is kept only if it
gives plausible Vietnamese (no Latin-1 leftovers, at most one tone mark per word; for VISCII,
whose table also covers Windows-1252 punctuation, most converted words must be Vietnamese
syllables). When several tables give plausible text, the one with more Vietnamese syllables
wins, then the shorter text (a VNI pair is two characters for one letter). Otherwise the
cell cannot be read: the caller rejects the row and says why.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from consolidate.core.text import _LEGACY, _UNICODE_VIET

# TCVN3 (TCVN 5712:1993, ABC fonts): one Latin-1 code point per Vietnamese letter.
_TCVN3_FROM = "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\xadõøö÷ùúýûüþ¡¢§£¤¥¦"
_TCVN3_TO = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ"
_TCVN3 = str.maketrans(_TCVN3_FROM, _TCVN3_TO)

# VNI (VNI-Windows fonts): a base letter followed by a mark character.
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_VNI_MARKS = {  # lower-case mark character -> combining marks
    "ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT,
    "â": _CIRC, "á": _CIRC + _ACUTE, "à": _CIRC + _GRAVE, "å": _CIRC + _HOOK,
    "ã": _CIRC + _TILDE, "ä": _CIRC + _DOT,
    "ê": _BREVE, "é": _BREVE + _ACUTE, "è": _BREVE + _GRAVE, "ú": _BREVE + _HOOK,
    "ü": _BREVE + _TILDE, "ë": _BREVE + _DOT,
}  # fmt: skip
_VNI_SINGLE = {
    "ô": "ơ", "ö": "ư", "ñ": "đ", "Ô": "Ơ", "Ö": "Ư", "Ñ": "Đ",
    "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ",
    "Í": "Í", "Ì": "Ì", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị", "Î": "Ỵ",
}  # fmt: skip


def _vni_pairs() -> dict[str, str]:
    pairs: dict[str, str] = {}
    bases = {"a": "a", "e": "e", "o": "o", "u": "u", "y": "y", "ô": "ơ", "ö": "ư"}
    for lower, marks in _VNI_MARKS.items():
        for raw, base in bases.items():
            if _BREVE in marks and base != "a":
                continue
            if _CIRC in marks and base not in "aeo":
                continue
            letter = unicodedata.normalize("NFC", base + marks)
            if len(letter) != 1:
                continue
            pairs[raw + lower] = letter
            pairs[raw.upper() + lower.upper()] = letter.upper()
            pairs[raw.upper() + lower] = letter.upper()
    return pairs


_VNI_PAIRS = _vni_pairs()
_VNI_ALL = {**_VNI_SINGLE, **_VNI_PAIRS}
# One pass, pairs first: the "ô" a pair produces must not be read again as VNI's "ơ".
_VNI_RE = re.compile("|".join(sorted(map(re.escape, _VNI_ALL), key=len, reverse=True)))

# VISCII (RFC 1456): every byte 0x80-0xFF and six control bytes are Vietnamese letters. A cell
# typed with a VISCII font holds the byte as Windows-1252 shows it (0x8A as "Š", 0x93 as
# "“"), or as Latin-1 / a C1 control where Windows-1252 has no character.
_VISCII_HIGH = (
    "ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲÕắằặấầẩậẽẹếềểễệốồổỗỠƠộờởịỰỨỪỬơớƯÀÁÂÃẢĂẳẵÈÉÊẺÌÍĨỳ"
    "ĐứÒÓÔạỷừửÙÚỹỵÝỡưàáâãảăữẫèéêẻìíĩỉđựòóôõỏọụùúũủýợỮ"
)
_VISCII_LOW = {0x02: "Ẳ", 0x05: "Ẵ", 0x06: "Ẫ", 0x14: "Ỷ", 0x19: "Ỹ", 0x1E: "Ỵ"}


def _viscii_table() -> dict[int, str]:
    table = {b: ch for b, ch in _VISCII_LOW.items()}
    for b, ch in enumerate(_VISCII_HIGH, start=0x80):
        if ch != chr(b):
            table[b] = ch  # Latin-1 / C1 reading of the byte
        shown = bytes([b]).decode("cp1252", errors="ignore")
        if shown and ord(shown) != b:
            table[ord(shown)] = ch  # Windows-1252 reading ("Š" for 0x8A)
    return table


_VISCII = _viscii_table()
_VISCII_LOW_SET = {chr(b) for b in _VISCII_LOW}
_TONES = set(_ACUTE + _GRAVE + _HOOK + _TILDE + _DOT)
_WORD = re.compile(r"\w+")


def _vni(text: str) -> str:
    return _VNI_RE.sub(lambda m: _VNI_ALL[m[0]], text)


_TOKEN = re.compile(r"\S+")


def _in_words(table: Mapping[int, int | str]) -> Callable[[str], str]:
    """A converter by ``table``: letters and the odd Latin-1 signs ("®·" is "đã" in TCVN3)
    always; a sign ordinary text uses ("—", "“", "×", "°") only in a token that has a letter:
    a dash between words or "210 × 297" is punctuation, not "Ở" or "ì"."""
    letters = {c: ch for c, ch in table.items() if chr(c).isalpha() or chr(c) in _LEGACY}

    def token(m: re.Match[str]) -> str:
        word = m[0]
        return word.translate(table if any(ch.isalpha() for ch in word) else letters)

    return lambda text: _TOKEN.sub(token, text)


_tcvn3 = _in_words(_TCVN3)
_viscii = _in_words(_VISCII)


# A Vietnamese syllable: onset, vowel nucleus (the clusters Vietnamese writes; those of
# _CLOSED only before a final consonant), final consonant ("k" for the province's names: Đắk
# Lắk, Búk). A syllable ending in c, ch, p, t or k takes only the sắc or nặng tone.
_OPEN = "a e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iu oa oe oi ôi ơi ua uê ui uy ưa ưi ưu"
_CLOSED = "ă â iê yê uô ươ oă uâ uyê oo"
_OPEN3 = "iêu yêu oai oay oao oeo uây uôi uya uyu ươi ươu"
_SYLLABLE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    rf"(?:(?P<open>{'|'.join(sorted((_OPEN + ' ' + _OPEN3).split(), key=len, reverse=True))})"
    r"(?P<coda1>ch|ng|nh|[cmnptk])?"
    rf"|(?P<closed>{'|'.join(sorted(_CLOSED.split(), key=len, reverse=True))})"
    r"(?P<coda2>ch|ng|nh|[cmnptk]))"
)
_STOP_TONES = {"\u0301", "\u0323"}  # sắc, nặng


def _is_syllable(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.casefold())
    tones = {ch for ch in decomposed if ch in _TONES}
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    m = _SYLLABLE.fullmatch(bare)
    if m is None:
        return False
    coda = m["coda1"] or m["coda2"] or ""
    return not (coda in ("c", "ch", "p", "t", "k") and not tones & _STOP_TONES)


# Pieces of a text judged one by one: split at spaces and ordinary punctuation (not at
# Windows-1252's quotes, which are letters in a VISCII cell).
_PIECES = re.compile(r"[\s/\\\-.,;:!?()\[\]\"'+=&%]+")
_VOWELS = set("aăâeêioôơuưy")


def _reads(piece: str) -> bool:
    """A piece a Vietnamese reader reads: a syllable, an abbreviation ("đ/c", "UBND"), a
    number or a code; not one holding symbols ("c¸c") or a misread vowel ("tïnh")."""
    if not all(ch.isalnum() for ch in piece):
        return False
    if piece.isascii() and (piece.isupper() or any(ch.isdigit() for ch in piece)):
        return True  # "UBND", "05b"
    bare = {ch for ch in unicodedata.normalize("NFD", piece.casefold()) if ch.isalpha()}
    if not bare & _VOWELS and all(ch.isascii() or ch == "đ" for ch in piece.casefold()):
        return True  # consonants only: an abbreviation
    return _is_syllable(piece)


# The province's names in its peoples' languages start with two consonants (Krông, Drắk,
# Bhăng, Kmăl): not Vietnamese syllables, yet no sign of a wrong table.
_CLUSTER = re.compile(r"[bcdghklmnprstvx][bdhlnprmk]", re.IGNORECASE)


def _gain(original: str, text: str) -> tuple[int, int, int]:
    """How many more pieces read as Vietnamese after a conversion than before (a VISCII
    cell's "Xã" reads already; as TCVN3 it becomes "Xó", no gain), how many pieces it
    changed, and how many of those still do not read (names aside)."""
    from collections import Counter

    old = [p for p in _PIECES.split(original) if p]
    new = [p for p in _PIECES.split(text) if p]
    gain = sum(map(_reads, new)) - sum(map(_reads, old))
    changed = Counter(new) - Counter(old)
    unread = sum(n for p, n in changed.items() if not _reads(p) and not _CLUSTER.match(p))
    return gain, sum(changed.values()), unread


def _case_flip(text: str) -> bool:
    """An accented capital inside a word that has small letters ("TriÓn", "BĂc"): no one
    types that; it is what a wrong table leaves of another font's tone mark."""
    return any(
        any(ch.isupper() and not ch.isascii() for ch in word[1:])
        and any(ch.islower() for ch in word)
        for word in _WORD.findall(text)
    )


def _plausible(text: str) -> bool:
    """Vietnamese a person could have typed: no Latin-1 leftovers, one tone per word, no
    accented capital inside a small-letter word."""
    if any(ch in _LEGACY for ch in text) or _case_flip(text):
        return False
    for word in _WORD.findall(text):
        tones = sum(1 for ch in unicodedata.normalize("NFD", word) if ch in _TONES)
        if tones > 1:
            return False
    return True


@dataclass(frozen=True)
class Legacy:
    encoding: str  # "TCVN3", "VNI" or "VISCII"
    text: str | None  # the Unicode text, or None when no table gives plausible Vietnamese
    #: Every plausible (encoding, text), best first (the first is ``encoding``, ``text``):
    #: a cell that must name a known value (a unit) takes the first reading that does.
    readings: tuple[tuple[str, str], ...] = ()


_CONVERTERS = (("TCVN3", _tcvn3), ("VNI", _vni), ("VISCII", _viscii))
_ORDER = {name: i for i, (name, _c) in enumerate(_CONVERTERS)}


def decode_legacy(value: str) -> Legacy | None:
    """None for ordinary text; else the legacy encoding and the converted text (or None).

    A short text with a single odd character ("±5", "Mỹ" typed as "Mü") is converted if
    one table reads it; if none does, it is left alone (too little to call it legacy). A
    text with no odd character at all ("Xaõ Kroâng Ana" in VNI uses only letters Vietnamese
    also uses) and a VISCII reading are taken only if they make more of the text read as
    Vietnamese ("Xaõ" → "Xã"); "Hòa", "café", "±5" stay as they are."""
    if _UNICODE_VIET.search(value) or (value.isascii() and not _VISCII_LOW_SET & set(value)):
        return None
    odd = sum(1 for ch in value if ch in _LEGACY)
    good = []
    for name, convert in _CONVERTERS:
        text = convert(value)
        if text == value or not _plausible(text):
            continue
        gain, changed, unread = _gain(value, text)
        if gain <= 0 and (name == "VISCII" or odd == 0):
            continue  # no more Vietnamese than before: Windows-1252 punctuation, not letters
        if name == "VISCII" and unread:
            continue  # a whole table: a real VISCII text reads through, every word
        # VISCII was rare in the province's offices: it must read strictly better.
        good.append((-gain + (name == "VISCII") / 2, changed, len(text), _ORDER[name], name, text))
    if good:
        # Several tables read it: more pieces read as Vietnamese, then fewer pieces changed,
        # then the shorter text (a VNI pair is two characters for one letter), then TCVN3
        # before VNI before VISCII.
        good.sort()
        readings = tuple((name, text) for *_, name, text in good)
        return Legacy(*readings[0], readings=readings)
    if odd >= 3:
        vni_like = sum(1 for pair in _VNI_PAIRS if pair in value)
        return Legacy("VNI" if vni_like else "TCVN3", None)
    return None
