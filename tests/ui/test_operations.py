"""The operations door: a change runs one service call, is refused once, and publishes what changed."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from ui_helpers import click_action, type_text, wait_idle

from desktop.domain.model import IdentityMethod
from desktop.domain.workflow import Action
from desktop.ui.operations import CASE, CaseChanges, notifier


def _request(name: str) -> dict:
    return {
        "right": "access",
        "channel": "post",
        "received": date(2026, 11, 9).isoformat(),
        "registers": ["te-asiakasrekisteri"],
        "signed": True,
        "requester": {"name": name, "language": "fi"},
    }


def test_an_action_publishes_what_changed_and_the_views_follow(qtbot, main_window):
    service = main_window.service
    case = service.register(_request("Aino Aalto"))
    main_window.open_case(case.id)
    wait_idle(qtbot, main_window)
    published: list[CaseChanges] = []
    notifier(main_window.runner).changed.connect(published.append)
    errors: list[str] = []
    main_window.runner.error.connect(errors.append)

    dialog = click_action(qtbot, main_window, Action.VERIFY_IDENTITY)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, main_window)
    wait_idle(qtbot, main_window)

    assert published == [CaseChanges(frozenset({case.id}), frozenset({CASE}))]
    assert not errors
    view = main_window.case_view
    assert view.state is not None and view.state.identity is not None  # the case view reloaded itself
    assert view.action_buttons[Action.RECORD_DECISION].isEnabled()  # from the service's allowed_actions


def test_a_refusal_is_shown_once_and_publishes_nothing(qtbot, main_window):
    service = main_window.service
    case = service.register(_request("Bertil Berg"))
    service.verify_identity(case.id, IdentityMethod.SIGNATURE)
    main_window.open_case(case.id)
    wait_idle(qtbot, main_window)
    published: list[CaseChanges] = []
    notifier(main_window.runner).changed.connect(published.append)
    errors: list[str] = []
    main_window.runner.error.connect(errors.append)

    dialog = click_action(qtbot, main_window, Action.EXTEND)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # no reasons: refused
    wait_idle(qtbot, main_window)
    assert "reasons" in dialog.error_label.text() and "Traceback" not in dialog.error_label.text()
    assert dialog.isVisible() and dialog.ok_button.isEnabled()
    assert published == [] and errors == []  # in the dialog only, not again in a message box

    type_text(qtbot, dialog.findChildren(type(main_window.intake_form.details_edit))[0], "Laaja aineisto")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, main_window)
    assert [c.case_ids for c in published] == [frozenset({case.id})]


def test_a_registration_reaches_the_list_today_and_the_status_bar(qtbot, main_window):
    from ui_helpers import register_with_form

    main_window.show_page("today")
    wait_idle(qtbot, main_window)
    assert main_window.case_model.rowCount() == 0
    published: list[CaseChanges] = []
    notifier(main_window.runner).changed.connect(published.append)
    diary = register_with_form(qtbot, main_window, name="Cecilia Cederberg")
    wait_idle(qtbot, main_window)
    assert len(published) == 1 and published[0].message == f"Registered {diary}"
    assert main_window.case_model.rowCount() == 1  # the list reloaded on the notice
    assert main_window.today_view.tiles["new_today"].count is not None
    assert diary in main_window.statusBar().currentMessage()
