"""Workspace and configuration: defaults, master data, Vietnamese errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from consolidate.core.config import CONFIG_NAME, default_config_text, init_workspace, load_config
from consolidate.core.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent


def test_repository_root_is_a_ready_workspace() -> None:
    config = load_config(REPO)
    assert (REPO / CONFIG_NAME).read_text(encoding="utf-8") == default_config_text()
    assert config.calendar.timezone == "Asia/Ho_Chi_Minh"
    assert (
        config.calendar.weekly_cutoff.weekday == 3 and config.calendar.weekly_cutoff.at.hour == 17
    )
    assert (
        config.calendar.weekly_delivery.weekday == 4
        and config.calendar.weekly_delivery.at.hour == 10
    )
    assert config.calendar.twice_monthly_cutoff_days == (5, 20)
    assert config.calendar.twice_monthly_delivery_days == (7, 22)
    assert config.calendar.due_soon_days == 7


def test_master_data_has_the_units_named_in_the_letters() -> None:
    names = {u.name for u in load_config(REPO).units}
    for name in (
        "Sở Khoa học và Công nghệ", "Sở Nội vụ", "Sở Tư pháp", "Sở Giáo dục và Đào tạo",
        "Sở Tài chính", "Công an tỉnh", "Thanh tra tỉnh", "Văn phòng UBND tỉnh",
        "Ban Quản lý Khu kinh tế Phú Yên",
    ):  # fmt: skip
        assert name in names
    kinds = {u.kind for u in load_config(REPO).units}
    assert kinds == {"so-ban-nganh", "xa-phuong"}


def test_unit_index_resolves_name_code_alias() -> None:
    index = load_config(REPO).unit_index
    for text in ("SKHCN", "Sở KH&CN", "sở khoa học và công nghệ", "So Khoa hoc va Cong nghe"):
        unit = index.resolve(text)
        assert unit is not None and unit.code == "SKHCN"
    assert index.resolve("Sở Không Có") is None


def test_init_creates_a_workspace(tmp_path: Path) -> None:
    config = init_workspace(tmp_path / "Thư mục mới có dấu cách")
    for folder in (config.inbox, config.outbox, config.archive, config.store.parent):
        assert folder.is_dir()


# A unit list written in consolidate.toml itself (still allowed; wins over data/don-vi.csv).
UNITS_TOML = "".join(
    f'\n[[units]]\ncode = "{code}"\nname = "{name}"\nreports = [{reports}]\n'
    for code, name, reports in (
        ("SKHCN", "Sở Khoa học và Công nghệ", '"weekly", "projects"'),
        ("STP", "Sở Tư pháp", '"weekly"'),
        ("STC", "Sở Tài chính", '"weekly"'),
        ("SNV", "Sở Nội vụ", '"weekly"'),
    )
)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (
            'weekly_cutoff = "thursday 17:00"',
            'weekly_cutoff = "thursday 25:00"',
            "calendar.weekly_cutoff",
        ),
        (
            'weekly_cutoff = "thursday 17:00"',
            'weekly_cutoff = "someday 17:00"',
            "calendar.weekly_cutoff",
        ),
        ('timezone = "Asia/Ho_Chi_Minh"', 'timezone = "Asia/Hanoi_City"', "calendar.timezone"),
        ("due_soon_days = 7", 'due_soon_days = "bảy"', "calendar.due_soon_days"),
        (
            "twice_monthly_cutoff_days = [5, 20]",
            "twice_monthly_cutoff_days = [5, 40]",
            "calendar.twice_monthly_cutoff_days",
        ),
        ('six_clear = "warning"', 'six_clear = "maybe"', "validation.six_clear"),
        ('code = "SNV"', 'code = "SKHCN"', "units[4].code"),
        ('reports = ["weekly"]', 'reports = ["daily"]', "units[2].reports"),
    ],
)
def test_bad_config_names_the_key_and_the_fix(tmp_path: Path, old: str, new: str, key: str) -> None:
    text = default_config_text() + UNITS_TOML
    assert old in text
    (tmp_path / CONFIG_NAME).write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert f"'{key}'" in err.value.message
    assert err.value.hint


def test_toml_syntax_error(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text("[calendar\ntimezone = 1", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert "TOML" in err.value.message
