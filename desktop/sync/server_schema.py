"""The server side: `kirjaamo server init` creates or upgrades the PostgreSQL schema (Alembic, own version table).

Tables: `change_log` (the shared, append-only log of sealed events; `server_seq` gap-free, stamped under
the one row of `sync_counter`), `devices`, `blobs` + `blob_chunks` (sealed chunks), `diary_counters`,
`case_numbers`, `sealed_records` (accounts, office settings), `desks` (enrolments) and `kirjaamo_schema`
(the version the client checks). Roles per database: `<db>_privileged` (purges, reseal, enrolling and
removing desks), `<db>_desks` (the grants every desk has; NOLOGIN) and one login `<db>_d<id>` per desk.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from desktop.domain.errors import N_
from desktop.sync.connection import (
    IDLE_IN_TRANSACTION_SECONDS,
    KEEPALIVE,
    SERVER_SCHEMA_VERSION,
    STATEMENT_TIMEOUT_SECONDS,
    SchemaMismatch,
    ServerUnreachable,
    SyncRefused,
    database_name,
    display_url,
    sqlalchemy_url,
)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "server_migrations"
VERSION_TABLE = "kirjaamo_server_version"


@dataclass(frozen=True)
class InitResult:
    before: str | None  # the Alembic revision found (None: a fresh database)
    after: str
    version: int
    privileged_role: str
    desk_group: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _base(database: str) -> str:
    base = "".join(c if c.isalnum() or c == "_" else "_" for c in database.lower())
    if len(base) > 40:
        base = base[:30] + "_" + hashlib.sha256(database.encode()).hexdigest()[:8]
    return base


def role_names(database: str) -> tuple[str, str]:
    """The (previous release's) workstation and the privileged role of a database: unique per database."""
    base = _base(database)
    return f"{base}_workstation", f"{base}_privileged"


def session_limits(database: str, *roles: str) -> list[str]:
    """The server's own bounds for desk sessions (set again by every `server init`).

    A statement runs at most STATEMENT_TIMEOUT_SECONDS and a session idle inside a transaction (a desk
    whose network went silent mid-push) is ended after IDLE_IN_TRANSACTION_SECONDS, which rolls back its
    transaction and releases the log's lock. Set per role and, for the idle bound, for the whole
    database (any other desk login role connecting to it).
    """
    statement = f"'{int(STATEMENT_TIMEOUT_SECONDS)}s'"
    idle = f"'{int(IDLE_IN_TRANSACTION_SECONDS)}s'"
    statements = []
    for role in roles:
        name = _ident(role)
        statements.append(f"ALTER ROLE {name} SET statement_timeout = {statement}")
        statements.append(f"ALTER ROLE {name} SET idle_in_transaction_session_timeout = {idle}")
    statements.append(f"ALTER DATABASE {_ident(database)} SET idle_in_transaction_session_timeout = {idle}")
    return statements


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def desk_group_name(database: str) -> str:
    """The role that holds the desks' grants; each desk's own login is a member once enrolled."""
    return f"{_base(database)}_desks"


def desk_role_name(database: str, desk_id: str) -> str:
    """The login role of one desk (`desk_id`: 10 lowercase hex characters from its enrolment code)."""
    return f"{_base(database)}_d{desk_id}"


def server_roles_pattern(database: str) -> str:
    """A LIKE pattern matching every role made for this database (tests drop them all)."""
    return _base(database).replace("_", "\\_") + "\\_%"


def _config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def init_server(url: str) -> InitResult:
    """Create or upgrade the server schema at `url` (a no-op when it is current)."""
    engine = create_engine(
        sqlalchemy_url(url), poolclass=NullPool, connect_args={"connect_timeout": 5, **KEEPALIVE}
    )
    try:
        with engine.begin() as connection:
            before = MigrationContext.configure(
                connection, opts={"version_table": VERSION_TABLE}
            ).get_current_revision()
            script = ScriptDirectory.from_config(_config())
            if before is not None and before not in {rev.revision for rev in script.walk_revisions()}:
                raise SchemaMismatch(
                    N_("The server at {url} has a newer schema ({revision}) than this Kirjaamo knows."),
                    url=display_url(url),
                    revision=before,
                )
            command.upgrade(_config(connection), "head")
            row = connection.exec_driver_sql(
                "SELECT version, privileged_role, desk_group FROM kirjaamo_schema"
            ).one()
            for statement in session_limits(database_name(url), row[1], row[2]):
                connection.exec_driver_sql(statement)
    except OperationalError as error:
        raise ServerUnreachable(
            N_("The server is unreachable: {reason}"), reason=" ".join(str(error.orig).split())
        ) from error
    except (DBAPIError, CommandError) as error:
        reason = " ".join(str(getattr(error, "orig", None) or error).split())
        raise SyncRefused(N_("The server refused the request: {reason}"), reason=reason) from error
    finally:
        engine.dispose()
    return InitResult(before, head_revision(), int(row[0]), row[1], row[2])


__all__ = [
    "SERVER_SCHEMA_VERSION",
    "InitResult",
    "desk_group_name",
    "desk_role_name",
    "head_revision",
    "init_server",
    "role_names",
    "server_roles_pattern",
    "session_limits",
]
