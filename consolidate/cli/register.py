"""The ``register`` group: the task register (danh mục nhiệm vụ giao)."""

from __future__ import annotations

from pathlib import Path

import click

from consolidate.cli.app import Group, workspace_config


@click.group(cls=Group)
def register() -> None:
    """Danh mục nhiệm vụ giao (mã, nội dung, văn bản, đơn vị chủ trì, thời hạn, lĩnh vực)."""


@register.command("import")
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.pass_context
def register_import(ctx: click.Context, file: Path | None) -> None:
    """Nhập danh mục nhiệm vụ từ tệp Excel (mặc định: tệp trong cấu hình)."""
    from consolidate.core.errors import RegisterError
    from consolidate.intake.register import import_register

    config = workspace_config(ctx)
    try:
        result = import_register(config, file)
    except RegisterError as exc:
        for f in exc.findings:
            where = f" [{f.where()}]" if f.where() else ""  # type: ignore[attr-defined]
            click.echo(f"  - {f.message}{where} — {f.fix}", err=True)  # type: ignore[attr-defined]
        raise
    click.echo(f"Đã nhập {len(result.rows)} nhiệm vụ từ {result.path.name}:")
    for source, n in sorted(result.by_source.items()):
        click.echo(f"  {source or '(không ghi văn bản)'}: {n} nhiệm vụ")


COMMANDS = (register,)
