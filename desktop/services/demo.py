"""Realistic demo data: the seed registers, users clerk/reviewer/admin, and cases in every state.

Cases are built with the same transition steps the case service uses (so every rule holds), in memory,
then written a batch of whole cases per transaction: a crash loses at most the batch being written and
never leaves half a case.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce
from pathlib import Path

from desktop.domain.accounts import Role, UseCase, User
from desktop.domain.errors import N_, DomainError
from desktop.domain.events import Event, apply, fold
from desktop.domain.identifiers import hetu_check_char
from desktop.domain.model import (
    Address,
    AttachmentKind,
    CaseState,
    Channel,
    Decision,
    Delivery,
    IdentityMethod,
    Language,
    LetterKind,
    NewRequest,
    Requester,
    Right,
    Status,
)
from desktop.domain.registers import RegisterCatalog
from desktop.services import access_log, accounts, transitions
from desktop.services.accounts import permit
from desktop.services.clock import HELSINKI
from desktop.services.ids import HybridClock, uuid7
from desktop.services.settings import OfficeSettings
from desktop.services.workspace import Workspace
from desktop.store import eventlog
from desktop.store.database import raw_cursor, write_transaction

DEMO_PASSWORD = accounts.DEMO_PASSWORD  # documented; accepted in demo data dirs only
DEMO_USERS = (
    ("clerk", "Kaisa Kirjaaja", Role.CLERK),
    ("reviewer", "Ritva Ratkaisija", Role.REVIEWER),
    ("admin", "Antti Ylläpitäjä", Role.ADMIN),
)

FINNISH_FIRST = [
    "Maija",
    "Matti",
    "Aino",
    "Juhani",
    "Helmi",
    "Mikko",
    "Liisa",
    "Pekka",
    "Eeva",
    "Timo",
    "Sanna",
    "Jari",
    "Anna",
    "Heikki",
    "Kaisa",
    "Ville",
    "Tuula",
    "Jukka",
    "Riikka",
    "Antti",
    "Elina",
    "Kari",
    "Outi",
    "Lauri",
    "Minna",
    "Olli",
    "Päivi",
    "Seppo",
    "Hanna",
    "Tapio",
    "Sirpa",
    "Esa",
    "Laura",
    "Ari",
    "Satu",
    "Kalle",
]
FINNISH_LAST = [
    "Meikäläinen",
    "Virtanen",
    "Korhonen",
    "Mäkinen",
    "Nieminen",
    "Mäkelä",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lehtonen",
    "Lehtinen",
    "Saarinen",
    "Salminen",
    "Heinonen",
    "Niemi",
    "Heikkilä",
    "Kinnunen",
    "Salonen",
    "Turunen",
    "Salo",
    "Laitinen",
    "Tuominen",
    "Rantanen",
    "Karjalainen",
    "Jokinen",
    "Mattila",
    "Savolainen",
    "Lahtinen",
    "Ahonen",
    "Kärkkäinen",
    "Räsänen",
    "Väisänen",
]
SWEDISH_FIRST = [
    "Anders",
    "Johanna",
    "Erik",
    "Ulrika",
    "Mikael",
    "Sofia",
    "Henrik",
    "Linnea",
    "Fredrik",
    "Ebba",
    "Johan",
    "Sara",
    "Kaj",
    "Ingrid",
    "Björn",
    "Åsa",
]
SWEDISH_LAST = [
    "Lindqvist",
    "Holmström",
    "Westerlund",
    "Sjöberg",
    "Nyström",
    "Åkerblom",
    "Lindholm",
    "Ekström",
    "Grönroos",
    "Backman",
    "Söderström",
]
STREETS = [
    "Mannerheimintie",
    "Hämeenkatu",
    "Aleksanterinkatu",
    "Kauppakatu",
    "Koulukatu",
    "Rantakatu",
    "Puistokatu",
    "Kirkkokatu",
    "Jääkärikatu",
    "Torikatu",
    "Kalliokatu",
    "Satamakatu",
    "Asemakatu",
    "Pohjoisesplanadi",
    "Länsikatu",
    "Itäinen",
    "Pitkäkatu",
]
SWEDISH_STREETS = ["Storgatan", "Skolgatan", "Kyrkogatan", "Strandvägen", "Handelsesplanaden", "Rådhusgatan"]
# (postcode, Finnish post office, Swedish post office or None)
POST_OFFICES = (
    ("00100", "HELSINKI", "HELSINGFORS"),
    ("00500", "HELSINKI", "HELSINGFORS"),
    ("02100", "ESPOO", "ESBO"),
    ("20100", "TURKU", "ÅBO"),
    ("33100", "TAMPERE", "TAMMERFORS"),
    ("40100", "JYVÄSKYLÄ", None),
    ("50100", "MIKKELI", "S:T MICHEL"),
    ("65100", "VAASA", "VASA"),
    ("68600", "PIETARSAARI", "JAKOBSTAD"),
    ("80100", "JOENSUU", None),
    ("87100", "KAJAANI", None),
    ("90100", "OULU", "ULEÅBORG"),
    ("06100", "PORVOO", "BORGÅ"),
    ("10600", "TAMMISAARI", "EKENÄS"),
)
DETAILS = {
    Right.ACCESS: "Pyydän kopiot kaikista minua koskevista tiedoista rekisterissä.",
    Right.RECTIFICATION: (
        "Osoitetietoni on virheellinen: rekisterissä on vanha osoite. Oikea osoite on hakemuksessa; "
        "pyydän korjaamaan sen."
    ),
    Right.ERASURE: "Pyydän poistamaan puhelutallenteeni ja yhteystietoni.",
    Right.RESTRICTION: "Pyydän rajoittamaan tietojeni käsittelyä, kunnes oikaisupyyntöni on ratkaistu.",
    Right.OBJECTION: "Vastustan tietojeni käsittelyä palautekyselyissä.",
    Right.CONSENT_WITHDRAWAL: "Peruutan suostumukseni tietojen siirtoon kolmannelle osapuolelle.",
    Right.RECORDING: "Haluan kuunnella puhelun tallenteen, joka koskee työttömyysetuusasiaani.",
}
SWEDISH_DETAILS = "Jag begär att få ta del av alla uppgifter om mig i registret."


@dataclass
class _DemoCase:
    events: list[Event]
    state: CaseState


def _random_hetu(rng: random.Random, year_from: int = 1945, year_to: int = 2005) -> str:
    born = date(year_from, 1, 1) + timedelta(
        days=rng.randrange((date(year_to, 12, 31) - date(year_from, 1, 1)).days)
    )
    sign = "-" if born.year < 2000 else "A"
    individual = rng.randrange(2, 900)
    date_part = born.strftime("%d%m") + f"{born.year % 100:02d}"
    return f"{date_part}{sign}{individual:03d}{hetu_check_char(date_part, f'{individual:03d}')}"


def _random_requester(rng: random.Random) -> Requester:
    swedish = rng.random() < 0.18
    english = not swedish and rng.random() < 0.04
    first = rng.choice(SWEDISH_FIRST if swedish else FINNISH_FIRST)
    last = rng.choice(SWEDISH_LAST if swedish else FINNISH_LAST)
    postcode, city_fi, city_sv = rng.choice(POST_OFFICES)
    city = city_sv if swedish and city_sv else city_fi
    street = rng.choice(SWEDISH_STREETS if swedish else STREETS)
    number = rng.randrange(1, 80)
    stair = f" {rng.choice('ABC')} {rng.randrange(1, 40)}" if rng.random() < 0.5 else ""
    return Requester(
        name=f"{first} {last}",
        hetu=_random_hetu(rng) if rng.random() < 0.9 else "",
        language=Language.SV if swedish else (Language.EN if english else Language.FI),
        email=f"{first.lower()}.{last.lower()}@example.fi".translate(str.maketrans("äöå", "aoa"))
        if rng.random() < 0.6
        else "",
        phone=f"040 {rng.randrange(1000000, 9999999)}" if rng.random() < 0.5 else "",
        address=Address(street=f"{street} {number}{stair}", postcode=postcode, city=city, country=""),
    )


class _DemoWriter:
    """Builds one case's events in memory, moving the clock as the story of the case goes on."""

    def __init__(self, workspace: Workspace, device_id: str, hlc: HybridClock) -> None:
        self.workspace = workspace
        self.device_id = device_id
        self.hlc = hlc

    def build(self, case_id: str, steps: list[tuple[date, str, Callable]]) -> _DemoCase:
        events: list[Event] = []
        state: CaseState | None = None
        for day, actor, step in steps:
            ctx = transitions.Context(day, self.workspace.calendar, self.workspace.catalog)
            specs = step(ctx, state)
            at = datetime.combine(day, time(9, 0), HELSINKI).astimezone(UTC) + timedelta(
                minutes=len(events) * 7
            )
            new = [
                Event(
                    uuid7(),
                    case_id,
                    t,
                    p,
                    actor,
                    at,
                    self.device_id,
                    self.hlc.now(int(at.timestamp() * 1000)),
                )
                for t, p in specs
            ]
            events.extend(new)
            state = fold(new) if state is None else reduce(apply, new, state)
        assert state is not None
        return _DemoCase(events, state)


def _story(
    rng: random.Random, catalog: RegisterCatalog, received: date, today: date, diary: str
) -> list[tuple[date, str, Callable]]:
    """A plausible life of one request up to today: intake, identity, maybe a pause, decision, reply, closing."""
    right = rng.choices(list(Right), weights=(40, 14, 10, 6, 5, 5, 20))[0]
    candidates = [r for r in catalog if r.applies(right.value)] or list(catalog)
    if right is Right.RECORDING:
        candidates = [r for r in catalog if r.recordings] or candidates
    register = rng.choice(candidates)
    if rng.random() < 0.1:
        register = rng.choice(list(catalog))  # sometimes a right that does not apply: decided as a refusal
    requester = _random_requester(rng)
    channel = rng.choices(list(Channel), weights=(55, 30, 15))[0]
    details = (
        SWEDISH_DETAILS if requester.language is Language.SV and right is Right.ACCESS else DETAILS[right]
    )
    request = NewRequest(
        right,
        channel,
        received,
        requester,
        (register.id,),
        channel is not Channel.SECURE_EMAIL or rng.random() < 0.5,
        details,
    )
    clerk = rng.choice(("clerk", "clerk", "reviewer"))
    steps: list[tuple[date, str, Callable]] = [
        (received, clerk, lambda ctx, s: transitions.registration(ctx, request, diary))
    ]
    age = (today - received).days
    day = received

    def later(max_days: int) -> date | None:
        nonlocal day
        step_day = day + timedelta(days=rng.randrange(0, max_days + 1))
        if step_day > today:
            return None
        day = step_day
        return day

    if channel is not Channel.SECURE_EMAIL or rng.random() < 0.7:
        if (d := later(2)) is None:
            return steps
        kind = AttachmentKind.SIGNED_FORM if channel is Channel.POST else AttachmentKind.EMAIL
        steps.append((d, clerk, _sample_attachment(kind)))
    if rng.random() < 0.12:
        if (d := later(4)) is None:
            return steps
        steps.append(
            (
                d,
                clerk,
                lambda ctx, s: transitions.clarification_requested(
                    ctx, s, "Allekirjoitus puuttuu; pyydämme allekirjoitetun lomakkeen."
                ),
            )
        )
        if age < 20 or (age < 60 and rng.random() < 0.4):
            return steps  # still waiting for the requester
        if (d := later(20)) is None:
            return steps
        steps.append((d, clerk, lambda ctx, s, d=d: transitions.clarification_received(ctx, s, d)))
    if (d := later(6)) is None:
        return steps
    method = (
        IdentityMethod.SIGNATURE
        if channel is Channel.POST
        else (
            IdentityMethod.STRONG_EID
            if channel is Channel.SECURE_EMAIL
            else rng.choice((IdentityMethod.PASSPORT, IdentityMethod.ID_CARD, IdentityMethod.DRIVING_LICENCE))
        )
    )
    steps.append((d, clerk, lambda ctx, s: transitions.identity_verified(ctx, s, method, "", clerk)))
    if rng.random() < 0.06:
        if (d := later(10)) is None:
            return steps
        steps.append(
            (
                d,
                clerk,
                lambda ctx, s: transitions.deadline_extended(
                    ctx, s, "Pyyntö koskee laajaa aineistoa useasta järjestelmästä."
                ),
            )
        )
    # A few recent cases stall (the overdue queue of the demo); the rest get decided within the month.
    if age < 75 and rng.random() < 0.08:
        return steps
    if (d := later(25)) is None:
        return steps
    if not register.applies(right.value):
        decision = Decision.REFUSED
        reasons = register.right_note(right.value, "fi") or "Oikeus ei koske tätä rekisteriä."
        basis = "EU:n yleinen tietosuoja-asetus 17 art. 3 kohta b; 21 art. 1 kohta"
        actor = "reviewer"
    else:
        decision = rng.choices(
            (
                Decision.GRANTED,
                Decision.PARTLY_GRANTED,
                Decision.NO_DATA,
                Decision.WITHDRAWN,
                Decision.TRANSFERRED,
            ),
            weights=(70, 6, 15, 5, 4),
        )[0]
        reasons = (
            "Osa tiedoista on salassa pidettäviä (JulkL 24 §)." if decision is Decision.PARTLY_GRANTED else ""
        )
        basis = (
            "Laki viranomaisten toiminnan julkisuudesta 621/1999, 24 § 1 mom. 25 k."
            if decision is Decision.PARTLY_GRANTED
            else ""
        )
        actor = "reviewer" if decision is Decision.PARTLY_GRANTED else clerk
    transferred = "Kansaneläkelaitos" if decision is Decision.TRANSFERRED else ""
    steps.append(
        (
            d,
            actor,
            lambda ctx, s: transitions.decision_recorded(ctx, s, decision, reasons, basis, transferred),
        )
    )
    if decision is Decision.WITHDRAWN:
        if (d := later(3)) is not None:
            steps.append((d, clerk, transitions.closed))
        return steps
    letter = {
        Decision.GRANTED: LetterKind.ACCESS_REPLY
        if right is Right.ACCESS
        else (
            LetterKind.RECTIFICATION_DONE
            if right is Right.RECTIFICATION
            else (LetterKind.RECORDING_APPOINTMENT if right is Right.RECORDING else LetterKind.REPLY)
        ),
        Decision.PARTLY_GRANTED: LetterKind.REFUSAL,
        Decision.REFUSED: LetterKind.REFUSAL,
        Decision.NO_DATA: LetterKind.NO_DATA,
        Decision.TRANSFERRED: LetterKind.REPLY,
    }[decision]
    if (d := later(3)) is None:
        return steps
    steps.append((d, clerk, lambda ctx, s: transitions.letter_printed(ctx, s, letter, s.requester.language)))
    pickup = rng.random() < 0.15
    if (d := later(2)) is None:
        return steps
    if pickup:
        steps.append((d, clerk, lambda ctx, s: transitions.dispatched(ctx, s, Delivery.PICKUP)))
        if (d := later(10)) is None:
            return steps
        document = rng.choice(("passi", "henkilökortti", "ajokortti"))
        steps.append((d, clerk, lambda ctx, s: transitions.handed_over(ctx, s, document)))
    else:
        tracking = _tracking_number(rng)
        steps.append(
            (d, clerk, lambda ctx, s: transitions.dispatched(ctx, s, Delivery.REGISTERED_MAIL, tracking))
        )
    if (d := later(14)) is None:
        return steps
    steps.append((d, clerk, transitions.closed))
    return steps


def _tracking_number(rng: random.Random) -> str:
    from desktop.domain.identifiers import s10_check_digit

    serial = f"{rng.randrange(10**7, 10**8):08d}"
    return f"RR{serial}{s10_check_digit(serial)}FI"


def _sample_attachment(kind: AttachmentKind) -> Callable:
    """Attach the shared sample file of this kind (the demo stores one real file per kind)."""

    def step(ctx, s):
        sha, size, media, name = _SAMPLES[kind]
        return transitions.attachment_added(ctx, s, sha, name, kind, size, media)

    return step


_SAMPLES: dict[AttachmentKind, tuple[str, int, str, str]] = {}


def _store_samples(workspace: Workspace) -> None:
    """One small real PDF and one e-mail message in the blob store for the demo cases to reference."""
    pdf = _sample_pdf()
    stored = workspace.blobs.put_bytes(pdf)
    _SAMPLES[AttachmentKind.SIGNED_FORM] = (
        stored.sha256,
        stored.size,
        "application/pdf",
        "tietopyynto_allekirjoitettu.pdf",
    )
    from email.message import EmailMessage
    from email.utils import format_datetime

    message = EmailMessage()  # headers encoded as RFC 2047 requires, like a real mail client writes them
    message["From"] = "Maija Meikäläinen <maija.meikalainen@example.fi>"
    message["To"] = "kirjaamo@example.fi"
    message["Subject"] = "Tietopyyntö"
    message["Date"] = format_datetime(datetime(2026, 11, 2, 9, 12, tzinfo=HELSINKI))
    message.set_content("Hei,\n\npyydän saada tiedot itsestäni.\n\nMaija Meikäläinen\n")
    message_bytes = message.as_bytes()
    stored = workspace.blobs.put_bytes(message_bytes)
    _SAMPLES[AttachmentKind.EMAIL] = (stored.sha256, stored.size, "message/rfc822", "turvaposti.eml")


def _sample_pdf() -> bytes:
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setFont("Helvetica", 14)
    canvas.drawString(72, 760, "Tarkastuspyynto / Begaran om tillgang (skannattu lomake)")
    canvas.setFont("Helvetica", 11)
    canvas.drawString(72, 730, "Allekirjoitus / Underskrift: ______________________")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def office_settings() -> OfficeSettings:
    """The demo office: KEHA, the development and administrative centre the seed registers belong to."""
    return OfficeSettings(
        office_prefix="KEHA",
        office_name="ELY-keskusten ja TE-toimistojen kehittämis- ja hallintokeskus (KEHA-keskus)",
        office_street="PL 250",
        office_postcode="50101",
        office_city="MIKKELI",
        office_phone="0295 020 900",
        office_email="kirjaamo.keha@ely-keskus.fi",
        office_visiting_address="Hallituskatu 12–14, 50100 Mikkeli",
        office_opening_hours="ma–pe klo 8.00–16.15",
        office_name_sv="Utvecklings- och förvaltningscentret för NTM-centralerna och arbets- och näringsbyråerna (UF-centret)",
        office_street_sv="PB 250",
        office_city_sv="S:T MICHEL",
        office_visiting_address_sv="Regeringsgatan 12–14, 50100 S:t Michel",
        office_opening_hours_sv="mån–fre kl. 8.00–16.15",
        office_name_en="Development and Administrative Centre for ELY Centres and TE Offices (KEHA Centre)",
        office_street_en="P.O. Box 250",
        office_city_en="MIKKELI",
        office_visiting_address_en="Hallituskatu 12–14, 50100 Mikkeli",
        office_opening_hours_en="Mon–Fri 8.00–16.15",
        last_user="clerk",
    )


def ensure_demo_users(workspace: Workspace) -> None:
    from desktop.services import keys

    created = []
    with write_transaction(workspace.engine) as connection:
        existing = {u.username for u in accounts.list_users(connection)}
        for username, display, role in DEMO_USERS:
            if username not in existing:
                accounts.create_user(connection, username, display, role, DEMO_PASSWORD, demo=True)
                created.append(username)
    if workspace.data_key is not None:  # an encrypted data dir: the password also unwraps its key
        for username in created:
            keys.set_wrap(
                workspace.data_dir, username, keys.password_wrap(workspace.data_key, username, DEMO_PASSWORD)
            )


def generate(
    workspace: Workspace,
    cases: int,
    seed: int = 1,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 1000,
) -> int:
    """Add `cases` demo cases (received over the last ~14 months up to `today`). Returns how many were written."""
    from desktop.services.clock import Clock

    rng = random.Random(seed)
    today = today or Clock().today()
    ensure_demo_users(workspace)
    _store_samples(workspace)
    device = workspace.settings.device_id
    hlc = HybridClock(device)
    writer = _DemoWriter(workspace, device, hlc)
    prefix = workspace.settings.office_prefix
    # Received dates, oldest first, so diary numbers grow with time like in a real diary.
    span = 420
    received_days = sorted(today - timedelta(days=int(span * (rng.random() ** 1.6))) for _ in range(cases))
    with workspace.engine.connect() as connection:
        cursor = raw_cursor(connection)
        counters = {
            (p, y): last for p, y, last in cursor.execute("SELECT prefix, year, last FROM diary_counters")
        }
    written = 0
    for start in range(0, cases, batch):
        built: list[_DemoCase] = []
        for received in received_days[start : start + batch]:
            key = (prefix, received.year)
            counters[key] = counters.get(key, 0) + 1
            diary = f"{prefix}/{counters[key]}/{received.year}"
            built.append(writer.build(uuid7(), _story(rng, workspace.catalog, received, today, diary)))
        with write_transaction(workspace.engine) as connection:
            eventlog.append_new_cases(connection, [(case.events, case.state) for case in built])
            cursor = raw_cursor(connection)
            cursor.executemany(
                "INSERT INTO diary_counters (prefix, year, last) VALUES (?, ?, ?) "
                "ON CONFLICT(prefix, year) DO UPDATE SET last = max(last, excluded.last)",
                [(p, y, last) for (p, y), last in counters.items()],
            )
        written += len(built)
        if progress:
            progress(written, cases)
    return written


def _has_cases(workspace: Workspace) -> bool:
    with workspace.engine.connect() as connection:
        return raw_cursor(connection).execute("SELECT 1 FROM events LIMIT 1").fetchone() is not None


def create_demo(
    data_dir: Path,
    cases: int,
    seed: int = 1,
    *,
    encrypted: bool = True,
    sign_in: Callable[[], tuple[Workspace, User]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Workspace, int]:
    """Demo data, only where no real diary can be touched: a new or empty folder gets a new demo office;
    a data dir with no cases yet takes the cases when an administrator (`sign_in`) asks. Returns
    (workspace, cases written); the caller closes the workspace.
    """
    if cases < 0:
        raise DomainError(N_("The number of cases cannot be negative."))
    data_dir = Path(data_dir)
    if not Workspace.holds_data(data_dir):
        if data_dir.exists() and any(data_dir.iterdir()):
            raise DomainError(
                N_("{path} is not empty: demo data goes into a new or empty folder."), path=str(data_dir)
            )
        workspace = Workspace.create(
            data_dir,
            office_settings(),
            "admin",
            DEMO_PASSWORD,
            "Antti Ylläpitäjä",
            encrypted=encrypted,
            demo=True,
        )
        from desktop.services import keys

        keys.remember_user(data_dir, workspace.settings.last_user)  # the sign-in dialog offers clerk
    else:
        if sign_in is None:
            raise DomainError(N_("{path} already holds Kirjaamo data."), path=str(data_dir))
        workspace, user = sign_in()
        try:
            permit(access_log.bind(workspace, user), UseCase.DEMO)
            if _has_cases(workspace):
                raise DomainError(
                    N_("{path} already holds cases: demo data goes only into an empty data dir."),
                    path=str(data_dir),
                )
        except BaseException:
            workspace.close()
            raise
    try:
        written = generate(workspace, cases, seed=seed, progress=progress)
    except BaseException:
        workspace.close()
        raise
    return workspace, written


__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "Status", "create_demo", "ensure_demo_users", "generate"]
