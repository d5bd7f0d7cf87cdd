"""Database work off the GUI thread: one worker, results back on the GUI thread by a queued signal."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
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
        # Each job's op, future and callbacks are held here and released on the GUI thread only. If the worker
        # dropped the last reference (a closure over a widget, a traceback's frames), Python would destroy that
        # widget on the worker thread, which deadlocks Qt against the GIL (seen in CI).
        self._jobs: dict[int, list] = {}
        self._tokens = itertools.count()

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
        token = next(self._tokens)
        job: list = [op, None, on_success, on_error]
        self._jobs[token] = job
        future = self._pool.submit(self._call, token)
        job[1] = future
        future.add_done_callback(partial(self._done_on_worker, token))
        return future

    def _call(self, token: int) -> object:
        return self._jobs[token][0]()

    def _done_on_worker(self, token: int, _future: Future) -> None:
        self._queue(partial(self._finish, token))

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

    def _finish(self, token: int) -> None:
        _op, future, on_success, on_error = self._jobs.pop(token)
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
        # The traceback's frames hold the op's closure: free them here, on the GUI thread (see _jobs).
        error.__traceback__ = None
        if on_error is not None:
            on_error(message)
        else:
            self.error.emit(message)

    def shutdown(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=True)
