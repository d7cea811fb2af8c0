"""A week is taken however the tool itself writes it (defect 15): `--week 48`, "tuần 48",
"48/2026" and "2026-W48" in every command that takes a week; without a year, the ISO year of
today (`--now`)."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from consolidate.cli import main
from consolidate.core.config import Config

NOW = "28/11/2026 10:00"
FORMS = ["48", "tuần 48", "Tuần 48/2026", "48/2026", "2026-W48"]


def _json(config: Config, *args: str) -> dict[str, object]:
    result = CliRunner().invoke(main, ["-w", str(config.root), *args, "--now", NOW, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize("week", FORMS)
def test_weekly_takes_every_spelling_of_a_week(workspace: Config, week: str) -> None:
    got = _json(workspace, "weekly", "--week", week)
    assert got["period"]["key"] == "2026-W48"  # type: ignore[index]
    assert (workspace.outbox / "Bao-cao-tuan-2026-W48.xlsx").is_file()


def test_trends_and_scorecard_take_them_too(workspace: Config) -> None:
    got = _json(workspace, "trends", "--week", "tuần 48", "--weeks", "2")
    assert [r["period"] for r in got["weeks"]] == ["2026-W47", "2026-W48"]  # type: ignore[attr-defined]
    got = _json(workspace, "scorecard", "--from", "40", "--to", "48/2026")
    assert got["range"]["key"] == "2026-W40-2026-W48"  # type: ignore[index]


def test_a_week_without_a_year_is_of_the_iso_year_of_now(workspace: Config) -> None:
    result = CliRunner().invoke(
        main, ["-w", str(workspace.root), "trends", "--week", "53", "--now", "02/01/2027 10:00",
               "--weeks", "2", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["weeks"][-1]["period"] == "2026-W53"


@pytest.mark.parametrize("command", [["weekly"], ["trends"], ["scorecard"]])
def test_the_help_says_how_to_write_a_week(command: list[str]) -> None:
    out = " ".join(CliRunner().invoke(main, [*command, "--help"]).output.split())
    assert re.search(r'\d\d, "tuần \d\d", \d\d/2026 hoặc 2026-W\d\d', out), out
    assert "không ghi năm: năm hiện tại" in out
