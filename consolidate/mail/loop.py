"""``watch --mail``: the mailbox side of the watcher, in a thread next to the folder watcher.

Waits for new mail with IMAP IDLE where the server has it (else polls every
``poll_seconds``), runs a fetch pass (which answers and sends at once), and sends the
reminders when they fall due. ``stop()`` (Ctrl+C) ends it after the pass in hand.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from consolidate.core.config import Config
from consolidate.core.errors import ConsolidateError
from consolidate.mail import imap
from consolidate.mail.config import MailSettings, mail_password
from consolidate.mail.fetch import MessageOutcome, fetch_pass

IDLE_RENEW_S = 300.0
REMIND_EVERY_S = 60.0


def outcome_line(outcome: MessageOutcome) -> str:
    from consolidate.core.findings import VERDICT_LABELS

    if outcome.reports:
        verdicts = ", ".join(
            f"{VERDICT_LABELS[r.verdict]}: {r.file} ({r.unit_name or 'chưa rõ đơn vị'})"
            for r in outcome.reports
        )
    else:
        verdicts = outcome.note or "không có tệp báo cáo"
    sent = "đã xếp thư trả lời" if outcome.reply_queued else "không trả lời"
    return f"[thư] {outcome.sender}: {verdicts} — {sent}"


class MailLoop(threading.Thread):
    def __init__(
        self,
        config: Config,
        settings: MailSettings,
        on_event: Callable[[str], Any] = print,
        stop: threading.Event | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """``clock``: what time it is for the reminders (default: now, in the office's
        time zone); a test or a replay passes its own."""
        super().__init__(name="consolidate-mail", daemon=True)
        self.config, self.settings, self.on_event = config, settings, on_event
        self.clock = clock or (lambda: datetime.now(config.calendar.tz))
        self.stop_event = stop or threading.Event()
        self._last_remind = 0.0
        self.passes = 0

    def stop(self, timeout: float | None = 30.0) -> None:
        self.stop_event.set()
        if self.is_alive():
            self.join(timeout)

    def run(self) -> None:
        mailbox: Any = None
        while not self.stop_event.is_set():
            self._pass()
            self._remind()
            try:
                mailbox = self._wait(mailbox)
            except (*imap.CONNECTION_ERRORS, ConsolidateError) as exc:
                self.on_event(f"[thư] Mất kết nối hộp thư, thử lại sau: {_text(exc)}")
                if mailbox is not None:
                    imap.logout(mailbox)
                mailbox = None
                self.stop_event.wait(self.settings.poll_seconds)
        if mailbox is not None:
            imap.logout(mailbox)

    def _pass(self) -> None:
        try:
            result = fetch_pass(
                self.config, self.settings, on_message=lambda o: self.on_event(outcome_line(o))
            )
        except ConsolidateError as exc:
            self.on_event(f"[thư] {exc.message} {exc.hint}".rstrip())
            return
        except Exception as exc:
            self.on_event(f"[thư] Lỗi ngoài dự kiến khi đọc hộp thư: {type(exc).__name__}")
            return
        self.passes += 1
        if result.error:
            self.on_event(f"[thư] {result.error}")
        for note in result.notes:
            self.on_event(f"[thư] {note}")

    def _remind(self) -> None:
        if time.monotonic() - self._last_remind < REMIND_EVERY_S:
            return
        self._last_remind = time.monotonic()
        from consolidate.mail.remind import remind

        try:
            done = remind(self.config, self.settings, now=self.clock())
        except ConsolidateError as exc:
            self.on_event(f"[đôn đốc] {exc.message}")
            return
        if done.new:
            self.on_event(f"[đôn đốc] Đã gửi {done.sent} thư đôn đốc.")

    def _wait(self, mailbox: Any) -> Any:
        """Until the server announces new mail (IDLE) or the polling interval passes."""
        if mailbox is None:
            mailbox = imap.connect(self.settings, mail_password(self.settings))
            imap.select(mailbox, self.settings.imap_folder)
        if not imap.has_idle(mailbox):
            self.stop_event.wait(self.settings.poll_seconds)
            mailbox.client.noop()
            return mailbox
        started = time.monotonic()
        mailbox.idle.start()
        try:
            # A pass every poll_seconds as well: a missed IDLE notice costs seconds, not mail.
            limit = min(IDLE_RENEW_S, self.settings.poll_seconds)
            while not self.stop_event.is_set() and time.monotonic() - started < limit:
                responses = mailbox.idle.poll(timeout=1.0)
                if any(b"EXISTS" in r for r in responses):
                    break
                if time.monotonic() - self._last_remind >= REMIND_EVERY_S:
                    break
        finally:
            mailbox.idle.stop()
        return mailbox


def _text(exc: BaseException) -> str:
    if isinstance(exc, ConsolidateError):
        return exc.message
    return type(exc).__name__
