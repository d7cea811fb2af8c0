"""Kill -9 mid-pass, a flood of 200 messages, a late arrival in weekly (real servers)."""

from __future__ import annotations

import email
import email.policy
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from consolidate import build
from consolidate.core.config import Config
from consolidate.mail.config import load_mail_settings
from consolidate.mail.fetch import fetch_pass
from consolidate.store.db import Store
from tests.mailhelpers import at, message, report_bytes

REPO = Path(__file__).resolve().parent.parent
KILLED = -signal.SIGKILL if hasattr(signal, "SIGKILL") else 137
RUNNER = r"""
import os, signal, sys
import consolidate.mail.imap as imap

def die(*_args, **_kwargs):
    if hasattr(signal, "SIGKILL"):
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(137)

imap.mark_done = die
from consolidate.cli import main
main(args=sys.argv[1:], prog_name="consolidate")
"""


def _count(config: Config, sql: str) -> int:
    with Store(config.store, config.archive) as store:
        return int(store.db.execute(sql).fetchone()[0])


def test_kill_9_between_verdicts_and_flagging(
    mail_workspace: Config, dovecot, smtp_sink, tmp_path: Path
) -> None:
    config = mail_workspace
    data = report_bytes(config, tmp_path, "Sở Nội vụ")
    dovecot.append(
        [
            (
                message(f"u{i}@gmail.com", f"BC {i}", [(f"bc{i}.xlsx", data)]).as_bytes(),
                at("2026-06-04T09:00"),
            )
            for i in range(3)
        ]
    )
    # The child is the product unchanged; only RUNNER makes it SIGKILL itself when it is
    # about to flag the messages (their verdicts and replies are stored by then).
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, "-w", str(config.root), "mail", "fetch"],
        cwd=REPO,
        capture_output=True,
        timeout=180,
    )
    assert proc.returncode == KILLED, proc.stderr
    # verdicts and replies are stored, nothing flagged, nothing sent yet
    assert _count(config, "SELECT count(*) FROM verdicts") == 1  # three copies of one file
    assert _count(config, "SELECT count(*) FROM mail_outbox WHERE status='queued'") == 3
    assert not any("\\Seen" in f for f in dovecot.flags().values())
    again = fetch_pass(config, load_mail_settings(config))
    assert again.messages == []  # nothing judged twice
    assert again.sent == 3 and len(smtp_sink.received) == 3
    assert _count(config, "SELECT count(*) FROM verdicts") == 1
    assert _count(config, "SELECT count(*) FROM mail_outbox") == 3
    assert all("\\Seen" in f for f in dovecot.flags().values())
    assert fetch_pass(config, load_mail_settings(config)).sent == 0


def test_two_hundred_messages_in_one_pass(
    mail_workspace: Config, dovecot, smtp_sink, tmp_path: Path
) -> None:
    config = mail_workspace
    from consolidate.demo import generate

    plan = generate(config, tmp_path / "demo")
    files = [f.path.read_bytes() for f in plan.files]
    messages = [
        (
            message(
                f"donvi{i}@gmail.com",
                f"Báo cáo {i}",
                [(f"Báo cáo {i}.xlsx", files[i % len(files)])],
            ).as_bytes(),
            at("2026-06-04T10:00"),
        )
        for i in range(200)
    ]
    dovecot.append(messages)
    result = fetch_pass(config, load_mail_settings(config))
    assert len(result.messages) == 200
    assert all(len(m.reports) == 1 and m.reply_queued for m in result.messages)
    assert result.sent == 200 and len(smtp_sink.received) == 200
    assert len({r.message["In-Reply-To"] for r in smtp_sink.received}) == 200
    assert _count(config, "SELECT count(*) FROM mail_messages WHERE status='done'") == 200


def test_late_arrival_by_internaldate_is_late_in_weekly(
    mail_workspace: Config, dovecot, smtp_sink, tmp_path: Path
) -> None:
    config = mail_workspace
    on_time = report_bytes(config, tmp_path, "Sở Khoa học và Công nghệ")
    late = report_bytes(config, tmp_path, "Sở Nội vụ")
    # the Date: header claims Thursday 09:00 for both; the server received SNV at 17:40
    dovecot.append(
        [
            (
                message("a@gmail.com", "BC", [("a.xlsx", on_time)]).as_bytes(),
                at("2026-06-04T16:59"),
            ),
            (message("b@gmail.com", "BC", [("b.xlsx", late)]).as_bytes(), at("2026-06-04T17:40")),
        ]
    )
    fetch_pass(config, load_mail_settings(config))
    with Store(config.store, config.archive) as store:
        status = build.submission_status(config, store, now=at("2026-06-05T08:00"))
    units = {u["code"]: u["status"] for u in status["weekly"]["units"]}
    assert units["SKHCN"] == "on_time"
    assert units["SNV"] == "late"


def _watching(config: Config, events: list[str], now: str) -> Any:
    """``watch --mail``'s loop, started, its reminders on a clock stopped at ``now``."""
    from consolidate.mail.loop import MailLoop

    loop = MailLoop(
        config, load_mail_settings(config), on_event=events.append, clock=lambda: at(now)
    )
    loop.start()
    return loop


def _until(done: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_watch_mail_answers_as_mail_arrives_and_stops_cleanly(
    mail_workspace: Config, dovecot, smtp_sink, tmp_path: Path
) -> None:
    config = mail_workspace
    events: list[str] = []
    # Wednesday morning for the reminders: none is due, so the one message sent is the
    # answer (the loop's reminders follow its clock; with the real one this test depended
    # on the day of the week it ran).
    loop = _watching(config, events, "2026-06-03T10:00")
    try:
        _until(lambda: loop.passes > 0)
        data = report_bytes(config, tmp_path, "Sở Nội vụ")
        sent = message("snv@daklak.gov.vn", "BC", [("bc.xlsx", data)]).as_bytes()
        dovecot.append([(sent, at("2026-06-04T09:00"))])
        _until(lambda: bool(smtp_sink.received))
        assert len(smtp_sink.received) == 1, events
    finally:
        loop.stop(timeout=15)
    assert not loop.is_alive()
    answer = smtp_sink.received[0]
    assert answer.rcpt_tos == ["snv@daklak.gov.vn"]
    reply = email.message_from_bytes(answer.data, policy=email.policy.default)
    assert str(reply["Subject"]).startswith("Re: BC — ĐÃ TIẾP NHẬN") and reply["In-Reply-To"]
    assert any("snv@daklak.gov.vn" in e for e in events)


def test_watch_mail_sends_the_reminders_when_they_fall_due(
    mail_workspace: Config, dovecot, smtp_sink
) -> None:
    config = mail_workspace
    events: list[str] = []
    # Thursday 17:45, after the cut-off: the units that owe the weekly report and have none
    # are told "quá hạn" by the loop itself, once each.
    loop = _watching(config, events, "2026-06-04T17:45")
    try:
        _until(lambda: any(e.startswith("[đôn đốc]") for e in events))
    finally:
        loop.stop(timeout=15)
    assert not loop.is_alive()
    sent = [e for e in events if e.startswith("[đôn đốc]")]
    assert sent and sent[0].startswith("[đôn đốc] Đã gửi"), events
    with Store(config.store, config.archive) as store:
        rows = store.db.execute(
            "SELECT COUNT(*) FROM mail_outbox WHERE kind = 'reminder' AND status = 'sent'"
        ).fetchone()
    assert rows[0] == len(smtp_sink.received) > 0
