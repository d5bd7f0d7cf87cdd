"""Desks of the office's server: found it (the first desk), enrol a desk by a one-time code, remove one.

Creating and removing desk logins needs the server's privileged connection (its address is given each
time, as for a purge, and never stored). A desk joins with a code and a user's own password
(`join`); the office key it needs travels inside the code's sealed package (see `sync/enrolment.py`).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from desktop.domain.accounts import Permission, User
from desktop.domain.errors import N_, DomainError
from desktop.services import keys
from desktop.services.accounts import require
from desktop.services.clock import Clock
from desktop.services.settings import OfficeSettings
from desktop.services.sync_service import (
    DESK_PASSWORD,
    DESK_ROLE,
    OFFICE_KEY,
    NotEnrolled,
    SyncService,
    create_desk,
)
from desktop.services.workspace import Workspace
from desktop.store.database import DATABASE_FILE
from desktop.sync.client import Progress
from desktop.sync.connection import (
    LoginRefused,
    SyncRefused,
    connect,
    database_name,
    server_errors,
    server_info,
)
from desktop.sync.enrolment import (
    DEFAULT_VALID_HOURS,
    DeskLogin,
    EnrolmentCode,
    EnrolmentRefused,
    claim_enrolment,
    create_login,
    list_desks,
    new_enrolment,
    open_enrolment,
    remove_login,
    with_user,
)
from desktop.sync.sealing import OfficeSeal, new_office_key
from desktop.sync.server import ServerSession


@dataclass(frozen=True)
class NewEnrolment:
    code: str  # shown once to the administrator, typed on the new desk
    role: str  # the new desk's login on the server
    expires_at: datetime


def privileged_connection(url: str):
    """A privileged connection, refused unless the address really is the privileged role (or a superuser)."""
    connection = connect(url)
    try:
        info = server_info(connection)
        with server_errors():
            allowed = connection.execute(
                "SELECT pg_has_role(current_user, %s, 'MEMBER') "
                "OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)",
                (info.privileged_role,),
            ).fetchone()[0]
        if not allowed:
            raise SyncRefused(
                N_("Enrolling and removing desks needs the server's privileged role ({role})."),
                role=info.privileged_role,
            )
        return connection, info
    except BaseException:
        connection.close()
        raise


class DeskService:
    def __init__(self, workspace: Workspace, user: User | None = None, clock: Clock | None = None) -> None:
        self.workspace = workspace
        self.user = user
        self.clock = clock or Clock()
        self.sync = SyncService(workspace, user, self.clock)

    def _require_admin(self) -> None:
        if self.user is None:
            raise DomainError(N_("Signing in is needed to manage the desks."))
        require(self.user, Permission.MANAGE_SETTINGS)

    def enrolled(self) -> bool:
        state = self.sync.client().state()
        return bool(state.get(OFFICE_KEY) and state.get(DESK_ROLE) and state.get(DESK_PASSWORD))

    def _accounts(self) -> list[tuple]:
        return self.sync.client().local_accounts()

    def found(self, privileged_url: str, label: str = "") -> str:
        """The first desk founds a new server: the office key, its own login; returns the login role.

        The server must be new (no office on it yet); its log is then filled by this desk's first sync.
        """
        try:
            self._require_admin()
        except DomainError:
            raise NotEnrolled() from None  # a clerk's desk that was never enrolled: say that
        if self.enrolled():
            raise DomainError(N_("This desk is already enrolled with a server."))
        client = self.sync.client()
        office_key = bytes.fromhex(client.state().get(OFFICE_KEY) or new_office_key().hex())
        try:
            connection, info = privileged_connection(privileged_url)
        except (SyncRefused, LoginRefused):
            raise NotEnrolled() from None
        try:
            with server_errors():
                sealed_ok, has_office = connection.execute(
                    "SELECT sealed, EXISTS (SELECT FROM sealed_records WHERE kind = 'office') FROM kirjaamo_schema"
                ).fetchone()
            if has_office:
                raise NotFoundable()
            if not sealed_ok:
                raise DomainError(
                    N_(
                        "The server still holds the previous release's log in clear: reseal it from a desk "
                        "that synced with it (“kirjaamo server reseal --url …”)."
                    )
                )
            password = secrets.token_urlsafe(32)
            desk_id = secrets.token_hex(5)
            with server_errors(), connection.transaction():
                role = create_login(
                    connection,
                    database_name(privileged_url),
                    info.desk_group,
                    desk_id,
                    password,
                    label or self.workspace.settings.device_id,
                    valid_until=None,
                    package=None,
                    device_id=self.workspace.settings.device_id,
                )
        finally:
            connection.close()
        self._remember(privileged_url, role, password, office_key)
        return role

    def _remember(self, url: str, role: str, password: str, office_key: bytes) -> None:
        client = self.sync.client()
        client.set_state(**{OFFICE_KEY: office_key.hex(), DESK_ROLE: role, DESK_PASSWORD: password})
        settings = OfficeSettings(**vars(self.workspace.settings))
        settings.server_url = with_user(url, role)
        self.workspace.save_settings(settings)

    def enrol(self, privileged_url: str, label: str = "", hours: int = DEFAULT_VALID_HOURS) -> NewEnrolment:
        """Administration → Desks → Enrol a desk: a one-time code for a new desk (valid `hours`)."""
        self._require_admin()
        if not self.enrolled():
            raise NotEnrolled()
        if not 1 <= hours <= 24 * 14:
            raise DomainError(N_("An enrolment code is valid for 1 hour to 14 days."))
        seal_key = bytes.fromhex(self.sync.client().state()[OFFICE_KEY])
        wraps = {}
        for username, _display, _role, active, password_hash, _created in self._accounts():
            entry = keys.verifier_wrap(seal_key, username, password_hash or "") if active else None
            if entry is not None:
                wraps[username] = entry
        code = EnrolmentCode.new()
        package = {
            "server_id": self.sync.client().state().get("server_id", ""),
            "office": OfficeSeal(seal_key).fingerprint,
            "wraps": wraps,
        }
        connection, info = privileged_connection(privileged_url)
        try:
            role, expires = new_enrolment(
                connection, info.desk_group, code, label.strip() or "new desk", package, hours
            )
        finally:
            connection.close()
        return NewEnrolment(code.text, role, expires)

    def desks(self, privileged_url: str) -> list[DeskLogin]:
        self._require_admin()
        connection, _info = privileged_connection(privileged_url)
        try:
            return list_desks(connection)
        finally:
            connection.close()

    def remove(self, privileged_url: str, role: str) -> None:
        """Administration → Desks → Remove desk: the desk's login stops working at once."""
        self._require_admin()
        if role == self.sync.client().state().get(DESK_ROLE):
            raise DomainError(N_("A desk cannot remove itself; remove it from another desk."))
        connection, info = privileged_connection(privileged_url)
        try:
            remove_login(connection, info.desk_group, role.strip())
        finally:
            connection.close()


class NotFoundable(DomainError):
    def __init__(self) -> None:
        super().__init__(
            N_(
                "The server already serves an office: this desk joins it only with an enrolment code "
                "(Administration → Desks → Enrol a desk on an enrolled desk)."
            )
        )


def _office_key_from(package: dict, username: str, password: str) -> bytes:
    entry = package.get("wraps", {}).get(username)
    if entry is None:
        keys.burn_time(password)
        raise keys.WrongPassword()
    office_key, _rewrap = keys.unwrap_password(entry, username, password)
    return office_key


def join(
    data_dir: Path,
    url: str,
    code_text: str,
    username: str,
    password: str,
    workspace: Workspace | None = None,
    progress: Progress | None = None,
) -> Workspace:
    """Enrol this desk with a code and a user's own password, then sync.

    A new data dir is set up from the server (created whole or not at all); an existing desk
    (`workspace`) keeps its data and gains its login and the office key. The code is used up only after
    the password has opened the office key. Returns the (new) workspace, synced.
    """
    code = EnrolmentCode.parse(code_text)
    data_dir = Path(data_dir)
    if workspace is None and (data_dir / DATABASE_FILE).exists():
        raise DomainError(N_("{path} already holds a desk: sign in there and enrol it."), path=str(data_dir))
    connection, role, package = open_enrolment(url, code)
    try:
        office_key = _office_key_from(package, username.strip(), password)
        device_id = workspace.settings.device_id if workspace else uuid.uuid4().hex[:12]
        desk_password = claim_enrolment(connection, role, device_id)
    finally:
        connection.close()
    desk_url = with_user(url, role)
    seal = OfficeSeal(office_key)
    if workspace is None:
        with server_errors(), ServerSession.open(desk_url, seal, desk_password) as session:
            office, accounts, server_id = session.office(), session.accounts(), session.info.server_id
        state = {
            OFFICE_KEY: office_key.hex(),
            DESK_ROLE: role,
            DESK_PASSWORD: desk_password,
            "server_id": server_id,
            "device_id": device_id,
        }
        new_keys = create_desk(data_dir, desk_url, office, accounts, state)
        workspace = Workspace.open_with_key(data_dir, new_keys.data_key)
        workspace.recovery_key = new_keys.recovery_text
        created = True
    else:
        DeskService(workspace)._remember(url, role, desk_password, office_key)
        created = False
    try:
        SyncService(workspace).sync_once(progress, url=desk_url)
    except BaseException:
        if created:
            workspace.close()
        raise
    return workspace


__all__ = ["DeskService", "EnrolmentRefused", "NewEnrolment", "NotFoundable", "join", "privileged_connection"]
