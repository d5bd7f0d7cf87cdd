"""An index on the registration instant: the Today view's "new today" without scanning every case.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_cases_registered ON cases (registered_at, num)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_cases_registered")
