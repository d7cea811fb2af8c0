"""The ``units`` group: the unit list (mã, tên, loại, tên khác, email, báo cáo phải gửi)."""

from __future__ import annotations

from pathlib import Path

import click

from consolidate.cli.app import Group, workspace_config


@click.group(cls=Group)
def units() -> None:
    """Danh mục đơn vị (mã, tên, loại, tên khác, email, báo cáo phải gửi)."""


@units.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và hiện thay đổi, không áp dụng.")
@click.pass_context
def units_import(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Thay danh mục đơn vị bằng tệp .xlsx hoặc .csv (kiểm tra toàn bộ trước khi áp dụng)."""
    from consolidate.core.errors import UnitListError
    from consolidate.intake.units import import_units

    config = workspace_config(ctx)
    try:
        result = import_units(config, file, dry_run=dry_run)
    except UnitListError as exc:
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        raise
    ch = result.changes
    click.echo(f"Danh mục {file.name}: {len(result.units)} đơn vị.")
    for unit in ch.added:
        click.echo(f"  + Thêm: {unit.code} — {unit.name}")
    for old, new in ch.renamed:
        click.echo(f"  ~ Đổi tên: {new.code}: {old.name} → {new.name}")
    for _old, new in ch.changed:
        click.echo(f"  ~ Sửa thông tin: {new.code} — {new.name}")
    for unit in ch.removed:
        kept = ch.history.get(unit.code)
        note = f" (giữ nguyên {kept} báo cáo đã lưu)" if kept else ""
        click.echo(f"  - Bỏ (thôi báo cáo, vẫn giữ lịch sử): {unit.code} — {unit.name}{note}")
    if ch.empty:
        click.echo("Không có thay đổi so với danh mục đang dùng.")
    elif dry_run:
        click.echo("Chạy thử (--dry-run): chưa áp dụng.")
    else:
        click.echo(f"Đã áp dụng: {result.target}. Danh mục cũ lưu tại {result.backup}.")


COMMANDS = (units,)
