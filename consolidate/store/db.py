"""The embedded store (SQLite) and the content-addressed archive.

Order of operations is what keeps every file: the bytes go to ``archive/`` (temporary name,
fsync, atomic rename) and into the ``files``/``arrivals`` ledger *before* anything reads
them. A verdict and, for an accepted file, the whole snapshot are then written in ONE
transaction, so a crash leaves either nothing or everything; a file with no verdict is
simply processed again (:meth:`Store.pending`).

Timestamps are stored as UTC ISO-8601 strings so that they sort as text.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from consolidate.core.errors import StoreError, StoreLocked, WorkspaceError, os_reason
from consolidate.core.files import write_atomic
from consolidate.core.findings import ACCEPTED, Report
from consolidate.core.text import canonical_code
from consolidate.store.arrivals import (
    accepted_arrivals,
    forget_resend,
    record_arrivals,
    record_resend,
)
from consolidate.store.schema import (
    SCHEMA_VERSION,
    STATS_SQL,
    schema_sql,
    six_clear_sql,
    stored_columns,
)
from schemas import SHEETS, SheetSpec

_SAFE_EXT = re.compile(r"\.[a-z0-9]{1,9}")
LOCK_TIMEOUT_S = 120.0


class StoredTable(NamedTuple):
    """Rows of one sheet ready for its table: column names, then one tuple per row (the
    compact form a worker process sends back: no dict per row)."""

    names: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@dataclass(frozen=True)
class Arrival:
    sha256: str
    size: int
    archive_path: Path
    original_name: str
    received_at: datetime
    new: bool  # False when the same bytes were already in the archive


@dataclass(frozen=True)
class SubmissionRow:
    id: int
    sha256: str
    unit_code: str
    as_of: str
    received_at: datetime
    original_name: str


class Store:
    """The SQLite store of one workspace. Use as a context manager."""

    def __init__(self, path: Path, archive: Path) -> None:
        self.path = path
        self.archive = archive
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            archive.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(
                f"Không tạo được thư mục lưu trữ {path.parent}: {os_reason(exc)}.",
                "Kiểm tra quyền ghi và dung lượng ổ đĩa.",
            ) from exc
        try:
            self.db = sqlite3.connect(path, timeout=60, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.executescript(schema_sql())
            self._add_spec_columns()
            self._check_version()
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc):
                raise StoreLocked(
                    "Kho dữ liệu đang bị một tiến trình khác khóa.",
                    "Chờ lệnh consolidate khác chạy xong rồi thử lại.",
                ) from exc
            raise StoreError(
                f"Không mở được kho dữ liệu {path}: {exc}.",
                "Khôi phục tệp từ bản sao lưu. Các tệp gốc vẫn nguyên vẹn trong archive/ và "
                "processed/: có thể tiếp nhận lại bằng `consolidate ingest processed/`.",
            ) from exc

    def _add_spec_columns(self) -> None:
        """A column added to the spec since the store was made is added to its table (empty
        in the rows stored before), so a spec change needs no migration by hand."""
        for spec in SHEETS:
            have = {r[1] for r in self.db.execute(f"PRAGMA table_info({spec.key})")}
            for name, sqltype in stored_columns(spec):
                if name in have:
                    continue
                try:
                    self.db.execute(f'ALTER TABLE {spec.key} ADD COLUMN "{name}" {sqltype}')
                except sqlite3.OperationalError as exc:
                    if "duplicate column" not in str(exc):  # another process added it first
                        raise

    def _check_version(self) -> None:
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            self.db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        elif int(row[0]) > SCHEMA_VERSION:
            raise StoreError(
                f"Kho dữ liệu được tạo bởi phiên bản mới hơn (lược đồ {row[0]}).",
                "Cập nhật consolidate lên phiên bản mới nhất.",
            )
        elif int(row[0]) < SCHEMA_VERSION:
            self._migrate()

    def _migrate(self) -> None:
        """Bring an older store up to :data:`SCHEMA_VERSION` in one transaction (a crash
        leaves it at the old version, and the next opening migrates again)."""
        with self.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            version = int(row[0])
            if version < 2:
                db.execute(STATS_SQL.format(six=six_clear_sql(), where="1"))
            if version < 4:
                record_arrivals(db, "1")
            db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; rolled back on any exception."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- archive ---------------------------------------------------------------------------

    def archive_file(
        self, source: Path, received_at: datetime, source_label: str = "inbox"
    ) -> Arrival:
        """Copy ``source`` byte for byte into the archive and record the arrival."""
        data = source.read_bytes()
        return self.archive_bytes(data, source.name, received_at, source_label)

    def archive_bytes(
        self,
        data: bytes,
        original_name: str,
        received_at: datetime,
        source_label: str = "inbox",
        record: Callable[[sqlite3.Connection, str], None] | None = None,
    ) -> Arrival:
        """Keep the bytes (atomic, fsynced), then record the arrival; ``record(db, sha)``
        runs in the same transaction (e.g. the e-mail ledger's row for a message)."""
        [arrival] = self.archive_batch(
            [(data, original_name, received_at)],
            source_label,
            None if record is None else (lambda db, _i, sha: record(db, sha)),
        )
        return arrival

    def archive_batch(
        self,
        entries: Sequence[tuple[bytes, str, datetime]],
        source_label: str = "inbox",
        record: Callable[[sqlite3.Connection, int, str], None] | None = None,
    ) -> list[Arrival]:
        """Keep every entry's bytes (each atomic and fsynced) first, then record all the
        arrivals in ONE transaction; ``record(db, index, sha)`` runs inside it per entry."""
        kept = []
        for data, original_name, _when in entries:
            sha = hashlib.sha256(data).hexdigest()
            # Names are metadata only: storage is by hash, so no name can overwrite anything,
            # and the name gives at most a plain extension (no separators, ':' streams...).
            ext = Path(original_name).suffix.lower()
            ext = ext if _SAFE_EXT.fullmatch(ext) else ""
            target = self.archive / sha[:2] / f"{sha}{ext}"
            row = self.db.execute(
                "SELECT archive_path FROM files WHERE sha256=?", (sha,)
            ).fetchone()
            new = row is None
            if new or not (self.archive / row["archive_path"]).is_file():
                self._write_atomic(target, data)
            kept.append((sha, ext, target, new))
        now = utc_iso(datetime.now(UTC))
        with self.transaction() as db:
            for index, ((data, original_name, received_at), (sha, ext, target, _new)) in enumerate(
                zip(entries, kept, strict=True)
            ):
                db.execute(
                    "INSERT OR IGNORE INTO files VALUES (?,?,?,?,?)",
                    (
                        sha,
                        len(data),
                        target.relative_to(self.archive).as_posix(),
                        ext,
                        utc_iso(received_at),
                    ),
                )
                db.execute(
                    "INSERT INTO arrivals (sha256, original_name, source, received_at, "
                    "recorded_at) VALUES (?,?,?,?,?)",
                    (sha, original_name, source_label, utc_iso(received_at), now),
                )
                # the same bytes again: a new arrival of a stored submission
                record_resend(db, sha, utc_iso(received_at), original_name)
                if record is not None:
                    record(db, index, sha)
        return [
            Arrival(sha, len(data), target, name, when, new)
            for (data, name, when), (sha, _ext, target, new) in zip(entries, kept, strict=True)
        ]

    @staticmethod
    def _write_atomic(target: Path, data: bytes) -> None:
        try:
            write_atomic(target, data)
        except OSError as exc:
            raise WorkspaceError(
                f"Không lưu được tệp vào kho lưu trữ {target.parent}: {os_reason(exc)}.",
                "Giải phóng dung lượng ổ đĩa hoặc kiểm tra quyền ghi thư mục archive/, rồi chạy "
                "lại lệnh. Tệp chưa được tiếp nhận nên vẫn nằm nguyên chỗ cũ.",
            ) from exc

    def archived_path(self, sha: str) -> Path:
        row = self.db.execute("SELECT archive_path FROM files WHERE sha256=?", (sha,)).fetchone()
        if row is None:
            raise KeyError(sha)
        return self.archive / row["archive_path"]

    # --- verdicts and snapshots ---------------------------------------------------------------

    def verdict_of(self, sha: str) -> Report | None:
        row = self.db.execute("SELECT report_json FROM verdicts WHERE sha256=?", (sha,)).fetchone()
        return Report.from_dict(json.loads(row[0])) if row else None

    def withdraw_arrival(self, sha: str, received_at: datetime) -> None:
        """Forget an arrival recorded with a time the officer typed wrong (the file stays
        where it was and comes again); the file's row and bytes go too if nothing else
        refers to them."""
        with self.transaction() as db:
            db.execute(
                "DELETE FROM arrivals WHERE id = (SELECT max(id) FROM arrivals "
                "WHERE sha256=? AND received_at=?)",
                (sha, utc_iso(received_at)),
            )
            forget_resend(db, sha, utc_iso(received_at))
            if db.execute(
                "SELECT 1 FROM arrivals WHERE sha256=? UNION SELECT 1 FROM verdicts WHERE sha256=?",
                (sha, sha),
            ).fetchone():
                return
            row = db.execute("SELECT archive_path FROM files WHERE sha256=?", (sha,)).fetchone()
            db.execute("DELETE FROM files WHERE sha256=?", (sha,))
        if row is not None:
            (self.archive / row["archive_path"]).unlink(missing_ok=True)

    def pending(self) -> list[tuple[str, str, datetime]]:
        """Archived files that have no verdict yet (e.g. after a crash): sha, name, time."""
        rows = self.db.execute(
            "SELECT f.sha256, a.original_name, a.received_at FROM files f "
            "JOIN arrivals a ON a.id = (SELECT min(id) FROM arrivals WHERE sha256=f.sha256) "
            "WHERE f.sha256 NOT IN (SELECT sha256 FROM verdicts) "
            # a raw e-mail (.eml) is kept, not judged: its attachments get the verdicts
            "AND f.sha256 NOT IN (SELECT eml_sha256 FROM mail_messages) ORDER BY a.id"
        ).fetchall()
        return [(r[0], r[1], parse_iso(r[2])) for r in rows]

    def save_result(
        self,
        report: Report,
        cover: dict[str, Any] | None = None,
        rows: Mapping[str, Sequence[dict[str, Any]] | StoredTable] | None = None,
    ) -> int | None:
        """Write the verdict and, if accepted, the snapshot — in one transaction."""
        now = utc_iso(datetime.now(UTC))
        submission_id: int | None = None
        with self.transaction() as db:
            if report.verdict == ACCEPTED and cover is not None and rows is not None:
                cur = db.execute(
                    "INSERT INTO submissions (sha256, unit_code, as_of, received_at, "
                    "original_name, template_version, prepared_by, phone, email, approver, "
                    "n_warnings, stored_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        report.sha256,
                        report.unit_code,
                        report.as_of,
                        report.received_at,
                        report.file,
                        report.template_version,
                        cover.get("prepared_by"),
                        cover.get("phone"),
                        cover.get("email"),
                        cover.get("approver"),
                        len(report.warnings),
                        now,
                    ),
                )
                submission_id = cur.lastrowid
                for spec in SHEETS:
                    self._insert_rows(db, spec, submission_id, rows.get(spec.key, ()))
                db.execute(
                    STATS_SQL.format(six=six_clear_sql(), where="s.id = ?"), (submission_id,)
                )
                record_arrivals(db, "s.id = ?", (submission_id,))
            report.submission_id = submission_id
            db.execute(
                "INSERT OR REPLACE INTO verdicts VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    report.sha256,
                    report.verdict,
                    report.unit_code,
                    report.as_of,
                    report.received_at,
                    report.file,
                    len(report.errors),
                    len(report.warnings),
                    json.dumps(report.to_dict(), ensure_ascii=False, default=str),
                    report.feedback_path,
                    now,
                ),
            )
        return submission_id

    @staticmethod
    def _insert_rows(
        db: sqlite3.Connection,
        spec: SheetSpec,
        submission_id: int | None,
        rows: Iterable[dict[str, Any]] | StoredTable,
    ) -> None:
        known = {name for name, _ in stored_columns(spec)} | {"row"}
        if isinstance(rows, StoredTable):
            if not set(rows.names) <= known:
                raise ValueError(f"unknown columns for {spec.key}: {set(rows.names) - known}")
            names = list(rows.names)
            values: Iterable[Sequence[Any]] = [(submission_id, *t) for t in rows.rows]
        else:
            names = ["row", *(name for name, _ in stored_columns(spec))]
            values = ([submission_id, *(r.get(n) for n in names)] for r in rows)
        sql = (
            f"INSERT INTO {spec.key} (submission_id, {', '.join(map(repr, names))}) "
            f"VALUES ({', '.join('?' * (len(names) + 1))})"
        ).replace("'", '"')
        db.executemany(sql, values)

    def set_feedback_path(self, sha: str, path: str | None) -> None:
        self.db.execute("UPDATE verdicts SET feedback_path=? WHERE sha256=?", (path, sha))

    # --- queries used by consolidation -------------------------------------------------------

    def accepted_arrivals(
        self,
        after: datetime,
        until: datetime,
        *,
        carry: str | None = None,
        units: Iterable[str] | None = None,
        lean: bool = False,
    ) -> list[tuple[Any, ...]]:
        """:func:`consolidate.store.arrivals.accepted_arrivals` on this store."""
        return accepted_arrivals(self.db, utc_iso(after), utc_iso(until), carry, units, lean=lean)

    def submissions_until(self, moment: datetime) -> list[SubmissionRow]:
        rows = self.db.execute(
            "SELECT id, sha256, unit_code, as_of, received_at, original_name FROM submissions "
            "WHERE received_at <= ? ORDER BY unit_code, received_at, as_of, id",
            (utc_iso(moment),),
        ).fetchall()
        return [SubmissionRow(r[0], r[1], r[2], r[3], parse_iso(r[4]), r[5] or "") for r in rows]

    def latest_per_unit(self, moment: datetime) -> dict[str, SubmissionRow]:
        """The newest accepted snapshot of each unit received up to ``moment``."""
        latest: dict[str, SubmissionRow] = {}
        for sub in self.submissions_until(moment):
            current = latest.get(sub.unit_code)
            if current is None or (sub.received_at, sub.as_of, sub.id) >= (
                current.received_at,
                current.as_of,
                current.id,
            ):
                latest[sub.unit_code] = sub
        return latest

    def rows_of(self, sheet: str, submission_ids: Sequence[int]) -> list[sqlite3.Row]:
        if not submission_ids:
            return []
        marks = ",".join("?" * len(submission_ids))
        return self.db.execute(
            f"SELECT * FROM {sheet} WHERE submission_id IN ({marks}) ORDER BY submission_id, row",
            list(submission_ids),
        ).fetchall()

    def verdicts(self, until: datetime | None = None) -> list[sqlite3.Row]:
        if until is None:
            return self.db.execute("SELECT * FROM verdicts ORDER BY received_at").fetchall()
        return self.db.execute(
            "SELECT * FROM verdicts WHERE received_at <= ? ORDER BY received_at", (utc_iso(until),)
        ).fetchall()

    def submission_counts(self) -> dict[str, int]:
        """Unit code -> number of accepted submissions stored (a unit's history)."""
        return dict(
            self.db.execute("SELECT unit_code, COUNT(*) FROM submissions GROUP BY unit_code")
        )

    def file_hash_info(self, sha: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM files WHERE sha256=?", (sha,)).fetchone()

    # --- register and periods ----------------------------------------------------------------

    def replace_register(self, rows: Sequence[dict[str, Any]], source: str = "") -> None:
        """Replace the register in one transaction; the rows replaced are kept as a version.

        An empty register never replaces one: the caller refuses it first (ValueError here).
        """
        if not rows:
            raise ValueError("an empty register never replaces the stored one")
        now = utc_iso(datetime.now(UTC))
        with self.transaction() as db:
            old = [dict(r) for r in db.execute("SELECT * FROM register ORDER BY code")]
            if old:
                db.execute(
                    "INSERT INTO register_versions VALUES (?,?,?)",
                    (now, source, json.dumps(old, ensure_ascii=False)),
                )
            db.execute("DELETE FROM register")
            db.executemany(
                "INSERT INTO register VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    (
                        canonical_code(r["code"]), r.get("task"), r.get("source_doc"), r.get("lead_unit"),
                        r.get("deadline"), r.get("deadline_kind"), r.get("deadline_end"),
                        r.get("pillar"), now,
                    )
                    for r in rows
                ],
            )  # fmt: skip

    def register(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM register ORDER BY code").fetchall()

    def register_codes(self) -> dict[str, str | None]:
        """Canonical task code (:func:`canonical_code`) -> lead unit code."""
        return {
            canonical_code(r[0]): r[1]
            for r in self.db.execute("SELECT code, lead_unit FROM register")
        }

    def register_versions(self) -> list[sqlite3.Row]:
        """Earlier registers, newest first (replaced_at, source, rows_json)."""
        return self.db.execute(
            "SELECT * FROM register_versions ORDER BY replaced_at DESC, rowid DESC"
        ).fetchall()

    def frozen_expected_many(
        self, kind: str, expected: Mapping[str, Sequence[str]]
    ) -> dict[str, list[str]]:
        """:meth:`frozen_expected` for many periods of one kind in one transaction:
        period key -> the frozen list (the given one for a period not frozen before)."""
        out: dict[str, list[str]] = {}
        with self.transaction() as db:
            known = {
                key: json.loads(text)
                for key, text in db.execute(
                    "SELECT key, expected_json FROM periods WHERE kind=? "
                    "AND key IN (SELECT value FROM json_each(?))",
                    (kind, json.dumps(list(expected))),
                )
            }
            now = utc_iso(datetime.now(UTC))
            for key, codes in expected.items():
                if key in known:
                    out[key] = list(known[key])
                else:
                    out[key] = list(codes)
                    db.execute(
                        "INSERT INTO periods VALUES (?,?,?,?)",
                        (kind, key, json.dumps(list(codes)), now),
                    )
        return out

    def frozen_expected(self, kind: str, key: str, expected: list[str]) -> list[str]:
        """The units expected for a period, frozen the first time the period is built."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT expected_json FROM periods WHERE kind=? AND key=?", (kind, key)
            ).fetchone()
            if row is not None:
                return list(json.loads(row[0]))
            db.execute(
                "INSERT INTO periods VALUES (?,?,?,?)",
                (kind, key, json.dumps(expected), utc_iso(datetime.now(UTC))),
            )
        return expected
