"""Printing tells the truth: "printed" is recorded only for a letter a printer took.

A cancelled or failed print records nothing and says so; "Save without printing" records `ReplyKept`;
a batch records exactly the letters that were printed; the Today tile and the batch count one rule.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from ui_helpers import print_to_file, register_with_form, wait_idle

from desktop.domain.events import EventType
from desktop.domain.model import Decision, IdentityMethod, LetterKind, Status
from desktop.domain.workflow import Action
from desktop.i18n import set_language
from desktop.services import letters
from desktop.services.printer import new_printer, print_letters
from desktop.ui import labels


def _decided(service, name: str, decision: Decision = Decision.GRANTED):
    case = service.register(
        {
            "right": "access",
            "channel": "post",
            "received": date(2026, 11, 9).isoformat(),
            "registers": ["te-asiakasrekisteri"],
            "signed": True,
            "requester": {"name": name, "language": "fi"},
        }
    )
    service.verify_identity(case.id, IdentityMethod.SIGNATURE)
    return service.record_decision(case.id, decision)


def _types(service, case_id: str) -> list[EventType]:
    return [event.type for event in service.timeline(case_id)]


def _ready_count(qtbot, window) -> int:
    window.show_page("today")
    wait_idle(qtbot, window)
    return window.today_view.tiles["ready_to_print"].count


def _open_reply(qtbot, window, case_id: str):
    window.open_case(case_id)
    wait_idle(qtbot, window)
    button = window.case_view.action_buttons[Action.PRINT_REPLY]
    assert button.isEnabled(), button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    reply = window.reply_dialog
    qtbot.waitUntil(lambda: reply.rendered, timeout=10000)
    if reply.enclosure_label.isVisible():  # no extract attached: the clerk has answered the question
        reply._enclosure_confirmed = True
    return reply


def test_cancel_in_the_print_dialog_records_nothing_and_says_so(qtbot, main_window):
    service = main_window.service
    case = _decided(service, "Aino Aalto")
    before = _ready_count(qtbot, main_window)
    assert before == 1
    events_before = _types(service, case.id)
    reply = _open_reply(qtbot, main_window, case.id)
    reply.print_dialog_factory = QPrintDialog  # the real system dialog, which the clerk cancels
    qtbot.mouseClick(reply.save_print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: reply.print_dialog is not None and reply.print_dialog.isVisible(), timeout=5000)
    reply.print_dialog.reject()
    wait_idle(qtbot, main_window)

    assert EventType.LETTER_PRINTED not in _types(service, case.id)
    assert _types(service, case.id) == events_before  # nothing at all was recorded
    state = service.get(case.id)
    assert state.status is Status.DECIDED and state.attachments == ()
    assert "cancelled" in main_window.statusBar().currentMessage()
    assert "not recorded as printed" in reply.message_label.text()
    assert reply.isVisible() and reply.save_print_button.isEnabled()  # the clerk may try again
    reply.reject()
    assert _ready_count(qtbot, main_window) == before


@pytest.mark.qt_log_ignore(r"QPainter::begin\(\): Returned false")  # Qt's own word for the failed job
def test_a_print_that_fails_records_nothing_and_says_so(qtbot, main_window, tmp_path):
    service = main_window.service
    case = _decided(service, "Bertil Berg")
    reply = _open_reply(qtbot, main_window, case.id)
    reply.print_dialog_factory = print_to_file(tmp_path)  # a folder: the file cannot be written
    qtbot.mouseClick(reply.save_print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: reply.print_dialog is not None, timeout=5000)
    reply.print_dialog.accept()
    wait_idle(qtbot, main_window)
    assert EventType.LETTER_PRINTED not in _types(service, case.id)
    assert service.get(case.id).status is Status.DECIDED
    assert "did not take" in main_window.statusBar().currentMessage()
    reply.reject()


def test_save_without_printing_records_reply_kept_not_printed(qtbot, main_window):
    service = main_window.service
    case = _decided(service, "Cecilia Cederberg")
    reply = _open_reply(qtbot, main_window, case.id)
    qtbot.mouseClick(reply.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, main_window)
    wait_idle(qtbot, main_window)

    types = _types(service, case.id)
    assert EventType.REPLY_KEPT in types and EventType.LETTER_PRINTED not in types
    state = service.get(case.id)
    assert state.status is Status.DECIDED and state.letters == ()
    assert [a.kind.value for a in state.attachments] == ["reply"]  # kept with the case
    assert _ready_count(qtbot, main_window) == 1  # still waits for the printer
    kept = [e for e in service.timeline(case.id) if e.type is EventType.REPLY_KEPT][0]
    assert labels.event_sentence(kept) == "Reply saved without printing: Access reply (Finnish)"
    try:
        set_language("fi")
        assert "ei tulostettu" in labels.event_sentence(kept).lower()
        set_language("sv")
        assert "utan utskrift" in labels.event_sentence(kept).lower()
    finally:
        set_language("en")


def test_printing_records_letter_printed_and_the_default_file_name_is_safe(qtbot, main_window, tmp_path):
    service = main_window.service
    case = _decided(service, "Daniel Dahl")
    reply = _open_reply(qtbot, main_window, case.id)
    factory = print_to_file(tmp_path / "out.pdf")
    reply.print_dialog_factory = factory
    qtbot.mouseClick(reply.save_print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: reply.print_dialog is not None, timeout=5000)
    # What a print dialog offers as the file name: no "/" of the diary number.
    assert factory.printer.docName() == "KEHA-1-2026_access_reply"
    reply.print_dialog.accept()
    wait_idle(qtbot, main_window)
    wait_idle(qtbot, main_window)
    assert (tmp_path / "out.pdf").stat().st_size > 0
    assert _types(service, case.id)[-1] is EventType.LETTER_PRINTED
    assert service.get(case.id).status is Status.PRINTED
    assert "printed" in main_window.statusBar().currentMessage()


def test_default_print_file_names_are_safe_on_windows_and_linux():
    assert (
        letters.print_file_name("KEHA/1155/2026", LetterKind.ACCESS_REPLY)
        == "KEHA-1155-2026_access_reply.pdf"
    )
    name = letters.print_file_name('A:B\\C/1*?"<>|\t/2026', "refusal")
    assert not set(name) & set('/\\:*?"<>|\t')
    assert name == "A-B-C-1-2026_refusal.pdf"
    assert new_printer("KEHA/P3/2026", LetterKind.NO_DATA).docName() == "KEHA-P3-2026_no_data"


def test_a_withdrawn_decided_case_is_counted_the_same_by_the_tile_and_the_batch(qtbot, main_window):
    service = main_window.service
    _decided(service, "Eero Esimerkki")
    withdrawn = service.register(
        {
            "right": "access",
            "channel": "post",
            "received": date(2026, 11, 9).isoformat(),
            "registers": ["te-asiakasrekisteri"],
            "requester": {"name": "Fiia Peruttu", "language": "fi"},
        }
    )
    service.withdraw(withdrawn.id, "Peruttu puhelimessa")
    assert service.get(withdrawn.id).status is Status.DECIDED
    tile = _ready_count(qtbot, main_window)
    batch = letters.ready_to_print(service)
    assert tile == len(batch) == 1
    assert withdrawn.diary_number not in [diary for diary, _kind in batch]


def test_batch_with_one_failed_letter_records_exactly_the_others(qtbot, main_window, tmp_path):
    service = main_window.service
    cases = [_decided(service, name) for name in ("Gun Granqvist", "Heikki Halme", "Iida Ilola")]
    ready = letters.ready_replies(service)
    assert [letter.case_id for letter in ready] == [case.id for case in cases]
    ready[1] = replace(ready[1], pdf=b"%PDF-1.4 torn in the printer queue")  # this one cannot be printed
    printer = new_printer(ready[0].diary_number, ready[0].kind)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "batch.pdf"))
    printed = print_letters([letter.pdf for letter in ready], printer)  # a real QPrinter to PDF
    assert printed == [True, False, True]
    outcome = letters.record_batch(service, ready, printed, "paper jam")

    assert outcome.printed == (cases[0].id, cases[2].id)
    assert outcome.not_printed == ((cases[1].diary_number, "paper jam"),)
    statuses = [service.get(case.id).status for case in cases]
    assert statuses == [Status.PRINTED, Status.DECIDED, Status.PRINTED]
    assert EventType.LETTER_PRINTED not in _types(service, cases[1].id)
    assert [diary for diary, _kind in letters.ready_to_print(service)] == [cases[1].diary_number]


def test_batch_cancelled_in_the_print_dialog_records_nothing(qtbot, main_window):
    service = main_window.service
    cases = [_decided(service, name) for name in ("Jaana Jokela", "Kalle Kivi")]
    assert _ready_count(qtbot, main_window) == 2
    main_window.print_ready_replies(print_dialog=QPrintDialog)
    wait_idle(qtbot, main_window)
    qtbot.waitUntil(lambda: getattr(main_window, "print_dialog", None) is not None, timeout=10000)
    main_window.print_dialog.reject()
    wait_idle(qtbot, main_window)
    for case in cases:
        assert EventType.LETTER_PRINTED not in _types(service, case.id)
        assert service.get(case.id).attachments == ()
    assert "cancelled" in main_window.statusBar().currentMessage()
    assert _ready_count(qtbot, main_window) == 2


def test_batch_print_from_the_window_records_the_letters_printed(qtbot, main_window, tmp_path):
    service = main_window.service
    case = _decided(service, "Leena Laine")
    register_with_form(qtbot, main_window, name="Mikko Mäki")  # registered, not decided: not in the batch
    main_window.print_ready_replies(print_dialog=print_to_file(tmp_path / "batch.pdf"))
    wait_idle(qtbot, main_window)
    qtbot.waitUntil(lambda: getattr(main_window, "print_dialog", None) is not None, timeout=10000)
    main_window.print_dialog.accept()
    wait_idle(qtbot, main_window)
    wait_idle(qtbot, main_window)
    assert service.get(case.id).status is Status.PRINTED
    assert "1 replies printed" in main_window.statusBar().currentMessage()
    assert _ready_count(qtbot, main_window) == 0
