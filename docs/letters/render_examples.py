"""Render the example pages in this folder: `.venv/bin/python docs/letters/render_examples.py [--all DIR]`.

Builds a throw-away office (the demo's KEHA settings), takes cases through the real case service to the
decision each letter needs, renders the letters and writes the first two pages side by side as PNG
(`pdftoppm -r 80`, from poppler-utils). `--all DIR` also writes every kind in every language (PDF and PNG)
to DIR for review.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from desktop.domain.model import (  # noqa: E402
    AttachmentKind,
    Decision,
    Delivery,
    IdentityMethod,
    LetterKind,
)
from desktop.services import accounts, demo, letters  # noqa: E402
from desktop.services.cases import CaseService  # noqa: E402
from desktop.services.clock import HELSINKI, FixedClock  # noqa: E402
from desktop.services.workspace import Workspace  # noqa: E402

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=HELSINKI).astimezone(UTC)
PEOPLE = {
    "fi": ("Maija Meikäläinen", "Mannerheimintie 12 B 34", "00100", "Helsinki"),
    "sv": ("Åsa Sjöberg", "Handelsesplanaden 12 B 7", "65100", "Vasa"),
    "en": ("John Smith", "Kauppakatu 3 C 14", "33100", "Tampere"),
}
STORIES = {
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
REASONS = {
    "fi": (
        "Pyytämänne tiedot ovat tarpeen työ- ja elinkeinotoimiston lakisääteisten tehtävien hoitamiseksi "
        "(työnvälitys ja työttömyysturvaan liittyvät tehtävät). Oikeus tietojen poistamiseen ei koske "
        "henkilötietoja, joiden käsittely on tarpeen lakisääteisen velvoitteen noudattamiseksi. Tiedot "
        "poistetaan rekisteristä viiden vuoden kuluttua asiakkuuden päättymisestä.",
        "EU:n yleinen tietosuoja-asetus (EU) 2016/679, 17 artiklan 3 kohdan b alakohta; laki julkisesta "
        "työvoima- ja yrityspalvelusta (916/2012).",
    ),
}


def _case(clerk: CaseService, reviewer: CaseService, kind: LetterKind, language: str) -> str:
    right, register = STORIES[kind]
    name, street, postcode, city = PEOPLE[language]
    request = {
        "right": right,
        "channel": "post",
        "received": "2026-11-06",
        "registers": [register],
        "signed": True,
        "details": "Osoitteeni on rekisterissä väärin (Vanhatie 5). Oikea osoite on Mannerheimintie 12 B 34."
        if right == "rectification"
        else "Pyydän kopiot kaikista minua koskevista tiedoista.",
        "requester": {
            "name": name,
            "hetu": "131052-308T",
            "language": language,
            "address": {"street": street, "postcode": postcode, "city": city, "country": ""},
        },
    }
    diary = clerk.register(request).diary_number
    if kind is LetterKind.ACKNOWLEDGEMENT:
        return diary
    if kind is LetterKind.CLARIFICATION:
        clerk.request_clarification(
            diary, "Pyynnöstä puuttuu allekirjoitus. Toimittakaa allekirjoitettu pyyntö."
        )
        return diary
    if kind is LetterKind.EXTENSION:
        clerk.extend(diary, "Pyyntö koskee laajaa aineistoa useasta tietojärjestelmästä.")
        return diary
    clerk.verify_identity(diary, IdentityMethod.SIGNATURE)
    if kind is LetterKind.REFUSAL:
        reviewer.record_decision(diary, Decision.REFUSED, *REASONS["fi"])
    elif kind is LetterKind.NO_DATA:
        clerk.record_decision(diary, Decision.NO_DATA)
    else:
        clerk.record_decision(diary, Decision.GRANTED)
    if kind is LetterKind.ACCESS_REPLY:
        clerk.attach_bytes(diary, b"%PDF-1.4 extract", "rekisteriote_URA.pdf", AttachmentKind.EXTRACT)
    if kind is LetterKind.PICKUP_NOTICE:
        clerk.mark_letter_printed(diary, LetterKind.ACCESS_REPLY)
        clerk.dispatch(diary, Delivery.PICKUP)
    return diary


def _png(pdf: Path, out: Path, pages: int = 2) -> None:
    """The first `pages` pages side by side on a grey background, as one PNG."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            ["pdftoppm", "-r", "80", "-png", "-l", str(pages), str(pdf), f"{folder}/p"], check=True
        )
        files = sorted(Path(folder).glob("p-*.png"))
        from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter

        app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (QImage painting needs it)
        images = [QImage(str(f)) for f in files]
        gap = 16
        width = sum(i.width() for i in images) + gap * (len(images) + 1)
        height = max(i.height() for i in images) + 2 * gap
        sheet = QImage(width, height, QImage.Format.Format_RGB32)
        sheet.fill(QColor("#8a8f96"))
        painter = QPainter(sheet)
        x = gap
        for image in images:
            painter.drawImage(x, gap, image)
            x += image.width() + gap
        painter.end()
        sheet.save(str(out))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--all", type=Path, metavar="DIR", help="also render every kind in every language here"
    )
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as folder:
        workspace = Workspace.create(
            Path(folder) / "data", demo.office_settings(), "admin", demo.DEMO_PASSWORD, demo=True
        )
        demo.ensure_demo_users(workspace)
        with workspace.engine.connect() as connection:
            clerk_user = accounts.find_user(connection, "clerk")
            reviewer_user = accounts.find_user(connection, "reviewer")
        clock = FixedClock(NOW)
        clerk, reviewer = (
            CaseService(workspace, clerk_user, clock),
            CaseService(workspace, reviewer_user, clock),
        )
        examples = [
            (LetterKind.ACCESS_REPLY, "fi", reviewer, "access_reply_fi"),
            (LetterKind.ACCESS_REPLY, "sv", clerk, "access_reply_sv"),
            (LetterKind.REFUSAL, "fi", reviewer, "refusal_fi"),
        ]
        for kind, language, signer, name in examples:
            diary = _case(clerk, reviewer, kind, language)
            pdf = Path(folder) / f"{name}.pdf"
            pdf.write_bytes(letters.render_letter(signer, diary, kind))
            _png(pdf, HERE / f"{name}.png")
            print(HERE / f"{name}.png")
        if args.all:
            args.all.mkdir(parents=True, exist_ok=True)
            for language in PEOPLE:
                for kind in LetterKind:
                    diary = _case(clerk, reviewer, kind, language)
                    pdf = args.all / f"{kind.value}_{language}.pdf"
                    pdf.write_bytes(letters.render_letter(clerk, diary, kind))
                    _png(pdf, args.all / f"{kind.value}_{language}.png", pages=3)
            (args.all / "dispatch_list.pdf").write_bytes(letters.dispatch_list_pdf(clerk))
            (args.all / "calibration.pdf").write_bytes(letters.render_calibration_page(clerk))
            _png(args.all / "calibration.pdf", args.all / "calibration.png", pages=1)
            print(args.all)
        workspace.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
