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
