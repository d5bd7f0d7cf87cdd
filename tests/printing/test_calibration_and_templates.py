"""The calibration page, and the template machinery: markup, protection of inserted text, strictness."""

from __future__ import annotations

import pytest
from printing_helpers import font_problems, in_window, runs

from desktop.domain.errors import DomainError
from desktop.printing.templates import BlockKind, environment, parse_markup, render
from desktop.services import letters


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_calibration_page_shows_the_sample_address_in_the_window(language, clerk_service):
    pdf = letters.render_calibration_page(clerk_service, language)
    page = runs(pdf)
    address = [run for run in page if 35 < run.y < 70 and run.x < 110]
    assert len(address) == 4
    assert all(in_window(run) for run in address)
    assert any(run.text.startswith(("Ikkuna", "Fönster", "Window")) for run in page)
    assert any("148,5" in run.text or "148.5" in run.text for run in page)  # the fold mark is labelled
    assert font_problems(pdf) == []


def test_calibration_page_without_a_workspace():
    pdf = letters.render_calibration_page()
    assert any(run.text == "KALIBROINTISIVU" for run in runs(pdf))


def test_markup_blocks():
    blocks = parse_markup(
        "Eka rivi\njatkuu.\n\n# Otsikko\n## Väliotsikko\n- kohta\n| rivi\n@ Liitteet | ote\n~ allekirjoitus\n"
    )
    assert [(b.kind, b.text, b.label) for b in blocks] == [
        (BlockKind.PARAGRAPH, "Eka rivi jatkuu.", ""),
        (BlockKind.SPACE, "", ""),
        (BlockKind.HEADING, "Otsikko", ""),
        (BlockKind.SUBHEADING, "Väliotsikko", ""),
        (BlockKind.BULLET, "kohta", ""),
        (BlockKind.LINE, "rivi", ""),
        (BlockKind.FIELD, "ote", "Liitteet"),
        (BlockKind.SIGNATURE, "", "allekirjoitus"),
    ]


def test_inserted_values_never_become_markup():
    template = environment("fi").from_string("{{ value }}\n")
    blocks = parse_markup(template.render(value="# ei otsikko\n- ei kohta\n@ x | y"))
    assert [b.kind for b in blocks] == [BlockKind.PARAGRAPH]
    assert blocks[0].text == "# ei otsikko - ei kohta @ x | y"


def test_missing_value_and_none_fail():
    with pytest.raises(DomainError, match="missing"):
        render("acknowledgement", "fi", {"diary_number": "KEHA/1/2026"})
    env = environment("fi")
    with pytest.raises(DomainError, match="no value"):
        env.from_string("{{ value }}").render(value=None)


def test_unknown_template():
    with pytest.raises(DomainError, match="no letter template"):
        render("love_letter", "fi", {})


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_paragraphs_and_bullets_stay_apart(language, make_case, clerk_service):
    """A block tag at the end of a line must not swallow the line break (Jinja's trim_blocks)."""
    from desktop.domain.model import LetterKind
    from desktop.printing.letter import template_context

    starts = {
        "fi": "Pyyntöönne ei suostuta.",
        "sv": "Er begäran bifalls inte.",
        "en": "Your request is not granted.",
    }
    diary = make_case(LetterKind.REFUSAL, language)
    data = letters.letter_data(clerk_service, clerk_service.get(diary), LetterKind.REFUSAL)
    blocks = render("refusal", language, template_context(data)).blocks
    paragraphs = [b.text for b in blocks if b.kind is BlockKind.PARAGRAPH]
    assert any(text.startswith(starts[language]) for text in paragraphs), paragraphs

    diary = make_case(LetterKind.ACCESS_REPLY, language)
    data = letters.letter_data(clerk_service, clerk_service.get(diary), LetterKind.ACCESS_REPLY)
    blocks = render("access_reply", language, template_context(data)).blocks
    register = data.registers[0]
    bullets = [b.text for b in blocks if b.kind is BlockKind.BULLET]
    expected = len(register.purposes.get(language)) + len(register.data_content.get(language))
    expected += len([r for r in register.applicable_rights() if r != "recording"])
    expected += len([r for r in ("erasure", "objection") if not register.applies(r)])
    assert len(bullets) == expected
    assert not any(" - " in text and text.count("(") > 3 for text in bullets)
