"""Commands of the e-mail loop: ``mail check``, ``mail fetch``, ``mail log``, ``remind``."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from consolidate.cli.app import EXIT_OK, EXIT_USAGE, Command, Group, parse_moment, workspace_config


def _settings(config: Any) -> Any:
    from consolidate.mail.config import load_mail_settings

    return load_mail_settings(config)


@click.group(cls=Group)
def mail() -> None:
    """Hộp thư của cơ quan: nhận báo cáo qua thư điện tử và trả lời đơn vị (xem docs/mail.md)."""


@mail.command("check", cls=Command)
@click.pass_context
def mail_check(ctx: click.Context) -> None:
    """Thử đăng nhập máy chủ nhận thư (IMAP) và gửi thư (SMTP), nói rõ chỗ chưa đúng.

    Mã thoát: 0 nếu cả hai dùng được, 2 nếu có chỗ chưa đúng.
    """
    from consolidate.mail.fetch import check_connection

    config = workspace_config(ctx)
    lines = check_connection(config, _settings(config))
    for ok, text in lines:
        click.echo(("[được] " if ok else "[LỖI] ") + text)
    sys.exit(EXIT_OK if all(ok for ok, _ in lines) else EXIT_USAGE)


@mail.command("fetch", cls=Command)
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.pass_context
def mail_fetch(ctx: click.Context, as_json: bool) -> None:
    """Một lượt đọc hộp thư: lưu thư gốc, tiếp nhận từng tệp Excel đính kèm như `ingest`,
    trả lời từng thư, rồi mới đánh dấu đã đọc (hoặc chuyển thư mục).

    Mã thoát: 0 nếu mọi tệp được tiếp nhận, 1 nếu có tệp không được tiếp nhận,
    2 nếu lỗi kết nối, đăng nhập hoặc cấu hình.
    """
    from consolidate.mail.fetch import fetch_pass
    from consolidate.mail.loop import outcome_line

    config = workspace_config(ctx)
    result = fetch_pass(
        config,
        _settings(config),
        on_message=None if as_json else (lambda o: click.echo(outcome_line(o))),
    )
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        data = result.to_dict()
        click.echo(
            f"Đã xử lý {data['messages']} thư, {data['files']} tệp: {data['accepted']} tiếp nhận, "
            f"{data['rejected']} không tiếp nhận, {data['duplicates']} trùng; "
            f"đã gửi {result.sent} thư trả lời."
        )
        for note in result.notes:
            click.echo(note)
        if result.error:
            click.echo(f"Lỗi: {result.error}", err=True)
    sys.exit(result.exit_code)


@mail.command("log", cls=Command)
@click.option("-n", "--limit", default=50, show_default=True, metavar="SỐ", help="Số thư gần nhất.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.pass_context
def mail_log(ctx: click.Context, limit: int, as_json: bool) -> None:
    """Các thư đã gửi, đang chờ gửi hoặc gửi lỗi (trả lời, đôn đốc), mới nhất trước."""
    from consolidate.mail.ledger import outbox_rows
    from consolidate.store.db import Store

    config = workspace_config(ctx)
    with Store(config.store, config.archive) as store:
        rows = outbox_rows(store.db, limit)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("Chưa có thư nào được gửi.")
        return
    labels = {"queued": "chờ gửi", "sending": "đang gửi", "sent": "đã gửi", "failed": "lỗi"}
    kinds = {"reply": "trả lời", "reminder": "đôn đốc"}
    for row in rows:
        when = row["sent_at"] or row["queued_at"]
        line = (
            f"{when}  {labels.get(row['status'], row['status']):8}  "
            f"{kinds.get(row['kind'], row['kind']):8}  {', '.join(row['recipients'])}  "
            f"{row['subject']}"
        )
        if row["last_error"]:
            line += f"  ({row['last_error']})"
        click.echo(line)


@click.command(cls=Command)
@click.option(
    "--now", "now_text", metavar="THỜI_ĐIỂM", help="Coi như bây giờ là (dd/mm/yyyy HH:MM)."
)
@click.option("--dry-run", is_flag=True, help="Chỉ in ai sẽ nhận thư gì, không gửi, không ghi.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.pass_context
def remind(ctx: click.Context, now_text: str | None, dry_run: bool, as_json: bool) -> None:
    """Đôn đốc bằng thư điện tử theo lịch [remind]: chỉ đơn vị phải báo cáo mà chưa có báo
    cáo được tiếp nhận; đơn vị bị từ chối được đề nghị gửi lại kèm các lỗi. Mỗi đơn vị,
    mỗi kỳ, mỗi bước chỉ một thư."""
    from consolidate.mail.remind import STEP_LABELS
    from consolidate.mail.remind import remind as run_remind

    config = workspace_config(ctx)
    result = run_remind(
        config, _settings(config), now=parse_moment(now_text, config), dry_run=dry_run
    )
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    new = result.new
    if not new:
        click.echo("Không có thư đôn đốc nào đến hạn gửi lúc này.")
    for item in new:
        click.echo(
            f"{'Sẽ gửi' if dry_run else 'Gửi'} [{STEP_LABELS[item.step]}] {item.unit_code} "
            f"→ {', '.join(item.recipients)}: {item.subject}"
        )
    if result.skipped:
        click.echo("Đơn vị chưa khai báo email (không gửi được): " + ", ".join(result.skipped))
    if not dry_run and new:
        click.echo(f"Đã gửi {result.sent} thư, lỗi {result.failed}.")
    for note in result.notes:
        click.echo(note)


COMMANDS = (mail, remind)
