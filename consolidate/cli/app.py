"""The root command group, the context of a command and the error policy of the CLI.

Every command module (``consolidate/cli/<group>.py``) builds its commands with
``@click.command(cls=Command)`` or ``@click.group(cls=Group)`` and is registered in
``consolidate/cli/__init__.py`` with one line. Library exceptions
(:mod:`consolidate.core.errors`) become a Vietnamese message and exit code 2; anything else
is a bug of ours: exit 3 and a crash file.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import click

from consolidate import __version__
from consolidate.cli import vi
from consolidate.core.errors import ConsolidateError, OutputClosed, UsageError

vi.install()  # before any command is declared: click's own words in Vietnamese

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_PIPE = OutputClosed.exit_code
EXIT_INTERRUPTED = 130  # Ctrl+C (128 + SIGINT)

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _say(text: str) -> None:
    try:
        click.echo(text, err=True)
    except OSError:
        pass  # stderr closed too: the exit code still tells


def _fail(exc: ConsolidateError) -> int:
    _say(f"Lỗi: {exc.message}")
    if exc.hint:
        _say(f"  Cách khắc phục: {exc.hint}")
    return exc.exit_code


def _usage_error(exc: click.ClickException) -> int:
    """Click's errors in the product's frame: what is wrong, the usage line, the fix."""
    no_args = getattr(click.exceptions, "NoArgsIsHelpError", ())
    if isinstance(exc, no_args) and getattr(exc, "ctx", None) is not None:
        return _missing_command(exc.ctx)  # type: ignore[attr-defined]
    _say(f"Lỗi: {exc.format_message()}")
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        _say(f"  {ctx.get_usage()}")
        _say(f"  Cách khắc phục: sửa lại lệnh theo hướng dẫn của `{ctx.command_path} --help`.")
    else:
        _say("  Cách khắc phục: sửa lại lệnh theo hướng dẫn của `consolidate --help`.")
    return EXIT_USAGE


def _missing_command(ctx: click.Context) -> int:
    """``consolidate`` or ``consolidate mail`` alone: the help, then what is missing."""
    _say(ctx.get_help())
    _say("")
    _say("Lỗi: Thiếu lệnh.")
    command = ctx.command
    names = command.list_commands(ctx) if isinstance(command, click.Group) else []
    example = "status" if "status" in names else names[0] if names else "--help"
    _say(
        f"  Cách khắc phục: ghi tên một lệnh trong danh sách trên, ví dụ "
        f"`{ctx.command_path} {example}`."
    )
    return EXIT_USAGE


def _crash(exc: BaseException) -> int:
    from consolidate.cli.crash import write_crash_file

    path = write_crash_file(exc)
    where = f" Chi tiết kỹ thuật đã lưu tại {path}." if path else ""
    _say("Lỗi: consolidate gặp sự cố ngoài dự kiến; dữ liệu đã nhận vẫn được giữ nguyên." + where)
    _say(
        "  Cách khắc phục: gửi tệp này cho nhóm phát triển (hoặc chạy lại lệnh với --debug "
        "để xem chi tiết)."
    )
    return EXIT_INTERNAL


def is_closed_pipe(exc: BaseException) -> bool:
    """A write to a pipe whose reader went away (``| head``, ``| true``)."""
    if isinstance(exc, BrokenPipeError):
        return True
    # Windows reports a write to a pipe whose reader is gone as EINVAL.
    return isinstance(exc, OSError) and os.name == "nt" and exc.errno == errno.EINVAL


def _silence_stdout() -> None:
    """Point stdout at the null device so that Python's last flush cannot fail again."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (e.g. a test runner's buffer): nothing will flush it


def _parse_args(
    parse: Callable[[click.Context, list[str]], list[str]], ctx: click.Context, args: list[str]
) -> list[str]:
    try:
        return parse(ctx, args)
    except click.UsageError as exc:
        exc.ctx = exc.ctx or ctx  # the parser leaves it out: the usage line names the command
        raise


def _path_metavar(kind: click.Path) -> str:
    return "TỆP" if not kind.dir_okay else "THƯ_MỤC" if not kind.file_okay else "ĐƯỜNG_DẪN"


def _argument_metavar(arg: click.Argument) -> str | None:
    """'[THƯ_MỤC]', 'ĐƯỜNG_DẪN...': an argument as the usage line and click's errors name it
    (click would print the parameter's English name: [DIRECTORY], PATHS...)."""
    if arg.metavar or not isinstance(arg.type, click.Path):
        return arg.metavar
    name = _path_metavar(arg.type)
    if not arg.required:
        name = f"[{name}]"
    return name + "..." if arg.nargs != 1 else name


def _metavar(param: click.Parameter) -> str | None:
    """A Vietnamese placeholder for an option's value where click would print INTEGER..."""
    if isinstance(param, click.Argument):
        return _argument_metavar(param)
    if not isinstance(param, click.Option) or param.metavar or param.is_flag or param.count:
        return param.metavar
    kind = param.type
    if isinstance(kind, click.Path):
        return _path_metavar(kind)
    if isinstance(kind, click.types.IntParamType | click.types.FloatParamType):
        return "SỐ"
    if isinstance(kind, click.DateTime):
        return "NGÀY_GIỜ"
    if isinstance(kind, click.types.StringParamType):
        return "CHUỖI"
    return None  # closed lists show their choices


def _vietnamese_metavars(command: click.Command) -> None:
    for param in command.params:
        param.metavar = _metavar(param)


class Command(click.Command):
    """A command with Vietnamese usage (``[TÙY_CHỌN]``, ``SỐ``); help texts are Vietnamese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[TÙY_CHỌN]")
        super().__init__(*args, **kwargs)
        _vietnamese_metavars(self)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return _parse_args(super().parse_args, ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as exc:
            if is_closed_pipe(exc):  # past click, which would make it exit 1
                raise OutputClosed("", "") from exc
            raise


class Group(click.Group):
    command_class = Command
    group_class = type  # subgroups are Group too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[TÙY_CHỌN]")
        kwargs.setdefault("subcommand_metavar", "LỆNH [ĐỐI_SỐ]...")
        super().__init__(*args, **kwargs)
        _vietnamese_metavars(self)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return _parse_args(super().parse_args, ctx, args)

    def add_commands(self, commands: Iterable[click.Command]) -> None:
        """Register the commands of one module (its ``COMMANDS``)."""
        for command in commands:
            self.add_command(command)


class App(Group):
    """The root group: the one place that turns every outcome into an exit code.

    0 done; 1 a file was rejected (``ingest`` exits so itself); 2 usage, configuration or
    environment (:class:`ConsolidateError` and every click error, in Vietnamese); 3 a bug
    of ours (crash file); 141 the reader of our output went away (quietly); 130 Ctrl+C.
    With ``--debug`` errors propagate with their traceback instead.
    """

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(
                args,
                prog_name,
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        debug = "--debug" in (sys.argv[1:] if args is None else list(args))
        sys.exit(self._run(args, prog_name, complete_var, windows_expand_args, debug, extra))

    def _run(
        self,
        args: Sequence[str] | None,
        prog_name: str | None,
        complete_var: str | None,
        windows_expand_args: bool,
        debug: bool,
        extra: dict[str, Any],
    ) -> int:
        code: int
        try:
            try:
                rv = super().main(
                    args,
                    prog_name,
                    complete_var,
                    standalone_mode=False,
                    windows_expand_args=windows_expand_args,
                    **extra,
                )
                code = rv if type(rv) is int else EXIT_OK  # --help, --version: 0
            except SystemExit as exc:  # a command's own exit code (ingest: 0 or 1)
                code = exc.code if isinstance(exc.code, int) else EXIT_OK
            sys.stdout.flush()  # a closed pipe shows here, not in Python's last flush
            return code
        except click.exceptions.Abort:
            _say("Đã dừng.")
            return EXIT_INTERRUPTED
        except click.ClickException as exc:
            return _usage_error(exc)
        except OutputClosed:
            _silence_stdout()
            return EXIT_PIPE
        except ConsolidateError as exc:
            if debug:
                raise
            return _fail(exc)
        except Exception as exc:
            if is_closed_pipe(exc):
                _silence_stdout()
                return EXIT_PIPE
            if debug:
                raise
            return _crash(exc)


def workspace_config(ctx: click.Context) -> Any:
    from consolidate.core.config import find_workspace, load_config

    root_opt = ctx.find_root().params.get("workspace")
    root = Path(root_opt) if root_opt else find_workspace(Path.cwd())
    return load_config(root)


@click.group("consolidate", cls=App, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="consolidate")
@click.option(
    "-w",
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="THƯ_MỤC",
    help="Thư mục làm việc (chứa consolidate.toml). Mặc định: thư mục hiện tại hoặc thư mục cha.",
)
@click.option("--debug", is_flag=True, help="Hiện đầy đủ lỗi kỹ thuật (traceback) khi có sự cố.")
@click.pass_context
def main(ctx: click.Context, workspace: Path | None, debug: bool) -> None:
    """Tổng hợp báo cáo "khung báo cáo chung" của các sở, ban, ngành, xã, phường.

    Quy trình: `template` tạo mẫu → đơn vị điền và gửi → `ingest` / `watch` tiếp nhận
    tệp trong inbox/ → `weekly`, `projects`, `plan` lập báo cáo tổng hợp trong outbox/.
    """


def parse_moment(text: str | None, config: Any, option: str = "--now") -> Any:
    """'dd/mm/yyyy HH:MM' or ISO, in the workspace time zone; ``option`` names it in errors."""
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
        raise UsageError(
            f"Giá trị của {option} “{text}” không phải thời điểm hợp lệ.",
            f'Ghi ngày giờ dạng dd/mm/yyyy HH:MM, ví dụ {option} "04/06/2026 16:30".',
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=config.calendar.tz)


class Console:
    """What a long-running command (``watch``) prints, from any thread. When the reader of
    the output goes away, printing stops and ``closed`` is set (as is ``stop``, when given):
    the command winds down and ends with :class:`OutputClosed`, quietly, like the others."""

    def __init__(self, stop: Any = None) -> None:
        import threading

        self.closed = threading.Event()
        self._stop = stop

    def __call__(self, text: str) -> None:
        if self.closed.is_set():
            return
        try:
            click.echo(text)
        except OSError as exc:
            if not is_closed_pipe(exc):
                raise
            self.closed.set()
            if self._stop is not None:
                self._stop.set()

    def check(self) -> None:
        """Raise :class:`OutputClosed` if the reader went away."""
        if self.closed.is_set():
            raise OutputClosed("", "")


NOW_HELP = "Lập báo cáo như tại thời điểm này (dd/mm/yyyy HH:MM). Mặc định: bây giờ."
