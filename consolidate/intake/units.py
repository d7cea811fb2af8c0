"""``consolidate units import``: replace the workspace's unit list from an officer's file.

The file (``.csv`` or ``.xlsx``: code, name, kind, aliases, e-mail, reports) is checked in
full first; nothing changes unless every row is right. The difference with the current list
(added, renamed, changed, removed) is shown; a removed unit stays on the list with ``until``
(the day before the import), so its stored history and what it owed stay right. The
new list replaces ``data/don-vi.csv`` atomically, and the list it replaces is kept in
``data/don-vi.versions/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from consolidate.core.config import Config
from consolidate.core.errors import ConfigError, UnitListError, os_reason
from consolidate.core.files import write_atomic
from consolidate.core.lock import workspace_lock
from consolidate.core.units import (
    Unit,
    UnitProblem,
    check_units,
    header_map,
    rows_from_csv,
    units_csv_text,
)

_HINT = "Sửa các dòng được nêu rồi chạy lại `consolidate units import`; danh mục cũ vẫn giữ nguyên."


@dataclass
class UnitChanges:
    added: list[Unit] = field(default_factory=list)
    renamed: list[tuple[Unit, Unit]] = field(default_factory=list)  # (old, new): same code
    changed: list[tuple[Unit, Unit]] = field(default_factory=list)  # kind/aliases/email/reports
    removed: list[Unit] = field(default_factory=list)
    history: dict[str, int] = field(default_factory=dict)  # removed code -> stored submissions

    @property
    def empty(self) -> bool:
        return not (self.added or self.renamed or self.changed or self.removed)


@dataclass
class UnitImport:
    path: Path
    units: list[Unit]
    changes: UnitChanges
    target: Path | None = None
    backup: Path | None = None


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if value is None or isinstance(value, str) else str(value)


def _rows_from_xlsx(path: Path) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnitListError(
            f"Không đọc được {path.name} như một bảng tính Excel (.xlsx).",
            "Mở tệp bằng Excel và lưu lại dạng .xlsx, hoặc lưu dạng .csv (UTF-8).",
        ) from exc
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            for n, header in enumerate(rows, start=1):
                if n > 10:
                    break
                cols = header_map(header)
                if {"code", "name"} <= set(cols.values()):
                    out: list[tuple[str, dict[str, Any]]] = []
                    for r, record in enumerate(rows, start=n + 1):
                        if r > 10_000:
                            break
                        item = {cols[i]: _cell(v) for i, v in enumerate(record) if i in cols}
                        if any(v not in (None, "") for v in item.values()):
                            out.append((f"trang '{sheet.title}', dòng {r}", item))
                    return out, []
        return [], ["code", "name"]
    finally:
        book.close()


def read_unit_file(path: Path) -> list[Unit]:
    """Every unit of ``path``, or UnitListError naming every bad row."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows, missing = _rows_from_xlsx(path)
    elif suffix in (".csv", ".txt"):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UnitListError(f"Không đọc được {path}: {os_reason(exc)}.", _HINT) from exc
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UnitListError(
                f"{path.name} không phải văn bản UTF-8.",
                "Trong Excel chọn Lưu thành → 'CSV UTF-8 (Comma delimited)'.",
            ) from None
        rows, missing = rows_from_csv(text)
    else:
        raise UnitListError(
            f"{path.name}: chỉ nhận danh mục đơn vị dạng .xlsx hoặc .csv.",
            "Lưu danh mục bằng Excel dạng .xlsx (hoặc CSV UTF-8).",
        )
    problems: list[UnitProblem] = [
        UnitProblem(
            path.name,
            f"không tìm thấy cột '{key}'",
            "Dòng tiêu đề phải có các cột: code (mã), name (tên), kind (loại), aliases (tên "
            "khác), email, reports (báo cáo).",
        )
        for key in missing
    ]
    units, more = check_units(rows) if not missing else ([], [])
    problems += more
    if problems:
        raise UnitListError(
            f"Danh mục đơn vị {path.name} có {len(problems)} lỗi, chưa nhập.", _HINT, problems
        )
    return units


def diff_units(old: list[Unit], new: list[Unit]) -> UnitChanges:
    before = {u.code: u for u in old}
    after = {u.code: u for u in new}
    changes = UnitChanges()
    for code, unit in after.items():
        prev = before.get(code)
        if prev is None:
            changes.added.append(unit)
        elif prev.name != unit.name:
            changes.renamed.append((prev, unit))
        elif prev != unit:
            changes.changed.append((prev, unit))
    # A unit that already left (until set) and is absent again is carried silently.
    changes.removed = [u for code, u in before.items() if code not in after and u.until is None]
    return changes


def _stored_counts(config: Config) -> dict[str, int]:
    if not config.store.is_file():
        return {}
    from consolidate.store.db import Store

    with Store(config.store, config.archive) as store:
        return store.submission_counts()


def _write_atomic(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, text.encode("utf-8"))


def _keep_removed(old: list[Unit], units: list[Unit], today: date) -> list[Unit]:
    """A unit left out of the new list stays on it with ``until`` (the day before the
    import, unless it left earlier): its history, what it owed and the scorecard stay right."""
    last = today - timedelta(days=1)
    new_codes = {u.code for u in units}
    kept = [
        u if u.until is not None else replace(u, until=max(last, u.since or last))
        for u in old
        if u.code not in new_codes
    ]
    return [*units, *kept]


def import_units(config: Config, path: Path, *, dry_run: bool = False) -> UnitImport:
    """Check ``path``, show what changes, and (unless ``dry_run``) make it the unit list."""
    target = config.units_path
    if target is None:
        raise ConfigError(
            "consolidate.toml đang khai báo danh mục đơn vị bằng các bảng [[units]].",
            "Xóa các bảng [[units]] khỏi consolidate.toml rồi chạy lại lệnh; từ đó danh mục "
            "đơn vị nằm trong data/don-vi.csv.",
        )
    units = read_unit_file(path)
    changes = diff_units(config.units, units)
    today = datetime.now(config.calendar.tz).date()
    units = _keep_removed(config.units, units, today)
    result = UnitImport(path=path, units=units, changes=changes)
    counts = _stored_counts(config)
    result.changes.history = {
        u.code: counts[u.code] for u in result.changes.removed if counts.get(u.code)
    }
    if dry_run or result.changes.empty:
        return result
    with workspace_lock(config):
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        backup = target.parent / f"{target.stem}.versions" / f"{target.stem}-{stamp}.csv"
        # The list being replaced (the packaged default when none was imported yet).
        _write_atomic(backup, units_csv_text(config.units))
        _write_atomic(target, units_csv_text(units))
    result.target, result.backup = target, backup
    config.units = units
    return result
