"""`consolidate demo` end to end, as the officer sees the history: the weekly workbook's
`Xu hướng` (several weeks, a native line chart), the comparison with the week before on
`Tổng hợp`, and the scorecard workbook whose first sheet explains the method — read back
from the files the command wrote."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from consolidate.demo import DEMO_WEEK, HISTORY_WEEKS
from tests.conftest import DemoRun


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_run: DemoRun) -> Path:
    root, _ = demo_run.copy(tmp_path_factory.mktemp("demo") / "Báo cáo mẫu")
    assert "Bang-diem-" in demo_run.output
    return root


def _rows(ws: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def _texts(ws: Any) -> list[str]:
    return [c for r in _rows(ws) for c in r if isinstance(c, str)]


def test_weekly_workbook_has_weeks_of_trends_and_a_line_chart(demo: Path) -> None:
    path = demo / "outbox" / f"Bao-cao-tuan-{DEMO_WEEK}.xlsx"
    wb = openpyxl.load_workbook(path)
    try:
        assert "Xu hướng" in wb.sheetnames
        ws = wb["Xu hướng"]
        # week rows: STT, then the week's label "T<week>/26 (…)" and the units owed
        weeks = [r for r in _rows(ws) if isinstance(r[0], int) and isinstance(r[1], str)
                 and re.match(r"T\d+/26", r[1])]  # fmt: skip
        labels = [int(re.match(r"T(\d+)/", r[1]).group(1)) for r in weeks]  # type: ignore[union-attr]
        assert len(weeks) >= 2
        assert labels == sorted(labels) and labels[-1] == int(DEMO_WEEK.split("W")[1])
        # the demo's history weeks carry reports: owed units and some reported on time
        with_reports = [r for r in weeks if isinstance(r[3], int) and r[3] > 0]
        assert len(with_reports) >= len(HISTORY_WEEKS)
        assert all(isinstance(r[2], int) and r[2] >= r[3] for r in with_reports)
        # a native line chart on this very sheet (openpyxl reads the chart parts back)
        kinds = {type(chart).__name__ for chart in ws._charts}
        assert "LineChart" in kinds, kinds
    finally:
        wb.close()
    with zipfile.ZipFile(path) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert any("<c:lineChart>" in c for c in charts)


def test_summary_sheet_compares_with_the_week_before(demo: Path) -> None:
    wb = openpyxl.load_workbook(demo / "outbox" / f"Bao-cao-tuan-{DEMO_WEEK}.xlsx", read_only=True)
    try:
        texts = _texts(wb["Tổng hợp"])
    finally:
        wb.close()
    week = int(DEMO_WEEK.split("W")[1])
    sentence = [t for t in texts if t.startswith(f"- So với tuần {week - 1}/2026: ")]
    assert len(sentence) == 1, [t for t in texts if "So với" in t]
    assert re.search(r"nhiệm vụ quá hạn (tăng \d+|giảm \d+|không đổi)", sentence[0])
    assert re.search(r"đơn vị đã báo cáo (tăng \d+|giảm \d+|không đổi)", sentence[0])


def test_demo_writes_the_scorecard_with_the_method_first(demo: Path) -> None:
    found = sorted((demo / "outbox").glob("Bang-diem-*.xlsx"))
    assert [p.name for p in found] == [f"Bang-diem-2026-W{HISTORY_WEEKS[0]}-{DEMO_WEEK}.xlsx"]
    wb = openpyxl.load_workbook(found[0], read_only=True)
    try:
        assert wb.sheetnames[0] == "Phương pháp"
        method = " ".join(_texts(wb[wb.sheetnames[0]]))
        for words in ("BẢNG ĐIỂM ĐƠN VỊ", "CÁCH TÍNH ĐIỂM", "Trọng số", "MỨC XẾP LOẠI",
                      "Báo cáo nộp trễ hạn được tính", "06 rõ"):  # fmt: skip
            assert words in method, words
        ranking = _rows(wb["Bảng điểm"])
    finally:
        wb.close()
    header = next(i for i, r in enumerate(ranking) if r[0] == "Hạng")
    ranked = [r for r in ranking[header + 1 :] if isinstance(r[0], int)]
    assert len(ranked) > 40  # every unit of the demo that owed a report
    assert [r[0] for r in ranked] == sorted(r[0] for r in ranked)
    assert {r[ranking[header].index("Xếp loại")] for r in ranked} <= set("ABCDE")
