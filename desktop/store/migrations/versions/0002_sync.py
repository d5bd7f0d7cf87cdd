"""Sync with a shared server: the desk's sync state, files still to fetch, and an index over the outbox.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STATEMENTS = [
    # Key/value: `cursor` (last server_seq pulled), `server_id`, `first_sync`, last success/error times.
    "CREATE TABLE sync_state (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
    # Files that events pulled from the server refer to and that this desk does not hold yet.
    "CREATE TABLE sync_missing_blobs (sha256 TEXT NOT NULL PRIMARY KEY, case_id TEXT NOT NULL)",
    # The outbox: this desk's events the server has not numbered yet, in local order.
    "CREATE INDEX ix_events_outbox ON events (seq) WHERE server_seq IS NULL",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_events_outbox")
    op.execute("DROP TABLE IF EXISTS sync_missing_blobs")
    op.execute("DROP TABLE IF EXISTS sync_state")
