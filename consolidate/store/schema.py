"""The store's tables: the ledger of files, verdicts and snapshots, one table per sheet.

The tables of the data sheets take their columns from the specification
(:func:`stored_columns`): a column added to ``schemas/columns.py`` is added to an existing
store when it is opened (:class:`consolidate.store.db.Store`). Every table is created with
``IF NOT EXISTS``; what an older store needs beyond that is done once, by
:data:`SCHEMA_VERSION`, when it is opened.
"""

from __future__ import annotations

from consolidate.store.arrivals import ARRIVALS_SCHEMA
from schemas import SHEETS, TASKS, Kind, SheetSpec

#: 2: ``submission_stats`` (rows per sheet and "06 rõ" complete task rows of every
#: submission), written with the snapshot; a version-1 store is filled in once on opening.
#: 3: the e-mail ledger (``mail_*`` tables, :data:`MAIL_SCHEMA`); created on opening like
#: every table, nothing to fill in, so older stores keep working.
#: 4: ``submission_arrivals`` (every arrival of an accepted submission with its unit and
#: row counts) and an index on the verdicts' arrival time, so that the history queries read
#: only the periods asked for (:mod:`consolidate.store.arrivals`); filled in once on opening.
SCHEMA_VERSION = 4

#: The e-mail ledger: message -> attachments -> verdicts, the transactional outbox of
#: replies and reminders, and the reminders already sent (consolidate.mail).
MAIL_SCHEMA = """
CREATE TABLE IF NOT EXISTS mail_messages (
    id INTEGER PRIMARY KEY, folder TEXT NOT NULL, uidvalidity INTEGER NOT NULL,
    uid INTEGER NOT NULL, message_id TEXT, eml_sha256 TEXT NOT NULL REFERENCES files(sha256),
    sender TEXT, subject TEXT, date_header TEXT, internaldate TEXT NOT NULL,
    kind TEXT NOT NULL, status TEXT NOT NULL, note TEXT, recorded_at TEXT NOT NULL,
    done_at TEXT, UNIQUE (folder, uidvalidity, uid));
CREATE INDEX IF NOT EXISTS mail_messages_mid ON mail_messages(message_id);
CREATE INDEX IF NOT EXISTS mail_messages_eml ON mail_messages(eml_sha256);
CREATE TABLE IF NOT EXISTS mail_attachments (
    id INTEGER PRIMARY KEY, message INTEGER NOT NULL REFERENCES mail_messages(id),
    position INTEGER NOT NULL, name TEXT NOT NULL, safe_name TEXT NOT NULL,
    sha256 TEXT, size INTEGER NOT NULL, via TEXT, verdict TEXT, note TEXT,
    UNIQUE (message, position));
CREATE INDEX IF NOT EXISTS mail_attachments_sha ON mail_attachments(sha256);
CREATE TABLE IF NOT EXISTS mail_outbox (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, dedup_key TEXT NOT NULL UNIQUE,
    message INTEGER REFERENCES mail_messages(id), recipients TEXT NOT NULL,
    subject TEXT NOT NULL, message_id TEXT NOT NULL, eml BLOB NOT NULL,
    status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
    queued_at TEXT NOT NULL, sent_at TEXT);
CREATE INDEX IF NOT EXISTS mail_outbox_status ON mail_outbox(status);
CREATE TABLE IF NOT EXISTS mail_reminders (
    report TEXT NOT NULL, period_key TEXT NOT NULL, step TEXT NOT NULL,
    unit_code TEXT NOT NULL, outbox INTEGER REFERENCES mail_outbox(id),
    recorded_at TEXT NOT NULL, PRIMARY KEY (report, period_key, step, unit_code));
"""

_SQL_TYPE = {
    Kind.INT: "INTEGER",
    Kind.NUMBER: "REAL",
    Kind.MONEY: "REAL",
    Kind.PERCENT: "REAL",
}

#: Extra stored columns per data sheet, after the specification's own columns.
EXTRA_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "tasks": (("deadline_kind", "TEXT"), ("deadline_end", "TEXT"), ("issues", "TEXT")),
    "projects": (("deadline_kind", "TEXT"), ("deadline_end", "TEXT"), ("issues", "TEXT")),
    "indicators": (("issues", "TEXT"),),
}


def stored_columns(spec: SheetSpec) -> list[tuple[str, str]]:
    cols = [(c.key, _SQL_TYPE.get(c.kind, "TEXT")) for c in spec.columns]
    return cols + list(EXTRA_COLUMNS.get(spec.key, ()))


def schema_sql() -> str:
    parts = [
        """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE IF NOT EXISTS files (
            sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, archive_path TEXT NOT NULL,
            ext TEXT, first_received_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS arrivals (
            id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL REFERENCES files(sha256),
            original_name TEXT NOT NULL, source TEXT, received_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS arrivals_sha ON arrivals(sha256);
        CREATE TABLE IF NOT EXISTS verdicts (
            sha256 TEXT PRIMARY KEY REFERENCES files(sha256), verdict TEXT NOT NULL,
            unit_code TEXT, as_of TEXT, received_at TEXT, original_name TEXT,
            n_errors INTEGER, n_warnings INTEGER, report_json TEXT NOT NULL,
            feedback_path TEXT, processed_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS submissions (
            id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE REFERENCES files(sha256),
            unit_code TEXT NOT NULL, as_of TEXT NOT NULL, received_at TEXT NOT NULL,
            original_name TEXT, template_version TEXT, prepared_by TEXT, phone TEXT,
            email TEXT, approver TEXT, n_warnings INTEGER, stored_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS submissions_unit ON submissions(unit_code, received_at);
        CREATE TABLE IF NOT EXISTS register (
            code TEXT PRIMARY KEY, task TEXT, source_doc TEXT, lead_unit TEXT,
            deadline TEXT, deadline_kind TEXT, deadline_end TEXT, pillar TEXT,
            imported_at TEXT);
        CREATE TABLE IF NOT EXISTS register_versions (
            replaced_at TEXT NOT NULL, source TEXT, rows_json TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS periods (
            kind TEXT NOT NULL, key TEXT NOT NULL, expected_json TEXT NOT NULL,
            frozen_at TEXT NOT NULL, PRIMARY KEY (kind, key));
        CREATE TABLE IF NOT EXISTS task_status_counts (
            submission_id INTEGER NOT NULL REFERENCES submissions(id), day TEXT NOT NULL,
            soon INTEGER NOT NULL, done_on_time INTEGER, done_late INTEGER,
            in_progress INTEGER, due_soon INTEGER, overdue INTEGER, not_started INTEGER,
            recurring INTEGER, legacy INTEGER, PRIMARY KEY (submission_id, day, soon)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS submission_stats (
            submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
            n_tasks INTEGER NOT NULL, n_six INTEGER NOT NULL, n_projects INTEGER NOT NULL,
            n_indicators INTEGER NOT NULL);
        """
    ]
    parts.append(ARRIVALS_SCHEMA)
    parts.append(MAIL_SCHEMA)
    for spec in SHEETS:
        cols = ", ".join(f'"{name}" {sqltype}' for name, sqltype in stored_columns(spec))
        parts.append(
            f"CREATE TABLE IF NOT EXISTS {spec.key} (submission_id INTEGER NOT NULL "
            f"REFERENCES submissions(id), row INTEGER NOT NULL, {cols});\n"
            f"CREATE INDEX IF NOT EXISTS {spec.key}_sub ON {spec.key}(submission_id);"
        )
    return "\n".join(parts)


def six_clear_sql() -> str:
    """SQL truth of "every one of the 06 rõ is filled in" for a task row (as the reports
    read it: a non-empty value)."""
    return " AND ".join(f"\"{c.key}\" <> ''" for c in TASKS.columns if c.clear)


#: One row of ``submission_stats`` for the submissions selected by ``{where}`` (alias s).
STATS_SQL = (
    "INSERT OR REPLACE INTO submission_stats "
    "SELECT s.id, "
    "(SELECT count(*) FROM tasks t WHERE t.submission_id = s.id), "
    "(SELECT count(*) FROM tasks t WHERE t.submission_id = s.id AND {six}), "
    "(SELECT count(*) FROM projects p WHERE p.submission_id = s.id), "
    "(SELECT count(*) FROM indicators i WHERE i.submission_id = s.id) "
    "FROM submissions s WHERE {where}"
)
