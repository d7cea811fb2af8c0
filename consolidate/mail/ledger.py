"""The e-mail ledger in the store (tables ``mail_*``, schema 3 of :mod:`consolidate.store.schema`).

A message moves ``received`` (raw .eml archived, attachments listed) -> ``answered``
(verdicts stored, reply queued in the outbox, in one transaction) -> ``done`` (flagged or
moved on the server). ``ignored`` messages (auto-replies, bounces, a copy of a message
already handled) are kept but neither judged nor answered. An outbox row moves ``queued``
-> ``sent`` or ``failed`` (with the reason; retried by the next pass).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from consolidate.store.db import utc_iso

RECEIVED, ANSWERED, DONE, IGNORED = "received", "answered", "done", "ignored"
QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"


@dataclass
class MessageRow:
    id: int
    uid: int
    status: str
    kind: str
    message_id: str | None


def now_iso() -> str:
    return utc_iso(datetime.now(UTC))


def find_message(
    db: sqlite3.Connection, folder: str, uidvalidity: int, uid: int
) -> MessageRow | None:
    row = db.execute(
        "SELECT id, uid, status, kind, message_id FROM mail_messages "
        "WHERE folder=? AND uidvalidity=? AND uid=?",
        (folder, uidvalidity, uid),
    ).fetchone()
    return MessageRow(row[0], row[1], row[2], row[3], row[4]) if row else None


def known_elsewhere(db: sqlite3.Connection, message_id: str | None, eml_sha: str, own: int) -> bool:
    """Was this message (same Message-ID, or the same bytes) already handled under another
    UID (the same message delivered twice, or UIDVALIDITY changed)?"""
    if message_id:
        row = db.execute(
            "SELECT 1 FROM mail_messages WHERE message_id=? AND id<?", (message_id, own)
        ).fetchone()
        if row:
            return True
    row = db.execute(
        "SELECT 1 FROM mail_messages WHERE eml_sha256=? AND id<?", (eml_sha, own)
    ).fetchone()
    return row is not None


def pending_done(db: sqlite3.Connection, folder: str, uidvalidity: int) -> list[int]:
    """UIDs answered (or ignored) but not yet flagged/moved on the server."""
    rows = db.execute(
        "SELECT uid FROM mail_messages WHERE folder=? AND uidvalidity=? AND status IN (?,?) "
        "AND done_at IS NULL",
        (folder, uidvalidity, ANSWERED, IGNORED),
    ).fetchall()
    return [r[0] for r in rows]


def set_done(db: sqlite3.Connection, folder: str, uidvalidity: int, done: list[int]) -> None:
    stamp = now_iso()
    db.executemany(
        "UPDATE mail_messages SET status=CASE WHEN status=? THEN ? ELSE status END, done_at=? "
        "WHERE folder=? AND uidvalidity=? AND uid=?",
        [(ANSWERED, DONE, stamp, folder, uidvalidity, u) for u in done],
    )


def attachments_of(db: sqlite3.Connection, message: int) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT * FROM mail_attachments WHERE message=? ORDER BY position", (message,)
    ).fetchall()


def replies_in_last_hour(db: sqlite3.Connection, now: datetime) -> dict[str, int]:
    """Replies queued in the hour before ``now``, by the address they answered."""
    since = utc_iso(now - timedelta(hours=1))
    rows = db.execute(
        "SELECT json_extract(recipients, '$[0]'), count(*) FROM mail_outbox "
        "WHERE kind='reply' AND queued_at>=? GROUP BY 1",
        (since,),
    ).fetchall()
    return {str(r[0]): int(r[1]) for r in rows}


def queue(
    db: sqlite3.Connection,
    *,
    kind: str,
    dedup_key: str,
    recipients: list[str],
    subject: str,
    message_id: str,
    eml: bytes,
    message: int | None = None,
) -> int | None:
    """Put one mail in the outbox (inside the caller's transaction); None if a mail with
    the same ``dedup_key`` is already there (never queued twice)."""
    cur = db.execute(
        "INSERT OR IGNORE INTO mail_outbox (kind, dedup_key, message, recipients, subject, "
        "message_id, eml, status, attempts, queued_at) VALUES (?,?,?,?,?,?,?,?,0,?)",
        (
            kind,
            dedup_key,
            message,
            json.dumps([r.lower() for r in recipients]),
            subject,
            message_id,
            eml,
            QUEUED,
            now_iso(),
        ),
    )
    return cur.lastrowid if cur.rowcount else None


def outbox_rows(db: sqlite3.Connection, limit: int = 200) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT id, kind, recipients, subject, status, attempts, last_error, queued_at, sent_at "
        "FROM mail_outbox ORDER BY id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    out = []
    for r in rows:
        item = dict(r)
        item["recipients"] = json.loads(item["recipients"])
        out.append(item)
    return out
