"""The e-mail loop in the benchmark (``bench/run.py --mail``), against real servers:
Debian's Dovecot and aiosmtpd, as in the tests.

1. Thursday flood by mail: ``n`` messages, one corpus file each, put in with IMAP APPEND
   (not timed), then ONE ``fetch_pass`` — fetched, archived, ingested, answered and sent —
   against ``ingest_paths`` of the same files from a folder, in the same run; target ≤ 1.5×.
2. ``watch --mail`` latency: with the mail loop running, from the moment APPEND returns
   (the message is in the mailbox) to the moment the SMTP server has the answer; median
   and worst of 20; target ≤ 3 s.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
TARGET_MAIL_RATIO = 1.5
TARGET_LATENCY_S = 3.0
LATENCY_SAMPLES = 20


def _message(i: int, path: Path) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"donvi{i}@daklak.gov.vn"
    msg["To"] = "so.khcn@daklak.gov.vn"
    msg["Subject"] = f"Báo cáo tuần — {path.stem}"
    msg["Message-ID"] = make_msgid(domain="donvi.daklak.gov.vn")
    msg.set_content("Kính gửi Sở KH&CN, đơn vị gửi báo cáo tuần.")
    msg.add_attachment(path.read_bytes(), *XLSX, filename=path.name)
    return msg.as_bytes()


class _Servers:
    def __init__(self, root: Path) -> None:
        from tests.mailservers import (
            PASSWORD,
            Dovecot,
            SmtpSink,
            configure,
            free_port,
            mail_config_text,
        )

        self.dovecot = Dovecot()
        self.sink = SmtpSink(free_port())
        self.sink.start()
        configure(root, mail_config_text(self.dovecot.port, self.sink.port))
        os.environ["CONSOLIDATE_MAIL_PASSWORD"] = PASSWORD

    def close(self) -> None:
        self.sink.stop()
        self.dovecot.close()


def mail_flood(
    res: Any,
    paths: list[Path],
    received_at: Any,
    fresh: Callable[[str], Path],
    timed: Callable[[Callable[[], Any]], tuple[float, Any]],
) -> None:
    """One repeat: the folder flood and the mail flood of the same files."""
    from consolidate.core.config import load_config
    from consolidate.intake.ingest import ingest_paths
    from consolidate.mail.config import load_mail_settings
    from consolidate.mail.fetch import fetch_pass

    folder_ws = fresh("mail-folder")
    config = load_config(folder_ws)
    seconds, folder = timed(
        lambda: ingest_paths(config, [paths[0].parent], received_at=received_at, source="bench")
    )
    res.add("mail: folder flood", seconds)
    res.facts["mail_folder_files"] = len(folder.reports)
    shutil.rmtree(folder_ws, ignore_errors=True)

    mail_ws = fresh("mail-flood")
    servers = _Servers(mail_ws)
    try:
        servers.dovecot.append([(_message(i, p), received_at) for i, p in enumerate(paths)])
        config = load_config(mail_ws)
        settings = load_mail_settings(config)
        seconds, fetched = timed(lambda: fetch_pass(config, settings))
        res.add("mail: flood", seconds)
        res.facts["mail_flood"] = {
            "messages": len(fetched.messages),
            "files": len(fetched.reports),
            "replies_sent": fetched.sent,
            "smtp_received": len(servers.sink.received),
        }
        assert fetched.sent == len(paths) == len(servers.sink.received), res.facts["mail_flood"]
    finally:
        servers.close()
        shutil.rmtree(mail_ws, ignore_errors=True)


def watch_latency(
    res: Any, paths: list[Path], received_at: Any, fresh: Callable[[str], Path]
) -> None:
    """Answer latency of ``watch --mail`` (the mail loop), LATENCY_SAMPLES messages."""
    from consolidate.core.config import load_config
    from consolidate.mail.config import load_mail_settings
    from consolidate.mail.loop import MailLoop

    ws = fresh("mail-watch")
    servers = _Servers(ws)
    config = load_config(ws)
    loop = MailLoop(config, load_mail_settings(config), on_event=lambda _e: None)
    loop.start()
    try:
        deadline = time.monotonic() + 60
        while loop.passes == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        for i in range(LATENCY_SAMPLES):
            data = _message(i, paths[i % len(paths)])
            servers.dovecot.append([(data, received_at)])
            start = time.perf_counter()
            while len(servers.sink.received) <= i and time.perf_counter() - start < 60:
                time.sleep(0.005)
            res.add("mail: watch latency", time.perf_counter() - start)
            time.sleep(0.2)  # messages arrive one by one, not in a burst
    finally:
        loop.stop(30)
        servers.close()
        shutil.rmtree(ws, ignore_errors=True)
