"""The rows of a report: task and project rows read from the store, with what is derived.

Everything here reads the store; nothing re-reads a workbook. Row types are NamedTuples
(plain tuples on the hot path of a province-sized weekly build).
"""

from __future__ import annotations

import collections
import operator
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from consolidate.calendar.deadlines import try_parse_deadline
from consolidate.core.config import Config
from consolidate.reports.selection import Snapshot, unit_name
from consolidate.reports.status import DUE_SOON, NO_PILLAR, OVERDUE, Derived, derive_status
from consolidate.store.db import Store
from consolidate.store.schema import stored_columns
from schemas import PROJECTS, TASKS
from schemas.columns import PILLARS, Column, SheetSpec

# --- row types from the spec ---------------------------------------------------------------------


class RowShape(NamedTuple):
    """How the rows of one sheet are read with the spec as it is now."""

    type: Any  # a namedtuple class: head, the stored columns, then what is derived
    keys: tuple[str, ...]  # stored columns, in the order of the SELECT after "row"
    sql: str  # the SELECT of one submission's rows
    at: dict[str, int]  # position of each field in a row

    def select(self, key: str) -> int:
        """Position of a stored column in a row of :attr:`sql` (after "row")."""
        return self.keys.index(key) + 1


#: Fields before the stored columns, and the ones derived after them.
_HEAD = ("unit_code", "submission_id", "row")
_TASK_DERIVED = (*Derived._fields, "missing_clear", "carried")
_PROJECT_DERIVED = ("rate", "lagging", "carried")
NO_POLICY_STAGE = "Chưa phê duyệt chủ trương đầu tư"


def _shape(spec: SheetSpec, derived: tuple[str, ...], props: dict[str, Any]) -> RowShape:
    keys = tuple(name for name, _ in stored_columns(spec))
    fields = (*_HEAD, *keys, *derived)
    base = collections.namedtuple(f"{spec.key.title()}Row", fields)  # type: ignore[misc]
    # A subclass only to add properties: rows stay plain tuples (no per-row dict).
    row_type = type(base.__name__, (base,), {"__slots__": (), **props})
    sql = (
        "SELECT row, " + ", ".join(f'"{k}"' for k in keys) + f" FROM {spec.key} "
        "WHERE submission_id = ? ORDER BY row"
    )
    return RowShape(row_type, keys, sql, {name: i for i, name in enumerate(fields)})


@lru_cache(maxsize=8)
def _task_shape(columns: tuple[Column, ...]) -> RowShape:
    return _shape(TASKS, _TASK_DERIVED, {"six_clear": property(lambda r: not r.missing_clear)})


@lru_cache(maxsize=8)
def _project_shape(columns: tuple[Column, ...]) -> RowShape:
    return _shape(PROJECTS, _PROJECT_DERIVED,
                  {"no_policy": property(lambda r: r.stage == NO_POLICY_STAGE)})  # fmt: skip


def task_shape() -> RowShape:
    """Task rows as the spec (:data:`schemas.TASKS`, read now) makes them."""
    return _task_shape(TASKS.columns)


def project_shape() -> RowShape:
    """Project rows as the spec (:data:`schemas.PROJECTS`, read now) makes them."""
    return _project_shape(PROJECTS.columns)


if TYPE_CHECKING:
    # For type checkers only: the fields the code reads by name. At run time a row's type is
    # made from the spec (task_shape / project_shape), with every column of the spec.

    class TaskRow(NamedTuple):
        unit_code: str
        submission_id: int
        row: int
        task_code: str | None
        task: str | None
        pillar: str | None
        source_doc: str | None
        lead_unit: str | None
        partner_units: str | None
        officer: str | None
        authority: str | None
        deadline: str | None
        deliverable: str | None
        progress: float | None
        state: str | None
        completed_on: str | None
        bottleneck: str | None
        proposal: str | None
        deadline_kind: str | None
        deadline_end: str | None
        issues: str | None
        status: str
        days_overdue: int | None
        days_left: int | None
        missing_clear: str  # "" when all "06 rõ" are present, else "người, sản phẩm"
        carried: bool

        @property
        def six_clear(self) -> bool: ...

    class ProjectRow(NamedTuple):
        unit_code: str
        submission_id: int
        row: int
        project_code: str | None
        project: str | None
        fund_source: str | None
        total_investment: float | None
        year_plan: float | None
        disbursed: float | None
        stage: str | None
        deadline: str | None
        committed_pct: float | None
        bottleneck: str | None
        proposal: str | None
        officer: str | None
        issues: str | None
        rate: float | None  # disbursed / year plan, %
        lagging: str  # "" or why the project is lagging (a code of reports.projects)
        carried: bool

        @property
        def no_policy(self) -> bool: ...

else:
    TaskRow = ProjectRow = tuple


# --- task rows --------------------------------------------------------------------------------


def _task_rows(
    db: sqlite3.Connection, snap: Snapshot, as_of: date, due_soon_days: int, shape: RowShape
) -> Iterator[TaskRow]:
    i_kind, i_end, i_state, i_done, i_deadline = (
        shape.select(k)
        for k in ("deadline_kind", "deadline_end", "state", "completed_on", "deadline")
    )
    six = [(shape.select(c.key), c.clear) for c in TASKS.columns if c.clear]
    six_values = operator.itemgetter(*(i for i, _ in six))
    head = (snap.unit_code, snap.submission_id)
    carried = snap.carried
    cursor = db.cursor()
    cursor.row_factory = None  # plain tuples: this runs once per task row
    make = shape.type._make
    # Rows of a unit share deadlines and states: each combination is derived once.
    derived_of: dict[tuple[Any, ...], Derived] = {}
    for r in cursor.execute(shape.sql, (snap.submission_id,)):
        kind, end = r[i_kind], r[i_end]
        if kind is None and r[i_deadline]:
            # Rows stored before the deadline columns existed: understand the text now.
            parsed = try_parse_deadline(r[i_deadline])
            if parsed is not None:
                kind, end = parsed.kind, parsed.end.isoformat() if parsed.end else None
                values = list(r)
                values[i_kind], values[i_end] = kind, end
                r = tuple(values)
        key = (kind, end, r[i_state], r[i_done])
        derived = derived_of.get(key)
        if derived is None:
            derived = derived_of[key] = derive_status(*key, as_of, due_soon_days)
        missing = "" if all(six_values(r)) else ", ".join(n for i, n in six if not r[i])
        yield make((*head, *r, *derived, missing, carried))


class TaskRows:
    """The task rows of the counted snapshots, streamed from the store in unit order.

    Re-iterable (each iteration re-reads the store) so that a province-sized report never
    holds every row in memory at once. Every complete iteration also counts the rows into a
    :class:`TaskTally` (:attr:`tally`), so a renderer that writes ``Chi tiết`` first gets
    the figures of the other sheets without a second pass over the store.
    """

    def __init__(
        self,
        store: Store,
        snapshots: Sequence[Snapshot],
        as_of: date,
        due_soon_days: int,
        unit_order: dict[str, int] | None = None,
    ):
        self.store = store
        self.snapshots = list(snapshots)
        self.as_of = as_of
        self.due_soon_days = due_soon_days
        self.unit_order = dict(unit_order or {})
        #: The row type and the SELECT, from the spec as it is when the report is built.
        self.shape = task_shape()
        self._tally: TaskTally | None = None

    def __iter__(self) -> Iterator[TaskRow]:
        tally = TaskTally()
        add = tally.add
        for snap in self.snapshots:
            for row in _task_rows(self.store.db, snap, self.as_of, self.due_soon_days, self.shape):
                add(row)
                yield row
        tally.finish(self.unit_order)
        self._tally = tally

    @property
    def tally(self) -> TaskTally:
        """The counts of all rows (one pass over the store if no iteration finished yet)."""
        if self._tally is None:
            for _ in self:
                pass
        assert self._tally is not None
        return self._tally

    def __len__(self) -> int:
        return sum(s.n_rows for s in self.snapshots)


@dataclass
class TaskTally:
    """Counts of task rows by status, unit and pillar, plus the lists leaders read."""

    total: int = 0
    six_complete: int = 0
    carried: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    unit_status: dict[str, Counter[str]] = field(default_factory=dict)
    unit_total: Counter[str] = field(default_factory=Counter)
    unit_six: Counter[str] = field(default_factory=Counter)
    pillar_status: dict[str, Counter[str]] = field(default_factory=dict)
    pillar_total: Counter[str] = field(default_factory=Counter)
    pillar_six: Counter[str] = field(default_factory=Counter)
    overdue: list[TaskRow] = field(default_factory=list)
    due_soon: list[TaskRow] = field(default_factory=list)
    issues: list[TaskRow] = field(default_factory=list)
    reported_codes: set[str] = field(default_factory=set)

    _keys: Counter[tuple[str, str, str, bool, bool]] = field(default_factory=Counter)

    def add(self, row: TaskRow) -> None:
        # One counter per row on the hot path; the breakdowns are expanded in finish().
        status = row.status
        self._keys[
            (row.unit_code, row.pillar or "", status, not row.missing_clear, row.carried)
        ] += 1
        if status == OVERDUE:
            self.overdue.append(row)
        elif status == DUE_SOON:
            self.due_soon.append(row)
        if row.bottleneck or row.proposal:
            self.issues.append(row)
        if row.task_code:
            self.reported_codes.add(row.task_code)

    def finish(self, unit_order: dict[str, int]) -> None:
        """Expand the counts and sort the lists the way leaders read them: by unit, the
        most overdue first."""
        for (unit, pillar, status, six, carried), n in self._keys.items():
            pillar = pillar if pillar in PILLARS else NO_PILLAR
            self.total += n
            self.by_status[status] += n
            self.unit_status.setdefault(unit, Counter())[status] += n
            self.unit_total[unit] += n
            self.pillar_status.setdefault(pillar, Counter())[status] += n
            self.pillar_total[pillar] += n
            if six:
                self.six_complete += n
                self.unit_six[unit] += n
                self.pillar_six[pillar] += n
            if carried:
                self.carried += n
        self._keys.clear()
        rank = {c: unit_order.get(c, len(unit_order)) for c in self.unit_total}

        def by_unit(r: TaskRow) -> tuple[int, str, int, int]:
            return (rank[r.unit_code], r.unit_code, r.submission_id, r.row)

        self.overdue.sort(key=lambda r: (*by_unit(r)[:2], -(r.days_overdue or 0), *by_unit(r)[2:]))
        self.due_soon.sort(key=lambda r: (*by_unit(r)[:2], r.days_left or 0, *by_unit(r)[2:]))
        self.issues.sort(key=by_unit)

    @property
    def six_pct(self) -> float:
        return 100.0 * self.six_complete / self.total if self.total else 100.0

    def pillars(self) -> list[str]:
        """Pillars in the official order, then 'not stated' if any row lacks one."""
        return list(PILLARS) + ([NO_PILLAR] if self.pillar_total[NO_PILLAR] else [])


def tally_tasks(rows: Iterator[TaskRow] | TaskRows, unit_order: dict[str, int]) -> TaskTally:
    tally = TaskTally()
    for row in rows:
        tally.add(row)
    tally.finish(unit_order)
    return tally


@dataclass(frozen=True)
class RegisterTask:
    code: str
    task: str
    source_doc: str
    lead_unit: str  # code as stored
    lead_unit_name: str
    deadline: str
    deadline_kind: str | None
    deadline_end: str | None
    pillar: str


def register_tasks(config: Config, store: Store) -> list[RegisterTask]:
    out = []
    for r in store.register():
        out.append(
            RegisterTask(
                code=r["code"],
                task=r["task"] or "",
                source_doc=r["source_doc"] or "",
                lead_unit=r["lead_unit"] or "",
                lead_unit_name=unit_name(config, r["lead_unit"]),
                deadline=r["deadline"] or "",
                deadline_kind=r["deadline_kind"],
                deadline_end=r["deadline_end"],
                pillar=r["pillar"] or "",
            )
        )
    return out
