"""Pages that fit small office screens: content taller or wider than the window scrolls instead of
pushing the window's minimum size past a 1280×720 screen (or 1920×1080 at 150 % scaling)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget


def scrolling(content: QWidget, horizontal: bool = False) -> QScrollArea:
    """`content` in a frameless scroll area that resizes it to the width available."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    if not horizontal:
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setWidget(content)
    return area


def scroll_page(page: QWidget, content: QWidget) -> None:
    """Make `content` the scrolling body of `page` (a view whose own layout is this one scroll area)."""
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scrolling(content))
