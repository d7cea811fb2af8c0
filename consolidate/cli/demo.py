"""The ``demo`` command: the whole pipeline on generated data."""

from __future__ import annotations

from pathlib import Path

import click

from consolidate.cli.app import Command
from consolidate.cli.ingest import report_line


@click.command(cls=Command)
@click.argument(
    "directory", required=False, default="demo", type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "--seed", default=2026, show_default=True, metavar="SỐ", help="Hạt giống sinh dữ liệu mẫu."
)
def demo(directory: Path, seed: int) -> None:
    """Chạy thử toàn bộ quy trình trên dữ liệu mẫu (mẫu → tệp đơn vị → tiếp nhận → báo cáo).

    Tạo không gian làm việc mẫu trong THƯ_MỤC (mặc định ./demo; chạy lại sẽ làm mới).
    """
    from consolidate.demo import run_demo

    click.echo(f"Tạo dữ liệu mẫu trong {directory.resolve()} ...")
    result = run_demo(directory, seed=seed, progress=lambda r: click.echo(report_line(r)))
    accepted = sum(1 for r in result.reports if r.verdict == "accepted")
    click.echo(f"Đã tiếp nhận {accepted}/{len(result.reports)} tệp.")
    click.echo(closing_line(result.without_report))
    for note in result.notes:
        click.echo(note)
    click.echo("Báo cáo tổng hợp:")
    for path in result.outputs:
        click.echo(f"  {path}")
    click.echo(f"Phản hồi cho đơn vị: {result.root / 'outbox' / 'phan-hoi'}")


def closing_line(without_report: list[dict[str, str]]) -> str:
    """The units the weekly report lists as without an accepted report, counted the same
    way as that list: those that sent nothing and those whose file was rejected."""
    from consolidate.demo import DEMO_WEEK

    year, week = DEMO_WEEK.split("-W")
    title = f"Báo cáo tuần {int(week)}/{year}"
    if not without_report:
        return f"{title}: mọi đơn vị phải báo cáo đều đã có báo cáo được tiếp nhận."
    missing = [u["code"] for u in without_report if u["status"] == "missing"]
    rejected = [u["code"] for u in without_report if u["status"] != "missing"]
    parts = []
    if missing:
        parts.append(f"{len(missing)} không gửi ({', '.join(missing)})")
    if rejected:
        parts.append(f"{len(rejected)} bị từ chối, chờ gửi lại ({', '.join(rejected)})")
    return (
        f"{title}: {len(without_report)} đơn vị chưa có báo cáo được tiếp nhận — "
        + "; ".join(parts)
        + "."
    )


COMMANDS = (demo,)
