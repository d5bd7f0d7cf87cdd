"""The window address: at most 6 lines of 30 characters, postcode and POST OFFICE last, inside the window."""

from __future__ import annotations

import pytest
from printing_helpers import in_window, runs

from desktop.domain.model import LetterKind
from desktop.printing.address import MAX_CHARS, MAX_LINES, address_lines, wrap
from desktop.services import letters


def test_plain_address():
    assert address_lines("Maija Meikäläinen", "Mannerheimintie 1 A 2", "00100", "Helsinki") == [
        "Maija Meikäläinen",
        "Mannerheimintie 1 A 2",
        "00100 HELSINKI",
    ]


def test_marking_first_and_empty_lines_left_out():
    assert address_lines("Åsa Sjöberg", "", "65100", "vasa", "", "KIRJATTU") == [
        "KIRJATTU",
        "Åsa Sjöberg",
        "65100 VASA",
    ]


def test_foreign_country_line_in_capitals_domestic_left_out():
    assert address_lines("Anna Berg", "Storgatan 1", "111 22", "Stockholm", "Sverige")[-2:] == [
        "111 22 STOCKHOLM",
        "SVERIGE",
    ]
    assert address_lines("Anna", "Katu 1", "00100", "Helsinki", "Finland")[-1] == "00100 HELSINKI"


def test_overlong_address_is_fitted():
    lines = address_lines(
        "Maria-Magdalena Hämäläinen-Lindqvist-Westerlund (edunvalvoja Pekka Mäkinen)",
        "c/o Asianajotoimisto Oikeus ja Kohtuus Oy\nPohjoisesplanadi 123 B 45 (sisäpiha, 3. kerros)",
        "00100",
        "Helsinki",
        "",
        "KIRJATTU",
    )
    assert len(lines) == MAX_LINES
    assert all(len(line) <= MAX_CHARS for line in lines)
    assert lines[0] == "KIRJATTU"
    assert lines[1].startswith("Maria-Magdalena")
    assert lines[-1] == "00100 HELSINKI"
    assert any(line.endswith("…") for line in lines)  # something had to be shortened, and it shows


def test_wrap_splits_words_longer_than_a_line():
    assert wrap("Kuusikymmentäkuusikirjaiminenpitkäsanajokaeimahdu", 30) == [
        "Kuusikymmentäkuusikirjaiminenp",
        "itkäsanajokaeimahdu",
    ]


@pytest.mark.parametrize("name", ["X" * 29 + "W", "Wilhelmina Wolfgang-Wärtsilä WWW"])
def test_wide_lines_stay_inside_the_window(name):
    lines = address_lines(name, "Mannerheimintie 100 B 200", "00100", "Helsinki", "", "KIRJATTU")
    assert len(lines) <= MAX_LINES


def test_long_address_in_the_letter_stays_in_the_window(make_case, clerk_service):
    address = {
        "street": "c/o Asianajotoimisto Oikeus ja Kohtuus Oy, Pohjoisesplanadi 123 B 45 sisäpiha",
        "postcode": "00100",
        "city": "Helsinki",
        "country": "",
    }
    diary = make_case(LetterKind.ACCESS_REPLY, "fi", address)
    clerk_service.correct(
        diary, {"requester.name": "Maria-Magdalena Hämäläinen-Lindqvist-Westerlund"}, "Nimi lomakkeelta"
    )
    pdf = letters.render_letter(clerk_service, diary, LetterKind.ACCESS_REPLY)
    address_runs = [run for run in runs(pdf) if 35 < run.y < 75 and run.x < 110]
    assert len(address_runs) == MAX_LINES
    assert all(in_window(run) and len(run.text) <= MAX_CHARS for run in address_runs)
    assert all(38.1 <= run.y <= 63.5 for run in address_runs)
    assert address_runs[-1].text == "00100 HELSINKI"
    assert address_runs[0].text == "KIRJATTU"
