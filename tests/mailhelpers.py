"""Messages as units' mail clients write them, and the workspace wired to the servers."""

from __future__ import annotations

import base64
import io
import zipfile
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from zoneinfo import ZoneInfo

from consolidate.core.config import Config
from tests.builders import cover, submission, task_row

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def report_bytes(
    config: Config, folder: Path, unit_name: str, *, bad: bool = False, n: int = 3
) -> bytes:
    """A filled submission of ``unit_name`` written by the product's template code."""
    rows = [task_row(i) for i in range(1, n + 1)]
    if bad:
        rows[0]["progress"] = 150  # a percentage over 100: rejected
    path = folder / f"{unit_name}{'-loi' if bad else ''}.xlsx"
    submission(config, path, cover_data=cover(unit=unit_name, as_of=date(2026, 6, 4)), tasks=rows)
    return path.read_bytes()


def message(
    sender: str,
    subject: str = "Báo cáo tuần",
    attachments: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
    *,
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "so.khcn@daklak.gov.vn"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(at("2026-06-04T09:00"))
    msg["Message-ID"] = message_id or make_msgid(domain="donvi.daklak.gov.vn")
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content("Kính gửi Sở KH&CN, đơn vị gửi báo cáo tuần.")
    for name, data in attachments:
        msg.add_attachment(data, *XLSX.split("/"), filename=name)
    return msg


def raw_with_name_header(sender: str, header: str, data: bytes, subject: str = "Báo cáo") -> bytes:
    """A message whose attachment header is written by hand (RFC 2047 in quotes, raw UTF-8,
    RFC 2231 continuations...), exactly as some clients send it."""
    body = base64.encodebytes(data).decode("ascii")
    text = (
        f"From: {sender}\r\nTo: so.khcn@daklak.gov.vn\r\nSubject: {subject}\r\n"
        f"Message-ID: {make_msgid(domain='donvi.daklak.gov.vn')}\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="BOUNDARY"\r\n\r\n'
        "--BOUNDARY\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nGửi báo cáo.\r\n"
        f"--BOUNDARY\r\nContent-Type: {XLSX}\r\n{header}\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        + body.replace("\n", "\r\n")
        + "--BOUNDARY--\r\n"
    )
    return text.encode("utf-8")


def zipped(files: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files:
            zf.writestr(name, data)
    return buf.getvalue()
