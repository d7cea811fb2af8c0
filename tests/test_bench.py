"""The benchmark script keeps working: its tiny version runs and prints the table.

No timing is asserted here (CI machines vary); the real numbers are in docs/performance.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_tiny_benchmark_runs_and_prints_the_table(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--tiny", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=240,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "| step" in out and "| baseline" in out and "| result" in out
    for step in ("1. flood", "2. one file", "2. start-up", "3. weekly build"):
        assert step in out
    assert "PASS" in out or "FAIL" in out
    saved = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert saved["meta"]["files"] == 6
    assert saved["facts"]["flood_files"] == 6
    assert saved["facts"]["one_file"]["feedback"] is True
    assert not (tmp_path / "work").exists()  # workspaces are cleaned up


def _script(*args: str, timeout: int = 240) -> str:
    done = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_legacy_fonts_bench_runs_and_prints_each_font() -> None:
    out = _script(str(REPO / "bench" / "legacy_fonts.py"))
    for font in ("TCVN3", "VNI", "VISCII"):
        assert f"guide lines  {font}" in out and f"unit names   {font}" in out
    assert "Unicode texts taken for legacy:" in out


def test_watch_latency_bench_runs_on_two_files() -> None:
    out = _script(str(REPO / "bench" / "watch_latency.py"), "--samples", "2", "--settle", "0.3")
    assert "watch --settle 0.3: landing → answer written, 2 files: median" in out


def test_tiny_history_benchmark_measures_every_store(tmp_path: Path) -> None:
    """`--history --tiny --years 2`: the table's rows, each store timed in its own process
    with the kernel's peak memory of that process, and the 'same report' week store really
    giving the year store's report."""
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--history", "--tiny", "--years", "2",
         "--repeats", "1", "--out", str(tmp_path)],
        capture_output=True, text=True, encoding="utf-8", timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    for step in ("H1. weekly build", "H1a.", "H2. scorecard", "H3. indicators", "H4. peak RSS",
                 "H6. trends", "H7. trends", "H8. weekly build", "H10. peak RSS"):  # fmt: skip
        assert step in done.stdout, step
    saved = json.loads((tmp_path / "history-results.json").read_text(encoding="utf-8"))
    res = saved["results"]
    assert set(res) >= {"week", "week_same", "year", "years"}
    for label in ("week", "week_same", "year", "years"):
        assert res[label]["peak_rss"] > 50 * 2**20, label  # a Python process with pandas
        assert res[label]["median"]["weekly"] > 0
    assert res["week_same"]["weekly_tasks"] == res["year"]["weekly_tasks"]
    assert res["week"]["task_rows"] < res["year"]["task_rows"] < res["years"]["task_rows"]
