"""Office settings as a use case: who may change what."""

from __future__ import annotations

from dataclasses import replace

from desktop.domain.accounts import Permission, User
from desktop.services.accounts import require
from desktop.services.settings import OfficeSettings
from desktop.services.workspace import Workspace


class OfficeService:
    def __init__(self, workspace: Workspace, user: User) -> None:
        self.workspace = workspace
        self.user = user

    def settings(self) -> OfficeSettings:
        return replace(self.workspace.settings)

    def save(self, settings: OfficeSettings) -> OfficeSettings:
        """Save the office profile (admins only)."""
        require(self.user, Permission.MANAGE_SETTINGS)
        self.workspace.save_settings(settings)
        return self.settings()

    def sync_service(self):
        """The sync use cases for this user (made when used: they bring the PostgreSQL driver)."""
        from desktop.services.sync_service import SyncService

        return SyncService(self.workspace, self.user)

    def set_ui_language(self, language: str) -> None:
        """Anyone may choose the language they work in."""
        settings = self.settings()
        settings.ui_language = language
        self.workspace.save_settings(settings)
