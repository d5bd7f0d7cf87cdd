"""Desks join the office's server by an administrator's act, never by the server address alone.

An enrolled desk's administrator makes a one-time *enrolment code* (`kirjaamo desk enrol`): the
privileged connection creates a login role for the new desk whose password is derived from the code,
valid until the code expires, and stores the desk's *package* sealed under another key derived from the
code. Inside the package the office key is wrapped once per active account under that account's Argon2
password hash, so the new desk needs the code AND a user's own password. The new desk logs in with the
code, reads its package (`kirjaamo_peek_enrolment`), checks the password, and then claims the enrolment
once (`kirjaamo_claim_enrolment`): the server makes its login a member of the desks' group and sets the
password to a SCRAM verifier only the desk knows. Remove desk takes the login away.

Code text: 21 random bytes (5 name the desk's login, 16 are the secret) in base32, groups of five.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import psycopg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from desktop.domain.errors import N_, DomainError
from desktop.sync.connection import LoginRefused, SyncRefused, connect, database_name, server_errors
from desktop.sync.server_schema import desk_role_name, session_limits

CODE_BYTES = 21
DESK_ID_BYTES = 5
DEFAULT_VALID_HOURS = 24


class EnrolmentRefused(DomainError):
    """The code is not valid for this server, was used already, or has expired."""


@dataclass(frozen=True)
class EnrolmentCode:
    desk_id: str  # 10 hex characters: names the new desk's login role
    secret: bytes

    @classmethod
    def new(cls) -> EnrolmentCode:
        raw = secrets.token_bytes(CODE_BYTES)
        return cls(raw[:DESK_ID_BYTES].hex(), raw[DESK_ID_BYTES:])

    @property
    def text(self) -> str:
        raw = bytes.fromhex(self.desk_id) + self.secret
        letters = base64.b32encode(raw).decode("ascii").rstrip("=")
        return "-".join(letters[i : i + 5] for i in range(0, len(letters), 5))

    @classmethod
    def parse(cls, text: str) -> EnrolmentCode:
        cleaned = "".join(c for c in text.upper() if c.isalnum())
        cleaned = cleaned.replace("0", "O").replace("1", "I").replace("8", "B")
        try:
            raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
        except ValueError:
            raw = b""
        if len(raw) != CODE_BYTES:
            raise EnrolmentRefused(N_("That is not an enrolment code (it has seven groups of letters)."))
        return cls(raw[:DESK_ID_BYTES].hex(), raw[DESK_ID_BYTES:])

    def _derive(self, label: str) -> bytes:
        return HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"kirjaamo enrolment " + label.encode()
        ).derive(self.secret)

    @property
    def login_password(self) -> str:
        return base64.urlsafe_b64encode(self._derive("login v1")).decode("ascii").rstrip("=")

    def seal_package(self, role: str, package: dict) -> bytes:
        nonce = secrets.token_bytes(12)
        aad = b"kirjaamo enrolment package v1\x00" + role.encode()
        return nonce + AESGCM(self._derive("package v1")).encrypt(nonce, json.dumps(package).encode(), aad)

    def open_package(self, role: str, sealed: bytes) -> dict:
        aad = b"kirjaamo enrolment package v1\x00" + role.encode()
        try:
            return json.loads(AESGCM(self._derive("package v1")).decrypt(sealed[:12], sealed[12:], aad))
        except (InvalidTag, ValueError):
            raise EnrolmentRefused(N_("The enrolment code does not fit this server.")) from None


def with_user(url: str, user: str) -> str:
    """The server address with another login name and no password."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{user}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def scram_verifier(connection: psycopg.Connection, password: str, role: str) -> str:
    """The SCRAM-SHA-256 verifier of a password, computed here: the server never sees the password."""
    return connection.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode(
        "ascii"
    )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create_login(
    connection: psycopg.Connection,
    database: str,
    group: str,
    desk_id: str,
    password: str,
    label: str,
    *,
    valid_until: datetime | None,
    package: bytes | None,
    device_id: str | None = None,
) -> str:
    """Create a desk's login role (privileged connection, in its transaction); returns the role name.

    With `valid_until` the login is an enrolment waiting to be claimed; without, a desk at once (the
    first desk, which founds the server).
    """
    role = desk_role_name(database, desk_id)
    verifier = scram_verifier(connection, password, role)
    until = valid_until.isoformat() if valid_until else "infinity"
    connection.execute(
        f"CREATE ROLE {_ident(role)} LOGIN PASSWORD {_literal(verifier)} VALID UNTIL {_literal(until)}"
    )
    connection.execute(f"GRANT CONNECT ON DATABASE {_ident(database)} TO {_ident(role)}")
    for statement in session_limits(database, role)[:-1]:  # the login's own bounds (the database's are set)
        connection.execute(statement)
    if valid_until is None:
        connection.execute(f"GRANT {_ident(group)} TO {_ident(role)}")
    connection.execute(
        "INSERT INTO desks (role, label, device_id, expires_at, package, claimed_at) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        (
            role,
            label,
            device_id,
            valid_until or datetime.now(UTC),
            package,
            None if valid_until else datetime.now(UTC),
        ),
    )
    return role


def new_enrolment(
    connection: psycopg.Connection, group: str, code: EnrolmentCode, label: str, package: dict, hours: int
) -> tuple[str, datetime]:
    """The privileged half of "Enrol a desk": the waiting login and its sealed package."""
    database = database_name_of(connection)
    role = desk_role_name(database, code.desk_id)
    expires = datetime.now(UTC) + timedelta(hours=hours)
    with server_errors(), connection.transaction():
        create_login(
            connection,
            database,
            group,
            code.desk_id,
            code.login_password,
            label,
            valid_until=expires,
            package=code.seal_package(role, package),
        )
    return role, expires


def database_name_of(connection: psycopg.Connection) -> str:
    return connection.execute("SELECT current_database()").fetchone()[0]


_CLAIM_ERRORS = {
    "KJ001": N_("This enrolment code was already used; ask an administrator for a new one."),
    "KJ002": N_("This enrolment code has expired; ask an administrator for a new one."),
    "KJ003": N_("This enrolment code is not valid for this server."),
}


def _claim_error(error: psycopg.Error) -> DomainError:
    message = _CLAIM_ERRORS.get(getattr(error, "sqlstate", "") or "")
    if message is None:
        return SyncRefused(
            N_("The server refused the request: {reason}"), reason=" ".join(str(error).split())
        )
    return EnrolmentRefused(message)


def open_enrolment(url: str, code: EnrolmentCode) -> tuple[psycopg.Connection, str, dict]:
    """Log in with the code and read the package: (connection, login role, package). Nothing is used up."""
    role = desk_role_name(database_name(url), code.desk_id)
    try:
        connection = connect(with_user(url, role), password=code.login_password)
    except LoginRefused:
        raise EnrolmentRefused(
            N_("The enrolment code is not valid for this server (used, expired or removed).")
        ) from None
    try:
        try:
            sealed = connection.execute("SELECT kirjaamo_peek_enrolment()").fetchone()[0]
        except psycopg.Error as error:
            raise _claim_error(error) from None
        return connection, role, code.open_package(role, bytes(sealed))
    except BaseException:
        connection.close()
        raise


def claim_enrolment(connection: psycopg.Connection, role: str, device_id: str) -> str:
    """Use the code up: the login becomes this desk's, with a new password; returns that password."""
    password = secrets.token_urlsafe(32)
    verifier = scram_verifier(connection, password, role)
    try:
        connection.execute("SELECT kirjaamo_claim_enrolment(%s, %s)", (verifier, device_id))
    except psycopg.Error as error:
        raise _claim_error(error) from None
    return password


@dataclass(frozen=True)
class DeskLogin:
    role: str
    label: str
    device_id: str | None
    created_at: datetime
    expires_at: datetime
    claimed_at: datetime | None
    removed_at: datetime | None

    @property
    def state(self) -> str:
        """ "waiting", "expired", "enrolled" or "removed"."""
        if self.removed_at:
            return "removed"
        if self.claimed_at:
            return "enrolled"
        return "expired" if self.expires_at < datetime.now(UTC) else "waiting"


def list_desks(connection: psycopg.Connection) -> list[DeskLogin]:
    with server_errors():
        rows = connection.execute(
            "SELECT role, label, device_id, created_at, expires_at, claimed_at, removed_at FROM desks "
            "ORDER BY created_at, role"
        ).fetchall()
    return [DeskLogin(*row) for row in rows]


def remove_login(connection: psycopg.Connection, group: str, role: str) -> None:
    """Remove desk: its login can no longer log in, loses the desks' grants, and its sessions end."""
    with server_errors(), connection.transaction():
        row = connection.execute(
            "SELECT removed_at FROM desks WHERE role = %s FOR UPDATE", (role,)
        ).fetchone()
        if row is None:
            raise DomainError(N_("No desk {desk} on this server."), desk=role)
        connection.execute(f"ALTER ROLE {_ident(role)} NOLOGIN PASSWORD NULL")
        connection.execute(f"REVOKE {_ident(group)} FROM {_ident(role)}")
        connection.execute("UPDATE desks SET removed_at = now(), package = NULL WHERE role = %s", (role,))
    with server_errors():
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (role,)
        )


__all__ = [
    "DEFAULT_VALID_HOURS",
    "DeskLogin",
    "EnrolmentCode",
    "EnrolmentRefused",
    "claim_enrolment",
    "create_login",
    "list_desks",
    "new_enrolment",
    "open_enrolment",
    "remove_login",
    "with_user",
]
