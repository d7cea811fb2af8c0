"""Workspace and configuration: where files live, the calendar, the units.

A workspace is a folder holding ``consolidate.toml``, ``inbox/``, ``outbox/``, the
content-addressed ``archive/`` and the SQLite store. Bad configuration raises
:class:`~consolidate.core.errors.ConfigError` naming the key and the fix, in Vietnamese.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from consolidate.core.errors import ConfigError, WorkspaceError
from consolidate.core.files import write_atomic
from consolidate.core.text import clean_multiline, loose_key, nfc
from consolidate.core.units import REPORT_KINDS as REPORT_KINDS
from consolidate.core.units import UNIT_KINDS as UNIT_KINDS
from consolidate.core.units import Unit as Unit
from consolidate.core.units import UnitProblem, check_units, default_units_text, rows_from_csv

CONFIG_NAME = "consolidate.toml"
UNITS_FILE = "data/don-vi.csv"
HOLIDAY_RULES = ("keep", "next_workday", "previous_workday")
SEVERITIES = ("warning", "error")

#: The one list of weekday names (Monday = 0); configuration accepts either language.
WEEKDAY_NAMES_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
WEEKDAY_NAMES_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS = {
    nfc(name).casefold(): day
    for names in (WEEKDAY_NAMES_EN, WEEKDAY_NAMES_VI)
    for day, name in enumerate(names)
}


def weekday_in_sentence(day: int) -> str:
    """'thứ Năm', 'Chủ nhật': the name as it stands inside a Vietnamese sentence."""
    name = WEEKDAY_NAMES_VI[day]
    return "t" + name[1:] if name.startswith("Thứ") else name


@dataclass(frozen=True)
class WeekdayTime:
    weekday: int  # Monday = 0
    at: time

    def label(self) -> str:
        return f"{self.at:%H:%M} {WEEKDAY_NAMES_VI[self.weekday]}"


@dataclass(frozen=True)
class Calendar:
    """Cut-offs, deliveries and the holiday rule. No defaults here: every default of the
    calendar lives only in ``consolidate/data/default_config.toml`` (:func:`default_calendar`)."""

    timezone: str
    weekly_cutoff: WeekdayTime
    weekly_delivery: WeekdayTime
    twice_monthly_cutoff_days: tuple[int, ...]
    twice_monthly_cutoff_time: time
    twice_monthly_delivery_days: tuple[int, ...]
    twice_monthly_delivery_time: time
    due_soon_days: int
    holiday_rule: str
    # Deadline "kỳ họp thường lệ giữa/cuối năm": the month of the People's Council session.
    mid_year_session_month: int
    year_end_session_month: int

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Validation:
    six_clear: str = "warning"
    unknown_task_code: str = "warning"


@dataclass(frozen=True)
class ProjectRules:
    lagging_rate_pct: float = 30.0
    path_tolerance_pct: float = 10.0


@dataclass(frozen=True)
class Office:
    """Who the office is: what its workbooks and documents print in the heading, the number,
    the signature and the recipients. ``[office]`` of ``consolidate.toml``."""

    province: str = "Đắk Lắk"  # the place of the dateline: "Đắk Lắk, ngày 05 tháng 6 năm 2026"
    parent_agency: str = "Ủy ban nhân dân tỉnh Đắk Lắk"  # first heading line, printed in caps
    office_name: str = "Sở Khoa học và Công nghệ"  # the issuing office
    #: The body the consolidated workbooks are issued for (second heading line, in caps);
    #: a line break is written "\n".
    group_name: str = "Tổ giúp việc về CCHC, thể chế, KHCN,\nĐMST, CĐS và phát triển nguồn nhân lực"
    office_role: str = "Cơ quan thường trực Tổ giúp việc"  # what the office is to that body
    doc_prefix: str = "BC-SKHCN"  # document number: "Số: …/BC-SKHCN"
    letter_prefix: str = "SKHCN-VP"  # a letter (công văn, don-doc): "Số: …/SKHCN-VP"
    signer_authority: str = "KT. GIÁM ĐỐC"  # "KT. GIÁM ĐỐC", "TL. …", "" when signing in person
    signer_title: str = "PHÓ GIÁM ĐỐC"
    signer_name: str = ""  # empty: the name is written by hand
    addressee: str = "Ủy ban nhân dân tỉnh"  # "Kính gửi: …"
    recipients: tuple[str, ...] = ("Như trên", "Lãnh đạo Sở", "Lưu: VT")  # "Nơi nhận"

    @property
    def parent_heading(self) -> str:
        return self.parent_agency.upper()

    @property
    def group_heading(self) -> str:
        return self.group_name.upper()

    @property
    def full_name(self) -> str:
        """'Sở Khoa học và Công nghệ tỉnh Đắk Lắk'."""
        return f"{self.office_name} tỉnh {self.province}"

    @property
    def role_in_sentence(self) -> str:
        """'cơ quan thường trực Tổ giúp việc (Sở Khoa học và Công nghệ)'."""
        if not self.office_role:
            return self.office_name
        return f"{self.office_role[:1].lower()}{self.office_role[1:]} ({self.office_name})"

    @property
    def prepared_by(self) -> str:
        """'Cơ quan thường trực Tổ giúp việc: Sở Khoa học và Công nghệ'."""
        return f"{self.office_role}: {self.office_name}" if self.office_role else self.office_name


@dataclass(frozen=True)
class Trends:
    """The ``Xu hướng`` sheet of the weekly report: how many weeks it shows."""

    weeks: int = 8


@dataclass(frozen=True)
class Band:
    """One band of the scorecard: scores in [low, high) (the top band includes 100)."""

    name: str
    low: float
    high: float
    label: str = ""


#: What each score component measures (the key in ``[scorecard.weights]``), in Vietnamese.
SCORE_COMPONENTS: dict[str, str] = {
    "reporting": "Báo cáo đúng hạn",
    "tasks": "Hoàn thành nhiệm vụ đúng hạn",
    "six_clear": "Ghi đủ 06 rõ",
    "disbursement": "Giải ngân theo tiến độ (chủ đầu tư)",
}

DEFAULT_BANDS: tuple[Band, ...] = (
    Band("A", 90.0, 100.0, "Tốt"),
    Band("B", 75.0, 90.0, "Khá"),
    Band("C", 60.0, 75.0, "Trung bình"),
    Band("D", 40.0, 60.0, "Yếu"),
    Band("E", 0.0, 40.0, "Kém"),
)


@dataclass(frozen=True)
class Scorecard:
    """Weights of the score components, the credit of a late report, the bands A–E."""

    weights: tuple[tuple[str, float], ...] = (
        ("reporting", 40.0),
        ("tasks", 30.0),
        ("six_clear", 15.0),
        ("disbursement", 15.0),
    )
    late_credit: float = 0.5
    bands: tuple[Band, ...] = DEFAULT_BANDS

    def band_of(self, score: float) -> Band:
        for band in self.bands:
            if band.low <= score < band.high or (band.high >= 100.0 and score >= band.high):
                return band
        return min(self.bands, key=lambda b: b.low)


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


@dataclass
class Config:
    root: Path
    inbox: Path
    outbox: Path
    archive: Path
    store: Path
    register: Path
    calendar: Calendar = field(default_factory=lambda: default_calendar())
    validation: Validation = field(default_factory=Validation)
    projects: ProjectRules = field(default_factory=ProjectRules)
    units: list[Unit] = field(default_factory=list)
    trends: Trends = field(default_factory=Trends)
    scorecard: Scorecard = field(default_factory=Scorecard)
    office: Office = field(default_factory=Office)
    # The workspace's unit-list file (None: the units are [[units]] tables in the config).
    units_path: Path | None = None

    @property
    def unit_index(self) -> UnitIndex:
        # Built once per unit list: validation asks for it for every file of a flood.
        key = tuple(self.units)
        cached = self.__dict__.get("_unit_index")
        if cached is None or cached[0] != key:
            cached = (key, UnitIndex(self.units))
            self.__dict__["_unit_index"] = cached
        return cached[1]

    @property
    def lock_path(self) -> Path:
        return self.store.parent / "consolidate.core.lock"

    def ensure_dirs(self) -> None:
        for folder in (self.inbox, self.outbox, self.archive, self.store.parent):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise WorkspaceError(
                    f"Không tạo được thư mục {folder}: {exc.strerror or exc}.",
                    "Kiểm tra quyền ghi và dung lượng ổ đĩa.",
                ) from exc


@cache
def default_config_text() -> str:
    return (
        resources.files("consolidate.data")
        .joinpath("default_config.toml")
        .read_text(encoding="utf-8")
    )


@cache
def _default_calendar_table() -> dict[str, Any]:
    table = tomllib.loads(default_config_text())["calendar"]
    assert isinstance(table, dict)
    return table


def parse_calendar(cal: dict[str, Any]) -> Calendar:
    """The ``[calendar]`` table of a workspace; a missing key takes its value from
    ``default_config.toml``, the one place the calendar's defaults are written."""
    default = _default_calendar_table()

    def text(key: str) -> str:
        return str(_get(cal, "calendar", key, default[key], str))

    tz_name = text("timezone")
    try:
        ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _bad(
            "calendar.timezone",
            f"không biết múi giờ '{tz_name}'",
            f'Ghi tên múi giờ IANA, ví dụ timezone = "{default["timezone"]}".',
        ) from None
    due_soon = _get(cal, "calendar", "due_soon_days", default["due_soon_days"], int)
    if not 0 <= due_soon <= 90:
        raise _bad(
            "calendar.due_soon_days",
            f"{due_soon} ngoài khoảng 0–90",
            f"Ghi số ngày từ 0 đến 90, ví dụ {default['due_soon_days']}.",
        )
    return Calendar(
        timezone=tz_name,
        weekly_cutoff=_parse_weekday_time("calendar.weekly_cutoff", text("weekly_cutoff")),
        weekly_delivery=_parse_weekday_time("calendar.weekly_delivery", text("weekly_delivery")),
        twice_monthly_cutoff_days=_parse_days(
            "calendar.twice_monthly_cutoff_days",
            cal.get("twice_monthly_cutoff_days", default["twice_monthly_cutoff_days"]),
        ),
        twice_monthly_cutoff_time=_parse_time(
            "calendar.twice_monthly_cutoff_time", text("twice_monthly_cutoff_time")
        ),
        twice_monthly_delivery_days=_parse_days(
            "calendar.twice_monthly_delivery_days",
            cal.get("twice_monthly_delivery_days", default["twice_monthly_delivery_days"]),
        ),
        twice_monthly_delivery_time=_parse_time(
            "calendar.twice_monthly_delivery_time", text("twice_monthly_delivery_time")
        ),
        due_soon_days=due_soon,
        holiday_rule=_choice(
            "calendar.holiday_rule", cal.get("holiday_rule", default["holiday_rule"]), HOLIDAY_RULES
        ),
        mid_year_session_month=_month(cal, "mid_year_session_month", default),
        year_end_session_month=_month(cal, "year_end_session_month", default),
    )


def default_calendar() -> Calendar:
    """The calendar of ``default_config.toml``."""
    return parse_calendar({})


def init_workspace(directory: Path) -> Config:
    """Create a ready workspace in ``directory`` (keeps an existing config)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CONFIG_NAME
    if not path.exists():
        write_atomic(path, default_config_text())
    config = load_config(directory)
    config.ensure_dirs()
    return config


def find_workspace(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding a config file."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise WorkspaceError(
        f"Không tìm thấy tệp cấu hình {CONFIG_NAME} trong {start} hoặc thư mục cha.",
        "Chạy `consolidate init <thư mục>` để tạo không gian làm việc, hoặc dùng --workspace.",
    )


# --- parsing helpers: each names the key and the fix -------------------------------------


def _bad(key: str, problem: str, fix: str) -> ConfigError:
    return ConfigError(f"Cấu hình sai tại khóa '{key}': {problem}.", fix)


def _get(table: dict[str, Any], section: str, key: str, default: Any, kind: type) -> Any:
    value = table.get(key, default)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise _bad(
            f"{section}.{key}",
            f"giá trị {value!r} không đúng kiểu",
            f"Ghi một giá trị kiểu {_KIND_VI.get(kind, kind.__name__)}, ví dụ {default!r}.",
        )
    return value


_KIND_VI = {str: "chuỗi trong ngoặc kép", int: "số nguyên", float: "số", list: "danh sách [..]"}


def _example(key: str) -> str:
    """The default of a ``calendar.*`` key as written in ``default_config.toml``."""
    value = _default_calendar_table()[key.split(".")[-1]]
    return f'"{value}"' if isinstance(value, str) else str(value)


def _parse_time(key: str, text: str) -> time:
    m = re.fullmatch(r"(\d{1,2})[:h](\d{2})", text.strip())
    if not m or not (0 <= int(m[1]) <= 23 and 0 <= int(m[2]) <= 59):
        raise _bad(
            key, f"'{text}' không phải giờ hợp lệ", f"Ghi giờ dạng HH:MM, ví dụ {_example(key)}."
        )
    return time(int(m[1]), int(m[2]))


def _parse_weekday_time(key: str, text: str) -> WeekdayTime:
    parts = nfc(text).casefold().rsplit(" ", 1)
    day = WEEKDAYS.get(parts[0]) if len(parts) == 2 else None
    if day is None:
        raise _bad(
            key,
            f"'{text}' không rõ thứ và giờ",
            f"Ghi thứ (tiếng Anh hoặc tiếng Việt, ví dụ thứ năm) rồi giờ, ví dụ {_example(key)}.",
        )
    return WeekdayTime(day, _parse_time(key, parts[1]))


def _parse_days(key: str, value: Any) -> tuple[int, ...]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 28 for d in value)
    ):
        raise _bad(
            key,
            f"{value!r} không phải danh sách ngày",
            f"Ghi dạng {_example(key)}; mỗi ngày từ 1 đến 28.",
        )
    return tuple(sorted(value))


def _month(cal: dict[str, Any], key: str, defaults: dict[str, Any]) -> int:
    default = int(defaults[key])
    month = _get(cal, "calendar", key, default, int)
    if not 1 <= month <= 12:
        raise _bad(
            f"calendar.{key}", f"{month} không phải tháng", f"Ghi số từ 1 đến 12, ví dụ {default}."
        )
    return int(month)


def _choice(key: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise _bad(key, f"'{value}' không hợp lệ", f"Chọn một trong: {', '.join(allowed)}.")
    return str(value)


def _parse_units(raw: Any) -> list[Unit]:
    """``[[units]]`` tables of consolidate.toml."""
    if not isinstance(raw, list) or not raw:
        raise _bad(
            "units", "chưa khai báo đơn vị nào", "Thêm ít nhất một bảng [[units]] có code và name."
        )
    items: list[tuple[str, dict[str, Any]]] = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise _bad(
                f"units[{i}]", "không phải bảng [[units]]", "Mỗi đơn vị là một bảng [[units]]."
            )
        items.append((f"units[{i}]", item))
    units, problems = check_units(items)
    if problems:
        first = problems[0]
        raise _bad(first.where, first.problem, first.fix)
    return units


def units_file(root: Path, ws: dict[str, Any]) -> Path:
    """Where the workspace keeps its imported unit list."""
    return root / _get(ws, "workspace", "units", UNITS_FILE, str)


def _load_unit_list(path: Path) -> list[Unit]:
    """The workspace's unit list, or the packaged default when none was imported."""
    source = path.name
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"Không đọc được danh mục đơn vị {path}: {exc}.",
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


def _parse_day(key: str, value: Any) -> date | None:
    """A TOML date (2026-06-01) or a string "2026-06-01" / "01/06/2026"; absent: None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
    raise _bad(key, f"{value!r} không phải ngày", 'Ghi dạng "2026-06-01" (năm-tháng-ngày).')


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad(key, f"{value!r} không phải số", "Ghi một số, ví dụ 40.")
    return float(value)


_OFFICE_REQUIRED = ("province", "parent_agency", "office_name", "doc_prefix")


def _parse_office(raw: dict[str, Any]) -> Office:
    default = Office()
    unknown = sorted(set(raw) - {f.name for f in fields(Office)})
    if unknown:
        raise _bad(
            f"office.{unknown[0]}",
            "không phải khóa của [office]",
            f"Dùng các khóa: {', '.join(f.name for f in fields(Office))}.",
        )
    values: dict[str, Any] = {}
    for f in fields(Office):
        if f.name == "recipients":
            continue
        text = clean_multiline(_get(raw, "office", f.name, getattr(default, f.name), str)).strip()
        if f.name in _OFFICE_REQUIRED and not text:
            raise _bad(f"office.{f.name}", "đang để trống", "Ghi giá trị trong dấu ngoặc kép.")
        values[f.name] = text
    recipients = raw.get("recipients", list(default.recipients))
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        raise _bad(
            "office.recipients",
            "không phải danh sách chuỗi",
            'Ghi dạng recipients = ["Như trên", "Lưu: VT"].',
        )
    values["recipients"] = tuple(nfc(r.strip()) for r in recipients if r.strip())
    values["doc_prefix"] = values["doc_prefix"].lstrip("/")
    return Office(**values)


def _parse_trends(raw: dict[str, Any]) -> Trends:
    weeks = _get(raw, "trends", "weeks", 8, int)
    if not 2 <= weeks <= 52:
        raise _bad("trends.weeks", f"{weeks} ngoài khoảng 2–52", "Ghi số tuần, mặc định 8.")
    return Trends(weeks=weeks)


def parse_bands(raw: Any) -> tuple[Band, ...]:
    """The ``[[scorecard.bands]]`` tables: contiguous from 0 to 100, no gap, no overlap."""
    key = "scorecard.bands"
    if not isinstance(raw, list) or not raw:
        raise _bad(key, "chưa khai báo mức xếp loại nào", "Khai báo các bảng [[scorecard.bands]].")
    bands: list[Band] = []
    for i, item in enumerate(raw, start=1):
        where = f"{key}[{i}]"
        if not isinstance(item, dict):
            raise _bad(where, "không phải bảng", "Mỗi mức là một bảng [[scorecard.bands]].")
        name = item.get("band")
        if not isinstance(name, str) or not name.strip():
            raise _bad(f"{where}.band", "thiếu tên mức", 'Ghi band = "A".')
        low = _number(f"{where}.from", item.get("from"))
        high = _number(f"{where}.to", item.get("to"))
        if not 0 <= low < high <= 100:
            raise _bad(
                where,
                f"khoảng điểm từ {low:g} đến {high:g} không hợp lệ",
                "Ghi 0 ≤ from < to ≤ 100.",
            )
        label = item.get("label", "")
        if not isinstance(label, str):
            raise _bad(f"{where}.label", "không phải chuỗi", 'Ghi label = "Tốt".')
        bands.append(Band(nfc(name.strip()), low, high, nfc(label)))
    names = [b.name for b in bands]
    if len(set(names)) != len(names):
        raise _bad(key, "tên mức bị trùng", "Mỗi mức một tên riêng (A, B, C, D, E).")
    ordered = sorted(bands, key=lambda b: b.low)
    if ordered[0].low != 0:
        raise _bad(
            key,
            f"thang điểm bị hở từ 0 đến {ordered[0].low:g}",
            "Mức thấp nhất phải bắt đầu từ 0 (from = 0).",
        )
    for prev, nxt in itertools.pairwise(ordered):
        if nxt.low > prev.high:
            raise _bad(
                key,
                f"thang điểm bị hở từ {prev.high:g} đến {nxt.low:g} (giữa mức {prev.name} và "
                f"{nxt.name})",
                f"Ghi from của mức {nxt.name} bằng to của mức {prev.name}.",
            )
        if nxt.low < prev.high:
            raise _bad(
                key,
                f"mức {prev.name} ({prev.low:g}–{prev.high:g}) và mức {nxt.name} "
                f"({nxt.low:g}–{nxt.high:g}) chồng lên nhau",
                f"Ghi from của mức {nxt.name} bằng to của mức {prev.name}.",
            )
    if ordered[-1].high != 100:
        raise _bad(
            key,
            f"thang điểm bị hở từ {ordered[-1].high:g} đến 100",
            "Mức cao nhất phải kết thúc ở 100 (to = 100).",
        )
    return tuple(sorted(bands, key=lambda b: -b.low))


def _parse_scorecard(raw: dict[str, Any]) -> Scorecard:
    weights_raw = raw.get("weights", {})
    if not isinstance(weights_raw, dict):
        raise _bad("scorecard.weights", "không phải bảng", "Khai báo dạng [scorecard.weights].")
    default = dict(Scorecard().weights)
    unknown = set(weights_raw) - set(SCORE_COMPONENTS)
    if unknown:
        raise _bad(
            f"scorecard.weights.{sorted(unknown)[0]}",
            "không phải thành phần điểm",
            f"Chọn trong: {', '.join(SCORE_COMPONENTS)}.",
        )
    weights = []
    for name in SCORE_COMPONENTS:
        value = _number(f"scorecard.weights.{name}", weights_raw.get(name, default[name]))
        if value < 0:
            raise _bad(f"scorecard.weights.{name}", f"{value:g} là số âm", "Ghi trọng số ≥ 0.")
        weights.append((name, value))
    if sum(w for _, w in weights) <= 0:
        raise _bad("scorecard.weights", "tổng trọng số bằng 0", "Ghi ít nhất một trọng số > 0.")
    late = _number("scorecard.late_credit", raw.get("late_credit", 0.5))
    if not 0 <= late <= 1:
        raise _bad("scorecard.late_credit", f"{late:g} ngoài khoảng 0–1", "Ghi số từ 0 đến 1.")
    bands = parse_bands(raw["bands"]) if "bands" in raw else DEFAULT_BANDS
    return Scorecard(weights=tuple(weights), late_credit=late, bands=bands)


def load_config(root: Path) -> Config:
    """Read and check ``root/consolidate.toml``."""
    root = root.resolve()
    path = root / CONFIG_NAME
    if not path.is_file():
        raise ConfigError(
            f"Không có tệp cấu hình {path}.",
            "Chạy `consolidate init` trong thư mục này để tạo tệp cấu hình mặc định.",
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"Tệp cấu hình {path.name} sai cú pháp TOML: {exc}.",
            "Sửa dòng được nêu (chuỗi phải đặt trong ngoặc kép, mỗi khóa một dòng).",
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"Tệp cấu hình {path.name} không phải văn bản UTF-8.",
            "Lưu lại tệp với bảng mã UTF-8.",
        ) from exc
    for section in (
        "workspace",
        "calendar",
        "validation",
        "projects",
        "trends",
        "scorecard",
        "office",
    ):
        if not isinstance(data.get(section, {}), dict):
            raise _bad(section, "không phải một bảng", f"Khai báo dạng [{section}].")
    ws = data.get("workspace", {})
    cal = data.get("calendar", {})
    val = data.get("validation", {})
    proj = data.get("projects", {})

    def path_of(key: str, default: str) -> Path:
        return root / _get(ws, "workspace", key, default, str)

    calendar = parse_calendar(cal)
    validation = Validation(
        six_clear=_choice("validation.six_clear", val.get("six_clear", "warning"), SEVERITIES),
        unknown_task_code=_choice(
            "validation.unknown_task_code", val.get("unknown_task_code", "warning"), SEVERITIES
        ),
    )
    projects = ProjectRules(
        lagging_rate_pct=_get(proj, "projects", "lagging_rate_pct", 30.0, float),
        path_tolerance_pct=_get(proj, "projects", "path_tolerance_pct", 10.0, float),
    )
    return Config(
        root=root,
        inbox=path_of("inbox", "inbox"),
        outbox=path_of("outbox", "outbox"),
        archive=path_of("archive", "archive"),
        store=path_of("store", "store/consolidate.sqlite"),
        register=path_of("register", "data/danh_muc_nhiem_vu.xlsx"),
        calendar=calendar,
        validation=validation,
        projects=projects,
        office=_parse_office(data.get("office", {})),
        units=(
            _parse_units(data["units"])
            if "units" in data
            else _load_unit_list(units_file(root, ws))
        ),
        units_path=None if "units" in data else units_file(root, ws),
        trends=_parse_trends(data.get("trends", {})),
        scorecard=_parse_scorecard(data.get("scorecard", {})),
    )
