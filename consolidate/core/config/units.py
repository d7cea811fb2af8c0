"""Which unit list a workspace uses: ``[[units]]``, else its imported file, else ours.

The list itself (fields, checks, CSV) is :mod:`consolidate.core.units`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from consolidate.core.config.checks import bad, typed
from consolidate.core.errors import ConfigError, os_reason
from consolidate.core.units import Unit, UnitProblem, check_units, default_units_text, rows_from_csv

UNITS_FILE = "data/don-vi.csv"


def parse_units(raw: Any) -> list[Unit]:
    """``[[units]]`` tables of consolidate.toml."""
    if not isinstance(raw, list) or not raw:
        raise bad(
            "units", "chưa khai báo đơn vị nào", "Thêm ít nhất một bảng [[units]] có code và name."
        )
    items: list[tuple[str, dict[str, Any]]] = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise bad(
                f"units[{i}]", "không phải bảng [[units]]", "Mỗi đơn vị là một bảng [[units]]."
            )
        items.append((f"units[{i}]", item))
    units, problems = check_units(items)
    if problems:
        first = problems[0]
        raise bad(first.where, first.problem, first.fix)
    return units


def units_file(root: Path, ws: dict[str, Any]) -> Path:
    """Where the workspace keeps its imported unit list."""
    return root / typed(ws, "workspace", "units", UNITS_FILE, str)


def load_unit_list(path: Path) -> list[Unit]:
    """The workspace's unit list, or the packaged default when none was imported."""
    source = path.name
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"Không đọc được danh mục đơn vị {path}: {os_reason(exc)}.",
            "Nhập lại danh mục bằng `consolidate units import TỆP`.",
        ) from exc
    if text is None:
        text, source = default_units_text(), "danh mục đơn vị mặc định"
    rows, missing = rows_from_csv(text)
    problems = [UnitProblem(source, f"thiếu cột '{k}'", "Dòng đầu ghi tên cột.") for k in missing]
    units, more = check_units(rows)
    problems += more
    if problems:
        raise ConfigError(
            f"Danh mục đơn vị {source} sai: {problems[0]}",
            "Nhập lại danh mục bằng `consolidate units import TỆP` (lệnh kiểm tra toàn bộ tệp).",
        )
    return units
