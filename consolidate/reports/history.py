"""Many periods at once: the reporting status of every unit in every period, as frames.

The rules are those of :func:`consolidate.reports.selection.select_snapshots` (one period,
plain Python), applied to a whole range of periods with pandas over frames read from the
store for that range only — its arrivals, each unit's newest earlier arrival (carried
forward) and its rejected files, through the indexes of :mod:`consolidate.store.arrivals` —
so that the cost depends on the range asked for, not on the years stored, and is not a
loop over periods × units × files:

- the window of period *i* is ``(start_i, min(now, cutoff_{i+1})]``: a file is **on time**
  for the period whose ``(start, cutoff]`` holds it and **late** for the period before;
- the counted snapshot is the newest accepted file carrying rows of the report's sheet in
  the window (newest by arrival, report date, id); with none, the newest earlier one is
  carried forward; a rejected file in the window makes an owing unit "rejected" rather than
  "missing";
- the units owed are the period's frozen list (:meth:`Store.frozen_expected_many`; frozen
  here from the configuration — units on the list at the cut-off day — for a period never
  built before, exactly as building its report would);
- ``first_rejected``: the first file of the unit in the window was rejected.

Task figures of the counted snapshots (completed, overdue, due soon — derived for each
period's cut-off day) are aggregated by SQLite in one statement (:func:`task_counts`);
row counts and "06 rõ" come from the ``submission_stats`` summary table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from consolidate.calendar.deadlines import RECURRING, try_parse_deadline
from consolidate.calendar.periods import Period, next_period, previous_period
from consolidate.core.config import Config
from consolidate.reports.selection import EXTRA, LATE, MISSING, ON_TIME, REJECTED
from consolidate.reports.status import (
    DONE_LATE,
    DONE_ON_TIME,
    DUE_SOON,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    RECURRING_STATUS,
    STATUSES,
    derive_status,
)
from consolidate.store.arrivals import LEAN_COLUMNS
from consolidate.store.db import Store, utc_iso
from schemas.columns import STATE_DONE, STATE_IN_PROGRESS

#: The sheet whose rows make a file count, per report.
REPORT_SHEET = {"weekly": "tasks", "projects": "projects"}
#: Status column keys of :func:`task_counts`, in :data:`STATUSES` order.
STATUS_KEYS: tuple[str, ...] = (
    "done_on_time",
    "done_late",
    "in_progress",
    "due_soon",
    "overdue",
    "not_started",
    "recurring",
)
STATUS_OF_KEY = dict(zip(STATUS_KEYS, STATUSES, strict=True))


def periods_back(config: Config, last: Period, n: int) -> list[Period]:
    """``n`` consecutive periods ending with ``last``, oldest first."""
    out = [last]
    for _ in range(n - 1):
        out.append(previous_period(config.calendar, out[-1]))
    return out[::-1]


def periods_between(config: Config, first: Period, last_day: date) -> list[Period]:
    """Consecutive periods from ``first`` while their cut-off day is on or before
    ``last_day``."""
    out = []
    period = first
    while period.cutoff.date() <= last_day:
        out.append(period)
        period = next_period(config.calendar, period)
    return out


def _utc_ns(text: pd.Series) -> pd.Series:
    """Store timestamps (UTC ISO text; naive means UTC) as int64 nanoseconds."""
    moments = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
    return moments.dt.as_unit("ns").astype("int64")


def ns_of(moment: datetime) -> int:
    return int(pd.Timestamp(moment).tz_convert("UTC").as_unit("ns").value)


# --- frames read from the store, one query each -------------------------------------------------


#: Columns of :func:`arrival_events`.
EVENT_COLUMNS = list(LEAN_COLUMNS)


def arrival_events(
    store: Store,
    after: datetime,
    until: datetime,
    *,
    carry: str | None = None,
    units: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The arrivals of accepted submissions (the same bytes sent again count at each
    arrival) in ``(after, until]``, and with ``carry`` (``n_tasks`` / ``n_projects``) each
    of ``units``' newest arrival with rows of that sheet up to ``after``: submission id,
    unit, report date, arrival time (ns UTC), rows per sheet. Only those rows are read
    (:meth:`Store.accepted_arrivals`)."""
    rows = store.accepted_arrivals(after, until, carry=carry, units=units, lean=True)
    frame = pd.DataFrame.from_records(rows, columns=EVENT_COLUMNS)
    frame["at"] = _utc_ns(frame["at"])
    frame["as_of"] = frame["as_of"].fillna("")
    frame = frame.astype({c: "int64" for c in EVENT_COLUMNS if c.startswith("n_")})
    return frame[frame["at"] >= 0].reset_index(drop=True)


def rejected_files(store: Store, after: datetime, until: datetime) -> pd.DataFrame:
    """Rejected files whose unit is known, received in ``(after, until]``: unit, arrival
    time (ns UTC). A range of the index on the verdicts' arrival time."""
    frame = pd.read_sql_query(
        "SELECT unit_code, received_at AS at FROM verdicts "
        "WHERE received_at > :after AND received_at <= :until "
        "AND verdict = 'rejected' AND unit_code IS NOT NULL",
        store.db,
        params={"after": utc_iso(after), "until": utc_iso(until)},
    )
    frame["at"] = _utc_ns(frame["at"])
    return frame[frame["at"] >= 0].reset_index(drop=True)


# --- the reporting status of every unit in every period ------------------------------------------


@dataclass
class History:
    """The reporting status of the units in consecutive periods of one report.

    ``frame`` has one row per (period, unit) for every owed unit and every unit that sent
    rows without owing: ``period`` (index into :attr:`periods`), ``unit_code``,
    ``expected``, ``status`` (on_time / late / missing / rejected / extra),
    ``submission_id`` (the counted snapshot, <NA> if none), ``carried``, ``late_file``
    (the counted file arrived after the cut-off), ``first_rejected``, ``n_tasks``,
    ``n_six``.
    """

    report: str
    periods: list[Period]
    now: datetime
    frame: pd.DataFrame
    unit_order: dict[str, int]
    unit_names: dict[str, str]

    def counts(self) -> pd.DataFrame:
        """Per period: the figures of ``Selection.counts()`` of that period's report."""
        f = self.frame
        n = len(self.periods)
        status = pd.crosstab(f["period"], f["status"]).reindex(
            index=range(n), columns=[ON_TIME, LATE, MISSING, REJECTED, EXTRA], fill_value=0
        )
        expected = f[f["expected"]].groupby("period").size().reindex(range(n), fill_value=0)
        out = pd.DataFrame(
            {
                "expected": expected,
                "on_time": status[ON_TIME],
                "late": status[LATE],
                "missing": status[MISSING],
                "rejected": status[REJECTED],
                "extra": status[EXTRA],
            }
        )
        out["reported"] = out["on_time"] + out["late"]
        out["completeness_pct"] = np.where(
            out["expected"] > 0, 100.0 * out["reported"] / out["expected"].clip(lower=1), 100.0
        ).round(1)
        carried = f[f["carried"]].groupby("period").size()
        out["carried_forward"] = carried.reindex(range(n), fill_value=0)
        return out

    def grid(self) -> pd.DataFrame:
        """Unit × period: the reporting status ('' where the unit owed nothing), units in
        configuration order."""
        table = self.frame.pivot(index="unit_code", columns="period", values="status")
        table = table.reindex(columns=range(len(self.periods))).fillna("")
        rank = {c: (self.unit_order.get(c, len(self.unit_order)), c) for c in table.index}
        return table.loc[sorted(table.index, key=rank.__getitem__)]


def history(
    config: Config,
    store: Store,
    report: str,
    periods: Sequence[Period],
    now: datetime,
    *,
    events: pd.DataFrame | None = None,
    rejected: pd.DataFrame | None = None,
) -> History:
    """The reporting status of every unit in each of ``periods`` (consecutive, oldest
    first, each started before ``now``) as building that period's report at ``now``
    would give it.

    Reads only what these periods need: the arrivals from the first period's start to the
    horizon of the last one (``min(now, next cut-off)``), each owing or sending unit's
    newest earlier arrival with rows (carried forward), and the rejected files of that
    window — never the history before. ``events`` / ``rejected``: those of a window at
    least as wide, already read (:func:`arrival_events`, :func:`rejected_files`)."""
    periods = list(periods)
    n = len(periods)
    order = {u.code: i for i, u in enumerate(config.units)}
    sheet_rows = "n_tasks" if REPORT_SHEET[report] == "tasks" else "n_projects"
    owing = {
        p.key: [u.code for u in config.unit_index.owing(report, p.cutoff.date())] for p in periods
    }
    expected_lists = store.frozen_expected_many(periods[0].kind, owing) if periods else {}
    expected = pd.DataFrame(
        [(i, code) for i, p in enumerate(periods) for code in expected_lists[p.key]],
        columns=["period", "unit_code"],
    ).astype({"period": "int64", "unit_code": "object"})
    expected["expected"] = True

    now_ns = ns_of(now)
    bounds = np.array(
        [ns_of(periods[0].start), *(ns_of(p.cutoff) for p in periods),
         ns_of(next_period(config.calendar, periods[-1]).cutoff)] if periods else [],
        dtype="int64",
    )  # fmt: skip

    def own_period(at: pd.Series) -> np.ndarray:
        # index of the period whose (start, cutoff] holds the moment: -1 before the first,
        # n in the window after the last cut-off, n + 1 after that
        return np.searchsorted(bounds, at.to_numpy(), side="left") - 1

    if periods:
        first = periods[0].start
        horizon = min(now, next_period(config.calendar, periods[-1]).cutoff)
        lo, hi = ns_of(first), ns_of(max(first, horizon))
        if events is None:
            ev = arrival_events(store, first, max(first, horizon))
        else:
            ev = events[(events["at"] > lo) & (events["at"] <= hi)]
        senders = set(ev.loc[ev[sheet_rows] > 0, "unit_code"])
        carried = arrival_events(
            store, first, first, carry=sheet_rows,
            units=senders | set(expected["unit_code"]),
        )  # fmt: skip
        ev = pd.concat([ev, carried], ignore_index=True) if len(carried) else ev
        if rejected is None:
            rej = rejected_files(store, first, max(first, horizon))
        else:
            rej = rejected[(rejected["at"] > lo) & (rejected["at"] <= hi)]
    else:
        ev = pd.DataFrame(columns=EVENT_COLUMNS).astype({"at": "int64"})
        rej = pd.DataFrame(columns=["unit_code", "at"]).astype({"at": "int64"})
    ev = ev[ev["at"] <= now_ns].copy()
    ev["own"] = own_period(ev["at"])
    ev = ev.sort_values(["unit_code", "at", "as_of", "submission_id"], kind="stable")
    rows = ev[ev[sheet_rows] > 0]
    # the newest file with rows per unit and own period, and the newest up to each period
    newest = rows.groupby(["unit_code", "own"], sort=False).tail(1)
    newest = newest.set_index(["unit_code", "own"])[["submission_id", "at", "n_tasks", "n_six"]]

    rej = rej[rej["at"] <= now_ns].copy()
    rej["own"] = own_period(rej["at"])

    units = sorted(
        set(expected["unit_code"]) | set(rows.loc[rows["own"].between(0, n), "unit_code"])
    )
    grid = pd.MultiIndex.from_product([units, range(-1, n + 1)], names=["unit_code", "own"])
    g = newest.reindex(grid)
    # the newest file of each unit with own period <= o (for carrying forward)
    g["last_sub"] = g["submission_id"].groupby(level=0).ffill()
    g["last_tasks"] = g["n_tasks"].where(g["submission_id"].notna()).groupby(level=0).ffill()
    g["last_six"] = g["n_six"].where(g["submission_id"].notna()).groupby(level=0).ffill()
    first_acc = ev.groupby(["unit_code", "own"])["at"].min().reindex(grid)
    first_rej = rej.groupby(["unit_code", "own"])["at"].min().reindex(grid)

    def at(o_shift: int, column: pd.Series) -> np.ndarray:
        # value of ``column`` at own period i + o_shift for i in 0..n-1, per unit
        arr = column.to_numpy().reshape(len(units), n + 2)
        return arr[:, 1 + o_shift : 1 + o_shift + n]

    sub_on, sub_late = at(0, g["submission_id"]), at(1, g["submission_id"])
    on_time = ~np.isnan(sub_on.astype("float64"))
    late_file = ~np.isnan(sub_late.astype("float64"))
    in_window = on_time | late_file
    counted = np.where(late_file, sub_late, sub_on)
    n_tasks = np.where(late_file, at(1, g["n_tasks"]), at(0, g["n_tasks"]))
    n_six = np.where(late_file, at(1, g["n_six"]), at(0, g["n_six"]))
    carried_sub = at(-1, g["last_sub"])
    counted = np.where(in_window, counted, carried_sub)
    n_tasks = np.where(in_window, n_tasks, at(-1, g["last_tasks"]))
    n_six = np.where(in_window, n_six, at(-1, g["last_six"]))
    acc0 = np.fmin(at(0, first_acc), at(1, first_acc))
    rej0 = np.fmin(at(0, first_rej), at(1, first_rej))
    has_rej = ~np.isnan(rej0)
    first_rejected = has_rej & ~(acc0 <= rej0)

    frame = pd.DataFrame(
        {
            "unit_code": np.repeat(np.array(units, dtype=object), n),
            "period": np.tile(np.arange(n), len(units)),
            "on": on_time.ravel(),
            "in_window": in_window.ravel(),
            "late_file": (late_file & in_window).ravel(),
            "has_rej": has_rej.ravel(),
            "submission_id": pd.array(counted.ravel(), dtype="Float64").astype("Int64"),
            "n_tasks": n_tasks.ravel(),
            "n_six": n_six.ravel(),
            "first_rejected": first_rejected.ravel(),
        }
    )
    frame = frame.merge(expected, on=["period", "unit_code"], how="left")
    frame["expected"] = frame["expected"].fillna(False).astype(bool)
    frame = frame[frame["expected"] | frame["in_window"]].reset_index(drop=True)
    frame["status"] = np.select(
        [
            ~frame["expected"],
            frame["on"],
            frame["in_window"],
            frame["has_rej"],
        ],
        [EXTRA, ON_TIME, LATE, REJECTED],
        MISSING,
    )
    frame["carried"] = ~frame["in_window"] & frame["submission_id"].notna()
    frame["first_rejected"] = frame["first_rejected"] & frame["expected"]
    frame[["n_tasks", "n_six"]] = frame[["n_tasks", "n_six"]].fillna(0).astype("int64")
    frame = frame.drop(columns=["on", "in_window", "has_rej"])
    names = {u.code: u.name for u in config.units}
    return History(report, periods, now, frame, order, names)


# --- task figures of the counted snapshots -------------------------------------------------------

_DAY = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"

#: Derived status (index into STATUS_KEYS) of a task row for the pick's day, as
#: :func:`consolidate.reports.status.derive_status` computes it; 7 = a row stored before
#: the deadline columns existed (its text is parsed in Python). ``deadline_end`` is the ISO
#: day the deadline parser stored (or NULL), so plain text comparison orders it.
_STATUS_SQL = f"""
CASE
  WHEN t.deadline_kind IS NULL AND t.deadline <> '' THEN 7
  WHEN t.deadline_kind = '{RECURRING}' THEN 6
  WHEN t.state = :done THEN
    t.deadline_end IS NOT NULL AND COALESCE(
      CASE WHEN substr(t.completed_on, 1, 10) GLOB '{_DAY}' THEN substr(t.completed_on, 1, 10)
      END, p.day) > t.deadline_end
  WHEN t.deadline_end < p.day THEN 4
  WHEN t.deadline_end <= p.soon THEN 3
  WHEN t.state = :in_progress THEN 2
  ELSE 5
END
"""

_PICKS_CTE = (
    "WITH p(pick, sid, day, soon) AS (SELECT json_extract(value, '$[0]'), "
    "json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]') "
    "FROM json_each(:picks)) "
)


def _picks_json(picks: pd.DataFrame, due_soon_days: int) -> str:
    days = picks["day"].tolist()
    return json.dumps(
        [
            [int(i), int(s), d.isoformat(), (d + timedelta(days=due_soon_days)).isoformat()]
            for i, s, d in zip(picks.index, picks["submission_id"], days, strict=True)
        ]
    )


_COUNT_COLUMNS = (*STATUS_KEYS, "legacy")


def task_counts(
    store: Store, picks: pd.DataFrame, due_soon_days: int, *, cache: bool = True
) -> pd.DataFrame:
    """Derived-status counts of the task rows of each pick (a frame with
    ``submission_id`` and ``day``, the date status is derived for).

    The counts of a (snapshot, day) pair never change — a stored snapshot is never altered —
    so they are kept in the ``task_status_counts`` summary table: a pair is aggregated by
    SQLite once (one statement for all the missing pairs), then read back. Returns a frame
    indexed like ``picks`` with one column per :data:`STATUS_KEYS`.
    """
    out = pd.DataFrame(0, index=picks.index, columns=list(STATUS_KEYS), dtype="int64")
    if picks.empty:
        return out
    keys = pd.DataFrame(
        {"sid": picks["submission_id"].astype("int64"),
         "day": [d.isoformat() for d in picks["day"]]},
        index=picks.index,
    )  # fmt: skip
    pairs = keys.drop_duplicates().reset_index(drop=True)
    pairs_json = json.dumps(pairs.to_numpy().tolist())
    known = pd.DataFrame(columns=["sid", "day", *_COUNT_COLUMNS])
    if cache:
        known = pd.read_sql_query(
            "WITH p(sid, day) AS (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]')"
            " FROM json_each(:pairs)) SELECT c.submission_id AS sid, c.day, "
            + ", ".join(f"c.{k}" for k in _COUNT_COLUMNS)
            + " FROM p JOIN task_status_counts c ON c.submission_id = p.sid AND c.day = p.day "
            "AND c.soon = :soon",
            store.db,
            params={"pairs": pairs_json, "soon": due_soon_days},
        )
    missing = pairs.merge(known[["sid", "day"]], how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"][["sid", "day"]]
    if len(missing):
        computed = _aggregate(store, missing, due_soon_days)
        if cache:
            with store.transaction() as db:
                db.executemany(
                    "INSERT OR IGNORE INTO task_status_counts VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    [(int(r[0]), r[1], due_soon_days, *map(int, r[2:]))
                     for r in computed.itertuples(index=False)],
                )  # fmt: skip
        known = pd.concat([known, computed], ignore_index=True) if len(known) else computed
    known = known.astype({"sid": "int64", **dict.fromkeys(_COUNT_COLUMNS, "int64")})
    merged = keys.merge(known, on=["sid", "day"], how="left")
    merged.index = picks.index
    out[:] = merged[list(STATUS_KEYS)].fillna(0).to_numpy(dtype="int64")
    legacy = merged["legacy"].fillna(0) > 0
    if legacy.any():
        _add_legacy(store, picks.loc[legacy], due_soon_days, out)
    return out


def _aggregate(store: Store, pairs: pd.DataFrame, due_soon_days: int) -> pd.DataFrame:
    """One SQL aggregate over the task rows of the (snapshot, day) pairs."""
    picks = pd.DataFrame(
        {"submission_id": pairs["sid"].to_numpy(),
         "day": [date.fromisoformat(d) for d in pairs["day"]]}
    )  # fmt: skip
    sql = (
        _PICKS_CTE + f"SELECT p.pick, {_STATUS_SQL} AS st, count(*) FROM p "
        "JOIN tasks t ON t.submission_id = p.sid GROUP BY p.pick, st"
    )
    params = {
        "picks": _picks_json(picks, due_soon_days),
        "done": STATE_DONE,
        "in_progress": STATE_IN_PROGRESS,
    }
    counts = pd.DataFrame(store.db.execute(sql, params).fetchall(), columns=["pick", "st", "n"])
    table = counts.pivot_table(index="pick", columns="st", values="n", aggfunc="sum")
    table = table.reindex(index=range(len(picks)), columns=range(8)).fillna(0).astype("int64")
    table.columns = list(_COUNT_COLUMNS)
    return pd.concat([pairs.reset_index(drop=True), table.reset_index(drop=True)], axis=1)


def _add_legacy(store: Store, picks: pd.DataFrame, due_soon_days: int, out: pd.DataFrame) -> None:
    """Rows stored before the deadline columns existed: their deadline text is parsed as
    the weekly report does (rare: only stores from the first versions)."""
    index = {s: k for k, s in enumerate(STATUSES)}
    extra = np.zeros(out.shape, dtype="int64")
    position = {pick: k for k, pick in enumerate(out.index)}
    for pick, sid, day in zip(picks.index, picks["submission_id"], picks["day"], strict=True):
        for deadline, state, completed in store.db.execute(
            "SELECT deadline, state, completed_on FROM tasks WHERE submission_id = ? "
            "AND deadline_kind IS NULL AND COALESCE(deadline, '') <> ''",
            (int(sid),),
        ):
            parsed = try_parse_deadline(deadline)
            kind, end = (parsed.kind, parsed.end) if parsed else (None, None)
            status = derive_status(kind, end, state, completed, day, due_soon_days).status
            extra[position[pick], index[status]] += 1
    out += extra


def task_counts_pandas(store: Store, picks: pd.DataFrame, due_soon_days: int) -> pd.DataFrame:
    """The same figures as :func:`task_counts`, derived by pandas from the rows (kept to
    measure both in ``bench/run.py --history``; the product uses the SQL aggregate)."""
    out = pd.DataFrame(0, index=picks.index, columns=list(STATUS_KEYS), dtype="int64")
    if picks.empty:
        return out
    rows = pd.read_sql_query(
        _PICKS_CTE + "SELECT p.pick, p.day, p.soon, t.deadline, t.deadline_kind, "
        "t.deadline_end, t.state, t.completed_on FROM p JOIN tasks t ON t.submission_id = p.sid",
        store.db,
        params={"picks": _picks_json(picks, due_soon_days)},
    )
    end = rows["deadline_end"].str.slice(0, 10)
    valid_end = end.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)
    done_day = rows["completed_on"].str.slice(0, 10)
    done_day = done_day.where(done_day.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False), None)
    done_day = done_day.fillna(rows["day"])
    done = rows["state"] == STATE_DONE
    legacy = rows["deadline_kind"].isna() & rows["deadline"].fillna("").ne("")
    st = np.select(
        [
            legacy,
            rows["deadline_kind"] == RECURRING,
            done & valid_end & (done_day > end),
            done,
            valid_end & (end < rows["day"]),
            valid_end & (end <= rows["soon"]),
            rows["state"] == STATE_IN_PROGRESS,
        ],
        [7, 6, 1, 0, 4, 3, 2],
        5,
    )
    rows["st"] = st
    table = rows[rows["st"] < 7].groupby(["pick", "st"]).size().unstack(fill_value=0)
    table = table.reindex(index=picks.index, columns=range(7)).fillna(0).astype("int64")
    out[:] = table.to_numpy()
    if legacy.any():
        _add_legacy(store, picks.loc[rows.loc[legacy, "pick"].unique()], due_soon_days, out)
    return out


def status_label_counts(counts: pd.Series | dict[str, Any]) -> dict[str, int]:
    """STATUS_KEYS counts -> {Vietnamese status: count}, in display order."""
    return {STATUS_OF_KEY[k]: int(counts[k]) for k in STATUS_KEYS}


__all__ = [
    "DONE_LATE",
    "DONE_ON_TIME",
    "DUE_SOON",
    "IN_PROGRESS",
    "NOT_STARTED",
    "OVERDUE",
    "RECURRING_STATUS",
    "History",
    "arrival_events",
    "history",
    "periods_back",
    "periods_between",
    "rejected_files",
    "task_counts",
    "task_counts_pandas",
]
