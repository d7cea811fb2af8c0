"""Command-line interface. The only module that imports click.

Each command parses options, calls one library function and maps library exceptions
(:mod:`consolidate.errors`) to a Vietnamese message and exit code 2. Heavy libraries are
imported inside the commands so that ``consolidate --help`` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from consolidate import __version__
from consolidate.errors import ConsolidateError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail(exc: ConsolidateError) -> NoReturn:
    click.echo(f"Lỗi: {exc.message}", err=True)
    if exc.hint:
        click.echo(f"  Cách khắc phục: {exc.hint}", err=True)
    sys.exit(exc.exit_code)


class Command(click.Command):
    """Runs the callback with environment errors turned into a clean message, exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConsolidateError as exc:
            if ctx.find_root().params.get("debug"):
                raise
            _fail(exc)


class Group(click.Group):
    command_class = Command
    group_class = type  # subgroups are Group too


def _workspace(ctx: click.Context) -> Any:
    from consolidate.config import find_workspace, load_config

    root_opt = ctx.find_root().params.get("workspace")
    root = Path(root_opt) if root_opt else find_workspace(Path.cwd())
    return load_config(root)


@click.group(cls=Group, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="consolidate")
@click.option(
    "-w",
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    help="Thư mục làm việc (chứa consolidate.toml). Mặc định: thư mục hiện tại hoặc thư mục cha.",
)
@click.option("--debug", is_flag=True, help="Hiện đầy đủ lỗi kỹ thuật (traceback) khi có sự cố.")
@click.pass_context
def main(ctx: click.Context, workspace: Path | None, debug: bool) -> None:
    """Tổng hợp báo cáo "khung báo cáo chung" của các sở, ban, ngành, xã, phường.

    Quy trình: `template` tạo mẫu → đơn vị điền và gửi → `ingest` / `watch` tiếp nhận
    tệp trong inbox/ → `weekly`, `projects`, `plan` lập báo cáo tổng hợp trong outbox/.
    """


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path | None) -> None:
    """Tạo không gian làm việc (consolidate.toml, inbox/, outbox/, archive/, store/)."""
    from consolidate.config import init_workspace

    config = init_workspace(directory or Path.cwd())
    click.echo(f"Đã tạo không gian làm việc tại {config.root}")
    click.echo(f"  Cấu hình: {config.root / 'consolidate.toml'}  ({len(config.units)} đơn vị)")
    click.echo(f"  Thư mục nhận tệp: {config.inbox}")
    click.echo(f"  Thư mục kết quả: {config.outbox}")


@main.command()
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Nơi ghi tệp mẫu. Mặc định: templates/report_template.xlsx trong thư mục làm việc.",
)
@click.pass_context
def template(ctx: click.Context, out: Path | None) -> None:
    """Tạo tệp mẫu báo cáo (khung báo cáo chung) cho các đơn vị."""
    from consolidate.template import write_template

    config = _workspace(ctx)
    target = out or config.root / "templates" / "report_template.xlsx"
    write_template(target, config.units)
    click.echo(f"Đã tạo mẫu báo cáo: {target}")


if __name__ == "__main__":  # pragma: no cover
    main()
