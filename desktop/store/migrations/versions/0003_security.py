"""Confidentiality (issue 6): the hash-chained access log, refused to UPDATE and DELETE by the database.

Each entry's `hash` is SHA-256 over the previous entry's hash and the entry's canonical form
(`desktop/services/access_log.py`); `kirjaamo verify` recomputes the chain and names the first broken entry.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATEMENTS = [
    "CREATE TABLE access_log (seq INTEGER NOT NULL PRIMARY KEY, at TEXT NOT NULL, "
    "username TEXT NOT NULL, role TEXT NOT NULL, device_id TEXT NOT NULL, action TEXT NOT NULL, "
    "case_id TEXT NOT NULL, diary_number TEXT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, "
    "hash TEXT NOT NULL)",
    "CREATE INDEX ix_access_log_case ON access_log (case_id, seq)",
    "CREATE INDEX ix_access_log_user ON access_log (username, seq)",
    "CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log "
    "BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END",
    "CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log "
    "BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for name in ("access_log_no_delete", "access_log_no_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS access_log")
