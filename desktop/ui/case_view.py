"""One case: header with the deadline, the request, attachments, the timeline, and the allowed actions."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.events import Event
from desktop.domain.model import DEADLINE_RUNNING_STATUSES, AttachmentKind, CaseState
from desktop.domain.workflow import Action
from desktop.i18n import _, current_language, error_text, format_date
from desktop.services.cases import CaseService
from desktop.ui import action_dialogs, dossier_dialog, fit, labels, theme
from desktop.ui.attachments_panel import AttachmentsPanel
from desktop.ui.operations import CaseChanges, notifier
from desktop.ui.runner import DbRunner

URGENCY_BADGE = {"overdue": "overdue_badge", "soon": "soon_badge", "ok": "ok_badge"}
CHIP = "font-size: 14px; padding: 4px 8px; border-radius: 4px;"


class TimelineModel(QAbstractTableModel):
    """The event log of one case, in words."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._events: list[Event] = []

    def set_events(self, events: list[Event]) -> None:
        self.beginResetModel()
        self._events = list(events)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._events)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < 3
        ):
            return (_("When"), _("Who"), _("What"))[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if not 0 <= index.row() < len(self._events):
            return None
        event = self._events[index.row()]
        if index.column() == 0:
            from desktop.services.clock import HELSINKI

            local = event.at.astimezone(HELSINKI)
            return f"{format_date(local.date())} {local:%H:%M}"
        if index.column() == 1:
            return event.actor
        return labels.event_sentence(event)

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 2)
        if self._events:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._events) - 1, 2))


# The action buttons, in the order a case moves; each opens its dialog.
ACTIONS = (
    (Action.VERIFY_IDENTITY, action_dialogs.identity_dialog),
    (Action.REQUEST_CLARIFICATION, action_dialogs.clarification_dialog),
    (Action.RECEIVE_CLARIFICATION, action_dialogs.clarification_received_dialog),
    (Action.EXTEND, action_dialogs.extend_dialog),
    (Action.RECORD_DECISION, action_dialogs.decision_dialog),
    (Action.PRINT_REPLY, None),  # the reply dialog (letters) is opened by the main window
    (Action.DISPATCH, action_dialogs.dispatch_dialog),
    (Action.HAND_OVER, action_dialogs.hand_over_dialog),
    (Action.CLOSE, action_dialogs.close_dialog),
    (Action.CORRECT, action_dialogs.correction_dialog),
    (Action.ADD_NOTE, action_dialogs.note_dialog),
    (Action.RESOLVE_CONFLICT, action_dialogs.resolve_conflict_dialog),
)


def action_text(action: Action) -> str:
    return {
        Action.VERIFY_IDENTITY: _("&Identity checked…"),
        Action.REQUEST_CLARIFICATION: _("Ask for c&larification…"),
        Action.RECEIVE_CLARIFICATION: _("Clarification &received…"),
        Action.EXTEND: _("E&xtend deadline…"),
        Action.RECORD_DECISION: _("&Decision…"),
        Action.PRINT_REPLY: _("&Prepare reply…"),
        Action.DISPATCH: _("Dis&patch…"),
        Action.HAND_OVER: _("&Handed over…"),
        Action.CLOSE: _("Cl&ose case…"),
        Action.CORRECT: _("Co&rrect a field…"),
        Action.ADD_NOTE: _("Add &note…"),
        Action.RESOLVE_CONFLICT: _("Resolve &conflict…"),
    }[action]


class CaseView(QWidget):
    prepare_reply = Signal(str)  # case id
    back = Signal()

    def __init__(self, service: CaseService, runner: DbRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self.state: CaseState | None = None
        self.events: list[Event] = []

        self.back_button = QPushButton()
        self.diary_label = QLabel()
        font = QFont()
        font.setPointSize(18)
        font.setBold(True)
        self.diary_label.setFont(font)
        self.diary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label = QLabel()
        self.due_label = QLabel()
        self.conflict_label = QLabel()
        self.conflict_label.hide()

        self.details_box = QGroupBox()
        self.details_form = QFormLayout(self.details_box)
        self._detail_values: dict[str, QLabel] = {}
        self._detail_captions: dict[str, QLabel] = {}
        for key in (
            "right",
            "channel",
            "received",
            "registers",
            "signed",
            "details",
            "identity",
            "decision",
            "delivery",
            "name",
            "hetu",
            "address",
            "language",
            "contact",
            "representative",
        ):
            caption = QLabel()
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._detail_captions[key] = caption
            self._detail_values[key] = value
            self.details_form.addRow(caption, value)

        # Attachments with their preview; files dropped anywhere on the case view are attached there.
        self.attachments_panel = AttachmentsPanel(service, runner)
        self.attachments_list = self.attachments_panel.attachments_list
        self.attach_kind = self.attachments_panel.attach_kind
        self.attachments_panel.accept_drops_on(self)

        self.timeline_box = QGroupBox()
        self.timeline_model = TimelineModel(self)
        self.timeline = QTableView()
        self.timeline.setModel(self.timeline_model)
        self.timeline.verticalHeader().setVisible(False)
        self.timeline.horizontalHeader().setStretchLastSection(True)
        self.timeline.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.timeline.setWordWrap(True)
        self.timeline.setColumnWidth(0, 120)
        self.timeline.setColumnWidth(1, 90)
        QVBoxLayout(self.timeline_box).addWidget(self.timeline)

        self.actions_box = QGroupBox()
        actions = QGridLayout(self.actions_box)
        self.action_buttons: dict[Action, QPushButton] = {}
        for position, (action, factory) in enumerate(ACTIONS):
            button = QPushButton()
            button.clicked.connect(lambda _checked=False, a=action, f=factory: self._run_action(a, f))
            self.action_buttons[action] = button
            actions.addWidget(button, position // 2, position % 2)
        # Case → Export dossier… (reviewers and administrators; the service checks and logs).
        self.dossier_button = QPushButton()
        self.dossier_button.clicked.connect(self.export_dossier)
        self.dossier_button.setVisible(dossier_dialog.can_export(service))
        actions.addWidget(self.dossier_button, (len(ACTIONS) + 1) // 2, 0, 1, 2)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(theme.text_style("error"))

        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addWidget(self.diary_label)
        header.addWidget(self.status_label)
        header.addWidget(self.due_label)
        header.addWidget(self.conflict_label)
        header.addStretch(1)

        left = QVBoxLayout()
        left.addWidget(self.details_box)
        left.addWidget(self.attachments_panel, 1)
        left_content = QWidget()
        left_content.setLayout(left)
        left_widget = fit.scrolling(left_content)  # the details scroll on a small screen
        right = QVBoxLayout()
        right.addWidget(self.actions_box)
        right.addWidget(self.message_label)
        right.addWidget(self.timeline_box, 1)
        right_widget = QWidget()
        right_widget.setLayout(right)
        splitter = QSplitter()
        self.splitter = splitter
        splitter.addWidget(left_widget)
        splitter.addWidget(right_widget)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(splitter, 1)

        self.back_button.clicked.connect(self.back.emit)
        notifier(runner).changed.connect(self._changes_made)
        self.retranslate()

    # -- loading ----------------------------------------------------------------------------------
    def load(self, case_id: str) -> None:
        service = self._service
        self.message_label.clear()
        self._runner.run(lambda: service.open_case(case_id), self._show)  # logged: a person sees the case

    def _show(self, loaded) -> None:
        self.state, self.events = loaded
        language = current_language()
        labels.register_names.update({r.id: r.name.get(language) for r in self._service.catalog})
        self.timeline_model.set_events(self.events)
        self.timeline.resizeRowsToContents()
        self._render()

    def _render(self) -> None:
        state = self.state
        if state is None:
            return
        language = current_language()
        self.diary_label.setText(state.diary_number)
        self.status_label.setText(labels.label(labels.STATUSES, state.status))
        today = self._service.clock.today()
        if state.status in DEADLINE_RUNNING_STATUSES:
            left = self._service.days_left(state.due_date, today)
            self.due_label.setText(
                _("Due {date}: {days} days ({working} working days) left").format(
                    date=format_date(state.due_date), days=left.calendar_days, working=left.working_days
                )
                if left.calendar_days >= 0
                else _("Due {date}: overdue by {days} days").format(
                    date=format_date(state.due_date), days=-left.calendar_days
                )
            )
            self.due_label.setStyleSheet(
                CHIP + theme.badge_style(URGENCY_BADGE[self._service.urgency(state.due_date, today).value])
            )
        else:
            self.due_label.setText(_("Due {date}").format(date=format_date(state.due_date)))
            self.due_label.setStyleSheet(CHIP + theme.badge_style("chip"))
        if state.conflicts:
            self.conflict_label.setText(
                _("Conflicting edits: {fields}").format(
                    fields=", ".join(labels.label(labels.FIELDS, c.field) for c in state.conflicts)
                )
            )
            self.conflict_label.show()
        else:
            self.conflict_label.hide()
        r = state.requester
        catalog = self._service.catalog
        values = {
            "right": labels.label(labels.RIGHTS, state.right),
            "channel": labels.label(labels.CHANNELS, state.channel),
            "received": format_date(state.received),
            "registers": ", ".join(
                catalog.get(reg).name.get(language) if reg in catalog else reg for reg in state.registers
            ),
            "signed": _("yes") if state.signed else _("no"),
            "details": state.details,
            "identity": (
                f"{labels.label(labels.IDENTITY_METHODS, state.identity.method)} – {state.identity.verified_by}"
                if state.identity
                else _("not checked yet")
            ),
            "decision": (
                labels.label(labels.DECISIONS, state.decision)
                + (f" – {state.decision_reasons}" if state.decision_reasons else "")
            )
            if state.decision
            else "–",
            "delivery": (
                labels.label(labels.DELIVERIES, state.delivery)
                + (f" {state.tracking_number}" if state.tracking_number else "")
            )
            if state.delivery
            else "–",
            "name": r.name,
            "hetu": r.hetu or "–",
            "address": "\n".join(
                p
                for p in (
                    r.address.street,
                    f"{r.address.postcode} {r.address.city}".strip(),
                    r.address.country,
                )
                if p
            ),
            "language": labels.label(labels.LANGUAGES, r.language),
            "contact": " · ".join(p for p in (r.email, r.phone) if p) or "–",
            "representative": r.representative or "–",
        }
        for key, value in values.items():
            self._detail_values[key].setText(value)
        allowed = self._service.allowed_actions(state)
        self.attachments_panel.set_state(state, allowed[Action.ATTACH])
        for action, button in self.action_buttons.items():
            reason = allowed[action]
            button.setEnabled(reason is None)
            button.setToolTip(error_text(reason) if reason is not None else "")
            button.setVisible(action is not Action.RESOLVE_CONFLICT or bool(state.conflicts))

    def retranslate(self) -> None:
        self.dossier_button.setText(_("Export do&ssier…"))
        self.dossier_button.setAccessibleName(_("Export the case dossier for the Ombudsman"))
        self.status_label.setStyleSheet(CHIP + theme.badge_style("chip"))
        self.conflict_label.setStyleSheet(CHIP + theme.badge_style("conflict_badge"))
        self.message_label.setStyleSheet(theme.text_style("error"))
        self.back_button.setText(_("← &Back"))
        self.back_button.setAccessibleName(_("Back to the list"))
        self.details_box.setTitle(_("Request and requester"))
        captions = {
            "right": _("Right"),
            "channel": _("Channel"),
            "received": _("Received"),
            "registers": _("Registers"),
            "signed": _("Signed"),
            "details": _("Details"),
            "identity": _("Identity"),
            "decision": _("Decision"),
            "delivery": _("Delivery"),
            "name": _("Name"),
            "hetu": _("Personal identity code"),
            "address": _("Address"),
            "language": _("Language"),
            "contact": _("Contact"),
            "representative": _("Representative"),
        }
        for key, text in captions.items():
            self._detail_captions[key].setText(text + ":")
            self._detail_values[key].setAccessibleName(text)
        self.attachments_panel.retranslate()
        self.timeline_box.setTitle(_("Timeline"))
        self.timeline.setAccessibleName(_("Timeline"))
        self.actions_box.setTitle(_("Actions"))
        for action, button in self.action_buttons.items():
            button.setText(action_text(action))
            button.setAccessibleName(action_text(action).replace("&", "").rstrip("…"))
        self.timeline_model.retranslate()
        self._render()

    # -- actions ----------------------------------------------------------------------------------
    def _run_action(self, action: Action, factory) -> None:
        if self.state is None:
            return
        if action is Action.PRINT_REPLY:
            self.prepare_reply.emit(self.state.id)
            return
        dialog = factory(self._service, self._runner, self.state, self)
        self.open_dialog(dialog)

    def export_dossier(self) -> None:
        if self.state is not None:
            self.open_dialog(dossier_dialog.DossierDialog(self._service, self._runner, self.state, self))

    def open_dialog(self, dialog) -> None:
        """Show an action dialog (its OK goes through the operations door). Tests drive the dialog themselves."""
        self.current_dialog = dialog
        dialog.open()

    def _changes_made(self, changes: CaseChanges) -> None:
        """The case shown was changed (here, in a dialog, by a batch): show it as it now is."""
        if self.state is not None and changes.touches(self.state.id):
            self.load(self.state.id)

    def attach_path(self, path: Path, kind: AttachmentKind) -> None:
        """Attach a file to the case shown (checked and stored on the worker; the view reloads)."""
        self.message_label.clear()
        self.attachments_panel.attach_paths([path], kind)
