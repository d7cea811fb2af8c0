"""Meta-tests: every command has help text and a README entry; --help is fast to import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from consolidate.cli import main

REPO = Path(__file__).resolve().parent.parent


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in group.commands.items():
        full = f"{prefix}{name}"
        out.append((full, cmd))
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, full + " "))
    return out


def test_every_command_has_help_and_a_readme_entry() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, cmd in _commands(main):
        assert cmd.help, name
        result = CliRunner().invoke(main, [*name.split(), "--help"])
        assert result.exit_code == 0, name
        if not isinstance(cmd, click.Group):
            assert f"`consolidate {name}" in readme, f"README lacks {name}"


def test_cli_start_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from consolidate.cli import main; "
        "heavy = [m for m in ('pandas', 'pandera', 'openpyxl', 'xlsxwriter', 'watchdog') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = ci.strip().splitlines()[-1]
    assert command in readme


def test_code_is_ruff_clean() -> None:
    """Lint is part of the test command, so CI keeps it clean (mypy: `make lint`)."""
    folders = [
        f for f in ("consolidate", "schemas", "tests", "bench", "scripts") if (REPO / f).is_dir()
    ]
    check = subprocess.run(
        [sys.executable, "-m", "ruff", "check", *folders], cwd=REPO, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", *folders],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stdout


def _code_lines(text: str) -> list[str]:
    """The lines of the fenced code blocks of a Markdown text, in order."""
    out, inside = [], False
    for line in text.splitlines():
        if line.strip().startswith("```"):
            inside = not inside
            continue
        if inside:
            out.append(line.strip())
    return out


def test_windows_steps_of_the_guide_work_as_written() -> None:
    """Defect 15: the guide ran `consolidate` with the environment not on the PATH and `cd
    "D:\\…"` without /d (Command Prompt stays on drive C:). Each code line that runs the
    bare `consolidate` comes after the line that activates the environment; every `cd` to
    a drive in Command Prompt has /d; the environment is created where it is activated."""
    guide = (REPO / "docs" / "huong-dan-chuyen-vien.md").read_text(encoding="utf-8")
    lines = _code_lines(guide)
    activate = next(i for i, ln in enumerate(lines) if ln.endswith(r"\.venv\Scripts\activate.bat"))
    program = lines[activate].removesuffix(r"\.venv\Scripts\activate.bat")
    assert f"cd /d {program}" in lines[:activate]
    assert "py -m venv .venv" in lines[:activate]
    for i, line in enumerate(lines):
        if line.startswith("consolidate "):
            assert i > activate, line
        if line.startswith("cd ") and ":\\" in line:
            assert line.startswith("cd /d "), line
    assert 'cd "D:' not in guide.replace('`cd "D:\\Báo cáo Tổ giúp việc"` (không có `/d`)', "")


def test_windows_lines_of_the_readme_use_the_environment() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (windows,) = [ln for ln in _code_lines(readme) if ln.startswith("py -m venv")]
    steps = windows.split(" && ")
    assert steps[0] == "py -m venv .venv"
    assert all(s.startswith(".venv\\Scripts\\") for s in steps[1:]), steps
    assert "activate.bat" in readme and 'cd /d "D:' in readme
