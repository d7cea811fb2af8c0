"""A deterministic corpus of unit submissions for the benchmark, and its workspace.

Every file is a real filled submission written by the product's own template code
(:func:`consolidate.render.template.write_submission`), with Vietnamese rows in the style of
:mod:`consolidate.demo`, then, for some files, reshaped the way units do it: title rows
inserted above the table, a column moved and a private column added (openpyxl), or the
whole file re-saved by another program (LibreOffice when installed, otherwise openpyxl).
About one file in 25 carries errors and is rejected; most carry a few warnings.

File ``i`` depends only on ``(seed, i)``, so the corpus is the same whatever the number of
worker processes, and a corpus already on disk with the same manifest is reused.

The bench workspace has 200 units (the 44 of the default configuration plus 156
synthetic communes) so that a 200-file flood is one file per unit and the weekly build
covers the whole corpus. Larger corpora add earlier weeks: file ``i`` is unit
``i % 200`` in week ``23 - (n_weeks - 1) + i // 200`` of 2026.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from consolidate.core.config import Config, Unit, load_config
from consolidate.demo import (
    BOTTLENECKS,
    LEADERS,
    OFFICERS,
    OWN_TASKS,
    PROJECT_NAMES,
    PROPOSALS,
    REGISTER_ROWS,
)
from schemas.columns import PILLARS, TASK_STATES

GENERATOR_VERSION = 5
N_UNITS = 200
LAST_WEEK = 23  # ISO week of 2026 whose Thursday is 04/06/2026
YEAR = 2026
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
#: The flood arrives on the Thursday afternoon before the 17:00 cut-off ...
RECEIVED_AT = datetime(2026, 6, 4, 16, 0, tzinfo=TZ)
#: ... and the officer builds the weekly report on Friday morning.
BUILD_AT = datetime(2026, 6, 5, 8, 30, tzinfo=TZ)
WEEK = f"{YEAR}-W{LAST_WEEK}"

TEMPLATE, TITLE_ROWS, MOVED_COLUMNS, RESAVED = "template", "title-rows", "moved-columns", "resaved"
#: One cycle of 20 files: 17 straight from the template, one of each reshaped kind.
VARIANT_CYCLE = (
    TEMPLATE, TITLE_ROWS, TEMPLATE, MOVED_COLUMNS, TEMPLATE, RESAVED,
    *([TEMPLATE] * 14),
)  # fmt: skip
REJECT_EVERY = 25  # file i with i % 25 == 4 carries errors
CAREFUL_SHARE = 0.4  # files without a single warning (no annotated copy in the feedback)

# --- Vietnamese vocabulary ---------------------------------------------------------------

_PREFIXES = ("Ea", "Cư", "Krông", "Buôn", "Dray", "Ia", "Yang", "Hòa", "Tân", "Phú", "Xuân", "Sơn")
_SUFFIXES = (
    "Tiêu", "Kly", "Drông", "Wy", "Knuếc", "Nuôl", "Bhốk", "Ktur", "Hiao", "Sol", "Pơng",
    "Lê", "Mạnh", "Bình", "Lộc", "Thịnh", "Hiệp", "Phước",
)  # fmt: skip

VERBS = (
    "Triển khai", "Rà soát", "Xây dựng", "Hoàn thiện", "Số hóa", "Tổ chức", "Cập nhật",
    "Chuẩn hóa", "Nâng cấp", "Tập huấn", "Kiểm tra", "Tuyên truyền về", "Đánh giá",
)  # fmt: skip
OBJECTS = (
    ("hồ sơ thủ tục hành chính còn hiệu lực", PILLARS[0]),
    ("quy trình nội bộ giải quyết thủ tục hành chính", PILLARS[0]),
    ("dịch vụ công trực tuyến toàn trình", PILLARS[0]),
    ("bộ chỉ số phục vụ người dân, doanh nghiệp", PILLARS[0]),
    ("văn bản quy phạm pháp luật thuộc lĩnh vực quản lý", PILLARS[1]),
    ("quy chế phối hợp giữa các phòng chuyên môn", PILLARS[1]),
    ("quy định về quản lý, vận hành hệ thống thông tin", PILLARS[1]),
    ("cơ sở dữ liệu chuyên ngành", PILLARS[2]),
    ("hệ thống quản lý văn bản và điều hành", PILLARS[2]),
    ("nền tảng họp trực tuyến cho xã, phường", PILLARS[2]),
    ("hạ tầng mạng, an toàn thông tin", PILLARS[2]),
    ("mô hình thôn, buôn, khu phố số", PILLARS[2]),
    ("kỹ năng số cho cán bộ, công chức", PILLARS[3]),
    ("lớp Bình dân học vụ số cho người dân", PILLARS[3]),
    ("đội ngũ Tổ công nghệ số cộng đồng", PILLARS[3]),
)
SCOPES = (
    "năm 2026", "giai đoạn 2026 - 2030", "tại các thôn, buôn", "trên địa bàn",
    "theo Kế hoạch số 05-KH/TGV", "theo Nghị quyết số 57-NQ/TW", "đợt 2", "quý III/2026",
    "cho bộ phận một cửa", "gắn với Đề án 06",
)  # fmt: skip
SOURCES = (
    "Kế hoạch số 05-KH/TGV",
    "Thông báo số 101/TB-VPUBND",
    "Kế hoạch số 51/KH-UBND",
    "Công văn số 1621-CV/ĐU",
    "Kế hoạch của đơn vị",
    "Nghị quyết số 57-NQ/TW",
)
DELIVERABLES = (
    "Báo cáo kết quả thực hiện",
    "Quyết định ban hành",
    "Hồ sơ được số hóa trên Hệ thống thông tin giải quyết TTHC",
    "Danh sách học viên, chứng nhận hoàn thành",
    "Cơ sở dữ liệu được cập nhật, làm sạch",
    "Văn bản trình UBND tỉnh",
    "Kế hoạch được phê duyệt",
)
#: Specifics that make each task's text its own (units never copy a task word for word).
DETAILS = (
    "mục tiêu {n} hồ sơ",
    "{n} lượt người dân được hướng dẫn",
    "{p} % chỉ tiêu được giao",
    "{k} thủ tục hành chính",
    "{k} thôn, buôn, tổ dân phố",
    "kinh phí {n} triệu đồng",
    "{k} cán bộ, công chức tham gia",
)
PARTNERS = (None, None, "Sở Tài chính", "Sở Nội vụ", "Sở Khoa học và Công nghệ", "Các xã, phường")
NOTES = (None, None, None, None, "Phối hợp với doanh nghiệp viễn thông", "Đã báo cáo UBND tỉnh")


# --- units and workspace -----------------------------------------------------------------


def _fold(text: str) -> str:
    bare = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in bare if ch.isascii() and ch.isalnum()).upper()


def bench_units(defaults: Sequence[Unit]) -> list[Unit]:
    """The default units plus synthetic communes, N_UNITS in all; every one reports weekly."""
    taken = {u.name for u in defaults}
    extra: list[Unit] = []
    names = [f"Xã {p} {s}" for s in _SUFFIXES for p in _PREFIXES]
    random.Random("bench-units").shuffle(names)
    for name in names:
        if len(defaults) + len(extra) >= N_UNITS:
            break
        if name in taken:
            continue
        code = f"X-{_fold(name[3:])}"
        extra.append(Unit(code=code, name=name, kind="xa-phuong", reports=("weekly",)))
        taken.add(name)
    return [*defaults, *extra]


def write_workspace(root: Path) -> Config:
    """A workspace with the bench units and the demo task register imported."""
    from consolidate.core.config import init_workspace
    from consolidate.core.units import units_csv_text
    from consolidate.demo import write_register_workbook
    from consolidate.intake.register import import_register

    config = init_workspace(root)
    units = bench_units(config.units)
    assert config.units_path is not None
    config.units_path.parent.mkdir(parents=True, exist_ok=True)
    config.units_path.write_text(units_csv_text(units), encoding="utf-8")
    config = load_config(root)
    write_register_workbook(config.register, REGISTER_ROWS, config.units)
    import_register(config)
    return config


# --- rows --------------------------------------------------------------------------------


def _deadline(rng: random.Random, as_of: date) -> object:
    due = as_of + timedelta(days=rng.choice([-30, -9, -3, 2, 5, 12, 26, 45, 80, 150]))
    return rng.choice(
        [
            due,
            due,
            due,
            f"Tháng {due.month}/{due.year}",
            f"trước ngày {due.day}/{due.month}/{due.year}",
            "Quý III/2026",
            "Quý IV/2026",
            "Năm 2026",
            "Thường xuyên",
        ]
    )


def task_rows(
    unit: Unit, n: int, as_of: date, rng: random.Random, *, careful: bool = False
) -> list[dict[str, Any]]:
    """``n`` task rows of ``unit`` as a unit fills them in, with the usual imperfections
    (none when ``careful``: every "rõ" filled in, values typed as the template asks)."""
    sloppy = 0.0 if careful else 1.0
    officers = rng.sample(OFFICERS, k=3)
    leader = f"{rng.choice(LEADERS)} {rng.choice(OFFICERS)}"
    rows: list[dict[str, Any]] = []
    for code, task, source, lead, deadline, pillar in REGISTER_ROWS:
        if lead == unit.code and len(rows) < n:
            rows.append(
                {"task_code": code, "task": task, "source_doc": source, "deadline": deadline,
                 "pillar": pillar, "deliverable": rng.choice(DELIVERABLES)}
            )  # fmt: skip
    while len(rows) < n:
        roll = rng.random()
        if roll < 0.15:
            task, pillar, deliverable = rng.choice(OWN_TASKS)
            task = f"{task} {rng.choice(SCOPES)}"
        else:
            obj, pillar = rng.choice(OBJECTS)
            detail = rng.choice(DETAILS).format(
                n=f"{rng.randint(10, 9000):,}".replace(",", "."),
                p=rng.randint(5, 100),
                k=rng.randint(2, 150),
            )
            task = f"{rng.choice(VERBS)} {obj} {rng.choice(SCOPES)}, {detail}"
            deliverable = rng.choice(DELIVERABLES)
        rows.append(
            {
                "task": task,
                "pillar": pillar,
                "deadline": _deadline(rng, as_of),
                "deliverable": deliverable if rng.random() >= 0.04 * sloppy else None,
                "source_doc": rng.choice(SOURCES),
            }
        )
    for i, row in enumerate(rows, start=1):
        roll = rng.random()
        completed: object = None
        if roll < 0.25:
            state, progress = TASK_STATES[2], 100
            completed = as_of - timedelta(days=rng.randint(0, 40))
        elif roll < 0.85:
            state, progress = TASK_STATES[1], rng.choice([10, 20, 30, 45, 60, 75, 90])
        else:
            state, progress = TASK_STATES[0], 0
        officer = rng.choice(officers)
        row.update(
            stt=i,
            lead_unit=unit.name if rng.random() < 0.3 else None,
            partner_units=rng.choice(PARTNERS),
            officer=None if rng.random() < 0.03 * sloppy else officer,
            authority=leader,
            progress=progress,
            state=state,
            completed_on=completed,
            period_result=(
                f"Đã hoàn thành {progress} % khối lượng; {rng.randint(2, 400)} hồ sơ, "
                f"{rng.randint(1, 30)} cuộc họp trong kỳ"
                if progress
                else None
            ),
            note=rng.choice(NOTES),
        )
        if rng.random() < 0.18:
            row["bottleneck"] = rng.choice(BOTTLENECKS)
            row["proposal"] = rng.choice(PROPOSALS)
        # What people type: "60%" as text, dates as text, NFD accents, a stray lower case.
        mess = rng.random() if not careful else 1.0
        if mess < 0.02:
            row["progress"] = f"{progress}%"
        elif mess < 0.04 and isinstance(completed, date):
            row["completed_on"] = f"{completed:%d/%m/%Y}"
        elif mess < 0.05 and row["officer"]:
            row["officer"] = unicodedata.normalize("NFD", row["officer"])
        elif mess < 0.06:
            row["pillar"] = str(row["pillar"]).lower()
    return rows


def project_rows(unit: Unit, rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for i in range(1, rng.randint(2, 6) + 1):
        plan = float(rng.choice([1500, 3000, 5000, 8000, 12000, 25000]))
        rate = rng.choice([0.0, 0.05, 0.12, 0.25, 0.38, 0.52, 0.7])
        rows.append(
            {
                "stt": i,
                "project_code": f"DA-{unit.code}-{i:02d}",
                "project": rng.choice(PROJECT_NAMES),
                "fund_source": rng.choice(["Đầu tư công", "Đầu tư công", "Sự nghiệp"]),
                "total_investment": plan * rng.choice([1.5, 2, 3]),
                "year_plan": plan,
                "disbursed": round(plan * rate, 1),
                "stage": "Đang triển khai" if rate else "Đã phê duyệt dự án",
                "progress": int(rate * 100),
                "deadline": rng.choice(["Năm 2026", "Quý IV/2026", "30/11/2026"]),
                "committed_pct": rng.choice([None, 90, 100]),
                "officer": rng.choice(OFFICERS),
            }
        )
    return rows


def cover(unit: Unit, as_of: date, rng: random.Random) -> dict[str, Any]:
    return {
        "unit": unit.name if rng.random() > 0.1 else unit.code,
        "as_of": as_of,
        "prepared_by": f"Chuyên viên {rng.choice(OFFICERS)}",
        "phone": f"0262 38{rng.randint(0, 99999):05d}",
        "email": f"{unit.code.lower().replace('-', '.')}@daklak.gov.vn",
        "approver": f"{rng.choice(LEADERS)} {rng.choice(OFFICERS)}",
    }


def add_errors(rows: list[dict[str, Any]], rng: random.Random) -> None:
    """What gets a file rejected: a progress over 100, a state not in the list."""
    rows[rng.randrange(len(rows))]["progress"] = 150
    rows[rng.randrange(len(rows))]["state"] = "Đang làm"


# --- reshaping ---------------------------------------------------------------------------


def _reshape(path: Path, variant: str) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb["Nhiệm vụ"]
    if variant == TITLE_ROWS:
        ws.insert_rows(1, amount=3)
        ws["A1"] = "BÁO CÁO TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ"
        ws["A2"] = "(Kèm theo Công văn của đơn vị)"
    elif variant == MOVED_COLUMNS:
        header = next(r for r in range(1, 40) if ws.cell(r, 1).value == "STT")
        last = ws.max_row
        ws.move_range(f"E{header}:E{last}", cols=20)  # "Văn bản giao nhiệm vụ" far right
        ws.cell(header, 26, "Cột theo dõi nội bộ")
        ws.cell(header + 1, 26, "ghi chú riêng của phòng")
    wb.save(path)


def libreoffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _resave_libreoffice(paths: Sequence[Path], soffice: str) -> bool:
    """Re-save ``paths`` in place with LibreOffice Calc; False if it did not work."""
    with tempfile.TemporaryDirectory(prefix="bench-lo-") as tmp:
        profile = Path(tmp) / "profile"
        out = Path(tmp) / "out"
        try:
            subprocess.run(
                [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                 "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out),
                 *map(str, paths)],
                check=True, capture_output=True, timeout=600,
            )  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            return False
        converted = [out / p.name for p in paths]
        if not all(c.is_file() for c in converted):
            return False
        for src, dst in zip(converted, paths, strict=True):
            shutil.move(src, dst)
    return True


# --- the corpus --------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusFile:
    name: str
    unit: str
    as_of: str
    tasks: int
    variant: str
    errors: bool


@dataclass
class Corpus:
    folder: Path
    seed: int
    files: list[CorpusFile] = field(default_factory=list)
    resaved_by: str = ""

    @property
    def paths(self) -> list[Path]:
        return [self.folder / f.name for f in self.files]

    @property
    def task_rows(self) -> int:
        return sum(f.tasks for f in self.files)

    def count(self, variant: str) -> int:
        return sum(1 for f in self.files if f.variant == variant)


def _as_of(week: int) -> date:
    return date.fromisocalendar(YEAR, week, 4)


def _plan(seed: int, n: int, units: Sequence[Unit]) -> list[tuple[int, Unit, date, int, str, bool]]:
    n_weeks = math.ceil(n / N_UNITS)
    plan = []
    for i in range(n):
        rng = random.Random(f"{seed}-plan-{i}")
        unit = units[i % len(units)]
        as_of = _as_of(LAST_WEEK - (n_weeks - 1) + i // N_UNITS)
        n_tasks = max(8, round(rng.triangular(10, 330, 140)))
        variant = VARIANT_CYCLE[i % len(VARIANT_CYCLE)]
        plan.append((i, unit, as_of, n_tasks, variant, i % REJECT_EVERY == 4))
    return plan


def _file_name(i: int, unit: Unit, as_of: date) -> str:
    week = as_of.isocalendar().week
    return f"{i:05d} {unit.name} - Báo cáo tuần {week}.xlsx"


def _write_one(
    job: tuple[Path, int, int, Unit, str, int, str, bool, list[Unit]],
) -> str:
    from consolidate.render.template import write_submission

    folder, seed, i, unit, as_of_text, n_tasks, variant, errors, units = job
    as_of = date.fromisoformat(as_of_text)
    rng = random.Random(f"{seed}-file-{i}")
    rows = task_rows(unit, n_tasks, as_of, rng, careful=rng.random() < CAREFUL_SHARE)
    if errors:
        add_errors(rows, rng)
    sheets: dict[str, Any] = {"tasks": rows}
    if "projects" in unit.reports:
        sheets["projects"] = project_rows(unit, rng)
    path = folder / _file_name(i, unit, as_of)
    write_submission(path, units, cover(unit, as_of, rng), sheets)
    if variant in (TITLE_ROWS, MOVED_COLUMNS):
        _reshape(path, variant)
    return path.name


def build_corpus(
    folder: Path,
    n: int,
    seed: int,
    config: Config,
    *,
    workers: int = 1,
    use_libreoffice: bool = True,
    log: Callable[[str], None] = lambda _: None,
) -> Corpus:
    """Write the corpus into ``folder`` (reused if already complete) and describe it."""
    manifest_path = folder / ".bench-manifest.json"  # hidden: ingest skips it
    key = {"version": GENERATOR_VERSION, "seed": seed, "files": n}
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("key") == key:
            corpus = Corpus(folder, seed, [CorpusFile(**f) for f in manifest["files"]])
            corpus.resaved_by = manifest.get("resaved_by", "")
            if all(p.is_file() for p in corpus.paths):
                log(f"corpus: reusing {n} files in {folder}")
                return corpus
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    units = config.units
    plan = _plan(seed, n, units)
    jobs = [
        (folder, seed, i, unit, as_of.isoformat(), n_tasks, variant, errors, units)
        for i, unit, as_of, n_tasks, variant, errors in plan
    ]
    names: list[str] = []
    if workers > 1 and n > 20:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for k, name in enumerate(pool.map(_write_one, jobs, chunksize=8), 1):
                names.append(name)
                if k % 100 == 0:
                    log(f"corpus: {k}/{n} files written")
    else:
        names = [_write_one(job) for job in jobs]
    corpus = Corpus(folder, seed)
    for (_i, unit, as_of, n_tasks, variant, errors), name in zip(plan, names, strict=True):
        corpus.files.append(
            CorpusFile(name, unit.code, as_of.isoformat(), n_tasks, variant, errors)
        )
    resave = [folder / f.name for f in corpus.files if f.variant == RESAVED]
    if resave:
        soffice = libreoffice() if use_libreoffice else None
        if soffice and _resave_libreoffice(resave, soffice):
            corpus.resaved_by = "LibreOffice"
        else:
            for path in resave:
                _reshape(path, RESAVED)
            corpus.resaved_by = "openpyxl"
        log(f"corpus: {len(resave)} files re-saved by {corpus.resaved_by}")
    manifest_path.write_text(
        json.dumps(
            {
                "key": key,
                "resaved_by": corpus.resaved_by,
                "files": [asdict(f) for f in corpus.files],
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    return corpus


def one_file(folder: Path, config: Config, seed: int, n_tasks: int = 300) -> Path:
    """A single submission of ``n_tasks`` rows (with projects) for the one-file step."""
    from consolidate.render.template import write_submission

    unit = config.unit_index.by_code["SKHCN"]
    rng = random.Random(f"{seed}-one-file")
    as_of = _as_of(LAST_WEEK)
    rows = task_rows(unit, n_tasks, as_of, rng)
    sheets = {"tasks": rows, "projects": project_rows(unit, rng)}
    folder.mkdir(parents=True, exist_ok=True)
    return write_submission(
        folder / f"{unit.name} - {n_tasks} nhiệm vụ.xlsx",
        config.units,
        cover(unit, as_of, rng),
        sheets,
    )


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


__all__ = [
    "BUILD_AT",
    "RECEIVED_AT",
    "WEEK",
    "Corpus",
    "CorpusFile",
    "bench_units",
    "build_corpus",
    "one_file",
    "write_workspace",
]
