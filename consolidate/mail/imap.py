"""The office mailbox over IMAP: connect, log in, list, fetch, flag and wait (IDLE).

imap-tools for the connection, login, folders, flags and IDLE; raw ``UID FETCH`` for the
bytes and the INTERNALDATE, which imap-tools' ``fetch`` does not return.

Security is chosen explicitly: ``MailBox`` (SSL), ``MailBoxStartTls`` or, only for a
loopback host, ``MailBoxUnencrypted``. Messages are fetched with ``BODY.PEEK[]`` so that
nothing is marked seen before its verdicts are stored. Every failure becomes a
:class:`MailError` in Vietnamese that never contains the password.
"""

from __future__ import annotations

import imaplib
import re
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from consolidate.core.errors import MailError, os_reason
from consolidate.mail.config import MailSettings

#: The login step is replaceable (e.g. XOAUTH2 for Office 365-style servers).
Login = Callable[[Any, MailSettings, str], None]

_FETCH_HEAD = re.compile(rb"UID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')
CONNECTION_ERRORS = (imaplib.IMAP4.abort, imaplib.IMAP4.error, OSError, EOFError)


@dataclass
class RawMessage:
    uid: int
    internaldate: datetime  # when the office's server received it (aware)
    data: bytes


def password_login(mailbox: Any, settings: MailSettings, password: str) -> None:
    mailbox.login(settings.username, password, initial_folder=None)


def describe(exc: BaseException, host: str, port: int) -> str:
    """A Vietnamese diagnosis of a connection or login failure (no secrets)."""
    from imap_tools.errors import MailboxLoginError

    if isinstance(exc, MailboxLoginError) or (
        isinstance(exc, imaplib.IMAP4.error) and "auth" in str(exc).lower()
    ):
        return "sai tên đăng nhập hoặc mật khẩu (máy chủ từ chối đăng nhập)"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"chứng chỉ bảo mật của {host} không hợp lệ hoặc không tin cậy ({exc.verify_message})"
        )
    if isinstance(exc, ssl.SSLError):
        return (
            f"lỗi mã hóa khi nói chuyện với {host}:{port} — có thể sai kiểu bảo mật "
            "(ssl / starttls) so với cổng"
        )
    if isinstance(exc, socket.gaierror):
        return f"không tìm thấy máy chủ {host} (sai tên máy chủ hoặc mất mạng)"
    if isinstance(exc, ConnectionRefusedError):
        return f"máy chủ {host} từ chối kết nối ở cổng {port} (sai cổng hoặc máy chủ đang dừng)"
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"quá thời gian chờ {host}:{port} (mạng chậm, tường lửa chặn hoặc sai cổng)"
    if isinstance(exc, imaplib.IMAP4.abort | EOFError | ConnectionError):
        return f"mất kết nối với {host}:{port}"
    if isinstance(exc, OSError):
        return f"{host}:{port}: {os_reason(exc)}"
    return f"{type(exc).__name__}: {exc}"


def connect(settings: MailSettings, password: str, login: Login = password_login) -> Any:
    """A logged-in imap-tools mailbox (the caller logs out)."""
    from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted

    host, port, timeout = settings.imap_host, settings.imap_port, settings.timeout_seconds
    try:
        if settings.imap_security == "ssl":
            mailbox: Any = MailBox(host, port, timeout=timeout)
        elif settings.imap_security == "starttls":
            mailbox = MailBoxStartTls(host, port, timeout=timeout)
        else:
            mailbox = MailBoxUnencrypted(host, port, timeout=timeout)
    except CONNECTION_ERRORS as exc:
        raise MailError(
            f"Không kết nối được máy chủ thư đến (IMAP) {host}:{port}: {describe(exc, host, port)}.",
            "Kiểm tra mail.imap_host, mail.imap_port, mail.imap_security trong consolidate.toml "
            "và kết nối mạng.",
        ) from None
    try:
        login(mailbox, settings, password)
    except Exception as exc:
        _close(mailbox)
        raise MailError(
            f"Không đăng nhập được hộp thư {settings.username} trên {host}: "
            f"{describe(exc, host, port)}.",
            "Kiểm tra mail.username và mật khẩu (biến CONSOLIDATE_MAIL_PASSWORD hoặc kho mật "
            "khẩu của hệ điều hành).",
        ) from None
    return mailbox


def _close(mailbox: Any) -> None:
    try:
        mailbox.client.shutdown()
    except Exception:
        pass


def logout(mailbox: Any) -> None:
    try:
        mailbox.logout()
    except Exception:
        _close(mailbox)


def select(mailbox: Any, folder: str) -> int:
    """Select ``folder``; its UIDVALIDITY."""
    try:
        status = mailbox.folder.status(folder, ["UIDVALIDITY"])
        mailbox.folder.set(folder)
    except Exception as exc:
        if isinstance(exc, CONNECTION_ERRORS) and not isinstance(exc, imaplib.IMAP4.error):
            raise
        raise MailError(
            f"Hộp thư không có thư mục '{folder}'.",
            "Sửa mail.imap_folder (thường là INBOX) hoặc tạo thư mục đó trong hộp thư.",
        ) from None
    return int(status["UIDVALIDITY"])


def uids(mailbox: Any, criteria: str) -> list[int]:
    return sorted(int(u) for u in mailbox.uids(criteria))


def fetch_raw(mailbox: Any, batch: list[int]) -> Iterator[RawMessage]:
    """The messages of ``batch`` (UIDs), byte for byte, with their INTERNALDATE; nothing is
    marked seen (BODY.PEEK)."""
    if not batch:
        return
    typ, data = mailbox.client.uid(
        "FETCH", ",".join(map(str, batch)), "(UID INTERNALDATE BODY.PEEK[])"
    )
    if typ != "OK":
        raise imaplib.IMAP4.error(f"FETCH {typ}")
    for item in data:
        if not isinstance(item, tuple) or len(item) < 2:
            continue
        head, body = item[0], item[1]
        uid = _FETCH_HEAD.search(head)
        when = _INTERNALDATE.search(head)
        if uid is None or when is None:
            continue
        moment = _internaldate(when.group(1).decode("ascii"))
        yield RawMessage(int(uid.group(1)), moment, bytes(body))


def _internaldate(text: str) -> datetime:
    """'04-Jun-2026 17:30:00 +0700' -> aware datetime (the server's own offset kept)."""
    return datetime.strptime(text.strip(), "%d-%b-%Y %H:%M:%S %z")


def mark_done(mailbox: Any, settings: MailSettings, done: list[int]) -> None:
    """Flag handled messages \\Seen, or move them to the processed folder."""
    if not done:
        return
    ids = [str(u) for u in done]
    if settings.processed_folder:
        if not mailbox.folder.exists(settings.processed_folder):
            mailbox.folder.create(settings.processed_folder)
        mailbox.move(ids, settings.processed_folder)
    else:
        mailbox.flag(ids, "\\Seen", True)


def has_idle(mailbox: Any) -> bool:
    return "IDLE" in getattr(mailbox.client, "capabilities", ())
