"""The root command group, the context of a command and the error policy of the CLI.

Every command module (``consolidate/cli/<group>.py``) builds its commands with
``@click.command(cls=Command)`` or ``@click.group(cls=Group)`` and is registered in
``consolidate/cli/__init__.py`` with one line. Library exceptions
(:mod:`consolidate.core.errors`) become a Vietnamese message and exit code 2; anything else
is a bug of ours: exit 3 and a crash file.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

import click

from consolidate import __version__
from consolidate.core.errors import ConsolidateError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail(exc: ConsolidateError) -> NoReturn:
    click.echo(f"Lỗi: {exc.message}", err=True)
    if exc.hint:
        click.echo(f"  Cách khắc phục: {exc.hint}", err=True)
    sys.exit(exc.exit_code)


EXIT_INTERNAL = 3


def _crash() -> NoReturn:
    import tempfile
    import traceback
    from datetime import datetime

    path = Path(tempfile.gettempdir()) / f"consolidate-loi-{datetime.now():%Y%m%d-%H%M%S}.txt"
    try:
        path.write_text(traceback.format_exc(), encoding="utf-8")
        where = f" Chi tiết kỹ thuật đã lưu tại {path}."
    except OSError:
        where = ""
    click.echo(
        "Lỗi: consolidate gặp sự cố ngoài dự kiến; dữ liệu đã nhận vẫn được giữ nguyên." + where,
        err=True,
    )
    click.echo(
        "  Cách khắc phục: chạy lại lệnh với --debug và gửi kết quả cho nhóm phát triển.", err=True
    )
    sys.exit(EXIT_INTERNAL)


class Command(click.Command):
    """Runs the callback with environment errors turned into a clean message, exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConsolidateError as exc:
            if ctx.find_root().params.get("debug"):
                raise
            _fail(exc)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except Exception:  # a bug of ours: keep the traceback in a file, not on the screen
            if ctx.find_root().params.get("debug"):
                raise
            _crash()


class Group(click.Group):
    command_class = Command
    group_class = type  # subgroups are Group too

    def add_commands(self, commands: Iterable[click.Command]) -> None:
        """Register the commands of one module (its ``COMMANDS``)."""
        for command in commands:
            self.add_command(command)


def workspace_config(ctx: click.Context) -> Any:
    from consolidate.core.config import find_workspace, load_config

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


def parse_moment(text: str | None, config: Any) -> Any:
    """'dd/mm/yyyy HH:MM' or ISO, in the workspace time zone."""
    if text is None:
        return None
    from datetime import datetime

    for fmt in (
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ):
        try:
            moment = datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        return moment.replace(tzinfo=config.calendar.tz)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            f"'{text}' không phải thời điểm hợp lệ. Ghi dạng \"04/06/2026 16:30\"."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=config.calendar.tz)


NOW_HELP = "Lập báo cáo như tại thời điểm này (dd/mm/yyyy HH:MM). Mặc định: bây giờ."
