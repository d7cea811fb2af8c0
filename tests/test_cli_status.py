"""`status` and the leaders' 'Tình hình báo cáo': files of no known unit go to the officer
(status), never to the leaders' workbook (defect 10); the missing list is printed once (15)."""

from __future__ import annotations

from datetime import datetime

import openpyxl
from click.testing import CliRunner

from consolidate.build import build_weekly
from consolidate.cli import main
from consolidate.core.config import Config
from consolidate.store.db import Store
from tests.helpers_store import add_rejected, add_submission, task


def _at(cfg: Config, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=cfg.calendar.tz)  # type: ignore[misc]


def test_weekly_lists_units_only_and_status_names_the_unknown_files(workspace: Config) -> None:
    cfg = workspace
    with Store(cfg.store, cfg.archive) as store:
        add_submission(store, "SNV", _at(cfg, 2026, 5, 27, 10), tasks=[task()])
        add_rejected(store, None, _at(cfg, 2026, 5, 28, 9), name="anh_chup.png")
        add_rejected(store, None, _at(cfg, 2026, 5, 29, 8), name="sau_han_chot.pdf")
        out = build_weekly(cfg, store, "2026-W22", now=_at(cfg, 2026, 5, 29, 9, 30)).path
    book = openpyxl.load_workbook(out)
    texts = {
        str(v) for row in book["Tình hình báo cáo"].iter_rows(values_only=True) for v in row if v
    }
    assert not any("anh_chup.png" in t or "sau_han_chot.pdf" in t for t in texts)
    assert not any("KHÔNG XÁC ĐỊNH ĐƯỢC ĐƠN VỊ" in t for t in texts)

    result = CliRunner().invoke(main, ["-w", str(cfg.root), "status", "--now", "29/05/2026 09:30"])
    assert result.exit_code == 0, result.output
    out_text = result.output
    assert "2 tệp không xác định được đơn vị: anh_chup.png, sau_han_chot.pdf" in out_text
    # Every missing unit is named, once (it was printed twice, the second time in full).
    assert out_text.count("Sở Tư pháp") == 1
    assert "Chưa báo cáo (tuần)" not in out_text
    assert "đơn vị khác" not in out_text
