"""Opening the SQLite file: pragmas, migrations, one place that makes connections."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import QueuePool

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DATABASE_FILE = "kirjaamo.sqlite3"


def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # pysqlite's own transaction handling gets in the way of BEGIN IMMEDIATE; we issue BEGIN ourselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")  # an appended event survives a power cut
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.execute("PRAGMA cache_size = -65536")
    cursor.execute("PRAGMA temp_store = MEMORY")
    cursor.close()


def _on_begin(connection: Connection) -> None:
    # Take the write lock at the start, so two writers queue instead of failing half-way.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_sqlite_engine(path: Path) -> Engine:
    """An engine on the database file with our pragmas on every connection."""
    engine = create_engine(
        f"sqlite+pysqlite:///{path}",
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=4,
        connect_args={"check_same_thread": False},
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest revision (a no-op when it already is)."""
    if current_revision(engine) == head_revision():
        return
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One durable SQLite transaction: everything inside is committed together or not at all."""
    with engine.begin() as connection:
        yield connection
