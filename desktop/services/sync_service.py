"""Sync as a use case: one round (on demand or from the app's timer), status, first sync, purge.

Everything the network or the server can do wrong arrives as one `DomainError`; nothing is half-applied
and the desk keeps working offline. Rounds of one data dir never overlap (a lock per data dir).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from desktop.domain.accounts import Permission, User
from desktop.domain.errors import N_, DomainError
from desktop.domain.events import Event
from desktop.domain.model import CaseState
from desktop.services import keys, transitions
from desktop.services.accounts import require
from desktop.services.clock import Clock
from desktop.services.ids import uuid7
from desktop.services.settings import OfficeSettings, save_settings
from desktop.services.users import wrap_accounts, wrap_server_accounts
from desktop.services.workspace import Workspace
from desktop.store import crypto
from desktop.store.database import DATABASE_FILE, create_sqlite_engine, migrate, raw_cursor, write_transaction
from desktop.sync.client import Progress, SyncClient, insert_accounts, put_state
from desktop.sync.connection import (
    ServerUnreachable,
    bounded_hlc,
    check_desk_clock,
    check_recorded_times,
    display_url,
    server_errors,
    server_time,
)
from desktop.sync.enrolment import with_user
from desktop.sync.purge import purge_case
from desktop.sync.sealing import OfficeSeal
from desktop.sync.server import ServerSession

# sync_state keys of an enrolled desk (inside the desk's encrypted database, never in the settings file)
OFFICE_KEY = "office_key"
DESK_ROLE = "desk_role"
DESK_PASSWORD = "desk_password"

# Settings every desk of the office shares: the first desk to sync gives them to the server, a new desk
# takes them from there. The rest (language, device id, server address…) belong to each desk.
SHARED_SETTINGS = (
    "office_prefix",
    "office_name",
    "office_street",
    "office_postcode",
    "office_city",
    "office_phone",
    "office_email",
    "closing_days",
    "idle_lock_minutes",
    "retention_years",
    "registered_mail_marking",
    "confidentiality_marking",
    *(
        f"{name}_{lang}"
        for lang in ("sv", "en")
        for name in (
            "office_name",
            "office_street",
            "office_city",
            "office_visiting_address",
            "office_opening_hours",
            "registered_mail_marking",
            "confidentiality_marking",
        )
    ),
    "attachment_limit_mb",
)

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _round_lock(workspace: Workspace) -> threading.Lock:
    key = str(Path(workspace.data_dir).resolve())
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def _now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class SyncReport:
    pushed: int  # this desk's events the server did not have before
    pulled: int  # events from other desks (and the server) new on this desk
    blobs_uploaded: int
    blobs_downloaded: int
    final_diary_numbers: dict[str, str] = field(default_factory=dict)  # provisional → final
    duration: float = 0.0  # seconds


@dataclass(frozen=True)
class SyncStatus:
    configured: bool  # a server address is set
    server: str  # the address without its password
    last_success: datetime | None
    last_attempt: datetime | None
    last_error: DomainError | None  # of the latest round, None when it succeeded
    pending_events: int  # this desk's events not on the server yet
    missing_files: int  # files of pulled events not on this desk yet
    first_sync_complete: bool

    @property
    def state(self) -> str:
        """ "standalone", "never" (configured, never synced), "error" or "synced"."""
        if not self.configured:
            return "standalone"
        if self.last_error is not None:
            return "error"
        return "synced" if self.last_success else "never"


class NotEnrolled(DomainError):
    """This desk has no login of its own on the server (or no office key): an admin has to enrol it."""

    def __init__(self) -> None:
        super().__init__(
            N_(
                "This desk is not enrolled with the server: ask an administrator for an enrolment code "
                "(Administration → Desks → Enrol a desk) and sync with it."
            )
        )


def office_seal_of(state: dict[str, str]) -> OfficeSeal | None:
    key = state.get(OFFICE_KEY)
    return OfficeSeal(bytes.fromhex(key)) if key else None


class SyncService:
    def __init__(self, workspace: Workspace, user: User | None = None, clock: Clock | None = None) -> None:
        self.workspace = workspace
        self.user = user
        self.clock = clock or Clock()
        self._server_now: datetime | None = None  # the server's clock, read at the start of a round

    # -- pieces --------------------------------------------------------------------------------------
    def client(self) -> SyncClient:
        hlc = self.workspace.hlc

        def observe(remote: str) -> None:
            if self._server_now is not None:
                remote = bounded_hlc(remote, self._server_now)
            hlc.observe(remote)

        return SyncClient(
            self.workspace.engine, self.workspace.blobs, new_id=uuid7, hlc_now=hlc.now, observe=observe
        )

    def _check_clocks(self, session: ServerSession) -> None:
        """Compare this desk's clock, and the times of what it is about to send, with the server's."""
        self._server_now = server_time(session.connection)
        check_desk_clock(self.clock.now(), self._server_now)
        with self.workspace.engine.connect() as connection:
            cursor = raw_cursor(connection)
            latest = cursor.execute("SELECT max(at) FROM events WHERE server_seq IS NULL").fetchone()[0]
        check_recorded_times(datetime.fromisoformat(latest) if latest else None, self._server_now)

    def _url(self, url: str | None) -> str:
        chosen = (url or self.workspace.settings.server_url).strip()
        if not chosen:
            raise DomainError(N_("No sync server is set for this desk."))
        return chosen

    def open_session(self, url: str | None = None, client: SyncClient | None = None) -> ServerSession:
        """A session as this desk's own login, with the office's keys; NotEnrolled without them."""
        state = (client or self.client()).state()
        seal = office_seal_of(state)
        if seal is None or not state.get(DESK_ROLE) or not state.get(DESK_PASSWORD):
            raise NotEnrolled()
        return ServerSession.open(with_user(self._url(url), state[DESK_ROLE]), seal, state[DESK_PASSWORD])

    def office_seal(self) -> OfficeSeal | None:
        return office_seal_of(self.client().state())

    @staticmethod
    def _check_identity(client: SyncClient, session: ServerSession, remember: bool) -> None:
        known = client.state().get("server_id")
        if known and known != session.info.server_id:
            raise DomainError(
                N_("This desk syncs with another server; a desk cannot change its server."),
            )
        if not known and remember:
            client.set_state(server_id=session.info.server_id)

    def _shared_settings(self) -> dict[str, object]:
        settings = self.workspace.settings
        return {name: getattr(settings, name) for name in SHARED_SETTINGS}

    # -- use cases -----------------------------------------------------------------------------------
    def sync_once(self, progress: Progress | None = None, url: str | None = None) -> SyncReport:
        """One round: accounts, push (files first), pull, files (eager mode). Raises one DomainError."""
        server = self._url(url)
        started = time.monotonic()
        with _round_lock(self.workspace):
            client = self.client()
            client.set_state(last_attempt=_now_text())
            try:
                with server_errors(), self.open_session(server, client) as session:
                    self._check_identity(client, session, remember=True)
                    self._check_clocks(session)
                    session.offer_accounts(client.local_accounts())
                    client.merge_accounts(session.accounts())
                    session.offer_office(self._shared_settings())
                    pushed = client.push(session, progress)
                    pulled = client.pull(session, progress)
                    downloaded = 0
                    if self.workspace.settings.download_blobs == "eager":
                        downloaded = client.download_missing(session, progress)
            except Exception as error:
                if not isinstance(error, DomainError):
                    error = DomainError(
                        N_("Sync failed: {reason}"), reason=str(error) or type(error).__name__
                    )
                client.set_state(last_error=_error_json(error), last_error_at=_now_text())
                raise
            client.set_state(last_success=_now_text(), last_error=None, last_error_at=None, first_sync="done")
        wrap_server_accounts(self.workspace)  # accounts new from the server can unlock this desk
        return SyncReport(
            pushed=pushed.pushed,
            pulled=pulled,
            blobs_uploaded=pushed.blobs_uploaded,
            blobs_downloaded=downloaded,
            final_diary_numbers=dict(pushed.assignments),
            duration=time.monotonic() - started,
        )

    def check_connection(self, url: str | None = None) -> None:
        """Raise the reason when the server cannot be used by this desk (unreachable, wrong schema…)."""
        with server_errors(), self.open_session(url) as session:
            self._check_identity(self.client(), session, remember=False)

    def test_connection(self, url: str | None = None) -> str | None:
        """None when the server at `url` (default: the configured one) works; else the reason, translated."""
        from desktop.i18n import error_text

        try:
            self.check_connection(url)
        except DomainError as error:
            return error_text(error)
        return None

    def status(self) -> SyncStatus:
        client = self.client()
        state = client.state()
        url = self.workspace.settings.server_url
        return SyncStatus(
            configured=bool(url),
            server=display_url(url) if url else "",
            last_success=_time(state.get("last_success")),
            last_attempt=_time(state.get("last_attempt")),
            last_error=_error_from_json(state.get("last_error")),
            pending_events=client.outbox_count(),
            missing_files=len(client.missing_blobs()),
            first_sync_complete=state.get("first_sync", "done") == "done",
        )

    def set_server(
        self, url: str, interval_seconds: int | None = None, download_blobs: str | None = None
    ) -> None:
        """Connect this desk to a server (admins); the address is checked first. "" makes it standalone."""
        if self.user is not None:
            require(self.user, Permission.MANAGE_SETTINGS)
        if url.strip():
            self.check_connection(url)
        settings = OfficeSettings(**vars(self.workspace.settings))
        settings.server_url = url.strip()
        if interval_seconds is not None:
            settings.sync_interval_seconds = interval_seconds
        if download_blobs is not None:
            settings.download_blobs = download_blobs
        self.workspace.save_settings(settings)

    def fetch_blob(self, sha256: str) -> None:
        """Fetch one file from the server now (files are fetched on demand)."""
        with server_errors(), self.open_session() as session:
            client = self.client()
            self._check_identity(client, session, remember=False)
            if not client.download_blob(session, sha256):
                raise DomainError(N_("The file {sha} is not on the server yet."), sha=sha256[:12])

    def purge(self, ref: str, privileged_url: str) -> CaseState:
        """Purge a closed case on the server (privileged role) and everywhere by sync; a reviewer's act."""
        from desktop.services.cases import CaseService

        if self.user is None:
            raise DomainError(N_("Signing in is needed to purge a case."))
        require(self.user, Permission.PURGE)
        self.sync_once()
        cases = CaseService(self.workspace, self.user, self.clock)
        state = cases.get(ref)
        ctx = cases.context()
        ((event_type, payload),) = transitions.purged(ctx, state)
        event = Event(
            id=uuid7(),
            case_id=state.id,
            type=event_type,
            payload=payload,
            actor=self.user.username,
            at=self.clock.now(),
            device_id=self.workspace.settings.device_id,
            hlc=self.workspace.hlc.now(),
        )
        seal = self.office_seal()
        if seal is None:
            raise NotEnrolled()
        purge_case(privileged_url, event, ctx.today, seal)
        self.sync_once()
        return cases.get(state.id)


def create_desk(
    data_dir: Path, url: str, office: dict, accounts: list[tuple], state: dict[str, str]
) -> keys.NewKeys:
    """A new desk's database, built aside and moved into place only when complete.

    Encrypted at rest under a new data key, wrapped for every account the office has (from its password
    hash, until the first sign-in rewraps it) and under a new office recovery key. `state`: the desk's
    login and the office key (from its enrolment).
    """
    if not office or not accounts:
        raise DomainError(
            N_("The server has no office yet: set up the first desk with “kirjaamo init” and sync it.")
        )
    if data_dir.exists() and any(data_dir.iterdir()):
        raise DomainError(N_("{path} is not empty; a new desk needs an empty folder."), path=str(data_dir))
    settings = OfficeSettings(**{key: value for key, value in office.items() if key in SHARED_SETTINGS})
    settings.server_url = url
    settings.device_id = state.pop("device_id", "") or uuid.uuid4().hex[:12]
    settings.validate()
    staging = data_dir.with_name(f".{data_dir.name}.setup")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    new_keys = keys.create(staging, "", "")
    engine = create_sqlite_engine(staging / DATABASE_FILE, crypto.sqlcipher_key(new_keys.data_key))
    try:
        wrap_accounts(staging, new_keys.data_key, [(row[0], row[4]) for row in accounts if row[3]])
        migrate(engine)
        with write_transaction(engine) as connection:
            save_settings(connection, settings)
            cursor = raw_cursor(connection)
            insert_accounts(cursor, accounts)
            for key, value in state.items():
                put_state(cursor, key, value)
            put_state(cursor, "first_sync", "pending")
    except BaseException:
        engine.dispose()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    engine.dispose()
    if data_dir.exists():
        data_dir.rmdir()
    os.replace(staging, data_dir)
    return new_keys


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _error_json(error: DomainError) -> str:
    return json.dumps(
        {"message": error.message, "params": {key: str(value) for key, value in error.params.items()}},
        ensure_ascii=False,
    )


def _error_from_json(value: str | None) -> DomainError | None:
    if not value:
        return None
    data = json.loads(value)
    return DomainError(data["message"], **data["params"])


__all__ = [
    "DESK_PASSWORD",
    "DESK_ROLE",
    "OFFICE_KEY",
    "SHARED_SETTINGS",
    "NotEnrolled",
    "ServerUnreachable",
    "SyncReport",
    "SyncService",
    "SyncStatus",
    "create_desk",
    "office_seal_of",
]
