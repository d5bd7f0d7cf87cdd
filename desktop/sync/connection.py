"""Reaching the server: URLs, connections, the schema-version handshake, and errors in words.

Every failure of the network or the server leaves here as one `DomainError`, so the desk can say what
went wrong in one sentence and keep working offline.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.errors import _WaitTimeout

from desktop.domain.errors import N_, DomainError, Nn_

# The server schema this client understands; `kirjaamo server init` brings a server up to it.
SERVER_SCHEMA_VERSION = 2
CONNECT_TIMEOUT_SECONDS = 5
# Every wait for the server is bounded. A round trip (one statement, a commit, a chunk) that gets no
# answer within READ_TIMEOUT_SECONDS ends the connection; the server ends a statement running longer than
# STATEMENT_TIMEOUT_SECONDS and a session idle inside a transaction (a desk gone silent mid-push, still
# holding the log's lock) after IDLE_IN_TRANSACTION_SECONDS. TCP keepalives notice a dead peer.
# KIRJAAMO_READ_TIMEOUT shortens (or, on a very slow link, lengthens) the client's bounds; the fault tests
# use it.


def _seconds(variable: str, default: float) -> float:
    try:
        value = float(os.environ.get(variable, default))
    except ValueError:
        return default
    return value if 0.5 <= value <= 3600 else default


READ_TIMEOUT_SECONDS = _seconds("KIRJAAMO_READ_TIMEOUT", 60.0)
STATEMENT_TIMEOUT_SECONDS = 45
IDLE_IN_TRANSACTION_SECONDS = max(1, min(30, int(READ_TIMEOUT_SECONDS)))
KEEPALIVE = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}
_SCHEMES = ("postgresql+psycopg", "postgresql", "postgres")
# A desk may be this much ahead of the server's clock; more, and it pushes nothing (its events would carry
# tomorrow's times, and the office's logical clock would follow them).
CLOCK_AHEAD_BOUND = timedelta(minutes=5)

# psycopg logs a failed rollback on a dead connection ("error ignored in rollback") as a warning; the
# desk reports the failure itself, in one sentence.
_psycopg_log = logging.getLogger("psycopg")
_psycopg_log.addHandler(logging.NullHandler())
_psycopg_log.propagate = False


class ServerUnreachable(DomainError):
    """The network or the server is down; nothing was changed and the desk works on offline."""


class SyncRefused(DomainError):
    """The server understood the request and said no (nothing was written)."""


class LoginRefused(DomainError):
    """The server knows no such login, or it was removed (Remove desk), or its password is wrong."""


def _login_refused(error: BaseException) -> bool:
    text = str(error)
    if 'role "' in text and "does not exist" in text:
        return True
    return "is not permitted to log in" in text or "password authentication failed" in text


class SchemaMismatch(DomainError):
    """The server's schema is not the version this client speaks."""


@dataclass(frozen=True)
class ServerInfo:
    server_id: str
    version: int
    privileged_role: str
    desk_group: str  # the role every enrolled desk's own login is a member of


def _split(url: str):
    parts = urlsplit(url.strip())
    if parts.scheme not in _SCHEMES or not parts.path.strip("/"):
        raise DomainError(
            N_("Not a server address: {url} (expected postgresql+psycopg://user@host:port/database)."),
            url=display_url(url),
        )
    return parts


def sqlalchemy_url(url: str) -> str:
    """The address for SQLAlchemy/Alembic (driver psycopg 3)."""
    parts = _split(url)
    return urlunsplit(parts._replace(scheme="postgresql+psycopg"))


def conninfo(url: str) -> str:
    """The address for psycopg itself (libpq understands postgresql:// URIs)."""
    parts = _split(url)
    return urlunsplit(parts._replace(scheme="postgresql"))


def display_url(url: str) -> str:
    """The address without its password, for messages and logs."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "?"
    if parts.password is None:
        return url.strip()
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def database_name(url: str) -> str:
    return _split(url).path.strip("/")


# libpq's guesses and hints add nothing a clerk can act on.
_LIBPQ_NOISE = re.compile(
    r"\s*(This probably means the server terminated abnormally\s*before or while processing the request\.?"
    r"|HINT:.*$)",
    re.IGNORECASE,
)


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split())
    text = _LIBPQ_NOISE.sub("", text).strip()
    return text or type(error).__name__


_TIMEOUT_MESSAGE = N_(
    "The server did not answer within {seconds} seconds; the connection was closed and nothing was left half-done."
)


class ServerTimeout(ServerUnreachable):
    """The server (or the network) stopped answering; the connection was closed."""


class BoundedConnection(psycopg.Connection):
    """A psycopg connection whose every wait for the server ends after `read_timeout` seconds.

    On a timeout the connection is closed (its state is unknown): the server rolls back whatever
    transaction was open, so nothing stays locked there.
    """

    read_timeout: float = READ_TIMEOUT_SECONDS

    def wait(self, gen, interval=0.1, timeout=None):  # type: ignore[override]
        try:
            return super().wait(gen, interval=interval, timeout=timeout or self.read_timeout)
        except _WaitTimeout:
            self.pgconn.finish()
            raise ServerTimeout(
                _TIMEOUT_MESSAGE,
                seconds=int(self.read_timeout),
            ) from None


@contextmanager
def server_errors() -> Iterator[None]:
    """Turn psycopg's and the network's exceptions into one clear DomainError."""
    try:
        yield
    except DomainError:
        raise
    except _WaitTimeout as error:
        raise ServerTimeout(
            _TIMEOUT_MESSAGE,
            seconds=int(READ_TIMEOUT_SECONDS),
        ) from error
    except (psycopg.OperationalError, OSError, TimeoutError, ConnectionError) as error:
        raise ServerUnreachable(N_("The server is unreachable: {reason}"), reason=_reason(error)) from error
    except psycopg.Error as error:
        raise SyncRefused(N_("The server refused the request: {reason}"), reason=_reason(error)) from error


def connect(url: str, autocommit: bool = True, password: str | None = None) -> psycopg.Connection:
    """A connection to the server (autocommit; write with `connection.transaction()`).

    `password` is the desk's own login password (kept in the desk's encrypted database, never in the URL).
    """
    info = conninfo(url)
    options = (
        f"-c statement_timeout={int(STATEMENT_TIMEOUT_SECONDS * 1000)} "
        f"-c idle_in_transaction_session_timeout={int(IDLE_IN_TRANSACTION_SECONDS * 1000)}"
    )
    extra = {"password": password} if password else {}
    with server_errors():
        try:
            connection = BoundedConnection.connect(
                info,
                autocommit=autocommit,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                application_name="kirjaamo",
                options=options,
                tcp_user_timeout=int(READ_TIMEOUT_SECONDS * 1000),
                **KEEPALIVE,
                **extra,
            )
        except psycopg.OperationalError as error:
            if _login_refused(error):
                raise LoginRefused(
                    N_(
                        "The server refused this desk's login ({user}): the desk is not enrolled or was "
                        "removed; ask an administrator for an enrolment code."
                    ),
                    user=urlsplit(info).username or "?",
                ) from error
            raise
    connection.read_timeout = READ_TIMEOUT_SECONDS
    return connection


class ClockAhead(DomainError):
    """This desk's clock (or what it recorded) is ahead of the server's by more than the bound."""


def server_time(connection: psycopg.Connection) -> datetime:
    """The server's clock: what every desk's clock is compared with."""
    with server_errors():
        return connection.execute("SELECT now()").fetchone()[0].astimezone(UTC)


def _ahead(difference: timedelta) -> tuple[str, int]:
    if difference >= timedelta(days=2):
        return "days", round(difference / timedelta(days=1))
    return "minutes", max(1, round(difference / timedelta(minutes=1)))


def check_desk_clock(desk_now: datetime, server_now: datetime) -> None:
    """Refuse a desk whose clock runs more than CLOCK_AHEAD_BOUND ahead of the server's."""
    difference = desk_now - server_now
    if difference <= CLOCK_AHEAD_BOUND:
        return
    unit, amount = _ahead(difference)
    if unit == "days":
        message = Nn_(
            "This desk's clock is {amount} day ahead of the server; set the clock right and sync again. "
            "Nothing was sent.",
            "This desk's clock is {amount} days ahead of the server; set the clock right and sync again. "
            "Nothing was sent.",
        )
    else:
        message = Nn_(
            "This desk's clock is {amount} minute ahead of the server; set the clock right and sync again. "
            "Nothing was sent.",
            "This desk's clock is {amount} minutes ahead of the server; set the clock right and sync again. "
            "Nothing was sent.",
        )
    raise ClockAhead(message, plural_by="amount", amount=amount)


def check_recorded_times(latest: datetime | None, server_now: datetime) -> None:
    """Refuse to push events recorded under a clock more than CLOCK_AHEAD_BOUND ahead of the server."""
    if latest is None or latest - server_now <= CLOCK_AHEAD_BOUND:
        return
    unit, amount = _ahead(latest - server_now)
    if unit == "days":
        message = Nn_(
            "Entries on this desk were recorded while this desk's clock was {amount} day ahead; they are "
            "sent when the server's time reaches them. Nothing was sent.",
            "Entries on this desk were recorded while this desk's clock was {amount} days ahead; they are "
            "sent when the server's time reaches them. Nothing was sent.",
        )
    else:
        message = Nn_(
            "Entries on this desk were recorded while this desk's clock was {amount} minute ahead; they are "
            "sent when the server's time reaches them. Nothing was sent.",
            "Entries on this desk were recorded while this desk's clock was {amount} minutes ahead; they are "
            "sent when the server's time reaches them. Nothing was sent.",
        )
    raise ClockAhead(message, plural_by="amount", amount=amount)


def bounded_hlc(remote: str, server_now: datetime) -> str:
    """A pulled logical timestamp, held back to the server's time plus the bound (a desk whose clock ran
    ahead must not drag every other desk's clock along)."""
    ceiling = int((server_now + CLOCK_AHEAD_BOUND).timestamp() * 1000)
    try:
        millis = int(remote.split("-", 1)[0])
    except ValueError:
        return remote
    return remote if millis <= ceiling else f"{ceiling:013d}-0000-server"


def server_info(connection: psycopg.Connection) -> ServerInfo:
    """Who the server is and which schema it has; refuses a server this client cannot speak to."""
    with server_errors():
        exists = connection.execute("SELECT to_regclass('kirjaamo_schema') IS NOT NULL").fetchone()
        if not exists or not exists[0]:
            raise SchemaMismatch(
                N_(
                    "The database has no Kirjaamo server schema; create it with “kirjaamo server init --url …”."
                )
            )
        row = connection.execute(
            "SELECT server_id, version, privileged_role, coalesce(to_jsonb(s) ->> 'desk_group', '') "
            "FROM kirjaamo_schema s"
        ).fetchone()
    if row is None:
        raise SchemaMismatch(
            N_("The Kirjaamo server schema is incomplete; run “kirjaamo server init” again.")
        )
    info = ServerInfo(row[0], int(row[1]), row[2], row[3])
    if info.version > SERVER_SCHEMA_VERSION:
        raise SchemaMismatch(
            N_(
                "The server's schema is version {server}, newer than this Kirjaamo understands ({client}); "
                "update Kirjaamo on this desk."
            ),
            server=info.version,
            client=SERVER_SCHEMA_VERSION,
        )
    if info.version < SERVER_SCHEMA_VERSION:
        raise SchemaMismatch(
            N_(
                "The server's schema is version {server}, older than this Kirjaamo needs ({client}); "
                "upgrade it with “kirjaamo server init --url …”."
            ),
            server=info.version,
            client=SERVER_SCHEMA_VERSION,
        )
    return info
