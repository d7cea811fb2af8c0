"""Every default of the calendar is written once: in consolidate/data/default_config.toml."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from datetime import time
from pathlib import Path

from consolidate.core.config import (
    WEEKDAY_NAMES_VI,
    Calendar,
    WeekdayTime,
    default_calendar,
    default_config_text,
    init_workspace,
    load_config,
)

REPO = Path(__file__).resolve().parent.parent


def test_calendar_has_no_defaults_of_its_own() -> None:
    for f in dataclasses.fields(Calendar):
        assert f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def test_a_missing_key_takes_the_value_of_default_config(tmp_path: Path) -> None:
    table = tomllib.loads(default_config_text())["calendar"]
    config = init_workspace(tmp_path / "ws")
    path = config.root / "consolidate.toml"
    text = path.read_text(encoding="utf-8")
    # drop every calendar key: the workspace falls back to default_config.toml
    kept = [
        line for line in text.splitlines() if not re.match(r"^(" + "|".join(table) + r")\s*=", line)
    ]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    cal = load_config(config.root).calendar
    assert cal == default_calendar()
    assert cal.twice_monthly_cutoff_days == tuple(table["twice_monthly_cutoff_days"])
    assert cal.due_soon_days == table["due_soon_days"]
    day, at = table["weekly_cutoff"].split()
    hh, mm = at.split(":")
    assert cal.weekly_cutoff == WeekdayTime(
        [n.casefold() for n in ("monday", "tuesday", "wednesday", "thursday", "friday")].index(day),
        time(int(hh), int(mm)),
    )


def test_no_calendar_default_is_repeated_in_the_code() -> None:
    """The cut-off values of default_config.toml appear in no product module or help text."""
    table = tomllib.loads(default_config_text())["calendar"]
    _, at = table["weekly_cutoff"].split()
    days = table["twice_monthly_cutoff_days"]
    patterns = [
        re.escape(table["weekly_cutoff"]),
        re.escape(f"{at} {WEEKDAY_NAMES_VI[3]}"),
        rf"{at}\s+thứ\s+Năm",
        rf"\(\s*{days[0]},\s*{days[1]}\s*\)",
        rf"\[\s*{days[0]},\s*{days[1]}\s*\]",
        rf"ngày\s+0?{days[0]}\s+và\s+{days[1]}",
        rf"chốt ngày 0?{days[0]}",
    ]
    offenders = []
    for folder in ("consolidate", "schemas"):
        for path in (REPO / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for pattern in patterns:
                for m in re.finditer(pattern, text):
                    line = text.count("\n", 0, m.start()) + 1
                    offenders.append(f"{path.relative_to(REPO)}:{line}: {m.group(0)}")
    assert offenders == []
