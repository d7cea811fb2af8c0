"""Errors that mean what they say: exact exit codes and Vietnamese messages of the CLI.

2 for what the officer typed (click's own errors included, in Vietnamese), 3 with a crash
file for a bug of ours, and a closed pipe ends quietly (never 3, no crash file).
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from consolidate import build
from consolidate.cli import main, vi
from consolidate.cli.app import App, Command, Group
from consolidate.cli.crash import PREFIX, crash_path
from consolidate.core.config import Config
from tests.builders import submission

REPO = Path(__file__).resolve().parent.parent
CRASH_NAME = re.compile(rf"^{PREFIX}\d{{8}}-\d{{6}}-\d+-[0-9a-f]{{8}}\.txt$")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def crash_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tạm thời"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


# --- usage errors: exit 2, Vietnamese, naming the fix -------------------------------------------


def test_missing_argument() -> None:
    code, out, err = _run("ingest")
    assert code == 2 and out == ""
    assert err == (
        "Lỗi: Thiếu đối số 'ĐƯỜNG_DẪN...'.\n"
        "  Cách dùng: consolidate ingest [TÙY_CHỌN] ĐƯỜNG_DẪN...\n"
        "  Cách khắc phục: sửa lại lệnh theo hướng dẫn của `consolidate ingest --help`.\n"
    )


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "Báo cáo tuần 23.xlsx"
    code, out, err = _run("ingest", str(missing))
    assert code == 2 and out == ""
    assert err == (
        f"Lỗi: Giá trị không hợp lệ cho 'ĐƯỜNG_DẪN...': Không tìm thấy '{missing}': "
        "đường dẫn không tồn tại.\n"
        "  Cách dùng: consolidate ingest [TÙY_CHỌN] ĐƯỜNG_DẪN...\n"
        "  Cách khắc phục: sửa lại lệnh theo hướng dẫn của `consolidate ingest --help`.\n"
    )


def test_bad_week(workspace: Config, crash_dir: Path) -> None:
    code, out, err = _run("-w", str(workspace.root), "weekly", "--week", "2026-W99")
    assert code == 2 and out == ""
    assert err == (
        "Lỗi: Năm 2026 không có tuần 99 (tuần ISO từ 1 đến 52 hoặc 53).\n"
        "  Cách khắc phục: Sửa giá trị của tùy chọn kỳ báo cáo (--week, --period, --month "
        "hoặc --quarter) theo dạng nêu trên, hoặc bỏ tùy chọn đó để lập kỳ vừa chốt.\n"
    )
    code, _, err = _run("-w", str(workspace.root), "weekly", "--week", "tuần hai ba")
    assert code == 2
    assert err.startswith(
        "Lỗi: Không hiểu tuần “tuần hai ba”. Ghi số tuần ISO (1–53), ví dụ 48, tuần 48, "
        "48/2026 hoặc 2026-W48.\n"
    )
    assert list(crash_dir.iterdir()) == []  # a typo is not a crash


def test_bad_moment(workspace: Config) -> None:
    code, _, err = _run("-w", str(workspace.root), "status", "--now", "hôm qua")
    assert code == 2
    assert err == (
        "Lỗi: Giá trị của --now “hôm qua” không phải thời điểm hợp lệ.\n"
        '  Cách khắc phục: Ghi ngày giờ dạng dd/mm/yyyy HH:MM, ví dụ --now "04/06/2026 16:30".\n'
    )


def test_no_such_option_and_option_without_value() -> None:
    code, _, err = _run("weekly", "--wek", "2026-W23")
    assert code == 2
    assert err == (
        "Lỗi: Không có tùy chọn '--wek'. (Có phải ý bạn là một trong: '--now', '--week'?)\n"
        "  Cách dùng: consolidate weekly [TÙY_CHỌN]\n"
        "  Cách khắc phục: sửa lại lệnh theo hướng dẫn của `consolidate weekly --help`.\n"
    )
    code, _, err = _run("weekly", "--week")
    assert code == 2
    assert err.splitlines() == [
        "Lỗi: Tùy chọn '--week' cần một giá trị đi kèm.",
        "  Cách dùng: consolidate weekly [TÙY_CHỌN]",
        "  Cách khắc phục: sửa lại lệnh theo hướng dẫn của `consolidate weekly --help`.",
    ]


def test_no_such_command_and_bad_number() -> None:
    code, _, err = _run("weekli")
    assert code == 2
    assert err.splitlines()[:2] == [
        "Lỗi: Không có lệnh 'weekli'. Có phải ý bạn là 'weekly'?",
        "  Cách dùng: consolidate [TÙY_CHỌN] LỆNH [ĐỐI_SỐ]...",
    ]
    code, _, err = _run("demo", "x", "--seed", "abc")
    assert code == 2
    assert err.splitlines()[0] == (
        "Lỗi: Giá trị không hợp lệ cho '--seed': 'abc' không phải một số hợp lệ."
    )


def test_bad_choice_in_a_command_of_ours() -> None:
    """No command has a closed list today; the next one gets Vietnamese for free."""
    app = App("consolidate")

    @app.command(cls=Command)
    @click.option("--kind", type=click.Choice(["tuan", "du-an"]))
    def send(kind: str) -> None:
        """Gửi."""

    result = CliRunner().invoke(app, ["send", "--kind", "thang"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "Lỗi: Giá trị không hợp lệ cho '--kind': 'thang' không phải một trong 'tuan', 'du-an'."
    )


ENGLISH = re.compile(
    r"Usage|Options|Commands|Show this|and exit|default:|required|Error|Missing|"
    r"INTEGER|FLOAT|TEXT\b|does not|Invalid|Try '"
)


#: Click names an argument after its parameter when no metavar is set (PATHS..., [FILE]).
ARGUMENT_NAMES = re.compile(r"\b(PATHS?|FILE|DIRECTORY|DIR)\b")


def test_arguments_have_vietnamese_names(tmp_path: Path) -> None:
    code, _, err = _run("units", "import")
    assert code == 2
    assert err.splitlines()[:2] == [
        "Lỗi: Thiếu đối số 'TỆP'.",
        "  Cách dùng: consolidate units import [TÙY_CHỌN] TỆP",
    ]
    a_file = tmp_path / "tệp.txt"
    a_file.write_text("x", encoding="utf-8")
    code, _, err = _run("init", str(a_file))
    assert code == 2
    assert err.splitlines()[:2] == [
        f"Lỗi: Giá trị không hợp lệ cho '[THƯ_MỤC]': '{a_file}' là một tệp, cần một thư mục.",
        "  Cách dùng: consolidate init [TÙY_CHỌN] [THƯ_MỤC]",
    ]
    code, _, err = _run("status", "thừa")
    assert code == 2 and err.splitlines()[0] == "Lỗi: Thừa đối số không dùng đến: thừa."


@pytest.mark.parametrize(
    ("args", "example"), [((), "consolidate status"), (("mail",), "consolidate mail check")]
)
def test_a_group_without_its_command_shows_the_help_then_the_error(
    args: tuple[str, ...], example: str
) -> None:
    code, out, err = _run(*args)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[
        0
    ] == f"Cách dùng: consolidate {' '.join(args)} [TÙY_CHỌN] LỆNH [ĐỐI_SỐ]...".replace("  ", " ")
    assert "\nLệnh:\n" in err and "Lỗi: Cách dùng" not in err
    assert lines[-2:] == [
        "Lỗi: Thiếu lệnh.",
        f"  Cách khắc phục: ghi tên một lệnh trong danh sách trên, ví dụ `{example}`.",
    ]


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, (*prefix, name)))
        else:
            out.append((*prefix, name))
    return out


def test_help_speaks_vietnamese_everywhere() -> None:
    for path in _commands(main):
        code, out, _ = _run(*path, "--help")
        assert code == 0, path
        assert out.startswith(f"Cách dùng: consolidate {' '.join(path)}".rstrip()), path
        assert "\nTùy chọn:\n" in out and "Hiện hướng dẫn này rồi thoát." in out, path
        usage = out.splitlines()[0]
        body = "\n".join(out.splitlines()[1:])
        assert not ENGLISH.search(body), (path, ENGLISH.search(body))
        assert "[OPTIONS]" not in usage and "COMMAND" not in usage, path
        assert not ARGUMENT_NAMES.search(out), (path, ARGUMENT_NAMES.search(out))
    code, out, _ = _run("--help")
    assert "\nLệnh:\n" in out
    code, out, _ = _run("--version")
    assert code == 0 and out.startswith("consolidate, phiên bản ")


def test_every_command_is_ours() -> None:
    """Commands declared with plain click.command would miss the Vietnamese usage."""

    def walk(group: click.Group) -> None:
        for cmd in group.commands.values():
            assert isinstance(cmd, Command | Group), cmd.name
            if isinstance(cmd, click.Group):
                walk(cmd)

    walk(main)


def _click_texts() -> set[str]:
    """Every text click marks for translation in the modules the catalogue covers."""
    texts: set[str] = set()
    for name in vi.MODULES:
        spec = importlib.util.find_spec(name)
        assert spec and spec.origin
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "ngettext")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                texts.add(node.args[0].value)
    return texts


def test_catalogue_covers_every_text_click_marks() -> None:
    texts = _click_texts()
    assert "Missing argument" in texts  # the walk finds click's texts at all
    missing = sorted(t for t in texts if t not in vi.CATALOGUE and t not in vi.DEVELOPER_ONLY)
    assert missing == []
    assert all(t in vi.CATALOGUE for t in vi.PLURALS)


# --- a bug of ours: exit 3 and a crash file, uniquely named, printed, without secrets -----------


def test_internal_failure_in_a_build_exits_3_with_a_crash_file(
    workspace: Config, crash_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "mật-khẩu-thư-điện-tử-42"
    monkeypatch.setenv("CONSOLIDATE_MAIL_PASSWORD", secret)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"injected failure while building (login {secret})")

    monkeypatch.setattr(build, "weekly_data", broken)
    args = ("-w", str(workspace.root), "weekly", "--week", "2026-W23")
    code, out, err = _run(*args)
    assert code == 3 and out == ""
    files = list(crash_dir.iterdir())
    assert len(files) == 1 and CRASH_NAME.match(files[0].name), files
    assert err == (
        "Lỗi: consolidate gặp sự cố ngoài dự kiến; dữ liệu đã nhận vẫn được giữ nguyên. "
        f"Chi tiết kỹ thuật đã lưu tại {files[0]}.\n"
        "  Cách khắc phục: gửi tệp này cho nhóm phát triển (hoặc chạy lại lệnh với --debug "
        "để xem chi tiết).\n"
    )
    text = files[0].read_text(encoding="utf-8")
    assert "RuntimeError: injected failure while building (login ***)" in text
    assert "in broken" in text and "build_weekly" in text
    assert secret not in text
    # a second crash in the same second gets its own file
    assert _run(*args)[0] == 3
    names = {p.name for p in crash_dir.iterdir()}
    assert len(names) == 2 and all(CRASH_NAME.match(n) for n in names)


def test_a_value_error_inside_a_build_is_a_bug_not_a_typo(
    workspace: Config, crash_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: any ValueError in a build became exit 2 with click's English "Invalid value"."""

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("invalid literal for int() with base 10: 'x'")

    monkeypatch.setattr(build, "weekly_data", broken)
    code, _, err = _run("-w", str(workspace.root), "weekly", "--week", "2026-W23")
    assert code == 3 and "Invalid value" not in err
    (crash,) = crash_dir.iterdir()
    assert "ValueError: invalid literal" in crash.read_text(encoding="utf-8")


def test_secrets_read_from_the_keyring_are_blanked_too(
    workspace: Config, crash_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from consolidate.core.secrets import remember

    from_keyring = remember("khóa-từ-keyring-7f3a")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"login failed for {from_keyring}")

    monkeypatch.setattr(build, "weekly_data", broken)
    assert _run("-w", str(workspace.root), "weekly")[0] == 3
    (crash,) = crash_dir.iterdir()
    text = crash.read_text(encoding="utf-8")
    assert "login failed for ***" in text and from_keyring not in text


def test_crash_names_never_collide_within_one_second(tmp_path: Path) -> None:
    moment = datetime(2026, 6, 5, 8, 0, 0)
    names = {crash_path(tmp_path, moment).name for _ in range(200)}
    assert len(names) == 200


def test_debug_shows_the_traceback(workspace: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("injected")

    monkeypatch.setattr(build, "weekly_data", broken)
    result = CliRunner().invoke(main, ["--debug", "-w", str(workspace.root), "weekly"])
    assert isinstance(result.exception, RuntimeError)


# --- a closed pipe: quiet, never 3, no crash file ----------------------------------------------


def _closed_reader(
    workspace: Config,
    tmp_path: Path,
    *args: str,
    read_lines: int = 0,
    env_extra: dict[str, str] | None = None,
    timeout: float = 120,
) -> tuple[int, bytes]:
    """Run the real CLI with stdout into a pipe whose reader is closed at once (or after
    ``read_lines`` lines, like ``| head -n``); the command must end within ``timeout``."""
    crash_tmp = tmp_path / "crash-tmp"
    crash_tmp.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(crash_tmp), "TEMP": str(crash_tmp), "TMP": str(crash_tmp)}
    env.update(env_extra or {})
    proc = subprocess.Popen(
        [sys.executable, "-m", "consolidate", "-w", str(workspace.root), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        for _ in range(read_lines):
            assert proc.stdout.readline()
        proc.stdout.close()  # the reader goes away (before the first byte when read_lines=0)
        code = proc.wait(timeout=timeout)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    err = proc.stderr.read()
    proc.stderr.close()
    assert list(crash_tmp.iterdir()) == []
    return code, err


def test_status_into_a_closed_pipe_ends_quietly(workspace: Config, tmp_path: Path) -> None:
    code, err = _closed_reader(workspace, tmp_path, "status")
    assert code in (0, 141) and err == b""


def test_weekly_into_a_closed_pipe_ends_quietly(workspace: Config, tmp_path: Path) -> None:
    submission(workspace, workspace.inbox / "SKHCN.xlsx")
    assert _run("-w", str(workspace.root), "ingest", str(workspace.inbox))[0] == 0
    code, err = _closed_reader(workspace, tmp_path, "weekly", "--week", "2026-W23")
    assert code in (0, 141) and err == b""
    assert (workspace.outbox / "Bao-cao-tuan-2026-W23.xlsx").exists()  # the work was done


@pytest.mark.parametrize("read_lines", [0, 1])
def test_watch_into_a_closed_pipe_stops(workspace: Config, tmp_path: Path, read_lines: int) -> None:
    """`watch | true` and `watch | head -1`: the watcher stops instead of watching on for
    no one (it printed into the void before), exit 141, no crash file."""
    code, err = _closed_reader(workspace, tmp_path, "watch", read_lines=read_lines, timeout=30)
    assert code == 141 and err == b""


def _unused_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("read_lines", [0, 2])
def test_watch_mail_into_a_closed_pipe_stops(
    workspace: Config, tmp_path: Path, read_lines: int
) -> None:
    """`watch --mail | head -2`: the mailbox thread stops with the folder watcher (here the
    mail server is down, so the thread would retry, printing, for ever)."""
    from tests.mailservers import configure, mail_config_text

    port = _unused_port()
    configure(workspace.root, mail_config_text(port, port))
    code, err = _closed_reader(
        workspace,
        tmp_path,
        "watch",
        "--mail",
        read_lines=read_lines,
        env_extra={"CONSOLIDATE_MAIL_PASSWORD": "mật-khẩu-thử"},
        timeout=30,
    )
    assert code == 141 and err == b""


# --- the system's words: the reasons of OSError and tomllib in Vietnamese -----------------------


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (FileNotFoundError(2, "No such file or directory"), "không tìm thấy tệp hoặc thư mục"),
        (PermissionError(13, "Permission denied"), "không có quyền truy cập"),
        (OSError(28, "No space left on device"), "ổ đĩa đã đầy"),
        (ConnectionRefusedError(111, "Connection refused"), "máy chủ từ chối kết nối"),
    ],
)
def test_os_errors_read_in_vietnamese(exc: OSError, reason: str) -> None:
    from consolidate.core.errors import os_reason

    assert os_reason(exc) == reason


def test_os_reason_windows_sharing_violation_and_unknown_codes() -> None:
    from consolidate.core.errors import os_reason

    held = PermissionError(13, "The process cannot access the file")
    held.winerror = 32  # type: ignore[attr-defined]  # what Windows sets for a file Excel holds
    assert os_reason(held) == "tệp đang được chương trình khác mở (có thể là Excel)"
    assert os_reason(OSError(9999, "Strange")) == "lỗi hệ thống 9999: Strange"
    try:
        b"\xff".decode("utf-8")
    except UnicodeDecodeError as exc:
        assert os_reason(exc) == "nội dung không phải văn bản UTF-8"


def test_a_missing_register_file_is_named_in_vietnamese(workspace: Config) -> None:
    assert not workspace.register.exists()
    code, out, err = _run("-w", str(workspace.root), "register", "import")
    assert code == 2 and out == ""
    assert err.splitlines()[0] == (
        f"Lỗi: Không đọc được tệp danh mục {workspace.register}: không tìm thấy tệp hoặc thư mục."
    )


def test_a_toml_syntax_error_names_line_and_column_in_vietnamese(workspace: Config) -> None:
    path = workspace.root / "consolidate.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "timezone Asia/Ho_Chi_Minh")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = _run("-w", str(workspace.root), "status")
    assert code == 2
    assert err.splitlines() == [
        "Lỗi: Tệp cấu hình consolidate.toml sai cú pháp TOML: thiếu dấu '=' sau tên khóa "
        "(dòng 3, cột 10).",
        "  Cách khắc phục: Sửa dòng được nêu (chuỗi phải đặt trong ngoặc kép, mỗi khóa một dòng).",
    ]
