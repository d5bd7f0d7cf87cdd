"""The main window: navigation, the views, the status bar with office, user and connection state."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
)

from desktop.i18n import _, current_language, off_language_changed, on_language_changed, set_language
from desktop.services import words
from desktop.services.cases import CaseService
from desktop.ui import menus
from desktop.ui.administration_view import AdministrationView, can_administer
from desktop.ui.case_list import CaseListView
from desktop.ui.case_list_model import CaseListModel
from desktop.ui.case_view import CaseView, action_text
from desktop.ui.intake_form import IntakeForm
from desktop.ui.menus import MenuBar
from desktop.ui.operations import SYNC, CaseChanges, notifier
from desktop.ui.reports_view import ReportsView
from desktop.ui.runner import DbRunner
from desktop.ui.scan_inbox import ScanInboxView
from desktop.ui.settings_view import SettingsView
from desktop.ui.sign_in import IdleWatcher, SignInDialog
from desktop.ui.today_view import TodayView
from desktop.ui.view_state import ViewState

PAGES = ("today", "cases", "reports", "new", "scans", "settings", "admin")


class MainWindow(QMainWindow):
    def __init__(self, service: CaseService, runner: DbRunner | None = None) -> None:
        super().__init__()
        self.service = service
        self.runner = runner or DbRunner(self)
        self.office = service.office_service()
        self.resize(1360, 860)

        self.nav = QListWidget()
        self.nav.setMinimumWidth(150)
        self.nav.setMaximumWidth(240)
        self.nav.setStyleSheet("QListWidget { font-size: 14px; } QListWidget::item { padding: 10px; }")
        for _page in PAGES:
            self.nav.addItem(QListWidgetItem())
        self.stack = QStackedWidget()
        self.today_view = TodayView(service, self.runner)
        self.case_model = CaseListModel(service, self.runner, self)
        self.case_list = CaseListView(self.case_model)
        self.intake_form = IntakeForm(service, self.runner)
        self.settings_view = SettingsView(self.office, self.runner)
        self.case_view = CaseView(service, self.runner)
        self.reports_view = ReportsView(service.report_service(), self.runner)
        self._scan_count = 0
        self.scan_inbox = ScanInboxView(
            service, self.runner, self.office, self.intake_form, lambda: self.show_page("new")
        )
        self.admin_view = AdministrationView(service, self.runner)
        for widget in (
            self.today_view,
            self.case_list,
            self.reports_view,
            self.intake_form,
            self.scan_inbox,
            self.settings_view,
            self.case_view,
            self.admin_view,
        ):
            self.stack.addWidget(widget)
        # Only those with something to administer see the page (the services refuse the rest anyway).
        self.nav.item(PAGES.index("admin")).setHidden(not can_administer(service.user))
        splitter = QSplitter()
        self.splitter = splitter
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)

        self.office_label = QLabel()
        self.user_label = QLabel()
        self.connection_label = QLabel()
        self.busy_label = QLabel()
        status = self.statusBar()
        status.addPermanentWidget(self.busy_label)
        status.addPermanentWidget(self.office_label)
        status.addPermanentWidget(self.user_label)
        status.addPermanentWidget(self.connection_label)

        self._actions: dict[str, QAction] = {}
        self._restyling = False
        self._add_action("new", "Ctrl+N", lambda: self.show_page("new"))
        self._add_action("find", "Ctrl+F", self.find_cases)
        self._add_action("today", "Ctrl+1", lambda: self.show_page("today"))
        self._add_action("cases", "Ctrl+2", lambda: self.show_page("cases"))
        self._add_action("reports", "Ctrl+3", lambda: self.show_page("reports"))
        self._add_action("settings", "Ctrl+,", lambda: self.show_page("settings"))
        self._add_action("email", "Ctrl+E", self.scan_inbox.import_email_dialog)
        self._add_action("refresh", "F5", self.refresh)
        self._add_action("lock", "Ctrl+L", self.lock)
        self._add_action("back", "Alt+Left", self._back)
        self._add_action("scans", "Ctrl+4", lambda: self.show_page("scans"))
        self._add_action("admin", "Ctrl+5", lambda: self.show_page("admin"))
        self._add_action("print_ready", "Ctrl+P", lambda: self.print_ready_replies())
        self._add_action("dispatch_list", "Ctrl+Shift+P", lambda: self.show_dispatch_list())
        self._add_action("quit", "Ctrl+Q", self.close)
        self._add_action("guide", "F1", self.show_guide)
        self._add_action("shortcuts", "Ctrl+F1", self.show_shortcuts)
        self._add_action("about", "", self.show_about)
        self._actions["admin"].setVisible(can_administer(service.user))

        self.nav.currentRowChanged.connect(self._nav_changed)
        self.today_view.open_queue.connect(self._open_queue)
        self.today_view.print_ready.connect(lambda: self.print_ready_replies())
        self.today_view.dispatch_list.connect(lambda: self.show_dispatch_list())
        self.case_list.open_case.connect(self.open_case)
        self.intake_form.open_case.connect(self.open_case)
        self.case_view.back.connect(self._back)
        self.case_view.prepare_reply.connect(self.prepare_reply)
        self.settings_view.language_chosen.connect(set_language)
        self.settings_view.saved.connect(self._settings_saved)
        self.scan_inbox.count_changed.connect(self._scan_count_changed)
        self.runner.busy_changed.connect(lambda busy: self.busy_label.setText(_("Working…") if busy else ""))
        self.runner.error.connect(self.show_error)
        self.notifier = notifier(self.runner)
        self.notifier.changed.connect(self._changes_made)
        self.notifier.status.connect(lambda text: self.statusBar().showMessage(text, 15000))
        on_language_changed(self._language_changed)

        self.sync = None  # made when the desk has a server: a standalone desk never loads the driver
        self._add_action("sync", "Ctrl+R", self.sync_now)
        self.menu_bar = MenuBar(self, self._actions, self.case_view.action_buttons)
        self.setWindowIcon(menus.window_icon())
        self.view_state = ViewState(self)

        self.idle = IdleWatcher(service.settings.idle_lock_minutes, self.lock, self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)
        self._previous_page = "today"
        self.retranslate()
        self.nav.setCurrentRow(0)
        self.view_state.restore()
        QTimer.singleShot(0, self._first_load)  # show the window first, then load

    def _add_action(self, key: str, shortcut: str, slot) -> None:
        action = QAction(self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        self._actions[key] = action

    def _first_load(self) -> None:
        self.case_model.reload()
        self.today_view.refresh()
        QTimer.singleShot(300, self._start_sync)  # after the list has its first page
        self.scan_inbox.start()

    # -- navigation -------------------------------------------------------------------------------
    def show_page(self, page: str) -> None:
        if page == "new" and self.stack.currentWidget() is not self.intake_form:
            self.intake_form.clear()
        self.nav.setCurrentRow(PAGES.index(page))
        self._nav_changed(PAGES.index(page))

    def _nav_changed(self, row: int) -> None:
        if row < 0:
            return
        widget = (
            self.today_view,
            self.case_list,
            self.reports_view,
            self.intake_form,
            self.scan_inbox,
            self.settings_view,
            self.admin_view,
        )[row]
        self.stack.setCurrentWidget(widget)
        self._previous_page = PAGES[row]
        self.menu_bar.sync_case_entries(False)
        if widget is self.intake_form:
            self.intake_form.channel_combo.setFocus()
        elif widget is self.case_list:
            self.case_list.table.setFocus()
        elif widget is self.today_view:
            self.today_view.refresh()
        elif widget is self.reports_view:
            self.reports_view.reload()
        elif widget is self.admin_view:
            self.admin_view.reload()  # computed only when looked at: heavy on a large diary

    def current_page(self) -> str:
        if self.stack.currentWidget() is self.case_view:
            return "case"
        return PAGES[self.nav.currentRow()] if self.nav.currentRow() >= 0 else "today"

    def find_cases(self) -> None:
        self.show_page("cases")
        self.case_list.focus_search()

    def _open_queue(self, query) -> None:
        self.show_page("cases")
        self.case_list.show_queue(query)

    def open_case(self, case_id: str) -> None:
        self.nav.blockSignals(True)  # a case belongs under "Cases" in the navigation
        self.nav.setCurrentRow(PAGES.index("cases"))
        self.nav.blockSignals(False)
        self.stack.setCurrentWidget(self.case_view)
        self.case_view.load(case_id)
        self.menu_bar.sync_case_entries(True)

    def _back(self) -> None:
        self.show_page(self._previous_page)

    def _changes_made(self, changes: CaseChanges) -> None:
        """The status bar's part of every completed change (the views subscribe themselves)."""
        if changes.message:
            self.statusBar().showMessage(changes.message, 15000)

    def refresh(self) -> None:
        """F5: every view reloads what it shows (as after a change it did not see, e.g. another desk's)."""
        self.notifier.publish(CaseChanges(everything=True))

    def prepare_reply(self, case_id: str) -> None:
        from desktop.ui.reply_dialog import ReplyDialog

        dialog = ReplyDialog(self.service, self.runner, case_id, self)
        self.reply_dialog = dialog
        dialog.open()

    def show_dispatch_list(self, print_dialog=None) -> None:
        """The day's registered-mail dispatch list, previewed, to print for Posti."""
        from desktop.ui.dispatch_dialog import DispatchListDialog

        self.dispatch_dialog = DispatchListDialog(self.service, self.runner, self, print_dialog)
        self.dispatch_dialog.open()

    def print_ready_replies(self, print_dialog=None) -> None:
        """Every reply ready to print, in one job; only the letters the printer took are recorded as printed.

        `print_dialog(printer, parent)` makes the print dialog (the system's by default; tests give theirs).
        """
        from desktop.ui.reply_dialog import print_ready_letters, system_print_dialog

        print_ready_letters(self.service, self.runner, self, print_dialog or system_print_dialog)

    # -- state and language -----------------------------------------------------------------------
    def _start_sync(self) -> None:
        """Background sync for a desk with a server; a standalone desk just says so."""
        if self.sync is None and self.service.settings.server_url:
            from desktop.ui.sync_status import SyncController

            self.sync = SyncController(self.service.sync_service(), lambda: self.service.settings, self)
            self.sync.status_text.connect(self.connection_label.setText)
            self.sync.synced.connect(
                lambda _report: self.notifier.publish(CaseChanges(kinds=frozenset({SYNC}), everything=True))
            )
        if self.sync is not None:
            self.sync.start()
        else:
            self.connection_label.setText(_("Offline (standalone desk)"))

    def sync_now(self) -> None:
        if self.sync is None:
            self._start_sync()  # starting syncs at once
        else:
            self.sync.sync_now()

    def _settings_saved(self) -> None:
        settings = self.service.reload_settings()
        self.idle.set_minutes(settings.idle_lock_minutes)
        self._start_sync()
        self.retranslate()

    def _scan_count_changed(self, count: int) -> None:
        self._scan_count = count
        self.nav.item(PAGES.index("scans")).setText(self._scans_text())

    def _scans_text(self) -> str:
        count = self._scan_count
        return _("Unfiled scans ({count})").format(count=count) if count else _("Unfiled scans")

    def _language_changed(self, _language: str) -> None:
        self.retranslate()

    def retranslate(self) -> None:
        settings = self.service.settings
        self.setWindowTitle(
            _("Kirjaamo – {office}").format(office=settings.office_name or settings.office_prefix)
        )
        for row, text in enumerate(
            (
                _("Today"),
                _("Cases"),
                _("Reports"),
                _("New request"),
                self._scans_text(),
                _("Settings"),
                _("Administration"),
            )
        ):
            self.nav.item(row).setText(text)
        self.nav.setAccessibleName(_("Navigation"))
        self.office_label.setText(f"{settings.office_prefix} · {settings.office_name}")
        user = self.service.user
        self.user_label.setText(
            _("Signed in: {name} ({role})").format(name=user.display_name, role=_role(user.role.value))
        )
        if self.sync is not None:
            self.sync.refresh_status()  # the connection state in the new language
        else:
            self.connection_label.setText(_("Offline (standalone desk)"))
        tooltips = {
            "new": _("&New request"),
            "find": _("&Search"),
            "today": _("&Today"),
            "cases": _("&Cases"),
            "reports": _("&Reports"),
            "settings": _("&Settings"),
            "email": _("New request from &e-mail…"),
            "refresh": _("Re&fresh"),
            "lock": _("&Lock"),
            "back": _("&Back"),
            "sync": _("S&ync now"),
            "scans": _("&Unfiled scans"),
            "admin": _("&Users, access log and retention"),
            "print_ready": _("&Print all replies ready to print…"),
            "dispatch_list": _("Registered &mail of the day…"),
            "quit": _("&Quit"),
            "guide": _("Clerk's &guide"),
            "shortcuts": _("&Keyboard shortcuts"),
            "about": _("&About Kirjaamo"),
        }
        for key, action in self._actions.items():
            action.setText(tooltips[key])
        self.menu_bar.retranslate({action: action_text(action) for action in self.case_view.action_buttons})
        self.today_view.retranslate()
        self.case_list.retranslate()
        self.intake_form.retranslate()
        self.settings_view.retranslate()
        self.case_view.retranslate()
        self.reports_view.retranslate()
        self.scan_inbox.retranslate()
        self.admin_view.retranslate()

    # -- messages and lock ------------------------------------------------------------------------
    def show_error(self, message: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning, _("Kirjaamo"), message, QMessageBox.StandardButton.Ok, self
        )
        box.open()

    def lock(self) -> None:
        """Hide the work behind the password of the signed-in user (personal data on screen)."""
        if getattr(self, "_lock_dialog", None) is not None:
            return
        self.centralWidget().setVisible(False)
        dialog = SignInDialog(self.service.workspace, locked_user=self.service.user.username, parent=self)
        self._lock_dialog = dialog

        def finished(result: int) -> None:
            self._lock_dialog = None
            if result == SignInDialog.DialogCode.Accepted:
                self.centralWidget().setVisible(True)
                self.idle.restart()
            else:
                self.close()

        dialog.finished.connect(finished)
        dialog.open()

    def show_guide(self) -> None:
        self.guide_dialog = menus.GuideDialog(self)
        self.guide_dialog.show()

    def show_shortcuts(self) -> None:
        self.shortcuts_dialog = menus.ShortcutsDialog(self._actions, self)
        self.shortcuts_dialog.open()

    def show_about(self) -> None:
        from desktop import __version__

        QMessageBox.about(
            self,
            _("About Kirjaamo"),
            _("Kirjaamo {version}: data-subject requests from receipt to reply.").format(version=__version__),
        )

    def changeEvent(self, event) -> None:
        # The system switched between light and dark: the theme's colours follow the new palette.
        if (
            event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
            and hasattr(self, "menu_bar")
            and not self._restyling
        ):
            self._restyling = True
            try:
                self.retranslate()
            finally:
                self._restyling = False
        super().changeEvent(event)

    def closeEvent(self, event) -> None:
        self.view_state.save()
        self.scan_inbox.stop()
        if self.sync is not None:
            self.sync.shutdown()
        off_language_changed(self._language_changed)
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.idle)
        super().closeEvent(event)


def _role(code: str) -> str:
    return words.label(words.ROLES, code)


__all__ = ["MainWindow", "current_language"]
