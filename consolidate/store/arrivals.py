"""Every arrival of every accepted submission, kept so that history reads only its range.

A report counts at each arrival of its bytes (the same file sent again counts again), so the
history of a unit is its *arrivals*, not only its submissions. ``submission_arrivals`` holds
one row per (submission, arrival time) with what the selection rules look at — the unit, the
report date and the rows per sheet — written in the same transaction as the snapshot (its
own arrival and any recorded before the verdict) and as each later arrival of the same
bytes. Its indexes let every history query read only the rows of the periods asked for:

- ``submission_arrivals_at`` (arrival time): the arrivals of a window ``(after, until]``;
- ``submission_arrivals_tasks`` / ``_projects`` (unit, time, report date, id; partial, only
  arrivals with rows of that sheet): each unit's newest earlier arrival with rows, the
  snapshot carried forward, in one descent per unit whatever the years stored before;
- ``submission_arrivals_indicators`` (report date; partial): the year's indicator reports;
- ``verdicts_at`` (the verdicts' arrival time): the rejected files of a window.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

ARRIVALS_SCHEMA = """
CREATE TABLE IF NOT EXISTS submission_arrivals (
    submission_id INTEGER NOT NULL REFERENCES submissions(id), at TEXT NOT NULL,
    later INTEGER NOT NULL, name TEXT, unit_code TEXT NOT NULL, as_of TEXT NOT NULL,
    n_tasks INTEGER NOT NULL, n_six INTEGER NOT NULL, n_projects INTEGER NOT NULL,
    n_indicators INTEGER NOT NULL, PRIMARY KEY (submission_id, at));
CREATE INDEX IF NOT EXISTS submission_arrivals_at ON submission_arrivals(at);
CREATE INDEX IF NOT EXISTS submission_arrivals_tasks
    ON submission_arrivals(unit_code, at, as_of, submission_id) WHERE n_tasks > 0;
CREATE INDEX IF NOT EXISTS submission_arrivals_projects
    ON submission_arrivals(unit_code, at, as_of, submission_id) WHERE n_projects > 0;
CREATE INDEX IF NOT EXISTS submission_arrivals_indicators
    ON submission_arrivals(as_of) WHERE n_indicators > 0;
CREATE INDEX IF NOT EXISTS verdicts_at ON verdicts(received_at);
"""

#: The ``submission_arrivals`` rows of the accepted submissions selected by ``{where}``
#: (alias s): the submission's own arrival first (``later`` 0), then every arrival of the
#: same bytes (``later`` 1; one at the same moment is the same arrival and is ignored).
_RECORD_SQL = (
    "INSERT OR IGNORE INTO submission_arrivals "
    "SELECT s.id, s.received_at, 0, s.original_name, s.unit_code, COALESCE(s.as_of, ''), "
    "st.n_tasks, st.n_six, st.n_projects, st.n_indicators "
    "FROM submissions s JOIN submission_stats st ON st.submission_id = s.id WHERE {where} "
    "ORDER BY s.id",
    "INSERT OR IGNORE INTO submission_arrivals "
    "SELECT s.id, a.received_at, 1, a.original_name, s.unit_code, COALESCE(s.as_of, ''), "
    "st.n_tasks, st.n_six, st.n_projects, st.n_indicators "
    "FROM arrivals a JOIN submissions s ON s.sha256 = a.sha256 "
    "JOIN submission_stats st ON st.submission_id = s.id WHERE {where} ORDER BY a.id",
)

#: Columns of :func:`accepted_arrivals`.
ARRIVAL_COLUMNS = (
    "submission_id", "sha256", "unit_code", "as_of", "at", "name", "n_warnings", "later",
    "n_tasks", "n_six", "n_projects", "n_indicators",
)  # fmt: skip
#: Columns of :func:`accepted_arrivals` with ``lean`` (no join with ``submissions``).
LEAN_COLUMNS = ("submission_id", "unit_code", "as_of", "at", "n_tasks", "n_six", "n_projects",
                "n_indicators")  # fmt: skip
#: Row-count columns that have a (unit, time) index: the sheets a snapshot is carried for.
CARRY_COLUMNS = ("n_tasks", "n_projects")

_FULL_SELECT = (
    "SELECT e.submission_id, s.sha256, e.unit_code, e.as_of, e.at, e.name, s.n_warnings, "
    "e.later, e.n_tasks, e.n_six, e.n_projects, e.n_indicators FROM "
)
_LEAN_SELECT = "SELECT " + ", ".join(f"e.{c}" for c in LEAN_COLUMNS) + " FROM "
_JOIN = " JOIN submissions s ON s.id = e.submission_id"
#: Arrivals in ``(:after, :until]``: a range of the index on the arrival time.
_WINDOW = "submission_arrivals e", " WHERE e.at > :after AND e.at <= :until"
#: Each listed unit's newest arrival with rows of a sheet (``{carry}``) at or before
#: ``:after``: one descent of the sheet's partial (unit, time) index per unit, whatever the
#: history before.
_CARRIED = (
    "json_each(:units) u JOIN submission_arrivals e ON e.rowid = ("
    "SELECT x.rowid FROM submission_arrivals x WHERE x.unit_code = u.value "
    "AND x.at <= :after AND x.{carry} > 0 "
    "ORDER BY x.at DESC, x.as_of DESC, x.submission_id DESC LIMIT 1)"
)
ARRIVALS_IN_WINDOW_SQL = _FULL_SELECT + _WINDOW[0] + _JOIN + _WINDOW[1]
ARRIVALS_CARRIED_SQL = _FULL_SELECT + _CARRIED + _JOIN
LEAN_IN_WINDOW_SQL = _LEAN_SELECT + _WINDOW[0] + _WINDOW[1]
LEAN_CARRIED_SQL = _LEAN_SELECT + _CARRIED
#: Every unit with an arrival carrying rows of a sheet (a skip scan of the sheet's unit
#: index: one descent per unit, not a walk over the history).
UNITS_WITH_ROWS_SQL = (
    "WITH RECURSIVE u(code) AS ("
    "SELECT min(unit_code) FROM submission_arrivals WHERE {carry} > 0 "
    "UNION ALL SELECT (SELECT min(unit_code) FROM submission_arrivals "
    "WHERE {carry} > 0 AND unit_code > u.code) FROM u WHERE u.code IS NOT NULL) "
    "SELECT code FROM u WHERE code IS NOT NULL"
)


def record_arrivals(db: sqlite3.Connection, where: str, params: tuple[Any, ...] = ()) -> None:
    """Write the arrivals of the submissions selected by ``where`` (alias ``s``; their
    ``submission_stats`` must be written): on storing a snapshot, and once for a store made
    before the table existed."""
    for sql in _RECORD_SQL:
        db.execute(sql.format(where=where), params)


def record_resend(db: sqlite3.Connection, sha: str, at: str, name: str) -> None:
    """A new arrival of bytes already stored as a submission (nothing if they are not)."""
    db.execute(
        "INSERT OR IGNORE INTO submission_arrivals SELECT s.id, ?, 1, ?, s.unit_code, "
        "COALESCE(s.as_of, ''), st.n_tasks, st.n_six, st.n_projects, st.n_indicators "
        "FROM submissions s JOIN submission_stats st ON st.submission_id = s.id "
        "WHERE s.sha256 = ?",
        (at, name, sha),
    )


def forget_resend(db: sqlite3.Connection, sha: str, at: str) -> None:
    """An arrival withdrawn from ``arrivals`` (a time typed wrong) is no arrival of its
    submission either, unless the same bytes are still recorded at that moment."""
    db.execute(
        "DELETE FROM submission_arrivals WHERE later = 1 AND at = :at AND submission_id = "
        "(SELECT id FROM submissions WHERE sha256 = :sha) AND NOT EXISTS "
        "(SELECT 1 FROM arrivals WHERE sha256 = :sha AND received_at = :at)",
        {"sha": sha, "at": at},
    )


def accepted_arrivals(
    db: sqlite3.Connection,
    after: str,
    until: str,
    carry: str | None = None,
    units: Iterable[str] | None = None,
    *,
    lean: bool = False,
) -> list[tuple[Any, ...]]:
    """The arrivals of accepted submissions (:data:`ARRIVAL_COLUMNS`, or with ``lean``
    :data:`LEAN_COLUMNS`) in ``(after, until]`` (UTC ISO text) and, with ``carry`` (one of
    :data:`CARRY_COLUMNS`), each of ``units``' newest arrival with rows of that sheet at or
    before ``after`` (every unit with such rows when ``units`` is None).

    Only those rows are read, through the indexes above: the cost depends on the window and
    the number of units, not on the years stored before.
    """
    cur = db.cursor()
    cur.row_factory = None  # plain tuples
    window, carried = (
        (LEAN_IN_WINDOW_SQL, LEAN_CARRIED_SQL)
        if lean
        else (ARRIVALS_IN_WINDOW_SQL, ARRIVALS_CARRIED_SQL)
    )
    rows = cur.execute(window, {"after": after, "until": until}).fetchall()
    if carry is not None:
        if carry not in CARRY_COLUMNS:
            raise ValueError(f"no unit index for {carry}")
        codes = (
            [r[0] for r in cur.execute(UNITS_WITH_ROWS_SQL.format(carry=carry))]
            if units is None
            else sorted(set(units))
        )
        rows += cur.execute(
            carried.format(carry=carry), {"after": after, "units": json.dumps(codes)}
        ).fetchall()
    return rows
