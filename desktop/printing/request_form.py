"""The office's request form for data subjects (fi/sv), blank or filled in, as a one-page A4 PDF.

One field a line ("Label: value") and the rights as tick boxes, like the Data Protection Ombudsman's
model forms: easy to fill by hand, and easy for text recognition to read back (desktop.domain.form_text).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop.domain.model import Right
from desktop.printing.layout import FONT, FONT_BOLD, PDF_LANGUAGE, register_fonts

TEXTS = {
    "fi": {
        "title": "Rekisteröidyn oikeuksien käyttäminen",
        "subtitle": "Pyyntö EU:n yleisen tietosuoja-asetuksen (2016/679) 15–21 artiklan nojalla",
        "person": "1. Henkilötiedot",
        "name": "Nimi",
        "hetu": "Henkilötunnus",
        "street": "Lähiosoite",
        "postcode": "Postinumero",
        "city": "Postitoimipaikka",
        "phone": "Puhelin",
        "email": "Sähköposti",
        "rights": "2. Mitä oikeutta haluat käyttää? (rastita)",
        "details": "3. Pyynnön tarkennus",
        "signature": "4. Päiväys ja allekirjoitus",
        "signed_on": "Päiväys",
        "signed_by": "Allekirjoitus",
        "return": "Palauta lomake allekirjoitettuna kirjaamoon. Henkilöllisyytesi tarkastetaan ennen vastausta.",
        Right.ACCESS: "Tarkastusoikeus (15 art.)",
        Right.RECTIFICATION: "Tietojen oikaiseminen (16 art.)",
        Right.ERASURE: "Tietojen poistaminen (17 art.)",
        Right.RESTRICTION: "Käsittelyn rajoittaminen (18 art.)",
        Right.OBJECTION: "Vastustamisoikeus (21 art.)",
        Right.CONSENT_WITHDRAWAL: "Suostumuksen peruuttaminen",
        Right.RECORDING: "Puhelutallenteen kuuntelu",
    },
    "sv": {
        "title": "Utövande av den registrerades rättigheter",
        "subtitle": "Begäran enligt artiklarna 15–21 i EU:s allmänna dataskyddsförordning (2016/679)",
        "person": "1. Personuppgifter",
        "name": "Namn",
        "hetu": "Personbeteckning",
        "street": "Gatuadress",
        "postcode": "Postnummer",
        "city": "Postanstalt",
        "phone": "Telefon",
        "email": "E-post",
        "rights": "2. Vilken rättighet vill du utöva? (kryssa)",
        "details": "3. Precisering av begäran",
        "signature": "4. Datum och underskrift",
        "signed_on": "Datum",
        "signed_by": "Underskrift",
        "return": "Returnera blanketten undertecknad till registratorskontoret. Din identitet kontrolleras före svaret.",
        Right.ACCESS: "Rätt till tillgång (art. 15)",
        Right.RECTIFICATION: "Rättelse (art. 16)",
        Right.ERASURE: "Radering (art. 17)",
        Right.RESTRICTION: "Begränsning av behandling (art. 18)",
        Right.OBJECTION: "Invändning (art. 21)",
        Right.CONSENT_WITHDRAWAL: "Återkallande av samtycke",
        Right.RECORDING: "Lyssna på samtalsinspelning",
    },
}


@dataclass(frozen=True)
class FilledForm:
    """What a requester wrote on the form (all empty: a blank form)."""

    name: str = ""
    hetu: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    rights: frozenset[Right] = field(default_factory=frozenset)
    details: str = ""
    signed_on: str = ""  # as written, d.M.yyyy


def render_request_form(language: str = "fi", filled: FilledForm | None = None, office: str = "") -> bytes:
    """The request form in Finnish or Swedish, blank or with `filled`'s values typed in."""
    register_fonts()
    texts = TEXTS["sv" if language == "sv" else "fi"]
    filled = filled or FilledForm()
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer, pagesize=A4, invariant=1, lang=PDF_LANGUAGE.get(language, "fi-FI"), initialFontName=FONT
    )
    canvas.setTitle(texts["title"])
    canvas.setAuthor(office or "Kirjaamo")
    width, height = A4
    left = 20 * mm
    value_x = 62 * mm
    right_edge = width - 20 * mm
    y = height - 25 * mm

    def top(text: str, size: float, bold: bool = False) -> None:
        nonlocal y
        canvas.setFont(FONT_BOLD if bold else FONT, size)
        canvas.drawString(left, y, text)
        y -= size * 1.6

    if office:
        top(office, 10)
    top(texts["title"], 16, bold=True)
    top(texts["subtitle"], 9.5)
    y -= 4 * mm

    def section(text: str) -> None:
        nonlocal y
        y -= 2 * mm
        top(text, 12, bold=True)

    def line_field(
        label: str, value: str, x: float = left, x_value: float = value_x, end: float = right_edge
    ) -> None:
        canvas.setFont(FONT, 11)
        canvas.drawString(x, y, f"{label}:")
        canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
        canvas.setLineWidth(0.5)
        canvas.line(x_value - 1 * mm, y - 2 * mm, end, y - 2 * mm)
        if value:
            canvas.setFont(FONT, 12)
            canvas.drawString(x_value, y, value)

    section(texts["person"])
    for key in ("name", "hetu", "street"):
        line_field(texts[key], getattr(filled, key))
        y -= 10 * mm
    line_field(texts["postcode"], filled.postcode, end=95 * mm)
    line_field(texts["city"], filled.city, x=102 * mm, x_value=140 * mm)
    y -= 10 * mm
    for key in ("phone", "email"):
        line_field(texts[key], getattr(filled, key))
        y -= 10 * mm

    section(texts["rights"])
    for right in Right:
        box = 4.2 * mm
        canvas.setStrokeColorRGB(0, 0, 0)
        canvas.setLineWidth(0.8)
        canvas.rect(left, y - 0.8 * mm, box, box)
        if right in filled.rights:
            canvas.setLineWidth(1.4)
            canvas.line(left + 0.6 * mm, y - 0.2 * mm, left + box - 0.6 * mm, y + box - 1.4 * mm)
            canvas.line(left + 0.6 * mm, y + box - 1.4 * mm, left + box - 0.6 * mm, y - 0.2 * mm)
        canvas.setFont(FONT, 11)
        canvas.drawString(left + box + 3 * mm, y, texts[right])
        y -= 8 * mm

    section(texts["details"])
    canvas.setFont(FONT, 11)
    for index in range(3):
        canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
        canvas.setLineWidth(0.5)
        canvas.line(left, y - 2 * mm, right_edge, y - 2 * mm)
        if index == 0 and filled.details:
            canvas.drawString(left, y, filled.details[:90])
        y -= 9 * mm

    section(texts["signature"])
    line_field(texts["signed_on"], filled.signed_on, end=95 * mm)
    line_field(texts["signed_by"], "", x=102 * mm, x_value=140 * mm)
    y -= 16 * mm
    canvas.setFont(FONT, 9)
    canvas.drawString(left, y, texts["return"])
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


__all__ = ["FilledForm", "TEXTS", "render_request_form"]
