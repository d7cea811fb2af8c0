"""Commands that set a workspace up: ``init`` and ``template``."""

from __future__ import annotations

from pathlib import Path

import click

from consolidate.cli.app import Command, workspace_config


@click.command(cls=Command)
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path | None) -> None:
    """Tạo không gian làm việc (consolidate.toml, inbox/, outbox/, archive/, store/)."""
    from consolidate.core.config import init_workspace

    config = init_workspace(directory or Path.cwd())
    click.echo(f"Đã tạo không gian làm việc tại {config.root}")
    click.echo(f"  Cấu hình: {config.root / 'consolidate.toml'}  ({len(config.units)} đơn vị)")
    click.echo(f"  Thư mục nhận tệp: {config.inbox}")
    click.echo(f"  Thư mục kết quả: {config.outbox}")


@click.command(cls=Command)
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Nơi ghi tệp mẫu. Mặc định: templates/report_template.xlsx trong thư mục làm việc.",
)
@click.pass_context
def template(ctx: click.Context, out: Path | None) -> None:
    """Tạo tệp mẫu báo cáo (khung báo cáo chung) cho các đơn vị."""
    from consolidate.render.template import write_template

    config = workspace_config(ctx)
    target = out or config.root / "templates" / "report_template.xlsx"
    write_template(target, config.units, calendar=config.calendar, office=config.office)
    click.echo(f"Đã tạo mẫu báo cáo: {target}")


COMMANDS = (init, template)
