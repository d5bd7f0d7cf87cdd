"""Shared fixtures: one template data dir per session, copied per test; services and the command line.

Keep this file to what several test folders need; put fixtures used by one module in that module.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from desktop.domain.accounts import User
from desktop.i18n import set_language
from desktop.services import accounts, demo
from desktop.services.cases import CaseService
from desktop.services.clock import HELSINKI, FixedClock
from desktop.services.settings import OfficeSettings
from desktop.services.workspace import Workspace

# The office's "today" in tests: a Monday; requests received on 6.11.2026 are due on 7.12.2026.
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=HELSINKI).astimezone(UTC)


def _office_settings() -> OfficeSettings:
    return OfficeSettings(
        office_prefix="KEHA",
        office_name="Testivirasto",
        office_street="PL 250",
        office_postcode="50101",
        office_city="MIKKELI",
        office_email="kirjaamo@testivirasto.example",
    )


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """Every test starts in English (the message ids it compares with) and leaves it so.

    The app's own default is Finnish; a test that checks another language switches on purpose.
    """
    set_language("en")
    yield
    set_language("en")


@pytest.fixture(scope="session")
def template_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty office (KEHA, Testivirasto) with the demo users clerk/reviewer/admin, password "demo".

    Not encrypted at rest, for speed (tests open it with `Workspace.open` and read it with plain sqlite3);
    the security tests (tests/security/) work on encrypted data dirs of their own.
    """
    root = tmp_path_factory.mktemp("template") / "data"
    workspace = Workspace.create(
        root, _office_settings(), "admin", demo.DEMO_PASSWORD, "Antti Ylläpitäjä", encrypted=False, demo=True
    )
    try:
        demo.ensure_demo_users(workspace)
    finally:
        workspace.close()
    return root


@pytest.fixture
def data_dir(template_data_dir: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template data dir for this test."""
    target = tmp_path / "data"
    shutil.copytree(template_data_dir, target)
    return target


@pytest.fixture
def workspace(data_dir: Path) -> Iterator[Workspace]:
    opened = Workspace.open(data_dir)
    yield opened
    opened.close()


@pytest.fixture
def clock() -> FixedClock:
    """Monday 23.11.2026 10:00 in Helsinki; tests move it with `clock.set(...)`."""
    return FixedClock(NOW)


def _user(workspace: Workspace, username: str) -> User:
    with workspace.engine.connect() as connection:
        return accounts.find_user(connection, username)


@pytest.fixture
def clerk_service(workspace: Workspace, clock: FixedClock) -> CaseService:
    return CaseService(workspace, _user(workspace, "clerk"), clock)


@pytest.fixture
def reviewer_service(workspace: Workspace, clock: FixedClock) -> CaseService:
    return CaseService(workspace, _user(workspace, "reviewer"), clock)


@pytest.fixture
def admin_service(workspace: Workspace, clock: FixedClock) -> CaseService:
    return CaseService(workspace, _user(workspace, "admin"), clock)


@pytest.fixture
def paper_request() -> dict:
    """A signed paper access request as `cases register --json` takes it (design §10); a fresh dict."""
    return {
        "right": "access",
        "channel": "post",
        "received": "2026-11-06",
        "registers": ["te-asiakasrekisteri"],
        "signed": True,
        "details": "Pyydän kopiot kaikista minua koskevista tiedoista.",
        "requester": {
            "name": "Maija Meikäläinen",
            "hetu": "131052-308T",
            "language": "fi",
            "email": "maija.meikalainen@example.fi",
            "phone": "040 1234567",
            "address": {
                "street": "Mannerheimintie 1 A 2",
                "postcode": "00100",
                "city": "Helsinki",
                "country": "",
            },
        },
    }


CliResult = tuple[int, str, str]


@pytest.fixture
def run_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> Callable[..., CliResult]:
    """Run `kirjaamo ARGS...` in-process; returns (exit code, stdout, stderr).

    Signed in as clerk/demo (KIRJAAMO_USER, KIRJAAMO_PASSWORD), messages in English, and the data dir is
    this test's `data_dir` unless `--data-dir` is given. `env` sets (or, with None, removes) variables.
    """
    monkeypatch.setenv("KIRJAAMO_PASSWORD", demo.DEMO_PASSWORD)
    monkeypatch.setenv("KIRJAAMO_USER", "clerk")
    monkeypatch.setenv("KIRJAAMO_LANG", "en")
    monkeypatch.setenv("KIRJAAMO_DATA_DIR", str(data_dir))

    def run(*args: object, env: dict[str, str | None] | None = None) -> CliResult:
        from desktop.cli import main
        from desktop.i18n import current_language, set_language

        language = current_language()  # main() switches the process-wide language; give it back after
        with monkeypatch.context() as patch:
            for name, value in (env or {}).items():
                if value is None:
                    patch.delenv(name, raising=False)
                else:
                    patch.setenv(name, value)
            capsys.readouterr()
            try:
                code = main([str(arg) for arg in args])
            except SystemExit as exit_:
                code = 0 if exit_.code is None else exit_.code if isinstance(exit_.code, int) else 1
            finally:
                set_language(language)
            out, err = capsys.readouterr()
        return code, out, err

    return run


DEMO_10K_TODAY = date(2026, 11, 23)


@pytest.fixture(scope="session")
def make_demo_template(
    template_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str, int, int, date], Path]:
    """make(name, cases, seed, today): a copy of the template office filled with demo cases, for a session."""

    def make(name: str, cases: int, seed: int, today: date) -> Path:
        root = tmp_path_factory.mktemp(name) / "data"
        shutil.copytree(template_data_dir, root)
        workspace = Workspace.open(root)
        try:
            demo.generate(workspace, cases, seed=seed, today=today)
        finally:
            workspace.close()
        return root

    return make


@pytest.fixture(scope="session")
def demo_10k_template(make_demo_template) -> Path:
    """10,000 demo cases (seed 7, today 23.11.2026): built once per session, only when a slow test asks."""
    return make_demo_template("demo10k", 10000, 7, DEMO_10K_TODAY)


@pytest.fixture
def demo_10k_dir(demo_10k_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the 10,000-case demo data dir for this test."""
    target = tmp_path / "demo10k"
    shutil.copytree(demo_10k_template, target)
    return target
