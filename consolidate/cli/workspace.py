"""Commands that set a workspace up: ``init`` and ``template``."""

from __future__ import annotations

from pathlib import Path

import click

from consolidate.cli.app import Command, workspace_config


@click.command(cls=Command)
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path | None) -> None:
    """Tạo không gian làm việc (consolidate.toml, inbox/, outbox/, archive/, store/)."""
    from consolidate.core.config import CONFIG_NAME, create_workspace

    done = create_workspace(directory or Path.cwd())
    config = done.config
    if done.config_created:
        click.echo(f"Đã tạo không gian làm việc tại {config.root}")
    else:
        click.echo(
            f"Không gian làm việc đã có tại {config.root}: giữ nguyên {CONFIG_NAME} và mọi "
            "dữ liệu đã có."
        )
        if done.created:
            names = ", ".join(_shown(config.root, p) for p in done.created)
            click.echo(f"  Đã tạo thêm thư mục còn thiếu: {names}")
        else:
            click.echo("  Không cần tạo thêm gì: đủ các thư mục.")
    click.echo(f"  Cấu hình: {config.root / CONFIG_NAME}  ({len(config.units)} đơn vị)")
    click.echo(f"  Thư mục nhận tệp: {config.inbox}")
    click.echo(f"  Thư mục kết quả: {config.outbox}")


def _shown(root: Path, folder: Path) -> str:
    """A folder as the officer knows it: relative to the workspace when inside it."""
    try:
        return folder.relative_to(root).as_posix() + "/"
    except ValueError:
        return str(folder)


@click.command(cls=Command)
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Nơi ghi tệp mẫu (thiếu đuôi .xlsx thì tự thêm). Mặc định: "
    "templates/report_template.xlsx trong thư mục làm việc.",
)
@click.pass_context
def template(ctx: click.Context, out: Path | None) -> None:
    """Tạo tệp mẫu báo cáo (khung báo cáo chung) cho các đơn vị."""
    from consolidate.render.template import write_template

    config = workspace_config(ctx)
    target = out or config.root / "templates" / "report_template.xlsx"
    if target.suffix.lower() != ".xlsx":  # "…/t2" or "mẫu.v2": Excel opens only .xlsx
        target = target.with_name(target.name + ".xlsx")
    write_template(target, config.units, calendar=config.calendar, office=config.office)
    click.echo(f"Đã tạo mẫu báo cáo: {target}")


COMMANDS = (init, template)
