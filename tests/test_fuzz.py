"""The seeded fuzzer of bench/fuzz.py, 500 cases: every mutated submission (zip, XML and
value level) ends with a verdict, never an exception (exit 3), in bounded memory."""

from __future__ import annotations

from pathlib import Path

from bench.fuzz import run
from consolidate.core.config import Config


def test_500_mutated_submissions_all_get_a_verdict(workspace: Config, tmp_path: Path) -> None:
    result = run(500, seed=14, config=workspace, folder=tmp_path)
    assert result["failures"] == []
    verdicts = result["verdicts"]
    assert isinstance(verdicts, dict) and sum(verdicts.values()) == 500
    assert verdicts.get("rejected", 0) > 100  # the mutations do break files
    assert isinstance(result["peak_traced_mb"], float) and result["peak_traced_mb"] < 200


def test_a_long_run_of_files_does_not_grow_memory(workspace: Config, tmp_path: Path) -> None:
    """What a long-running ``watch`` does: one small batch after another. Garbage of one
    batch must not be frozen into the oldest generation by the next batch's gc.freeze()
    (before: +8 MB per 150 files, 512 MB after the fuzzer's 10,000)."""
    import gc
    import random
    import tracemalloc

    from bench.fuzz import NOON, mutate, seeds
    from consolidate.intake.ingest import ingest_bytes

    good = seeds(workspace, tmp_path)
    rng = random.Random(23)
    ingest_bytes(workspace, good[0], "warm.xlsx", received_at=NOON, dry_run=True)
    gc.collect()
    tracemalloc.start()
    try:
        for i in range(150):
            _kind, data = mutate(rng, rng.choice(good))
            ingest_bytes(workspace, data, f"f{i}.xlsx", received_at=NOON, dry_run=True)
        grown = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert grown < 3 * (1 << 20), f"{grown / (1 << 20):.1f} MB kept after 150 files"
