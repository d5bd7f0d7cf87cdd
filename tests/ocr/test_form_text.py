"""Reading form fields from recognised text: the identifier rules decide what is prefilled."""

from __future__ import annotations

from datetime import date

from desktop.domain.form_text import read_form
from desktop.domain.model import Right

OCR_TEXT = """Testivirasto
Rekisteröidyn oikeuksien käyttäminen
1. Henkilötiedot
Nimi: Maija Meikäläinen
Henkilötunnus: 131052-308T
Lähiosoite: Mannerheimintie 1 A 2
Postinumero: 00100 Postitoimipaikka: HELSINKI
Puhelin: 040 1234567
Sähköposti: maija.meikalainen@example.fi
2. Mitä oikeutta haluat käyttää? (rastita)
Tarkastusoikeus (15 art.)
[ ] Tietojen oikaiseminen (16 art.)
Tietojen poistaminen (17 art.)
[] Käsittelyn rajoittaminen (18 art.)
[ ] Vastustamisoikeus (21 art.)
4. Päiväys ja allekirjoitus
Päiväys: 12.3.2026 Allekirjoitus:
"""


def test_fields_of_a_clean_reading() -> None:
    reading = read_form(OCR_TEXT)
    assert (reading.name, reading.hetu, reading.street) == (
        "Maija Meikäläinen",
        "131052-308T",
        "Mannerheimintie 1 A 2",
    )
    assert (reading.postcode, reading.city, reading.phone) == ("00100", "HELSINKI", "040 1234567")
    assert reading.email == "maija.meikalainen@example.fi"
    assert reading.rights == (Right.ACCESS, Right.ERASURE)  # the ticked boxes vanish; empty ones read [ ]
    assert reading.signed_on == date(2026, 3, 12)
    assert reading.rejected == {}


def test_wrong_check_character_is_never_prefilled() -> None:
    reading = read_form(OCR_TEXT.replace("131052-308T", "131052-308U"))
    assert reading.hetu == "" and reading.rejected["hetu"] == "check"
    assert "hetu" not in reading.found()
    assert "hetu" not in reading.as_request()["requester"]


def test_misread_letters_in_digits_are_read_as_digits_then_checked() -> None:
    # O for 0 and l for 1 are common misreadings; the check character still has to hold.
    assert read_form(OCR_TEXT.replace("131052-308T", "l3lO52-3O8T")).hetu == "131052-308T"
    assert read_form(OCR_TEXT.replace("131052-308T", "l3lO52-3O8U")).hetu == ""


def test_postcode_must_have_five_digits() -> None:
    reading = read_form(OCR_TEXT.replace("Postinumero: 00100", "Postinumero: 0010"))
    assert reading.postcode == "" and reading.rejected["postcode"] == "digits"


def test_swedish_labels_and_loose_matching() -> None:
    text = """Namn: Åsa Sjöberg
Personbeteckmng; 150675-173E
Gatuadress: Handelsesplanaden 12 B 7
Postnummer: 65100   Postanstalt: Vasa
E-post: asa.sjoberg@example.fi
[ ] Rätt till tillgång (art. 15)
X Lyssna på samtalsinspeining
Datum: 5.3.2026
"""
    reading = read_form(text)
    assert (reading.name, reading.hetu, reading.postcode, reading.city) == (
        "Åsa Sjöberg",
        "150675-173E",
        "65100",
        "VASA",
    )
    assert reading.rights == (Right.RECORDING,)
    assert reading.signed_on == date(2026, 3, 5)


def test_text_without_a_form_gives_nothing() -> None:
    reading = read_form("Hyvä vastaanottaja,\nkiitos kirjeestänne.\n")
    assert reading.found() == ()
