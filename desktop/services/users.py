"""User accounts as use cases: administrators create, disable, enable, reset and change roles; everyone
changes their own password; the office recovery key resets a password when nobody can sign in.

On an encrypted data dir a password is also a key: every change rewraps the data key for that user (and
a disabled user's wrap is removed, so their old password no longer opens even a copy made later).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from pathlib import Path

from desktop.domain.accounts import Permission, Role, User
from desktop.domain.errors import N_, DomainError
from desktop.services import access_log, accounts, keys, rotation
from desktop.services.access_log import Action
from desktop.services.accounts import require
from desktop.services.rotation import RotationResult
from desktop.services.workspace import Workspace
from desktop.store import crypto
from desktop.store.database import raw_cursor as _cursor
from desktop.store.database import write_transaction


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: Role
    active: bool
    has_key: bool  # a wrap of the data key exists (always True on an unencrypted data dir)


class UserService:
    def __init__(self, workspace: Workspace, user: User) -> None:
        self.workspace = workspace
        self.user = access_log.bind(workspace, user)

    # -- reading ---------------------------------------------------------------------------------------------
    def accounts(self) -> list[Account]:
        require(self.user, Permission.MANAGE_USERS)
        wraps = keys.load(self.workspace.data_dir)["wraps"] if self.workspace.encrypted else None
        with self.workspace.engine.connect() as connection:
            users = accounts.list_users(connection)
        return [
            Account(u.username, u.display_name, u.role, u.active, wraps is None or u.username in wraps)
            for u in users
        ]

    # -- administration ----------------------------------------------------------------------------------
    def create(self, username: str, display_name: str, role: Role | str, password: str) -> User:
        require(self.user, Permission.MANAGE_USERS)
        name = accounts.validate_username(username)
        accounts.validate_password(password, name, demo=keys.is_demo(self.workspace.data_dir))
        role = Role(role)
        with self.workspace.engine.connect() as connection:
            if _cursor(connection).execute("SELECT 1 FROM users WHERE username = ?", (name,)).fetchone():
                raise DomainError(N_("The user {username} already exists."), username=name)
        wrap = self._wrap(name, password)  # the slow part, before the write lock is taken
        with write_transaction(self.workspace.engine) as connection:
            created = accounts.create_user(
                connection, name, display_name, role, password, demo=keys.is_demo(self.workspace.data_dir)
            )
            self._log(connection, Action.USER_CREATED, f"user={name} role={role.value}")
        if wrap is not None:
            keys.set_wrap(self.workspace.data_dir, name, wrap)
        return created

    def disable(self, username: str, progress: rotation.Progress | None = None) -> RotationResult | None:
        """The account can no longer sign in. On an encrypted desk its key wrap is removed and the data key
        rotated (`rotation.rotate_data_key`: database re-keyed, files re-encrypted, `progress(done, all)`),
        so a copy of the key file it kept, with its password, opens nothing."""
        require(self.user, Permission.MANAGE_USERS)
        target = self._find(username)
        if target.username == self.user.username:
            raise DomainError(N_("You cannot disable your own account."))
        self._keep_an_admin(target, Role(target.role) if target.active else None, active=False)
        reason = f"user {target.username} disabled"
        if self.workspace.encrypted:

            def close_account(data: dict) -> None:
                data["wraps"].pop(target.username, None)
                # If this process dies now, the next open disables the account and rotates the key.
                rotation.mark_due(data, reason, self.user.username, disable=target.username)

            keys.update(self.workspace.data_dir, close_account)
        with write_transaction(self.workspace.engine) as connection:
            _cursor(connection).execute("UPDATE users SET active = 0 WHERE username = ?", (target.username,))
            self._log(connection, Action.USER_DISABLED, f"user={target.username}")
        if not self.workspace.encrypted:
            return None
        return rotation.rotate_data_key(self.workspace, self.user, reason, progress)

    def enable(self, username: str, new_password: str) -> None:
        """Let a disabled account sign in again, with a new password (its old one opens nothing)."""
        require(self.user, Permission.MANAGE_USERS)
        target = self._find(username)
        self._set_password(target.username, new_password, Action.USER_ENABLED, activate=True)

    def reset_password(self, username: str, new_password: str) -> None:
        require(self.user, Permission.MANAGE_USERS)
        target = self._find(username)
        self._set_password(target.username, new_password, Action.PASSWORD_RESET)

    def change_role(self, username: str, role: Role | str) -> None:
        require(self.user, Permission.MANAGE_USERS)
        role = Role(role)
        target = self._find(username)
        if target.role is role:
            return
        self._keep_an_admin(target, role, active=target.active)
        with write_transaction(self.workspace.engine) as connection:
            _cursor(connection).execute(
                "UPDATE users SET role = ? WHERE username = ?", (role.value, target.username)
            )
            self._log(
                connection, Action.ROLE_CHANGED, f"user={target.username} {target.role.value}->{role.value}"
            )

    def change_own_password(self, old_password: str, new_password: str) -> None:
        """Anyone may change their own password, knowing the present one."""
        name = self.user.username
        if self.workspace.encrypted:
            entry = keys.load(self.workspace.data_dir)["wraps"].get(name)
            try:
                if entry is None:
                    raise keys.WrongPassword()
                data_key, _ = keys.unwrap_password(entry, name, old_password)
                if not hmac.compare_digest(data_key, self.workspace.data_key or b""):
                    raise keys.WrongPassword()
            except keys.WrongPassword:
                raise DomainError(N_("The present password is not right.")) from None
        else:
            with self.workspace.engine.connect() as connection:
                try:
                    accounts.authenticate(connection, name, old_password)
                except DomainError:
                    raise DomainError(N_("The present password is not right.")) from None
        self._set_password(name, new_password, Action.PASSWORD_CHANGED)

    # -- helpers -----------------------------------------------------------------------------------------
    def _find(self, username: str) -> User:
        with self.workspace.engine.connect() as connection:
            return accounts.find_user(connection, username)

    def _keep_an_admin(self, target: User, new_role: Role | None, active: bool) -> None:
        if target.role is not Role.ADMIN or (new_role is Role.ADMIN and active):
            return
        with self.workspace.engine.connect() as connection:
            admins = (
                _cursor(connection)
                .execute(
                    "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 AND username <> ?",
                    (target.username,),
                )
                .fetchone()[0]
            )
        if not admins:
            raise DomainError(N_("The office needs at least one active administrator."))

    def _wrap(self, username: str, password: str) -> dict | None:
        data_key = self.workspace.data_key
        return keys.password_wrap(data_key, username, password) if data_key else None

    def _set_password(self, username: str, password: str, action: Action, activate: bool = False) -> None:
        accounts.validate_password(password, username, demo=keys.is_demo(self.workspace.data_dir))
        wrap = self._wrap(username, password)
        password_hash = accounts.hash_password(password)
        with write_transaction(self.workspace.engine) as connection:
            cursor = _cursor(connection)
            cursor.execute("UPDATE users SET password_hash = ? WHERE username = ?", (password_hash, username))
            if activate:
                cursor.execute("UPDATE users SET active = 1 WHERE username = ?", (username,))
            self._log(connection, action, f"user={username}")
        if wrap is not None:
            keys.set_wrap(self.workspace.data_dir, username, wrap)
        keys.clear_guard(self.workspace.data_dir, username)

    def _log(self, connection, action: Action, detail: str) -> None:
        access_log.record_in(connection, self.workspace, self.user, action, detail=detail)


def recover(data_dir: Path, recovery_text: str, username: str, new_password: str) -> None:
    """With the office recovery key: a new password for `username` (an active account: a disabled one
    stays disabled — only an administrator enables it)."""
    recovery_key = crypto.parse_recovery_key(recovery_text)
    if recovery_key is None:
        raise DomainError(N_("That is not a recovery key (eight groups of five letters and digits)."))
    if not Workspace.is_encrypted(data_dir):
        raise DomainError(N_("{path} is not encrypted: it has no recovery key."), path=str(data_dir))
    entry = keys.load(data_dir).get("recovery")
    if not entry:
        raise DomainError(N_("{path} has no recovery key."), path=str(data_dir))
    data_key = keys.unwrap_recovery(entry, recovery_key)
    workspace = Workspace.open_with_key(Path(data_dir), data_key)
    try:
        with workspace.engine.connect() as connection:
            target = accounts.find_user(connection, username)
        if not target.active:
            raise DomainError(
                N_("The account {username} is disabled: the recovery key does not enable it."),
                username=target.username,
            )
        accounts.validate_password(new_password, target.username, demo=keys.is_demo(Path(data_dir)))
        data_key = workspace.data_key or data_key  # a rotation finished at open changed it
        wrap = keys.password_wrap(data_key, target.username, new_password)
        with write_transaction(workspace.engine) as connection:
            _cursor(connection).execute(
                "UPDATE users SET password_hash = ? WHERE username = ?",
                (accounts.hash_password(new_password), target.username),
            )
            access_log.record_in(
                connection,
                workspace,
                target,
                Action.RECOVERY_KEY_USED,
                detail=f"new password for {target.username}",
            )
        keys.set_wrap(Path(data_dir), target.username, wrap)
        keys.clear_guard(Path(data_dir), target.username)
    finally:
        workspace.close()


def wrap_accounts(data_dir: Path, data_key: bytes, rows: list[tuple[str, str | None]]) -> int:
    """Give each (username, password hash) without a wrap one made from its hash (see `verifier_wrap`)."""

    def change(data: dict) -> int:
        added = 0
        for username, verifier in rows:
            if username not in data["wraps"]:
                entry = keys.verifier_wrap(data_key, username, verifier or "")
                if entry is not None:
                    data["wraps"][username] = entry
                    added += 1
        return added

    if all(username in keys.load(data_dir)["wraps"] for username, _ in rows):
        return 0
    return keys.update(data_dir, change)  # type: ignore[return-value]


def wrap_server_accounts(workspace: Workspace) -> int:
    """Accounts that came from the sync server get a wrap made from their password hash, so they can sign
    in here; their first sign-in replaces it by a password wrap. Returns how many were added."""
    if workspace.data_key is None:
        return 0
    with workspace.engine.connect() as connection:
        rows = (
            _cursor(connection)
            .execute(
                "SELECT username, password_hash FROM users WHERE active = 1 AND password_hash IS NOT NULL"
            )
            .fetchall()
        )
    return wrap_accounts(workspace.data_dir, workspace.data_key, [(r[0], r[1]) for r in rows])
