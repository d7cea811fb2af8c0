"""Vietnamese typed with a legacy 8-bit font, recognised and converted to Unicode.

Before Unicode, offices typed with TCVN3 (ABC, ".VnTime") or VNI ("VNI-Times") fonts: the
cell holds Latin-1 letters that only the font draws as Vietnamese ("TriÓn khai" in TCVN3,
"Trieån khai" in VNI for "Triển khai"). Such a cell is converted with both tables; the
conversion is kept only if it gives plausible Vietnamese (no Latin-1 leftovers, at most one
tone mark per word). Otherwise the cell cannot be read: the caller rejects the row and says
why.
"""

from __future__ import annotations

import re
import unicodedata
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

_TONES = set(_ACUTE + _GRAVE + _HOOK + _TILDE + _DOT)
_WORD = re.compile(r"\w+")


def _tcvn3(text: str) -> str:
    return text.translate(_TCVN3)


def _vni(text: str) -> str:
    return _VNI_RE.sub(lambda m: _VNI_ALL[m[0]], text)


def _plausible(text: str) -> bool:
    """Vietnamese a person could have typed: no Latin-1 leftovers, one tone per word."""
    if any(ch in _LEGACY for ch in text):
        return False
    for word in _WORD.findall(text):
        tones = sum(1 for ch in unicodedata.normalize("NFD", word) if ch in _TONES)
        if tones > 1:
            return False
    return True


@dataclass(frozen=True)
class Legacy:
    encoding: str  # "TCVN3" or "VNI"
    text: str | None  # the Unicode text, or None when no table gives plausible Vietnamese


_CONVERTERS = (("TCVN3", _tcvn3), ("VNI", _vni))


def decode_legacy(value: str) -> Legacy | None:
    """None for ordinary text; else the legacy encoding and the converted text (or None).

    A short text with a single odd character ("±5", "Mỹ" typed as "Mü") is converted if
    one table reads it; if none does, it is left alone (too little to call it legacy)."""
    if _UNICODE_VIET.search(value):
        return None
    odd = sum(1 for ch in value if ch in _LEGACY)
    if odd == 0:
        return None
    readings = [(name, convert(value)) for name, convert in _CONVERTERS]
    good = [(name, text) for name, text in readings if text != value and _plausible(text)]
    if good:
        # Both tables read it: the one that turned more letters into Vietnamese wins (a VNI
        # pair is two characters for one letter, so VNI shortens the text).
        name, text = min(good, key=lambda nt: (len(nt[1]), nt[0] != "TCVN3"))
        return Legacy(name, text)
    if odd >= 3:
        vni_like = sum(1 for pair in _VNI_PAIRS if pair in value)
        return Legacy("VNI" if vni_like else "TCVN3", None)
    return None
