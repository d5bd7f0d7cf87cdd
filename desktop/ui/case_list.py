"""The case list: search as you type, filters, a table that stays smooth on a million cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import QDate, QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.model import Channel, Right, Status
from desktop.i18n import _, current_language, ngettext
from desktop.services.cases import CaseQuery
from desktop.ui import labels
from desktop.ui.case_list_model import COLUMNS, OPEN_CASES, CaseListModel
from desktop.ui.date_field import DateField

OPEN = "open"  # the status filter's "open cases" (every status but closed and purged)
DUE_WINDOWS = (("", None), ("overdue", None), ("7", 7), ("14", 14), ("30", 30))


class CaseListView(QWidget):
    open_case = Signal(str)  # case id

    def __init__(self, model: CaseListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._base_query: CaseQuery = replace(model.query, statuses=frozenset())
        self.search_edit = QLineEdit()
        self.search_edit.setClearButtonEnabled(True)
        self.status_combo = QComboBox()
        self.right_combo = QComboBox()
        self.register_combo = QComboBox()
        self.channel_combo = QComboBox()
        self.due_combo = QComboBox()
        self.received_check = QCheckBox()
        self.received_from = DateField(today=model._service.clock.today)
        self.received_to = DateField(today=model._service.clock.today)
        for edit in (self.received_from, self.received_to):
            edit.setMaximumWidth(110)
            edit.setEnabled(False)
        today = model.query.today
        self.received_from.setDate(QDate(today.year, 1, 1))
        self.received_to.setDate(QDate(today.year, today.month, today.day))
        for combo in (
            self.status_combo,
            self.right_combo,
            self.register_combo,
            self.channel_combo,
            self.due_combo,
        ):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
            combo.currentTextChanged.connect(combo.setToolTip)  # a long register name, elided, in full
        self.count_label = QLabel()
        self.table = QTableView()
        self.table.setModel(model)
        self.table.setSortingEnabled(True)
        due_column = [key for key, _sort in COLUMNS].index("due")
        self.table.horizontalHeader().setSortIndicator(due_column, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform rows: fast
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate((130, 230, 120, 220, 110, 90, 190, 160)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(self._open_index)
        self.table.activated.connect(self._open_index)

        # Two rows of three filters: the row fits a 1280-pixel screen at 150 % scaling in every language.
        filters = QGridLayout()
        filters.setHorizontalSpacing(6)
        self._filter_labels = [QLabel() for _ in range(6)]
        received = QHBoxLayout()
        received.addWidget(self.received_check)
        received.addWidget(self.received_from)
        received.addWidget(QLabel("–"))
        received.addWidget(self.received_to)
        received.addStretch(1)
        for position, (label, widget, field) in enumerate(
            zip(
                self._filter_labels,
                (
                    self.status_combo,
                    self.right_combo,
                    self.register_combo,
                    self.channel_combo,
                    self.due_combo,
                    self.received_check,
                ),
                (
                    self.status_combo,
                    self.right_combo,
                    self.register_combo,
                    self.channel_combo,
                    self.due_combo,
                    received,
                ),
                strict=True,
            )
        ):
            label.setBuddy(widget)
            row, column = divmod(position, 3)
            filters.addWidget(label, row, 2 * column, Qt.AlignmentFlag.AlignRight)
            if isinstance(field, QHBoxLayout):
                filters.addLayout(field, row, 2 * column + 1)
            else:
                filters.addWidget(field, row, 2 * column + 1)
        for column in (1, 3, 5):
            filters.setColumnStretch(column, 1)

        top = QHBoxLayout()
        self._search_label = QLabel()
        self._search_label.setBuddy(self.search_edit)
        top.addWidget(self._search_label)
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)  # search as you type, without a query per keystroke
        self._search_timer.timeout.connect(self.apply_filters)
        self.search_edit.textChanged.connect(self._search_timer.start)
        for combo in (
            self.status_combo,
            self.right_combo,
            self.register_combo,
            self.channel_combo,
            self.due_combo,
        ):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.received_check.toggled.connect(self._toggle_received)
        self.received_from.dateChanged.connect(self.apply_filters)
        self.received_to.dateChanged.connect(self.apply_filters)
        model.loaded.connect(self._show_count)
        model.loaded.connect(self._open_when_found)
        self._open_pending = False
        self.search_edit.installEventFilter(self)
        model.modelReset.connect(self.table.scrollToTop)  # a new search or sort starts at the top
        self.retranslate()
        self.status_combo.blockSignals(True)
        self.status_combo.setCurrentIndex(self.status_combo.findData(OPEN))
        self.status_combo.blockSignals(False)

    def _toggle_received(self, on: bool) -> None:
        self.received_from.setEnabled(on)
        self.received_to.setEnabled(on)
        self.apply_filters()

    def retranslate(self) -> None:
        self._search_label.setText(_("&Search:"))
        self.search_edit.setPlaceholderText(_("Name, personal identity code, diary number, address…"))
        self.search_edit.setAccessibleName(_("Search cases"))
        texts = (_("S&tatus:"), _("R&ight:"), _("Re&gister:"), _("C&hannel:"), _("D&ue:"), _("Recei&ved:"))
        for label, text in zip(self._filter_labels, texts, strict=True):
            label.setText(text)
        self.received_check.setAccessibleName(_("Filter by received date"))
        self.received_from.setAccessibleName(_("Received from"))
        self.received_from.retranslate()
        self.received_to.retranslate()
        self.received_to.setAccessibleName(_("Received to"))
        self._fill(
            self.status_combo,
            _("All statuses"),
            [(OPEN, _("Open cases")), *((s.value, labels.label(labels.STATUSES, s)) for s in Status)],
        )
        self._fill(
            self.right_combo,
            _("All rights"),
            [(r.value, labels.label(labels.RIGHTS_SHORT, r)) for r in Right],
        )
        language = current_language()
        registers = [(r.id, r.name.get(language)) for r in self.model.catalog]
        self._fill(self.register_combo, _("All registers"), registers)
        self._fill(
            self.channel_combo,
            _("All channels"),
            [(c.value, labels.label(labels.CHANNELS, c)) for c in Channel],
        )
        due_texts = [
            _("Any due date"),
            _("Overdue"),
            _("Within 7 days"),
            _("Within 14 days"),
            _("Within 30 days"),
        ]
        self._fill(
            self.due_combo,
            None,
            [(code, text) for (code, _days), text in zip(DUE_WINDOWS, due_texts, strict=True)],
        )
        for combo, name in (
            (self.status_combo, _("Status filter")),
            (self.right_combo, _("Right filter")),
            (self.register_combo, _("Register filter")),
            (self.channel_combo, _("Channel filter")),
            (self.due_combo, _("Due date filter")),
        ):
            combo.setAccessibleName(name)
        self.table.setAccessibleName(_("Cases"))
        self.model.retranslate()
        self._show_count(self.model.rowCount())

    @staticmethod
    def _fill(combo: QComboBox, all_text: str | None, items: list[tuple[str, str]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        if all_text is not None:
            combo.addItem(all_text, "")
        for code, text in items:
            combo.addItem(text, code)
            combo.setItemData(combo.count() - 1, text, Qt.ItemDataRole.ToolTipRole)  # the full name
        index = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _show_count(self, count: int) -> None:
        self.count_label.setText(ngettext("{n} case", "{n} cases", count).format(n=count))

    def show_queue(self, query: CaseQuery) -> None:
        """Show a Today-view queue: its filters replace the current ones."""
        self._base_query = query
        for combo in (
            self.status_combo,
            self.right_combo,
            self.register_combo,
            self.channel_combo,
            self.due_combo,
        ):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self.received_check.blockSignals(True)
        self.received_check.setChecked(False)
        self.received_check.blockSignals(False)
        self.model.set_query(query)

    def apply_filters(self) -> None:
        base = self._base_query
        due_code = self.due_combo.currentData() or ""
        query = replace(
            base,
            today=self.model._service.clock.today(),
            text=self.search_edit.text(),
            sort=self.model.query.sort,
            descending=self.model.query.descending,
        )
        if self.status_combo.currentData() == OPEN:
            query = replace(query, statuses=OPEN_CASES)
        elif self.status_combo.currentData():
            query = replace(query, statuses=frozenset({self.status_combo.currentData()}))
        if self.right_combo.currentData():
            query = replace(query, right=self.right_combo.currentData())
        if self.register_combo.currentData():
            query = replace(query, register=self.register_combo.currentData())
        if self.channel_combo.currentData():
            query = replace(query, channel=self.channel_combo.currentData())
        if due_code == "overdue":
            query = replace(query, overdue=True)
        elif due_code:
            query = replace(query, due_within=int(due_code))
        if self.received_check.isChecked():
            query = replace(
                query,
                received_from=_to_date(self.received_from.date()),
                received_to=_to_date(self.received_to.date()),
            )
        self.model.set_query(query)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        """From the search field: Down goes into the results, Enter opens the case (the only one at once)."""
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Down:
                self._into_results()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._search_timer.isActive():  # typed faster than the search: search now, then open
                    self._search_timer.stop()
                    self._open_pending = True
                    self.apply_filters()
                else:
                    self._open_found()
                return True
        return super().eventFilter(watched, event)

    def _into_results(self) -> None:
        if self.model.rowCount() == 0:
            return
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        current = self.table.currentIndex()
        if not current.isValid() or not self.table.selectionModel().isSelected(current):
            self.table.selectRow(0)
            self.table.setCurrentIndex(self.model.index(0, 0))

    def _open_found(self) -> None:
        if self.model.rowCount() == 1:
            self._open_index(self.model.index(0, 0))
        else:
            self._into_results()

    def _open_when_found(self, _count: int) -> None:
        if self._open_pending:
            self._open_pending = False
            self._open_found()

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def _open_index(self, index) -> None:
        row = self.model.case_row(index.row())
        if row is not None:
            self.open_case.emit(row.id)


def _to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


__all__ = ["COLUMNS", "CaseListView"]
