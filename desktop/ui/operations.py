"""The one door for changes in the GUI, in the spirit of Anki's `qt/aqt/operations` (`CollectionOp`).

A widget changes data only like this:

    CaseOp(runner, lambda: service.extend(case_id, reason), changes=of_case("deadline")).success(...).run()

The service call runs on the database worker (`DbRunner`), the window shows that it is busy, a refusal or an
error is shown once (translated, never a traceback: in the widget's own `failure` callback, or else by the
window), and after success the notifier publishes *what changed* (`CaseChanges`). The case list, the case
view, Today, the reports and the status bar subscribe to that notice; no view calls another's `reload()`.
Reads go straight through `DbRunner.run` (Anki's `QueryOp`): they change nothing and publish nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from desktop.ui.runner import DbRunner

T = TypeVar("T")

# Kinds of change (a view reloads only for what it shows).
CASE = "case"  # a case's state, fields or timeline
REGISTERED = "registered"  # a new case
ATTACHMENT = "attachment"
LETTER = "letter"  # a letter printed or kept
PURGED = "purged"
SETTINGS = "settings"
USERS = "users"
SYNC = "sync"  # events pulled from other desks


@dataclass(frozen=True)
class CaseChanges:
    """What one completed operation changed: which cases, which kinds of change, a line for the status bar."""

    case_ids: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    everything: bool = False  # any case may have changed (a sync round, F5): lists and counts reload
    message: str = ""  # translated, for the status bar; empty for none

    @classmethod
    def of(cls, case_ids: Iterable[str], *kinds: str, message: str = "") -> CaseChanges:
        return cls(frozenset(i for i in case_ids if i), frozenset(kinds), message=message)

    def touches(self, case_id: str) -> bool:
        """Whether the case shown as `case_id` was changed by the operation itself."""
        return bool(case_id) and case_id in self.case_ids

    @property
    def cases_changed(self) -> bool:
        """Whether lists and counts of cases may be out of date."""
        return self.everything or bool(self.case_ids)

    def __bool__(self) -> bool:
        return self.everything or bool(self.case_ids) or bool(self.kinds) or bool(self.message)


class ChangeNotifier(QObject):
    """The one place a completed change is announced; views connect to `changed`."""

    changed = Signal(object)  # CaseChanges, emitted on the GUI thread
    status = Signal(str)  # a line for the status bar about something that changed nothing (a cancelled print)

    def publish(self, changes: CaseChanges) -> None:
        if changes:
            self.changed.emit(changes)

    def say(self, text: str) -> None:
        self.status.emit(text)


def notifier(runner: DbRunner) -> ChangeNotifier:
    """The notifier of the window that owns `runner` (one per database worker)."""
    found = getattr(runner, "_change_notifier", None)
    if found is None:
        found = ChangeNotifier(runner)
        runner._change_notifier = found  # type: ignore[attr-defined]
    return found


def case_id_of(result: object) -> str:
    """The case a service result is about: a `CaseState`, or a result that carries one as `.state`."""
    state = getattr(result, "state", result)
    case_id = getattr(state, "id", "")
    return case_id if isinstance(case_id, str) else ""


def of_case(*kinds: str, message: Callable[[Any], str] | None = None) -> Callable[[Any], CaseChanges]:
    """Changes of the one case the service call returned (its state, or a result holding it)."""

    def changes(result: Any) -> CaseChanges:
        return CaseChanges.of([case_id_of(result)], *kinds, message=message(result) if message else "")

    return changes


class CaseOp(Generic[T]):
    """One service call that changes data, run through the one door (see the module docstring)."""

    def __init__(
        self,
        runner: DbRunner,
        op: Callable[[], T],
        changes: CaseChanges | Callable[[T], CaseChanges] | None = None,
    ) -> None:
        self._runner = runner
        self._op = op
        self._changes = changes
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[str], None] | None = None
        self._busy: tuple[QWidget, ...] = ()

    def success(self, callback: Callable[[T], None]) -> CaseOp[T]:
        """Called on the GUI thread with the service's result, before the change is published."""
        self._success = callback
        return self

    def failure(self, callback: Callable[[str], None]) -> CaseOp[T]:
        """Where the refusal is shown (a dialog's message line); without one the window shows it."""
        self._failure = callback
        return self

    def busy(self, *widgets: QWidget) -> CaseOp[T]:
        """Widgets disabled while the call runs (the window's busy label shows the worker is working)."""
        self._busy = widgets
        return self

    def run(self) -> Future:
        for widget in self._busy:
            widget.setEnabled(False)
        return self._runner.run(self._op, self._done, self._failed)

    def _release(self) -> None:
        for widget in self._busy:
            with contextlib.suppress(RuntimeError):  # the widget (a closed dialog) may be gone
                widget.setEnabled(True)

    def _done(self, result: object) -> None:
        self._release()
        value: T = result  # type: ignore[assignment]
        if self._success is not None:
            self._success(value)
        changes = self._changes(value) if callable(self._changes) else self._changes
        if changes is not None:
            notifier(self._runner).publish(changes)

    def _failed(self, message: str) -> None:
        self._release()
        if self._failure is not None:
            self._failure(message)
        else:
            self._runner.error.emit(message)


__all__ = [
    "ATTACHMENT",
    "CASE",
    "LETTER",
    "PURGED",
    "REGISTERED",
    "SETTINGS",
    "SYNC",
    "USERS",
    "CaseChanges",
    "CaseOp",
    "ChangeNotifier",
    "case_id_of",
    "notifier",
    "of_case",
]
