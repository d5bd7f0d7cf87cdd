"""A refusal certificate always carries the reasons, the legal basis and both remedies (GDPR 12(4))."""

from __future__ import annotations

import dataclasses

import pytest
from printing_helpers import REFUSAL_BASIS, REFUSAL_REASONS, all_text

from desktop.domain.errors import DomainError
from desktop.domain.model import Decision, IdentityMethod, LetterKind
from desktop.printing import letter as printing
from desktop.printing.templates import render
from desktop.services import letters

REMEDIES = {
    "fi": (
        "tietosuojavaltuutetu",
        "Lintulahdenkuja 4",
        "PL 800, 00531 Helsinki",
        "tietosuoja@om.fi",
        "029 566 6700",
        "tietosuoja.fi",
        "hallinto-oikeudessa",
        "79 artikla",
        "77 artikla",
    ),
    "sv": (
        "dataombudsmannen",
        "Lintulahdenkuja 4",
        "PB 800, 00531 Helsingfors",
        "tietosuoja@om.fi",
        "029 566 6700",
        "tietosuoja.fi",
        "förvaltningsdomstolen",
        "artikel 79",
        "artikel 77",
    ),
    "en": (
        "Data Protection Ombudsman",
        "Lintulahdenkuja 4",
        "P.O. Box 800, FI-00531 Helsinki",
        "tietosuoja@om.fi",
        "29 566 6700",
        "tietosuoja.fi",
        "administrative court",
        "Article 79",
        "Article 77",
    ),
}


def _flat(pdf: bytes) -> str:
    return " ".join(all_text(pdf).split())


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_refusal_names_reasons_basis_and_both_remedies(language, make_case, clerk_service):
    diary = make_case(LetterKind.REFUSAL, language)
    text = _flat(letters.render_letter(clerk_service, diary, LetterKind.REFUSAL))
    assert REFUSAL_REASONS in text
    assert REFUSAL_BASIS in text
    for expected in REMEDIES[language]:
        assert expected in text, expected


def test_partly_granted_refusal_says_so(make_case, clerk_service, reviewer_service, paper_request):
    diary = clerk_service.register(paper_request).diary_number
    clerk_service.verify_identity(diary, IdentityMethod.SIGNATURE)
    reviewer_service.record_decision(
        diary, Decision.PARTLY_GRANTED, "Osa tiedoista on salassa pidettäviä.", "JulkL 24 §"
    )
    assert letters.suggested_kind(clerk_service.get(diary)) is LetterKind.REFUSAL
    text = _flat(letters.render_letter(clerk_service, diary, LetterKind.REFUSAL))
    assert "Pyyntöönne on suostuttu osittain." in text
    assert "Osa tiedoista on salassa pidettäviä." in text


@pytest.mark.parametrize(("reasons", "basis"), [("", REFUSAL_BASIS), (REFUSAL_REASONS, ""), ("  ", "  ")])
def test_renderer_refuses_a_refusal_without_reasons_or_basis(reasons, basis, make_case, clerk_service):
    diary = make_case(LetterKind.REFUSAL)
    data = letters.letter_data(clerk_service, clerk_service.get(diary), LetterKind.REFUSAL)
    with pytest.raises(DomainError, match="reasons and the legal basis"):
        printing.render_letter(dataclasses.replace(data, reasons=reasons, legal_basis=basis))


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_template_itself_refuses_without_reasons(language, make_case, clerk_service):
    """Even called around the renderer's check, the template engine will not write the certificate."""
    diary = make_case(LetterKind.REFUSAL, language)
    data = letters.letter_data(clerk_service, clerk_service.get(diary), LetterKind.REFUSAL)
    context = printing.template_context(dataclasses.replace(data, reasons=""))
    with pytest.raises(DomainError, match="without the reasons for the refusal"):
        render("refusal", language, context)
    context = printing.template_context(dataclasses.replace(data, legal_basis=""))
    with pytest.raises(DomainError, match="without the legal basis"):
        render("refusal", language, context)


def test_no_refusal_certificate_without_a_refusal_decision(make_case, clerk_service):
    diary = make_case(LetterKind.ACCESS_REPLY)
    with pytest.raises(DomainError, match="needs a refusal decision"):
        letters.render_letter(clerk_service, diary, LetterKind.REFUSAL)
