"""Text normalisation shared by every stage: NFC, invisible characters, label matching."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = {ord(c): " " for c in "\u00a0\u2007\u202f\u3000\t\r\n\u2028\u2029"}
_WS = re.compile(r"\s+")

# Latin-1 letters that Vietnamese Unicode text never uses; legacy 8-bit Vietnamese fonts
# (TCVN3/ABC, VNI) put their tone marks exactly there.
_VIETNAMESE_LATIN1 = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
_LEGACY = {
    chr(c)
    for c in range(0xA1, 0x100)
    if chr(c) not in _VIETNAMESE_LATIN1 and c not in (0xB0, 0xD7, 0xF7)
}
# Letters that exist only in Vietnamese Unicode (not in Latin-1): their presence means
# the text is real Unicode Vietnamese, whatever else it contains.
_UNICODE_VIET = re.compile("[ăđơưĂĐƠƯ\u0300-\u036f\u1ea0-\u1ef9]")


_MEMO_MAX_LEN = 256  # only short values are remembered: memory stays bounded (< 20 MB)
_F = TypeVar("_F", bound=Callable[[str], Any])


def _memo(fn: _F) -> _F:
    """Remember results for short strings. The same values come back in every row and every
    file (states, pillars, unit names, officers, leaders, document names)."""
    cached = functools.lru_cache(maxsize=1 << 13)(fn)

    @functools.wraps(fn)
    def wrapper(value: str) -> Any:
        return cached(value) if len(value) <= _MEMO_MAX_LEN else fn(value)

    wrapper.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


# Anything nfc() would change besides normalisation: odd spaces, invisible characters,
# doubled or edge spaces. Most cells have none, and skip the work (a flood has ~500k cells).
# Every character \s matches except the plain space (what _WS replaces), and the invisible
# ones: a thin space, an em space or the vertical tab of a line break pasted from Word must
# still be normalised.
# (A bare character class: the regex engine scans for it ~5x faster than for an alternation.)
_ODD_CHARS = re.compile(
    "[\t-\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff\u00ad]"
)


def _needs_cleaning(value: str) -> bool:
    return bool(_ODD_CHARS.search(value) or "  " in value or value[:1] == " " or value[-1:] == " ")


@_memo
def nfc(value: str) -> str:
    """NFC, zero-width characters removed, odd spaces made plain, trimmed."""
    if unicodedata.is_normalized("NFC", value) and not _needs_cleaning(value):
        return value
    text = unicodedata.normalize("NFC", value).translate(_ZERO_WIDTH).translate(_SPACES)
    return _WS.sub(" ", text).strip()


@_memo
def clean_multiline(value: str) -> str:
    """Like :func:`nfc` but keeps line breaks (for long text cells)."""
    if unicodedata.is_normalized("NFC", value) and not _needs_cleaning(value):
        return value
    text = unicodedata.normalize("NFC", value).translate(_ZERO_WIDTH)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    lines = [_WS.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip()


@_memo
def label_key(value: str) -> str:
    """Key for comparing header labels and list values: NFC, case- and space-insensitive."""
    return nfc(value).casefold()


@_memo
def loose_key(value: str) -> str:
    """Key ignoring diacritics, punctuation and case (for unit names and aliases)."""
    decomposed = unicodedata.normalize("NFD", nfc(value).replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", "", bare.casefold())


# Every dash a keyboard, Word or a PDF puts in a code: hyphen, non-breaking hyphen, figure,
# en and em dashes, minus sign, small and full-width hyphen-minus.
_DASHES = dict.fromkeys(
    map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-"
)
_AROUND_DASH = re.compile(r"\s*-\s*")


@_memo
def canonical_code(value: str) -> str:
    """THE key of a code (task, unit): NFKC, invisible characters dropped, every dash a
    hyphen-minus, no space around a dash, one space elsewhere, trimmed, upper case.

    ``"kh05-04 "``, ``"KH05 – 04"`` and ``"ＫＨ05‑04"`` all become ``"KH05-04"``: the register,
    the reader, the rules and the store compare codes only through this function, so no
    spelling can make a code another unit owns look unknown.
    """
    text = unicodedata.normalize("NFKC", value).translate(_ZERO_WIDTH).translate(_SPACES)
    text = _AROUND_DASH.sub("-", text.translate(_DASHES))
    return _WS.sub(" ", text).strip().upper()
