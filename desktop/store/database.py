"""Opening the SQLite file: pragmas, migrations, one place that makes connections."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import QueuePool

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest migration. Checked against Alembic's own head by a test; it lets a desk that is up to date
# start without importing Alembic at all (a tenth of a second of every start).
SCHEMA_HEAD = "0004"
DATABASE_FILE = "kirjaamo.sqlite3"


def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # pysqlite's own transaction handling gets in the way of BEGIN IMMEDIATE; we issue BEGIN ourselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    _apply_pragmas(cursor)
    cursor.close()


def _apply_pragmas(cursor: sqlite3.Cursor) -> None:
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")  # an appended event survives a power cut
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.execute("PRAGMA cache_size = -65536")
    cursor.execute("PRAGMA temp_store = MEMORY")  # sorts and temp tables never reach the disk in the clear


def _key_pragma(key: bytes) -> str:
    # A raw 256-bit key (x'…'): SQLCipher uses it as it is, no passphrase derivation per connection.
    return f"PRAGMA key = \"x'{key.hex()}'\""


def _sqlcipher() -> Any:
    try:
        from sqlcipher3 import dbapi2
    except ImportError as error:  # pragma: no cover - a broken installation
        raise RuntimeError("Encrypted data needs the sqlcipher3 package (pip install sqlcipher3).") from error
    return dbapi2


def connect_raw(path: Path, key: bytes | None = None, **kwargs: Any) -> Any:
    """One DB-API connection on the database file, keyed when `key` is given (tools, backup, tests)."""
    if key is None:
        return sqlite3.connect(path, **kwargs)
    connection = _sqlcipher().connect(str(path), **kwargs)
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(_key_pragma(key))
        connection.execute("PRAGMA cipher_compatibility = 4")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()  # fails here on a wrong key
    except BaseException:
        connection.close()
        raise
    return connection


def raw_cursor(connection: Connection) -> sqlite3.Cursor:
    """A DB-API cursor inside the SQLAlchemy connection's transaction (our SQL is plain SQLite).

    The one place that reaches through SQLAlchemy to the driver; the SQLCipher driver's cursor has the
    same interface as sqlite3's.
    """
    driver = connection.connection.driver_connection
    assert driver is not None
    return cast(sqlite3.Cursor, driver.cursor())


def _on_begin(connection: Connection) -> None:
    # Take the write lock at the start, so two writers queue instead of failing half-way.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_sqlite_engine(path: Path, key: bytes | None = None) -> Engine:
    """An engine on the database file with our pragmas on every connection.

    With `key` (the SQLCipher key of an encrypted data dir) every connection is keyed before anything else
    is read; pages are encrypted in the file and in the WAL.
    """
    if key is None:
        engine = create_engine(
            f"sqlite+pysqlite:///{path}",
            poolclass=QueuePool,
            pool_size=4,
            max_overflow=4,
            connect_args={"check_same_thread": False},
        )
        event.listen(engine, "connect", _on_connect)
    else:
        key_pragma = _key_pragma(key)

        def keyed_connect(dbapi_connection: Any, record: object) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            # A wrong key is our error to report, not a line on stderr.
            cursor.execute("PRAGMA cipher_log_level = NONE")
            cursor.execute(key_pragma)
            cursor.execute("PRAGMA cipher_compatibility = 4")
            _apply_pragmas(cursor)
            cursor.close()

        engine = create_engine(
            f"sqlite+pysqlite:///{path}",
            module=_sqlcipher(),
            poolclass=QueuePool,
            pool_size=4,
            max_overflow=4,
            connect_args={"check_same_thread": False},
        )
        event.listen(engine, "connect", keyed_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def _alembic_config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """Alembic's newest revision, read from the migration scripts."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty one), read without Alembic."""
    with engine.connect() as connection:
        cursor = raw_cursor(connection)
        exists = cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if not exists:
            return None
        row = cursor.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest revision (a no-op when it already is)."""
    if current_revision(engine) == SCHEMA_HEAD:
        return
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One durable SQLite transaction: everything inside is committed together or not at all."""
    with engine.begin() as connection:
        yield connection
