"""``consolidate don-doc``: the đôn đốc letter to units with overdue or due-this-month tasks."""

from __future__ import annotations

from typing import Any

import click

from consolidate.cli.app import NOW_HELP, Command, parse_moment, workspace_config


def _parse_day(text: str | None, config: Any) -> Any:
    from datetime import date, datetime

    if text is None:
        return datetime.now(config.calendar.tz).date()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise click.BadParameter(
        f"'{text}' không phải ngày hợp lệ. Ghi dạng dd/mm/yyyy, ví dụ {date(2026, 6, 5):%d/%m/%Y}.",
        param_hint="--as-of",
    )


@click.command("don-doc", cls=Command)
@click.option(
    "--as-of", "as_of", metavar="NGÀY", help="Tính đến ngày (dd/mm/yyyy). Mặc định: hôm nay."
)
@click.option(
    "--unit", metavar="MÃ", help="Chỉ lập công văn cho một đơn vị (mã, tên hoặc tên gọi khác)."
)
@click.option("--now", "now_text", metavar="THỜI_ĐIỂM", help=NOW_HELP)
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.pass_context
def don_doc(
    ctx: click.Context, as_of: str | None, unit: str | None, now_text: str | None, as_json: bool
) -> None:
    """Lập công văn đôn đốc (Word, Nghị định 30): nhiệm vụ quá hạn và phải hoàn thành trong tháng."""
    import json

    from consolidate.core.lock import workspace_lock
    from consolidate.documents.dondoc import build_don_doc, resolve_unit
    from consolidate.store.db import Store

    config = workspace_config(ctx)
    day = _parse_day(as_of, config)
    chosen = resolve_unit(config, unit) if unit else None
    with workspace_lock(config), Store(config.store, config.archive) as store:
        result = build_don_doc(config, store, day, chosen, now=parse_moment(now_text, config))
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    click.echo(result.summary)
    if result.path:
        click.echo(f"Đã ghi: {result.path}")


COMMANDS = (don_doc,)
