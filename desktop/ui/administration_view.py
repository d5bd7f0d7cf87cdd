"""The Administration page: users and the access log (administrators), retention and backup."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from desktop.domain.accounts import Permission, User
from desktop.i18n import _
from desktop.services.cases import CaseService
from desktop.ui.access_log_view import AccessLogView
from desktop.ui.desks_view import DesksView
from desktop.ui.retention_view import BackupBox, RetentionView
from desktop.ui.runner import DbRunner
from desktop.ui.users_view import UsersView


def can_administer(user: User) -> bool:
    """Whether the page is shown at all (clerks have nothing to do there)."""
    return any(user.can(p) for p in (Permission.MANAGE_USERS, Permission.VIEW_ACCESS_LOG, Permission.PURGE))


class AdministrationView(QWidget):
    def __init__(self, service: CaseService, runner: DbRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        user = service.user
        self.tabs = QTabWidget()
        self.users_view = UsersView(service.user_service(), runner)
        self.access_log_view = AccessLogView(service.access_log_service(), runner)
        self.retention_view = RetentionView(service.retention_service(), runner, lambda: service.settings)
        self.backup_box = BackupBox(service, runner)
        self.desks_view = DesksView(service.desk_service(), runner)
        retention_page = QWidget()
        retention_layout = QVBoxLayout(retention_page)
        retention_layout.addWidget(self.retention_view, 1)
        retention_layout.addWidget(self.backup_box)
        self._pages = []
        if user.can(Permission.MANAGE_USERS):
            self._pages.append((self.tabs.addTab(self.users_view, ""), self.users_view))
        if user.can(Permission.VIEW_ACCESS_LOG):
            self._pages.append((self.tabs.addTab(self.access_log_view, ""), self.access_log_view))
        self._pages.append((self.tabs.addTab(retention_page, ""), self.retention_view))
        if user.can(Permission.MANAGE_SETTINGS):
            self._pages.append((self.tabs.addTab(self.desks_view, ""), self.desks_view))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.tabs.currentChanged.connect(lambda _index: self.reload())
        self.retranslate()

    def retranslate(self) -> None:
        names = {
            self.users_view: _("&Users"),
            self.access_log_view: _("&Access log"),
            self.retention_view: _("Re&tention and backup"),
            self.desks_view: _("&Desks"),
        }
        for index, view in self._pages:
            self.tabs.setTabText(index, names[view])
            view.retranslate()
        self.backup_box.retranslate()
        self.tabs.setAccessibleName(_("Administration"))

    def reload(self) -> None:
        """Load the tab on screen (only then: the access log can be long)."""
        for index, view in self._pages:
            if index == self.tabs.currentIndex():
                view.reload()
