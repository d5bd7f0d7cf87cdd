"""Every colour of the window in one place, for a light and a dark palette.

Widgets ask for a colour by its meaning ("error", "overdue"), never by a hex code; the choice between
the light and the dark set follows the application palette, which Qt takes from the system's
light/dark setting. Each pair is chosen for a text contrast of at least 4.5:1 (WCAG AA) against the
background it is drawn on (tests/ui/test_theme.py measures it).
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette

# meaning: (light palette, dark palette)
COLORS: dict[str, tuple[str, str]] = {
    "error": ("#b71c1c", "#ff8a80"),
    "ok": ("#1b5e20", "#81c784"),
    "warning_text": ("#7a4a00", "#ffd180"),
    "warning_background": ("#fff1cc", "#3e2f00"),
    "info_text": ("#0d47a1", "#90caf9"),
    "info_background": ("#e3f2fd", "#0d2a45"),
    "muted": ("#455a64", "#b0bec5"),
    "success_background": ("#e8f5e9", "#1b3320"),
    "chip_background": ("#eceff1", "#37474f"),
    "tile_border": ("#cfd8dc", "#546e7a"),
    "tile_background": ("#ffffff", "#263238"),
    "tile_hover": ("#f5f7f8", "#304047"),
    # deadline colours: text drawn on the window/base colour
    "overdue": ("#c62828", "#ff8a80"),
    "soon": ("#8a4b00", "#ffcc80"),
    "overdue_background": ("#fde0dc", "#4a1414"),
    "soon_background": ("#fff1cc", "#3e2f00"),
    # strong badges: white or black text on a filled colour
    "overdue_badge": ("#c62828", "#ff8a80"),
    "overdue_badge_text": ("#ffffff", "#000000"),
    "soon_badge": ("#ef8f00", "#ffb74d"),
    "soon_badge_text": ("#000000", "#000000"),
    "ok_badge": ("#e8f5e9", "#1b3320"),
    "ok_badge_text": ("#1b5e20", "#a5d6a7"),
    "conflict_badge": ("#6a1b9a", "#ce93d8"),
    "conflict_badge_text": ("#ffffff", "#000000"),
    # the Today queues: the accent stripe of each tile
    "queue_overdue": ("#c62828", "#ff8a80"),
    "queue_due_soon": ("#ef8f00", "#ffb74d"),
    "queue_waiting": ("#6a1b9a", "#ce93d8"),
    "queue_ready_to_print": ("#1565c0", "#90caf9"),
    "queue_sent": ("#2e7d32", "#81c784"),
    "queue_new_today": ("#37474f", "#b0bec5"),
}


def palette() -> QPalette:
    app = QGuiApplication.instance()
    return QGuiApplication.palette() if app is not None else QPalette()


def is_dark(pal: QPalette | None = None) -> bool:
    """Dark when the window colour is darker than its text (what the system's dark mode gives)."""
    pal = pal or palette()
    return (
        pal.color(QPalette.ColorRole.Window).lightness()
        < pal.color(QPalette.ColorRole.WindowText).lightness()
    )


def color(name: str, pal: QPalette | None = None) -> QColor:
    light, dark = COLORS[name]
    return QColor(dark if is_dark(pal) else light)


def hex_of(name: str) -> str:
    return color(name).name()


def text_style(name: str) -> str:
    """A style sheet for a message label in that colour ("error", "ok", "warning_text", "muted")."""
    return f"color: {hex_of(name)};"


def notice_style(kind: str) -> str:
    """A boxed notice: "warning", "info" or "success" text on its own background."""
    text = {"warning": "warning_text", "info": "info_text", "success": "ok"}[kind]
    return (
        f"color: {hex_of(text)}; background: {hex_of(kind + '_background')};"
        " padding: 4px; border-radius: 3px;"
    )


def badge_style(name: str) -> str:
    """A filled chip ("overdue_badge", "soon_badge", "ok_badge", "conflict_badge", "chip")."""
    if name == "chip":
        return f"background: {hex_of('chip_background')}; color: palette(window-text);"
    return f"background: {hex_of(name)}; color: {hex_of(name + '_text')};"


def contrast(foreground: QColor, background: QColor) -> float:
    """WCAG 2 contrast ratio of two colours (1 … 21)."""

    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def dark_palette() -> QPalette:
    """A dark palette like the systems' dark modes (for tests and screenshots of the dark look)."""
    pal = QPalette()
    window, base, text = QColor("#202124"), QColor("#2b2c2f"), QColor("#e8eaed")
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: QColor("#323337"),
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: QColor("#303134"),
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.ToolTipBase: base,
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.Highlight: QColor("#8ab4f8"),
        QPalette.ColorRole.HighlightedText: QColor("#202124"),
        QPalette.ColorRole.PlaceholderText: QColor("#9aa0a6"),
        QPalette.ColorRole.Link: QColor("#8ab4f8"),
        QPalette.ColorRole.BrightText: QColor("#ffffff"),
    }
    for role, value in roles.items():
        pal.setColor(role, value)
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#7f8388"))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#7f8388"))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#7f8388"))
    return pal
