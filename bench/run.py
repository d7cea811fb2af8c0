"""Benchmark: the product against the naive pipeline and the write floor, in the same run.

    python bench/run.py [--files 200] [--repeats 3] [--growth] [--mail] [--tiny] [--seed N]
                        [--out DIR] [--profile] [--workers N] [--no-libreoffice]

Steps (medians of ``--repeats``, a fresh workspace per repeat, imports warmed first):

1. flood — the naive per-file pipeline (:func:`bench.naive.naive_pipeline`) against
   ``ingest_paths(config, [folder])`` (archive + read + validate + store + verdicts +
   feedback) on the whole corpus; target ≥ 5× faster and < 3 s;
2. one file — ``ingest_bytes`` of a 300-row submission to verdict and feedback, ≤ 0.3 s,
   and the interpreter start-up (``import consolidate.intake.ingest``, ``consolidate --help``),
   each < 0.3 s, measured in subprocesses;
3. weekly build — ``build_weekly`` for the corpus against xlsxwriter alone writing the same
   ``Chi tiết`` cells (:func:`bench.naive.write_floor`); target ≤ 1.3× the floor for the
   workbook (the Word document written beside it is timed as its own stage and shown apart);
4. growth (``--growth``) — ingest of 10× the corpus ≤ 11× the time, each run in its own
   subprocess so that peak RSS is its own; target < 1 GiB;
5. mail (``--mail``, :mod:`bench.mail`, real Dovecot and SMTP servers) — the Thursday flood
   by mail (one message per corpus file: fetched, ingested, answered) ≤ 1.5× the folder
   flood of the same files in the same run, and the ``watch --mail`` answer latency
   (median and worst of 20) ≤ 3 s.

The corpus (not timed) is generated deterministically from ``--seed`` into ``--out``
(default ``bench/out/``, git-ignored) and reused by later runs. Results go to stdout as a
table and to ``<out>/results.md`` and ``<out>/results.json``. ``--tiny`` runs a small
version in seconds (CI keeps the script working with it; its timings mean nothing).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bench`` and the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpus as corpus_mod
from bench.naive import naive_pipeline, read_back, write_floor
from bench.stages import DOC_BUILD, DOC_SAVE, INGEST_STAGES, WEEKLY_STAGES, timed_stages

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = BENCH_DIR / "out"
MIB = 1024 * 1024
GIB = 1024 * MIB

TARGET_SPEEDUP = 5.0
TARGET_FLOOD_S = 3.0
TARGET_ONE_FILE_S = 0.3
TARGET_STARTUP_S = 0.3
TARGET_WEEKLY_RATIO = 1.3
TARGET_GROWTH_RATIO = 11.0
TARGET_PEAK_RSS = GIB
ONE_FILE_ROWS = 300


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- measuring ------------------------------------------------------------------------------


def peak_rss_bytes() -> int | None:
    """Peak resident set size of this process so far, plus that of its largest finished
    child process (worker processes, if the product uses any); None where unknown."""
    try:
        import resource
    except ImportError:  # Windows: psutil if installed, else unknown
        try:
            import psutil  # type: ignore[import-untyped]
        except ImportError:
            return None
        info = psutil.Process().memory_info()
        return int(getattr(info, "peak_wset", 0) or info.rss)
    scale = 1 if sys.platform == "darwin" else 1024  # macOS: bytes, Linux: KiB
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return int((own + children) * scale)


def load_average() -> str:
    """1-minute load average (other work on the machine skews wall-clock times)."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except (AttributeError, OSError):  # Windows
        return "n/a"


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def fmt_s(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:
        return "—"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def fmt_mib(n: int | None) -> str:
    return "n/a" if n is None else f"{n / MIB:,.0f} MiB"


@dataclass
class Row:
    step: str
    baseline: str
    product: str
    ratio: str
    target: str
    ok: bool | None  # None: for information, no target

    @property
    def verdict(self) -> str:
        return "" if self.ok is None else ("PASS" if self.ok else "FAIL")


@dataclass
class Results:
    meta: dict[str, Any] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)
    stages: dict[str, dict[str, float]] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)

    def add(self, key: str, value: float) -> None:
        self.samples.setdefault(key, []).append(value)

    def med(self, key: str) -> float:
        return median(self.samples.get(key, []))

    def add_stages(self, group: str, totals: dict[str, float]) -> None:
        for label, seconds in totals.items():
            self.samples.setdefault(f"{group}: {label}", []).append(seconds)


def fresh_workspace(seed_ws: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(seed_ws, target)
    return target


def clear_product_caches() -> None:
    """Empty the product's memo caches (``functools`` caches in its modules), so that no
    repeat profits from having seen the same corpus in an earlier repeat."""
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(("consolidate", "schemas")):
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()


def settle() -> None:
    """Flush what earlier steps wrote: the ingest fsyncs every archived file, and on a
    journalling file system an fsync also waits for other pending writes, so a step would
    otherwise pay for the copying and writing of the steps before it."""
    if hasattr(os, "sync"):
        os.sync()


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    clear_product_caches()
    gc.collect()
    settle()
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


# --- the steps ------------------------------------------------------------------------------


def warm_up(seed_ws: Path, work: Path, sample: Path) -> None:
    """Import and exercise everything once so that no timed step pays a first-call cost."""
    from consolidate.build import build_weekly
    from consolidate.core.config import load_config
    from consolidate.intake.ingest import ingest_bytes
    from consolidate.store.db import Store

    config = load_config(fresh_workspace(seed_ws, work / "warm-up"))
    ingest_bytes(config, sample.read_bytes(), sample.name, received_at=corpus_mod.RECEIVED_AT)
    with Store(config.store, config.archive) as store:
        build_weekly(config, store, week=corpus_mod.WEEK, now=corpus_mod.BUILD_AT)
    naive_pipeline([sample])
    shutil.rmtree(work / "warm-up", ignore_errors=True)


def flood_and_weekly(
    res: Results, corpus: corpus_mod.Corpus, seed_ws: Path, work: Path, repeat: int
) -> Path:
    """One repeat of steps 1 and 3: naive, product flood, weekly build, write floor."""
    from consolidate.build import build_weekly
    from consolidate.core.config import load_config
    from consolidate.intake.ingest import ingest_paths
    from consolidate.store.db import Store

    cpu = time.process_time()
    seconds, naive = timed(lambda: naive_pipeline(corpus.paths))
    res.add("naive cpu", time.process_time() - cpu)
    res.add("naive", naive.seconds)
    res.add("naive: read_excel", naive.read_seconds)
    res.add("naive: pandera per file", naive.validate_seconds)
    res.facts["naive_rows"] = naive.rows

    ws = fresh_workspace(seed_ws, work / f"flood-{repeat}")
    config = load_config(ws)
    cpu = time.process_time()
    with timed_stages(INGEST_STAGES) as totals:
        seconds, result = timed(
            lambda: ingest_paths(
                config, [corpus.folder], received_at=corpus_mod.RECEIVED_AT, source="bench"
            )
        )
    res.add("flood cpu", time.process_time() - cpu)
    res.add("flood", seconds)
    res.add_stages("flood", totals)
    res.facts["flood_verdicts"] = {
        v: result.count(v) for v in ("accepted", "rejected", "duplicate")
    }
    res.facts["flood_files"] = len(result.reports)

    with Store(config.store, config.archive) as store, timed_stages(WEEKLY_STAGES) as totals:
        cpu = time.process_time()
        seconds, built = timed(
            lambda: build_weekly(config, store, week=corpus_mod.WEEK, now=corpus_mod.BUILD_AT)
        )
        res.add("weekly cpu", time.process_time() - cpu)
    res.add("weekly", seconds)
    res.add("weekly workbook", seconds - totals[DOC_BUILD] - totals[DOC_SAVE])
    res.add_stages("weekly", totals)
    res.facts["weekly_summary"] = built.summary
    if "detail_cells" not in res.facts:
        cells = read_back(Path(built.path), "Chi tiết")
        res.facts["detail_cells"] = cells
        res.facts["detail_shape"] = (len(cells), max((len(r) for r in cells), default=0))
    cells = res.facts["detail_cells"]
    for label, target, options in (
        ("floor", "floor.xlsx", {}),
        ("floor, GC on", "floor-gc.xlsx", {"pause_gc": False}),
        ("floor, constant_memory", "floor-cm.xlsx", {"constant_memory": True}),
        ("floor, laid out", "floor-laid-out.xlsx", {"laid_out": True}),
    ):
        gc.collect()
        settle()
        cpu = time.process_time()
        res.add(label, write_floor(cells, ws / target, **options))
        res.add(f"{label} cpu", time.process_time() - cpu)
    return ws


def one_file(res: Results, path: Path, seed_ws: Path, work: Path, warm: Path, repeat: int) -> None:
    from consolidate.core.config import load_config
    from consolidate.intake.ingest import ingest_bytes

    data = path.read_bytes()
    config = load_config(fresh_workspace(seed_ws, work / f"one-{repeat}"))
    # Warm this workspace's first-use costs (store schema, feedback folder) with another file.
    ingest_bytes(config, warm.read_bytes(), warm.name, received_at=corpus_mod.RECEIVED_AT)
    seconds, report = timed(
        lambda: ingest_bytes(config, data, path.name, received_at=corpus_mod.RECEIVED_AT)
    )
    res.add("one file", seconds)
    res.facts["one_file"] = {
        "verdict": report.verdict,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "feedback": bool(report.feedback_path and Path(report.feedback_path).is_file()),
        "counts": report.counts,
    }
    seconds, _ = timed(lambda: naive_pipeline([path]))
    res.add("one file naive", seconds)
    shutil.rmtree(work / f"one-{repeat}", ignore_errors=True)


def consolidate_command() -> list[str]:
    scripts = Path(sys.executable).parent
    for name in ("consolidate", "consolidate.exe"):
        if (scripts / name).is_file():
            return [str(scripts / name)]
    return [sys.executable, "-m", "consolidate"]


def startup(res: Results, repeats: int) -> None:
    commands = {
        "start-up: python -c pass": [sys.executable, "-c", "pass"],
        "start-up: import consolidate.intake.ingest": [
            sys.executable,
            "-c",
            "import consolidate.intake.ingest",
        ],
        "start-up: consolidate --help": [*consolidate_command(), "--help"],
    }
    for key, command in commands.items():
        for i in range(repeats + 1):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            if i:  # the first run only warms the disk cache
                res.add(key, time.perf_counter() - start)


def child_ingest(corpus_dir: Path, workspace: Path, warm: Path) -> dict[str, Any]:
    """Run in a subprocess by the growth step: warm up, ingest the folder, report."""
    from consolidate.core.config import load_config
    from consolidate.intake.ingest import ingest_bytes, ingest_paths

    config = load_config(workspace)
    ingest_bytes(
        config, warm.read_bytes(), warm.name, received_at=corpus_mod.RECEIVED_AT, dry_run=True
    )
    gc.collect()
    start = time.perf_counter()
    result = ingest_paths(config, [corpus_dir], received_at=corpus_mod.RECEIVED_AT, source="bench")
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "files": len(result.reports),
        "accepted": result.count("accepted"),
        "peak_rss": peak_rss_bytes(),
    }


def growth(
    res: Results, args: argparse.Namespace, config: Any, seed_ws: Path, out: Path, warm: Path
) -> None:
    for n in (args.files, args.files * 10):
        corpus = corpus_mod.build_corpus(
            out / f"corpus-s{args.seed}-n{n}", n, args.seed, config,
            workers=args.workers, use_libreoffice=not args.no_libreoffice, log=log,
        )  # fmt: skip
        res.facts[f"growth_rows_{n}"] = corpus.task_rows
        for r in range(args.repeats):
            ws = fresh_workspace(seed_ws, out / "work" / f"growth-{n}-{r}")
            log(f"growth: {n} files, repeat {r + 1}/{args.repeats} (subprocess)")
            settle()
            done = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--child-ingest",
                 str(corpus.folder), str(ws), str(warm)],
                check=True, capture_output=True, text=True, encoding="utf-8",
            )  # fmt: skip
            report = json.loads(done.stdout.strip().splitlines()[-1])
            res.add(f"growth {n}", report["seconds"])
            if report["peak_rss"] is not None:
                res.add(f"growth {n} peak rss", report["peak_rss"])
            res.facts[f"growth_accepted_{n}"] = report["accepted"]
            shutil.rmtree(ws, ignore_errors=True)


# --- profiles -----------------------------------------------------------------------------------


def profile(corpus: corpus_mod.Corpus, seed_ws: Path, work: Path, out: Path) -> list[Path]:
    """One flood and one weekly build under pyinstrument (cProfile if it is missing)."""
    from consolidate.build import build_weekly
    from consolidate.core.config import load_config
    from consolidate.intake.ingest import ingest_paths
    from consolidate.store.db import Store

    config = load_config(fresh_workspace(seed_ws, work / "profile"))

    def flood() -> None:
        ingest_paths(config, [corpus.folder], received_at=corpus_mod.RECEIVED_AT, source="bench")

    def weekly() -> None:
        with Store(config.store, config.archive) as store:
            build_weekly(config, store, week=corpus_mod.WEEK, now=corpus_mod.BUILD_AT)

    written = []
    for name, fn in (("flood", flood), ("weekly", weekly)):
        try:
            from pyinstrument import Profiler
        except ImportError:
            import cProfile
            import io
            import pstats

            prof = cProfile.Profile()
            prof.runcall(fn)
            text = io.StringIO()
            pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(60)
            path = out / f"profile-{name}.txt"
            path.write_text(text.getvalue(), encoding="utf-8")
        else:
            profiler = Profiler(interval=0.001)
            profiler.start()
            fn()
            profiler.stop()
            path = out / f"profile-{name}.txt"
            path.write_text(
                profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8"
            )
            (out / f"profile-{name}.html").write_text(profiler.output_html(), encoding="utf-8")
        written.append(path)
    written.append(serial_stages(corpus, seed_ws, work, out))
    return written


def serial_stages(corpus: corpus_mod.Corpus, seed_ws: Path, work: Path, out: Path) -> Path:
    """Seconds per stage of one flood with the process pool off (the workers' stages cannot
    be timed from this process), to ``<out>/stages-one-process.txt``."""
    import consolidate.intake.ingest as ingest
    import consolidate.intake.pool as pool
    from consolidate.core.config import load_config

    config = load_config(fresh_workspace(seed_ws, work / "stages"))
    saved = pool.PARALLEL_MIN_FILES
    pool.PARALLEL_MIN_FILES = 10**9
    clear_product_caches()
    try:
        with timed_stages(INGEST_STAGES) as totals:
            seconds, _ = timed(
                lambda: ingest.ingest_paths(
                    config, [corpus.folder], received_at=corpus_mod.RECEIVED_AT, source="bench"
                )
            )
    finally:
        pool.PARALLEL_MIN_FILES = saved
    lines = [f"flood of {len(corpus.paths)} files in one process: {seconds:.3f} s"]
    lines += [f"  {label:<45} {value:7.3f}" for label, value in totals.items()]
    lines.append(f"  {'(rest: glue, loops, gc)':<45} {seconds - sum(totals.values()):7.3f}")
    path = out / "stages-one-process.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- the table ----------------------------------------------------------------------------------


def build_rows(res: Results, args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    n, task_rows = args.files, res.facts.get("task_rows", 0)
    naive, flood = res.med("naive"), res.med("flood")
    speedup = naive / flood if flood else float("nan")
    rows.append(
        Row(
            f"1. flood: {n} files, {task_rows:,} task rows (naive per-file vs ingest_paths)",
            fmt_s(naive),
            fmt_s(flood),
            f"{speedup:.2f}× faster",
            f"≥ {TARGET_SPEEDUP:g}×",
            speedup >= TARGET_SPEEDUP,
        )
    )
    rows.append(
        Row(
            f"1. flood: {n} files, absolute",
            "",
            fmt_s(flood),
            "",
            f"< {TARGET_FLOOD_S:g} s",
            flood < TARGET_FLOOD_S,
        )
    )
    one, one_naive = res.med("one file"), res.med("one file naive")
    rows.append(
        Row(
            f"2. one file: {ONE_FILE_ROWS} rows, ingest_bytes → verdict + feedback (naive: read+pandera)",
            fmt_s(one_naive),
            fmt_s(one),
            f"{one / one_naive:.2f}× naive" if one_naive else "",
            f"≤ {TARGET_ONE_FILE_S * 1000:.0f} ms",
            one <= TARGET_ONE_FILE_S,
        )
    )
    bare = res.med("start-up: python -c pass")
    for key, label in (
        (
            "start-up: import consolidate.intake.ingest",
            '2. start-up: python -c "import consolidate.intake.ingest"',
        ),
        ("start-up: consolidate --help", "2. start-up: consolidate --help"),
    ):
        value = res.med(key)
        rows.append(
            Row(
                f"{label} (baseline: python -c pass)",
                fmt_s(bare),
                fmt_s(value),
                "",
                f"< {TARGET_STARTUP_S * 1000:.0f} ms",
                value < TARGET_STARTUP_S,
            )
        )
    weekly, floor = res.med("weekly workbook"), res.med("floor")
    shape = res.facts.get("detail_shape", (0, 0))
    ratio = weekly / floor if floor else float("nan")
    rows.append(
        Row(
            f"3. weekly workbook vs write floor (Chi tiết {shape[0]:,} rows × {shape[1]} cols)",
            fmt_s(floor),
            fmt_s(weekly),
            f"{ratio:.2f}× floor",
            f"≤ {TARGET_WEEKLY_RATIO:g}×",
            ratio <= TARGET_WEEKLY_RATIO,
        )
    )
    laid_out = res.med("floor, laid out")
    rows.append(
        Row(
            "3. weekly workbook vs the floor with Chi tiết's print layout (information: every "
            "cell a wrapped-text style, every row a height, as since issue 13)",
            fmt_s(laid_out),
            fmt_s(weekly),
            f"{weekly / laid_out:.2f}× floor" if laid_out else "",
            "",
            None,
        )
    )
    whole = res.med("weekly")
    rows.append(
        Row(
            "3. weekly build with its Word document (information: the floor writes no document)",
            fmt_s(floor),
            fmt_s(whole),
            f"{whole / floor:.2f}× floor" if floor else "",
            "",
            None,
        )
    )
    if args.growth:
        small, big = res.med(f"growth {n}"), res.med(f"growth {n * 10}")
        g = big / small if small else float("nan")
        rows.append(
            Row(
                f"4. growth: {n * 10:,} vs {n} files, ingest in a subprocess",
                fmt_s(small),
                fmt_s(big),
                f"{g:.2f}×",
                f"≤ {TARGET_GROWTH_RATIO:g}×",
                g <= TARGET_GROWTH_RATIO,
            )
        )
        peaks = [res.samples.get(f"growth {k} peak rss") for k in (n, n * 10)]
        known = [max(p) for p in peaks if p]
        rows.append(
            Row(
                f"4. peak RSS: {n} files / {n * 10:,} files (process + largest child)",
                fmt_mib(int(known[0])) if len(known) > 0 else "n/a",
                fmt_mib(int(known[1])) if len(known) > 1 else "n/a",
                "",
                f"< {TARGET_PEAK_RSS // MIB:,} MiB",
                (all(k < TARGET_PEAK_RSS for k in known) if len(known) == 2 else None),
            )
        )
    if args.mail:
        rows.extend(mail_rows(res, args))
    return rows


def render_table(rows: Sequence[Row]) -> str:
    head = ("step", "baseline", "product", "ratio", "target", "result")
    body = [(r.step, r.baseline, r.product, r.ratio, r.target, r.verdict) for r in rows]
    widths = [max(len(x[i]) for x in (head, *body)) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(head), sep, *(line(b) for b in body)])


def render_details(res: Results) -> str:
    lines = ["", "Where the time goes (medians, seconds):"]
    groups = (
        ("naive", ["read_excel", "pandera per file"]),
        ("flood", [label for _, _, label in INGEST_STAGES]),
        ("weekly", [label for _, _, label in WEEKLY_STAGES]),
    )
    for group, labels in groups:
        total = res.med(group)
        lines.append(f"  {group:<60} {total:7.3f}")
        top = 0.0
        for label in labels:
            key = f"{group}: {label}"
            if key in res.samples:
                value = res.med(key)
                top += 0.0 if label.startswith("  ") else value
                lines.append(f"    {label:<58} {value:7.3f}")
        lines.append(f"    {'(rest: glue, loops, gc)':<58} {total - top:7.3f}")
    lines.append(
        f"  {'write floor (target baseline: GC paused, default mode)':<60} {res.med('floor'):7.3f}"
    )
    lines.append(f"    {'same, cyclic GC on (information)':<58} {res.med('floor, GC on'):7.3f}")
    lines.append(
        f"    {'same, constant_memory mode (information)':<58} "
        f"{res.med('floor, constant_memory'):7.3f}"
    )
    lines.append(
        f"    {'same, Chi tiết print layout (styles, row heights)':<58} "
        f"{res.med('floor, laid out'):7.3f}"
    )
    lines.append(
        f"  CPU seconds of this process: naive {res.med('naive cpu'):.2f}, "
        f"flood {res.med('flood cpu'):.2f} (wall clock above; the machine may be shared)"
    )
    if "weekly cpu" in res.samples and "floor cpu" in res.samples:
        weekly_cpu, floor_cpu = res.med("weekly cpu"), res.med("floor cpu")
        lines.append(
            f"  CPU seconds, all threads: weekly {weekly_cpu:.2f} vs floor {floor_cpu:.2f} "
            f"({weekly_cpu / floor_cpu:.2f}×; the build deflates on a second thread, the "
            "floor on one)"
        )
    facts, meta = res.facts, res.meta
    lines += [
        "",
        f"Flood verdicts: {facts.get('flood_verdicts')}; naive rows: {facts.get('naive_rows')}",
        f"One file: {facts.get('one_file')}",
        f"Corpus: {meta.get('files')} files, {meta.get('task_rows', 0):,} task rows, seed "
        f"{meta.get('seed')}; variants {meta.get('variants')}; re-saved by "
        f"{meta.get('resaved_by') or '—'}",
        f"Machine: {meta.get('machine')}; Python {meta.get('python')}; "
        f"repeats {meta.get('repeats')}; load average at start/end {meta.get('load')}",
    ]
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------------


def mail_steps(
    res: Results, args: argparse.Namespace, corpus: corpus_mod.Corpus, seed_ws: Path, work: Path
) -> None:
    from bench import mail

    def fresh(name: str) -> Path:
        return fresh_workspace(seed_ws, work / name)

    for r in range(args.repeats):
        log(f"mail flood vs folder flood, repeat {r + 1}/{args.repeats}")
        mail.mail_flood(res, corpus.paths, corpus_mod.RECEIVED_AT, fresh, timed)
    log("watch --mail latency")
    mail.watch_latency(res, corpus.paths, corpus_mod.RECEIVED_AT, fresh)


def mail_rows(res: Results, args: argparse.Namespace) -> list[Row]:
    from bench import mail

    folder, by_mail = res.med("mail: folder flood"), res.med("mail: flood")
    ratio = by_mail / folder if folder else float("nan")
    lat = res.samples.get("mail: watch latency", [])
    worst = max(lat) if lat else float("nan")
    return [
        Row(
            f"5. Thursday flood by mail: {args.files} messages, fetched + ingested + answered "
            "(vs the folder flood)",
            fmt_s(folder),
            fmt_s(by_mail),
            f"{ratio:.2f}×",
            f"≤ {mail.TARGET_MAIL_RATIO:g}×",
            ratio <= mail.TARGET_MAIL_RATIO,
        ),
        Row(
            f"5. watch --mail: arrival → answer, median / worst of {len(lat)}",
            fmt_s(res.med("mail: watch latency")),
            fmt_s(worst),
            "",
            f"≤ {mail.TARGET_LATENCY_S:g} s",
            bool(lat) and worst <= mail.TARGET_LATENCY_S,
        ),
    ]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument("--files", type=int, default=200, help="files in the corpus (200)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats per step (3)")
    parser.add_argument("--growth", action="store_true", help="also run 10× the corpus")
    parser.add_argument("--mail", action="store_true", help="also the e-mail loop (Dovecot)")
    parser.add_argument("--tiny", action="store_true", help="6 files, 1 repeat: a smoke run")
    parser.add_argument("--seed", type=int, default=2026, help="corpus seed (2026)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="work folder (bench/out)")
    parser.add_argument("--profile", action="store_true", help="write pyinstrument profiles")
    parser.add_argument(
        "--workers", type=int, default=corpus_mod.default_workers(), help="corpus writers"
    )
    parser.add_argument(
        "--no-libreoffice", action="store_true", help="re-save with openpyxl, not LibreOffice"
    )
    parser.add_argument("--child-ingest", nargs=3, metavar=("CORPUS", "WORKSPACE", "WARM"),
                        help=argparse.SUPPRESS)  # fmt: skip
    parser.add_argument(
        "--history",
        action="store_true",
        help="only the history benchmark: a year of 200 units in the store (bench/history.py)",
    )
    parser.add_argument(
        "--years",
        type=int,
        default=1,
        help="with --history: also a store of N years (N > 1; generated once, ~N× a year)",
    )
    parser.add_argument("--child-history", nargs=4,
                        metavar=("WORKSPACE", "SPEC", "REPEATS", "PART"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args(argv)
    if args.tiny:
        args.files, args.growth, args.no_libreoffice = 6, False, True
        args.repeats = 1 if not args.history else min(args.repeats, 2)
    if args.files < 1 or args.repeats < 1:
        parser.error("--files and --repeats must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child_ingest:
        corpus_dir, workspace, warm = map(Path, args.child_ingest)
        print(json.dumps(child_ingest(corpus_dir, workspace, warm)))
        return 0
    if args.child_history:
        from bench import history as history_mod

        ws, spec, repeats, part = args.child_history
        print(json.dumps(history_mod.child(Path(ws), spec, int(repeats), part), default=str))
        return 0
    if args.history:
        return history_main(args)
    out = args.out.resolve()
    work = out / "work"
    work.mkdir(parents=True, exist_ok=True)
    res = Results()

    seed_ws = out / f"workspace-v{corpus_mod.GENERATOR_VERSION}"
    if not (seed_ws / "consolidate.toml").is_file():
        shutil.rmtree(seed_ws, ignore_errors=True)
        corpus_mod.write_workspace(seed_ws)
    from consolidate.core.config import load_config

    config = load_config(seed_ws)
    log(f"corpus: {args.files} files, seed {args.seed}")
    corpus = corpus_mod.build_corpus(
        out / f"corpus-s{args.seed}-n{args.files}", args.files, args.seed, config,
        workers=args.workers, use_libreoffice=not args.no_libreoffice, log=log,
    )  # fmt: skip
    single = corpus_mod.one_file(out / f"one-file-s{args.seed}", config, args.seed, ONE_FILE_ROWS)
    warm = corpus.paths[0]
    res.facts["task_rows"] = corpus.task_rows
    res.meta = {
        "files": len(corpus.files),
        "task_rows": corpus.task_rows,
        "seed": args.seed,
        "repeats": args.repeats,
        "variants": {v: corpus.count(v) for v in dict.fromkeys(corpus_mod.VARIANT_CYCLE)},
        "rejected_by_design": sum(f.errors for f in corpus.files),
        "resaved_by": corpus.resaved_by,
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "python": platform.python_version(),
        "load": load_average(),
    }

    log("warming up imports")
    warm_up(seed_ws, work, warm)
    for r in range(args.repeats):
        log(f"flood + weekly build, repeat {r + 1}/{args.repeats}")
        ws = flood_and_weekly(res, corpus, seed_ws, work, r)
        shutil.rmtree(ws, ignore_errors=True)
    log("one file")
    for r in range(args.repeats):
        one_file(res, single, seed_ws, work, warm, r)
    log("start-up")
    startup(res, max(3, args.repeats))
    if args.growth:
        growth(res, args, config, seed_ws, out, warm)
    if args.mail:
        mail_steps(res, args, corpus, seed_ws, work)
    profiles = profile(corpus, seed_ws, work, out) if args.profile else []

    res.meta["load"] = f"{res.meta['load']} / {load_average()}"
    res.rows = build_rows(res, args)
    table = render_table(res.rows)
    details = render_details(res)
    print(table)
    print(details)
    for path in profiles:
        print(f"Profile: {path}")
    (out / "results.md").write_text(table + "\n" + details + "\n", encoding="utf-8")
    res.facts.pop("detail_cells", None)
    (out / "results.json").write_text(
        json.dumps(
            {"meta": res.meta, "samples": res.samples, "facts": res.facts,
             "rows": [asdict(r) | {"result": r.verdict} for r in res.rows]},
            ensure_ascii=False, indent=1, default=str,
        ),
        encoding="utf-8",
    )  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)
    return 0


TARGET_HISTORY_WEEKLY_RATIO = 1.25
TARGET_HISTORY_S = 2.0


def history_rows(res: dict[str, Any]) -> list[Row]:
    week, year = res["week"], res["year"]
    wk, yr = week["median"], year["median"]
    ratio = yr["weekly"] / wk["weekly"] if wk["weekly"] else float("nan")
    same = res["week_same"]
    sm = same["median"]
    rows = [
        Row(
            f"H1. weekly build with Xu hướng: store of 1 week ({week['task_rows']:,} task rows; "
            f"report {week['weekly_tasks']:,} rows) vs a year ({year['task_rows']:,} rows, "
            f"{year['submissions']:,} files; report {year['weekly_tasks']:,} rows)",
            fmt_s(wk["weekly"]), fmt_s(yr["weekly"]), f"{ratio:.2f}×",
            f"≤ {TARGET_HISTORY_WEEKLY_RATIO:g}×", ratio <= TARGET_HISTORY_WEEKLY_RATIO,
        ),
        Row(
            f"H1a. same, the week store also holding what the year's report carries forward "
            f"(report {same['weekly_tasks']:,} rows, the same report): the cost of the history "
            "alone (information)",
            fmt_s(sm["weekly"]), fmt_s(yr["weekly"]), f"{yr['weekly'] / sm['weekly']:.2f}×",
            "", None,
        ),
        Row(
            "H1b. same, cold: first build after an upgrade (8 weeks summarised, information)",
            fmt_s(wk["weekly, cold summary"]), fmt_s(yr["weekly, cold summary"]),
            f"{yr['weekly, cold summary'] / wk['weekly, cold summary']:.2f}×", "", None,
        ),
        Row(
            f"H2. scorecard over the year ({year['scorecard_units']} units, workbook included)",
            fmt_s(wk["scorecard"]), fmt_s(yr["scorecard"]), "", f"≤ {TARGET_HISTORY_S:g} s",
            yr["scorecard"] <= TARGET_HISTORY_S,
        ),
        Row(
            f"H3. indicators ({year['indicators']} indicators, workbook included)",
            fmt_s(wk["indicators"]), fmt_s(yr["indicators"]), "", f"≤ {TARGET_HISTORY_S:g} s",
            yr["indicators"] <= TARGET_HISTORY_S,
        ),
        Row(
            "H4. peak RSS of the process timing the product, ru_maxrss from wait4 "
            "(1 week / a year)",
            fmt_mib(week["peak_rss"]), fmt_mib(year["peak_rss"]), "",
            f"< {TARGET_PEAK_RSS // MIB:,} MiB",
            None if year["peak_rss"] is None else year["peak_rss"] < TARGET_PEAK_RSS,
        ),
        Row(
            "H5. store size on disk (1 week / a year)",
            fmt_mib(week["store_bytes"]), fmt_mib(year["store_bytes"]), "", "", None,
        ),
        Row(
            f"H6. trends: task status of {year['picks']:,} snapshots (8 weeks): pandas vs SQL "
            "aggregate",
            fmt_s(yr["trends: task status by pandas"]), fmt_s(yr["trends: task status by SQL"]),
            f"{yr['trends: task status by pandas'] / yr['trends: task status by SQL']:.1f}× "
            "faster", "", None,
        ),
        Row(
            "H6b. the same read from the task_status_counts summary table (kept)",
            fmt_s(yr["trends: task status by SQL"]),
            fmt_s(yr["trends: task status, summary table"]), "", "", None,
        ),
        Row(
            "H7a. Xu hướng: all its figures, 8 weeks (frame + task status + comparison)",
            fmt_s(wk["trends: all figures of Xu hướng (8 weeks)"]),
            fmt_s(yr["trends: all figures of Xu hướng (8 weeks)"]), "", "", None,
        ),
        Row(
            "H7. trends: unit × week status, 8 weeks: the one-week selection 8 times vs the "
            "pandas frame (kept), year store",
            fmt_s(yr["trends: unit × week status, 8 × select_snapshots"]),
            fmt_s(yr["trends: unit × week status, pandas frame"]),
            f"{yr['trends: unit × week status, 8 × select_snapshots'] / yr['trends: unit × week status, pandas frame']:.1f}× faster",
            "", None,
        ),
    ]  # fmt: skip
    if "years" in res:
        many, n = res["years"], res["years_n"]
        mn = many["median"]
        r5 = mn["weekly"] / wk["weekly"] if wk["weekly"] else float("nan")
        rows += [
            Row(
                f"H8. weekly build with Xu hướng: 1 week vs {n} years ({many['task_rows']:,} "
                f"rows, {many['submissions']:,} files; report {many['weekly_tasks']:,} rows)",
                fmt_s(wk["weekly"]), fmt_s(mn["weekly"]), f"{r5:.2f}×",
                f"≤ {TARGET_HISTORY_WEEKLY_RATIO:g}×", r5 <= TARGET_HISTORY_WEEKLY_RATIO,
            ),
            Row(
                f"H9. scorecard over the last year / indicators, {n}-year store",
                fmt_s(mn["scorecard"]), fmt_s(mn["indicators"]), "",
                f"≤ {TARGET_HISTORY_S:g} s",
                max(mn["scorecard"], mn["indicators"]) <= TARGET_HISTORY_S,
            ),
            Row(
                f"H10. peak RSS / store size on disk, {n}-year store",
                fmt_mib(many["peak_rss"]), fmt_mib(many["store_bytes"]), "",
                f"< {TARGET_PEAK_RSS // MIB:,} MiB",
                None if many["peak_rss"] is None else many["peak_rss"] < TARGET_PEAK_RSS,
            ),
        ]  # fmt: skip
    return rows


def history_details(res: dict[str, Any]) -> str:
    """Every sample, both readings of the peak memory, and the store's largest objects."""
    lines = []
    for label in ("week", "week_same", "year", "years"):
        if label not in res:
            continue
        r = res[label]
        lines.append(
            f"{label} store: peak RSS {fmt_mib(r['peak_rss'])} (wait4) / "
            f"{fmt_mib(r['peak_rss_self'])} (the child's own getrusage); the SQL / pandas "
            f"comparison's process {fmt_mib(r['peak_rss_compare'])}; "
            f"{r['task_rows']:,} task rows, {r['submissions']:,} files, "
            f"{fmt_mib(r['store_bytes'])} on disk"
        )
        for key, values in r["samples"].items():
            lines.append(f"  {key}: " + " / ".join(fmt_s(v) for v in values))
        top = sorted(r["object_bytes"].items(), key=lambda kv: -kv[1])[:12]
        lines.append("  largest objects: " + ", ".join(f"{k} {v / MIB:,.1f} MiB" for k, v in top))
    return "\n".join(lines)


def history_main(args: argparse.Namespace) -> int:
    from bench import history as history_mod

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    load = load_average()
    res = history_mod.run(out, args.tiny, args.repeats, args.seed, log, years=args.years)
    rows = history_rows(res)
    table = render_table(rows)
    details = (
        f"\nSpec {res['spec']}; repeats {args.repeats}; medians; load average at start/end "
        f"{load} / {load_average()}; machine {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}\n"
        f"Weekly summary on the year store: {res['year']['weekly_summary']}\n"
        + history_details(res)
    )
    print(table)
    print(details)
    (out / "history-results.md").write_text(table + "\n" + details + "\n", encoding="utf-8")
    (out / "history-results.json").write_text(
        json.dumps({"results": res, "rows": [asdict(r) | {"result": r.verdict} for r in rows]},
                   ensure_ascii=False, indent=1, default=str),
        encoding="utf-8",
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
