"""Database work off the GUI thread: one worker, results back on the GUI thread by a queued signal."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from queue import Empty, SimpleQueue

from PySide6.QtCore import QObject, Qt, Signal, Slot

from desktop.domain.errors import DomainError
from desktop.i18n import _, error_text

log = logging.getLogger(__name__)


class Refusal(str):
    """A refusal's translated message that still knows its `DomainError` (forms find the field at fault)."""

    error: DomainError

    def __new__(cls, text: str, error: DomainError) -> Refusal:
        made = super().__new__(cls, text)
        made.error = error
        return made


class DbRunner(QObject):
    """Runs `op()` on the worker and calls `on_success(result)` (or `on_error(message)`) on the GUI thread."""

    _ready = Signal()
    busy_changed = Signal(bool)
    error = Signal(str)  # for errors nobody handled: the window shows them

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kirjaamo-db")
        self._pending = 0
        self._closed = False
        # Finished work waits in a thread-safe queue; a queued argument-less signal wakes the GUI thread to
        # drain it. (Passing Python callables through a queued Signal(object) crashes PySide 6.12: refcounts.)
        self._finished: SimpleQueue[Callable[[], None]] = SimpleQueue()
        self._ready.connect(self._drain, Qt.ConnectionType.QueuedConnection)

    @property
    def pending(self) -> int:
        return self._pending

    def run(
        self,
        op: Callable[[], object],
        on_success: Callable[[object], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> Future:
        if self._closed:
            # The window is closing: timers that fire now have nobody left to show results to.
            dropped: Future = Future()
            dropped.cancel()
            return dropped
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        future = self._pool.submit(op)
        future.add_done_callback(lambda f: self._queue(lambda: self._finish(f, on_success, on_error)))
        return future

    def _queue(self, callback: Callable[[], None]) -> None:
        self._finished.put(callback)
        self._ready.emit()

    @Slot()
    def _drain(self) -> None:
        while True:
            try:
                callback = self._finished.get_nowait()
            except Empty:
                return
            callback()

    def _finish(self, future: Future, on_success, on_error) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        error = future.exception()
        if error is None:
            if on_success is not None:
                on_success(future.result())
            return
        if isinstance(error, DomainError):
            message: str = Refusal(error_text(error), error)
        else:
            log.error("database work failed", exc_info=(type(error), error, error.__traceback__))
            message = _("Unexpected error: {error}").format(error=error)
        if on_error is not None:
            on_error(message)
        else:
            self.error.emit(message)

    def shutdown(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=True)
