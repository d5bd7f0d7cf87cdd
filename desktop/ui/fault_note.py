"""After a refused OK: the focus goes to the field at fault and the reason is shown right beside it.

The note floats just under the field (it does not move the form about) and goes away as soon as the
field is edited. The form's own message label keeps the text as well, for screen readers.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from desktop.ui import theme


class FaultNote(QLabel):
    def __init__(self, host: QWidget) -> None:
        super().__init__(host)
        self.host = host
        self.field: QWidget | None = None
        self.setWordWrap(True)
        self.setMaximumWidth(420)
        self.setAccessibleName("")
        self.hide()

    def show_at(self, field: QWidget, text: str) -> None:
        """Focus `field` and show `text` beside it (under it, aligned with its left edge)."""
        self.clear_fault()
        self.field = field
        self.setStyleSheet(
            theme.notice_style("warning")
            + f" border: 1px solid {theme.hex_of('error')}; color: {theme.hex_of('error')};"
        )
        self.setText(text)
        self.adjustSize()
        below = field.mapTo(self.host, QPoint(0, field.height() + 2))
        x = max(0, min(below.x(), self.host.width() - self.width()))
        y = (
            below.y()
            if below.y() + self.height() <= self.host.height()
            else field.mapTo(self.host, QPoint()).y() - self.height() - 2
        )
        self.move(x, max(0, y))
        self.raise_()
        self.show()
        field.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(field, QLineEdit):
            field.selectAll()
        field.setAccessibleDescription(text)
        field.installEventFilter(self)
        for signal in _edit_signals(field):
            signal.connect(self.clear_fault)

    def clear_fault(self, *_args) -> None:
        field, self.field = self.field, None
        if field is not None:
            field.removeEventFilter(self)
            field.setAccessibleDescription("")
            for signal in _edit_signals(field):
                with contextlib.suppress(RuntimeError, TypeError):
                    signal.disconnect(self.clear_fault)
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Hide:
            self.clear_fault()
        return False


def _edit_signals(field: QWidget) -> list:
    if isinstance(field, QLineEdit):
        return [field.textEdited]
    if isinstance(field, QPlainTextEdit):
        return [field.textChanged]
    if isinstance(field, QComboBox):
        return [field.currentIndexChanged]
    if isinstance(field, QAbstractButton):
        return [field.toggled]
    return []


def first_to_fill(fields: list[QWidget]) -> QWidget | None:
    """The first enabled field left empty (where a refusal most likely points), else the first field."""
    enabled = [f for f in fields if f.isEnabled() and f.isVisible()]
    for field in enabled:
        if isinstance(field, QLineEdit) and not field.text().strip():
            return field
        if isinstance(field, QPlainTextEdit) and not field.toPlainText().strip():
            return field
    return enabled[0] if enabled else None
