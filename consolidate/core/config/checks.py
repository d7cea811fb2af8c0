"""Reading values of ``consolidate.toml``: the packaged defaults and checks that name the key.

Every check raises :class:`~consolidate.core.errors.ConfigError` with the key, what is wrong
and the fix, in Vietnamese. The sections of the configuration (calendar, office, scorecard,
units, mail) all use these, so that one wrong value reads the same wherever it is.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

from consolidate.core.errors import ConfigError

CONFIG_NAME = "consolidate.toml"


@cache
def default_config_text() -> str:
    """The packaged ``default_config.toml``: what ``consolidate init`` writes."""
    return (
        resources.files("consolidate.data")
        .joinpath("default_config.toml")
        .read_text(encoding="utf-8")
    )


@cache
def default_table(section: str) -> dict[str, Any]:
    """One section of ``default_config.toml`` (the one place the calendar's defaults live)."""
    table = tomllib.loads(default_config_text())[section]
    assert isinstance(table, dict)
    return table


def bad(key: str, problem: str, fix: str) -> ConfigError:
    """The error of one key: 'Cấu hình sai tại khóa …: <problem>.' and the fix."""
    return ConfigError(f"Cấu hình sai tại khóa '{key}': {problem}.", fix)


KIND_VI = {str: "chuỗi trong ngoặc kép", int: "số nguyên", float: "số", list: "danh sách [..]"}


def typed(table: dict[str, Any], section: str, key: str, default: Any, kind: type) -> Any:
    """``table[key]`` (or ``default``) checked to be of ``kind``; an int is a fine float."""
    value = table.get(key, default)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise bad(
            f"{section}.{key}",
            f"giá trị {value!r} không đúng kiểu",
            f"Ghi một giá trị kiểu {KIND_VI.get(kind, kind.__name__)}, ví dụ {default!r}.",
        )
    return value


def choice(key: str, value: Any, allowed: tuple[str, ...]) -> str:
    """``value`` if it is one of ``allowed``."""
    if value not in allowed:
        raise bad(key, f"'{value}' không hợp lệ", f"Chọn một trong: {', '.join(allowed)}.")
    return str(value)


def number(key: str, value: Any) -> float:
    """``value`` as a float, if it is a TOML number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad(key, f"{value!r} không phải số", "Ghi một số, ví dụ 40.")
    return float(value)
