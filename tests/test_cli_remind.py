"""consolidate remind and the mail commands through the CLI, against real servers."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

from click.testing import CliRunner

from consolidate.cli import main
from consolidate.core.config import Config, load_config
from consolidate.intake.ingest import ingest_bytes
from tests.mailhelpers import at, message, report_bytes
from tests.mailservers import configure, mail_config_text


def _run(config: Config, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["-w", str(config.root), *args])


def _setup(mail_workspace: Config, dovecot, smtp_sink, tmp_path: Path) -> Config:  # type: ignore[no-untyped-def]
    configure(
        mail_workspace.root,
        mail_config_text(dovecot.port, smtp_sink.port),
        {"STP": "stp@daklak.gov.vn", "BTCTU": "btctu@daklak.gov.vn"},
    )
    config = load_config(mail_workspace.root)
    ok = report_bytes(config, tmp_path, "Sở Khoa học và Công nghệ")
    bad = report_bytes(config, tmp_path, "Sở Nội vụ", bad=True)
    assert (
        ingest_bytes(config, ok, "ok.xlsx", received_at=at("2026-06-04T09:00")).verdict
        == "accepted"
    )
    assert (
        ingest_bytes(config, bad, "snv.xlsx", received_at=at("2026-06-04T10:00")).verdict
        == "rejected"
    )
    return config


def test_remind_before_and_after_cutoff_only_owing_units_once(
    mail_workspace: Config, dovecot, smtp_sink, tmp_path: Path
) -> None:
    config = _setup(mail_workspace, dovecot, smtp_sink, tmp_path)
    dry = _run(config, "remind", "--now", "04/06/2026 14:05", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    planned = json.loads(dry.output)["reminders"]
    weekly = sorted(r["unit"] for r in planned if r["report"] == "weekly")
    assert weekly == ["SNV", "STP"]  # SKHCN has an accepted report; BTCTU owes none
    # SKHCN also owes the projects report (cut-off on the 5th: reminded the day before)
    assert [(r["unit"], r["step"]) for r in planned if r["report"] == "projects"] == [
        ("SKHCN", "nhac-truoc-han")
    ]
    assert smtp_sink.received == []  # dry run: nothing sent, nothing recorded
    first = _run(config, "remind", "--now", "04/06/2026 14:05")
    assert first.exit_code == 0, first.output
    assert "Đã gửi 3 thư" in first.output
    by_rcpt = {tuple(r.rcpt_tos): r for r in smtp_sink.received}
    assert set(by_rcpt) == {
        ("snv@daklak.gov.vn",),
        ("stp@daklak.gov.vn",),
        ("vanthu@skhcn.daklak.gov.vn",),
    }
    snv = email.message_from_bytes(
        by_rcpt[("snv@daklak.gov.vn",)].data, policy=email.policy.default
    )
    assert "gửi lại" in str(snv["Subject"])
    text = snv.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "CHƯA được tiếp nhận" in text and "Cách sửa" in text
    stp = email.message_from_bytes(
        by_rcpt[("stp@daklak.gov.vn",)].data, policy=email.policy.default
    )
    assert "Nhắc gửi báo cáo tuần" in str(stp["Subject"])
    # the same step again: nothing
    again = _run(config, "remind", "--now", "04/06/2026 16:00")
    assert "Không có thư đôn đốc" in again.output and len(smtp_sink.received) == 3
    # after the cut-off: "quá hạn" once to the units still owing
    late = _run(config, "remind", "--now", "04/06/2026 17:45", "--json")
    assert sorted(r["unit"] for r in json.loads(late.output)["reminders"]) == ["SNV", "STP"]
    assert len(smtp_sink.received) == 5
    overdue = email.message_from_bytes(smtp_sink.received[-1].data, policy=email.policy.default)
    assert "Quá hạn" in str(overdue["Subject"]) or "gửi lại" in str(overdue["Subject"])
    _run(config, "remind", "--now", "04/06/2026 18:30")
    assert len(smtp_sink.received) == 5
    # Friday 08:00: the officer's summary, once
    summary = _run(config, "remind", "--now", "05/06/2026 08:05", "--json")
    [item] = json.loads(summary.output)["reminders"]
    assert item["recipients"] == ["chuyenvien@daklak.gov.vn"] and item["step"] == "tong-hop"
    log = _run(config, "mail", "log")
    assert log.exit_code == 0 and log.output.count("đã gửi") == 6


def test_mail_check_fetch_exit_codes(
    mail_workspace: Config, dovecot, smtp_sink, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    config = mail_workspace
    ok = _run(config, "mail", "check")
    assert ok.exit_code == 0, ok.output
    assert "[được] IMAP" in ok.output and "[được] SMTP" in ok.output
    monkeypatch.setenv("CONSOLIDATE_MAIL_PASSWORD", "sai-mat-khau")
    wrong = _run(config, "mail", "check")
    assert wrong.exit_code == 2
    assert "sai tên đăng nhập hoặc mật khẩu" in wrong.output
    assert "sai-mat-khau" not in wrong.output  # the password never appears
    fetched = _run(config, "mail", "fetch")
    assert fetched.exit_code == 2 and "Traceback" not in fetched.output
    assert "sai-mat-khau" not in fetched.output
    monkeypatch.setenv("CONSOLIDATE_MAIL_PASSWORD", "mat-khau-thu")
    bad = report_bytes(config, tmp_path, "Sở Nội vụ", bad=True)
    dovecot.append(
        [
            (
                message("snv@daklak.gov.vn", "BC", [("bc.xlsx", bad)]).as_bytes(),
                at("2026-06-04T09:00"),
            )
        ]
    )
    res = _run(config, "mail", "fetch", "--json")
    assert res.exit_code == 1, res.output
    data = json.loads(res.output)
    assert (data["messages"], data["rejected"], data["replies_sent"]) == (1, 1, 1)
    assert _run(config, "mail", "fetch").exit_code == 0


def test_mail_check_names_a_missing_folder_and_a_closed_port(
    mail_workspace: Config, dovecot, smtp_sink
) -> None:  # type: ignore[no-untyped-def]
    from tests.mailservers import free_port

    configure(
        mail_workspace.root, mail_config_text(dovecot.port, free_port(), imap_folder="Bao-cao")
    )
    res = _run(mail_workspace, "mail", "check")
    assert res.exit_code == 2
    assert "không có thư mục 'Bao-cao'" in res.output
    assert "từ chối kết nối" in res.output


def test_plaintext_to_a_remote_host_is_refused(workspace: Config) -> None:
    text = mail_config_text(143, 25).replace(
        'imap_host = "127.0.0.1"', 'imap_host = "mail.daklak.gov.vn"'
    )
    configure(workspace.root, text)
    res = _run(workspace, "mail", "fetch")
    assert res.exit_code == 2
    assert "mail.imap_security" in res.output and "Traceback" not in res.output


def test_a_bad_remind_time_names_the_key_and_its_default(workspace: Config) -> None:
    """A [remind] time the grammar refuses is a configuration error (2), its example the
    default of default_config.toml — not a KeyError looking it up among the calendar's."""
    path = workspace.root / "consolidate.toml"
    text = path.read_text(encoding="utf-8")
    assert 'weekly_before = "thursday 14:00"' in text
    path.write_text(text.replace('"thursday 14:00"', '"thurs 14:00"'), encoding="utf-8")
    res = _run(workspace, "remind", "--dry-run")
    assert res.exit_code == 2, res.output
    assert "Cấu hình sai tại khóa 'remind.weekly_before': 'thurs 14:00' không rõ thứ và giờ" in (
        res.output
    )
    assert 'ví dụ "thursday 14:00"' in res.output
    assert "Traceback" not in res.output and "KeyError" not in res.output
