"""Every letter kind in every language, rendered for a case brought there through the case service."""

from __future__ import annotations

import re

import pytest
from printing_helpers import LEFTOVERS, all_text, find, font_problems, in_window, page_count, reader, runs

from desktop.domain.model import LetterKind
from desktop.services import letters

LANGUAGES = ("fi", "sv", "en")
CITY_LINE = {"fi": "00100 HELSINKI", "sv": "65100 VASA", "en": "33100 TAMPERE"}
NAMES = {"fi": "Maija Meikäläinen", "sv": "Åsa Sjöberg", "en": "John Smith"}
PDF_LANGUAGE = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(LetterKind), ids=lambda kind: kind.value)
def test_letter_layout_and_text(kind, language, make_case, clerk_service):
    diary = make_case(kind, language)
    assert letters.suggested_kind(clerk_service.get(diary)) is kind  # what "Prepare reply" offers
    pdf = letters.render_letter(clerk_service, diary, kind)
    first = runs(pdf)

    # The window address: name and `NNNNN CITY` inside the window rectangle, at x = 23 mm.
    name = find(first, NAMES[language])
    city = find(first, CITY_LINE[language])
    for run in (name, city):
        assert in_window(run), run
        assert run.x == pytest.approx(23.0, abs=0.05)
        assert 38.1 <= run.y <= 63.5
    assert city.y > name.y

    # Date and diary number in the header, at 112 mm or to the right of it.
    date_run = find(first, "23.11.2026")
    assert date_run.x >= 112 - 0.05 and date_run.y < 38
    diary_runs = [run for run in first if diary in run.text]
    assert diary_runs and all(run.x >= 112 - 0.05 for run in diary_runs if run.y < 38)
    assert any(run.y < 38 for run in diary_runs)

    # `1 (N)` on page 1 and `k (N)` on every page, top right.
    count = page_count(pdf)
    number = find(first, f"1 ({count})")
    assert number.x > 170 and number.y < 20
    for page in range(1, count):
        assert any(run.text == f"{page + 1} ({count})" for run in runs(pdf, page))

    # Body text at 43 mm, nothing left of the 20 mm margin.
    assert all(run.x >= 19.9 for page in range(count) for run in runs(pdf, page))
    assert any(abs(run.x - 43.0) < 0.05 for run in first if run.y > 80)

    # Fonts embedded; no template syntax, placeholders or "None" left.
    assert font_problems(pdf) == []
    text = all_text(pdf)
    for leftover in LEFTOVERS:
        assert leftover not in text, leftover
    assert not re.search(r"\{\s*\w+\s*\}", text)

    # Metadata: title, author (the office), language.
    document = reader(pdf)
    assert document.metadata.title and diary in document.metadata.title
    assert document.metadata.author == "Testivirasto"
    assert document.trailer["/Root"]["/Lang"] == PDF_LANGUAGE[language]


def test_registered_mail_marking_above_the_name(make_case, clerk_service):
    diary = make_case(LetterKind.ACCESS_REPLY)
    first = runs(
        letters.render_letter(clerk_service, diary, letters.suggested_kind(clerk_service.get(diary)))
    )
    marking, name = find(first, "KIRJATTU"), find(first, "Maija Meikäläinen")
    assert in_window(marking)
    assert name.y - marking.y == pytest.approx(4.0, abs=0.1)  # the line directly above the name


def test_no_marking_on_ordinary_mail(make_case, clerk_service):
    diary = make_case(LetterKind.ACKNOWLEDGEMENT)
    first = runs(
        letters.render_letter(clerk_service, diary, letters.suggested_kind(clerk_service.get(diary)))
    )
    assert not [run for run in first if run.text == "KIRJATTU"]
    assert find(first, "Maija Meikäläinen").y == pytest.approx(45.0, abs=0.05)  # the first address line


def test_access_reply_lists_register_facts(make_case, clerk_service):
    diary = make_case(LetterKind.ACCESS_REPLY)
    text = " ".join(
        all_text(
            letters.render_letter(clerk_service, diary, letters.suggested_kind(clerk_service.get(diary)))
        ).split()
    )
    for expected in (
        "Käsittelyn tarkoitukset",
        "Tietojen vastaanottajat ja säännönmukaiset luovutukset",
        "Säilytysaika",
        "Oikeutenne",
        "viiden vuoden kuluttua asiakkuuden päättymisestä",  # retention, from the catalog
        "Liitteet",
        "rekisteriote.pdf",  # the extract attached to the case
        "tietosuojavaltuutettu",
    ):
        assert expected in text, expected


def test_extension_notice_states_reasons_and_new_due_date(make_case, clerk_service):
    diary = make_case(LetterKind.EXTENSION, "sv")
    state = clerk_service.get(diary)
    text = " ".join(all_text(letters.render_letter(clerk_service, diary, LetterKind.EXTENSION)).split())
    assert "Pyyntö koskee laajaa aineistoa useasta tietojärjestelmästä." in text
    assert f"senast den {state.due_date.day}.{state.due_date.month}.{state.due_date.year}" in text
    assert "8.2.2027" in text  # received 6.11.2026 + 3 months = Saturday 6.2. → Monday


def test_pickup_notice_says_where_when_and_which_id(make_case, clerk_service, workspace):
    settings = workspace.settings
    settings.office_visiting_address = "Hallituskatu 12–14, 50100 Mikkeli"
    settings.office_opening_hours = "ma–pe klo 8.00–16.15"
    workspace.save_settings(settings)
    diary = make_case(LetterKind.PICKUP_NOTICE)
    text = " ".join(
        all_text(
            letters.render_letter(clerk_service, diary, letters.suggested_kind(clerk_service.get(diary)))
        ).split()
    )
    assert "Hallituskatu 12–14, 50100 Mikkeli" in text
    assert "ma–pe klo 8.00–16.15" in text
    assert "7.12.2026 saakka" in text  # two weeks from 23.11.2026
    assert "passi, henkilökortti tai ajokortti" in text


def test_recording_appointment_by_appointment_with_id(make_case, clerk_service):
    diary = make_case(LetterKind.RECORDING_APPOINTMENT, "en")
    pdf = letters.render_letter(
        clerk_service, diary, LetterKind.RECORDING_APPOINTMENT, appointment="Tuesday 1.12.2026 at 10.00"
    )
    text = " ".join(all_text(pdf).split())
    assert "An appointment has been booked for you: Tuesday 1.12.2026 at 10.00." in text
    assert "at a KEHA Centre office by appointment" in text  # the register's own note
    assert "identity document" in text


def test_free_paragraph_is_printed_as_text(make_case, clerk_service):
    diary = make_case(LetterKind.ACKNOWLEDGEMENT)
    free = "# Ei otsikko\n- ei luettelo\n| ei rivi\n{{ ei malli }}"
    pdf = letters.render_letter(clerk_service, diary, LetterKind.ACKNOWLEDGEMENT, free_text=free)
    text = " ".join(all_text(pdf).split())
    assert "# Ei otsikko - ei luettelo | ei rivi {{ ei malli }}" in text
