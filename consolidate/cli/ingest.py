"""Commands that take units' files in: ``ingest`` and ``watch``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from consolidate.cli.app import EXIT_OK, Command, Console, parse_moment, workspace_config


def report_line(report: Any) -> str:
    """One line per file: verdict, unit, file name (imported lazily: intake is heavy)."""
    from consolidate.intake import watch

    return watch.report_line(report)


def _received_moment(text: str | None, config: Any) -> Any:
    """``--received-at`` checked against the clock: a moment in the future (a year typed
    2062 for 2026) is the officer's typo (exit 2), never an error sent to the unit. A moment
    before a file's report date (2025 for 2026) is caught per file by ingest (held, exit 2)."""
    from datetime import datetime, timedelta

    from consolidate.core.errors import UsageError

    moment = parse_moment(text, config, "--received-at")
    if moment is None:
        return None
    now = datetime.now(config.calendar.tz)
    if moment > now + timedelta(minutes=5):
        raise UsageError(
            f"Giá trị của --received-at “{text}” ({moment:%d/%m/%Y %H:%M}) ở tương lai "
            f"(bây giờ là {now:%d/%m/%Y %H:%M}); chưa tiếp nhận tệp nào.",
            "Kiểm tra lại ngày, tháng, năm: ghi đúng giờ của thư điện tử, ví dụ "
            '--received-at "04/06/2026 16:30".',
        )
    return moment


@click.command(cls=Command)
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
    2 nếu lỗi cách dùng hoặc môi trường (kể cả --received-at trước ngày báo cáo ghi trong
    tệp: tệp đó chưa được xét, không gửi gì cho đơn vị).
    """
    import json

    from consolidate.core.progress import progress_bar
    from consolidate.intake.inbox import collect
    from consolidate.intake.ingest import ingest_paths

    config = workspace_config(ctx)
    moment = _received_moment(received_at, config)
    skipped: list[Path] = []
    files = collect(paths, skipped)
    if skipped:  # never silently: the officer sees what was left out and why
        names = ", ".join(p.name for p in skipped[:5]) + (
            f" và {len(skipped) - 5} tệp khác" if len(skipped) > 5 else ""
        )
        click.echo(
            f"Bỏ qua {len(skipped)} tệp tạm hoặc tệp hệ thống: {names} (tệp khóa '~$' của Excel "
            "khi đang mở một bảng tính, tệp ẩn, tệp tải dở). Nếu đó là báo cáo, đổi tên tệp "
            "rồi chạy lại.",
            err=True,
        )
    if not files:
        click.echo("Không có tệp nào để tiếp nhận.", err=True)
        sys.exit(EXIT_OK)
    with progress_bar(len(files), "Tiếp nhận", enabled=not as_json) as advance:

        def on_report(report: Any) -> None:
            advance()
            if not as_json:
                click.echo(report_line(report))
                if verbose or report.errors:
                    for f in report.findings if verbose else report.errors:
                        where = f" [{f.where()}]" if f.where() else ""
                        click.echo(f"    - {f.message}{where}")

        result = ingest_paths(
            config,
            files,
            received_at=moment,
            dry_run=dry_run,
            progress=on_report,
            officer_time=moment is not None,
        )
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        for note in result.notes:
            click.echo(note)
        click.echo(
            f"Tổng cộng {len(result.reports)} tệp: {result.count('accepted')} tiếp nhận, "
            f"{result.count('rejected')} không tiếp nhận, {result.count('duplicate')} trùng"
            + (f", {len(result.held)} chưa xét (xem --received-at)" if result.held else "")
            + "."
            + (" (chạy thử, không lưu)" if dry_run else "")
        )
        if not dry_run:
            click.echo(f"Phản hồi cho đơn vị: {config.outbox / 'phan-hoi'}")
    sys.exit(result.exit_code)


@click.command(cls=Command)
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
    type=click.FloatRange(min=0.0),
    default=30.0,
    show_default=True,
    metavar="GIÂY",
    help="Quét lại toàn bộ inbox/ sau mỗi khoảng này để không sót tệp nào (0: không quét lại, "
    "chỉ nhận sự kiện; không dùng cho ổ mạng).",
)
@click.option(
    "--polling",
    is_flag=True,
    help="Quét định kỳ thay vì nhận sự kiện của hệ điều hành (dùng cho inbox trên ổ mạng).",
)
@click.option(
    "--mail",
    "with_mail",
    is_flag=True,
    help="Đồng thời theo dõi hộp thư của cơ quan ([mail]): tiếp nhận, trả lời ngay, gửi đôn đốc khi đến hạn.",
)
@click.pass_context
def watch(ctx: click.Context, settle: float, rescan: float, polling: bool, with_mail: bool) -> None:
    """Theo dõi inbox/ và tiếp nhận từng tệp ngay khi chép xong (Ctrl+C để dừng).

    Mỗi tệp được xử lý như lệnh `ingest` (lưu bản gốc, kiểm tra, lưu số liệu, trả lời
    đơn vị) rồi chuyển sang processed/. Với --mail: cả hộp thư của cơ quan (như `mail fetch`,
    IDLE hoặc hỏi định kỳ) và thư đôn đốc khi đến hạn. Bỏ qua tệp tạm (~$..., .tmp, .crdownload, .part)
    và tệp ẩn. Chi tiết kỹ thuật khi có sự cố được ghi vào store/watch.log.
    """
    import logging
    import threading

    from consolidate.intake.watch import log_to_file
    from consolidate.intake.watch import watch as watch_inbox

    config = workspace_config(ctx)
    if ctx.find_root().params.get("debug"):
        logging.basicConfig(level=logging.DEBUG)
    else:
        log_to_file(config)
    # A reader that goes away (`watch | head`) stops the watch: there is no one to tell.
    stop = threading.Event()
    say = Console(stop)
    loop = None
    try:
        if with_mail:
            from consolidate.mail.config import load_mail_settings, mail_password
            from consolidate.mail.loop import MailLoop

            settings = load_mail_settings(config)
            settings.require()
            mail_password(settings)  # a missing password stops here, with the fix
            loop = MailLoop(config, settings, on_event=say, stop=stop)
            say(f"Đang theo dõi hộp thư {settings.username} ({settings.imap_folder}).")
            loop.start()
        say(f"Đang theo dõi {config.inbox} (Ctrl+C để dừng)...")
        if not say.closed.is_set():
            watch_inbox(
                config,
                settle_seconds=settle,
                rescan_seconds=rescan or None,
                polling=polling,
                on_event=say,
                stop=stop,
            )
    finally:
        if loop is not None:
            loop.stop()
    say.check()


COMMANDS = (ingest, watch)
