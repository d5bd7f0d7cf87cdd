"""The landing page: the day's queues with their counts; each opens the filtered list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from desktop.domain.deadlines import SOON_DAYS
from desktop.domain.model import Status
from desktop.i18n import N_, _, format_date
from desktop.services.cases import CaseQuery, CaseService, SortKey
from desktop.ui import theme
from desktop.ui.operations import CaseChanges, notifier
from desktop.ui.runner import DbRunner


@dataclass(frozen=True)
class Queue:
    key: str
    title: str  # N_ message
    hint: str  # N_ message
    color: str  # the meaning of its accent colour in the theme
    query: Callable[[CaseService], CaseQuery]


QUEUES = (
    Queue(
        "overdue",
        N_("Overdue"),
        N_("Past the due date, reply not sent"),
        "queue_overdue",
        lambda s: s.query(overdue=True, sort=SortKey.DUE),
    ),
    Queue(
        "due_soon",
        N_("Due within 7 days"),
        N_("Reply must leave within a week"),
        "queue_due_soon",
        lambda s: s.query(due_within=SOON_DAYS, sort=SortKey.DUE),
    ),
    Queue(
        "waiting",
        N_("Waiting for the requester"),
        N_("Clock stopped until the clarification arrives"),
        "queue_waiting",
        lambda s: s.query(statuses=frozenset({Status.WAITING.value}), sort=SortKey.RECEIVED),
    ),
    Queue(
        "ready_to_print",
        N_("Ready to print"),
        N_("Decided; the reply letter is to be printed"),
        "queue_ready_to_print",
        lambda s: s.ready_to_print_query(sort=SortKey.DUE),
    ),
    Queue(
        "sent",
        N_("Sent or awaiting pickup"),
        N_("Dispatched by registered mail or waiting at the desk"),
        "queue_sent",
        lambda s: s.query(
            statuses=frozenset({Status.SENT.value, Status.AWAITING_PICKUP.value}), sort=SortKey.RECEIVED
        ),
    ),
    Queue(
        "new_today",
        N_("New today"),
        N_("Registered today"),
        "queue_new_today",
        lambda s: s.query(registered_on=s.clock.today(), sort=SortKey.DIARY),
    ),
)


class QueueTile(QPushButton):
    def __init__(self, queue: Queue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.count: int | None = None
        self.setMinimumSize(240, 110)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.retranslate()

    def apply_theme(self) -> None:
        accent, border = theme.hex_of(self.queue.color), theme.hex_of("tile_border")
        self.setStyleSheet(
            f"QPushButton {{ text-align: left; padding: 14px; border: 1px solid {border};"
            f" border-left: 8px solid {accent}; border-radius: 6px;"
            f" background: {theme.hex_of('tile_background')}; color: palette(window-text); font-size: 15px; }}"
            f"QPushButton:focus {{ border: 2px solid {accent}; border-left: 8px solid {accent}; }}"
            f"QPushButton:hover {{ background: {theme.hex_of('tile_hover')}; }}"
        )

    def set_count(self, count: int) -> None:
        self.count = count
        self.retranslate()

    def retranslate(self) -> None:
        self.apply_theme()
        count = "…" if self.count is None else str(self.count)
        self.setText(f"{count}\n{_(self.queue.title)}\n{_(self.queue.hint)}")
        self.setAccessibleName(_(self.queue.title))
        self.setAccessibleDescription(_(self.queue.hint))


class TodayView(QWidget):
    open_queue = Signal(object)  # CaseQuery
    print_ready = Signal()
    dispatch_list = Signal()

    def __init__(self, service: CaseService, runner: DbRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.tiles = {queue.key: QueueTile(queue) for queue in QUEUES}
        grid = QGridLayout()
        for position, tile in enumerate(self.tiles.values()):
            grid.addWidget(tile, position // 3, position % 3)
            tile.clicked.connect(
                lambda _checked=False, q=tile.queue: self.open_queue.emit(q.query(self._service))
            )
        self.print_button = QPushButton()
        self.print_button.clicked.connect(self.print_ready.emit)
        actions = QHBoxLayout()
        actions.addWidget(self.print_button)
        self.dispatch_button = QPushButton()
        self.dispatch_button.clicked.connect(self.dispatch_list.emit)
        actions.addWidget(self.dispatch_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(grid)
        layout.addLayout(actions)
        layout.addStretch(1)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        notifier(runner).changed.connect(self._changes_made)
        self.retranslate()

    def _changes_made(self, changes: CaseChanges) -> None:
        if changes.cases_changed:
            self.refresh()

    def retranslate(self) -> None:
        self.heading.setText(_("Today, {date}").format(date=format_date(self._service.clock.today())))
        for tile in self.tiles.values():
            tile.retranslate()
        self.print_button.setText(_("&Print all replies ready to print…"))
        self.print_button.setAccessibleName(_("Print all replies ready to print"))
        self.dispatch_button.setText(_("Registered &mail of the day…"))
        self.dispatch_button.setAccessibleName(
            _("Registered mail of the day: preview and print the dispatch list")
        )
        ready = self.tiles["ready_to_print"].count
        self.print_button.setEnabled(bool(ready))

    def refresh(self) -> None:
        service = self._service

        def count_all() -> dict[str, int]:
            return {queue.key: service.count(queue.query(service)) for queue in QUEUES}

        self._runner.run(count_all, self._show_counts)

    def _show_counts(self, counts: dict[str, int]) -> None:
        for key, count in counts.items():
            self.tiles[key].set_count(count)
        self.retranslate()
