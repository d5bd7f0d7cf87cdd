"""The intake form fills itself from a scanned request form; the clerk confirms each field by keyboard."""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path

import pytest
from ocr_test_set import PEOPLE, WRONG_CHECK, variant_image
from PySide6.QtCore import Qt

from desktop.domain.model import Right
from desktop.i18n import set_language
from desktop.printing.request_form import render_request_form

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _scan(person: tuple, variant: str = "300dpi") -> bytes:
    language, form = person
    return variant_image(render_request_form(language, form, "Testivirasto"), variant)[0]


def _read(qtbot, form, data: bytes, name: str) -> None:
    with qtbot.waitSignal(form.scan_prefill.finished, timeout=180_000):
        form.scan_prefill.read(data, name)


@pytest.mark.slow
@pytest.mark.parametrize("language", ["fi", "sv"])
def test_prefill_from_scan_and_confirm_by_keyboard(qtbot, intake_window, tesseract, language: str) -> None:
    set_language(language)
    intake_window.retranslate()
    form = intake_window.intake_form
    person = PEOPLE[0] if language == "fi" else PEOPLE[3]
    expected = person[1]
    _read(qtbot, form, _scan(person, "skew+2"), f"lomake-{language}.png")

    prefill = form.scan_prefill
    # A name may come out with a letter misread (Å as Ä): it is marked, and the clerk checks it.
    assert SequenceMatcher(None, form.name_edit.text(), expected.name).ratio() >= 0.8
    assert form.hetu_edit.text() == expected.hetu
    assert form.postcode_edit.text() == expected.postcode
    # What was read is right; a field OCR could not read stays empty (e-mail's @ is the usual casualty).
    assert form.email_edit.text() in ("", expected.email)
    assert form.phone_edit.text() in ("", expected.phone)
    assert form.right_combo.currentData() == Right.ACCESS.value  # the first ticked box of the form
    assert form.signed_check.isChecked()
    marked = prefill.unconfirmed()
    assert form.name_edit in marked and form.hetu_edit in marked and prefill.panel.isVisible()
    assert (
        prefill.image.pixmap() is not None and not prefill.image.pixmap().isNull()
    )  # the scan beside the form
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    intake_window.grab().save(str(SCREENSHOTS / f"intake-from-scan-{language}.png"))

    # Saving is refused while fields are unconfirmed: the clerk is sent to the first one.
    qtbot.keyClick(form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert prefill.unconfirmed() == marked and form.error_label.text()
    assert form.focusWidget() is marked[0]
    # F8 confirms the focused field and moves on, until none are left.
    for _ in range(len(marked)):
        focused = form.focusWidget()
        assert focused in prefill.unconfirmed()
        qtbot.keyClick(focused, Qt.Key.Key_F8)
        assert focused not in prefill.unconfirmed()
    assert prefill.unconfirmed() == []
    assert not form.name_edit.property("readFromScan")
    qtbot.keyClick(form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(form.fault_note.text()), timeout=30_000)  # "No register is ticked": asked
    with qtbot.waitSignal(form.registered, timeout=30_000) as saved:
        qtbot.keyClick(form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    state = intake_window.service.get(saved.args[0])
    assert state.requester.hetu == expected.hetu
    assert state.requester.address.postcode == expected.postcode and state.signed


@pytest.mark.slow
def test_wrong_check_character_is_not_prefilled(qtbot, intake_window, tesseract) -> None:
    form = intake_window.intake_form
    _read(qtbot, form, _scan(WRONG_CHECK), "wrong.png")
    assert form.name_edit.text() == WRONG_CHECK[1].name
    assert form.hetu_edit.text() == ""
    assert form.hetu_edit not in form.scan_prefill.unconfirmed()
    assert "check character" in form.scan_prefill.status.text()


def test_without_tesseract_the_feature_says_so_and_nothing_changes(
    qtbot, intake_window, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KIRJAAMO_TESSERACT", str(tmp_path / "no-tesseract"))
    form = intake_window.intake_form
    qtbot.keyClicks(form.name_edit, "Typed By Clerk")
    with qtbot.waitSignal(form.scan_prefill.finished, timeout=30_000) as done:
        form.scan_prefill.read(b"\x89PNG not really", "scan.png")
    assert done.args == [False]
    assert "not available" in form.scan_prefill.status.text()
    assert form.name_edit.text() == "Typed By Clerk" and form.scan_prefill.unconfirmed() == []
