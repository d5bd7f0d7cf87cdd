"""The case list's model: holds only the ordered case numbers; row contents come a page at a time.

Sorting and filtering happen in SQL (a new query gives a new ordered id list). Pages are fetched on the
database worker when the view first asks for one of their rows; until then the row shows "…".
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush

from desktop.domain.deadlines import Urgency
from desktop.domain.identifiers import mask_hetu
from desktop.domain.model import ACTIVE_STATUSES, DEADLINE_RUNNING_STATUSES
from desktop.i18n import _, format_date
from desktop.services.cases import CaseQuery, CaseRow, CaseService, SortKey
from desktop.ui import labels, theme
from desktop.ui.operations import CaseChanges, notifier
from desktop.ui.runner import DbRunner

PAGE = 200
MAX_PAGES = 64
_RUNNING = {s.value for s in DEADLINE_RUNNING_STATUSES}
OPEN_CASES = frozenset(s.value for s in ACTIVE_STATUSES)

COLUMNS = (
    ("diary", SortKey.DIARY),
    ("requester", SortKey.NAME),
    ("right", SortKey.RIGHT),
    ("register", SortKey.REGISTER),
    ("channel", SortKey.CHANNEL),
    ("received", SortKey.RECEIVED),
    ("due", SortKey.DUE),
    ("status", SortKey.STATUS),
)


def column_titles() -> list[str]:
    return [
        _("Diary number"),
        _("Requester"),
        _("Right"),
        _("Register"),
        _("Channel"),
        _("Received"),
        _("Due date"),
        _("Status"),
    ]


class CaseListModel(QAbstractTableModel):
    loaded = Signal(int)  # number of matching cases, after each (re)load
    ROW_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, service: CaseService, runner: DbRunner, parent=None) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._nums: array = array("q")
        self._pages: OrderedDict[int, dict[int, CaseRow]] = OrderedDict()
        self._requested: set[int] = set()
        self._generation = 0  # results of an outdated query are dropped
        self._first_page_of = -1
        # Opens on the open cases, the nearest due date first (what a clerk works through).
        self._query = service.query(statuses=OPEN_CASES, sort=SortKey.DUE)
        self._register_names: dict[str, str] = {}
        self.refresh_register_names()
        notifier(runner).changed.connect(self._changes_made)

    def _changes_made(self, changes: CaseChanges) -> None:
        """Cases changed (here or on another desk): the same query again, the view keeps its place."""
        if changes.cases_changed:
            self.reload()

    # -- loading ----------------------------------------------------------------------------------
    @property
    def catalog(self):
        """The office's registers (for the list's register filter)."""
        return self._service.catalog

    @property
    def query(self) -> CaseQuery:
        return self._query

    def set_query(self, query: CaseQuery) -> None:
        self._query = query
        self.reload()

    def reload(self) -> None:
        """The first page at once (a LIMIT query), then every matching number behind it.

        Ordering a million numbers takes a third of a second; the clerk sees the top rows meanwhile.
        """
        self._generation += 1
        generation = self._generation
        query = self._query
        service = self._service
        self._runner.run(
            lambda: service.page(query, None, PAGE), lambda rows: self._set_first_page(generation, rows)
        )
        self._runner.run(
            lambda: array("q", service.ids(query, first_page_shown=True)),
            lambda nums: self._set_nums(generation, nums),
        )

    def _set_first_page(self, generation: int, rows: list[CaseRow]) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._nums = array("q", [row.num for row in rows])
        self._pages.clear()
        self._pages[0] = {row.num: row for row in rows}
        self._requested.clear()
        self._first_page_of = generation
        self.endResetModel()

    def _set_nums(self, generation: int, nums: array) -> None:
        if generation != self._generation:
            return
        head = len(self._nums)
        if self._first_page_of == generation and nums[:head] == self._nums:
            # The first page is the head of the full list: the rest is appended, the view keeps its place.
            if len(nums) > head:
                self.beginInsertRows(QModelIndex(), head, len(nums) - 1)
                self._nums = nums
                self.endInsertRows()
        else:  # the cases changed between the two reads
            self.beginResetModel()
            self._nums = nums
            self._pages.clear()
            self._requested.clear()
            self._first_page_of = generation
            self.endResetModel()
        self.loaded.emit(len(nums))

    def refresh_register_names(self) -> None:
        from desktop.i18n import current_language

        language = current_language()
        self._register_names = {r.id: r.name.get(language) for r in self._service.catalog}

    def retranslate(self) -> None:
        self.refresh_register_names()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._nums:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._nums) - 1, len(COLUMNS) - 1))

    def _row(self, row: int) -> CaseRow | None:
        page_number = row // PAGE
        page = self._pages.get(page_number)
        if page is None:
            self._request_page(page_number)
            return None
        self._pages.move_to_end(page_number)
        return page.get(self._nums[row])

    def _request_page(self, page_number: int) -> None:
        if page_number in self._requested:
            return
        self._requested.add(page_number)
        generation = self._generation
        nums = list(self._nums[page_number * PAGE : (page_number + 1) * PAGE])
        self._runner.run(
            lambda: self._service.rows_by_num(nums),
            lambda rows: self._page_arrived(generation, page_number, rows),
        )

    def _page_arrived(self, generation: int, page_number: int, rows: dict[int, CaseRow]) -> None:
        if generation != self._generation:
            return
        self._requested.discard(page_number)
        self._pages[page_number] = rows
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        first = page_number * PAGE
        last = min(first + PAGE, len(self._nums)) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    @property
    def first_page_ready(self) -> bool:
        """Whether the current query's first rows are shown (the full list may still be loading)."""
        return self._first_page_of == self._generation

    def is_fully_loaded(self, first: int, last: int) -> bool:
        """Whether the rows first..last have their contents (tests and the benchmark wait for this)."""
        return all((row // PAGE) in self._pages for row in range(first, min(last + 1, len(self._nums))))

    def case_row(self, row: int) -> CaseRow | None:
        return self._row(row) if 0 <= row < len(self._nums) else None

    def row_of_num(self, num: int) -> int:
        try:
            return self._nums.index(num)
        except ValueError:
            return -1

    # -- Qt model interface -----------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._nums)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return column_titles()[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._nums)):
            return None
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.BackgroundRole,
            self.ROW_ROLE,
        ):
            return None
        row = self._row(index.row())
        if row is None:
            return "…" if role == Qt.ItemDataRole.DisplayRole else None
        if role == self.ROW_ROLE:
            return row
        key = COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole):
            return self._deadline_brush(row, key, role)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._display(row, key) if key in ("requester", "register", "due") else None
        return self._display(row, key)

    def _deadline_brush(self, row: CaseRow, key: str, role: int):
        if key != "due" or row.status not in _RUNNING:
            return None
        # The colour follows the domain's one urgency rule (red overdue, amber within SOON_DAYS).
        level = self._service.urgency(date.fromisoformat(row.due_date), self._query.today)
        if level is Urgency.OVERDUE:
            meaning = "overdue"
        elif level is Urgency.SOON:
            meaning = "soon"
        else:
            return None
        background = role == Qt.ItemDataRole.BackgroundRole
        return QBrush(theme.color(meaning + "_background" if background else meaning))

    def _display(self, row: CaseRow, key: str) -> str:
        if key == "diary":
            return row.diary_number
        if key == "requester":
            masked = mask_hetu(row.hetu)
            return f"{row.requester_name}  {masked}" if masked else row.requester_name
        if key == "right":
            return labels.label(labels.RIGHTS_SHORT, row.right)
        if key == "register":
            return ", ".join(self._register_names.get(r, r) for r in row.registers.split())
        if key == "channel":
            return labels.label(labels.CHANNELS, row.channel)
        if key == "received":
            return format_date(date.fromisoformat(row.received))
        if key == "due":
            due = date.fromisoformat(row.due_date)
            if row.status not in _RUNNING:
                return format_date(due)
            left = self._service.days_left(due, self._query.today)
            if left.calendar_days < 0:
                return _("{date} (overdue {days} d)").format(date=format_date(due), days=-left.calendar_days)
            return _("{date} ({days} d / {working} wd)").format(
                date=format_date(due), days=left.calendar_days, working=left.working_days
            )
        if key == "status":
            return labels.label(labels.STATUSES, row.status)
        return ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        from dataclasses import replace

        self.set_query(
            replace(self._query, sort=COLUMNS[column][1], descending=order == Qt.SortOrder.DescendingOrder)
        )
