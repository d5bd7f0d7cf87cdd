"""Encrypted data dirs for the security tests: one template per session (creating accounts costs Argon2
time), copied per test; helpers to sign in and to read the decrypted database below the services."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop.domain.accounts import User
from desktop.services import demo
from desktop.services.settings import OfficeSettings
from desktop.services.workspace import Workspace

PASSWORD = demo.DEMO_PASSWORD


@pytest.fixture(scope="session")
def encrypted_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(data dir, recovery key): an encrypted office with clerk, reviewer and admin (password "demo")."""
    root = tmp_path_factory.mktemp("encrypted_template") / "data"
    settings = OfficeSettings(
        office_prefix="KEHA",
        office_name="Testivirasto",
        office_street="PL 250",
        office_postcode="50101",
        office_city="MIKKELI",
    )
    workspace = Workspace.create(root, settings, "admin", PASSWORD, "Antti Ylläpitäjä", demo=True)
    try:
        demo.ensure_demo_users(workspace)
        recovery = workspace.recovery_key
    finally:
        workspace.close()
    assert recovery
    return root, recovery


@pytest.fixture
def enc_dir(encrypted_template: tuple[Path, str], tmp_path: Path) -> Path:
    target = tmp_path / "enc"
    shutil.copytree(encrypted_template[0], target)
    return target


@pytest.fixture
def recovery_key(encrypted_template: tuple[Path, str]) -> str:
    return encrypted_template[1]


@pytest.fixture
def sign_in(enc_dir: Path) -> Iterator[Callable[[str], tuple[Workspace, User]]]:
    """sign_in(username) → (workspace, user) on this test's encrypted data dir; closed at the end."""
    opened: list[Workspace] = []

    def open_as(
        username: str, password: str = PASSWORD, data_dir: Path | None = None
    ) -> tuple[Workspace, User]:
        workspace, user = Workspace.unlock(data_dir or enc_dir, username, password)
        opened.append(workspace)
        return workspace, user

    yield open_as
    for workspace in opened:
        workspace.close()
