"""A data dir opened for work: the database, the blob store, settings, the register catalog, the calendar."""

from __future__ import annotations

import hmac
import json
import os
import uuid
from datetime import datetime
from functools import cached_property
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine

from desktop.domain.accounts import Role, User
from desktop.domain.deadlines import WorkCalendar
from desktop.domain.errors import N_, DomainError
from desktop.domain.registers import RegisterCatalog
from desktop.services import access_log, accounts, keys, rotation
from desktop.services.access_log import Action
from desktop.services.catalog import load_catalog
from desktop.services.ids import HybridClock
from desktop.services.settings import OfficeSettings, load_settings, save_settings
from desktop.store import crypto
from desktop.store.blobs import BlobStore
from desktop.store.database import DATABASE_FILE, create_sqlite_engine, migrate, raw_cursor, write_transaction

WRONG_PASSWORD = N_("Wrong user name or password.")


class WorkspaceLocked(DomainError):
    """The data dir is encrypted: it opens only by signing in (`Workspace.unlock`)."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(
            N_("{path} is locked: sign in with your user name and password to open it."), path=str(data_dir)
        )


def default_data_dir() -> Path:
    """`KIRJAAMO_DATA_DIR`, else the platform's per-user data folder."""
    configured = os.environ.get("KIRJAAMO_DATA_DIR")
    return Path(configured) if configured else Path(user_data_dir("Kirjaamo", appauthor=False))


class Workspace:
    def __init__(self, data_dir: Path, engine: Engine, data_key: bytes | None = None) -> None:
        self.data_dir = data_dir
        self.engine = engine
        self._data_key = data_key
        self.blobs = BlobStore(data_dir / "blobs", crypto.blob_key(data_key) if data_key else None)
        # The office recovery key of a data dir created just now (shown once, never stored in the clear).
        self.recovery_key: str | None = None
        self.catalog: RegisterCatalog = load_catalog()
        self.reload_settings()

    @property
    def encrypted(self) -> bool:
        return self._data_key is not None

    @property
    def data_key(self) -> bytes | None:
        """The data key of an encrypted data dir (services that rewrap it or copy the data need it)."""
        return self._data_key

    @staticmethod
    def database_path(data_dir: Path) -> Path:
        """The data dir's database file; a clear error when there is no Kirjaamo data."""
        database = Path(data_dir) / DATABASE_FILE
        if not database.exists():
            raise DomainError(
                N_("No Kirjaamo data in {path}; create it with “kirjaamo init” or “kirjaamo demo”."),
                path=str(data_dir),
            )
        return database

    @staticmethod
    def holds_data(data_dir: Path) -> bool:
        """Whether the folder is a Kirjaamo data dir (it has the database file)."""
        return (Path(data_dir) / DATABASE_FILE).exists()

    @staticmethod
    def is_encrypted(data_dir: Path) -> bool:
        """Whether the data dir's database is encrypted (then only `unlock` opens it)."""
        database = Path(data_dir) / DATABASE_FILE
        return database.exists() and crypto.is_encrypted_database(database)

    @classmethod
    def open(cls, data_dir: Path) -> Workspace:
        """Open an existing unencrypted data dir (migrating its schema if the app is newer).

        An encrypted one raises WorkspaceLocked: it opens with `Workspace.unlock` (a password).
        """
        database = cls.database_path(data_dir)
        if crypto.is_encrypted_database(database):
            raise WorkspaceLocked(Path(data_dir))
        engine = create_sqlite_engine(database)
        migrate(engine)
        return cls(Path(data_dir), engine)

    @classmethod
    def open_with_key(cls, data_dir: Path, data_key: bytes) -> Workspace:
        """Open an encrypted data dir with its data key (after a password or the recovery key gave it)."""
        database = cls.database_path(data_dir)
        old_key = rotation.old_key_of(data_dir, data_key)  # a key rotation under way: finish it
        if old_key is not None:
            rotation.rekey_database(data_dir, old_key, data_key)
        engine = create_sqlite_engine(database, crypto.sqlcipher_key(data_key))
        try:
            migrate(engine)
        except Exception as error:
            engine.dispose()
            if "not a database" in str(error):
                raise DomainError(
                    N_(
                        "The database in {path} does not open with its key: the key file belongs to other data."
                    ),
                    path=str(data_dir),
                ) from None
            raise
        workspace = cls(Path(data_dir), engine, data_key)
        try:
            if old_key is not None:
                workspace.blobs.set_keys(crypto.blob_key(data_key), crypto.blob_key(old_key))
            if rotation.pending(data_dir):
                rotation.resume(workspace)
        except BaseException:
            workspace.close()
            raise
        return workspace

    def use_key(self, data_key: bytes, old_key: bytes | None = None) -> None:
        """After the database was re-keyed (key rotation): connections under the new key; blobs read with
        the new key, or the old one until they are resealed."""
        self.engine.dispose()
        self.engine = create_sqlite_engine(self.database_path(self.data_dir), crypto.sqlcipher_key(data_key))
        self._data_key = data_key
        self.blobs.set_keys(crypto.blob_key(data_key), crypto.blob_key(old_key) if old_key else None)

    @classmethod
    def unlock(
        cls, data_dir: Path, username: str, password: str, remember: bool = True
    ) -> tuple[Workspace, User]:
        """Sign in and open the data dir: the password unwraps the data key of an encrypted data dir.

        Wrong passwords slow the next tries down (per user name, kept across restarts) and are written to
        the access log at the next successful sign-in; every sign-in is logged.
        """
        data_dir = Path(data_dir)
        database = cls.database_path(data_dir)
        if not crypto.is_encrypted_database(database):
            workspace = cls.open(data_dir)
            try:
                return workspace, workspace.sign_in(username, password, remember)
            except BaseException:
                workspace.close()
                raise
        name = username.strip()
        keys.check_guard(data_dir, name)
        entry = keys.load(data_dir)["wraps"].get(name)
        try:
            if entry is None:
                keys.burn_time(password)
                raise keys.WrongPassword()
            data_key, rewrap = keys.unwrap_password(entry, name, password)
        except keys.WrongPassword:
            keys.record_failure(data_dir, name, "wrong_password")
            raise
        workspace = cls.open_with_key(data_dir, data_key)
        try:
            user = workspace._signed_in(name, remember, Action.SIGN_IN)
            if rewrap:  # an account from the sync server, or older key-derivation costs: a fresh wrap
                keys.set_wrap(data_dir, name, keys.password_wrap(data_key, name, password))
        except BaseException:
            workspace.close()
            raise
        return workspace, user

    @staticmethod
    def is_demo(data_dir: Path) -> bool:
        """A demo data dir (`kirjaamo demo`): the sign-in dialog says its password is the demo one."""
        return keys.is_demo(Path(data_dir))

    @staticmethod
    def last_user_hint(data_dir: Path) -> str:
        """Who signed in last on this desk (offered first by the sign-in dialog and the command line)."""
        try:
            return str(keys.load(Path(data_dir)).get("last_user", ""))
        except DomainError:
            return ""

    @classmethod
    def create(
        cls,
        data_dir: Path,
        settings: OfficeSettings,
        admin_username: str = "admin",
        admin_password: str = "",
        admin_display_name: str = "",
        encrypted: bool = True,
        demo: bool = False,
    ) -> Workspace:
        """A new, empty data dir with the office's settings and one administrator.

        Encrypted (the default): a new data key, wrapped for the administrator and under a new office
        recovery key, which is in `recovery_key` of the returned workspace — shown once, stored nowhere.
        """
        settings.validate()
        admin_username = accounts.validate_username(admin_username)
        accounts.validate_password(admin_password, admin_username, demo)
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        database = data_dir / DATABASE_FILE
        if database.exists():
            raise DomainError(N_("{path} already holds Kirjaamo data."), path=str(data_dir))
        new_keys = None
        try:
            if encrypted:
                new_keys = keys.create(data_dir, admin_username, admin_password)
                engine = create_sqlite_engine(database, crypto.sqlcipher_key(new_keys.data_key))
            else:
                engine = create_sqlite_engine(database)
            if demo:
                keys.mark_demo(data_dir)
            try:
                migrate(engine)
                settings.device_id = settings.device_id or uuid.uuid4().hex[:12]
                with write_transaction(engine) as connection:
                    save_settings(connection, settings)
                    user = accounts.create_user(
                        connection, admin_username, admin_display_name, Role.ADMIN, admin_password, demo
                    )
                    access_log.append(
                        connection,
                        username=user.username,
                        role=user.role.value,
                        device_id=settings.device_id,
                        action=Action.USER_CREATED,
                        detail=f"user={user.username} role={user.role.value} (new data dir)",
                    )
            except BaseException:
                engine.dispose()
                raise
        except BaseException:
            for leftover in data_dir.glob(DATABASE_FILE + "*"):
                leftover.unlink()
            if new_keys is not None or demo:
                keys.key_file(data_dir).unlink(missing_ok=True)
            raise
        workspace = cls(data_dir, engine, new_keys.data_key if new_keys else None)
        if new_keys is not None:
            workspace.recovery_key = new_keys.recovery_text
        return workspace

    @cached_property
    def hlc(self) -> HybridClock:
        """This desk's hybrid logical clock, shared by every service of the workspace."""
        with self.engine.connect() as connection:
            cursor = raw_cursor(connection)
            row = cursor.execute("SELECT max(hlc) FROM events").fetchone()
        return HybridClock(self.settings.device_id, row[0] or "")

    def reload_settings(self) -> None:
        with self.engine.connect() as connection:
            self.settings = load_settings(connection)
        self.calendar = WorkCalendar(self.settings.closing_dates())

    def save_settings(self, settings: OfficeSettings) -> None:
        with write_transaction(self.engine) as connection:
            save_settings(connection, settings)
        self.reload_settings()

    def sign_in(
        self, username: str, password: str, remember: bool = True, action: str = Action.SIGN_IN
    ) -> User:
        """Check the password (for an encrypted data dir: against the user's wrap of the data key).

        The desktop app remembers who signed in last (the sign-in dialog offers them); the command line
        does not (`remember=False`). Failures wait and are logged as for `unlock`.
        """
        name = username.strip()
        keys.check_guard(self.data_dir, name)
        if self.encrypted:
            entry = keys.load(self.data_dir)["wraps"].get(name)
            try:
                if entry is None:
                    keys.burn_time(password)
                    raise keys.WrongPassword()
                data_key, _rewrap = keys.unwrap_password(entry, name, password)
                if not hmac.compare_digest(data_key, self._data_key or b""):
                    raise keys.WrongPassword()
            except keys.WrongPassword:
                keys.record_failure(self.data_dir, name, "wrong_password")
                raise
        else:
            with self.engine.connect() as connection:
                try:
                    accounts.authenticate(connection, name, password)
                except DomainError as error:
                    reason = "wrong_password" if error.message == WRONG_PASSWORD else "disabled"
                    keys.record_failure(self.data_dir, name, reason)
                    raise
        return self._signed_in(name, remember, action)

    def _signed_in(self, username: str, remember: bool, action: str) -> User:
        """After the password held: the account must exist and be active; log it, with the failures before."""
        failures, dropped = keys.pending_failures(self.data_dir)
        with write_transaction(self.engine) as connection:
            try:
                user = accounts.find_user(connection, username)
            except DomainError:
                user = None
            if user is None or not user.active:
                error = (
                    DomainError(N_("The account {username} has been disabled."), username=username)
                    if user is not None
                    else DomainError(WRONG_PASSWORD)
                )
            else:
                error = None
            for failure in failures:
                access_log.append(
                    connection,
                    username=failure["username"],
                    role="",
                    device_id=self.settings.device_id,
                    action=Action.SIGN_IN_FAILED,
                    detail=f"reason={failure['reason']} in_a_row={failure.get('count', 1)}",
                    at=datetime.fromisoformat(failure["at"]),
                )
            if dropped:
                access_log.append(
                    connection,
                    username="",
                    role="",
                    device_id=self.settings.device_id,
                    action=Action.SIGN_IN_FAILED,
                    detail=f"{dropped} more failed sign-ins not kept (the key file's list was full)",
                )
            if error is None:
                access_log.record_in(connection, self, user, action)
                if remember:
                    raw_cursor(connection).execute(
                        "INSERT INTO settings (key, value) VALUES ('last_user', ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        (json.dumps(user.username),),
                    )
        keys.forget_failures(self.data_dir, len(failures), dropped)
        if error is not None:
            keys.record_failure(self.data_dir, username, "disabled" if user is not None else "no_account")
            raise error
        keys.clear_guard(self.data_dir, username)
        if remember:
            self.settings.last_user = user.username
            keys.remember_user(self.data_dir, user.username, self.settings.ui_language)
        return access_log.bind(self, user)

    def close(self) -> None:
        self.engine.dispose()
