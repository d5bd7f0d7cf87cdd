"""A date field for typing: one Tab stop, `d.M.yyyy` shown, and what clerks type accepted.

Accepted: `1.12.2026`, `1.12.26`, `1.12.` (this year), `01122026`, `011226`, `28112026`, and shorthand
relative to today: `+0` (today), `-3` (three days ago), `+14`. A calendar opens with Alt+Down or the
button. Text that is no date is shown in the error colour and the last good date is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QDate, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QCalendarWidget, QLineEdit, QStyle

from desktop.i18n import _, format_date
from desktop.ui import theme

_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})?$")
_DIGITS = re.compile(r"^(\d{2})(\d{2})(\d{2}|\d{4})$")
_RELATIVE = re.compile(r"^([+-])\s*(\d{1,4})$")


def parse_date_text(text: str, today: date) -> date | None:
    """The date a clerk meant by `text`, or None when it is no date."""
    text = text.strip().replace(",", ".").replace("/", ".")
    if not text:
        return None
    if text in ("0", "+", "-"):
        return today
    match = _RELATIVE.match(text)
    if match:
        days = int(match.group(2))
        return today + timedelta(days=days if match.group(1) == "+" else -days)
    match = _DOTTED.match(text if text.count(".") == 2 else text + ".")
    if not match:
        match = _DIGITS.match(text)
    if not match:
        return None
    day, month, year_text = int(match.group(1)), int(match.group(2)), match.group(3)
    year = today.year if not year_text else int(year_text)
    if year_text and len(year_text) == 2:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class DateField(QLineEdit):
    """A QDateEdit-compatible date field (date(), setDate(), dateChanged) that is typed, not spun."""

    dateChanged = Signal(QDate)

    def __init__(self, value: QDate | date | None = None, today: Callable[[], date] | None = None) -> None:
        super().__init__()
        self._today = today or date.today
        self._date = to_qdate(self._today()) if value is None else _as_qdate(value)
        self._minimum = QDate(1900, 1, 1)
        self._maximum = QDate(2999, 12, 31)
        self.setMaxLength(12)
        self.retranslate()
        self._calendar_action = QAction(self)
        self._calendar_action.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown))
        self._calendar_action.triggered.connect(self.show_calendar)
        self.addAction(self._calendar_action, QLineEdit.ActionPosition.TrailingPosition)
        self._calendar: QCalendarWidget | None = None
        self.editingFinished.connect(self._commit)
        self.textEdited.connect(self._check)
        self._show()

    def retranslate(self) -> None:
        self.setPlaceholderText(_("d.m.yyyy, or +0 for today"))
        self.setToolTip(_("Type 1.12.2026, 01122026, +0 (today) or -3 (three days ago); Alt+Down: calendar"))

    # -- the QDateEdit interface the views and tests use ------------------------------------------
    def date(self) -> QDate:
        self._commit()
        return QDate(self._date)

    def setDate(self, value: QDate | date) -> None:  # noqa: N802 - Qt's name
        value = _as_qdate(value)
        value = max(self._minimum, min(self._maximum, value))
        changed = value != self._date
        self._date = value
        self._show()
        if changed:
            self.dateChanged.emit(QDate(value))

    def setMinimumDate(self, value: QDate | date) -> None:  # noqa: N802
        self._minimum = _as_qdate(value)

    def setMaximumDate(self, value: QDate | date) -> None:  # noqa: N802
        self._maximum = _as_qdate(value)

    def py_date(self) -> date:
        return to_date(self.date())

    # -- typing -----------------------------------------------------------------------------------
    def _show(self) -> None:
        self.setText(format_date(to_date(self._date)))
        self.setStyleSheet("")

    def _check(self, text: str) -> None:
        ok = parse_date_text(text, self._today()) is not None or not text.strip()
        self.setStyleSheet("" if ok else theme.text_style("error"))

    def _commit(self) -> None:
        parsed = parse_date_text(self.text(), self._today())
        if parsed is None:
            if self.text().strip() and self.text() != format_date(to_date(self._date)):
                self.setStyleSheet(theme.text_style("error"))
                return
            self._show()
            return
        self.setDate(to_qdate(parsed))

    def is_valid_text(self) -> bool:
        return parse_date_text(self.text(), self._today()) is not None

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier:
            self.show_calendar()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._commit()
        super().keyPressEvent(event)

    def show_calendar(self) -> None:
        self._commit()
        calendar = QCalendarWidget(self, Qt.WindowType.Popup)
        calendar.setAccessibleName(_("Calendar"))
        calendar.setMinimumDate(self._minimum)
        calendar.setMaximumDate(self._maximum)
        calendar.setSelectedDate(self._date)
        calendar.clicked.connect(lambda value: (self.setDate(value), calendar.close()))
        calendar.activated.connect(lambda value: (self.setDate(value), calendar.close()))
        calendar.move(self.mapToGlobal(QPoint(0, self.height())))
        self._calendar = calendar
        calendar.show()
        calendar.setFocus()


def _as_qdate(value: QDate | date) -> QDate:
    return value if isinstance(value, QDate) else to_qdate(value)
