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
