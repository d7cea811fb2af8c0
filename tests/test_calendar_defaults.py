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


def test_mail_and_remind_settings_have_no_defaults_of_their_own() -> None:
    from consolidate.mail.config import MailSettings, RemindSchedule

    for cls in (MailSettings, RemindSchedule):
        for f in dataclasses.fields(cls):
            assert f.default is dataclasses.MISSING, (cls.__name__, f.name)
            assert f.default_factory is dataclasses.MISSING, (cls.__name__, f.name)


def test_a_workspace_without_mail_and_remind_takes_default_config(tmp_path: Path) -> None:
    from consolidate.core.config.calendar import parse_time, parse_weekday_time
    from consolidate.mail.config import load_mail_settings

    config = init_workspace(tmp_path / "ws")
    path = config.root / "consolidate.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[mail]")
    end = text.find("\n[", text.index("[remind]") + 1)
    path.write_text(text[:start] + (text[end:] if end >= 0 else ""), encoding="utf-8")
    assert "[remind]" not in path.read_text(encoding="utf-8")
    settings = load_mail_settings(load_config(config.root))
    defaults = tomllib.loads(default_config_text())
    mail, remind = defaults["mail"], defaults["remind"]
    assert settings.imap_port == mail["imap_port"] and settings.smtp_port == mail["smtp_port"]
    assert settings.imap_folder == mail["imap_folder"]
    assert settings.max_attachment_mb == mail["max_attachment_mb"]
    assert settings.max_replies_per_sender_per_hour == mail["max_replies_per_sender_per_hour"]
    assert settings.poll_seconds == mail["poll_seconds"]
    assert settings.batch_size == mail["batch_size"]
    schedule = settings.remind
    assert schedule.weekly_before == parse_weekday_time("x", remind["weekly_before"])
    assert schedule.weekly_overdue == parse_weekday_time("x", remind["weekly_overdue"])
    assert schedule.weekly_summary == parse_weekday_time("x", remind["weekly_summary"])
    assert schedule.projects_days_before == remind["projects_days_before"]
    assert schedule.projects_time == parse_time("x", remind["projects_time"])
    assert schedule.enabled is remind["enabled"]


def test_no_remind_default_is_repeated_in_the_code() -> None:
    """The reminder times of default_config.toml appear in no product module."""
    remind = tomllib.loads(default_config_text())["remind"]
    patterns = [re.escape(remind[k]) for k in ("weekly_before", "weekly_overdue", "weekly_summary")]
    offenders = [
        f"{path.relative_to(REPO)}: {pattern}"
        for path in (REPO / "consolidate").rglob("*.py")
        for pattern in patterns
        if re.search(pattern, path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
