"""One canonical code normaliser (defect 2): no spelling of a task code can make another
unit's task look unknown, in the register, the reader, the rules and the store alike."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consolidate.core.config import Config
from consolidate.core.text import canonical_code
from consolidate.intake.ingest import ingest_paths
from consolidate.store.db import Store
from tests.builders import submission, task_row

NOON = datetime.fromisoformat("2026-06-04T12:00:00+07:00")


@pytest.mark.parametrize(
    "spelling",
    ["KH05-04", "kh05-04 ", " Kh05-04", "KH05 - 04", "KH05\u201304", "KH05\u201104",
     "\uff2b\uff28\uff10\uff15\uff0d\uff10\uff14", "KH05-04\u200b", "KH05\u00a0-04"],
)  # fmt: skip
def test_canonical_code_folds_every_spelling(spelling: str) -> None:
    assert canonical_code(spelling) == "KH05-04"


@given(st.text(max_size=30))
def test_canonical_code_is_idempotent(text: str) -> None:
    once = canonical_code(text)
    assert canonical_code(once) == once


@pytest.mark.parametrize("spelling", ["kh05-04 ", "KH05 – 04", "Kh05‑04"])
def test_another_units_task_is_rejected_whatever_the_spelling(
    workspace: Config, tmp_path: Path, spelling: str
) -> None:
    with Store(workspace.store, workspace.archive) as store:
        store.replace_register(
            [{"code": "KH05-04", "task": "Việc của Sở Nội vụ", "lead_unit": "SNV"}]
        )
    path = submission(workspace, tmp_path / "skhcn.xlsx", tasks=[task_row(1, task_code=spelling)])
    (report,) = ingest_paths(workspace, [path], received_at=NOON).reports
    assert report.verdict == "rejected"
    (other,) = [f for f in report.findings if f.code == "other-unit-task"]
    assert "KH05-04" in other.message and "Sở Nội vụ" in other.message
    assert other.cell == "B4"
    assert not [f for f in report.findings if f.code == "unknown-task-code"]


def test_own_task_in_another_spelling_is_stored_canonical(
    workspace: Config, tmp_path: Path
) -> None:
    with Store(workspace.store, workspace.archive) as store:
        store.replace_register(
            [{"code": "kh05-01 ", "task": "Việc của Sở KH&CN", "lead_unit": "SKHCN"}]
        )
    path = submission(
        workspace, tmp_path / "skhcn.xlsx", tasks=[task_row(1, task_code="KH05 – 01")]
    )
    (report,) = ingest_paths(workspace, [path], received_at=NOON).reports
    assert report.verdict == "accepted" and not report.warnings, report.findings
    stored = sqlite3.connect(workspace.store).execute("SELECT task_code FROM tasks").fetchall()
    assert stored == [("KH05-01",)]
