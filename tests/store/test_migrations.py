"""The schema: migrations reach the head the store expects, and a current database skips Alembic."""

from __future__ import annotations

from desktop.store.database import SCHEMA_HEAD, create_sqlite_engine, current_revision, head_revision, migrate


def test_schema_head_constant_is_alembics_head():
    assert head_revision() == SCHEMA_HEAD


def test_empty_database_migrates_to_the_head_and_then_is_left_alone(tmp_path):
    engine = create_sqlite_engine(tmp_path / "kirjaamo.sqlite3")
    assert current_revision(engine) is None
    migrate(engine)
    assert current_revision(engine) == SCHEMA_HEAD
    with engine.connect() as connection:
        tables = {
            row[0]
            for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    assert {"events", "cases", "case_registers", "attachments", "cases_fts", "access_log"} <= tables
    migrate(engine)  # a no-op
    assert current_revision(engine) == SCHEMA_HEAD
    engine.dispose()
