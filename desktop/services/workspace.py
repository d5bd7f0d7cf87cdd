"""A data dir opened for work: the database, the blob store, settings, the register catalog, the calendar."""

from __future__ import annotations

import json
import os
import uuid
from functools import cached_property
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine

from desktop.domain.accounts import Role, User
from desktop.domain.deadlines import WorkCalendar
from desktop.domain.errors import N_, DomainError
from desktop.domain.registers import RegisterCatalog
from desktop.services import accounts
from desktop.services.catalog import load_catalog
from desktop.services.ids import HybridClock
from desktop.services.settings import OfficeSettings, load_settings, save_settings
from desktop.store.blobs import BlobStore
from desktop.store.database import DATABASE_FILE, create_sqlite_engine, migrate, write_transaction


def default_data_dir() -> Path:
    """`KIRJAAMO_DATA_DIR`, else the platform's per-user data folder."""
    configured = os.environ.get("KIRJAAMO_DATA_DIR")
    return Path(configured) if configured else Path(user_data_dir("Kirjaamo", appauthor=False))


class Workspace:
    def __init__(self, data_dir: Path, engine: Engine) -> None:
        self.data_dir = data_dir
        self.engine = engine
        self.blobs = BlobStore(data_dir / "blobs")
        self.catalog: RegisterCatalog = load_catalog()
        self.reload_settings()

    @classmethod
    def open(cls, data_dir: Path) -> Workspace:
        """Open an existing data dir (migrating its schema if the app is newer)."""
        database = data_dir / DATABASE_FILE
        if not database.exists():
            raise DomainError(
                N_("No Kirjaamo data in {path}; create it with “kirjaamo init” or “kirjaamo demo”."),
                path=str(data_dir),
            )
        engine = create_sqlite_engine(database)
        migrate(engine)
        return cls(data_dir, engine)

    @classmethod
    def create(
        cls,
        data_dir: Path,
        settings: OfficeSettings,
        admin_username: str = "admin",
        admin_password: str = "",
        admin_display_name: str = "",
    ) -> Workspace:
        """A new, empty data dir with the office's settings and one administrator."""
        settings.validate()
        data_dir.mkdir(parents=True, exist_ok=True)
        database = data_dir / DATABASE_FILE
        if database.exists():
            raise DomainError(N_("{path} already holds Kirjaamo data."), path=str(data_dir))
        engine = create_sqlite_engine(database)
        try:
            migrate(engine)
            settings.device_id = settings.device_id or uuid.uuid4().hex[:12]
            with write_transaction(engine) as connection:
                save_settings(connection, settings)
                accounts.create_user(
                    connection, admin_username, admin_display_name, Role.ADMIN, admin_password
                )
        except BaseException:
            engine.dispose()
            for leftover in data_dir.glob(DATABASE_FILE + "*"):
                leftover.unlink()
            raise
        return cls(data_dir, engine)

    @cached_property
    def hlc(self) -> HybridClock:
        """This desk's hybrid logical clock, shared by every service of the workspace."""
        with self.engine.connect() as connection:
            cursor = connection.connection.driver_connection.cursor()
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

    def sign_in(self, username: str, password: str, remember: bool = True) -> User:
        """Check the password. The desktop app remembers who signed in last (the sign-in dialog offers
        them); the command line does not (`remember=False`), so a refused command writes nothing."""
        with write_transaction(self.engine) as connection:
            user = accounts.authenticate(connection, username, password)
            if remember:
                connection.connection.driver_connection.cursor().execute(
                    "INSERT INTO settings (key, value) VALUES ('last_user', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (json.dumps(user.username),),
                )
        if remember:
            self.settings.last_user = user.username
        return user

    def settings_server_url(self) -> str:
        """The shared server this desk syncs with, or "" for a standalone desk."""
        return getattr(self.settings, "server_url", "") or ""

    def close(self) -> None:
        self.engine.dispose()
