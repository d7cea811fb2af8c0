"""Attachment names: decoding and safe names (no server needed)."""

from __future__ import annotations

import email
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from consolidate.mail.extract import extract
from consolidate.mail.names import MAX_NAME, decode_filename, safe_name


@given(st.text(min_size=0, max_size=400))
def test_safe_name_is_a_plain_bounded_name(name: str) -> None:
    safe = safe_name(name)
    assert safe and len(safe) <= MAX_NAME
    assert not any(c in safe for c in '/\\:*?"<>|') and not any(ord(c) < 32 for c in safe)
    assert safe not in (".", "..") and not safe.endswith((".", " "))
    assert safe.split(".")[0].upper() not in ("CON", "PRN", "AUX", "NUL", "COM1", "LPT1")
    assert unicodedata.is_normalized("NFC", safe)


def test_unsafe_names() -> None:
    assert safe_name("../../x.xlsx") == "x.xlsx"
    assert safe_name("C:\\Windows\\system32\\CON.xlsx") == "_CON.xlsx"
    assert safe_name("/etc/passwd") == "passwd"
    assert safe_name("..") == "tep-dinh-kem"
    assert safe_name("nul") == "_nul"
    assert safe_name("Báo cáo " * 40 + ".xlsx").endswith(".xlsx")


def test_cp1258_and_rfc2231_latin1_names() -> None:
    raw = (
        b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
        b"Content-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename*=iso-8859-1''r%E9sum%E9.xlsx\r\n\r\nx\r\n--B--\r\n"
    )
    [part] = [p for p in email.message_from_bytes(raw).walk() if not p.is_multipart()]
    assert decode_filename(part) == "résumé.xlsx"


def test_forwarded_message_carries_the_report() -> None:
    inner = email.message.EmailMessage()
    inner["Subject"] = "Báo cáo"
    inner.set_content("x")
    inner.add_attachment(b"PK\x03\x04", "application", "octet-stream", filename="Báo cáo.xlsx")
    outer = email.message.EmailMessage()
    outer["Subject"] = "Fwd: Báo cáo"
    outer.set_content("chuyển tiếp")
    outer.add_attachment(inner)
    got = extract(email.message_from_bytes(outer.as_bytes()), 10**6)
    assert [(a.name, a.via) for a in got.spreadsheets] == [("Báo cáo.xlsx", "thư chuyển tiếp")]


def test_oversized_attachment_is_named_not_read() -> None:
    msg = email.message.EmailMessage()
    msg.set_content("x")
    msg.add_attachment(b"x" * 5000, "application", "octet-stream", filename="lớn.xlsx")
    got = extract(email.message_from_bytes(msg.as_bytes()), 1000)
    assert got.spreadsheets == [] and "lớn.xlsx quá lớn" in got.notes[0]


def _tnef(name: bytes, data: bytes) -> bytes:
    """A minimal winmail.dat as Outlook writes one attachment: the TNEF signature and key,
    then attachment-level objects (level, id, type, length, data, checksum)."""
    import struct

    def obj(attr_id: int, attr_type: int, payload: bytes) -> bytes:
        return (
            struct.pack("<BHHI", 0x02, attr_id, attr_type, len(payload))
            + payload
            + struct.pack("<H", sum(payload) & 0xFFFF)
        )

    return (
        struct.pack("<IH", 0x223E9F78, 0x0001)
        + obj(0x9002, 0x0006, b"\x01\x00\xff\xff\xff\xff" + b"\x00" * 8)  # rendering data
        + obj(0x8010, 0x0001, name + b"\x00")  # title
        + obj(0x800F, 0x0006, data)  # data
    )


def test_winmail_dat_carries_the_report() -> None:
    msg = email.message.EmailMessage()
    msg.set_content("Outlook")
    msg.add_attachment(
        _tnef(b"bao-cao-tuan-23.xlsx", b"PK\x03\x04report"),
        "application",
        "ms-tnef",
        filename="winmail.dat",
    )
    got = extract(email.message_from_bytes(msg.as_bytes()), 10**6)
    assert [(a.name, a.data, a.via) for a in got.spreadsheets] == [
        ("bao-cao-tuan-23.xlsx", b"PK\x03\x04report", "winmail.dat")
    ]


def test_broken_winmail_dat_is_named_in_the_answer() -> None:
    msg = email.message.EmailMessage()
    msg.set_content("Outlook")
    msg.add_attachment(b"not tnef", "application", "ms-tnef", filename="winmail.dat")
    got = extract(email.message_from_bytes(msg.as_bytes()), 10**6)
    assert got.spreadsheets == [] and "winmail.dat" in got.notes[0]
