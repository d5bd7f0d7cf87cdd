"""A letter in Swedish is Swedish all through: the registered-mail mark, the sender block and the footer."""

from __future__ import annotations

from printing_helpers import all_text, find, in_window, runs

from desktop.domain.model import LetterKind
from desktop.services import demo, letters
from desktop.services.office import OfficeService


def _swedish_office(workspace, admin_service) -> None:
    office = OfficeService(workspace, admin_service.user)
    settings = office.settings()
    demo_office = demo.office_settings()
    for name in (
        "office_name_sv",
        "office_street_sv",
        "office_city_sv",
        "office_name_en",
        "office_street_en",
    ):
        setattr(settings, name, getattr(demo_office, name))
    office.save(settings)
    workspace.reload_settings()


def test_swedish_letter_has_rekommenderat_and_the_swedish_sender(
    make_case, clerk_service, admin_service, workspace
):
    _swedish_office(workspace, admin_service)
    diary = make_case(LetterKind.ACCESS_REPLY, "sv")
    pdf = letters.render_letter(clerk_service, diary, LetterKind.ACCESS_REPLY)
    page = runs(pdf)
    mark = find(page, "REKOMMENDERAT")
    assert in_window(mark)  # on the line above the name, inside the envelope window
    text = all_text(pdf)
    assert "KIRJATTU" not in text
    assert "Utvecklings- och förvaltningscentret" in text
    assert "PB 250" in text and "S:T MICHEL" in text
    assert "PL 250" not in text and "ELY-keskusten" not in text

    finnish = letters.render_letter(clerk_service, diary, LetterKind.ACCESS_REPLY, "fi")
    assert find(runs(finnish), "KIRJATTU")
    assert "Testivirasto" in all_text(finnish) and "PL 250" in all_text(finnish)

    english = letters.render_letter(clerk_service, diary, LetterKind.ACCESS_REPLY, "en")
    assert find(runs(english), "REGISTERED")
    assert "Development and Administrative Centre" in all_text(english)


def test_without_a_swedish_name_the_finnish_one_is_used(make_case, clerk_service):
    diary = make_case(LetterKind.ACCESS_REPLY, "sv")
    text = all_text(letters.render_letter(clerk_service, diary, LetterKind.ACCESS_REPLY))
    assert "REKOMMENDERAT" in text and "KIRJATTU" not in text
    assert "Testivirasto" in text


def test_demo_office_has_its_swedish_and_english_names():
    office = demo.office_settings()
    assert office.in_language("office_name", "sv").startswith("Utvecklings- och förvaltningscentret")
    assert office.in_language("office_city", "sv") == "S:T MICHEL"
    assert office.in_language("office_name", "fi").startswith("ELY-keskusten")
