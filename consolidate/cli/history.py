"""Commands over many periods: the unit scorecard, the trends, the indicators."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from consolidate.cli.app import NOW_HELP, Command, parse_moment, workspace_config

JSON_HELP = "In kết quả dạng JSON (khóa cố định, xem docs/exports.md)."
CSV_HELP = "In bảng kết quả dạng CSV (UTF-8, dòng đầu là tên cột; xem docs/exports.md)."


def _run(
    ctx: click.Context,
    build: Callable[..., Any],
    now_text: str | None,
    as_json: bool,
    as_csv: bool,
    *,
    lock: bool = True,
    **kw: Any,
) -> None:
    import csv
    import io
    import json
    from contextlib import nullcontext

    from consolidate.core.lock import workspace_lock
    from consolidate.store.db import Store

    if as_json and as_csv:
        raise click.UsageError("Chỉ chọn một trong --json hoặc --csv.")
    config = workspace_config(ctx)
    now = parse_moment(now_text, config)
    guard: Any = workspace_lock(config) if lock else nullcontext()
    try:
        with guard, Store(config.store, config.archive) as store:
            result = build(config, store, now=now, **kw)
    except ValueError as exc:  # a period key or a date the officer typed wrongly
        raise click.BadParameter(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    elif as_csv:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(result.keys), extrasaction="ignore")
        writer.writeheader()
        for row in result.rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
        click.echo(out.getvalue(), nl=False)
    else:
        click.echo(result.summary)
        if result.path:
            click.echo(f"Đã ghi: {result.path}")
    sys.exit(0)


@click.command(cls=Command)
@click.option(
    "--from",
    "week_from",
    metavar="TUẦN",
    help='Tuần đầu: 40, "tuần 40", 40/2026 hoặc 2026-W40 (không ghi năm: năm hiện tại).',
)
@click.option(
    "--to",
    "week_to",
    metavar="TUẦN",
    help='Tuần cuối: 48, "tuần 48", 48/2026 hoặc 2026-W48 (không ghi năm: năm hiện tại).',
)
@click.option("--month", metavar="YYYY-MM", help="Một tháng, ví dụ 2026-06.")
@click.option("--quarter", metavar="YYYY-Qn", help="Một quý, ví dụ 2026-Q3.")
@click.option("--now", "now_text", metavar="THỜI_ĐIỂM", help=NOW_HELP)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.option("--csv", "as_csv", is_flag=True, help=CSV_HELP)
@click.pass_context
def scorecard(
    ctx: click.Context,
    week_from: str | None,
    week_to: str | None,
    month: str | None,
    quarter: str | None,
    now_text: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Bảng điểm đơn vị: báo cáo đúng hạn, nhiệm vụ, 06 rõ, giải ngân; xếp loại A–E.

    Chọn khoảng bằng --from/--to (tuần), --month hoặc --quarter (mặc định: quý hiện tại);
    chỉ tính các kỳ đã qua hạn chốt. Ghi outbox/Bang-diem-<khoảng>.xlsx (trang đầu là
    phương pháp tính). Trọng số và mức xếp loại: mục [scorecard] của consolidate.toml.
    """
    from consolidate.build import build_scorecard

    given = [bool(week_from or week_to), bool(month), bool(quarter)]
    if sum(given) > 1:
        raise click.UsageError("Chỉ chọn một cách: --from/--to, --month hoặc --quarter.")
    _run(
        ctx, build_scorecard, now_text, as_json, as_csv,
        week_from=week_from, week_to=week_to, month=month, quarter=quarter,
    )  # fmt: skip


@click.command(cls=Command)
@click.option(
    "--week",
    metavar="TUẦN",
    help='Tuần cuối cùng: 23, "tuần 23", 23/2026 hoặc 2026-W23 (không ghi năm: năm hiện '
    "tại). Mặc định: tuần vừa chốt.",
)
@click.option(
    "--weeks",
    type=click.IntRange(2, 52),
    metavar="N",
    help="Số tuần (2–52). Mặc định: [trends] weeks trong consolidate.toml (8).",
)
@click.option("--now", "now_text", metavar="THỜI_ĐIỂM", help=NOW_HELP)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.option("--csv", "as_csv", is_flag=True, help=CSV_HELP)
@click.pass_context
def trends(
    ctx: click.Context,
    week: str | None,
    weeks: int | None,
    now_text: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Xu hướng các tuần gần nhất: đơn vị báo cáo, nhiệm vụ hoàn thành, quá hạn, 06 rõ.

    Cùng số liệu với trang “Xu hướng” của báo cáo tuần; không ghi tệp.
    """
    from consolidate.build import build_trends

    _run(ctx, build_trends, now_text, as_json, as_csv, week=week, weeks=weeks)


@click.command(cls=Command)
@click.option(
    "--as-of",
    "as_of",
    metavar="NGÀY",
    help="Tính đến hết ngày này (dd/mm/yyyy hoặc 2026-06-30). Mặc định: hôm nay.",
)
@click.option("--now", "now_text", metavar="THỜI_ĐIỂM", help=NOW_HELP)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.option("--csv", "as_csv", is_flag=True, help=CSV_HELP)
@click.pass_context
def indicators(
    ctx: click.Context, as_of: str | None, now_text: str | None, as_json: bool, as_csv: bool
) -> None:
    """Kết quả thực hiện chỉ tiêu (trang “Chỉ tiêu”) so với chỉ tiêu năm, theo đơn vị và tổng.

    Dùng báo cáo mới nhất đã tiếp nhận của mỗi đơn vị trong năm; chỉ tiêu có đơn vị tính
    không thống nhất giữa các đơn vị được đánh dấu và không cộng. Ghi outbox/Chi-tieu-<ngày>.xlsx.
    """
    from consolidate.build import build_indicators

    _run(ctx, build_indicators, now_text, as_json, as_csv, as_of=_parse_day(as_of))


def _parse_day(text: str | None) -> Any:
    if text is None:
        return None
    from datetime import datetime

    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise click.BadParameter(
        f"'{text}' không phải ngày hợp lệ. Ghi dạng 30/06/2026.", param_hint="'--as-of'"
    )


COMMANDS = (scorecard, trends, indicators)
