"""Commands that build the consolidated reports and tell who has reported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from consolidate.cli.app import NOW_HELP, Command, parse_moment, workspace_config


def _build(ctx: click.Context, what: str, now_text: str | None, as_json: bool, **kw: Any) -> None:
    import json

    from consolidate import build as cons
    from consolidate.core.lock import workspace_lock
    from consolidate.store.db import Store

    config = workspace_config(ctx)
    now = parse_moment(now_text, config)
    builder: dict[str, Callable[..., Any]] = {
        "weekly": cons.build_weekly,
        "projects": cons.build_projects,
        "plan": cons.build_plan,
    }
    with workspace_lock(config), Store(config.store, config.archive) as store:
        result = builder[what](config, store, now=now, **kw)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    click.echo(result.summary)
    for path in result.paths:
        click.echo(f"Đã ghi: {path}")


@click.command(cls=Command)
@click.option(
    "--week",
    metavar="TUẦN",
    help='Tuần ISO: 48, "tuần 48", 48/2026 hoặc 2026-W48 (không ghi năm: năm hiện tại). '
    "Mặc định: tuần vừa chốt.",
)
@click.option("--now", "now_text", metavar="THỜI_ĐIỂM", help=NOW_HELP)
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.pass_context
def weekly(ctx: click.Context, week: str | None, now_text: str | None, as_json: bool) -> None:
    """Lập báo cáo tổng hợp tuần vào outbox/ (giờ chốt: calendar.weekly_cutoff trong cấu hình)."""
    _build(ctx, "weekly", now_text, as_json, week=week)


@click.command(cls=Command)
@click.option(
    "--period",
    metavar="YYYY-MM/1|2",
    help="Kỳ trong tháng: /1 là ngày chốt thứ nhất, /2 là ngày chốt thứ hai theo cấu hình "
    "(calendar.twice_monthly_cutoff_days), ví dụ 2026-06/1. Mặc định: kỳ vừa chốt.",
)
@click.option("--now", "now_text", metavar="THỜI_ĐIỂM", help=NOW_HELP)
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.pass_context
def projects(ctx: click.Context, period: str | None, now_text: str | None, as_json: bool) -> None:
    """Lập báo cáo dự án theo kỳ (giải ngân, tiến độ, dự án chậm) vào outbox/."""
    _build(ctx, "projects", now_text, as_json, period=period)


@click.command(cls=Command)
@click.option("--month", metavar="YYYY-MM", help="Kế hoạch tháng, ví dụ 2026-06.")
@click.option("--quarter", metavar="YYYY-Qn", help="Kế hoạch quý, ví dụ 2026-Q3.")
@click.option("--now", "now_text", metavar="THỜI_ĐIỂM", help=NOW_HELP)
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.pass_context
def plan(
    ctx: click.Context, month: str | None, quarter: str | None, now_text: str | None, as_json: bool
) -> None:
    """Lập Kế hoạch chi tiết theo tháng hoặc quý và bảng theo dõi danh mục nhiệm vụ."""
    if month and quarter:
        raise click.UsageError("Chỉ chọn một trong --month hoặc --quarter.")
    _build(ctx, "plan", now_text, as_json, month=month, quarter=quarter)


@click.command(cls=Command)
@click.option("--now", "now_text", metavar="THỜI_ĐIỂM", help=NOW_HELP)
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.pass_context
def status(ctx: click.Context, now_text: str | None, as_json: bool) -> None:
    """Đơn vị nào đã / chưa báo cáo trong kỳ tuần và kỳ dự án hiện tại."""
    import json

    from consolidate import build as cons
    from consolidate.store.db import Store

    config = workspace_config(ctx)
    with Store(config.store, config.archive) as store:
        data = cons.submission_status(config, store, now=parse_moment(now_text, config))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    click.echo(data["summary"])  # lists every unit not reported yet, once


COMMANDS = (weekly, projects, plan, status)
