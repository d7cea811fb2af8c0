"""Command-line interface. The only module that imports click.

Each command parses options, calls one library function and maps library exceptions
(:mod:`consolidate.core.errors`) to a Vietnamese message and exit code 2. Heavy libraries are
imported inside the commands so that ``consolidate --help`` starts fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
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


def _workspace(ctx: click.Context) -> Any:
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


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path | None) -> None:
    """Tạo không gian làm việc (consolidate.toml, inbox/, outbox/, archive/, store/)."""
    from consolidate.core.config import init_workspace

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
    from consolidate.render.template import write_template

    config = _workspace(ctx)
    target = out or config.root / "templates" / "report_template.xlsx"
    write_template(target, config.units, calendar=config.calendar)
    click.echo(f"Đã tạo mẫu báo cáo: {target}")


def _parse_moment(text: str | None, config: Any) -> Any:
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


def _report_line(report: Any) -> str:
    from consolidate.intake.watch import report_line

    return report_line(report)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--received-at",
    metavar="THỜI_ĐIỂM",
    help='Thời điểm tệp thực sự đến (giờ của thư điện tử), dạng "04/06/2026 16:30". Mặc định: bây giờ.',
)
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và trả lời, không lưu gì.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.option("-v", "--verbose", is_flag=True, help="In từng lỗi, cảnh báo của mỗi tệp.")
@click.pass_context
def ingest(
    ctx: click.Context,
    paths: tuple[Path, ...],
    received_at: str | None,
    dry_run: bool,
    as_json: bool,
    verbose: bool,
) -> None:
    """Tiếp nhận tệp báo cáo (tệp hoặc thư mục): lưu bản gốc, kiểm tra, lưu số liệu, trả lời đơn vị.

    Mã thoát: 0 nếu mọi tệp được tiếp nhận, 1 nếu có tệp không được tiếp nhận,
    2 nếu lỗi cách dùng hoặc môi trường.
    """
    import json

    from consolidate.core.progress import progress_bar
    from consolidate.intake.ingest import collect, ingest_paths

    config = _workspace(ctx)
    moment = _parse_moment(received_at, config)
    files = collect(paths)
    if not files:
        click.echo("Không có tệp nào để tiếp nhận.", err=True)
        sys.exit(EXIT_OK)
    with progress_bar(len(files), "Tiếp nhận", enabled=not as_json) as advance:

        def on_report(report: Any) -> None:
            advance()
            if not as_json:
                click.echo(_report_line(report))
                if verbose or report.errors:
                    for f in report.findings if verbose else report.errors:
                        where = f" [{f.where()}]" if f.where() else ""
                        click.echo(f"    - {f.message}{where}")

        result = ingest_paths(
            config, files, received_at=moment, dry_run=dry_run, progress=on_report
        )
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        for note in result.notes:
            click.echo(note)
        click.echo(
            f"Tổng cộng {len(result.reports)} tệp: {result.count('accepted')} tiếp nhận, "
            f"{result.count('rejected')} không tiếp nhận, {result.count('duplicate')} trùng."
            + (" (chạy thử, không lưu)" if dry_run else "")
        )
        if not dry_run:
            click.echo(f"Phản hồi cho đơn vị: {config.outbox / 'phan-hoi'}")
    sys.exit(result.exit_code)


@main.command()
@click.option(
    "--settle",
    type=click.FloatRange(min=0.1),
    default=1.0,
    show_default=True,
    metavar="GIÂY",
    help="Tệp phải đứng yên (không đổi kích thước, thời điểm sửa) bấy nhiêu giây mới được tiếp nhận.",
)
@click.option(
    "--rescan",
    type=click.FloatRange(min=1.0),
    default=30.0,
    show_default=True,
    metavar="GIÂY",
    help="Quét lại toàn bộ inbox/ sau mỗi khoảng này để không sót tệp nào.",
)
@click.option(
    "--polling",
    is_flag=True,
    help="Quét định kỳ thay vì nhận sự kiện của hệ điều hành (dùng cho inbox trên ổ mạng).",
)
@click.pass_context
def watch(ctx: click.Context, settle: float, rescan: float, polling: bool) -> None:
    """Theo dõi inbox/ và tiếp nhận từng tệp ngay khi chép xong (Ctrl+C để dừng).

    Mỗi tệp được xử lý như lệnh `ingest` (lưu bản gốc, kiểm tra, lưu số liệu, trả lời
    đơn vị) rồi chuyển sang processed/. Bỏ qua tệp tạm (~$..., .tmp, .crdownload, .part)
    và tệp ẩn. Chi tiết kỹ thuật khi có sự cố được ghi vào store/watch.log.
    """
    import logging

    from consolidate.intake.watch import log_to_file
    from consolidate.intake.watch import watch as watch_inbox

    config = _workspace(ctx)
    if ctx.find_root().params.get("debug"):
        logging.basicConfig(level=logging.DEBUG)
    else:
        log_to_file(config)
    click.echo(f"Đang theo dõi {config.inbox} (Ctrl+C để dừng)...")
    watch_inbox(
        config,
        settle_seconds=settle,
        rescan_seconds=rescan,
        polling=polling,
        on_event=click.echo,
    )


@main.group()
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

    config = _workspace(ctx)
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


def _build(ctx: click.Context, what: str, now_text: str | None, as_json: bool, **kw: Any) -> None:
    import json

    from consolidate import build as cons
    from consolidate.core.lock import workspace_lock
    from consolidate.store.db import Store

    config = _workspace(ctx)
    now = _parse_moment(now_text, config)
    builder: dict[str, Callable[..., Any]] = {
        "weekly": cons.build_weekly,
        "projects": cons.build_projects,
        "plan": cons.build_plan,
    }
    try:
        with workspace_lock(config), Store(config.store, config.archive) as store:
            result = builder[what](config, store, now=now, **kw)
    except ValueError as exc:  # a period key the officer typed wrongly
        raise click.BadParameter(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    click.echo(result.summary)
    click.echo(f"Đã ghi: {result.path}")


NOW_HELP = "Lập báo cáo như tại thời điểm này (dd/mm/yyyy HH:MM). Mặc định: bây giờ."


@main.command()
@click.option(
    "--week", metavar="YYYY-Www", help="Tuần ISO, ví dụ 2026-W23. Mặc định: tuần vừa chốt."
)
@click.option("--now", "now_text", metavar="THỜI_ĐIỂM", help=NOW_HELP)
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.pass_context
def weekly(ctx: click.Context, week: str | None, now_text: str | None, as_json: bool) -> None:
    """Lập báo cáo tổng hợp tuần (chốt 17:00 thứ Năm) vào outbox/."""
    _build(ctx, "weekly", now_text, as_json, week=week)


@main.command()
@click.option(
    "--period", metavar="YYYY-MM/1|2", help="Kỳ: /1 chốt ngày 05, /2 chốt ngày 20, ví dụ 2026-06/1."
)
@click.option("--now", "now_text", metavar="THỜI_ĐIỂM", help=NOW_HELP)
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.pass_context
def projects(ctx: click.Context, period: str | None, now_text: str | None, as_json: bool) -> None:
    """Lập báo cáo dự án 02 lần/tháng (giải ngân, tiến độ, dự án chậm) vào outbox/."""
    _build(ctx, "projects", now_text, as_json, period=period)


@main.command()
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


@main.command()
@click.option("--now", "now_text", metavar="THỜI_ĐIỂM", help=NOW_HELP)
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.pass_context
def status(ctx: click.Context, now_text: str | None, as_json: bool) -> None:
    """Đơn vị nào đã / chưa báo cáo trong kỳ tuần và kỳ dự án hiện tại."""
    import json

    from consolidate import build as cons
    from consolidate.store.db import Store

    config = _workspace(ctx)
    with Store(config.store, config.archive) as store:
        data = cons.submission_status(config, store, now=_parse_moment(now_text, config))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    click.echo(data["summary"])
    for key in ("weekly", "twice_monthly"):
        missing = data[key]["not_reported"]
        if missing:
            label = "tuần" if key == "weekly" else "dự án"
            click.echo(f"Chưa báo cáo ({label}): " + "; ".join(u["name"] for u in missing))


@main.command()
@click.argument(
    "directory", required=False, default="demo", type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--seed", default=2026, show_default=True, help="Hạt giống sinh dữ liệu mẫu.")
def demo(directory: Path, seed: int) -> None:
    """Chạy thử toàn bộ quy trình trên dữ liệu mẫu (mẫu → tệp đơn vị → tiếp nhận → báo cáo).

    Tạo không gian làm việc mẫu trong DIRECTORY (mặc định ./demo; chạy lại sẽ làm mới).
    """
    from consolidate.demo import run_demo

    click.echo(f"Tạo dữ liệu mẫu trong {directory.resolve()} ...")
    result = run_demo(directory, seed=seed, progress=lambda r: click.echo(_report_line(r)))
    accepted = sum(1 for r in result.reports if r.verdict == "accepted")
    click.echo(
        f"Đã tiếp nhận {accepted}/{len(result.reports)} tệp; "
        f"{len(result.plan.missing)} đơn vị không gửi: {', '.join(result.plan.missing)}."
    )
    for note in result.notes:
        click.echo(note)
    click.echo("Báo cáo tổng hợp:")
    for path in result.outputs:
        click.echo(f"  {path}")
    click.echo(f"Phản hồi cho đơn vị: {result.root / 'outbox' / 'phan-hoi'}")


if __name__ == "__main__":  # pragma: no cover
    main()
