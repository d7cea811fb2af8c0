"""Indicators (Chỉ tiêu): each unit's newest accepted snapshot of the year, totals by code,
units of measure that disagree flagged and not summed; the CLI, the workbook, the plan."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from consolidate.build import build_plan
from consolidate.cli import main
from consolidate.core.config import Config
from consolidate.reports.indicators import INDICATOR_KEYS, indicators
from consolidate.store.db import Store
from tests import history_scenario as hs
from tests.helpers_store import add_rejected, add_submission, task


def ind(code: str | None, name: str, uom: str, target: float, achieved: float) -> dict[str, Any]:
    return {"indicator_code": code, "indicator": name, "unit_of_measure": uom,
            "target": target, "achieved": achieved, "note": None, "issues": None}  # fmt: skip


def at(d: int, m: int, h: int = 9) -> datetime:
    return datetime(2026, m, d, h, 0, tzinfo=hs.TZ)


@pytest.fixture
def ws(tmp_path: Path) -> Config:
    config = hs.make_workspace(tmp_path / "Chỉ tiêu năm")
    with Store(config.store, config.archive) as store:
        # last year's report: not this year's figures
        add_submission(store, "U1", datetime(2025, 12, 20, 9, tzinfo=hs.TZ), tasks=[task()],
                       indicators=[ind("CT01", "Hồ sơ số hóa", "hồ sơ", 50, 50)],
                       as_of=date(2025, 12, 19))  # fmt: skip
        add_submission(store, "U1", at(4, 6), tasks=[task()],
                       indicators=[ind("CT01", "Hồ sơ số hóa", "hồ sơ", 100, 20),
                                   ind("CT02", "Tỷ lệ thanh toán trực tuyến", "%", 80, 40)])  # fmt: skip
        # a newer snapshot replaces the older one (cumulative figures, not added)
        add_submission(store, "U1", at(11, 6), tasks=[task()],
                       indicators=[ind("CT01", "Hồ sơ số hóa", "hồ sơ", 100, 35),
                                   ind("CT02", "Tỷ lệ thanh toán trực tuyến", "%", 80, 50)])  # fmt: skip
        add_submission(store, "U2", at(10, 6), tasks=[task()],
                       indicators=[ind("ct01", "Số hồ sơ được số hóa", "Hồ sơ", 200, 150),
                                   ind("CT02", "Thanh toán trực tuyến", "%", 60, 30),
                                   ind("CT03", "Người được tập huấn", "người", 100, 80),
                                   ind(None, "Lớp Bình dân học vụ số", "lớp", 10, 4)])  # fmt: skip
        add_submission(store, "U3", at(10, 6), tasks=[task()],
                       indicators=[ind("CT03", "Lượt người tập huấn", "lượt", 300, 310),
                                   ind(None, "Lớp bình dân học vụ số", "lớp", 5, 5)])  # fmt: skip
        # a weekly file without indicator rows does not wipe U3's indicators
        add_submission(store, "U3", at(12, 6), tasks=[task()])
        add_rejected(store, "U4", at(12, 6))
        # after the as-of day: not counted
        add_submission(store, "U2", at(20, 6), tasks=[task()],
                       indicators=[ind("CT01", "Hồ sơ số hóa", "hồ sơ", 200, 199)])  # fmt: skip
    return config


def test_totals_by_code_newest_snapshot_and_flags(ws: Config) -> None:
    with Store(ws.store, ws.archive) as store:
        data = indicators(ws, store, date(2026, 6, 15))
    assert data.n_units == 3
    totals = data.totals.set_index("indicator_key")
    ct01 = totals.loc["CT01"]
    assert (ct01["target"], ct01["achieved"], ct01["rate_pct"]) == (300.0, 185.0, 61.7)
    assert ct01["consistent"] and ct01["aggregation"] == "sum"
    ct02 = totals.loc["CT02"]  # a percentage: averaged, not added
    assert (ct02["aggregation"], ct02["target"], ct02["achieved"]) == ("mean", 70.0, 40.0)
    ct03 = totals.loc["CT03"]  # người vs lượt: flagged, no total
    assert not ct03["consistent"]
    assert pd.isna(ct03["target"]) and pd.isna(ct03["aggregation"])
    assert ct03["units_of_measure"] == ["lượt", "người"]
    no_code = totals.loc["~lopbinhdanhocvuso"]  # grouped by name without accents or case
    assert (no_code["target"], no_code["achieved"]) == (15.0, 9.0)
    rows = data.rows[data.rows["indicator_key"] == "CT01"]
    assert list(rows["unit_code"]) == ["U1", "U2"]
    assert list(rows["achieved"]) == [35.0, 150.0]


def test_as_of_earlier_and_next_year(ws: Config) -> None:
    with Store(ws.store, ws.archive) as store:
        early = indicators(ws, store, date(2026, 6, 5))
        assert early.n_units == 1
        assert early.totals.set_index("indicator_key").loc["CT01", "achieved"] == 20.0
        assert indicators(ws, store, date(2025, 12, 31)).totals.iloc[0]["achieved"] == 50.0
        assert indicators(ws, store, date(2027, 1, 5)).totals.empty


def test_cli_indicators_workbook_json_csv(ws: Config) -> None:
    runner = CliRunner()
    base = ["-w", str(ws.root), "indicators", "--as-of", "15/06/2026", "--now", "15/06/2026 10:00"]
    result = runner.invoke(main, base)
    assert result.exit_code == 0, result.output
    assert "Chỉ tiêu: 4 (từ báo cáo mới nhất của 3 đơn vị); 1 chỉ tiêu có đơn vị tính không " \
        "thống nhất, không cộng." in result.output  # fmt: skip
    path = ws.outbox / "Chi-tieu-2026-06-15.xlsx"
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        cells = [c for r in wb["Chỉ tiêu"].iter_rows(values_only=True) for c in r if c]
    finally:
        wb.close()
    assert "KẾT QUẢ THỰC HIỆN CHỈ TIÊU" in cells
    assert any(isinstance(c, str) and c.startswith("Đơn vị tính không thống nhất (lượt; người)")
               for c in cells)  # fmt: skip
    assert "Bình quân của 2 đơn vị (tỷ lệ không cộng dồn)." in cells
    result = runner.invoke(main, [*base, "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["as_of"] == "2026-06-15" and data["n_units"] == 3
    ct01 = next(i for i in data["indicators"] if i["key"] == "CT01")
    assert (ct01["target"], ct01["achieved"], ct01["rate_pct"]) == (300.0, 185.0, 61.7)
    assert [u["code"] for u in ct01["units"]] == ["U1", "U2"]
    result = runner.invoke(main, [*base, "--csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == list(INDICATOR_KEYS)
    assert [(r["row"], r["unit_code"]) for r in rows if r["indicator_key"] == "CT03"] == [
        ("total", ""), ("unit", "U2"), ("unit", "U3"),
    ]  # fmt: skip
    assert next(r for r in rows if r["indicator_key"] == "CT03")["target"] == ""
    bad = runner.invoke(main, ["-w", str(ws.root), "indicators", "--as-of", "hôm qua"])
    assert bad.exit_code == 2 and "không phải ngày hợp lệ" in bad.output


def test_plan_report_has_the_indicators_section(ws: Config) -> None:
    with Store(ws.store, ws.archive) as store:
        built = build_plan(ws, store, month="2026-06", now=at(15, 6, 10))
    wb = openpyxl.load_workbook(built.path, read_only=True)
    try:
        assert "Chỉ tiêu" in wb.sheetnames
        rows = list(wb["Chỉ tiêu"].iter_rows(values_only=True))
    finally:
        wb.close()
    totals = [r for r in rows if isinstance(r[0], int)]
    assert [r[1] for r in totals] == ["CT01", "CT02", "CT03", None]
    assert totals[0][5:8] == (300, 185, "61,7")  # a fraction as text: "61,7" on any PC
