"""The spreadsheets a message carries, wherever they sit in it.

Plain attachments, files inside a ``.zip``, inside Outlook's ``winmail.dat`` (TNEF, decoded
by tnefparse) and inside forwarded messages (``message/rfc822`` parts). Sizes are capped: a part over the cap is named in the answer,
never read; a zip is read member by member within the same cap (no zip bomb)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import PurePosixPath

from consolidate.core.fmt import fmt_num
from consolidate.core.text import nfc
from consolidate.mail.names import decode_filename, safe_name

SPREADSHEET_EXTS = (".xlsx", ".xlsm", ".xltx", ".xls", ".xlsb", ".ods")
ZIP_EXTS = (".zip",)
TNEF_TYPES = ("application/ms-tnef", "application/vnd.ms-tnef")
MAX_ZIP_MEMBERS = 200
MAX_DEPTH = 3


@dataclass
class Attachment:
    name: str  # as the sender wrote it, decoded, NFC (metadata only)
    data: bytes
    via: str = ""  # "" | "zip: <name>" | "winmail.dat" | "thư chuyển tiếp"

    @property
    def safe(self) -> str:
        return safe_name(self.name, "bao-cao.xlsx")


@dataclass
class Extracted:
    spreadsheets: list[Attachment] = field(default_factory=list)
    others: list[str] = field(default_factory=list)  # names of other files (not read)
    notes: list[str] = field(default_factory=list)  # Vietnamese, for the answer


def is_spreadsheet_name(name: str) -> bool:
    return name.lower().endswith(SPREADSHEET_EXTS)


def _looks_like_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return any(n.startswith("xl/") for n in zf.namelist()[:50])
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def extract(message: Message, max_bytes: int) -> Extracted:
    out = Extracted()
    _walk(message, max_bytes, out, via="", depth=0)
    return out


def _leaves(message: Message) -> Iterator[Message]:
    """The leaf parts and the forwarded messages (not descended into: they are walked
    with their own label)."""
    if message.get_content_type() == "message/rfc822" or not message.is_multipart():
        yield message
        return
    payload = message.get_payload()
    for sub in payload if isinstance(payload, list) else []:
        if isinstance(sub, Message):
            yield from _leaves(sub)


def _walk(message: Message, max_bytes: int, out: Extracted, via: str, depth: int) -> None:
    for part in _leaves(message):
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            if depth >= MAX_DEPTH:
                continue
            inner = part.get_payload()
            for sub in inner if isinstance(inner, list) else []:
                if isinstance(sub, Message):
                    _walk(sub, max_bytes, out, "thư chuyển tiếp", depth + 1)
            continue
        name = decode_filename(part)
        disposition = (part.get_content_disposition() or "").lower()
        if not name and disposition != "attachment" and ctype not in TNEF_TYPES:
            continue  # the body text of the message
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        shown = name or "(không tên)"
        if len(data) > max_bytes:
            out.notes.append(
                f"Tệp {shown} quá lớn ({fmt_num(len(data) / 1048576)} MB, tối đa "
                f"{fmt_num(max_bytes / 1048576, 0)} MB) nên chưa được đọc; đề nghị gửi lại tệp nhỏ hơn."
            )
            continue
        lower = name.lower()
        if ctype in TNEF_TYPES or lower == "winmail.dat":
            _tnef(data, max_bytes, out)
        elif lower.endswith(ZIP_EXTS) or ctype in (
            "application/zip",
            "application/x-zip-compressed",
        ):
            if _looks_like_xlsx(data):  # an .xlsx sent as "application/zip"
                out.spreadsheets.append(Attachment(name or "bao-cao.xlsx", data, via))
            else:
                _zip(name or "tep.zip", data, max_bytes, out, via)
        elif is_spreadsheet_name(name) or (not name and _looks_like_xlsx(data)):
            out.spreadsheets.append(Attachment(name or "bao-cao.xlsx", data, via))
        else:
            out.others.append(shown)


def _member_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & 0x800:  # not flagged UTF-8: zipfile decoded it as cp437
        raw = name.encode("cp437", "replace")
        for codec in ("utf-8", "cp1258"):
            try:
                name = raw.decode(codec)
                break
            except UnicodeDecodeError:
                continue
    return nfc(PurePosixPath(name.replace("\\", "/")).name)


def _zip_reason(exc: BaseException) -> str:
    """Why a member of a .zip could not be read, in the unit's language."""
    text = str(exc).lower()
    if isinstance(exc, RuntimeError) and ("encrypted" in text or "password" in text):
        return "tệp nén có đặt mật khẩu; đề nghị gửi tệp không đặt mật khẩu"
    if isinstance(exc, NotImplementedError) or "compression" in text:
        return "kiểu nén không được hỗ trợ; đề nghị nén lại bằng .zip thông thường"
    return "tệp trong tệp nén bị hỏng; đề nghị gửi lại"


def _zip(archive: str, data: bytes, max_bytes: int, out: Extracted, via: str) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        out.notes.append(f"Tệp nén {archive} bị hỏng, không mở được; đề nghị gửi lại.")
        return
    found = 0
    total = 0
    with zf:
        for info in zf.infolist()[:MAX_ZIP_MEMBERS]:
            if info.is_dir():
                continue
            name = _member_name(info)
            if not is_spreadsheet_name(name):
                out.others.append(f"{name} (trong {archive})")
                continue
            total += info.file_size
            if info.file_size > max_bytes or total > 4 * max_bytes:
                out.notes.append(f"Tệp {name} trong {archive} quá lớn nên chưa được đọc.")
                continue
            try:
                content = zf.read(info)
            except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError) as exc:
                out.notes.append(
                    f"Không giải nén được {name} trong {archive} ({_zip_reason(exc)})."
                )
                continue
            found += 1
            label = f"zip: {archive}" if not via else f"{via}, zip: {archive}"
            out.spreadsheets.append(Attachment(name, content, label))
    if not found:
        out.notes.append(f"Tệp nén {archive} không chứa tệp Excel nào.")


def _tnef(data: bytes, max_bytes: int, out: Extracted) -> None:
    from tnefparse.tnef import TNEF

    try:
        tnef = TNEF(data, do_checksum=False)
    except Exception:
        out.notes.append("Tệp winmail.dat (Outlook) bị hỏng, không đọc được; đề nghị gửi lại.")
        return
    for att in tnef.attachments:
        try:
            name = att.long_filename() or att.name
        except (UnicodeDecodeError, AttributeError):
            name = ""
        if isinstance(name, bytes):
            name = name.decode("utf-8", "replace")
        name = nfc(str(name).strip("\x00"))
        content = att.data if isinstance(att.data, bytes) else b""
        if is_spreadsheet_name(name) and 0 < len(content) <= max_bytes:
            out.spreadsheets.append(Attachment(name, content, "winmail.dat"))
        elif name:
            out.others.append(f"{name} (trong winmail.dat)")
