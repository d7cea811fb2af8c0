"""Sending the outbox with the standard library's ``smtplib``.

Each queued mail is sent as stored (same bytes, same Message-ID) and marked ``sent`` right
after the server accepted it; a refused or failed mail is marked ``failed`` with the reason
and retried by the next pass, up to ``MAX_ATTEMPTS``. An SMTP outage leaves everything
queued: nothing is lost, and a mail the server accepted is never sent again.
"""

from __future__ import annotations

import json
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from typing import Any

from consolidate.core.config import Config
from consolidate.core.errors import os_reason
from consolidate.mail import ledger
from consolidate.mail.config import MailSettings
from consolidate.store.db import Store

MAX_ATTEMPTS = 8
SMTP_ERRORS = (smtplib.SMTPException, OSError, socket.timeout)


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    notes: list[str] = field(default_factory=list)


def _describe(exc: BaseException, settings: MailSettings) -> str:
    host, port = settings.smtp_host, settings.smtp_port
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "sai tên đăng nhập hoặc mật khẩu (máy chủ gửi thư từ chối đăng nhập)"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "máy chủ từ chối người nhận: " + ", ".join(exc.recipients)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return f"máy chủ trả lời {exc.smtp_code}: {text}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"chứng chỉ bảo mật của {host} không hợp lệ ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"lỗi mã hóa với {host}:{port} (có thể sai kiểu bảo mật ssl / starttls)"
    if isinstance(exc, ConnectionRefusedError):
        return f"máy chủ {host} từ chối kết nối ở cổng {port} (sai cổng hoặc máy chủ đang dừng)"
    if isinstance(exc, socket.gaierror):
        return f"không tìm thấy máy chủ {host}"
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"quá thời gian chờ {host}:{port}"
    if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError):
        return f"mất kết nối với {host}:{port}"
    if isinstance(exc, OSError):
        return f"{host}:{port}: {os_reason(exc)}"
    return f"{type(exc).__name__}: {exc}"


def open_smtp(settings: MailSettings, password: str) -> smtplib.SMTP:
    host, port, timeout = settings.smtp_host, settings.smtp_port, settings.timeout_seconds
    smtp: smtplib.SMTP
    if settings.smtp_security == "ssl":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if settings.smtp_security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    try:
        smtp.ehlo_or_helo_if_needed()
        if settings.username and (settings.smtp_security != "none" or smtp.has_extn("auth")):
            smtp.login(settings.username, password)
    except BaseException:
        _quit(smtp)
        raise
    return smtp


def _quit(smtp: Any) -> None:
    try:
        smtp.quit()
    except Exception:
        try:
            smtp.close()
        except Exception:
            pass


def smtp_check(settings: MailSettings, password: str) -> tuple[bool, str]:
    try:
        smtp = open_smtp(settings, password)
    except SMTP_ERRORS as exc:
        return False, (
            f"SMTP: không dùng được máy chủ gửi thư {settings.smtp_host}:{settings.smtp_port}: "
            f"{_describe(exc, settings)}. Kiểm tra mail.smtp_host, mail.smtp_port, "
            "mail.smtp_security và mật khẩu."
        )
    _quit(smtp)
    return True, (
        f"SMTP: đăng nhập {settings.smtp_host}:{settings.smtp_port} ({settings.smtp_security}) "
        "thành công."
    )


def send_outbox(config: Config, settings: MailSettings, store: Store, password: str) -> SendResult:
    """Send every queued (or earlier failed) mail; one connection for all of them."""
    result = SendResult()
    rows = store.db.execute(
        "SELECT id, recipients, eml, attempts FROM mail_outbox WHERE status IN (?,?,?) "
        "AND attempts < ? ORDER BY id",
        (ledger.QUEUED, ledger.SENDING, ledger.FAILED, MAX_ATTEMPTS),
    ).fetchall()
    if not rows:
        return result
    try:
        smtp = open_smtp(settings, password)
    except SMTP_ERRORS as exc:
        reason = _describe(exc, settings)
        with store.transaction() as db:
            db.executemany(
                "UPDATE mail_outbox SET last_error=? WHERE id=?", [(reason, r[0]) for r in rows]
            )
        result.notes.append(
            f"Chưa gửi được {len(rows)} thư trả lời ({reason}); thư vẫn nằm trong hàng đợi và "
            "sẽ được gửi ở lần chạy sau."
        )
        return result
    try:
        for row in rows:
            recipients = json.loads(row["recipients"])
            try:
                refused = smtp.sendmail(settings.sender, recipients, row["eml"])
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                _fail(store, row["id"], _describe(exc, settings))
                result.failed += 1
                result.notes.append(
                    f"Mất kết nối máy chủ gửi thư ({_describe(exc, settings)}); các thư còn lại "
                    "sẽ được gửi ở lần chạy sau."
                )
                break
            except smtplib.SMTPException as exc:
                _fail(store, row["id"], _describe(exc, settings))
                result.failed += 1
                continue
            note = ("không gửi được tới: " + ", ".join(refused)) if refused else None
            store.db.execute(
                "UPDATE mail_outbox SET status=?, attempts=attempts+1, last_error=?, sent_at=? "
                "WHERE id=?",
                (ledger.SENT, note, ledger.now_iso(), row["id"]),
            )
            result.sent += 1
    finally:
        _quit(smtp)
    return result


def _fail(store: Store, row_id: int, reason: str) -> None:
    store.db.execute(
        "UPDATE mail_outbox SET status=?, attempts=attempts+1, last_error=? WHERE id=?",
        (ledger.FAILED, reason, row_id),
    )
