"""Intake of a new request: one keyboard-first screen; saving shows the diary number big enough to copy."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import identifiers
from desktop.domain.errors import DomainError
from desktop.domain.model import Channel, Language, Right
from desktop.i18n import _, current_language, error_text
from desktop.services.cases import CaseService
from desktop.ui import labels, theme
from desktop.ui.date_field import DateField
from desktop.ui.fault_note import FaultNote
from desktop.ui.operations import REGISTERED, CaseOp, of_case
from desktop.ui.runner import DbRunner
from desktop.ui.scan_prefill import ScanPrefill


class IntakeForm(QWidget):
    registered = Signal(str, str)  # case id, diary number
    open_case = Signal(str)
    cleared = Signal()  # the clerk started over: a prefill (from a scan or an e-mail) no longer applies

    def __init__(self, service: CaseService, runner: DbRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._last_case_id = ""

        self.channel_combo = QComboBox()
        self.received_edit = DateField(today=service.clock.today)  # one Tab stop; 1.12.2026, 01122026, +0, -3
        self.right_combo = QComboBox()
        self.registers_list = QListWidget()
        self.registers_list.setMaximumHeight(150)
        self.registers_list.setWordWrap(True)
        self.registers_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.applicability_label = QLabel()
        self.applicability_label.setWordWrap(True)
        self.applicability_label.setStyleSheet(theme.notice_style("warning"))
        self.applicability_label.hide()
        self.name_edit = QLineEdit()
        self.hetu_edit = QLineEdit()
        self.hetu_edit.setMaxLength(11)
        self.hetu_status = QLabel()
        self.street_edit = QLineEdit()
        self.postcode_edit = QLineEdit()
        self.postcode_edit.setMaxLength(5)
        self.postcode_edit.setMaximumWidth(80)
        self.city_edit = QLineEdit()
        self.country_edit = QLineEdit()
        self.postcode_status = QLabel()
        self.language_combo = QComboBox()
        self.email_edit = QLineEdit()
        self.phone_edit = QLineEdit()
        self.representative_edit = QLineEdit()
        self.signed_check = QCheckBox()
        self.details_edit = QPlainTextEdit()
        self.details_edit.setTabChangesFocus(True)
        self.details_edit.setMinimumHeight(90)
        self.duplicate_label = QLabel()
        self.duplicate_label.setWordWrap(True)
        self.duplicate_label.setStyleSheet(theme.notice_style("warning"))
        self.duplicate_label.hide()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(theme.text_style("error"))
        self.prefill_label = QLabel()  # where a prefilled request came from (a scan, an e-mail)
        self.prefill_label.setWordWrap(True)
        self.prefill_label.setStyleSheet(theme.notice_style("info"))
        self.prefill_label.hide()
        self.save_button = QPushButton()
        self.save_button.setDefault(True)
        self.clear_button = QPushButton()

        # The result panel: the diary number, large, to copy onto the paper form.
        self.result_frame = QFrame()
        self.result_frame.setFrameShape(QFrame.Shape.StyledPanel)
        self.result_frame.setStyleSheet(
            f"QFrame {{ background: {theme.hex_of('success_background')}; border-radius: 6px; }}"
        )
        self.result_caption = QLabel()
        self.diary_label = QLabel()
        font = QFont()
        font.setPointSize(28)
        font.setBold(True)
        self.diary_label.setFont(font)
        self.diary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QPushButton()
        self.open_button = QPushButton()
        self.new_button = QPushButton()
        result_layout = QHBoxLayout(self.result_frame)
        result_text = QVBoxLayout()
        result_text.addWidget(self.result_caption)
        result_text.addWidget(self.diary_label)
        result_layout.addLayout(result_text, 1)
        result_layout.addWidget(self.copy_button)
        result_layout.addWidget(self.open_button)
        result_layout.addWidget(self.new_button)
        self.result_frame.hide()

        # Forms that fill themselves: a scan read beside the form (desktop.ui.scan_prefill).
        self.scan_prefill = ScanPrefill(self)
        self.read_scan_button = QPushButton()
        self.read_scan_button.clicked.connect(self.choose_scan)

        self._build_layout()
        self.fault_note = FaultNote(self)
        self._asked_about: dict | None = None  # the form data the clerk was last asked to confirm
        self._connect()
        self.retranslate()
        self.clear()

    # -- layout -----------------------------------------------------------------------------------
    def _build_layout(self) -> None:
        self.request_box = QGroupBox()
        request = QFormLayout(self.request_box)
        self._request_labels = [QLabel() for _ in range(5)]
        for label, widget in zip(
            self._request_labels,
            (
                self.channel_combo,
                self.received_edit,
                self.right_combo,
                self.registers_list,
                self.signed_check,
            ),
            strict=True,
        ):
            label.setBuddy(widget)
            request.addRow(label, widget)
        request.addRow(self.applicability_label)

        self.person_box = QGroupBox()
        person = QFormLayout(self.person_box)
        self._person_labels = [QLabel() for _ in range(8)]
        hetu_row = QHBoxLayout()
        hetu_row.addWidget(self.hetu_edit)
        hetu_row.addWidget(self.hetu_status, 1)
        post_row = QHBoxLayout()
        post_row.addWidget(self.postcode_edit)
        post_row.addWidget(self.city_edit, 1)
        post_row.addWidget(self.postcode_status)
        rows = (
            (self.name_edit, self.name_edit),
            (self.hetu_edit, hetu_row),
            (self.street_edit, self.street_edit),
            (self.postcode_edit, post_row),
            (self.country_edit, self.country_edit),
            (self.language_combo, self.language_combo),
            (self.email_edit, self.email_edit),
            (self.phone_edit, self.phone_edit),
        )
        for label, (buddy, field) in zip(self._person_labels, rows, strict=True):
            label.setBuddy(buddy)
            person.addRow(label, field)
        self._representative_label = QLabel()
        self._representative_label.setBuddy(self.representative_edit)
        person.addRow(self._representative_label, self.representative_edit)
        person.addRow(self.duplicate_label)

        self.details_box = QGroupBox()
        details = QVBoxLayout(self.details_box)
        self.details_hint = QLabel()
        self.details_hint.setWordWrap(True)
        self.details_hint.setStyleSheet(theme.text_style("muted"))
        details.addWidget(self.details_hint)
        details.addWidget(self.details_edit)

        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.request_box)
        left.addWidget(self.details_box, 1)
        columns.addLayout(left, 1)
        columns.addWidget(self.person_box, 1)
        columns.addWidget(self.scan_prefill.panel, 1)

        buttons = QHBoxLayout()
        buttons.addWidget(self.error_label, 1)
        buttons.addWidget(self.read_scan_button)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)

        content = QWidget()
        inner = QVBoxLayout(content)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 20px; font-weight: bold;")
        inner.addWidget(self.heading)
        inner.addWidget(self.result_frame)
        inner.addWidget(self.prefill_label)
        inner.addLayout(columns, 1)
        inner.addLayout(buttons)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        # Tab order follows the paper form: request first, then the person, then the details.
        order = [
            self.channel_combo,
            self.received_edit,
            self.right_combo,
            self.registers_list,
            self.signed_check,
            self.name_edit,
            self.hetu_edit,
            self.street_edit,
            self.postcode_edit,
            self.city_edit,
            self.country_edit,
            self.language_combo,
            self.email_edit,
            self.phone_edit,
            self.representative_edit,
            self.details_edit,
            self.save_button,
            self.clear_button,
        ]
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self.hetu_edit.textChanged.connect(self._check_hetu)
        self.postcode_edit.textChanged.connect(self._check_postcode)
        self.right_combo.currentIndexChanged.connect(self._update_applicability)
        self.right_combo.currentIndexChanged.connect(self._update_details_hint)
        self.registers_list.itemChanged.connect(self._update_applicability)
        self.save_button.clicked.connect(self.save)
        self.clear_button.clicked.connect(self.clear)
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.diary_label.text()))
        self.new_button.clicked.connect(self.clear)
        self.open_button.clicked.connect(
            lambda: self._last_case_id and self.open_case.emit(self._last_case_id)
        )
        self._duplicate_timer = QTimer(self)
        self._duplicate_timer.setSingleShot(True)
        self._duplicate_timer.setInterval(300)
        self._duplicate_timer.timeout.connect(self._check_duplicates)
        self.hetu_edit.textChanged.connect(self._duplicate_timer.start)
        self.name_edit.textChanged.connect(self._duplicate_timer.start)
        for sequence in ("Ctrl+S", "Ctrl+Return", "Ctrl+Enter"):
            QShortcut(
                QKeySequence(sequence), self, self.save, context=Qt.ShortcutContext.WidgetWithChildrenShortcut
            )

    # -- texts ------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.heading.setText(_("New request"))
        self.received_edit.retranslate()
        self.request_box.setTitle(_("Request"))
        self.person_box.setTitle(_("Requester"))
        self.details_box.setTitle(_("Details"))
        for label, text in zip(
            self._request_labels,
            (_("C&hannel:"), _("Recei&ved:"), _("R&ight:"), _("Re&gisters:"), _("Si&gned:")),
            strict=True,
        ):
            label.setText(text)
        for label, text in zip(
            self._person_labels,
            (
                _("&Name:"),
                _("Personal &identity code:"),
                _("Street &address:"),
                _("&Postcode and post office:"),
                _("Co&untry:"),
                _("&Language:"),
                _("&E-mail:"),
                _("P&hone:"),
            ),
            strict=True,
        ):
            label.setText(text)
        self._representative_label.setText(_("Re&presentative (power of attorney):"))
        self.signed_check.setText(_("The request is signed"))
        self.save_button.setText(_("&Save and assign diary number"))
        self.save_button.setToolTip(_("Ctrl+S"))
        self.clear_button.setText(_("C&lear"))
        self.read_scan_button.setText(_("Read from a sca&n…"))
        self.read_scan_button.setAccessibleName(_("Read the request form from a scan"))
        self.scan_prefill.retranslate()
        self.result_caption.setText(_("Registered. Write this diary number on the paper form:"))
        self.copy_button.setText(_("&Copy"))
        self.open_button.setText(_("&Open case"))
        self.new_button.setText(_("Ne&xt request"))
        self.country_edit.setPlaceholderText(_("Empty for Finland"))
        self.hetu_edit.setPlaceholderText("DDMMYYCZZZQ")
        _fill(self.channel_combo, [(c.value, labels.label(labels.CHANNELS, c)) for c in Channel])
        _fill(self.right_combo, [(r.value, labels.label(labels.RIGHTS, r)) for r in Right])
        _fill(self.language_combo, [(lang.value, labels.label(labels.LANGUAGES, lang)) for lang in Language])
        language = current_language()
        checked = set(self.selected_registers())
        self.registers_list.blockSignals(True)
        self.registers_list.clear()
        for register in self._service.catalog:
            item = QListWidgetItem(register.name.get(language))
            item.setData(Qt.ItemDataRole.UserRole, register.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if register.id in checked else Qt.CheckState.Unchecked)
            self.registers_list.addItem(item)
        self.registers_list.blockSignals(False)
        names = {
            self.channel_combo: _("Channel"),
            self.received_edit: _("Received date"),
            self.right_combo: _("Right"),
            self.registers_list: _("Registers"),
            self.signed_check: _("Signed"),
            self.name_edit: _("Name"),
            self.hetu_edit: _("Personal identity code"),
            self.street_edit: _("Street address"),
            self.postcode_edit: _("Postcode"),
            self.city_edit: _("Post office"),
            self.country_edit: _("Country"),
            self.language_combo: _("Language"),
            self.email_edit: _("E-mail"),
            self.phone_edit: _("Phone"),
            self.representative_edit: _("Representative"),
            self.details_edit: _("Details of the request"),
            self.save_button: _("Save"),
            self.clear_button: _("Clear"),
            self.copy_button: _("Copy diary number"),
            self.open_button: _("Open case"),
            self.new_button: _("Next request"),
        }
        for widget, name in names.items():
            widget.setAccessibleName(name)
        self._check_hetu()
        self._check_postcode()
        self._update_applicability()
        self._update_details_hint()

    # -- checks as you type -----------------------------------------------------------------------
    def _check_hetu(self) -> None:
        text = self.hetu_edit.text().strip()
        if not text:
            self.hetu_status.setText("")
            return
        if len(text) < 11:
            self.hetu_status.setStyleSheet(theme.text_style("muted"))
            self.hetu_status.setText(_("{n}/11 characters").format(n=len(text)))
            return
        try:
            info = identifiers.parse_hetu(text)
        except DomainError as error:
            self.hetu_status.setStyleSheet(theme.text_style("error"))
            self.hetu_status.setText(error_text(error))
            return
        self.hetu_status.setStyleSheet(theme.text_style("ok"))
        note = _("temporary identity code") if info.temporary else _("valid")
        self.hetu_status.setText(f"✓ {note}")

    def _check_postcode(self) -> None:
        text = self.postcode_edit.text().strip()
        if not text or self.country_edit.text().strip():
            self.postcode_status.setText("")
            return
        if identifiers.is_valid_postcode(text):
            self.postcode_status.setStyleSheet(theme.text_style("ok"))
            self.postcode_status.setText("✓")
        else:
            self.postcode_status.setStyleSheet(theme.text_style("error"))
            self.postcode_status.setText(_("five digits"))

    def _update_applicability(self) -> None:
        right = self.right_combo.currentData()
        language = current_language()
        fallback = _("This right does not apply to this register.")
        notes = [
            f"{name}: {note or fallback}"
            for name, note in (
                self._service.rights_not_applying(right, self.selected_registers(), language) if right else []
            )
        ]
        if notes:
            self.applicability_label.setText(
                _("Note: the request is registered, but the decision will be a refusal:")
                + "\n"
                + "\n".join(notes)
            )
            self.applicability_label.show()
        else:
            self.applicability_label.hide()

    def _update_details_hint(self) -> None:
        if self.right_combo.currentData() == Right.RECTIFICATION.value:
            self.details_hint.setText(
                _("For rectification: which data, why it is wrong, and how it should be corrected.")
            )
        else:
            self.details_hint.setText(_("What the requester asks for, in their words."))

    def _check_duplicates(self) -> None:
        hetu = self.hetu_edit.text().strip()
        name = self.name_edit.text().strip()
        if hetu and not identifiers.is_valid_hetu(hetu):
            hetu = ""
        if not hetu and len(name) < 3:
            self.duplicate_label.hide()
            return
        code = identifiers.parse_hetu(hetu).code if hetu else ""
        self._runner.run(lambda: self._service.open_cases_of(code, name), self._show_duplicates)

    def _show_duplicates(self, rows) -> None:
        if not rows:
            self.duplicate_label.hide()
            return
        numbers = ", ".join(row.diary_number for row in rows[:5])
        self.duplicate_label.setText(
            _("This person already has open cases: {numbers}. You can still register a new one.").format(
                numbers=numbers
            )
        )
        self.duplicate_label.show()

    # -- actions ----------------------------------------------------------------------------------
    def selected_registers(self) -> list[str]:
        return [
            self.registers_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.registers_list.count())
            if self.registers_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def request_data(self) -> dict:
        received = self.received_edit.date()
        return {
            "right": self.right_combo.currentData(),
            "channel": self.channel_combo.currentData(),
            "received": date(received.year(), received.month(), received.day()).isoformat(),
            "registers": self.selected_registers(),
            "signed": self.signed_check.isChecked(),
            "details": self.details_edit.toPlainText(),
            "requester": {
                "name": self.name_edit.text(),
                "hetu": self.hetu_edit.text(),
                "language": self.language_combo.currentData(),
                "email": self.email_edit.text(),
                "phone": self.phone_edit.text(),
                "representative": self.representative_edit.text(),
                "address": {
                    "street": self.street_edit.text(),
                    "postcode": self.postcode_edit.text(),
                    "city": self.city_edit.text(),
                    "country": self.country_edit.text(),
                },
            },
        }

    def save(self) -> None:
        self.error_label.clear()
        if self.scan_prefill.unconfirmed():
            self.error_label.setText(
                _("Check the fields read from the scan and confirm them first (F8; Ctrl+Shift+F8 for all).")
            )
            self.scan_prefill.unconfirmed()[0].setFocus()
            return
        self.fault_note.clear_fault()
        if not self.received_edit.is_valid_text():
            self._refuse(
                self.received_edit, _("Not a date: type it as 1.12.2026, 01122026, or +0 for today.")
            )
            return
        data = self.request_data()
        try:  # checked here first, so that the refusal can point at its field and the questions be asked
            questions = self._service.intake_questions(data)
        except DomainError as error:
            self._refuse(self._field_for(error), error_text(error))
            return
        if questions and data != self._asked_about:
            # Ask, not block: the question stands beside its field; saving the same form again confirms.
            self._asked_about = data
            question = questions[0]
            field = self.registers_list if "register" in question.message else self.received_edit
            text = "\n".join(error_text(q) for q in questions)
            self.error_label.setText(text)
            self.fault_note.show_at(
                field, text + "\n" + _("Save again (Ctrl+S) to confirm, or correct the form.")
            )
            return
        self._asked_about = None
        CaseOp(
            self._runner,
            lambda: self._service.register(data),
            of_case(
                REGISTERED, message=lambda state: _("Registered {diary}").format(diary=state.diary_number)
            ),
        ).busy(self.save_button).success(self._saved).failure(self._failed).run()

    def _refuse(self, field: QWidget, message: str) -> None:
        """The reason, beside the field at fault, which gets the focus (the next key goes there)."""
        self.error_label.setText(message)
        self.fault_note.show_at(field, message)

    def _field_for(self, error: DomainError | None) -> QWidget:
        if error is None:
            return self.name_edit
        by_field = {
            "right": self.right_combo,
            "channel": self.channel_combo,
            "received": self.received_edit,
            "registers": self.registers_list,
            "signed": self.signed_check,
            "details": self.details_edit,
            "name": self.name_edit,
            "hetu": self.hetu_edit,
            "email": self.email_edit,
            "phone": self.phone_edit,
            "representative": self.representative_edit,
            "street": self.street_edit,
            "postcode": self.postcode_edit,
            "city": self.city_edit,
            "country": self.country_edit,
            "language": self.language_combo,
        }
        field = str(error.params.get("field", "")).split(".")[-1]
        if field in by_field:
            return by_field[field]
        message = error.message.lower()
        for words, widget in (
            ("name is required", self.name_edit),
            ("personal identity code", self.hetu_edit),
            ("postcode", self.postcode_edit),
            ("e-mail", self.email_edit),
            ("received date", self.received_edit),
            ("valid date", self.received_edit),
            ("register", self.registers_list),
        ):
            if words in message:
                return widget
        return self.name_edit

    def _saved(self, state) -> None:
        self._last_case_id = state.id
        self._clear_fields()
        self.diary_label.setText(state.diary_number)
        self.result_frame.show()
        self.new_button.setFocus()
        self.registered.emit(state.id, state.diary_number)

    def _failed(self, message: str) -> None:
        self._refuse(self._field_for(getattr(message, "error", None)), message)

    def _clear_fields(self) -> None:
        today = self._service.clock.today()
        self.received_edit.setDate(QDate(today.year, today.month, today.day))
        for edit in (
            self.name_edit,
            self.hetu_edit,
            self.street_edit,
            self.postcode_edit,
            self.city_edit,
            self.country_edit,
            self.email_edit,
            self.phone_edit,
            self.representative_edit,
        ):
            edit.clear()
        self.details_edit.clear()
        self.signed_check.setChecked(False)
        self.channel_combo.setCurrentIndex(0)
        self.right_combo.setCurrentIndex(0)
        self.language_combo.setCurrentIndex(0)
        for i in range(self.registers_list.count()):
            self.registers_list.item(i).setCheckState(Qt.CheckState.Unchecked)
        self.error_label.clear()
        self.fault_note.clear_fault()
        self.duplicate_label.hide()
        self.prefill_label.hide()
        self.scan_prefill.reset()

    def clear(self) -> None:
        self._clear_fields()
        self.result_frame.hide()
        self.channel_combo.setFocus()
        self.cleared.emit()

    def prefill(self, data: dict, note: str = "") -> None:
        """Fill the form from a request dict (the shape of `request_data`); keys not given stay as they are."""
        self.result_frame.hide()
        for combo, key in ((self.channel_combo, "channel"), (self.right_combo, "right")):
            if data.get(key) and combo.findData(data[key]) >= 0:
                combo.setCurrentIndex(combo.findData(data[key]))
        if data.get("received"):
            try:
                received = date.fromisoformat(str(data["received"]))
                self.received_edit.setDate(QDate(received.year, received.month, received.day))
            except ValueError:
                pass  # a guess that is not a date leaves today's date for the clerk to check
        if "signed" in data:
            self.signed_check.setChecked(bool(data["signed"]))
        wanted = set(data.get("registers") or [])
        if wanted:
            for i in range(self.registers_list.count()):
                item = self.registers_list.item(i)
                if item.data(Qt.ItemDataRole.UserRole) in wanted:
                    item.setCheckState(Qt.CheckState.Checked)
        if "details" in data:
            self.details_edit.setPlainText(str(data["details"] or ""))
        person = data.get("requester") or {}
        address = person.get("address") or {}
        for edit, value in (
            (self.name_edit, person.get("name")),
            (self.hetu_edit, person.get("hetu")),
            (self.email_edit, person.get("email")),
            (self.phone_edit, person.get("phone")),
            (self.representative_edit, person.get("representative")),
            (self.street_edit, address.get("street")),
            (self.postcode_edit, address.get("postcode")),
            (self.city_edit, address.get("city")),
            (self.country_edit, address.get("country")),
        ):
            if value:
                edit.setText(str(value))
        language = person.get("language")
        if language and self.language_combo.findData(language) >= 0:
            self.language_combo.setCurrentIndex(self.language_combo.findData(language))
        self.prefill_label.setText(note)
        self.prefill_label.setVisible(bool(note))
        self.name_edit.setFocus()

    def choose_scan(self) -> None:
        """Pick a scanned form from disk and prefill the form from it."""
        from pathlib import Path

        from PySide6.QtWidgets import QFileDialog

        path, _filter = QFileDialog.getOpenFileName(
            self, _("Read from a scan"), "", _("Scans (*.pdf *.png *.jpg *.jpeg *.tif *.tiff);;All files (*)")
        )
        if path:
            self.scan_prefill.read_file(Path(path))


def _fill(combo: QComboBox, items: list[tuple[str, str]]) -> None:
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for code, text in items:
        combo.addItem(text, code)
    index = combo.findData(current) if current is not None else 0
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(False)
