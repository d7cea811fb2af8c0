"""The history queries read only the periods asked for, not the years stored before.

Two stores hold the same weeks (tests/history_scenario.py); the second also holds most of a
year of earlier reports (accepted, rejected, sent twice) and reports dated the year before.
The trends, the scorecard and the indicators are the same on both, and SQLite does the same
work on both (counted in virtual-machine steps with a progress handler): the rows outside
the range are not read. The SQL frames returned hold only the window and one carried
arrival per unit, and every query goes through an index (query plans).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from consolidate.calendar.periods import parse_week
from consolidate.core.config import Config
from consolidate.reports.history import arrival_events, history, rejected_files
from consolidate.reports.indicators import INDICATORS_SQL, indicators
from consolidate.reports.scorecard import parse_range, scorecard
from consolidate.reports.selection import select_snapshots
from consolidate.reports.trends import trends
from consolidate.store import arrivals as store_arrivals
from consolidate.store import db as store_db
from consolidate.store.db import Store, utc_iso
from tests import history_scenario as hs
from tests.helpers_store import add_rejected, add_submission, resend, task

#: Weeks of earlier reports in the noisy store (all before the scenario's first file).
NOISE_WEEKS = 40
NOISE_UNITS = ("U1", "U2", "U3", "U4", "U5")


def _noise(store: Store) -> int:
    """Most of a year of reports before the scenario (every unit, every week; some rejected,
    one sent again) and indicator reports dated the year before. Returns the files added."""
    rng = random.Random(11)
    added = 0
    first = hs.START - timedelta(days=3)  # U4's file before the range is at START - 2 days
    for w in range(NOISE_WEEKS):
        for unit in NOISE_UNITS:
            at = first - timedelta(days=7 * w, hours=rng.randint(0, 60))
            if rng.random() < 0.1:
                add_rejected(store, unit, at - timedelta(hours=1))
                added += 1
            rows = [task(stt=i + 1, deadline=(at.date() + timedelta(days=rng.randint(-30, 30)))
                         .strftime("%d/%m/%Y"), state=rng.choice(["Đã hoàn thành",
                                                                  "Đang thực hiện"]))
                    for i in range(rng.randint(3, 9))]  # fmt: skip
            indicator = [
                {"indicator_code": "CT01", "indicator": "Hồ sơ số hóa", "unit_of_measure": "hồ sơ",
                 "target": 100.0, "achieved": float(w), "note": None, "issues": None}
            ] if at.year < 2026 else []  # fmt: skip
            _, data = add_submission(store, unit, at, tasks=rows, indicators=indicator)
            added += 1
            if w == NOISE_WEEKS - 1 and unit == "U2":
                resend(store, data, "U2-gui-lai.xlsx", first - timedelta(days=5))
    return added


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Config, Store]]]:
    files = hs.scenario()
    out: dict[str, tuple[Config, Store]] = {}
    for label in ("range only", "a year before"):
        config = hs.make_workspace(tmp_path_factory.mktemp("range") / label)
        store = Store(config.store, config.archive)
        if label == "a year before":
            assert _noise(store) >= 5 * len(files)
        hs.load(store, files)
        out[label] = (config, store)
    yield out
    for _, store in out.values():
        store.close()


@contextmanager
def _vm_steps(store: Store) -> Iterator[list[int]]:
    """Hundreds of SQLite virtual-machine instructions run on the store's connection."""
    count = [0]

    def tick() -> int:
        count[0] += 1
        return 0

    store.db.set_progress_handler(tick, 100)
    try:
        yield count
    finally:
        store.db.set_progress_handler(None, 100)


def _same_work(
    stores: dict[str, tuple[Config, Store]], compute: Callable[[Config, Store], Any]
) -> tuple[Any, Any, int, int]:
    """``compute`` on both stores (once to freeze the periods and fill the summary table,
    then counted): both results and both step counts."""
    results, steps = [], []
    for config, store in stores.values():
        compute(config, store)
        with _vm_steps(store) as count:
            results.append(compute(config, store))
        steps.append(count[0])
    return results[0], results[1], steps[0], steps[1]


def _assert_not_read(small: int, big: int) -> None:
    # the noisy store holds > 5x the rows; reading them would cost far more than 10 %
    assert big <= small * 1.1 + 5, (small, big)


def test_trends_read_only_the_last_weeks(stores: dict[str, tuple[Config, Store]]) -> None:
    def compute(config: Config, store: Store) -> Any:
        return trends(config, store, parse_week(config.calendar, hs.WEEKS[-1]), hs.NOW, weeks=6)

    small, big, small_steps, big_steps = _same_work(stores, compute)
    pd.testing.assert_frame_equal(small.rows, big.rows)
    pd.testing.assert_frame_equal(
        small.history.frame.drop(columns="submission_id"),
        big.history.frame.drop(columns="submission_id"),
    )
    _assert_not_read(small_steps, big_steps)


def test_scorecard_reads_only_its_range(stores: dict[str, tuple[Config, Store]]) -> None:
    def compute(config: Config, store: Store) -> Any:
        rng = parse_range(config, week_from=hs.WEEKS[2], week_to=hs.WEEKS[-1], now=hs.NOW)
        return scorecard(config, store, rng, hs.NOW)

    small, big, small_steps, big_steps = _same_work(stores, compute)
    pd.testing.assert_frame_equal(small.table, big.table)
    _assert_not_read(small_steps, big_steps)


def test_weekly_selection_reads_only_its_week(stores: dict[str, tuple[Config, Store]]) -> None:
    def compute(config: Config, store: Store) -> Any:
        period = parse_week(config.calendar, hs.WEEKS[3])
        sel = select_snapshots(config, store, period, "weekly", hs.CUTOFFS[4])
        return {u.code: (u.status, u.snapshot.as_of if u.snapshot else None) for u in sel.units}

    small, big, small_steps, big_steps = _same_work(stores, compute)
    assert small == big
    _assert_not_read(small_steps, big_steps)


def test_indicators_read_only_their_year(stores: dict[str, tuple[Config, Store]]) -> None:
    small, big, small_steps, big_steps = _same_work(
        stores, lambda config, store: indicators(config, store, date(2026, 7, 10))
    )
    pd.testing.assert_frame_equal(small.totals, big.totals)
    assert big_steps <= small_steps * 1.1 + 5, (small_steps, big_steps)
    # the earlier year is there, and counts when asked for
    config, store = stores["a year before"]
    assert len(indicators(config, store, date(2025, 12, 31)).rows) == len(NOISE_UNITS)


def test_frames_hold_only_the_window_and_one_carried_arrival_per_unit(
    stores: dict[str, tuple[Config, Store]],
) -> None:
    _, store = stores["a year before"]
    first, last = hs.CUTOFFS[1], hs.CUTOFFS[3]  # weeks W24 and W25 … up to W26's cut-off
    window = arrival_events(store, first, last)
    lo, hi = (pd.Timestamp(t).value for t in (first, last))
    assert len(window) and window["at"].between(lo + 1, hi).all()
    carried = arrival_events(store, first, first, carry="n_tasks", units=hs.UNITS)
    assert sorted(carried["unit_code"]) == ["U1", "U2", "U3", "U4", "U5", "U6", "U7"]
    assert (carried["at"] <= lo).all() and (carried["n_tasks"] > 0).all()
    # each is the unit's newest arrival with task rows up to the start (counted by hand)
    for unit, at in zip(carried["unit_code"], carried["at"], strict=True):
        newest = store.db.execute(
            "SELECT max(a.received_at) FROM arrivals a JOIN submissions s ON s.sha256 = a.sha256 "
            "JOIN tasks t ON t.submission_id = s.id WHERE s.unit_code = ? AND a.received_at <= ?",
            (unit, utc_iso(first)),
        ).fetchone()[0]
        assert pd.Timestamp(newest).value == at
    rejected = rejected_files(store, first, last)
    assert rejected["at"].between(lo + 1, hi).all()
    assert sorted(rejected["unit_code"]) == ["U3"]  # its rejected file of W25


def test_history_of_two_weeks_reads_no_row_before_them(
    stores: dict[str, tuple[Config, Store]],
) -> None:
    """The statements history() runs name only the window and the carried arrivals."""
    config, store = stores["a year before"]
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    try:
        periods = [parse_week(config.calendar, k) for k in hs.WEEKS[4:]]
        history(config, store, "weekly", periods, hs.NOW)
    finally:
        store.db.set_trace_callback(None)
    reads = [s for s in statements if "submission_arrivals" in s or "FROM verdicts" in s]
    assert reads and all(utc_iso(periods[0].start) in s for s in reads), (
        "every read of the arrivals is bounded by the first week's start"
    )


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        (store_arrivals.ARRIVALS_IN_WINDOW_SQL, "submission_arrivals_at"),
        (store_arrivals.ARRIVALS_CARRIED_SQL.format(carry="n_tasks"), "submission_arrivals_tasks"),
        (store_arrivals.ARRIVALS_CARRIED_SQL.format(carry="n_projects"), "submission_arrivals_projects"),
        (store_arrivals.UNITS_WITH_ROWS_SQL.format(carry="n_tasks"), "submission_arrivals_tasks"),
        (INDICATORS_SQL, "submission_arrivals_indicators"),
        ("SELECT * FROM verdicts WHERE received_at > :after AND received_at <= :until "
         "AND verdict = 'rejected'", "verdicts_at"),
    ],
)  # fmt: skip
def test_each_query_searches_an_index(
    stores: dict[str, tuple[Config, Store]], sql: str, index: str
) -> None:
    _, store = stores["a year before"]
    store.db.execute("ANALYZE")  # the planner's choice with real statistics, too
    params = {"after": utc_iso(hs.START), "until": utc_iso(hs.NOW), "units": '["U1"]',
              "first": "2026-01-01", "next": "2027-01-01", "horizon": utc_iso(hs.NOW)}  # fmt: skip
    plan = [r[3] for r in store.db.execute("EXPLAIN QUERY PLAN " + sql, params)]
    assert any(f"USING INDEX {index}" in step for step in plan), plan
    tables = ("submission_arrivals", "verdicts", "submissions", "arrivals", "tasks")
    assert not [s for s in plan if s.startswith("SCAN") and s.split()[1] in tables], plan


def test_version_3_store_gets_the_arrival_table_on_opening(tmp_path: Path) -> None:
    """A store written before the arrivals table (schema 3) is filled in once on opening,
    with the same rows the store writes itself."""
    import sqlite3

    config = hs.make_workspace(tmp_path / "kho cũ")
    with Store(config.store, config.archive) as store:
        hs.load(store, hs.scenario())
        want = store.db.execute("SELECT * FROM submission_arrivals ORDER BY 1, 2").fetchall()
        want = [tuple(r) for r in want]
    assert any(r[2] == 1 for r in want)  # the bytes sent again are there
    db = sqlite3.connect(config.store)
    db.execute("DROP TABLE submission_arrivals")
    db.execute("UPDATE meta SET value='3' WHERE key='schema_version'")
    db.commit()
    db.close()
    with Store(config.store, config.archive) as store:
        got = store.db.execute("SELECT * FROM submission_arrivals ORDER BY 1, 2").fetchall()
        assert [tuple(r) for r in got] == want
        version = store.db.execute("SELECT value FROM meta WHERE key='schema_version'")
        assert int(version.fetchone()[0]) == store_db.SCHEMA_VERSION


def test_resend_after_the_verdict_is_an_arrival(tmp_path: Path) -> None:
    config = hs.make_workspace(tmp_path / "gửi lại")
    at = datetime(2026, 6, 1, 9, tzinfo=hs.TZ)
    with Store(config.store, config.archive) as store:
        sid, data = add_submission(store, "U1", at, tasks=[task()])
        resend(store, data, "U1 lần 2.xlsx", at + timedelta(days=3))
        rows = store.db.execute(
            "SELECT at, later, name FROM submission_arrivals WHERE submission_id = ? ORDER BY at",
            (sid,),
        ).fetchall()
        assert [tuple(r)[1:] for r in rows] == [
            (0, f"U1_{at:%Y%m%d_%H%M}.xlsx"),
            (1, "U1 lần 2.xlsx"),
        ]
        assert rows[1][0] == utc_iso(at + timedelta(days=3))


def test_a_withdrawn_arrival_is_no_arrival_of_its_submission(tmp_path: Path) -> None:
    """The same bytes held back with a time typed wrong (``Store.withdraw_arrival``) leave
    no arrival behind for the history to count."""
    config = hs.make_workspace(tmp_path / "rút lại")
    at = datetime(2026, 6, 1, 9, tzinfo=hs.TZ)
    typo = at + timedelta(days=300)
    with Store(config.store, config.archive) as store:
        sid, data = add_submission(store, "U1", at, tasks=[task()])
        resend(store, data, "U1 lần 2.xlsx", typo)
        count = "SELECT count(*) FROM submission_arrivals WHERE submission_id = ?"
        assert store.db.execute(count, (sid,)).fetchone()[0] == 2
        store.withdraw_arrival(hashlib.sha256(data).hexdigest(), typo)
        assert store.db.execute(count, (sid,)).fetchone()[0] == 1
        window = arrival_events(store, at - timedelta(hours=1), typo + timedelta(days=1))
        assert list(window["submission_id"]) == [sid]
