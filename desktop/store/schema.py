"""Table definitions (SQLAlchemy Core). Migrations create them; queries use them."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, PrimaryKeyConstraint, Table, Text

metadata = MetaData()

settings = Table(
    "settings",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("username", Text, primary_key=True),
    Column("display_name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("active", Integer, nullable=False, default=1),
    Column("password_hash", Text),
    Column("created_at", Text, nullable=False),
)

diary_counters = Table(
    "diary_counters",
    metadata,
    Column("prefix", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("last", Integer, nullable=False),
    PrimaryKeyConstraint("prefix", "year"),
)

# The log. `seq` is this desk's order of arrival; `server_seq` the shared order once synced.
events = Table(
    "events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", Text, nullable=False, unique=True),
    Column("case_id", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("at", Text, nullable=False),
    Column("device_id", Text, nullable=False),
    Column("hlc", Text, nullable=False),
    Column("server_seq", Integer),
    Index("ix_events_case", "case_id", "seq"),
)

# Projection of the current state, one row a case; `num` is the seq of its registration event.
cases = Table(
    "cases",
    metadata,
    Column("num", Integer, primary_key=True, autoincrement=False),
    Column("id", Text, nullable=False, unique=True),
    Column("diary_number", Text, nullable=False),
    Column("diary_year", Integer, nullable=False),
    Column("diary_seq", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("right", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("received", Text, nullable=False),
    Column("due_date", Text, nullable=False),
    Column("registered_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("requester_name", Text, nullable=False),
    Column("name_key", Text, nullable=False),
    Column("hetu", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("postcode", Text, nullable=False),
    Column("city", Text, nullable=False),
    Column("registers", Text, nullable=False),
    Column("decision", Text, nullable=False),
    Column("extended", Integer, nullable=False),
    Column("delivery", Text, nullable=False),
    Column("tracking_number", Text, nullable=False),
    Column("conflict", Integer, nullable=False),
    Column("closed_at", Text, nullable=False),
    Index("ix_cases_diary", "diary_year", "diary_seq", "num"),
    Index("ix_cases_diary_number", "diary_number"),
    Index("ix_cases_status_due", "status", "due_date", "num"),
    Index("ix_cases_due", "due_date", "num"),
    Index("ix_cases_received", "received", "num"),
    Index("ix_cases_name", "name_key", "num"),
    Index("ix_cases_right", "right", "num"),
    Index("ix_cases_channel", "channel", "num"),
    Index("ix_cases_hetu", "hetu"),
    Index("ix_cases_registered", "registered_at", "num"),
)

case_registers = Table(
    "case_registers",
    metadata,
    Column("register_id", Text, nullable=False),
    Column("case_num", Integer, nullable=False),
    PrimaryKeyConstraint("register_id", "case_num"),
)

attachments = Table(
    "attachments",
    metadata,
    Column("case_id", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("media_type", Text, nullable=False),
    PrimaryKeyConstraint("case_id", "sha256"),
    Index("ix_attachments_sha", "sha256"),
)

PROJECTION_TABLES = ("cases", "case_registers", "attachments", "cases_fts")
