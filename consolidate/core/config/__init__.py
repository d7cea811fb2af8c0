"""Workspace and configuration: where files live, and every section of ``consolidate.toml``.

A workspace is a folder holding ``consolidate.toml``, ``inbox/``, ``outbox/``, the
content-addressed ``archive/`` and the SQLite store. Bad configuration raises
:class:`~consolidate.core.errors.ConfigError` naming the key and the fix, in Vietnamese.

One module per section: :mod:`.calendar` (cut-offs, deliveries, weekday names),
:mod:`.office` (the office's identity), :mod:`.scorecard`, :mod:`.units` (which unit list);
:mod:`.checks` holds the packaged defaults and the checks they share. ``[mail]`` and
``[remind]`` are read by :mod:`consolidate.mail.config`. This module puts them together in
:class:`Config` and re-exports the names the rest of the product uses.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from consolidate.core.config.calendar import (
    HOLIDAY_RULES,
    WEEKDAY_NAMES_EN,
    WEEKDAY_NAMES_VI,
    WEEKDAYS,
    Calendar,
    WeekdayTime,
    default_calendar,
    parse_calendar,
    parse_time,
    parse_weekday_time,
    weekday_in_sentence,
)
from consolidate.core.config.checks import (
    CONFIG_NAME,
    bad,
    choice,
    default_config_text,
    number,
    toml_problem,
    typed,
)
from consolidate.core.config.office import Office, parse_office
from consolidate.core.config.scorecard import (
    DEFAULT_BANDS,
    SCORE_COMPONENTS,
    Band,
    Scorecard,
    parse_bands,
    parse_scorecard,
)
from consolidate.core.config.units import UNITS_FILE, load_unit_list, parse_units, units_file
from consolidate.core.errors import ConfigError, WorkspaceError, os_reason
from consolidate.core.files import write_atomic
from consolidate.core.units import REPORT_KINDS, UNIT_KINDS, Unit, UnitIndex

__all__ = [
    "CONFIG_NAME",
    "DEFAULT_BANDS",
    "HOLIDAY_RULES",
    "REPORT_KINDS",
    "SCORE_COMPONENTS",
    "SEVERITIES",
    "UNITS_FILE",
    "UNIT_KINDS",
    "WEEKDAYS",
    "WEEKDAY_NAMES_EN",
    "WEEKDAY_NAMES_VI",
    "Band",
    "Calendar",
    "Config",
    "Office",
    "ProjectRules",
    "Scorecard",
    "Trends",
    "Unit",
    "UnitIndex",
    "Validation",
    "WeekdayTime",
    "bad",
    "choice",
    "default_calendar",
    "default_config_text",
    "find_workspace",
    "init_workspace",
    "load_config",
    "number",
    "parse_bands",
    "parse_calendar",
    "parse_time",
    "parse_weekday_time",
    "typed",
    "units_file",
    "weekday_in_sentence",
]

SEVERITIES = ("warning", "error")
SECTIONS = ("workspace", "calendar", "validation", "projects", "trends", "scorecard", "office")


@dataclass(frozen=True)
class Validation:
    """``[validation]``: how hard two checks are (warning or error)."""

    six_clear: str = "warning"
    unknown_task_code: str = "warning"


@dataclass(frozen=True)
class ProjectRules:
    """``[projects]``: when a project lags in disbursement."""

    lagging_rate_pct: float = 30.0
    path_tolerance_pct: float = 10.0


@dataclass(frozen=True)
class Trends:
    """The ``Xu hướng`` sheet of the weekly report: how many weeks it shows."""

    weeks: int = 8


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
        return self.store.parent / "consolidate.lock"

    def ensure_dirs(self) -> list[Path]:
        """Create the workspace folders that are missing; returns those it created."""
        created = []
        for folder in (self.inbox, self.outbox, self.archive, self.store.parent):
            if folder.is_dir():
                continue
            try:
                folder.mkdir(parents=True, exist_ok=True)
                created.append(folder)
            except OSError as exc:
                raise WorkspaceError(
                    f"Không tạo được thư mục {folder}: {os_reason(exc)}.",
                    "Kiểm tra quyền ghi và dung lượng ổ đĩa.",
                ) from exc
        return created


@dataclass(frozen=True)
class WorkspaceInit:
    """What ``create_workspace`` found and did."""

    config: Config
    config_created: bool  # False: an existing consolidate.toml was kept as it is
    created: tuple[Path, ...]  # the folders it had to create


def create_workspace(directory: Path) -> WorkspaceInit:
    """Create a ready workspace in ``directory``, keeping an existing config; says what
    already existed and what was added."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CONFIG_NAME
    fresh = not path.exists()
    if fresh:
        write_atomic(path, default_config_text())
    config = load_config(directory)
    return WorkspaceInit(config, fresh, tuple(config.ensure_dirs()))


def init_workspace(directory: Path) -> Config:
    """Create a ready workspace in ``directory`` (keeps an existing config)."""
    return create_workspace(directory).config


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


def _parse_trends(raw: dict[str, object]) -> Trends:
    weeks = typed(raw, "trends", "weeks", 8, int)
    if not 2 <= weeks <= 52:
        raise bad("trends.weeks", f"{weeks} ngoài khoảng 2–52", "Ghi số tuần, mặc định 8.")
    return Trends(weeks=weeks)


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
            f"Tệp cấu hình {path.name} sai cú pháp TOML: {toml_problem(exc)}.",
            "Sửa dòng được nêu (chuỗi phải đặt trong ngoặc kép, mỗi khóa một dòng).",
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"Tệp cấu hình {path.name} không phải văn bản UTF-8.",
            "Lưu lại tệp với bảng mã UTF-8.",
        ) from exc
    for section in SECTIONS:
        if not isinstance(data.get(section, {}), dict):
            raise bad(section, "không phải một bảng", f"Khai báo dạng [{section}].")
    ws = data.get("workspace", {})
    val = data.get("validation", {})
    proj = data.get("projects", {})

    def path_of(key: str, default: str) -> Path:
        return root / typed(ws, "workspace", key, default, str)

    validation = Validation(
        six_clear=choice("validation.six_clear", val.get("six_clear", "warning"), SEVERITIES),
        unknown_task_code=choice(
            "validation.unknown_task_code", val.get("unknown_task_code", "warning"), SEVERITIES
        ),
    )
    projects = ProjectRules(
        lagging_rate_pct=typed(proj, "projects", "lagging_rate_pct", 30.0, float),
        path_tolerance_pct=typed(proj, "projects", "path_tolerance_pct", 10.0, float),
    )
    return Config(
        root=root,
        inbox=path_of("inbox", "inbox"),
        outbox=path_of("outbox", "outbox"),
        archive=path_of("archive", "archive"),
        store=path_of("store", "store/consolidate.sqlite"),
        register=path_of("register", "data/danh_muc_nhiem_vu.xlsx"),
        calendar=parse_calendar(data.get("calendar", {})),
        validation=validation,
        projects=projects,
        office=parse_office(data.get("office", {})),
        units=parse_units(data["units"])
        if "units" in data
        else load_unit_list(units_file(root, ws)),
        units_path=None if "units" in data else units_file(root, ws),
        trends=_parse_trends(data.get("trends", {})),
        scorecard=parse_scorecard(data.get("scorecard", {})),
    )
