"""Answer latency of ``consolidate watch``: from the moment a file lands in ``inbox/`` (an
atomic rename, as a save or a copy ends) to the moment its unit's answer (the feedback
workbook) is written and its verdict stored.

    .venv/bin/python bench/watch_latency.py [--samples 20] [--settle 1.0 0.3] [--tasks 40]

One real watcher (the same ``Watcher`` that ``consolidate watch`` runs: native events,
the default 30 s rescan) per settle time, files dropped one by one (each a distinct real
submission of another unit), the clock stopped when the watcher prints the file's verdict
line — which it does after the verdict is stored and the answer written. Prints median and
worst per settle time; docs/performance.md and the README quote them.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import LAST_WEEK, _as_of, cover, project_rows, task_rows
from consolidate.core.config import Config, init_workspace
from consolidate.intake.watch import Watcher
from consolidate.render.template import write_submission


def _files(config: Config, folder: Path, n: int, tasks: int) -> list[Path]:
    """``n`` distinct real submissions, each of another unit."""
    units = [u for u in config.units if "weekly" in u.reports][:n]
    as_of = _as_of(LAST_WEEK)
    out = []
    for i, unit in enumerate(units):
        rng = random.Random(f"watch-latency-{i}")
        rows = {"tasks": task_rows(unit, tasks, as_of, rng), "projects": project_rows(unit, rng)}
        out.append(
            write_submission(
                folder / f"{unit.code}.xlsx", config.units, cover(unit, as_of, rng), rows
            )
        )
    return out


def measure(settle: float, samples: int, tasks: int, work: Path) -> list[float]:
    config = init_workspace(work / f"settle-{settle:g}")
    staged = _files(config, work / f"staged-{settle:g}", samples, tasks)
    seen: dict[str, float] = {}
    arrived = threading.Condition()

    def on_event(line: str) -> None:
        for path in staged:
            if path.name in line and ("✔" in line or "✘" in line):
                with arrived:
                    seen[path.name] = time.perf_counter()
                    arrived.notify_all()

    watcher = Watcher(config, settle_seconds=settle, on_event=on_event)
    watcher.start()
    latencies = []
    try:
        assert watcher.ready.wait(30), "the watcher did not start"
        for n, path in enumerate(staged, start=1):
            start = time.perf_counter()
            os.replace(path, config.inbox / path.name)  # lands whole, like a finished save
            with arrived:
                if not arrived.wait_for(lambda name=path.name: name in seen, timeout=60):
                    raise SystemExit(f"no answer for {path.name} within 60 s")
            latencies.append(seen[path.name] - start)
            answers = list((config.outbox / "phan-hoi").rglob("*.xlsx"))
            assert len(answers) == n, f"no feedback workbook for {path.name}"
            time.sleep(0.2)  # files arrive one by one, not in a burst
    finally:
        watcher.stop(30)
    return latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=20, help="files per settle time (20)")
    parser.add_argument(
        "--settle", type=float, nargs="+", default=[1.0, 0.3], help="settle times (1.0 0.3)"
    )
    parser.add_argument("--tasks", type=int, default=40, help="task rows per file (40)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="watch-latency-"))
    try:
        for settle in args.settle:
            got = measure(settle, args.samples, args.tasks, work)
            print(
                f"watch --settle {settle:g}: landing → answer written, {len(got)} files: "
                f"median {statistics.median(got):.2f} s, worst {max(got):.2f} s, "
                f"best {min(got):.2f} s"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
