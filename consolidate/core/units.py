"""The unit list: who reports, under which code, which reports each one owes.

The default list ships with the package (``consolidate/data/units.csv``: the 102 communes
and wards of Đắk Lắk since 1 July 2025 and the provincial agencies). A workspace keeps its
own copy in ``data/don-vi.csv`` once the officer imports one (``consolidate units import``);
a ``[[units]]`` table in ``consolidate.toml`` still wins over both.

Every check names the row and the field in Vietnamese, and all problems are collected at
once so that the officer fixes the file in one pass.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import Any

from consolidate.core.text import canonical_code, label_key, loose_key, nfc

UNIT_KINDS = ("so-ban-nganh", "xa-phuong")
REPORT_KINDS = ("weekly", "projects")
FIELDS = ("code", "name", "kind", "aliases", "email", "reports", "since", "until")

# What an officer may write in a header or a cell instead of the English keys.
_HEADERS = {
    "code": ("code", "mã", "mã đơn vị", "ma"),
    "name": ("name", "tên", "tên đơn vị", "ten"),
    "kind": ("kind", "loại", "loại đơn vị", "loai"),
    "aliases": ("aliases", "tên khác", "tên gọi khác", "alias"),
    "email": ("email", "e-mail", "thư điện tử", "địa chỉ email"),
    "reports": ("reports", "báo cáo", "báo cáo phải gửi", "báo cáo phải nộp"),
    "since": ("since", "từ ngày", "bắt đầu báo cáo"),
    "until": ("until", "đến ngày", "thôi báo cáo"),
}
_KINDS = {
    "so-ban-nganh": "so-ban-nganh", "sở, ban, ngành": "so-ban-nganh", "sở": "so-ban-nganh",
    "ban": "so-ban-nganh", "ngành": "so-ban-nganh", "xa-phuong": "xa-phuong",
    "xã, phường": "xa-phuong", "xã": "xa-phuong", "phường": "xa-phuong",
}  # fmt: skip
_NONE = ("không", "-", "none")  # a unit that owes no report (written in a CSV cell)
_REPORTS = {
    "weekly": "weekly", "tuần": "weekly", "báo cáo tuần": "weekly", "projects": "projects",
    "dự án": "projects", "báo cáo dự án": "projects",
}  # fmt: skip


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "so-ban-nganh"
    email: str = ""
    reports: tuple[str, ...] = ("weekly",)
    #: First and last day the unit is on the list: it owes the periods whose cut-off day
    #: falls within [since, until] (None: no limit). A unit that joins or leaves keeps its
    #: entry with these dates, so history and the scorecard count only what it owed.
    since: date | None = None
    until: date | None = None

    @property
    def kind_label(self) -> str:
        return "Sở, ban, ngành" if self.kind == "so-ban-nganh" else "Xã, phường"

    def active_on(self, day: date) -> bool:
        """On the list on ``day`` (the cut-off day of a period)."""
        return (self.since is None or self.since <= day) and (
            self.until is None or day <= self.until
        )


@dataclass(frozen=True)
class UnitProblem:
    where: str  # "dòng 5, cột 'code'" or "units[3].code"
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}. {self.fix}"


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [nfc(str(v)) for v in value if str(v).strip()]
    return [nfc(part) for part in str(value).replace("\n", ";").split(";") if part.strip()]


def _unit(item: Mapping[str, Any], where: str, problems: list[UnitProblem]) -> Unit | None:
    """One unit from a row or a TOML table; problems are appended (all of them)."""
    start = len(problems)

    def bad(key: str, problem: str, fix: str) -> None:
        problems.append(
            UnitProblem(f"{where}.{key}" if "[" in where else f"{where}, cột '{key}'", problem, fix)
        )

    raw_code, raw_name = item.get("code"), item.get("name")
    code = canonical_code(str(raw_code)) if isinstance(raw_code, str | int) else ""
    name = nfc(str(raw_name)) if isinstance(raw_name, str) else ""
    if not code:
        bad("code", "thiếu mã đơn vị", 'Ghi mã ngắn, ví dụ code = "SKHCN".')
    if not name:
        bad("name", f"đơn vị {code or '?'} thiếu tên", "Ghi tên chính thức của đơn vị.")
    raw_aliases = item.get("aliases", [])
    if isinstance(raw_aliases, list) and not all(isinstance(a, str) for a in raw_aliases):
        bad("aliases", "không phải danh sách chuỗi", 'Ghi dạng aliases = ["Sở KH&CN"].')
        raw_aliases = []
    kind_text = item.get("kind") or "so-ban-nganh"
    kind = _KINDS.get(label_key(str(kind_text)))
    if kind is None:
        bad("kind", f"'{kind_text}' không hợp lệ", f"Chọn một trong: {', '.join(UNIT_KINDS)}.")
    raw_reports = item.get("reports", ["weekly"])
    if raw_reports is None or (isinstance(raw_reports, str) and not raw_reports.strip()):
        raw_reports = ["weekly"]  # a blank cell: the weekly report, as most units
    words = [r for r in _split(raw_reports) if label_key(r) not in _NONE]
    reports = [_REPORTS.get(label_key(r)) for r in words]
    if any(r is None for r in reports):
        bad(
            "reports",
            f"{raw_reports!r} không hợp lệ",
            f'Chọn trong: {", ".join(REPORT_KINDS)}, ví dụ reports = ["weekly"].',
        )
    email = item.get("email") or ""
    if isinstance(email, list) and all(isinstance(e, str) for e in email):
        email = ", ".join(e.strip() for e in email if e.strip())  # several addresses
    if not isinstance(email, str) or any(
        "@" not in part or " " in part.strip()
        for part in email.replace(";", ",").split(",")
        if part.strip()
    ):
        bad(
            "email",
            f"'{email}' không phải địa chỉ email",
            "Để trống hoặc ghi email hợp lệ; nhiều địa chỉ cách nhau bằng dấu phẩy.",
        )
    days: dict[str, date | None] = {}
    for key in ("since", "until"):
        try:
            days[key] = _day(item.get(key))
        except ValueError:
            bad(
                key,
                f"{item.get(key)!r} không phải ngày",
                'Ghi dạng "2026-06-01" hoặc "01/06/2026".',
            )
            days[key] = None
    since, until = days["since"], days["until"]
    if since and until and until < since:
        bad(
            "until",
            f"ngày thôi báo cáo {until:%d/%m/%Y} trước ngày bắt đầu {since:%d/%m/%Y}",
            "Ghi until sau since, hoặc bỏ một trong hai khóa.",
        )
    if len(problems) > start:
        return None
    return Unit(
        code=code,
        name=name,
        aliases=tuple(_split(raw_aliases)),
        kind=str(kind),
        email=str(email).strip(),
        reports=tuple(dict.fromkeys(r for r in reports if r)),
        since=since,
        until=until,
    )


def _day(value: Any) -> date | None:
    """A TOML date (2026-06-01), a string "2026-06-01" / "01/06/2026", an Excel date; or None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.strptime(value.strip(), pattern).date()
            except ValueError:
                continue
    raise ValueError(value)


def check_units(
    items: Iterable[tuple[str, Mapping[str, Any]]],
) -> tuple[list[Unit], list[UnitProblem]]:
    """Validate every unit; codes unique, and no name or alias pointing at two units."""
    units: list[Unit] = []
    problems: list[UnitProblem] = []
    codes: dict[str, str] = {}
    keys: dict[str, tuple[str, str]] = {}
    for where, item in items:
        unit = _unit(item, where, problems)
        if unit is None:
            continue
        if unit.code in codes:
            problems.append(
                UnitProblem(
                    f"{where}.code" if "[" in where else f"{where}, cột 'code'",
                    f"mã '{unit.code}' trùng với {codes[unit.code]}",
                    "Mỗi đơn vị một mã riêng.",
                )
            )
            continue
        codes[unit.code] = where
        for text in (unit.name, *unit.aliases):
            key = loose_key(text)
            other = keys.get(key)
            if other is not None and other[0] != unit.code:
                problems.append(
                    UnitProblem(
                        where,
                        f"tên “{text}” trùng với tên của đơn vị {other[0]} ({other[1]})",
                        "Mỗi tên hoặc tên khác chỉ trỏ tới một đơn vị; sửa hoặc xóa tên trùng.",
                    )
                )
            keys.setdefault(key, (unit.code, where))
        units.append(unit)
    if not units and not problems:
        problems.append(
            UnitProblem("danh mục", "không có đơn vị nào", "Mỗi dòng một đơn vị: mã, tên, loại …")
        )
    return units, problems


def header_map(header: Iterable[Any]) -> dict[int, str]:
    """Column index -> field key, for the headers an officer may write."""
    wanted = {label_key(label): key for key, labels in _HEADERS.items() for label in labels}
    out: dict[int, str] = {}
    for i, cell in enumerate(header):
        key = wanted.get(label_key(str(cell))) if cell is not None else None
        if key is not None and key not in out.values():
            out[i] = key
    return out


def rows_from_csv(text: str) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """(where, row) pairs from CSV text, and the required fields missing from the header."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    # Excel in a Vietnamese locale writes ';': the delimiter is the one whose header
    # splits into the most known column names.
    delimiter = max(",;\t", key=lambda d: len(header_map(next(csv.reader([first], delimiter=d)))))
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, [])
    cols = header_map(header)
    missing = [k for k in ("code", "name") if k not in cols.values()]
    rows: list[tuple[str, dict[str, Any]]] = []
    for n, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        rows.append((f"dòng {n}", {cols[i]: v for i, v in enumerate(record) if i in cols}))
    return rows, missing


def units_csv_text(units: Iterable[Unit]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for u in units:
        reports = ";".join(u.reports) or "không"
        since = u.since.isoformat() if u.since else ""
        until = u.until.isoformat() if u.until else ""
        writer.writerow(
            (u.code, u.name, u.kind, ";".join(u.aliases), u.email, reports, since, until)
        )
    return out.getvalue()


def default_units_text() -> str:
    return resources.files("consolidate.data").joinpath("units.csv").read_text(encoding="utf-8")


class UnitIndex:
    """Resolve what a person typed (name, code or alias) to a configured unit."""

    def __init__(self, units: list[Unit]) -> None:
        self.units = list(units)
        self.by_code = {u.code: u for u in units}
        self._keys: dict[str, Unit] = {}
        self._resolved: dict[str, Unit | None] = {}
        for unit in units:
            for text in (unit.code, unit.name, *unit.aliases):
                self._keys.setdefault(loose_key(text), unit)

    def resolve(self, text: object) -> Unit | None:
        if text is None:
            return None
        text = str(text)
        if text in self._resolved:  # the same few names in every row of a file
            return self._resolved[text]
        unit = self._resolve(text)
        if len(self._resolved) < 10_000:
            self._resolved[text] = unit
        return unit

    def _resolve(self, text: str) -> Unit | None:
        key = loose_key(str(text))
        if not key:
            return None
        unit = self._keys.get(key)
        if unit is None and "-" in str(text):
            # "SKHCN - Sở Khoa học và Công nghệ": code and name in one dropdown entry.
            head = str(text).split("-", 1)
            unit = self._keys.get(loose_key(head[0])) or self._keys.get(loose_key(head[1]))
        return unit

    def from_file_name(self, name: str) -> Unit | None:
        """The unit a file's name starts with ("SXD - Báo cáo.xls", "Sở Y tế_tuần 23.xlsx"),
        or None. Only a hint for when the content cannot tell (the feedback's folder and the
        officer's status); never the authority for a file's data."""
        stem = name.rsplit(".", 1)[0] if "." in name else name
        candidates = [stem]
        for sep in (" - ", " – ", "_", " -", "- ", "-", "  ", " "):
            if sep in stem:
                candidates.append(stem.split(sep, 1)[0])
        for text in candidates:
            if len(loose_key(text)) >= 2:
                unit = self._keys.get(loose_key(text))
                if unit is not None:
                    return unit
        return None

    def owing(self, report: str, on: date | None = None) -> list[Unit]:
        """Units that owe ``report``; with ``on``, only those on the list that day."""
        return [u for u in self.units if report in u.reports and (on is None or u.active_on(on))]

    def __len__(self) -> int:
        return len(self.units)
