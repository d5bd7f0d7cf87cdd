"""Helpers of the security tests: reading an encrypted data dir below the services."""

from __future__ import annotations

from pathlib import Path

from desktop.services import demo, keys
from desktop.store import crypto
from desktop.store.database import DATABASE_FILE, connect_raw

PASSWORD = demo.DEMO_PASSWORD


def raw_connection(data_dir: Path, username: str = "admin", password: str = PASSWORD):
    """A SQLCipher connection on the data dir's database, keyed by unwrapping `username`'s key — the
    SQLite level, below every service (and its checks)."""
    entry = keys.load(data_dir)["wraps"][username]
    data_key, _ = keys.unwrap_password(entry, username, password)
    return connect_raw(data_dir / DATABASE_FILE, crypto.sqlcipher_key(data_key), isolation_level=None)


def all_text(connection) -> str:
    """Every text value of every table (FTS shadow tables too), one big string to search in."""
    parts = []
    tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for row in connection.execute(f'SELECT * FROM "{table}"'):
            for value in row:
                if isinstance(value, str):
                    parts.append(value)
                elif isinstance(value, bytes):
                    parts.append(value.decode("utf-8", "replace"))
    return "\n".join(parts)


def raw_files(data_dir: Path) -> dict[Path, bytes]:
    """Every file of the data dir as bytes on disk (database, WAL, SHM, blobs, key file)."""
    return {path: path.read_bytes() for path in data_dir.rglob("*") if path.is_file()}
