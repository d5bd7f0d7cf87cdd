"""Small dialogs for the case actions. Each asks what the action needs, calls the service, shows its refusal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import identifiers
from desktop.domain.errors import N_, DomainError
from desktop.domain.events import CORRECTABLE_FIELDS, field_value
from desktop.domain.model import (
    AttachmentKind,
    CaseState,
    Channel,
    Decision,
    Delivery,
    IdentityMethod,
    Language,
    Right,
)
from desktop.i18n import _, current_language, error_text
from desktop.ui import labels, theme
from desktop.ui.date_field import DateField
from desktop.ui.fault_note import FaultNote, first_to_fill
from desktop.ui.operations import CASE, CaseOp, of_case
from desktop.ui.runner import DbRunner


class ActionDialog(QDialog):
    """A form whose OK runs one service call through the operations door; a refusal keeps the dialog open."""

    def __init__(self, title: str, runner: DbRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(480)
        self._runner = runner
        self._submit: Callable[[], Callable[[], object]] | None = None
        self.result_value: object = None
        self.form = QFormLayout()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.hide()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(theme.text_style("error"))
        self.fields: list[QWidget] = []
        self.fault_note = FaultNote(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("OK"))
        self.ok_button.setAccessibleName(_("OK"))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(_("Cancel"))
        cancel.setAccessibleName(_("Cancel"))
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def showEvent(self, event) -> None:  # noqa: N802
        # Tab follows the form from top to bottom, then OK and Cancel (widgets made before the form
        # rows, such as the buttons, would otherwise come first).
        chain: list[QWidget] = []
        for row in range(self.form.rowCount()):
            item = self.form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            widget = item.widget() if item is not None else None
            if widget is None:
                continue
            chain += (
                [widget.widget(i) for i in range(widget.count())]
                if isinstance(widget, QStackedWidget)
                else [widget]
            )
        chain += [b for b in self.buttons.buttons()]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        super().showEvent(event)

    def set_intro(self, text: str) -> None:
        self.intro.setText(text)
        self.intro.show()

    def add_row(self, text: str, widget: QWidget, accessible: str) -> QWidget:
        label = QLabel(text)
        label.setBuddy(widget)
        widget.setAccessibleName(accessible)
        self.form.addRow(label, widget)
        self.fields.append(widget)
        return widget

    def on_submit(self, make_op: Callable[[], Callable[[], object]]) -> None:
        """`make_op` reads the widgets (on the GUI thread) and returns the service call to run."""
        self._submit = make_op

    def _ok(self) -> None:
        assert self._submit is not None
        self.error_label.clear()
        try:
            op = self._submit()
        except DomainError as error:
            self.show_refusal(error_text(error))
            return
        CaseOp(self._runner, op, of_case(CASE)).busy(self.ok_button).success(self._done).failure(
            self.show_refusal
        ).run()

    def _done(self, value: object) -> None:
        self.result_value = value
        self.accept()

    def show_refusal(self, message: str) -> None:
        """The reason beside the field at fault, which gets the focus (not Cancel: Enter must not close)."""
        self.error_label.setText(message)
        field = first_to_fill(self.fields)
        if field is not None:
            self.fault_note.show_at(field, message)


def _combo(items: list[tuple[str, str]]) -> QComboBox:
    combo = QComboBox()
    for code, text in items:
        combo.addItem(text, code)
    return combo


def _text(placeholder: str = "") -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setPlaceholderText(placeholder)
    edit.setMaximumHeight(110)
    return edit


def _date_edit(value: date, maximum: date) -> DateField:
    edit = DateField(value, today=lambda: maximum)  # one Tab stop; 1.12.2026, 01122026, +0, -3
    edit.setMaximumDate(maximum)
    return edit


def _py_date(edit: DateField) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


def identity_dialog(service, runner, state: CaseState, parent=None) -> ActionDialog:
    dialog = ActionDialog(_("Record identity check"), runner, parent)
    dialog.set_intro(_("Record how identity was checked. Never keep a copy of the ID document."))
    method = dialog.add_row(
        _("&Method:"),
        _combo([(m.value, labels.label(labels.IDENTITY_METHODS, m)) for m in IdentityMethod]),
        _("Method"),
    )
    document = dialog.add_row(_("&Document seen:"), QLineEdit(), _("Document seen"))
    document.setPlaceholderText(_("e.g. passport, ID card (no numbers)"))
    dialog.on_submit(
        lambda: (
            lambda: service.verify_identity(state.id, IdentityMethod(method.currentData()), document.text())
        )
    )
    return dialog


def clarification_dialog(service, runner, state: CaseState, parent=None) -> ActionDialog:
    dialog = ActionDialog(_("Request clarification"), runner, parent)
    dialog.set_intro(
        _(
            "The deadline stops until the requester answers; it is computed again from the day the answer arrives."
        )
    )
    what = dialog.add_row(_("&What is needed:"), _text(_("e.g. a signed request form")), _("What is needed"))
    dialog.on_submit(lambda: lambda: service.request_clarification(state.id, what.toPlainText()))
    return dialog


def clarification_received_dialog(service, runner, state: CaseState, parent=None) -> ActionDialog:
    today = service.clock.today()
    dialog = ActionDialog(_("Clarification received"), runner, parent)
    on = dialog.add_row(_("&Arrived on:"), _date_edit(today, today), _("Arrival date"))
    dialog.on_submit(lambda: lambda: service.receive_clarification(state.id, _py_date(on)))
    return dialog


def extend_dialog(service, runner, state: CaseState, parent=None) -> ActionDialog:
    dialog = ActionDialog(_("Extend the deadline"), runner, parent)
    dialog.set_intro(
        _(
            "The deadline can be extended once, by two months, if the requester is told the reasons within the first month."
        )
    )
    reason = dialog.add_row(_("&Reasons:"), _text(_("e.g. the request covers several systems")), _("Reasons"))
    dialog.on_submit(lambda: lambda: service.extend(state.id, reason.toPlainText()))
    return dialog


def decision_dialog(service, runner, state: CaseState, parent=None) -> ActionDialog:
    dialog = ActionDialog(_("Record decision"), runner, parent)
    decision = dialog.add_row(
        _("&Decision:"),
        _combo([(d.value, labels.label(labels.DECISIONS, d)) for d in Decision]),
        _("Decision"),
    )
    reasons = dialog.add_row(_("&Reasons:"), _text(_("Required for a refusal")), _("Reasons"))
    basis = dialog.add_row(_("&Legal basis:"), QLineEdit(), _("Legal basis"))
    basis.setPlaceholderText(_("e.g. GDPR Art. 17(3)(b)"))
    transferred = dialog.add_row(_("&Transferred to:"), QLineEdit(), _("Transferred to"))
    dialog.on_submit(
        lambda: (
            lambda: service.record_decision(
                state.id,
                Decision(decision.currentData()),
                reasons.toPlainText(),
                basis.text(),
                transferred.text(),
            )
        )
    )
    return dialog


def dispatch_dialog(service, runner, state: CaseState, parent=None) -> ActionDialog:
    dialog = ActionDialog(_("Dispatch the reply"), runner, parent)
    delivery = dialog.add_row(
        _("&Delivery:"),
        _combo([(d.value, labels.label(labels.DELIVERIES, d)) for d in Delivery]),
        _("Delivery"),
    )
    tracking = dialog.add_row(_("&Tracking number:"), QLineEdit(), _("Tracking number"))
    tracking.setPlaceholderText("RR123456785FI")
    status = QLabel()
    dialog.form.addRow(status)

    def check_tracking() -> None:
        text = tracking.text().strip()
        if not text:
            status.setText("")
            return
        try:
            identifiers.parse_tracking_number(text)
            status.setStyleSheet(theme.text_style("ok"))
            status.setText(
                "✓ " + (_("check digit correct") if identifiers.is_s10(text) else _("accepted as entered"))
            )
        except DomainError as error:
            status.setStyleSheet(theme.text_style("error"))
            status.setText(error_text(error))

    tracking.textChanged.connect(check_tracking)
    delivery.currentIndexChanged.connect(
        lambda: tracking.setEnabled(delivery.currentData() == Delivery.REGISTERED_MAIL.value)
    )
    dialog.on_submit(
        lambda: lambda: service.dispatch(state.id, Delivery(delivery.currentData()), tracking.text())
    )
    return dialog


def hand_over_dialog(service, runner, state: CaseState, parent=None) -> ActionDialog:
    dialog = ActionDialog(_("Hand over at the desk"), runner, parent)
    dialog.set_intro(
        _("Check the requester's identity from an official ID document before handing over the reply.")
    )
    document = dialog.add_row(
        _("&ID document seen:"),
        _combo(
            [
                (m.value, labels.label(labels.IDENTITY_METHODS, m))
                for m in (IdentityMethod.PASSPORT, IdentityMethod.ID_CARD, IdentityMethod.DRIVING_LICENCE)
            ]
        ),
        _("ID document seen"),
    )
    dialog.on_submit(lambda: lambda: service.hand_over(state.id, document.currentData()))
    return dialog


def note_dialog(service, runner, state: CaseState, parent=None) -> ActionDialog:
    dialog = ActionDialog(_("Add a note"), runner, parent)
    text = dialog.add_row(_("&Note:"), _text(), _("Note"))
    dialog.on_submit(lambda: lambda: service.add_note(state.id, text.toPlainText()))
    return dialog


def close_dialog(service, runner, state: CaseState, parent=None) -> ActionDialog:
    dialog = ActionDialog(_("Close the case"), runner, parent)
    dialog.set_intro(
        _("Close case {diary}? It is kept for the retention period and then purged.").format(
            diary=state.diary_number
        )
    )
    dialog.on_submit(lambda: lambda: service.close(state.id))
    return dialog


class FieldEditor(QStackedWidget):
    """The right editor for each correctable field: a date field, the register check list, a combo of
    rights, channels or languages, a yes/no box, or text. It reads and gives values in the log's form."""

    def __init__(self, service, state: CaseState) -> None:
        super().__init__()
        self._state = state
        self.text_edit = QLineEdit()
        self.date_edit = DateField(today=service.clock.today)
        self.registers_list = QListWidget()
        self.registers_list.setMaximumHeight(140)
        self.registers_list.setWordWrap(True)
        language = current_language()
        for register in service.catalog:
            item = QListWidgetItem(register.name.get(language))
            item.setToolTip(register.name.get(language))
            item.setData(Qt.ItemDataRole.UserRole, register.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.registers_list.addItem(item)
        self.choice_combo = QComboBox()
        self.yes_check = QCheckBox(_("Yes"))
        for widget in (
            self.text_edit,
            self.date_edit,
            self.registers_list,
            self.choice_combo,
            self.yes_check,
        ):
            self.addWidget(widget)
        self.path = ""

    def show_field(self, path: str) -> None:
        self.path = path
        current = field_value(self._state, path)
        choices = {
            "right": [(r.value, labels.label(labels.RIGHTS, r)) for r in Right],
            "channel": [(c.value, labels.label(labels.CHANNELS, c)) for c in Channel],
            "requester.language": [(lang.value, labels.label(labels.LANGUAGES, lang)) for lang in Language],
        }
        if path == "received":
            self.date_edit.setDate(date.fromisoformat(str(current)))
            self.setCurrentWidget(self.date_edit)
        elif path == "registers":
            chosen = set(current or [])
            for i in range(self.registers_list.count()):
                item = self.registers_list.item(i)
                item.setCheckState(
                    Qt.CheckState.Checked
                    if item.data(Qt.ItemDataRole.UserRole) in chosen
                    else Qt.CheckState.Unchecked
                )
            self.setCurrentWidget(self.registers_list)
        elif path in choices:
            self.choice_combo.clear()
            for code, text in choices[path]:
                self.choice_combo.addItem(text, code)
            self.choice_combo.setCurrentIndex(max(0, self.choice_combo.findData(current)))
            self.setCurrentWidget(self.choice_combo)
        elif path == "signed":
            self.yes_check.setChecked(bool(current))
            self.setCurrentWidget(self.yes_check)
        else:
            self.text_edit.setText(str(current or ""))
            self.setCurrentWidget(self.text_edit)
        self.setFixedHeight(self.currentWidget().sizeHint().height())

    def value(self) -> object:
        editor = self.currentWidget()
        if editor is self.date_edit:
            if not self.date_edit.is_valid_text():
                raise DomainError(N_("Not a date: type it as 1.12.2026, 01122026, or +0 for today."))
            return self.date_edit.py_date().isoformat()
        if editor is self.registers_list:
            return [
                self.registers_list.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.registers_list.count())
                if self.registers_list.item(i).checkState() == Qt.CheckState.Checked
            ]
        if editor is self.choice_combo:
            return self.choice_combo.currentData()
        if editor is self.yes_check:
            return self.yes_check.isChecked()
        return self.text_edit.text()

    def focus_editor(self) -> None:
        self.currentWidget().setFocus(Qt.FocusReason.TabFocusReason)


def correction_dialog(service, runner, state: CaseState, parent=None) -> ActionDialog:
    dialog = ActionDialog(_("Correct a field"), runner, parent)
    dialog.set_intro(_("The old and the new value and your reason are kept in the case's log."))
    field = dialog.add_row(
        _("&Field:"),
        _combo([(path, labels.label(labels.FIELDS, path)) for path in CORRECTABLE_FIELDS]),
        _("Field"),
    )
    editor = FieldEditor(service, state)
    dialog.value_editor = editor
    label = QLabel(_("&New value:"))
    label.setBuddy(editor)
    dialog.form.addRow(label, editor)
    for widget in (editor.text_edit, editor.date_edit, editor.registers_list, editor.choice_combo):
        widget.setAccessibleName(_("New value"))
    editor.yes_check.setAccessibleName(_("New value: yes"))
    reason = dialog.add_row(_("&Reason:"), QLineEdit(), _("Reason"))
    field.currentIndexChanged.connect(lambda: editor.show_field(field.currentData()))
    editor.show_field(field.currentData())
    dialog.on_submit(
        lambda: (
            lambda value: lambda: service.correct(state.id, {field.currentData(): value}, reason.text())
        )(editor.value())
    )
    return dialog


def resolve_conflict_dialog(service, runner, state: CaseState, parent=None) -> ActionDialog:
    dialog = ActionDialog(_("Resolve conflicting edits"), runner, parent)
    conflict = state.conflicts[0]
    dialog.set_intro(
        _("{field} was changed on two desks at the same time. Choose the value to keep.").format(
            field=labels.label(labels.FIELDS, conflict.field)
        )
    )
    choice = dialog.add_row(_("&Value:"), _combo([(v, v) for v in conflict.values]), _("Value"))
    dialog.on_submit(lambda: lambda: service.resolve_conflict(state.id, conflict.field, choice.currentData()))
    return dialog


def detach_dialog(service, runner, state: CaseState, sha256: str, parent=None) -> ActionDialog:
    """Take a wrongly attached file off the case, with the reason (the file stays until retention)."""
    attachment = next(a for a in state.attachments if a.sha256 == sha256)
    dialog = ActionDialog(_("Detach a file"), runner, parent)
    dialog.set_intro(
        _(
            "{name} is taken off the case. The file itself is kept for the log until the case's retention "
            "period ends; the reason is logged."
        ).format(name=attachment.filename)
    )
    reason = dialog.add_row(_("&Reason:"), QLineEdit(), _("Reason"))
    reason.setPlaceholderText(_("e.g. attached to the wrong case"))
    dialog.on_submit(lambda: lambda: service.detach_attachment(state.id, sha256, reason.text()))
    return dialog


def relabel_dialog(service, runner, state: CaseState, sha256: str, parent=None) -> ActionDialog:
    """Give an attached file another kind or name (the old label stays in the log)."""
    attachment = next(a for a in state.attachments if a.sha256 == sha256)
    dialog = ActionDialog(_("Change a file's label"), runner, parent)
    kind = dialog.add_row(
        _("&Kind:"),
        _combo(
            [
                (k.value, labels.label(labels.ATTACHMENT_KINDS, k))
                for k in AttachmentKind
                if k is not AttachmentKind.REPLY
            ]
        ),
        _("Kind"),
    )
    kind.setCurrentIndex(max(0, kind.findData(attachment.kind.value)))
    name = dialog.add_row(_("File &name:"), QLineEdit(attachment.filename), _("File name"))
    dialog.on_submit(
        lambda: (
            lambda: service.relabel_attachment(
                state.id, sha256, AttachmentKind(kind.currentData()), name.text()
            )
        )
    )
    return dialog
