"""History over several weeks: trends and scorecard against an independent recount.

The scenario (tests/history_scenario.py) has units on time, late, missing, rejected then
resent, rejected and never resent, the same bytes sent twice, a file without task rows and
a unit that joins mid-range; the recount there uses none of the product's selection code.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consolidate.calendar.periods import parse_week
from consolidate.core.config import Config
from consolidate.reports.history import STATUS_KEYS, task_counts, task_counts_pandas
from consolidate.reports.rows import TaskRows
from consolidate.reports.scorecard import parse_range, scorecard
from consolidate.reports.selection import select_snapshots
from consolidate.reports.status import STATUSES
from consolidate.reports.trends import trends
from consolidate.reports.weekly import weekly_data
from consolidate.store.db import SCHEMA_VERSION, Store
from tests import history_scenario as hs
from tests.helpers_store import add_submission, task


@pytest.fixture
def loaded(tmp_path: Path) -> Iterator[tuple[Config, Store, list[hs.File]]]:
    config = hs.make_workspace(tmp_path / "Lịch sử báo cáo")
    files = hs.scenario()
    with Store(config.store, config.archive) as store:
        hs.load(store, files)
        yield config, store, files


def _week(config: Config, i: int) -> object:
    return parse_week(config.calendar, hs.WEEKS[i])


def test_trend_rows_equal_the_recount(loaded: tuple[Config, Store, list[hs.File]]) -> None:
    config, store, files = loaded
    got = trends(config, store, parse_week(config.calendar, hs.WEEKS[-1]), hs.NOW, weeks=6)
    assert [p.key for p in got.periods] == hs.WEEKS
    frame = got.history.frame
    for i in range(6):
        expect = hs.recount_week(files, i)
        week = frame[frame["period"] == i]
        assert dict(zip(week["unit_code"], week["status"], strict=True)) == expect["status"]
        owed = week[week["expected"]]
        assert {
            u: bool(v) for u, v in zip(owed["unit_code"], owed["first_rejected"], strict=True)
        } == {u: expect["first_rejected"].get(u, False) for u in owed["unit_code"]}
        row = got.rows.iloc[i]
        statuses = list(expect["status"].values())
        owing = sum(1 for s in statuses if s != "extra")
        reported = statuses.count("on_time") + statuses.count("late")
        assert row["expected"] == owing
        for key in ("on_time", "late", "missing", "rejected", "extra"):
            assert row[key] == statuses.count(key), (i, key)
        assert row["reported"] == reported
        assert row["completeness_pct"] == round(100.0 * reported / owing, 1)
        assert row["tasks_total"] == expect["total"]
        assert row["tasks_done"] == expect["done"]
        for key in hs.TASK_STATUS_KEYS:
            assert row[key] == expect["by_status"][key], (i, key)
        assert row["six_clear_complete"] == expect["six"]
        assert row["six_clear_pct"] == round(100.0 * expect["six"] / expect["total"], 1)
    # the scenario really exercises every case
    weeks = [hs.recount_week(files, i) for i in range(6)]
    every = {s for w in weeks for s in w["status"].values()}
    assert every == {"on_time", "late", "missing", "rejected", "extra"}
    assert {k for w in weeks for k, n in w["by_status"].items() if n} == set(hs.TASK_STATUS_KEYS)
    # a unit that joined mid-range and one that left: owed only while on the list
    owing = [[u for u, s in w["status"].items() if s != "extra"] for w in weeks]
    assert [hs.NEW_UNIT in units for units in owing] == [False] * 2 + [True] * 4
    assert [w["status"].get(hs.LEAVING_UNIT) for w in weeks] == [
        "on_time", "missing", "late", "extra", None, None
    ]  # fmt: skip


@pytest.mark.parametrize("first, last", [(0, 5), (2, 4)], ids=["W23-W28", "W25-W27"])
def test_scorecard_counts_equal_the_recount(
    loaded: tuple[Config, Store, list[hs.File]], first: int, last: int
) -> None:
    """Per unit over the range: the periods owed and how each was reported, first files
    rejected; its tasks as of the last week (that week's counted file, carried or not);
    "06 rõ" over the files sent in the range (each once)."""
    config, store, files = loaded
    rng = parse_range(config, week_from=hs.WEEKS[first], week_to=hs.WEEKS[last], now=hs.NOW)
    data = scorecard(config, store, rng, hs.NOW)
    assert (
        data.weekly is not None
        and [p.key for p in data.weekly.periods] == hs.WEEKS[first : last + 1]
    )
    table = data.table.set_index("code")
    weeks = [hs.recount_week(files, i) for i in range(first, last + 1)]
    owing_units = {u for w in weeks for u, s in w["status"].items() if s != "extra"}
    assert set(table.index) == owing_units
    day = hs.CUTOFFS[last].date()
    for unit in sorted(owing_units):
        statuses = [w["status"][unit] for w in weeks if unit in w["status"]]
        owed = [s for s in statuses if s != "extra"]
        row = table.loc[unit]
        assert row["weekly_owed"] == len(owed)
        for key in ("on_time", "late", "missing", "rejected"):
            assert row[f"weekly_{key}"] == owed.count(key), (unit, key)
        assert row["weekly_first_rejected"] == sum(
            w["first_rejected"].get(unit, False) for w in weeks
        )
        # tasks as of the last week of the range
        if unit in weeks[-1]["status"]:
            counted = weeks[-1]["counted"].get(unit)
            counts = hs.status_counts(counted, day)
            assert row["tasks_total"] == (len(counted.tasks) if counted else 0), unit
            for key in ("done_on_time", "done_late", "overdue", "due_soon"):
                assert row[f"tasks_{key}"] == counts[key], (unit, key)
        else:  # no longer on the list and nothing sent: no task figures
            assert pd.isna(row["tasks_total"]), unit
        # "06 rõ" over the unit's own files of the range, each file once
        own = {id(f): f for w in weeks for u, f in w["own"].items() if u == unit}.values()
        rows = [r for f in own for r in f.tasks]
        if rows:
            six = 100.0 * sum(hs.six_clear(r) for r in rows) / len(rows)
            assert row["six_clear_pct"] == round(six, 1), unit
        else:
            assert pd.isna(row["six_clear_pct"]), unit
    if first == 0:
        # the unit that joined owes only the weeks from its start, the one that left only
        # the weeks up to its end
        assert table.loc[hs.NEW_UNIT, "weekly_owed"] == 4
        assert table.loc[hs.LEAVING_UNIT, "weekly_owed"] == 3
    # ranked by score, bands from the configuration
    assert list(data.table["score"]) == sorted(data.table["score"], reverse=True)
    assert set(data.table["band"]) <= {"A", "B", "C", "D", "E"}
    assert data.table["rank"].iloc[0] == 1


def test_each_week_agrees_with_its_weekly_report(
    loaded: tuple[Config, Store, list[hs.File]],
) -> None:
    """The scorecard's weeks are the weekly reports' Tình hình báo cáo, figure for figure."""
    config, store, _ = loaded
    rng = parse_range(config, week_from=hs.WEEKS[0], week_to=hs.WEEKS[-1], now=hs.NOW)
    data = scorecard(config, store, rng, hs.NOW)
    got = trends(config, store, parse_week(config.calendar, hs.WEEKS[-1]), hs.NOW, weeks=6)
    assert data.weekly is not None
    for i, key in enumerate(hs.WEEKS):
        period = parse_week(config.calendar, key)
        report = weekly_data(config, store, period, hs.NOW)
        by_unit = {u.code: u.status for u in report.selection.units}
        week = data.weekly.frame[data.weekly.frame["period"] == i]
        assert dict(zip(week["unit_code"], week["status"], strict=True)) == by_unit
        figures = report.figures()
        row = got.records()[i]
        for k, v in figures["units"].items():
            if k in row:
                assert row[k] == v, (key, k)
        tally = figures["tasks"]
        assert row["tasks_total"] == tally["total"]
        assert row["six_clear_pct"] == tally["six_clear_pct"]
        for k, label in zip(STATUS_KEYS, STATUSES, strict=True):
            assert row[k] == tally["by_status"][label], (key, k)


def test_a_file_built_earlier_in_time_sees_only_what_had_arrived(
    loaded: tuple[Config, Store, list[hs.File]],
) -> None:
    """Built on Friday of W25 (before W26's cut-off), the late file of U3 for W25 (sent
    after W25's cut-off) already counts, files after `now` do not."""
    config, store, files = loaded
    now = hs.CUTOFFS[2] + timedelta(hours=15)
    got = trends(config, store, _week(config, 2), now, weeks=3)  # type: ignore[arg-type]
    for i in range(3):
        expect = hs.recount_week(files, i, now)
        week = got.history.frame[got.history.frame["period"] == i]
        assert dict(zip(week["unit_code"], week["status"], strict=True)) == expect["status"]
        sel = select_snapshots(
            config, store, _week(config, i), "weekly", min(now, hs.CUTOFFS[i + 1])
        )  # type: ignore[arg-type]
        assert {u.code: u.status for u in sel.units} == expect["status"]


def test_comparison_sentence_names_the_changes(
    loaded: tuple[Config, Store, list[hs.File]],
) -> None:
    config, store, _ = loaded
    got = trends(config, store, _week(config, 5), hs.NOW, weeks=6)  # type: ignore[arg-type]
    prev, last = got.rows.iloc[-2], got.rows.iloc[-1]
    sentence = got.comparison()
    assert sentence.startswith("So với tuần 27/2026: ")
    diff = int(last["overdue"]) - int(prev["overdue"])
    word = "tăng" if diff > 0 else "giảm"
    assert f"nhiệm vụ quá hạn {word} {abs(diff)}" in sentence


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "deadline": st.sampled_from(
                    ["01/06/2026", "04/06/2026", "08/06/2026", "30/06/2026", "Thường xuyên",
                     "Quý III/2026", "trước ngày 05/06/2026"]
                ),
                "state": st.sampled_from(["Đã hoàn thành", "Đang thực hiện", "Chưa triển khai"]),
                "completed_on": st.sampled_from([None, "2026-05-20", "2026-06-03", "2026-06-10"]),
            }
        ),
        min_size=1,
        max_size=12,
    ),
    day=st.dates(min_value=date(2026, 5, 25), max_value=date(2026, 7, 5)),
)  # fmt: skip
def test_task_counts_sql_pandas_and_rows_agree(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, object]], day: date
) -> None:
    """The SQL aggregate, the pandas derivation and the weekly report's own rows give the
    same status counts."""
    config = hs.make_workspace(tmp_path_factory.mktemp("tc") / "ws")
    with Store(config.store, config.archive) as store:
        sid, _ = add_submission(
            store, "U1", hs.START + timedelta(days=1), tasks=[task(**r) for r in rows]
        )
        picks = pd.DataFrame({"submission_id": [sid], "day": [day]})
        sql = task_counts(store, picks, 7).iloc[0].to_dict()
        pdx = task_counts_pandas(store, picks, 7).iloc[0].to_dict()
        sel = select_snapshots(config, store, _week(config, 0), "weekly", hs.CUTOFFS[1])  # type: ignore[arg-type]
        tally = TaskRows(store, sel.snapshots, day, 7).tally
        expect = {k: tally.by_status[s] for k, s in zip(STATUS_KEYS, STATUSES, strict=True)}
        assert sql == expect
        assert pdx == expect
        # the second time the figures come from the task_status_counts summary table
        cached = store.db.execute("SELECT count(*) FROM task_status_counts").fetchone()[0]
        assert cached == 1
        assert task_counts(store, picks, 7).iloc[0].to_dict() == expect
        assert task_counts(store, picks, 7, cache=False).iloc[0].to_dict() == expect


def test_version_1_store_is_migrated_on_opening(tmp_path: Path) -> None:
    config = hs.make_workspace(tmp_path / "cũ")
    with Store(config.store, config.archive) as store:
        add_submission(
            store, "U1", hs.START + timedelta(days=1), tasks=[task(), task(officer=None)]
        )
    # what a version-1 store looks like: no summary table, version 1
    db = sqlite3.connect(config.store)
    db.execute("DROP TABLE submission_stats")
    db.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    db.commit()
    db.close()
    with Store(config.store, config.archive) as store:
        version = store.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        assert int(version[0]) == SCHEMA_VERSION
        stats = store.db.execute(
            "SELECT n_tasks, n_six, n_projects, n_indicators FROM submission_stats"
        ).fetchall()
        assert [tuple(r) for r in stats] == [(2, 1, 0, 0)]


def test_trends_json_keys_are_stable(loaded: tuple[Config, Store, list[hs.File]]) -> None:
    from consolidate.reports.trends import TREND_KEYS

    config, store, _ = loaded
    got = trends(config, store, _week(config, 5), hs.NOW, weeks=3)  # type: ignore[arg-type]
    records = got.records()
    assert [list(r) for r in records] == [list(TREND_KEYS)] * 3
    json.dumps(records)  # plain JSON types
    units = got.units()
    assert units[0] == {
        "code": "U1",
        "statuses": {"2026-W26": "on_time", "2026-W27": "on_time", "2026-W28": "on_time"},
    }


def test_weekly_workbook_has_the_trends_sheet(loaded: tuple[Config, Store, list[hs.File]]) -> None:
    import openpyxl

    from consolidate.build import build_weekly

    config, store, _ = loaded
    config.outbox.mkdir(parents=True, exist_ok=True)
    built = build_weekly(config, store, week=hs.WEEKS[-1], now=hs.NOW)
    expect = trends(config, store, _week(config, 5), hs.NOW)  # type: ignore[arg-type]
    assert built.figures["trends"] == expect.records()
    assert len(expect.records()) == 8  # [trends] weeks of the configuration
    wb = openpyxl.load_workbook(built.path, read_only=True)
    try:
        assert wb.sheetnames[:2] == ["Tổng hợp", "Xu hướng"]
        summary = [c for r in wb["Tổng hợp"].iter_rows(values_only=True) for c in r if c]
        assert any(isinstance(c, str) and c.startswith("- So với tuần 27/2026: ") for c in summary)
        rows = list(wb["Xu hướng"].iter_rows(values_only=True))
        table = [r for r in rows if isinstance(r[0], int) and isinstance(r[1], str)
                 and r[1].startswith("T")]  # fmt: skip
        assert [r[1][:6] for r in table] == [f"T{w}/26" for w in range(21, 29)]
        for r, rec in zip(table, expect.records(), strict=True):
            assert r[2:7] == (rec["expected"], rec["on_time"], rec["late"], rec["missing"],
                              rec["rejected"])  # fmt: skip
            assert r[8:12] == (rec["tasks_total"], rec["tasks_done"], rec["overdue"],
                               rec["due_soon"])  # fmt: skip
        grid = [r for r in rows if isinstance(r[1], str) and r[1].startswith("Đơn vị U")]
        u3 = next(r for r in grid if r[1] == "Đơn vị U3")
        assert u3[4:10] == ("Đúng hạn", "Bị từ chối", "Trễ hạn", "Đúng hạn", "Bị từ chối",
                            "Chưa BC")  # fmt: skip
    finally:
        wb.close()
    charts = __import__("zipfile").ZipFile(built.path).namelist()
    assert sum(1 for n in charts if n.startswith("xl/charts/chart")) == 3  # status + 2 lines
