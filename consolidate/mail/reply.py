"""Composing mails (the standard library's ``email``) and knowing which never to answer.

The answer to a unit's message (threaded, the same Vietnamese text as the feedback .txt,
the feedback workbook attached when there are findings), the polite answer when nothing
usable was attached, and the reminders. Auto-replies, bounces and lists get no answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.header import Header, decode_header, make_header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import cast

from consolidate.core.config import Config
from consolidate.core.findings import ACCEPTED, DUPLICATE, REJECTED, Report
from consolidate.core.text import nfc
from consolidate.mail.config import MailSettings, unit_addresses
from consolidate.mail.names import safe_name

_SMTP_COMPAT = compat32.clone(linesep="\r\n")
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def footer(config: Config) -> str:
    office = config.office.office_name
    return (
        f"Thư này do hệ thống tiếp nhận báo cáo của {office} gửi tự động. Mọi thắc mắc xin "
        "liên hệ chuyên viên theo dõi báo cáo."
    )


def claimed_date(message: Message, config: Config) -> str:
    """The sender's Date: header in the office's words ('' when absent or unreadable)."""
    raw = message.get("Date")
    if raw is None:
        return ""
    try:
        moment = parsedate_to_datetime(str(raw))
    except (TypeError, ValueError, IndexError):
        return header_text(message, "Date")
    if moment.tzinfo is None:
        return f"{moment:%H:%M ngày %d/%m/%Y}"
    return f"{moment.astimezone(config.calendar.tz):%H:%M ngày %d/%m/%Y}"


def header_text(message: Message, name: str) -> str:
    raw = message.get(name)
    if raw is None:
        return ""
    try:
        return nfc(str(make_header(decode_header(str(raw)))))
    except (UnicodeDecodeError, LookupError, ValueError, TypeError):
        return nfc(str(raw))


def sender_of(message: Message) -> str:
    """The address to answer: Reply-To when given, else From ('' when none)."""
    for name in ("Reply-To", "From"):
        pairs = getaddresses([str(v) for v in message.get_all(name, [])])
        for _display, address in pairs:
            if "@" in address:
                return address.strip().lower()
    return ""


def never_answer(message: Message) -> str:
    """Why this message must not get an automatic answer ('' when it may): auto-replies,
    bounces, mailing lists (RFC 3834 and the usual vendor headers)."""
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return "thư tự động (Auto-Submitted)"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        if name in message and name != "X-Auto-Response-Suppress":
            return f"thư trả lời tự động ({name})"
    if str(message.get("Precedence", "")).strip().lower() in ("bulk", "junk", "list", "auto_reply"):
        return "thư hàng loạt (Precedence)"
    if "List-Id" in message or "List-Unsubscribe" in message:
        return "thư của danh sách thư (List-Id)"
    if message.get_content_type() == "multipart/report":
        return "thư báo lỗi gửi thư (bounce)"
    return_path = message.get("Return-Path")
    if (
        return_path is not None
        and parseaddr(str(return_path))[1] == ""
        and "<>" in str(return_path)
    ):
        return "thư báo lỗi gửi thư (Return-Path rỗng)"
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    local = sender.split("@")[0]
    if local in ("mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply"):
        return f"thư từ địa chỉ không nhận trả lời ({sender})"
    if not sender:
        return "thư không có địa chỉ người gửi"
    return ""


@dataclass
class Outgoing:
    recipients: list[str]
    subject: str
    message_id: str
    eml: bytes


@dataclass
class ReplyInput:
    original: Message
    sender: str
    received_at: datetime
    reports: list[Report] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)


def _domain(settings: MailSettings) -> str:
    address = settings.sender
    return address.split("@", 1)[1] if "@" in address else "consolidate.local"


def _verdict_label(reports: list[Report]) -> str:
    verdicts = {r.verdict for r in reports}
    if not reports:
        return "Chưa có tệp báo cáo"
    if REJECTED in verdicts or any(r.verdict == DUPLICATE and r.errors for r in reports):
        return "KHÔNG TIẾP NHẬN" if ACCEPTED not in verdicts else "Có tệp KHÔNG được tiếp nhận"
    if verdicts == {DUPLICATE}:
        return "Đã nhận trước đó"
    return "ĐÃ TIẾP NHẬN"


def _subject(original: Message, label: str) -> str:
    subject = header_text(original, "Subject") or "Báo cáo"
    while subject.lower().startswith(("re:", "tl:", "trả lời:")):
        subject = subject.split(":", 1)[1].strip()
    return f"Re: {subject} — {label}"


def build_message(
    config: Config,
    settings: MailSettings,
    *,
    to: list[str],
    cc: list[str],
    subject: str,
    body: str,
    attachments: Sequence[tuple[str, bytes]] = (),
    in_reply_to: str = "",
    references: str = "",
) -> Outgoing:
    """A mail as bytes (CRLF, ready for SMTP). Built with the ``email.mime`` classes and
    the compat32 policy: the same standard output (RFC 2047 subject, RFC 2231 attachment
    names, base64 UTF-8 text) at about half the cost of ``EmailMessage`` in a flood."""
    text = MIMEText(body, "plain", "utf-8")
    msg: Message
    if attachments:
        msg = MIMEMultipart()
        msg.attach(text)
        for name, data in attachments:
            part = MIMEApplication(data, XLSX_TYPE[1])
            part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
            msg.attach(part)
    else:
        msg = text
    msg["From"] = settings.sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    # a Header object (not its encoded text): folded without a leading blank
    msg["Subject"] = cast(str, Header(subject, "utf-8"))
    msg["Date"] = format_datetime(datetime.now(config.calendar.tz))
    message_id = make_msgid("consolidate", _domain(settings))
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = f"{references} {in_reply_to}".strip()
    # RFC 3834: an automatic answer; asks the units' autoresponders not to answer it.
    msg["Auto-Submitted"] = "auto-replied" if in_reply_to else "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    return Outgoing([*to, *cc], subject, message_id, msg.as_bytes(policy=_SMTP_COMPAT))


def compose_reply(config: Config, settings: MailSettings, item: ReplyInput) -> Outgoing:
    """One answer to one message: verdict of each spreadsheet, or what to attach."""
    from consolidate.intake.feedback import summary_text

    tz = config.calendar.tz
    units = {r.unit_code for r in item.reports if r.unit_code}
    cc: list[str] = []
    for code in sorted(units):
        for address in unit_addresses(config.unit_index.by_code.get(code)):
            if address.lower() != item.sender and address.lower() not in cc:
                cc.append(address.lower())
    names = sorted({r.unit_name for r in item.reports if r.unit_name})
    lines = [f"Kính gửi: {', '.join(names) if names else 'Quý cơ quan, đơn vị'},", ""]
    lines.append(
        f"{config.office.office_name} đã nhận thư của đơn vị lúc "
        f"{item.received_at.astimezone(tz):%H:%M ngày %d/%m/%Y} (giờ của máy chủ thư)."
    )
    claimed = claimed_date(item.original, config)
    if claimed:
        lines.append(f"(Thời điểm ghi trên thư của đơn vị, theo máy của đơn vị: {claimed}.)")
    lines.append("")
    attachments: list[tuple[str, bytes]] = []
    if not item.reports:
        lines += [
            "Thư không kèm tệp báo cáo Excel theo mẫu nên chưa có báo cáo nào được tiếp nhận.",
            'Đề nghị đơn vị đính kèm tệp báo cáo (.xlsx) lập theo mẫu "khung báo cáo chung" '
            f"do {config.office.office_name} phát hành và gửi lại vào hộp thư này. Không cần "
            "nén tệp; nếu nén (.zip), "
            "mỗi tệp trong đó phải là một báo cáo theo mẫu.",
        ]
    for n, report in enumerate(item.reports, start=1):
        if len(item.reports) > 1:
            lines.append(f"--- Tệp {n}/{len(item.reports)} ---")
        if report.verdict == DUPLICATE:
            lines.append(
                f"Tệp {report.file} trùng nội dung với tệp đã nhận trước đó "
                f"({report.duplicate_of}); kết quả kiểm tra giữ như lần nhận trước."
            )
        lines.append(summary_text(report, config).rstrip("\n"))
        lines.append("")
        if report.findings and report.feedback_path and Path(report.feedback_path).is_file():
            shown = safe_name(f"Phan-hoi_{Path(report.file).stem}.xlsx", "Phan-hoi.xlsx")
            attachments.append((shown, Path(report.feedback_path).read_bytes()))
    if attachments:
        lines.append("Tệp phản hồi đính kèm chỉ rõ từng lỗi, cảnh báo tại trang và ô tương ứng.")
    if item.others:
        lines.append(
            "Các tệp sau không phải báo cáo Excel nên không được đọc: "
            + "; ".join(item.others)
            + "."
        )
    lines += item.notes
    lines += ["", footer(config)]
    return build_message(
        config,
        settings,
        to=[item.sender],
        cc=cc,
        subject=_subject(item.original, _verdict_label(item.reports)),
        body="\n".join(lines) + "\n",
        attachments=attachments,
        in_reply_to=str(item.original.get("Message-ID", "")).strip(),
        references=" ".join(str(item.original.get("References", "")).split()),
    )
