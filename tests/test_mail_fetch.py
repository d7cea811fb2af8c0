"""consolidate mail fetch against a real Dovecot (IMAP) and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
from email.header import Header
from pathlib import Path

from consolidate.core.config import Config
from consolidate.mail.config import load_mail_settings
from consolidate.mail.fetch import fetch_pass
from consolidate.store.db import SCHEMA_VERSION, Store
from tests.mailhelpers import at, message, raw_with_name_header, report_bytes, zipped

SKHCN = "Sở Khoa học và Công nghệ"
SNV = "Sở Nội vụ"


def _fetch(config: Config, **kw):  # type: ignore[no-untyped-def]
    return fetch_pass(config, load_mail_settings(config), **kw)


def _rows(config: Config, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    with Store(config.store, config.archive) as store:
        return [tuple(r) for r in store.db.execute(sql).fetchall()]


def test_report_archived_judged_answered_then_marked(
    mail_workspace: Config, dovecot, smtp_sink, tmp_path: Path
) -> None:
    config = mail_workspace
    good = report_bytes(config, tmp_path, SKHCN)
    msg = message("nguoigui@gmail.com", "Báo cáo tuần 23", [("Báo cáo tuần 23.xlsx", good)])
    raw = msg.as_bytes()
    dovecot.append([(raw, at("2026-06-04T15:00"))])
    result = _fetch(config)
    assert result.exit_code == 0, result.to_dict()
    [outcome] = result.messages
    [report] = outcome.reports
    assert (report.verdict, report.unit_code, report.file) == (
        "accepted",
        "SKHCN",
        "Báo cáo tuần 23.xlsx",
    )
    assert report.received_at == "2026-06-04T08:00:00+00:00"  # INTERNALDATE, not Date:
    assert result.sent == 1
    [got] = smtp_sink.received
    # the sender and the unit's registered address
    assert sorted(got.rcpt_tos) == ["nguoigui@gmail.com", "vanthu@skhcn.daklak.gov.vn"]
    reply = got.message
    assert reply["In-Reply-To"] == msg["Message-ID"]
    assert msg["Message-ID"] in reply["References"]
    subject = str(email.header.make_header(email.header.decode_header(reply["Subject"])))
    assert subject == "Re: Báo cáo tuần 23 — ĐÃ TIẾP NHẬN"
    body = reply.get_body(("plain",)) if hasattr(reply, "get_body") else None
    text = email.message_from_bytes(got.data, policy=email.policy.default).get_body(("plain",))
    assert text is not None and "Kết quả tiếp nhận báo cáo: TIẾP NHẬN" in text.get_content()
    assert body is None or body is not None
    assert "\\Seen" in dovecot.flags()[1]
    [(status, eml_sha)] = _rows(config, "SELECT status, eml_sha256 FROM mail_messages")
    assert status == "done"
    with Store(config.store, config.archive) as store:
        kept = store.archived_path(eml_sha).read_bytes()
    assert kept.replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")
    # a second pass finds nothing new and sends nothing again
    again = _fetch(config)
    assert again.messages == [] and again.sent == 0 and len(smtp_sink.received) == 1


def test_rejected_file_gets_findings_and_feedback_workbook(
    mail_workspace: Config, dovecot, smtp_sink, tmp_path: Path
) -> None:
    config = mail_workspace
    bad = report_bytes(config, tmp_path, SNV, bad=True)
    dovecot.append(
        [
            (
                message("snv@daklak.gov.vn", "BC tuần", [("bc.xlsx", bad)]).as_bytes(),
                at("2026-06-04T10:00"),
            )
        ]
    )
    result = _fetch(config)
    assert result.exit_code == 1
    [got] = smtp_sink.received
    assert got.rcpt_tos == ["snv@daklak.gov.vn"]  # the sender is the registered address
    reply = email.message_from_bytes(got.data, policy=email.policy.default)
    assert "KHÔNG TIẾP NHẬN" in str(reply["Subject"])
    text = reply.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "CHƯA được tiếp nhận" in text and "Cách sửa" in text
    [attachment] = list(reply.iter_attachments())
    assert attachment.get_filename() == "Phan-hoi_bc.xlsx"
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(attachment.get_content()), read_only=True)
    assert wb.sheetnames
    wb.close()


def test_vietnamese_names_in_every_encoding_and_unsafe_names(
    mail_workspace: Config, dovecot, smtp_sink, tmp_path: Path
) -> None:
    config = mail_workspace
    data = report_bytes(config, tmp_path, SKHCN)
    name = "Báo cáo tuần Sở KH&CN.xlsx"
    b64 = Header(name, "utf-8").encode()
    rfc2231 = "filename*=utf-8''" + "".join(
        c if c.isalnum() and c.isascii() else "".join(f"%{b:02X}" for b in c.encode()) for c in name
    )
    cases = {
        "rfc2231": f"Content-Disposition: attachment; {rfc2231}",
        "rfc2231-split": "Content-Disposition: attachment; filename*0*=utf-8''B%C3%A1o%20c%C3%A1o;"
        " filename*1*=%20tu%E1%BA%A7n%20S%E1%BB%9F%20KH%26CN.xlsx",
        "rfc2047-in-quotes": f'Content-Disposition: attachment; filename="{b64}"',
        "rfc2047-q-unquoted": "Content-Disposition: attachment; filename="
        + Header(name, "utf-8").encode().replace("?b?", "?B?"),
        "raw-utf8": f'Content-Disposition: attachment; filename="{name}"',
        "nfd": 'Content-Disposition: attachment; filename="'
        + __import__("unicodedata").normalize("NFD", name)
        + '"',
    }
    unsafe = {
        "dotdot": 'Content-Disposition: attachment; filename="../../x.xlsx"',
        "absolute": 'Content-Disposition: attachment; filename="C:\\Windows\\CON.xlsx"',
        "long": 'Content-Disposition: attachment; filename="' + "Báo cáo " * 60 + '.xlsx"',
    }
    messages = [
        (raw_with_name_header(f"{k}@gmail.com", h, data, k), at("2026-06-04T09:00"))
        for k, h in {**cases, **unsafe}.items()
    ]
    dovecot.append(messages)
    result = _fetch(config)
    by_sender = {m.sender.split("@")[0]: m for m in result.messages}
    for key in cases:
        [report] = by_sender[key].reports
        # the first copy is judged, the others are copies of the same bytes
        assert report.file == name, key
    names = dict(_rows(config, "SELECT a.name, a.safe_name FROM mail_attachments a"))
    assert names["../../x.xlsx"] == "x.xlsx"
    assert names["C:\\Windows\\CON.xlsx"] == "_CON.xlsx"
    long_safe = [s for n, s in names.items() if n.startswith("Báo cáo Báo")]
    assert long_safe and len(long_safe[0]) <= 120 and long_safe[0].endswith(".xlsx")
    # nothing was written outside the workspace's own folders
    assert not (config.root.parent / "x.xlsx").exists()
    assert not (config.root.parent.parent / "x.xlsx").exists()
    assert len(smtp_sink.received) == len(messages)


def test_zip_with_two_reports_one_reply(
    mail_workspace: Config, dovecot, smtp_sink, tmp_path: Path
) -> None:
    config = mail_workspace
    a = report_bytes(config, tmp_path, SKHCN)
    b = report_bytes(config, tmp_path, SNV)
    archive = zipped([("Báo cáo KHCN.xlsx", a), ("Báo cáo Nội vụ.xlsx", b), ("ghi chú.txt", b"x")])
    msg = message("vanthu@skhcn.daklak.gov.vn", "Hai báo cáo", [])
    msg.add_attachment(archive, "application", "zip", filename="Báo cáo.zip")
    dovecot.append([(msg.as_bytes(), at("2026-06-04T11:00"))])
    result = _fetch(config)
    [outcome] = result.messages
    assert sorted(r.unit_code for r in outcome.reports) == ["SKHCN", "SNV"]  # type: ignore[type-var]
    assert {r.file for r in outcome.reports} == {"Báo cáo KHCN.xlsx", "Báo cáo Nội vụ.xlsx"}
    [got] = smtp_sink.received
    assert "snv@daklak.gov.vn" in got.rcpt_tos
    text = email.message_from_bytes(got.data, policy=email.policy.default).get_body(("plain",))
    assert "ghi chú.txt" in text.get_content()  # type: ignore[union-attr]


def test_no_attachment_gets_polite_answer_and_auto_reply_none(
    mail_workspace: Config, dovecot, smtp_sink
) -> None:
    config = mail_workspace
    plain = message("xa.eakar@gmail.com", "Hỏi về mẫu báo cáo")
    auto = message(
        "snv@daklak.gov.vn", "Trả lời tự động: vắng mặt", headers={"Auto-Submitted": "auto-replied"}
    )
    bounce = message("MAILER-DAEMON@daklak.gov.vn", "Undelivered Mail")
    listed = message("news@list.gov.vn", "Bản tin", headers={"List-Id": "<bantin.list.gov.vn>"})
    dovecot.append([(m.as_bytes(), at("2026-06-04T09:00")) for m in (plain, auto, bounce, listed)])
    result = _fetch(config)
    assert result.exit_code == 0
    [got] = smtp_sink.received
    assert got.rcpt_tos == ["xa.eakar@gmail.com"]
    text = email.message_from_bytes(got.data, policy=email.policy.default).get_body(("plain",))
    assert "không kèm tệp báo cáo Excel" in text.get_content()  # type: ignore[union-attr]
    kinds = sorted(_rows(config, "SELECT kind, status FROM mail_messages"))
    assert kinds == [
        ("auto", "ignored"),
        ("auto", "ignored"),
        ("auto", "ignored"),
        ("no-attachment", "done"),
    ]
    assert all("\\Seen" in f for f in dovecot.flags().values())


def test_same_message_twice_is_processed_once(
    mail_workspace: Config, dovecot, smtp_sink, tmp_path: Path
) -> None:
    config = mail_workspace
    msg = message("snv@daklak.gov.vn", "BC", [("bc.xlsx", report_bytes(config, tmp_path, SNV))])
    dovecot.append([(msg.as_bytes(), at("2026-06-04T09:00"))] * 2)
    result = _fetch(config)
    assert [m.kind for m in result.messages] == ["report", "copy"]
    assert len(smtp_sink.received) == 1
    assert _rows(config, "SELECT count(*) FROM verdicts") == [(1,)]
    # delivered again later under a new UID (e.g. UIDVALIDITY changed): still once
    dovecot.append([(msg.as_bytes(), at("2026-06-04T09:05"))])
    again = _fetch(config)
    assert [m.kind for m in again.messages] == ["copy"] and len(smtp_sink.received) == 1


def test_smtp_down_replies_queued_then_sent_next_pass(
    mail_workspace: Config, dovecot, smtp_sink, tmp_path: Path
) -> None:
    config = mail_workspace
    data = report_bytes(config, tmp_path, SKHCN)
    dovecot.append(
        [
            (
                message(f"u{i}@gmail.com", "BC", [("bc.xlsx", data)]).as_bytes(),
                at("2026-06-04T09:00"),
            )
            for i in range(3)
        ]
    )
    smtp_sink.stop()
    first = _fetch(config)
    assert first.sent == 0 and any("hàng đợi" in n for n in first.notes)
    assert _rows(config, "SELECT status, count(*) FROM mail_outbox GROUP BY status") == [
        ("queued", 3)
    ]
    assert all("\\Seen" in f for f in dovecot.flags().values())  # verdicts are stored
    smtp_sink.start()
    second = _fetch(config)
    assert second.messages == [] and second.sent == 3
    assert len(smtp_sink.received) == 3
    assert _rows(config, "SELECT status, count(*) FROM mail_outbox GROUP BY status") == [
        ("sent", 3)
    ]
    assert _fetch(config).sent == 0 and len(smtp_sink.received) == 3


def test_dovecot_stopped_mid_pass_rest_processed_after_restart_none_twice(
    mail_workspace: Config, dovecot, smtp_sink, tmp_path: Path
) -> None:
    config = mail_workspace
    data = report_bytes(config, tmp_path, SKHCN)
    n = 12
    dovecot.append(
        [
            (
                message(f"u{i}@gmail.com", f"BC {i}", [(f"bc{i}.xlsx", data)]).as_bytes(),
                at("2026-06-04T09:00"),
            )
            for i in range(n)
        ]
    )
    text = (config.root / "consolidate.toml").read_text(encoding="utf-8")
    (config.root / "consolidate.toml").write_text(
        text.replace("poll_seconds = 1", "poll_seconds = 1\nbatch_size = 4"), encoding="utf-8"
    )
    calls = []

    def stop_server(_result) -> None:  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            dovecot.stop()

    first = _fetch(config, on_batch=stop_server)
    assert first.exit_code == 2 and "Mất kết nối" in first.error
    assert len(first.messages) == 4
    dovecot.start()
    second = _fetch(config)
    assert second.exit_code == 0 and len(second.messages) == n - 4
    assert _rows(config, "SELECT count(*), count(DISTINCT uid) FROM mail_messages") == [(n, n)]
    assert _rows(config, "SELECT count(*) FROM mail_outbox") == [(n,)]
    assert len(smtp_sink.received) == n
    assert all("\\Seen" in f for f in dovecot.flags().values())


def test_replies_capped_per_sender_per_hour_and_several_unit_addresses(
    workspace: Config, dovecot, smtp_sink, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from consolidate.core.config import load_config
    from tests.mailservers import PASSWORD, configure, mail_config_text

    configure(
        workspace.root,
        mail_config_text(dovecot.port, smtp_sink.port, max_replies_per_sender_per_hour=2),
        {"SNV": "vanthu@snv.daklak.gov.vn, Chuyenvien.SNV@gmail.com"},  # two addresses
    )
    monkeypatch.setenv("CONSOLIDATE_MAIL_PASSWORD", PASSWORD)
    config = load_config(workspace.root)
    data = report_bytes(config, tmp_path, SNV)
    dovecot.append(
        [
            (
                message("nhanvien@gmail.com", f"BC {i}", [(f"bc{i}.xlsx", data)]).as_bytes(),
                at("2026-06-04T09:00"),
            )
            for i in range(4)
        ]
    )
    result = _fetch(config)
    assert [m.reply_queued for m in result.messages] == [True, True, False, False]
    assert "không trả lời" in result.messages[-1].note
    assert len(smtp_sink.received) == 2
    assert sorted(smtp_sink.received[0].rcpt_tos) == [
        "chuyenvien.snv@gmail.com",
        "nhanvien@gmail.com",
        "vanthu@snv.daklak.gov.vn",
    ]


def test_a_store_of_an_older_schema_gains_the_mail_ledger(workspace: Config) -> None:
    import sqlite3

    with Store(workspace.store, workspace.archive):
        pass
    db = sqlite3.connect(workspace.store)
    for table in ("mail_reminders", "mail_outbox", "mail_attachments", "mail_messages"):
        db.execute(f"DROP TABLE {table}")
    db.execute("UPDATE meta SET value='2' WHERE key='schema_version'")
    db.commit()
    db.close()
    with Store(workspace.store, workspace.archive) as store:
        version = store.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")}
        assert store.pending() == []
    assert version[0] == str(SCHEMA_VERSION)
    assert {"mail_messages", "mail_attachments", "mail_outbox", "mail_reminders"} <= tables
