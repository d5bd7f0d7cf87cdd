"""Fixtures for letters: cases brought through the real case service to the state each letter needs."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy

import pytest
from printing_helpers import REFUSAL_BASIS, REFUSAL_REASONS
from reportlab import rl_config

from desktop.domain.model import AttachmentKind, Decision, Delivery, IdentityMethod, LetterKind
from desktop.services.cases import CaseService

REQUESTERS = {
    "fi": {
        "name": "Maija Meikäläinen",
        "street": "Mannerheimintie 1 A 2",
        "postcode": "00100",
        "city": "Helsinki",
    },
    "sv": {
        "name": "Åsa Sjöberg",
        "street": "Handelsesplanaden 12 B 7",
        "postcode": "65100",
        "city": "Vasa",
    },
    "en": {
        "name": "John Smith",
        "street": "Kauppakatu 3 C 14",
        "postcode": "33100",
        "city": "Tampere",
    },
}

# For each letter: the right asked for, the register concerned, and how the case gets to that letter.
STORIES: dict[LetterKind, tuple[str, str]] = {
    LetterKind.ACKNOWLEDGEMENT: ("access", "te-asiakasrekisteri"),
    LetterKind.CLARIFICATION: ("access", "te-asiakasrekisteri"),
    LetterKind.EXTENSION: ("access", "te-asiakasrekisteri"),
    LetterKind.ACCESS_REPLY: ("access", "te-asiakasrekisteri"),
    LetterKind.NO_DATA: ("access", "pohjois-karjala-asiakaspalvelu"),
    LetterKind.RECTIFICATION_DONE: ("rectification", "kainuu-webropol"),
    LetterKind.REFUSAL: ("erasure", "te-asiakasrekisteri"),
    LetterKind.PICKUP_NOTICE: ("access", "palkkaturva-puhelut"),
    LetterKind.RECORDING_APPOINTMENT: ("recording", "palkkaturva-puhelut"),
    LetterKind.REPLY: ("erasure", "kainuu-webropol"),
}


@pytest.fixture(autouse=True)
def _byte_stable_pdfs(monkeypatch: pytest.MonkeyPatch) -> None:
    """ReportLab writes no timestamps or random ids: the same letter gives the same bytes."""
    monkeypatch.setattr(rl_config, "invariant", 1)


@pytest.fixture
def make_case(
    clerk_service: CaseService, reviewer_service: CaseService, paper_request: dict
) -> Callable[..., str]:
    """Register a request and take it to the state `kind` needs; returns the diary number."""

    def make(kind: LetterKind, language: str = "fi", address: dict | None = None) -> str:
        right, register = STORIES[kind]
        request = deepcopy(paper_request)
        request["right"] = right
        request["registers"] = [register]
        person = REQUESTERS[language]
        request["requester"].update(name=person["name"], language=language)
        request["requester"]["address"] = address or {
            "street": person["street"],
            "postcode": person["postcode"],
            "city": person["city"],
            "country": "",
        }
        if right == "rectification":
            request["details"] = (
                "Osoitteeni on rekisterissä väärin (Vanhatie 5). Oikea osoite on Mannerheimintie 1 A 2."
            )
        diary = clerk_service.register(request).diary_number
        clerk = clerk_service
        if kind is LetterKind.ACKNOWLEDGEMENT:
            return diary
        if kind is LetterKind.CLARIFICATION:
            clerk.request_clarification(
                diary, "Pyynnöstä puuttuu allekirjoitus; toimittakaa allekirjoitettu pyyntö."
            )
            return diary
        if kind is LetterKind.EXTENSION:
            clerk.extend(diary, "Pyyntö koskee laajaa aineistoa useasta tietojärjestelmästä.")
            return diary
        clerk.verify_identity(diary, IdentityMethod.SIGNATURE)
        if kind is LetterKind.REFUSAL:
            reviewer_service.record_decision(diary, Decision.REFUSED, REFUSAL_REASONS, REFUSAL_BASIS)
        elif kind is LetterKind.NO_DATA:
            clerk.record_decision(diary, Decision.NO_DATA)
        elif kind is LetterKind.RECTIFICATION_DONE:
            clerk.record_decision(
                diary, Decision.GRANTED, "Osoite on korjattu: Mannerheimintie 1 A 2, 00100 Helsinki."
            )
        else:
            clerk.record_decision(diary, Decision.GRANTED)
        if kind is LetterKind.ACCESS_REPLY:
            clerk.attach_bytes(diary, b"%PDF-1.4 extract", "rekisteriote.pdf", AttachmentKind.EXTRACT)
        if kind is LetterKind.PICKUP_NOTICE:
            clerk.mark_letter_printed(diary, LetterKind.ACCESS_REPLY)
            clerk.dispatch(diary, Delivery.PICKUP)
        return diary

    return make
