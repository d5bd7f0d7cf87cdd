"""User accounts: one place that finds a user, checks the password and the permission."""

from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection

from desktop.domain.accounts import USE_CASE_PERMISSIONS, Permission, Role, UseCase, User
from desktop.domain.errors import N_, DomainError
from desktop.paths import resource_dir
from desktop.store.database import raw_cursor

_hasher = PasswordHasher()
_log = logging.getLogger(__name__)


class PermissionDenied(DomainError):
    """The signed-in user's role does not allow the action."""


def _row_to_user(row) -> User:
    return User(username=row[0], display_name=row[1], role=Role(row[2]), active=bool(row[3]))


def validate_username(username: str) -> str:
    name = username.strip()
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-" for c in name):
        raise DomainError(N_("A user name is 1–64 letters, digits, dots, dashes or underscores."))
    return name


MIN_PASSWORD = 12
DEMO_PASSWORD = "demo"  # the documented password of demo data dirs (`kirjaamo demo`), and only of them


@functools.cache
def _common_passwords() -> frozenset[str]:
    path = resource_dir("security", "common-passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def validate_password(password: str, username: str = "", demo: bool = False) -> None:
    """NIST SP 800-63B style: at least 12 characters, not a commonly used password, not the user name or
    one character repeated; no other composition rules. A demo data dir also takes the demo password."""
    if demo and password == DEMO_PASSWORD:
        return
    if len(password) < MIN_PASSWORD:
        raise DomainError(N_("The password must have at least {count} characters."), count=MIN_PASSWORD)
    folded = password.casefold()
    if (
        folded in _common_passwords()
        or len(set(folded)) == 1
        or (username and username.casefold() in folded)
        or "kirjaamo" in folded
    ):
        raise DomainError(
            N_("That password is too easy to guess (a common one, or it has the user name in it).")
        )


def hash_password(password: str) -> str:
    """The Argon2id hash string kept in `users.password_hash` (and shared with the sync server)."""
    return _hasher.hash(password)


def create_user(
    connection: Connection, username: str, display_name: str, role: Role, password: str, demo: bool = False
) -> User:
    name = validate_username(username)
    validate_password(password, name, demo)
    cursor = raw_cursor(connection)
    if cursor.execute("SELECT 1 FROM users WHERE username = ?", (name,)).fetchone():
        raise DomainError(N_("The user {username} already exists."), username=name)
    cursor.execute(
        "INSERT INTO users (username, display_name, role, active, password_hash, created_at) VALUES (?, ?, ?, 1, ?, ?)",
        (
            name,
            display_name.strip() or name,
            role.value,
            _hasher.hash(password),
            datetime.now(UTC).isoformat(),
        ),
    )
    return User(name, display_name.strip() or name, role)


def find_user(connection: Connection, username: str) -> User:
    row = (
        raw_cursor(connection)
        .execute(
            "SELECT username, display_name, role, active FROM users WHERE username = ?", (username.strip(),)
        )
        .fetchone()
    )
    if row is None:
        raise DomainError(N_("No user account “{username}”."), username=username)
    return _row_to_user(row)


def list_users(connection: Connection) -> list[User]:
    rows = raw_cursor(connection).execute(
        "SELECT username, display_name, role, active FROM users ORDER BY username"
    )
    return [_row_to_user(row) for row in rows]


def authenticate(connection: Connection, username: str, password: str) -> User:
    """The user, if the password is right and the account active; one message for every failure."""
    row = (
        raw_cursor(connection)
        .execute(
            "SELECT username, display_name, role, active, password_hash FROM users WHERE username = ?",
            (username.strip(),),
        )
        .fetchone()
    )
    wrong = DomainError(N_("Wrong user name or password."))
    if row is None or not row[4]:
        raise wrong
    try:
        _hasher.verify(row[4], password)
    except (VerificationError, InvalidHashError):
        raise wrong from None
    user = _row_to_user(row)
    if not user.active:
        raise DomainError(N_("The account {username} has been disabled."), username=user.username)
    return user


def require(user: User, permission: Permission) -> None:
    """Refuse (PermissionDenied) unless the user's role allows it; a refusal is written to the access log."""
    if not user.can(permission):
        if user.on_denied is not None:
            try:
                user.on_denied(user, permission)
            except Exception:  # the refusal stands even when it cannot be logged
                _log.exception("could not log a refused action")
        raise PermissionDenied(
            N_("{username} ({role}) is not allowed to do this: it needs the permission “{permission}”."),
            username=user.username,
            role=user.role.value,
            permission=permission.value,
        )


def permit(user: User, use_case: UseCase) -> None:
    """Refuse (PermissionDenied, logged) unless the permission table lets the user's role run `use_case`."""
    require(user, USE_CASE_PERMISSIONS[use_case])
