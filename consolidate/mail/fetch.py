"""One pass over the office mailbox: keep, judge, answer, then mark.

For each batch of new messages (bounded, UID order):
1. the raw message is archived byte for byte by sha256 and recorded in the ledger with its
   attachments' names and hashes, in one transaction, before anything reads it;
2. every spreadsheet (also inside a zip, winmail.dat or a forwarded message) goes through
   the same ingest as a dropped file (:func:`consolidate.intake.ingest.ingest_blobs`),
   received at the server's INTERNALDATE;
3. the verdicts are linked to the message and its one reply is queued in the outbox, in
   one transaction (status ``answered``);
4. only then is the message flagged ``\\Seen`` or moved; queued replies are sent.
A pass killed anywhere resumes: archived-but-unjudged files are judged by the next ingest,
an answered message is only marked, a queued reply is sent once.
"""

from __future__ import annotations

import email
import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from typing import Any

from filelock import FileLock, Timeout

from consolidate.core.config import Config
from consolidate.core.errors import MailError, StoreLocked
from consolidate.core.findings import DUPLICATE, REJECTED, Report
from consolidate.mail import imap, ledger
from consolidate.mail.config import MailSettings, mail_password
from consolidate.mail.extract import Extracted, extract
from consolidate.mail.reply import (
    Outgoing,
    ReplyInput,
    compose_reply,
    header_text,
    never_answer,
    sender_of,
)
from consolidate.store.db import Store, utc_iso

KIND_REPORT, KIND_EMPTY, KIND_AUTO, KIND_COPY = "report", "no-attachment", "auto", "copy"


@dataclass
class MessageOutcome:
    uid: int
    sender: str
    subject: str
    kind: str
    received_at: datetime
    reports: list[Report] = field(default_factory=list)
    note: str = ""
    reply_queued: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "sender": self.sender,
            "subject": self.subject,
            "kind": self.kind,
            "received_at": self.received_at.isoformat(),
            "reply_queued": self.reply_queued,
            "note": self.note,
            "reports": [r.to_dict() for r in self.reports],
        }


@dataclass
class FetchResult:
    messages: list[MessageOutcome] = field(default_factory=list)
    sent: int = 0
    failed: int = 0
    notes: list[str] = field(default_factory=list)
    error: str = ""  # a connection lost mid-pass (what was done is kept)

    @property
    def reports(self) -> list[Report]:
        return [r for m in self.messages for r in m.reports]

    @property
    def exit_code(self) -> int:
        if self.error:
            return 2
        for report in self.reports:
            if report.verdict == REJECTED or (report.verdict == DUPLICATE and report.errors):
                return 1
        return 0

    def to_dict(self) -> dict[str, Any]:
        reports = self.reports
        return {
            "messages": len(self.messages),
            "files": len(reports),
            "accepted": sum(1 for r in reports if r.verdict == "accepted"),
            "rejected": sum(1 for r in reports if r.verdict == REJECTED),
            "duplicates": sum(1 for r in reports if r.verdict == DUPLICATE),
            "replies_sent": self.sent,
            "replies_failed": self.failed,
            "error": self.error,
            "notes": list(self.notes),
            "details": [m.to_dict() for m in self.messages],
        }


def mail_lock(config: Config, timeout: float = 300.0) -> FileLock:
    return FileLock(str(config.store.parent / "consolidate.mail.lock"), timeout=timeout)


@dataclass
class _Pending:
    """A message of the batch in hand."""

    row: int
    uid: int
    message: Message
    sender: str
    received_at: datetime
    kind: str
    extracted: Extracted | None
    shas: list[str] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    note: str = ""


def fetch_pass(
    config: Config,
    settings: MailSettings,
    *,
    send: bool = True,
    on_batch: Callable[[FetchResult], None] | None = None,
    on_message: Callable[[MessageOutcome], None] | None = None,
    login: imap.Login = imap.password_login,
) -> FetchResult:
    """Fetch, judge and answer every new message; send the queued replies."""
    settings.require()
    password = mail_password(settings)
    result = FetchResult()
    lock = mail_lock(config)
    try:
        lock.acquire()
    except Timeout:
        raise StoreLocked(
            "Một lệnh khác đang đọc hộp thư của không gian làm việc này.",
            "Chờ lệnh kia (ví dụ consolidate watch --mail) xong, hoặc dừng nó rồi thử lại.",
        ) from None
    try:
        config.ensure_dirs()
        with Store(config.store, config.archive) as store:
            try:
                _pass(config, settings, store, password, result, login, on_batch, on_message)
            except imap.CONNECTION_ERRORS as exc:
                result.error = (
                    f"Mất kết nối với máy chủ thư giữa chừng: "
                    f"{imap.describe(exc, settings.imap_host, settings.imap_port)}. Các thư đã "
                    "xử lý được giữ nguyên; lần chạy sau sẽ xử lý tiếp các thư còn lại."
                )
            if send and settings.smtp_host:
                from consolidate.mail.send import send_outbox

                sent = send_outbox(config, settings, store, password)
                result.sent, result.failed = sent.sent, sent.failed
                result.notes.extend(sent.notes)
    finally:
        lock.release()
    return result


#: Attachments kept in memory before they are judged together (one ingest, one process pool
#: for a flood); a pass over a bigger mailbox judges, answers and marks group by group.
GROUP_BYTES = 128 * 1024 * 1024


def _pass(
    config: Config,
    settings: MailSettings,
    store: Store,
    password: str,
    result: FetchResult,
    login: imap.Login,
    on_batch: Callable[[FetchResult], None] | None,
    on_message: Callable[[MessageOutcome], None] | None,
) -> None:
    mailbox = imap.connect(settings, password, login)
    folder = settings.imap_folder
    group: list[_Pending] = []
    handled: list[int] = []  # UIDs that only need marking
    size = 0

    def flush(mark: bool) -> None:
        nonlocal group, handled, size
        items, uids = group, handled
        group, handled, size = [], [], 0
        first = len(result.messages)
        _judge(config, store, items)
        result.messages.extend(_answer(config, settings, store, items))
        try:
            _mark(mailbox, settings, store, folder, validity, uids + [i.uid for i in items])
        except imap.CONNECTION_ERRORS:
            if mark:
                raise  # otherwise the connection is already gone: the next pass marks them
        if on_message:
            for outcome in result.messages[first:]:
                on_message(outcome)

    try:
        validity = imap.select(mailbox, folder)
        # Answered in an earlier pass that died before marking them: mark them now.
        leftover = ledger.pending_done(store.db, folder, validity)
        _mark(mailbox, settings, store, folder, validity, leftover)
        criteria = "ALL" if settings.processed_folder else "UNSEEN"
        done_before = set(leftover)
        todo = [u for u in imap.uids(mailbox, criteria) if u not in done_before]
        try:
            for start in range(0, len(todo), settings.batch_size):
                raws = list(imap.fetch_raw(mailbox, todo[start : start + settings.batch_size]))
                kept, marked = _keep(settings, store, folder, validity, raws)
                group.extend(kept)
                handled.extend(marked)
                size += sum(len(raw.data) for raw in raws)
                if on_batch:
                    on_batch(result)
                if size >= GROUP_BYTES:
                    flush(mark=True)
        finally:
            # What arrived before a dropped connection is judged and answered all the same.
            if group or handled:
                flush(mark=False)
    finally:
        imap.logout(mailbox)


def _mark(
    mailbox: Any, settings: MailSettings, store: Store, folder: str, validity: int, uids: list[int]
) -> None:
    if not uids:
        return
    imap.mark_done(mailbox, settings, uids)
    with store.transaction() as db:
        ledger.set_done(db, folder, validity, uids)


def _keep(
    settings: MailSettings,
    store: Store,
    folder: str,
    validity: int,
    raws: list[imap.RawMessage],
) -> tuple[list[_Pending], list[int]]:
    """Archive the raw messages byte for byte (each fsynced) before anything reads them,
    then read each and record it with its attachments' names and hashes — the whole fetch
    batch in one transaction. Returns the messages to judge and the UIDs only to mark."""
    handled: list[int] = []
    fresh: list[tuple[imap.RawMessage, ledger.MessageRow | None]] = []
    for raw in raws:
        known = ledger.find_message(store.db, folder, validity, raw.uid)
        if known is not None and known.status != ledger.RECEIVED:
            handled.append(raw.uid)  # answered by a pass that died before marking it
        else:
            fresh.append((raw, known))
    items: list[_Pending] = []

    def record(db: sqlite3.Connection, index: int, eml_sha: str) -> None:
        raw, known = fresh[index]
        message = email.message_from_bytes(raw.data)
        sender = sender_of(message)
        why_not = never_answer(message)
        extracted = None if why_not else extract(message, settings.max_attachment_bytes)
        kind = (
            KIND_AUTO
            if why_not
            else KIND_REPORT
            if extracted and extracted.spreadsheets
            else KIND_EMPTY
        )
        shas = (
            [hashlib.sha256(a.data).hexdigest() for a in extracted.spreadsheets]
            if extracted
            else []
        )
        message_id = str(message.get("Message-ID", "")).strip() or None
        if known is not None:
            row = known.id
        else:
            cur = db.execute(
                "INSERT INTO mail_messages (folder, uidvalidity, uid, message_id, eml_sha256, "
                "sender, subject, date_header, internaldate, kind, status, note, recorded_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    folder, validity, raw.uid, message_id, eml_sha, sender,
                    header_text(message, "Subject"), header_text(message, "Date"),
                    utc_iso(raw.internaldate), kind, ledger.RECEIVED, why_not or None,
                    ledger.now_iso(),
                ),
            )  # fmt: skip
            row = int(cur.lastrowid or 0)
            if extracted:
                db.executemany(
                    "INSERT INTO mail_attachments (message, position, name, safe_name, "
                    "sha256, size, via) VALUES (?,?,?,?,?,?,?)",
                    [
                        (row, n, a.name, a.safe, sha, len(a.data), a.via)
                        for n, (a, sha) in enumerate(zip(extracted.spreadsheets, shas, strict=True))
                    ],
                )
        item = _Pending(row, raw.uid, message, sender, raw.internaldate, kind, extracted, shas)
        if ledger.known_elsewhere(db, message_id, eml_sha, row):
            item.kind, item.note = KIND_COPY, "thư đã được xử lý trước đó (cùng Message-ID)"
            item.extracted = None
        elif why_not:
            item.note = why_not
        items.append(item)

    if fresh:
        store.archive_batch(
            [
                (
                    raw.data,
                    f"thu-{raw.internaldate.astimezone(UTC):%Y%m%d-%H%M%S}-{raw.uid}.eml",
                    raw.internaldate,
                )
                for raw, _known in fresh
            ],
            "email",
            record,
        )
    return items, handled


def _judge(config: Config, store: Store, items: list[_Pending]) -> None:
    """Ingest the batch's spreadsheets in one go, then give each message its reports."""
    from consolidate.intake.ingest import ingest_blobs

    blobs: list[tuple[str, bytes, datetime]] = []
    earlier: dict[str, Report] = {}
    for item in items:
        if item.kind != KIND_REPORT or item.extracted is None:
            continue
        for att, sha in zip(item.extracted.spreadsheets, item.shas, strict=True):
            # A pass killed after the verdict and before the answer: the verdict stands.
            done = _own_verdict(store, item.row, sha)
            if done is not None:
                earlier[sha] = done
            else:
                # the safe name: feedback files are named after it (never a path as sent)
                blobs.append((att.safe, att.data, item.received_at))
    by_sha: dict[str, list[Report]] = {}
    if blobs:
        got = ingest_blobs(config, blobs, source="email")
        for judged in got.reports:
            by_sha.setdefault(judged.sha256, []).append(judged)
    for item in items:
        if item.kind != KIND_REPORT or item.extracted is None:
            continue
        for sha in item.shas:
            if sha in earlier:
                item.reports.append(earlier[sha])
                continue
            found = by_sha.get(sha) or []
            # Prefer the fresh verdict over a "copy" report of the same bytes in this run.
            fresh = [r for r in found if r.verdict != DUPLICATE]
            candidates = fresh or found
            report: Report | None = candidates[0] if candidates else None
            if report is None:
                verdict = store.verdict_of(sha)
                if verdict is None:
                    continue
                report = verdict
            elif report in found:
                found.remove(report)
            item.reports.append(report)


def _own_verdict(store: Store, row: int, sha: str) -> Report | None:
    """The verdict of ``sha`` if it came from this very message (an interrupted pass)."""
    other = store.db.execute(
        "SELECT 1 FROM mail_attachments a JOIN mail_messages m ON m.id=a.message "
        "WHERE a.sha256=? AND a.message<>? AND m.status<>?",
        (sha, row, ledger.RECEIVED),
    ).fetchone()
    if other is not None:
        return None  # sent before in another message: a copy, judged as such by ingest
    first = store.db.execute(
        "SELECT source FROM arrivals WHERE sha256=? ORDER BY id LIMIT 1", (sha,)
    ).fetchone()
    if first is None or first[0] != "email":
        return None
    return store.verdict_of(sha)


def _answer(
    config: Config, settings: MailSettings, store: Store, items: list[_Pending]
) -> list[MessageOutcome]:
    """Link the verdicts and queue the one reply of each message of the batch, in one
    transaction (the replies are composed before it)."""
    now = datetime.now(UTC)
    cap = settings.max_replies_per_sender_per_hour
    in_batch: dict[str, int] = {}
    sent = ledger.replies_in_last_hour(store.db, now)
    prepared: list[tuple[_Pending, MessageOutcome, Outgoing | None]] = []
    for item in items:
        outcome = MessageOutcome(
            item.uid, item.sender, header_text(item.message, "Subject"), item.kind,
            item.received_at, list(item.reports), item.note,
        )  # fmt: skip
        outgoing = None
        if item.kind in (KIND_REPORT, KIND_EMPTY) and item.sender:
            if sent.get(item.sender, 0) + in_batch.get(item.sender, 0) >= cap:
                outcome.note = f"không trả lời: đã gửi {cap} thư cho {item.sender} trong một giờ"
            else:
                in_batch[item.sender] = in_batch.get(item.sender, 0) + 1
                extracted = item.extracted or Extracted()
                outgoing = compose_reply(
                    config,
                    settings,
                    ReplyInput(
                        item.message,
                        item.sender,
                        item.received_at,
                        item.reports,
                        list(extracted.notes),
                        list(extracted.others),
                    ),
                )
        prepared.append((item, outcome, outgoing))
    with store.transaction() as db:
        for item, outcome, outgoing in prepared:
            db.executemany(
                "UPDATE mail_attachments SET verdict=? WHERE message=? AND position=?",
                [(r.verdict, item.row, n) for n, r in enumerate(item.reports)],
            )
            if outgoing is not None:
                queued = ledger.queue(
                    db,
                    kind="reply",
                    dedup_key=f"reply:{item.row}",
                    recipients=outgoing.recipients,
                    subject=outgoing.subject,
                    message_id=outgoing.message_id,
                    eml=outgoing.eml,
                    message=item.row,
                )
                outcome.reply_queued = queued is not None
            answered = item.kind in (KIND_REPORT, KIND_EMPTY)
            db.execute(
                "UPDATE mail_messages SET status=?, kind=?, note=? WHERE id=?",
                (
                    ledger.ANSWERED if answered else ledger.IGNORED,
                    item.kind,
                    outcome.note or None,
                    item.row,
                ),
            )
    return [outcome for _item, outcome, _out in prepared]


def check_connection(config: Config, settings: MailSettings) -> list[tuple[bool, str]]:
    """Log in to both servers; (ok, Vietnamese line) for each check."""
    from consolidate.mail.send import smtp_check

    lines: list[tuple[bool, str]] = []
    try:
        settings.require()
        password = mail_password(settings)
    except MailError as exc:
        return [(False, f"{exc.message} {exc.hint}")]
    except Exception as exc:
        return [(False, str(exc))]
    try:
        mailbox = imap.connect(settings, password)
    except MailError as exc:
        lines.append((False, f"IMAP: {exc.message} {exc.hint}"))
    else:
        try:
            imap.select(mailbox, settings.imap_folder)
            lines.append(
                (True, f"IMAP: đăng nhập {settings.imap_host}:{settings.imap_port} "
                 f"({settings.imap_security}) thành công; thư mục '{settings.imap_folder}' có."
                 + (" Máy chủ hỗ trợ IDLE." if imap.has_idle(mailbox) else ""))
            )  # fmt: skip
        except MailError as exc:
            lines.append((False, f"IMAP: {exc.message} {exc.hint}"))
        finally:
            imap.logout(mailbox)
    lines.append(smtp_check(settings, password))
    return lines
