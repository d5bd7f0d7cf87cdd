"""The first tables: settings, users, diary counters, the event log, projections and full-text search.

A snapshot in plain DDL: later schema changes come as new revisions, never as edits here.

Revision ID: 0001
Revises:
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STATEMENTS = [
    "CREATE TABLE settings (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE users (username TEXT NOT NULL PRIMARY KEY, display_name TEXT NOT NULL, role TEXT NOT NULL, "
    "active INTEGER NOT NULL, password_hash TEXT, created_at TEXT NOT NULL)",
    "CREATE TABLE diary_counters (prefix TEXT NOT NULL, year INTEGER NOT NULL, last INTEGER NOT NULL, "
    "PRIMARY KEY (prefix, year))",
    "CREATE TABLE events (seq INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, "
    "case_id TEXT NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL, "
    "device_id TEXT NOT NULL, hlc TEXT NOT NULL, server_seq INTEGER)",
    "CREATE INDEX ix_events_case ON events (case_id, seq)",
    "CREATE TABLE cases (num INTEGER NOT NULL PRIMARY KEY, id TEXT NOT NULL UNIQUE, diary_number TEXT NOT NULL, "
    'diary_year INTEGER NOT NULL, diary_seq INTEGER NOT NULL, status TEXT NOT NULL, "right" TEXT NOT NULL, '
    "channel TEXT NOT NULL, received TEXT NOT NULL, due_date TEXT NOT NULL, registered_at TEXT NOT NULL, "
    "updated_at TEXT NOT NULL, requester_name TEXT NOT NULL, name_key TEXT NOT NULL, hetu TEXT NOT NULL, "
    "language TEXT NOT NULL, postcode TEXT NOT NULL, city TEXT NOT NULL, registers TEXT NOT NULL, "
    "decision TEXT NOT NULL, extended INTEGER NOT NULL, delivery TEXT NOT NULL, tracking_number TEXT NOT NULL, "
    "conflict INTEGER NOT NULL, closed_at TEXT NOT NULL)",
    "CREATE INDEX ix_cases_diary ON cases (diary_year, diary_seq, num)",
    "CREATE INDEX ix_cases_diary_number ON cases (diary_number)",
    "CREATE INDEX ix_cases_status_due ON cases (status, due_date, num)",
    "CREATE INDEX ix_cases_due ON cases (due_date, num)",
    "CREATE INDEX ix_cases_received ON cases (received, num)",
    "CREATE INDEX ix_cases_name ON cases (name_key, num)",
    'CREATE INDEX ix_cases_right ON cases ("right", num)',
    "CREATE INDEX ix_cases_channel ON cases (channel, num)",
    "CREATE INDEX ix_cases_hetu ON cases (hetu)",
    "CREATE TABLE case_registers (register_id TEXT NOT NULL, case_num INTEGER NOT NULL, "
    "PRIMARY KEY (register_id, case_num))",
    "CREATE TABLE attachments (case_id TEXT NOT NULL, sha256 TEXT NOT NULL, filename TEXT NOT NULL, "
    "kind TEXT NOT NULL, size INTEGER NOT NULL, media_type TEXT NOT NULL, PRIMARY KEY (case_id, sha256))",
    "CREATE INDEX ix_attachments_sha ON attachments (sha256)",
    # Full-text index over what a clerk types to find a case; rowid = cases.num.
    "CREATE VIRTUAL TABLE cases_fts USING fts5(diary_number, name, hetu, address, text, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    # The log is append-only: the database itself refuses to rewrite history. Only `server_seq` may be
    # stamped once, by sync; a purge deletes a case's events under an explicit, logged flag.
    "CREATE TRIGGER events_no_update BEFORE UPDATE OF id, case_id, type, payload, actor, at, device_id, hlc "
    "ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END",
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
    "WHEN (SELECT value FROM settings WHERE key = 'purging') IS NOT '1' "
    "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for name in ("events_no_delete", "events_no_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in (
        "cases_fts",
        "attachments",
        "case_registers",
        "cases",
        "events",
        "diary_counters",
        "users",
        "settings",
    ):
        op.execute(f"DROP TABLE IF EXISTS {table}")
