"""Sync fixtures: a fresh PostgreSQL database per test (created, initialised, dropped) and desks.

PostgreSQL must run at 127.0.0.1:5432 with the superuser `postgres` (trust auth, as CI provides).
Without it the sync tests are skipped with the reason — except in CI (`CI` set), where they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from desktop.cli import case_json
from desktop.domain.accounts import Role, User
from desktop.services import demo
from desktop.services.cases import CaseService
from desktop.services.clock import HELSINKI, FixedClock
from desktop.services.settings import OfficeSettings
from desktop.services.sync_service import SyncReport, SyncService
from desktop.services.workspace import Workspace
from desktop.sync.server_schema import init_server

PG_HOST, PG_PORT = "127.0.0.1", 5432
ADMIN_CONNINFO = f"host={PG_HOST} port={PG_PORT} user=postgres dbname=postgres connect_timeout=3"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=HELSINKI).astimezone(UTC)  # a Monday


@pytest.fixture(scope="session")
def postgres_available() -> None:
    try:
        psycopg.connect(ADMIN_CONNINFO).close()
    except psycopg.Error as error:
        reason = f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}: {' '.join(str(error).split())}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@dataclass(frozen=True)
class Server:
    database: str
    privileged_role: str
    desk_group: str

    def url(self, user: str) -> str:
        return f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{self.database}"

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    @property
    def privileged_url(self) -> str:
        return self.url(self.privileged_role)

    def connect(self, user: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(
            f"host={PG_HOST} port={PG_PORT} user={user} dbname={self.database}", autocommit=True
        )

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self.connect() as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def event_ids(self) -> set[str]:
        return {row[0] for row in self.query("SELECT id FROM change_log")}


def _drop(database: str) -> None:
    """The database and every role made for it (privileged, desks' group, each desk's login)."""
    from desktop.sync.server_schema import server_roles_pattern

    with psycopg.connect(ADMIN_CONNINFO, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        roles = [
            row[0]
            for row in admin.execute(
                "SELECT rolname FROM pg_roles WHERE rolname LIKE %s ORDER BY rolname LIKE '%%\\_desks' ",
                (server_roles_pattern(database),),
            ).fetchall()
        ]
        for role in roles:
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture
def new_database(postgres_available: None) -> Iterator[Callable[[], str]]:
    """new_database(): another empty database of this test's own (all dropped afterwards, with their roles)."""
    created: list[str] = []

    def create() -> str:
        database = f"kirjaamo_t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(ADMIN_CONNINFO, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        created.append(database)
        return database

    yield create
    for database in created:
        _drop(database)


@pytest.fixture
def empty_database(new_database: Callable[[], str]) -> str:
    """A new, empty database of this test's own."""
    return new_database()


@pytest.fixture
def server(empty_database: str) -> Server:
    """`kirjaamo server init` done on the test's own database."""
    result = init_server(f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{empty_database}")
    return Server(empty_database, result.privileged_role, result.desk_group)


@pytest.fixture(scope="session")
def desk_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty office (KEHA) with users admin, clerk, reviewer (password "demo")."""
    root = tmp_path_factory.mktemp("sync_template") / "data"
    settings = OfficeSettings(office_prefix="KEHA", office_name="Testivirasto", office_city="MIKKELI")
    workspace = Workspace.create(
        root, settings, "admin", demo.DEMO_PASSWORD, "Antti Ylläpitäjä", encrypted=False, demo=True
    )
    try:
        demo.ensure_demo_users(workspace)
    finally:
        workspace.close()
    return root


def request(name: str = "Maija Meikäläinen", received: str = "2026-11-06", **extra) -> dict:
    """A paper access request as `cases register --json` takes it."""
    data = {
        "right": "access",
        "channel": "post",
        "received": received,
        "registers": ["te-asiakasrekisteri"],
        "signed": True,
        "details": f"Pyydän kaikki tietoni ({name}).",
        "requester": {
            "name": name,
            "language": "fi",
            "email": "maija@example.fi",
            "address": {"street": "Mannerheimintie 1", "postcode": "00100", "city": "Helsinki"},
        },
    }
    data.update(extra)
    return data


class Desk:
    """One workstation: its own data dir, clock and signed-in user."""

    def __init__(self, name: str, workspace: Workspace, role: Role = Role.ADMIN) -> None:
        self.name = name
        self.workspace = workspace
        self.clock = FixedClock(NOW)
        self.user = User("admin" if role is Role.ADMIN else role.value, name, role)
        self.url = ""  # the server address of the desk's own login, once enrolled

    def session(self):
        """A server session as this desk's own login, with the office's keys."""
        return self.service.open_session(self.url or None)

    @property
    def cases(self) -> CaseService:
        return CaseService(self.workspace, self.user, self.clock)

    @property
    def service(self) -> SyncService:
        return SyncService(self.workspace, self.user, self.clock)

    def sync(self, **kwargs) -> SyncReport:
        return self.service.sync_once(**kwargs)

    def register(self, name: str = "Maija Meikäläinen", **extra) -> str:
        """Register a request; returns the case id."""
        return self.cases.register(request(name, **extra)).id

    def case_ids(self) -> list[str]:
        with self.workspace.engine.connect() as connection:
            cursor = connection.connection.driver_connection.cursor()
            return [row[0] for row in cursor.execute("SELECT id FROM cases ORDER BY id").fetchall()]

    def event_ids(self) -> set[str]:
        with self.workspace.engine.connect() as connection:
            cursor = connection.connection.driver_connection.cursor()
            return {row[0] for row in cursor.execute("SELECT id FROM events").fetchall()}

    def show(self, case_id: str) -> dict:
        """`kirjaamo cases show --json` of the case."""
        cases = self.cases
        return case_json(cases.get(case_id), cases.timeline(case_id))

    def everything(self) -> dict[str, dict]:
        return {case_id: self.show(case_id) for case_id in self.case_ids()}


def enrol(desk: Desk, server: Server, founder: Desk | None) -> None:
    """The first desk founds the server; every later one joins with a code made on the founder."""
    from desktop.services.desks import DeskService, join

    if founder is None:
        DeskService(desk.workspace, desk.user).found(server.privileged_url, desk.name)
        return
    code = DeskService(founder.workspace, founder.user).enrol(server.privileged_url, desk.name).code
    join(desk.workspace.data_dir, server.privileged_url, code, "admin", demo.DEMO_PASSWORD, desk.workspace)


@pytest.fixture
def make_desk(desk_template: Path, tmp_path: Path) -> Iterator[Callable[..., Desk]]:
    """make_desk(name, server=None, **settings): a copy of the template office with its own device id.

    With `server` the desk is enrolled there (the first founds it, the others join by a code); with
    `url` only, the address is set and nothing else (a desk that is not enrolled).
    """
    opened: list[Workspace] = []
    founders: dict[str, Desk] = {}

    def make(name: str, server: Server | None = None, url: str | None = None, **settings) -> Desk:
        root = tmp_path / name
        shutil.copytree(desk_template, root)
        workspace = Workspace.open(root)
        opened.append(workspace)
        values = OfficeSettings(**vars(workspace.settings))
        values.device_id = f"desk-{name}"
        values.server_url = url or ""
        for key, value in settings.items():
            setattr(values, key, value)
        workspace.save_settings(values)
        desk = Desk(name, workspace)
        if server is not None:
            enrol(desk, server, founders.get(server.database))
            founders.setdefault(server.database, desk)
            desk.url = workspace.settings.server_url  # its own login's address
            if url is not None:
                values = OfficeSettings(**vars(workspace.settings))
                values.server_url = url
                workspace.save_settings(values)
        return desk

    yield make
    for workspace in opened:
        workspace.close()


def sync_all(desks: list[Desk], rounds: int = 2) -> None:
    """Every desk syncs, in the given order, `rounds` times (twice: everyone has heard everything)."""
    for _ in range(rounds):
        for desk in desks:
            desk.sync()


def assert_converged(desks: list[Desk], server: Server) -> dict[str, dict]:
    """All desks show the same cases identically, and every event any desk holds is on the server."""
    from desktop.services.maintenance import verify

    first = desks[0].everything()
    for desk in desks[1:]:
        assert desk.everything() == first, f"{desk.name} differs from {desks[0].name}"
    on_server = server.event_ids()
    for desk in desks:
        assert desk.event_ids() == on_server, desk.name
        assert verify(desk.workspace) == [], desk.name  # projections equal the fold of the log
        assert desk.service.status().pending_events == 0
    return first
