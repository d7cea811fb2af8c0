"""Configuration of the history views: [trends], [scorecard] weights and bands, units'
since/until. The loader rejects bands with a gap or an overlap, naming the key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from consolidate.core.config import CONFIG_NAME, default_config_text, load_config
from consolidate.core.errors import ConfigError

BANDS = """
[[scorecard.bands]]
band = "A"
from = {a}
to = 100
[[scorecard.bands]]
band = "B"
from = 50
to = {b}
[[scorecard.bands]]
band = "C"
from = 0
to = 50
"""


def _write(tmp_path: Path, extra: str, units: str | None = None) -> Path:
    unit = units or '[[units]]\ncode = "X"\nname = "Xã X"\nkind = "xa-phuong"\n'
    (tmp_path / CONFIG_NAME).write_text(extra + "\n" + unit, encoding="utf-8")
    return tmp_path


def test_defaults_from_the_shipped_configuration(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text(default_config_text(), encoding="utf-8")
    config = load_config(tmp_path)
    assert config.trends.weeks == 8
    assert dict(config.scorecard.weights) == {
        "reporting": 40.0, "tasks": 30.0, "six_clear": 15.0, "disbursement": 15.0,
    }  # fmt: skip
    assert [(b.name, b.low, b.high) for b in config.scorecard.bands] == [
        ("A", 90, 100), ("B", 75, 90), ("C", 60, 75), ("D", 40, 60), ("E", 0, 40),
    ]  # fmt: skip
    assert config.scorecard.band_of(100).name == "A"
    assert config.scorecard.band_of(90).name == "A"
    assert config.scorecard.band_of(89.9).name == "B"
    assert config.scorecard.band_of(0).name == "E"


def test_contiguous_bands_load(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, BANDS.format(a=80, b=80)))
    assert [b.name for b in config.scorecard.bands] == ["A", "B", "C"]
    assert config.scorecard.band_of(79.99).name == "B"


def test_a_gap_between_bands_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, BANDS.format(a=85, b=80)))
    assert "scorecard.bands" in err.value.message
    assert "hở từ 80 đến 85" in err.value.message
    assert "from của mức A bằng to của mức B" in err.value.hint


def test_overlapping_bands_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, BANDS.format(a=75, b=80)))
    assert "chồng lên nhau" in err.value.message
    assert "mức B (50–80) và mức A (75–100)" in err.value.message


@pytest.mark.parametrize(
    ("bands", "problem"),
    [
        ('[[scorecard.bands]]\nband = "A"\nfrom = 10\nto = 100\n', "hở từ 0 đến 10"),
        ('[[scorecard.bands]]\nband = "A"\nfrom = 0\nto = 95\n', "hở từ 95 đến 100"),
        ('[[scorecard.bands]]\nband = "A"\nfrom = 50\nto = 40\n', "không hợp lệ"),
        (
            '[[scorecard.bands]]\nband = "A"\nfrom = 0\nto = 50\n'
            '[[scorecard.bands]]\nband = "A"\nfrom = 50\nto = 100\n',
            "tên mức bị trùng",
        ),
        ('[[scorecard.bands]]\nband = "A"\nfrom = "0"\nto = 100\n', "không phải số"),
    ],
)
def test_bad_bands_name_the_problem(tmp_path: Path, bands: str, problem: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, bands))
    assert problem in err.value.message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[scorecard.weights]\nspeed = 5\n", "scorecard.weights.speed"),
        ("[scorecard.weights]\nreporting = -1\n", "scorecard.weights.reporting"),
        (
            "[scorecard.weights]\nreporting = 0\ntasks = 0\nsix_clear = 0\ndisbursement = 0\n",
            "scorecard.weights",
        ),
        ("[scorecard]\nlate_credit = 2\n", "scorecard.late_credit"),
        ("[trends]\nweeks = 1\n", "trends.weeks"),
    ],
)
def test_bad_weights_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, text))
    assert f"'{key}'" in err.value.message


def test_units_since_and_until(tmp_path: Path) -> None:
    units = (
        '[[units]]\ncode = "X"\nname = "Xã X"\nsince = 2026-07-01\n'
        '[[units]]\ncode = "Y"\nname = "Xã Y"\nuntil = "30/06/2026"\n'
    )
    config = load_config(_write(tmp_path, "", units))
    x, y = config.units
    assert x.since == date(2026, 7, 1) and x.until is None
    assert y.until == date(2026, 6, 30)
    assert [u.code for u in config.unit_index.owing("weekly", date(2026, 6, 30))] == ["Y"]
    assert [u.code for u in config.unit_index.owing("weekly", date(2026, 7, 2))] == ["X"]


def test_until_before_since_is_rejected(tmp_path: Path) -> None:
    units = '[[units]]\ncode = "X"\nname = "Xã X"\nsince = "2026-07-01"\nuntil = "2026-06-01"\n'
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, "", units))
    assert "'units[1].until'" in err.value.message


def test_bad_since_is_rejected(tmp_path: Path) -> None:
    units = '[[units]]\ncode = "X"\nname = "Xã X"\nsince = "tháng sau"\n'
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, "", units))
    assert "'units[1].since'" in err.value.message
