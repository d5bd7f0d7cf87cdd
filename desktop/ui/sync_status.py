"""Background sync for the window: a round every N seconds and on demand, off the GUI thread.

Rounds run on their own worker (not the database runner of the views), so a long pull never holds up
the list; SQLite's WAL lets the views read meanwhile. The status bar shows offline / syncing / synced at
hh:mm / the error's reason; a failed round is simply tried again at the next tick.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.i18n import _, error_text
from desktop.services.clock import HELSINKI
from desktop.services.settings import OfficeSettings
from desktop.services.sync_service import SyncReport, SyncService, SyncStatus
from desktop.ui.runner import DbRunner


class SyncController(QObject):
    status_text = Signal(str)
    synced = Signal(object)  # SyncReport, after a round that brought or sent something

    def __init__(
        self, sync: SyncService, settings: Callable[[], OfficeSettings], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._sync = sync
        self._settings = settings  # the office settings as the window has them
        self.runner = DbRunner(self)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.sync_now)
        self.running = False
        self.last_text = ""

    def refresh_status(self) -> None:
        if not self.running:
            self.runner.run(self._sync.status, self._show_status)

    def start(self) -> None:
        """Show the current state and, for a desk with a server, start the timer and sync at once."""
        self.refresh_status()
        settings = self._settings()
        if settings.server_url:
            self._timer.start(max(5, settings.sync_interval_seconds) * 1000)
            self.sync_now()
        else:
            self._timer.stop()

    def sync_now(self) -> None:
        if self.running or not self._settings().server_url:
            return
        self.running = True
        self._emit(_("Syncing…"))
        self.runner.run(self._sync.sync_once, self._done, self._failed)

    def _done(self, report: SyncReport) -> None:
        self.running = False
        self.runner.run(self._sync.status, self._show_status)
        if report.pushed or report.pulled or report.final_diary_numbers:
            self.synced.emit(report)

    def _failed(self, message: str) -> None:
        self.running = False
        self._emit(_("Offline – {reason}").format(reason=message))

    def _show_status(self, status: SyncStatus) -> None:
        self._emit(describe(status))

    def _emit(self, text: str) -> None:
        self.last_text = text
        self.status_text.emit(text)

    def shutdown(self) -> None:
        self._timer.stop()
        self.runner.shutdown()


def describe(status: SyncStatus) -> str:
    """The connection state in words for the status bar."""
    state = status.state
    if state == "standalone":
        return _("Offline (standalone desk)")
    if state == "error" and status.last_error is not None:
        return _("Offline – {reason}").format(reason=error_text(status.last_error))
    if state == "never":
        return _("Not synced yet with {server}").format(server=status.server)
    assert status.last_success is not None
    when = status.last_success.astimezone(HELSINKI).strftime("%H:%M")
    if status.pending_events:
        return _("Synced at {time}; {n} changes waiting").format(time=when, n=status.pending_events)
    return _("Synced at {time}").format(time=when)
