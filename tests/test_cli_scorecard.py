"""`consolidate scorecard` and `consolidate trends` through CliRunner: exit codes, the
workbook, the --json and --csv exports with their documented keys."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from consolidate.cli import main
from consolidate.core.config import Config
from consolidate.reports.scorecard import SCORE_KEYS
from consolidate.reports.trends import TREND_KEYS
from consolidate.store.db import Store
from tests import history_scenario as hs

NOW = "10/07/2026 09:30"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Config]:
    config = hs.make_workspace(tmp_path / "Bảng điểm" / "Quý III")
    with Store(config.store, config.archive) as store:
        hs.load(store, hs.scenario())
    yield config


def _run(config: Config, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["-w", str(config.root), *args])
    return result.exit_code, result.output


def test_scorecard_writes_the_ranked_workbook(ws: Config) -> None:
    code, out = _run(ws, "scorecard", "--from", "2026-W23", "--to", "2026-W28", "--now", NOW)
    assert code == 0, out
    path = ws.outbox / "Bang-diem-2026-W23-2026-W28.xlsx"
    assert f"Đã ghi: {path}" in out
    assert "Đơn vị: 7; theo mức xếp loại — A: 0, B: 1, C: 2, D: 3, E: 1." in out
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        assert wb.sheetnames == ["Phương pháp", "Bảng điểm", "Theo tuần", "Theo kỳ dự án"]
        method = [c for row in wb["Phương pháp"].iter_rows(values_only=True) for c in row if c]
        assert "BẢNG ĐIỂM ĐƠN VỊ" in method and "I. CÁCH TÍNH ĐIỂM" in method
        assert "Báo cáo đúng hạn" in method and 40 in method
        rows = list(wb["Bảng điểm"].iter_rows(values_only=True))
        header = rows.index(next(r for r in rows if r[0] == "Hạng"))
        ranked = [r for r in rows[header + 1 :] if isinstance(r[0], int)]
        assert [r[0] for r in ranked] == [1, 2, 3, 4, 5, 6, 7]
        assert ranked[0][1] == "Đơn vị U6" and ranked[0][3] == "B"
        scores = [r[2] for r in ranked]
        assert scores == sorted(scores, reverse=True)
        grid = list(wb["Theo tuần"].iter_rows(values_only=True))
        assert ("STT", "Đơn vị", "T23/26", "T24/26", "T25/26", "T26/26", "T27/26", "T28/26") in grid
        u3 = next(r for r in grid if r[1] == "Đơn vị U3")
        assert u3[2:] == ("Đúng hạn", "Bị từ chối", "Trễ hạn", "Đúng hạn", "Bị từ chối", "Chưa BC")
        u6 = next(r for r in grid if r[1] == "Đơn vị U6")
        assert u6[2:5] == ("Gửi thêm", "Gửi thêm", "Đúng hạn")  # a file of W24 is late for W23
        u7 = next(r for r in grid if r[1] == "Đơn vị U7")  # off the list after 20/06
        assert u7[2:] == ("Đúng hạn", "Chưa BC", "Trễ hạn", "Gửi thêm", "—", "—")
    finally:
        wb.close()


def test_scorecard_json_has_the_documented_keys(ws: Config) -> None:
    code, out = _run(ws, "scorecard", "--month", "2026-06", "--now", NOW, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["report"] == "scorecard"
    assert data["range"] == {
        "key": "2026-06", "label": "Tháng 6/2026", "first_day": "2026-06-01",
        "last_day": "2026-06-30",
    }  # fmt: skip
    assert data["weeks"] == ["2026-W23", "2026-W24", "2026-W25", "2026-W26"]
    assert data["project_periods"] == ["2026-06/1", "2026-06/2"]
    assert data["weights"] == {"reporting": 40.0, "tasks": 30.0, "six_clear": 15.0,
                               "disbursement": 15.0}  # fmt: skip
    assert [b["band"] for b in data["bands"]] == ["A", "B", "C", "D", "E"]
    assert all(list(u) == list(SCORE_KEYS) for u in data["units"])
    u1 = next(u for u in data["units"] if u["code"] == "U1")
    assert (u1["weekly_owed"], u1["weekly_on_time"], u1["projects_owed"]) == (4, 4, 2)
    assert u1["disbursement_pct"] is None  # an investor that sent no project rows


def test_scorecard_csv_header_and_rows(ws: Config) -> None:
    code, out = _run(ws, "scorecard", "--quarter", "2026-Q2", "--now", NOW, "--csv")
    assert code == 0, out
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == list(SCORE_KEYS)
    assert len(rows) == 1 + 7  # U6 owed W25, W26; U7 W14 … W25 (its last day 20/06)
    assert (ws.outbox / "Bang-diem-2026-Q2.xlsx").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-06", "--quarter", "2026-Q3"], "Chỉ chọn một cách"),
        (["--from", "2026-W99"], "không có tuần 99"),
        (["--month", "tháng sáu"], "Không hiểu tháng"),
        (["--from", "2026-W28", "--to", "2026-W23"], "đứng trước tuần đầu"),
        (["--json", "--csv"], "Chỉ chọn một trong --json hoặc --csv"),
    ],
)
def test_scorecard_usage_errors_exit_2(ws: Config, args: list[str], message: str) -> None:
    code, out = _run(ws, "scorecard", *args, "--now", NOW)
    assert code == 2
    assert message in out


def test_scorecard_outside_a_workspace_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["-w", str(tmp_path / "không có"), "scorecard"])
    assert result.exit_code == 2
    assert "Không có tệp cấu hình" in result.output


def test_trends_text_json_and_csv(ws: Config) -> None:
    code, out = _run(ws, "trends", "--week", "2026-W28", "--weeks", "6", "--now", NOW)
    assert code == 0, out
    assert "Tuần 23/2026: 6/6 đơn vị đã báo cáo (6 đúng hạn, 0 trễ hạn)" in out
    assert "So với tuần 27/2026: đơn vị đã báo cáo giảm 1;" in out
    code, out = _run(ws, "trends", "--week", "2026-W28", "--weeks", "6", "--now", NOW, "--json")
    assert code == 0
    data = json.loads(out)
    assert [w["period"] for w in data["weeks"]] == hs.WEEKS
    assert all(list(w) == list(TREND_KEYS) for w in data["weeks"])
    assert {u["code"] for u in data["units"]} == set(hs.UNITS)
    code, out = _run(ws, "trends", "--week", "2026-W28", "--now", NOW, "--csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == list(TREND_KEYS) and len(rows) == 1 + 8
    code, out = _run(ws, "trends", "--weeks", "1")
    assert code == 2 and "--weeks" in out
