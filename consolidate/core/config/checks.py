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


#: tomllib's messages (English) -> what the officer reads; a pattern matches the start.
_TOML_VI = (
    ("Expected '=' after a key", "thiếu dấu '=' sau tên khóa"),
    ("Invalid value", "giá trị không hợp lệ (chuỗi phải đặt trong ngoặc kép)"),
    ("Unterminated string", "chuỗi thiếu dấu ngoặc kép đóng"),
    ('Expected "\'"', "chuỗi thiếu dấu nháy đơn đóng"),
    ("Cannot overwrite a value", "một khóa được ghi hai lần"),
    ("Cannot declare", "một bảng [..] được khai báo hai lần"),
    ("Cannot redefine", "một bảng [..] được khai báo hai lần"),
    ("Cannot mutate", "một bảng [..] được khai báo hai lần"),
    ("Duplicate inline table key", "một khóa được ghi hai lần"),
    ("Expected newline or end of document", "sau giá trị còn chữ thừa (mỗi khóa một dòng)"),
    ("Expected ']' at the end of a table", "tên bảng thiếu dấu ']'"),
    ("Expected ']]'", "tên bảng thiếu dấu ']]'"),
    ("Unclosed array", "danh sách thiếu dấu ']'"),
    ("Unclosed inline table", "bảng trên một dòng thiếu dấu '}'"),
    ("Invalid statement", "dòng không phải 'khóa = giá trị' hay '[bảng]'"),
    ("Invalid initial character for a key", "tên khóa bắt đầu bằng ký tự không hợp lệ"),
    ("Invalid date", "ngày giờ không hợp lệ"),
    ("Illegal character", "có ký tự không được phép"),
    ("Found invalid character", "có ký tự không được phép"),
)


def toml_problem(exc: tomllib.TOMLDecodeError) -> str:
    """'thiếu dấu '=' sau tên khóa (dòng 3, cột 5)': tomllib's error in Vietnamese."""
    import re

    text = str(exc)
    where = ""
    m = re.search(r"\(at line (\d+), column (\d+)\)$", text)
    if m:
        where = f" (dòng {m[1]}, cột {m[2]})"
    elif text.endswith("(at end of document)"):
        where = " (ở cuối tệp)"
    what = next((vi for en, vi in _TOML_VI if text.startswith(en)), "lỗi cú pháp")
    return what + where
