"""The history benchmark (``bench/run.py --history``): a year of a province in the store.

A store with 52 weekly rounds × 200 units (≈ 1.6 million task rows; project rows of the
investors in 24 twice-monthly rounds; five indicators per unit and file) is generated once
**through the store API** (``archive_bytes`` + ``save_result`` with compact row tuples, the
way ingest stores a snapshot, without reading workbooks) and cached under ``bench/out/``;
a second store holds only the last week. Then, in a child process per store (its own peak
RSS), the same commands are timed on both: the weekly build (with ``Xu hướng``), the
scorecard over the whole year, the indicators; plus the task-status aggregation of the
trends done by SQL against pandas.

Units behave the way they do: most report on time, some late, a few miss a week, a few
are rejected and resend; tasks keep their deadlines over the year and get done week by week.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

HISTORY_VERSION = 3  # 3: schema 4 (submission_arrivals), years before the last
YEAR = 2026
TZ_NAME = "Asia/Ho_Chi_Minh"

TASKS = (
    "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
    "Tổ chức lớp Bình dân học vụ số cho cán bộ và người dân",
    "Rà soát, cắt giảm thành phần hồ sơ thủ tục hành chính",
    "Triển khai thanh toán không dùng tiền mặt trong dịch vụ công",
    "Cập nhật dữ liệu dân cư phục vụ Đề án 06",
    "Ban hành quy chế làm việc trên môi trường số",
    "Xây dựng mô hình thôn, buôn, khu phố số tiêu biểu",
    "Bồi dưỡng kỹ năng sử dụng trí tuệ nhân tạo cho công chức",
)
PILLARS = (
    "Cải cách hành chính",
    "Cải cách thể chế",
    "Khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số",
    "Phát triển nguồn nhân lực",
)
OFFICERS = ("Nguyễn Thị Hoa", "Trần Văn Bình", "Lê Minh Tuấn", "Phạm Thu Trang", "H'Linh Niê")
INDICATORS = (
    ("CT01", "Tỷ lệ hồ sơ thủ tục hành chính được số hóa", "%", 80.0),
    ("CT02", "Số hồ sơ giải quyết trực tuyến toàn trình", "hồ sơ", 1200.0),
    ("CT03", "Số người được tập huấn kỹ năng số", "người", 500.0),
    ("CT04", "Số cuộc họp trực tuyến", "cuộc", 40.0),
    ("CT05", "Tỷ lệ thanh toán trực tuyến", "%", 60.0),
)


@dataclass(frozen=True)
class Spec:
    units: int
    weeks: int  # weekly rounds, the last one 2026-W52
    mean_rows: int

    @property
    def key(self) -> str:
        return f"history-v{HISTORY_VERSION}-u{self.units}-w{self.weeks}-r{self.mean_rows}"

    def years(self, n: int) -> Spec:
        """The same province over ``n`` years (52 weekly rounds a year)."""
        return Spec(self.units, self.weeks * n, self.mean_rows)


FULL = Spec(200, 52, 160)
TINY = Spec(12, 8, 20)


@contextmanager
def no_fsync() -> Iterator[None]:
    """Generation only: the archive's per-file fsync (crash safety of real arrivals) would
    make the one-off generation of 10,000 files take minutes; timed steps never run here."""
    saved = os.fsync
    os.fsync = lambda fd: None  # type: ignore[assignment]
    try:
        yield
    finally:
        os.fsync = saved  # type: ignore[assignment]


@dataclass
class UnitPlan:
    year: int
    code: str
    name: str
    investor: bool
    n_tasks: int
    deadlines: list[date]
    done_week: list[int]  # week index from which the task is done (>= weeks: never)
    pillar: list[str]
    text: list[str]
    missing_officer: list[bool]


def _plans(config: Any, spec: Spec, rng: random.Random, year: int = YEAR) -> list[UnitPlan]:
    """Each unit's tasks of ``year`` (a new list every year)."""
    plans = []
    for i, unit in enumerate(config.units[: spec.units]):
        n = max(8, int(rng.triangular(8, spec.mean_rows * 2 - 8, spec.mean_rows)))
        deadlines = [date(year, 1, 1) + timedelta(days=rng.randint(20, 364)) for _ in range(n)]
        done = [
            int((d - date(year, 1, 1)).days / 7 + rng.choice([-6, -2, 0, 1, 3, 8, 60]))
            for d in deadlines
        ]
        plans.append(
            UnitPlan(
                year=year,
                code=unit.code,
                name=unit.name,
                investor=i % 15 == 0,
                n_tasks=n,
                deadlines=deadlines,
                done_week=done,
                pillar=[rng.choice(PILLARS) for _ in range(n)],
                text=[f"{rng.choice(TASKS)} — đợt {k + 1} năm {year}" for k in range(n)],
                missing_officer=[rng.random() < 0.08 for _ in range(n)],
            )
        )
    return plans


def _task_table(plan: UnitPlan, week: int, as_of: date) -> Any:
    from consolidate.store.db import StoredTable

    names = ("row", "stt", "task_code", "task", "pillar", "source_doc", "lead_unit",
             "partner_units", "officer", "authority", "deadline", "deliverable", "progress",
             "state", "completed_on", "period_result", "bottleneck", "proposal", "note",
             "deadline_kind", "deadline_end", "issues")  # fmt: skip
    rows = []
    for k in range(plan.n_tasks):
        end = plan.deadlines[k]
        done = week >= plan.done_week[k]
        progress = 100.0 if done else float(min(95, 5 * max(0, week - plan.done_week[k] + 15)))
        state = "Đã hoàn thành" if done else ("Đang thực hiện" if progress else "Chưa triển khai")
        completed = (
            (date(plan.year, 1, 1) + timedelta(days=7 * plan.done_week[k] + 3)).isoformat()
            if done
            else None
        )
        rows.append(
            (k + 5, k + 1, None, plan.text[k], plan.pillar[k], "Kế hoạch số 05-KH/TGV",
             plan.code, None, None if plan.missing_officer[k] else OFFICERS[k % 5],
             "Phó Giám đốc Lê Văn Nam", end.strftime("%d/%m/%Y"), "Báo cáo kết quả", progress,
             state, completed, f"Đã thực hiện {progress:.0f} % khối lượng" if progress else None,
             "Thiếu kinh phí" if k % 17 == 0 else None, None, None, "date", end.isoformat(),
             None)
        )  # fmt: skip
    return StoredTable(names, rows)


def _project_table(plan: UnitPlan, week: int) -> Any:
    from consolidate.store.db import StoredTable

    names = ("row", "stt", "project_code", "project", "fund_source", "total_investment",
             "year_plan", "disbursed", "disbursed_pct", "stage", "progress", "deadline",
             "committed_pct", "officer", "deadline_kind", "deadline_end")  # fmt: skip
    rows = []
    for k in range(3):
        plan_money = 5000.0 * (k + 1)
        disbursed = round(plan_money * min(1.0, week / 60 + 0.05 * k), 1)
        rows.append(
            (k + 5, k + 1, f"DA-{plan.code}-{k + 1:02d}", f"Dự án chuyển đổi số số {k + 1}",
             "Đầu tư công", plan_money * 2, plan_money, disbursed,
             100.0 * disbursed / plan_money, "Đang triển khai", min(100.0, week * 2.0),
             f"Năm {plan.year}", 90.0, OFFICERS[k], "year", f"{plan.year}-12-31")
        )  # fmt: skip
    return StoredTable(names, rows)


def _indicator_table(week: int, weeks: int) -> Any:
    from consolidate.store.db import StoredTable

    names = ("row", "stt", "indicator_code", "indicator", "unit_of_measure", "target", "achieved")
    share = (week + 1) / weeks
    rows = [
        (k + 5, k + 1, code, name, uom, target, round(target * share * 0.9, 1))
        for k, (code, name, uom, target) in enumerate(INDICATORS)
    ]
    return StoredTable(names, rows)


def _save(store: Any, plan: UnitPlan, at: datetime, as_of: date, sheets: dict[str, Any],
          tag: str) -> None:  # fmt: skip
    from consolidate.core.findings import Finding, Report
    from consolidate.store.db import utc_iso

    name = f"{plan.code} - Báo cáo {tag}.xlsx"
    data = f"bench history {plan.code} {tag} {at.isoformat()}".encode()
    arrival = store.archive_bytes(data, name, at, "bench")
    report = Report(file=name, sha256=arrival.sha256, unit_code=plan.code, unit_name=plan.name,
                    as_of=as_of.isoformat(), received_at=utc_iso(at), template_version="2026.1")  # fmt: skip
    if not sheets:  # rejected
        report.add(Finding("bad-value", "error", "Tiến độ 150", sheet="Nhiệm vụ", cell="L5"))
        store.save_result(report)
        return
    store.save_result(report, {"prepared_by": "Chuyên viên", "approver": "Giám đốc"}, sheets)


def _weeks(config: Any, n: int) -> list[Any]:
    """The ``n`` weekly periods ending with 2026-W52, oldest first."""
    from consolidate.calendar.periods import parse_week, previous_period

    out = [parse_week(config.calendar, f"{YEAR}-W52")]
    while len(out) < n:
        out.append(previous_period(config.calendar, out[-1]))
    return out[::-1]


def generate(
    root: Path, spec: Spec, seed: int, log: Callable[[str], None], *, week_store: bool = True
) -> tuple[Path, Path | None, Path | None]:
    """The long store (``spec.weeks`` weekly rounds up to 2026-W52) and, with
    ``week_store``, two stores of the last week: one holding only the files of that round,
    and one holding every file the last week's report reads in the long store — the files of
    its window and each unit's newest earlier file (carried forward for a unit that missed
    the week) — so that its report is the long store's, row for row, without the history
    around it. Cached: reused while the spec and the generator version match."""
    long_ws = root / f"{spec.key}-year"
    week_ws = root / f"{spec.key}-week" if week_store else None
    same_ws = root / f"{spec.key}-week-same" if week_store else None
    done = root / f"{spec.key}.done"
    if done.is_file() and all(
        (ws / "consolidate.toml").is_file() for ws in (long_ws, week_ws, same_ws) if ws
    ):
        return long_ws, week_ws, same_ws
    from bench import corpus as corpus_mod
    from consolidate.calendar.periods import twice_monthly_containing
    from consolidate.core.config import load_config
    from consolidate.store.db import Store

    workspaces = [ws for ws in (long_ws, week_ws, same_ws) if ws is not None]
    for ws in workspaces:
        shutil.rmtree(ws, ignore_errors=True)
        corpus_mod.write_workspace(ws)
    config = load_config(long_ws)
    cal = config.calendar
    rng = random.Random(seed)
    plans: dict[int, list[UnitPlan]] = {}
    weeks = _weeks(config, spec.weeks)
    last_start = weeks[-1].start
    # for the last week's own report: the saves in its window, each unit's newest before it
    in_window: list[tuple[Any, ...]] = []
    newest_before: dict[str, tuple[Any, ...]] = {}
    start = time.perf_counter()
    with no_fsync(), contextlib.ExitStack() as stack:
        opened = [
            stack.enter_context(Store(load_config(ws).store, load_config(ws).archive))
            for ws in workspaces
        ]
        for store in opened:
            store.db.execute("PRAGMA synchronous=OFF")
        for w, period in enumerate(weeks):
            year, iso_week, _ = period.as_of.isocalendar()
            if year not in plans:
                plans[year] = _plans(config, spec, rng, year)
            in_year = min(51, iso_week - 1)  # 0-based week of the year
            stores = opened[:1] + (opened[1:2] if w == spec.weeks - 1 else [])
            twice = twice_monthly_containing(cal, period.cutoff - timedelta(hours=30))
            for plan in plans[year]:
                roll = rng.random()
                if roll < 0.05:
                    continue  # missed the week
                hours = -rng.randint(2, 40) if roll < 0.15 else rng.randint(1, 70)
                at = period.cutoff - timedelta(hours=hours)
                as_of = at.date()
                sheets: dict[str, Any] = {
                    "tasks": _task_table(plan, in_year, as_of),
                    "indicators": _indicator_table(in_year, 52),
                }
                if plan.investor and twice.cutoff >= at:
                    sheets["projects"] = _project_table(plan, in_year)
                saves = [(plan, at, as_of, sheets, f"tuần {w}")]
                if roll > 0.97:  # rejected, resent an hour later
                    saves.insert(0, (plan, at - timedelta(hours=1), as_of, {}, f"tuần {w} lỗi"))
                for s in stores:
                    for save in saves:
                        _save(s, *save)
                if same_ws is not None:
                    for save in saves:
                        if save[1] > last_start:
                            in_window.append(save)
                        elif save[3]:
                            newest_before[plan.code] = save
            if (w + 1) % 13 == 0 or w == spec.weeks - 1:
                log(f"history store: week {w + 1}/{spec.weeks} "
                    f"({time.perf_counter() - start:.0f} s)")  # fmt: skip
        if same_ws is not None:
            for save in sorted([*newest_before.values(), *in_window], key=lambda x: x[1]):
                _save(opened[2], *save)
        for store in opened:
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    done.write_text(json.dumps({"seconds": time.perf_counter() - start}), encoding="utf-8")
    return long_ws, week_ws, same_ws


def last_week_key(spec: Spec) -> str:
    return f"{YEAR}-W52"


def build_moment(config: Any) -> datetime:
    """Friday morning after the last week's cut-off."""
    from consolidate.calendar.periods import parse_week

    return parse_week(config.calendar, f"{YEAR}-W52").cutoff + timedelta(hours=16)


def store_bytes(ws: Path) -> int:
    store = ws / "store"
    return sum(p.stat().st_size for p in store.iterdir() if p.is_file())


def child(workspace: Path, spec_key: str, repeats: int, part: str) -> dict[str, Any]:
    """Run in a subprocess: time the steps of ``part`` on one store, return the figures.

    ``product``: what the officer runs (the weekly build with ``Xu hướng``, the scorecard,
    the indicators, and the parts of the weekly build) — the peak memory of this process is
    the product's. ``compare``: the task-status aggregation of the trends by SQL, from the
    summary table and by pandas (the pandas variant reads every task row of the 8 weeks into
    a frame, so it runs in a process of its own and does not count in the product's peak).
    """
    from bench.run import peak_rss_bytes
    from consolidate.build import build_indicators, build_scorecard, build_weekly
    from consolidate.calendar.periods import parse_week
    from consolidate.core.config import load_config
    from consolidate.reports.history import history, periods_back, task_counts, task_counts_pandas
    from consolidate.reports.trends import trends
    from consolidate.reports.weekly import weekly_data
    from consolidate.store.db import Store

    config = load_config(workspace)
    now = build_moment(config)
    week = f"{YEAR}-W52"
    weeks = int(spec_key.split("-w")[1].split("-")[0])
    first = f"{YEAR}-W{53 - min(weeks, 52):02d}"  # the scorecard covers the last year
    samples: dict[str, list[float]] = {}
    out: dict[str, Any] = {}

    def timed(key: str, fn: Callable[[], Any]) -> Any:
        gc.collect()
        t0 = time.perf_counter()
        value = fn()
        samples.setdefault(key, []).append(time.perf_counter() - t0)
        return value

    with Store(config.store, config.archive) as store:
        period = parse_week(config.calendar, week)
        day = period.as_of.isoformat()

        def forget(where: str, params: tuple[Any, ...] = ()) -> None:
            with store.transaction() as db:
                db.execute(f"DELETE FROM task_status_counts {where}", params)

        if part == "product":
            # warm-up: imports, and the first build freezes the periods' unit lists
            build_weekly(config, store, week=week, now=now)
            build_scorecard(config, store, week_from=first, week_to=week, now=now)
            build_indicators(config, store, as_of=now.date(), now=now)
            for _ in range(repeats):
                # steady state: the earlier weeks were summarised by the earlier Fridays'
                # builds; this week's snapshots are new
                forget("WHERE day = ?", (day,))
                built = timed("weekly", lambda: build_weekly(config, store, week=week, now=now))
                forget("")  # cold: the first build after an upgrade summarises all 8 weeks
                timed("weekly, cold summary",
                      lambda: build_weekly(config, store, week=week, now=now))  # fmt: skip
                forget("WHERE day = ?", (day,))
                score = timed(
                    "scorecard",
                    lambda: build_scorecard(config, store, week_from=first, week_to=week, now=now),
                )
                ind = timed(
                    "indicators",
                    lambda: build_indicators(config, store, as_of=now.date(), now=now),
                )
                timed("trends: all figures of Xu hướng (8 weeks)",
                      lambda: trends(config, store, period, now))  # fmt: skip
                timed("weekly figures without Xu hướng (no files)",
                      lambda: weekly_data(config, store, period, now, with_trends=False)
                      .figures())  # fmt: skip
                timed("trends: history frame (8 weeks)",
                      lambda: history(config, store, "weekly", periods_back(config, period, 8),
                                      now))  # fmt: skip
            out |= {
                "weekly_summary": built.summary,
                "weekly_tasks": built.figures["tasks"]["total"],
                "scorecard_units": len(score.rows),
                "indicators": len(ind.payload["indicators"]),
            }
        else:
            build_weekly(config, store, week=week, now=now)  # the periods' lists are frozen
            hist = history(config, store, "weekly", periods_back(config, period, 8), now)
            f = hist.frame
            picks = f.loc[f["submission_id"].notna(), ["period", "submission_id"]]
            picks = picks.reset_index(drop=True)
            picks["day"] = [hist.periods[i].as_of for i in picks["period"]]
            from consolidate.calendar.periods import next_period
            from consolidate.reports.selection import select_snapshots

            def one_by_one() -> list[Any]:
                # the one-period rules (Python over each window's rows) in a loop
                return [
                    select_snapshots(config, store, p, "weekly",
                                     min(now, next_period(config.calendar, p).cutoff))
                    for p in hist.periods
                ]  # fmt: skip

            for _ in range(repeats):
                timed("trends: unit × week status, 8 × select_snapshots", one_by_one)
                timed("trends: unit × week status, pandas frame",
                      lambda: history(config, store, "weekly", hist.periods, now))  # fmt: skip
                sql = timed(
                    "trends: task status by SQL",
                    lambda: task_counts(store, picks, 7, cache=False),
                )
                timed("trends: task status, summary table", lambda: task_counts(store, picks, 7))
                pdx = timed(
                    "trends: task status by pandas", lambda: task_counts_pandas(store, picks, 7)
                )
            assert sql.equals(pdx), "SQL and pandas disagree"
            out["picks"] = len(picks)
        out["task_rows"] = store.db.execute("SELECT count(*) FROM tasks").fetchone()[0]
        out["submissions"] = store.db.execute("SELECT count(*) FROM submissions").fetchone()[0]
        out["object_bytes"] = dict(
            store.db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
        )
    return out | {
        "samples": samples,
        "median": {k: statistics.median(v) for k, v in samples.items()},
        "peak_rss": peak_rss_bytes(),
        "store_bytes": store_bytes(workspace),
    }


def run_child(workspace: Path, spec_key: str, repeats: int, part: str) -> dict[str, Any]:
    """Time one store in a fresh Python process. Its peak memory is the kernel's figure for
    that process alone (``ru_maxrss`` from ``wait4``: the child's whole life, imports and
    every repeat included; the generation in this process does not count), with the
    child's own reading (``getrusage`` / psutil) where ``wait4`` is missing (Windows)."""
    import subprocess
    import tempfile

    cmd = [sys.executable, str(Path(__file__).resolve().parent / "run.py"), "--child-history",
           str(workspace), spec_key, str(repeats), part]  # fmt: skip
    peak: int | None = None
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8") as fo,
        tempfile.TemporaryFile("w+", encoding="utf-8") as fe,
    ):
        proc = subprocess.Popen(cmd, stdout=fo, stderr=fe)
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            peak = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
        else:
            proc.wait()
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
    if proc.returncode:
        raise RuntimeError(f"history child failed ({proc.returncode}):\n{err[-4000:]}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_self"] = result["peak_rss"]
    if peak is not None:
        result["peak_rss"] = peak
    return result


def run(
    out: Path, tiny: bool, repeats: int, seed: int, log: Callable[[str], None], years: int = 1
) -> dict[str, Any]:
    """Generate (once) and measure the one-week and the one-year store, each in its own
    subprocess; with ``years`` > 1 also a store of that many years."""
    spec = TINY if tiny else FULL
    year_ws, week_ws, same_ws = generate(out, spec, seed, log)
    assert week_ws is not None and same_ws is not None
    results: dict[str, Any] = {"spec": spec.key}
    stores: list[tuple[str, Path, str]] = [
        ("week", week_ws, spec.key), ("week_same", same_ws, spec.key), ("year", year_ws, spec.key)
    ]  # fmt: skip
    if years > 1:
        long = spec.years(years)
        long_ws, _, _ = generate(out, long, seed, log, week_store=False)
        stores.append(("years", long_ws, long.key))
        results["years_spec"] = long.key
        results["years_n"] = years
    for label, ws, key in stores:
        log(f"history: timing the {label} store (subprocesses)")
        product = run_child(ws, key, repeats, "product")
        compare = run_child(ws, key, repeats, "compare")
        product["samples"] |= compare["samples"]
        product["median"] |= compare["median"]
        product["picks"] = compare["picks"]
        product["peak_rss_compare"] = compare["peak_rss"]
        results[label] = product
    return results
