"""Reading a request form's fields out of recognised (OCR) text: pure rules, no Tesseract here.

The forms are the office's own request form (printed by `desktop.printing.request_form`) and forms like
the Data Protection Ombudsman's: one field a line, "Label: value", the rights as tick boxes, the date of
signing at the end. OCR text is noisy, so labels are matched loosely, while the values are held to the
identifier rules: a henkilötunnus is taken only when its check character is right (`identifiers`), a
postcode only when it has five digits, an e-mail address only when it looks like one. What fails a rule
is left out (and said why), never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

from desktop.domain import identifiers
from desktop.domain.errors import DomainError
from desktop.domain.model import Right

# Labels of each field on the forms we know, Finnish and Swedish (lower case, without the colon).
LABELS: dict[str, tuple[str, ...]] = {
    "name": ("nimi", "namn", "etu- ja sukunimi", "för- och efternamn"),
    "hetu": ("henkilötunnus", "personbeteckning"),
    "street": ("lähiosoite", "osoite", "gatuadress", "adress"),
    "postcode": ("postinumero", "postnummer"),
    "city": ("postitoimipaikka", "postanstalt"),
    "phone": ("puhelin", "puhelinnumero", "telefon", "telefonnummer"),
    "email": ("sähköposti", "e-post", "sähköpostiosoite"),
    "signed_on": ("päiväys", "päivämäärä", "datum"),
}
RIGHT_WORDS: dict[Right, tuple[str, ...]] = {
    Right.ACCESS: ("tarkastusoikeus", "rätt till tillgång", "oikeus saada pääsy"),
    Right.RECTIFICATION: ("tietojen oikaiseminen", "oikaisu", "rättelse"),
    Right.ERASURE: ("tietojen poistaminen", "poistaminen", "radering"),
    Right.RESTRICTION: ("käsittelyn rajoittaminen", "begränsning av behandling", "begränsning"),
    Right.OBJECTION: ("vastustamisoikeus", "vastustaminen", "invändning"),
    Right.CONSENT_WITHDRAWAL: ("suostumuksen peruuttaminen", "återkallande av samtycke"),
    Right.RECORDING: ("puhelutallenteen kuuntelu", "lyssna på samtalsinspelning", "samtalsinspelning"),
}
FIELDS = ("name", "hetu", "street", "postcode", "city", "phone", "email", "rights", "signed_on")

# A crossed box mostly vanishes from OCR text (or comes out as X, K, #...); an empty one reads as
# "[ ]", "[]", "O", "0", "D", "LJ" or "□". So a right counts as ticked unless an empty box stands before it.
_TICKS = set("xX×✗✘☒%#KkMW")
_EMPTY_BOX = re.compile(r"^(?:\[\s*\]?|\[?\s*\]|[O0oDU□]|L\s*J|\|\s*_*\s*\||\(\s*\)|[\[\]|_ ]+)$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DATE = re.compile(r"\b(\d{1,2})\s*[.,]\s*(\d{1,2})\s*[.,]\s*(\d{4})\b")
_HETU_LIKE = re.compile(
    r"\b([0-9OoIlSB]{6})\s*([-+AaBbCcDdEeFfUuVvWwXxYy])\s*([0-9OoIlSB]{3})([0-9A-Za-z])\b"
)
_DIGIT_FIXES = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "S": "5", "B": "8"})


@dataclass(frozen=True)
class FormReading:
    """The fields found on a form; `rejected` says which values were read but failed a rule, and why."""

    name: str = ""
    hetu: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    rights: tuple[Right, ...] = ()
    signed_on: date | None = None
    rejected: dict[str, str] = field(default_factory=dict)

    def found(self) -> tuple[str, ...]:
        """The names of the fields that have a value, in form order."""
        return tuple(name for name in FIELDS if getattr(self, name))

    def as_request(self) -> dict[str, object]:
        """The fields in the shape of the intake form's prefill (`cases register --json`)."""
        requester: dict[str, object] = {}
        for key in ("name", "hetu", "phone", "email"):
            if getattr(self, key):
                requester[key] = getattr(self, key)
        address = {k: getattr(self, k) for k in ("street", "postcode", "city") if getattr(self, k)}
        if address:
            requester["address"] = address
        request: dict[str, object] = {"requester": requester}
        if self.rights:
            request["right"] = self.rights[0].value
            request["rights"] = [r.value for r in self.rights]
        if self.signed_on:
            request["signed_on"] = self.signed_on.isoformat()
        return request


def _fold(text: str) -> str:
    """Lower case, accents kept (ä ö å matter), runs of spaces made one."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().lower()


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def _label_value(line: str) -> tuple[str, str, float] | None:
    """The field a "Label: value" line gives, its value, and how sure the label match is."""
    head, sep, tail = line.partition(":")
    if not sep:
        head, sep, tail = line.partition(";")  # a colon often comes out as a semicolon
    if not sep:
        return None
    head = _fold(head).strip(" .|_-")
    best: tuple[str, float] = ("", 0.0)
    for key, labels in LABELS.items():
        for label in labels:
            score = _similar(head, label)
            if score > best[1]:
                best = (key, score)
    if best[1] < 0.75:
        return None
    return best[0], tail.strip(" |_"), best[1]


def _split_pairs(line: str) -> list[str]:
    """'Postinumero: 00100   Postitoimipaikka: HELSINKI' is two fields on one line."""
    parts = re.split(r"\s+(?=[A-ZÅÄÖa-zåäö-]{4,}\s*[:;])", line)
    return [part for part in parts if part.strip()]


def _hetu(text: str) -> tuple[str, str]:
    """A henkilötunnus with the right check character, or ("", why none was taken)."""
    why = ""
    for match in _HETU_LIKE.finditer(text):
        date_part = match.group(1).translate(_DIGIT_FIXES)
        individual = match.group(3).translate(_DIGIT_FIXES)
        code = f"{date_part}{match.group(2).upper()}{individual}{match.group(4).upper()}"
        try:
            return identifiers.parse_hetu(code).code, ""
        except DomainError:
            why = "check"  # read, but the check character (or the date) does not hold: never prefilled
    return "", why


def _date(text: str) -> date | None:
    match = _DATE.search(text)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _right_on_line(folded: str) -> tuple[Right, int] | None:
    """The right a line names (the best match, allowing a letter or two misread) and where it starts."""
    best: tuple[float, Right, int] | None = None
    for right, words in RIGHT_WORDS.items():
        for word in words:
            position = folded.find(word)
            if position >= 0:
                score = 1.0 + len(word) / 100  # an exact, longer name beats a shorter one inside it
            else:
                span = len(word)
                windows = [(folded[i : i + span], i) for i in range(0, max(1, len(folded) - span + 1))]
                score, position = max(((_similar(w, word), i) for w, i in windows), default=(0.0, -1))
            if score >= 0.8 and (best is None or score > best[0]):
                best = (score, right, position)
    return (best[1], best[2]) if best else None


def _ticked_rights(lines: list[str]) -> tuple[Right, ...]:
    found: list[Right] = []
    for line in lines:
        named = _right_on_line(_fold(line))
        if named is None:
            continue
        right, position = named
        box = _fold(line)[: max(0, position)].strip()[-4:]
        ticked = not box or any(ch in _TICKS for ch in box) or not _EMPTY_BOX.match(box)
        if ticked and right not in found:
            found.append(right)
    return tuple(found)


def read_form(text: str) -> FormReading:
    """The request form's fields in OCR text."""
    values: dict[str, tuple[str, float]] = {}
    lines = [line for line in text.splitlines() if line.strip()]
    for line in lines:
        for part in _split_pairs(line):
            found = _label_value(part)
            if found is None:
                continue
            key, value, score = found
            if value and (key not in values or score > values[key][1]):
                values[key] = (value, score)
    rejected: dict[str, str] = {}

    name = values.get("name", ("", 0))[0]
    name = re.sub(r"[^\w\s'’.-]", "", name).strip()
    name = " ".join(part for part in name.split() if any(ch.isalpha() for ch in part))

    hetu, why = _hetu(values.get("hetu", ("", 0))[0] or text)
    if why:
        rejected["hetu"] = why

    street = re.sub(r"\s+", " ", values.get("street", ("", 0))[0]).strip(" ,.")

    postcode_text = values.get("postcode", ("", 0))[0]
    postcode = ""
    digits = re.sub(r"\s", "", postcode_text.translate(_DIGIT_FIXES))
    match = re.match(r"\d+", digits)
    if match:
        if identifiers.is_valid_postcode(match.group(0)):
            postcode = match.group(0)
        else:
            rejected["postcode"] = "digits"
    city = re.sub(r"[^\w\s-]", "", values.get("city", ("", 0))[0]).strip().upper()

    phone_text = values.get("phone", ("", 0))[0].translate(_DIGIT_FIXES)
    phone = re.sub(r"[^\d+ -]", "", phone_text).strip()
    if phone and sum(ch.isdigit() for ch in phone) < 6:
        rejected["phone"] = "short"
        phone = ""

    email_match = _EMAIL.search(values.get("email", ("", 0))[0]) or _EMAIL.search(text)
    email = email_match.group(0).strip(".").lower() if email_match else ""

    signed_on = _date(values.get("signed_on", ("", 0))[0])
    return FormReading(
        name=name,
        hetu=hetu,
        street=street,
        postcode=postcode,
        city=city,
        phone=phone,
        email=email,
        rights=_ticked_rights(lines),
        signed_on=signed_on,
        rejected=rejected,
    )


__all__ = ["FIELDS", "FormReading", "read_form"]
