"""Attachment names, however the sender's client wrote them, and names safe to write.

Clients write names as RFC 2231 (``filename*=utf-8''...``, possibly split into
``filename*0*``, ``filename*1*``...), as RFC 2047 encoded words (``=?utf-8?b?...?=``) even
inside quotes where the standard forbids it, or as raw 8-bit UTF-8 (or a Windows code page).
All of them are decoded and normalised to NFC. A name is only ever metadata: the archive
stores by hash, and :func:`safe_name` gives a name without any path, drive, reserved device
name or control character, of bounded length, for anything that might become a file name.
"""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from email.message import Message
from email.utils import collapse_rfc2231_value

from consolidate.core.text import nfc

_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
_WINDOWS_RESERVED = {
    "CON", "PRN", "AUX", "NUL", "CLOCK$",
    *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10)),
}  # fmt: skip
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
MAX_NAME = 120


def _unsurrogate(text: str) -> str:
    """Raw 8-bit header bytes come back from the parser as surrogate escapes: UTF-8 first,
    then the Vietnamese Windows code page, then Latin-1 (never fails)."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    raw = text.encode("utf-8", "surrogateescape")
    for codec in ("utf-8", "cp1258", "latin-1"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")  # pragma: no cover


def _decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words wherever they are (also inside quotes)."""
    if not _ENCODED_WORD.search(text):
        return text
    try:
        return str(make_header(decode_header(text)))
    except (UnicodeDecodeError, LookupError, ValueError, TypeError):
        pieces = []
        for chunk, charset in decode_header(text):
            if isinstance(chunk, bytes):
                pieces.append(chunk.decode(charset or "utf-8", "replace"))
            else:
                pieces.append(chunk)
        return "".join(pieces)


def _raw_8bit(part: Message) -> Message | None:
    """The part's Content-Disposition and Content-Type with raw 8-bit bytes decoded (the
    parser's compat32 policy would turn them into U+FFFD when asked for a parameter)."""
    fixed = Message()
    found = False
    for name, value in part.raw_items():
        if name.lower() in ("content-disposition", "content-type"):
            text = _unsurrogate(str(value))
            found = found or text != str(value)
            fixed[name] = text
    return fixed if found else None


def decode_filename(part: Message) -> str:
    """The attachment name of a MIME part as the sender meant it (NFC), or ''."""
    source = _raw_8bit(part) or part
    raw: object = None
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        raw = source.get_param(param, None, header)
        if raw:
            break
    if not raw:
        return ""
    if isinstance(raw, tuple):  # RFC 2231 (charset, language, value), continuations joined
        try:
            text = collapse_rfc2231_value(raw, errors="replace", fallback_charset="utf-8")
        except LookupError:
            text = raw[2] if isinstance(raw[2], str) else str(raw[2])
    else:
        text = str(raw)
    text = _unsurrogate(text).strip().strip('"')
    text = _decode_words(text)
    return nfc(text.strip())


def safe_name(name: str, fallback: str = "tep-dinh-kem") -> str:
    """A plain file name: the last path component only, no drive, no device name, no
    control or forbidden character, no trailing dot or space, at most ``MAX_NAME`` chars
    (the extension kept)."""
    text = nfc(name or "")
    text = text.replace("\\", "/").split("/")[-1]  # last component of any path
    text = _FORBIDDEN.sub("_", text).strip().strip(".").strip()
    if not text:
        return fallback
    stem, dot, ext = text.rpartition(".")
    if not dot or len(ext) > 10 or not stem:
        stem, ext = text, ""
    if stem.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    limit = MAX_NAME - (len(ext) + 1 if ext else 0)
    stem = stem[:limit].rstrip(". ") or fallback
    return f"{stem}.{ext}" if ext else stem
