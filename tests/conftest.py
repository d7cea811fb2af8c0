"""Shared fixtures: a fresh workspace per test, built by the code under test."""

from __future__ import annotations

from pathlib import Path

import pytest

from consolidate.core.config import Config, init_workspace

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def workspace(tmp_path: Path) -> Config:
    """A ready workspace (default config, 44 units) in a folder whose path has
    Vietnamese characters and spaces, as on an officer's Windows machine."""
    return init_workspace(tmp_path / "Báo cáo tổng hợp" / "Tuần 22")
