"""A registry clerk's workflows through the real widgets: keys and clicks in, what is shown and stored out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication
from ui_helpers import (
    click_action,
    open_case_from_list,
    print_reply,
    print_to_file,
    register_with_form,
    type_text,
    wait_idle,
)

from desktop.domain.model import Decision, Delivery, IdentityMethod, LetterKind, Status
from desktop.domain.workflow import Action
from desktop.services.clock import HELSINKI
from desktop.ui import theme


def test_register_paper_request_shows_diary_number(qtbot, main_window):
    diary = register_with_form(qtbot, main_window, name="Maija Meikäläinen", hetu="131052-308T")
    assert diary == "KEHA/1/2026"
    assert main_window.intake_form.diary_label.text() == "KEHA/1/2026"
    assert main_window.intake_form.diary_label.font().pointSize() >= 24  # readable to copy onto the form
    assert "KEHA/1/2026" in main_window.statusBar().currentMessage()
    stored = main_window.service.get(diary)
    assert stored.requester.name == "Maija Meikäläinen"
    assert stored.requester.hetu == "131052-308T"
    assert stored.requester.address.city == "HELSINKI"
    assert stored.received == date(2026, 11, 6)
    assert stored.due_date == date(2026, 12, 7)
    assert stored.registers == ("te-asiakasrekisteri",)
    assert stored.signed is True


def test_hetu_is_checked_as_you_type_and_bad_input_saves_nothing(qtbot, main_window):
    qtbot.keyClick(main_window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = main_window.intake_form
    type_text(qtbot, form.name_edit, "Matti Virtanen")
    type_text(qtbot, form.hetu_edit, "131052-308U")
    assert "check character should be T" in form.hetu_status.text()
    form.hetu_edit.clear()
    type_text(qtbot, form.hetu_edit, "131052-308T")
    assert form.hetu_status.text().startswith("✓")
    form.hetu_edit.clear()
    type_text(qtbot, form.hetu_edit, "311352-308T")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, main_window)
    assert form.error_label.text()  # one clear message
    assert not form.result_frame.isVisible()
    assert main_window.service.count(main_window.service.query()) == 0


def test_right_not_applicable_to_register_is_noted_but_registered(qtbot, main_window):
    qtbot.keyClick(main_window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = main_window.intake_form
    form.right_combo.setCurrentIndex(form.right_combo.findData("erasure"))
    _check_register(form, "te-asiakasrekisteri")
    assert form.applicability_label.isVisible()
    assert "17" in form.applicability_label.text()
    type_text(qtbot, form.name_edit, "Erkki Esimerkki")
    qtbot.keyClick(form.save_button, Qt.Key.Key_Space)
    wait_idle(qtbot, main_window)
    assert form.diary_label.text() == "KEHA/1/2026"


def test_same_person_with_open_case_is_warned_not_blocked(qtbot, main_window):
    register_with_form(qtbot, main_window, name="Maija Meikäläinen", hetu="131052-308T")
    qtbot.mouseClick(main_window.intake_form.new_button, Qt.MouseButton.LeftButton)
    form = main_window.intake_form
    type_text(qtbot, form.hetu_edit, "131052-308T")
    qtbot.waitUntil(form.duplicate_label.isVisible, timeout=5000)
    assert "KEHA/1/2026" in form.duplicate_label.text()
    type_text(qtbot, form.name_edit, "Maija Meikäläinen")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, main_window)
    assert "No register is ticked" in form.fault_note.text()  # asked, not blocked
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, main_window)
    assert form.diary_label.text() == "KEHA/2/2026"


def test_search_as_you_type_and_open_case(qtbot, main_window):
    register_with_form(qtbot, main_window, name="Maija Meikäläinen", hetu="131052-308T")
    register_with_form(qtbot, main_window, name="Anders Lindqvist", hetu="010594Y9032", language="sv")
    qtbot.keyClick(main_window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    view = main_window.case_list
    assert view.search_edit.hasFocus()
    type_text(qtbot, view.search_edit, "lindq")
    qtbot.waitUntil(lambda: main_window.case_model.rowCount() == 1, timeout=5000)
    wait_idle(qtbot, main_window)
    qtbot.waitUntil(lambda: main_window.case_model.is_fully_loaded(0, 0), timeout=5000)
    index = main_window.case_model.index(0, 1)
    assert main_window.case_model.data(index).startswith("Anders Lindqvist")
    assert main_window.case_model.data(index).endswith("010594Y****")  # masked in lists
    open_case_from_list(qtbot, main_window, 0)
    assert main_window.case_view.diary_label.text() == "KEHA/2/2026"
    assert (
        main_window.case_view._detail_values["hetu"].text() == "010594Y9032"
    )  # in full only in the case view


def test_paper_access_request_from_intake_to_closed(qtbot, main_window, tmp_path):
    diary = register_with_form(qtbot, main_window, name="Maija Meikäläinen", hetu="131052-308T")
    main_window.open_case(main_window.service.get(diary).id)
    wait_idle(qtbot, main_window)
    view = main_window.case_view
    scan = tmp_path / "lomake.pdf"
    scan.write_bytes(_pdf_bytes())
    view.attach_path(
        scan, __import__("desktop.domain.model", fromlist=["AttachmentKind"]).AttachmentKind.SIGNED_FORM
    )
    wait_idle(qtbot, main_window)
    wait_idle(qtbot, main_window)
    assert view.attachments_list.count() == 1
    assert "lomake.pdf" in view.attachments_list.item(0).text()

    dialog = click_action(qtbot, main_window, Action.VERIFY_IDENTITY)
    dialog.findChildren(type(view.attach_kind))[0].setCurrentIndex(0)  # signature on the written request
    _ok(qtbot, main_window, dialog)
    assert main_window.service.get(diary).identity.method is IdentityMethod.SIGNATURE

    dialog = click_action(qtbot, main_window, Action.RECORD_DECISION)
    _ok(qtbot, main_window, dialog)  # granted is the first choice
    assert main_window.service.get(diary).decision is Decision.GRANTED

    # Prepare the reply: the access reply is suggested, previewed, and kept with the case as evidence.
    reply = prepare_reply(qtbot, main_window)
    assert reply.kind_combo.currentData() == LetterKind.ACCESS_REPLY.value
    # "Your data is enclosed", but no extract is attached: the dialog warns and asks once.
    assert reply.enclosure_label.isVisible() and reply.without_enclosure_button.isVisible()
    assert reply.save_print_button.isDefault() and not reply.cancel_button.isDefault()
    qtbot.mouseClick(reply.save_print_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, main_window)
    assert reply.isVisible() and reply.print_dialog is None
    assert main_window.service.get(diary).status is Status.DECIDED
    print_reply(qtbot, main_window, reply, tmp_path / "reply.pdf")  # confirmed: printed as it is
    assert (tmp_path / "reply.pdf").read_bytes().startswith(b"%PDF")  # the printer took the job
    state = main_window.service.get(diary)
    assert state.status is Status.PRINTED
    assert [a.kind.value for a in state.attachments] == ["signed_form", "reply"]
    assert view.action_buttons[Action.DISPATCH].isEnabled()
    dialog = click_action(qtbot, main_window, Action.DISPATCH)
    type_text(qtbot, dialog.findChild(type(main_window.intake_form.name_edit)), "RR123456785FI")
    _ok(qtbot, main_window, dialog)
    state = main_window.service.get(diary)
    assert state.status is Status.SENT
    assert state.tracking_number == "RR123456785FI"

    dialog = click_action(qtbot, main_window, Action.CLOSE)
    _ok(qtbot, main_window, dialog)
    assert main_window.service.get(diary).status is Status.CLOSED
    assert view.status_label.text() == "Closed"
    assert not view.action_buttons[Action.DISPATCH].isEnabled()
    timeline = [
        view.timeline_model.data(view.timeline_model.index(r, 2))
        for r in range(view.timeline_model.rowCount())
    ]
    assert timeline[0].startswith("Registered as KEHA/1/2026")
    assert any("RR123456785FI" in line for line in timeline)
    assert timeline[-1] == "Case closed"


def test_rectification_refused_with_a_certificate(qtbot, reviewer_window, tmp_path):
    window = reviewer_window
    diary = register_with_form(
        qtbot, window, name="Ritva Rekisteröity", hetu="010594Y9032", right="rectification"
    )
    window.service.verify_identity(diary, IdentityMethod.SIGNATURE)
    window.open_case(window.service.get(diary).id)
    wait_idle(qtbot, window)
    dialog = click_action(qtbot, window, Action.RECORD_DECISION)
    combo = dialog.findChildren(type(window.intake_form.channel_combo))[0]
    combo.setCurrentIndex(combo.findData(Decision.REFUSED.value))
    type_text(
        qtbot,
        dialog.findChildren(type(window.intake_form.details_edit))[0],
        "Tieto on ollut oikea kirjaamishetkellä.",
    )
    type_text(
        qtbot, dialog.findChildren(type(window.intake_form.name_edit))[0], "EU:n tietosuoja-asetus 16 art."
    )
    _ok(qtbot, window, dialog)
    reply = prepare_reply(qtbot, window)
    assert reply.kind_combo.currentData() == LetterKind.REFUSAL.value
    assert reply.preview.pdf_document.pageCount() >= 1
    type_text(qtbot, reply.free_text, "Voitte toimittaa lisäselvitystä.")
    qtbot.waitUntil(
        lambda: reply.rendered and "lisäselvitystä" in _pdf_text(reply.preview.pdf), timeout=10000
    )
    print_reply(qtbot, window, reply, tmp_path / "certificate.pdf")
    state = window.service.get(diary)
    assert state.status is Status.PRINTED and state.letters == ("refusal",)
    certificate = window.service.read_attachment(state.attachments[-1].sha256)
    text = _pdf_text(certificate)
    assert "Tieto on ollut oikea kirjaamishetkellä." in text and "tietosuojavaltuutet" in text.lower()


def test_extension_moves_the_due_date_and_needs_reasons(qtbot, main_window):
    diary = register_with_form(qtbot, main_window, name="Liisa Laine")
    main_window.open_case(main_window.service.get(diary).id)
    wait_idle(qtbot, main_window)
    dialog = click_action(qtbot, main_window, Action.EXTEND)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, main_window)
    assert "reasons" in dialog.error_label.text()
    assert dialog.isVisible()
    assert main_window.service.get(diary).extended is False
    type_text(
        qtbot,
        dialog.findChildren(type(main_window.intake_form.details_edit))[0],
        "Laaja aineisto kolmesta järjestelmästä",
    )
    _ok(qtbot, main_window, dialog)
    state = main_window.service.get(diary)
    assert state.extended and state.due_date == date(2027, 2, 8)  # 6.2.2027 is a Saturday
    assert "8.2.2027" in main_window.case_view.due_label.text()
    assert not main_window.case_view.action_buttons[Action.EXTEND].isEnabled()
    assert "already been extended" in main_window.case_view.action_buttons[Action.EXTEND].toolTip()


def test_clarification_stops_and_restarts_the_deadline(qtbot, main_window, clock):
    diary = register_with_form(qtbot, main_window, name="Pekka Puupää")
    main_window.open_case(main_window.service.get(diary).id)
    wait_idle(qtbot, main_window)
    dialog = click_action(qtbot, main_window, Action.REQUEST_CLARIFICATION)
    type_text(
        qtbot, dialog.findChildren(type(main_window.intake_form.details_edit))[0], "Allekirjoitus puuttuu"
    )
    _ok(qtbot, main_window, dialog)
    assert main_window.service.get(diary).status is Status.WAITING
    assert main_window.case_view.status_label.text() == "Waiting for requester"
    # The answer arrives on 14.12.2026: the month counts again from that day.
    clock.set(datetime(2026, 12, 14, 11, 0, tzinfo=HELSINKI).astimezone(UTC))
    dialog = click_action(qtbot, main_window, Action.RECEIVE_CLARIFICATION)
    date_edit = dialog.findChild(type(main_window.intake_form.received_edit))
    date_edit.setDate(QDate(2026, 12, 14))
    _ok(qtbot, main_window, dialog)
    state = main_window.service.get(diary)
    assert state.status is Status.REGISTERED
    assert state.due_date == date(2027, 1, 14)
    assert [d.reason for d in state.due_dates] == ["received", "clarification_received"]


def test_pickup_at_the_desk_needs_the_id_document(qtbot, main_window):
    service = main_window.service
    diary = register_with_form(qtbot, main_window, name="Aino Aaltonen")
    service.verify_identity(diary, IdentityMethod.SIGNATURE)
    service.record_decision(diary, Decision.GRANTED)
    service.mark_letter_printed(diary, LetterKind.ACCESS_REPLY)
    main_window.open_case(service.get(diary).id)
    wait_idle(qtbot, main_window)
    dialog = click_action(qtbot, main_window, Action.DISPATCH)
    combo = dialog.findChildren(type(main_window.intake_form.channel_combo))[0]
    combo.setCurrentIndex(combo.findData(Delivery.PICKUP.value))
    _ok(qtbot, main_window, dialog)
    assert service.get(diary).status is Status.AWAITING_PICKUP
    dialog = click_action(qtbot, main_window, Action.HAND_OVER)
    _ok(qtbot, main_window, dialog)  # passport is the first choice
    state = service.get(diary)
    assert state.status is Status.HANDED_OVER
    assert state.handed_over_id_document == "passport"


def test_disallowed_action_shows_why_and_changes_nothing(qtbot, main_window):
    diary = register_with_form(qtbot, main_window, name="Olli Oikea")
    main_window.open_case(main_window.service.get(diary).id)
    wait_idle(qtbot, main_window)
    button = main_window.case_view.action_buttons[Action.DISPATCH]
    assert not button.isEnabled()
    assert button.toolTip() == "Print the reply before dispatching it."
    events_before = len(main_window.service.timeline(diary))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert len(main_window.service.timeline(diary)) == events_before
    # A granted decision before the identity check is refused by the service, shown in the dialog.
    dialog = click_action(qtbot, main_window, Action.RECORD_DECISION)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, main_window)
    assert "identity" in dialog.error_label.text()
    assert main_window.service.get(diary).decision is None
    assert len(main_window.service.timeline(diary)) == events_before


def test_correction_is_logged_with_old_and_new_value(qtbot, main_window):
    diary = register_with_form(qtbot, main_window, name="Maija Meikalainen")
    main_window.open_case(main_window.service.get(diary).id)
    wait_idle(qtbot, main_window)
    dialog = click_action(qtbot, main_window, Action.CORRECT)
    edits = dialog.findChildren(type(main_window.intake_form.name_edit))
    value_edit, reason_edit = dialog.value_editor.text_edit, edits[-1]
    value_edit.clear()
    type_text(qtbot, value_edit, "Maija Meikäläinen")
    type_text(qtbot, reason_edit, "Kirjoitusvirhe nimessä")
    _ok(qtbot, main_window, dialog)
    assert main_window.service.get(diary).requester.name == "Maija Meikäläinen"
    last = main_window.case_view.timeline_model.data(
        main_window.case_view.timeline_model.index(main_window.case_view.timeline_model.rowCount() - 1, 2)
    )
    assert "Maija Meikalainen → Maija Meikäläinen" in last
    assert "Kirjoitusvirhe" in last


def test_refusal_needs_a_reviewer(qtbot, reviewer_window, main_window):
    diary = register_with_form(qtbot, main_window, name="Riku Rekisteröity", right="erasure")
    main_window.service.verify_identity(diary, IdentityMethod.SIGNATURE)
    for window, allowed in ((main_window, False), (reviewer_window, True)):
        window.open_case(window.service.get(diary).id)
        wait_idle(qtbot, window)
        dialog = click_action(qtbot, window, Action.RECORD_DECISION)
        combo = dialog.findChildren(type(window.intake_form.channel_combo))[0]
        combo.setCurrentIndex(combo.findData(Decision.REFUSED.value))
        texts = dialog.findChildren(type(window.intake_form.details_edit))
        type_text(qtbot, texts[0], "Tiedot tarvitaan lakisääteisten tehtävien hoitamiseen.")
        type_text(qtbot, dialog.findChildren(type(window.intake_form.name_edit))[0], "GDPR 17 art. 3 b")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        wait_idle(qtbot, window)
        if allowed:
            assert window.service.get(diary).decision is Decision.REFUSED
        else:
            assert "not allowed" in dialog.error_label.text()
            assert window.service.get(diary).decision is None
            dialog.reject()


def test_today_view_counts_open_the_filtered_list(qtbot, main_window, clock):
    service = main_window.service
    clock.set(datetime(2026, 10, 1, 9, 0, tzinfo=HELSINKI).astimezone(UTC))
    old = service.register(_request("Vanha Viivästynyt", date(2026, 10, 1)))
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=HELSINKI).astimezone(UTC))
    service.register(_request("Uusi Tuore", date(2026, 11, 23)))
    main_window.show_page("today")
    wait_idle(qtbot, main_window)
    assert main_window.today_view.tiles["overdue"].count == 1
    assert main_window.today_view.tiles["new_today"].count == 1
    qtbot.mouseClick(main_window.today_view.tiles["overdue"], Qt.MouseButton.LeftButton)
    wait_idle(qtbot, main_window)
    assert main_window.stack.currentWidget() is main_window.case_list
    assert main_window.case_model.rowCount() == 1
    qtbot.waitUntil(lambda: main_window.case_model.is_fully_loaded(0, 0), timeout=5000)
    row = main_window.case_model.case_row(0)
    assert row.diary_number == old.diary_number
    due_index = main_window.case_model.index(0, 6)
    assert main_window.case_model.data(due_index, Qt.ItemDataRole.ForegroundRole).color() == theme.color(
        "overdue"
    )


def test_models_pass_qtmodeltester(qtbot, qtmodeltester, main_window):
    service = main_window.service
    for i in range(5):
        service.register(_request(f"Testi Henkilö {i}", date(2026, 11, 2 + i)))
    main_window.case_model.reload()
    wait_idle(qtbot, main_window)
    qtmodeltester.check(main_window.case_model)
    case = service.rows(service.query(), 1)[0]
    main_window.open_case(case.id)
    wait_idle(qtbot, main_window)
    qtmodeltester.check(main_window.case_view.timeline_model)


def prepare_reply(qtbot, window):
    """Click "Prepare reply…" and wait for the preview."""
    button = window.case_view.action_buttons[Action.PRINT_REPLY]
    assert button.isEnabled(), button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.reply_dialog
    qtbot.waitUntil(lambda: dialog.rendered, timeout=10000)
    return dialog


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\n", " ")


def _pdf_pages(path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def _request(name: str, received: date) -> dict:
    return {
        "right": "access",
        "channel": "post",
        "received": received.isoformat(),
        "registers": ["te-asiakasrekisteri"],
        "signed": True,
        "requester": {"name": name, "language": "fi"},
    }


def _check_register(form, register_id: str) -> None:
    for i in range(form.registers_list.count()):
        item = form.registers_list.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == register_id:
            item.setCheckState(Qt.CheckState.Checked)


def _ok(qtbot, window, dialog) -> None:
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert not dialog.isVisible(), dialog.error_label.text()
    wait_idle(qtbot, window)


def _pdf_bytes() -> bytes:
    import io

    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "Tarkastuspyyntö – allekirjoitettu")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


__all__ = ["timedelta"]


def test_batch_print_of_the_replies_ready_today(qtbot, main_window, tmp_path):
    service = main_window.service
    decided = []
    for name in ("Aino Aalto", "Bertil Berg"):
        case = service.register(_request(name, date(2026, 11, 9)))
        service.verify_identity(case.id, IdentityMethod.SIGNATURE)
        decided.append(
            service.record_decision(case.id, Decision.NO_DATA if name == "Aino Aalto" else Decision.GRANTED)
        )
    main_window.show_page("today")
    wait_idle(qtbot, main_window)
    assert main_window.today_view.tiles["ready_to_print"].count == 2
    assert main_window.today_view.print_button.isEnabled()
    main_window.print_ready_replies(print_dialog=print_to_file(tmp_path / "batch.pdf"))
    wait_idle(qtbot, main_window)
    qtbot.waitUntil(lambda: getattr(main_window, "print_dialog", None) is not None, timeout=10000)
    main_window.print_dialog.accept()
    wait_idle(qtbot, main_window)
    wait_idle(qtbot, main_window)
    assert _pdf_pages(tmp_path / "batch.pdf") >= 2  # both letters went through a real QPrinter
    for case in decided:
        state = service.get(case.id)
        assert state.status is Status.PRINTED
        assert state.attachments[-1].kind.value == "reply"
    assert main_window.today_view.tiles["ready_to_print"].count == 0
    assert "2 replies printed" in main_window.statusBar().currentMessage()


def test_the_list_shows_its_first_page_then_appends_the_rest(qtbot, qtmodeltester, main_window):
    from desktop.services import demo

    demo.generate(main_window.service.workspace, 450, seed=4, today=date(2026, 11, 23))
    model = main_window.case_model
    qtmodeltester.check(model)  # checks every later change too
    counts: list[int] = []
    model.rowsInserted.connect(lambda _parent, _first, last: counts.append(last + 1))
    main_window.show_page("cases")
    model.set_query(main_window.service.query())  # every case in diary order (the list opens on open ones)
    qtbot.waitUntil(lambda: model.first_page_ready, timeout=5000)
    wait_idle(qtbot, main_window)
    assert counts == [450]  # the rest was appended after the first 200, not by a reset
    assert model.rowCount() == 450
    assert model.case_row(0).diary_number.startswith("KEHA/1/")
