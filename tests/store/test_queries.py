"""The case list in SQL: keyset pages, filters and full-text search agree with the plain list they serve."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.model import DEADLINE_RUNNING_STATUSES
from desktop.services import accounts, demo
from desktop.services.cases import CaseService
from desktop.services.clock import HELSINKI, FixedClock
from desktop.services.workspace import Workspace
from desktop.store import queries
from desktop.store.queries import CaseQuery, CaseRow, SortKey

TODAY = date(2026, 11, 23)
DEMO_CASES = 300


@pytest.fixture(scope="module")
def service(template_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseService]:
    """A few hundred demo cases plus three requesters the search tests know by name (read-only here)."""
    root = tmp_path_factory.mktemp("queries") / "data"
    shutil.copytree(template_data_dir, root)
    workspace = Workspace.open(root)
    demo.generate(workspace, DEMO_CASES, seed=3, today=TODAY)
    with workspace.engine.connect() as connection:
        user = accounts.find_user(connection, "reviewer")
    clock = FixedClock(datetime(2026, 11, 23, 10, 0, tzinfo=HELSINKI).astimezone(UTC))
    case_service = CaseService(workspace, user, clock)
    for name, hetu, postcode, city in (
        ("Maija Meikäläinen", "131052-308T", "00100", "Helsinki"),
        ("Åsa Söderström", "010170-123F", "68600", "Jakobstad"),
        ("Zacharias Öberg", "", "96100", "Rovaniemi"),
    ):
        case_service.register(
            {
                "right": "access",
                "channel": "post",
                "received": "2026-11-20",
                "registers": ["te-asiakasrekisteri"],
                "requester": {
                    "name": name,
                    "hetu": hetu,
                    "address": {"street": "Testikatu 1", "postcode": postcode, "city": city},
                },
            }
        )
    yield case_service
    workspace.close()


@pytest.fixture(scope="module")
def everything(service: CaseService) -> list[CaseRow]:
    rows = service.rows(service.query())
    assert len(rows) == DEMO_CASES + 3
    return rows


def keyset_pages(service: CaseService, query: CaseQuery, size: int) -> list[CaseRow]:
    collected: list[CaseRow] = []
    after = None
    while True:
        page = service.page(query, after, size)
        assert len(page) <= size
        collected.extend(page)
        if len(page) < size:
            return collected
        after = queries.sort_values(page[-1], query.sort)


# ---------------------------------------------------------------------------------------------------
# Keyset pagination


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("sort", list(SortKey))
def test_keyset_pages_concatenate_to_the_full_ordered_list(
    service: CaseService, sort: SortKey, descending: bool
) -> None:
    for filters in ({}, {"right": "access"}, {"text": "Meikäläinen"}):
        query = service.query(sort=sort, descending=descending, **filters)
        full = service.rows(query)
        assert full, filters
        assert keyset_pages(service, query, 7) == full
        assert keyset_pages(service, query, 1) == full
        assert keyset_pages(service, query, len(full)) == full
        keys = [queries.sort_values(row, sort) for row in full]
        assert keys == sorted(keys, reverse=descending)
        assert len(set(keys)) == len(keys)  # `num` breaks every tie
        assert service.ids(query) == [row.num for row in full]
        assert service.count(query) == len(full)
        assert [r.num for r in service.rows(query, limit=5)] == [r.num for r in full[:5]]


def test_rows_by_num_fetches_exactly_the_asked_rows(service: CaseService, everything: list[CaseRow]) -> None:
    wanted = [row.num for row in everything[::37]]
    found = service.rows_by_num(wanted)
    assert sorted(found) == sorted(wanted)
    assert all(found[row.num] == row for row in everything[::37])


def test_names_sort_with_a_ring_and_umlauts_after_z(service: CaseService) -> None:
    names = [row.requester_name for row in service.rows(service.query(sort=SortKey.NAME))]
    assert names.index("Zacharias Öberg") < names.index("Åsa Söderström")
    assert all(not name.startswith(("Å", "Ä", "Ö")) for name in names[: names.index("Zacharias Öberg")])


# ---------------------------------------------------------------------------------------------------
# Filters


def _reference(query: CaseQuery) -> Callable[[CaseRow], bool]:
    running = {s.value for s in DEADLINE_RUNNING_STATUSES}
    today = query.today

    def keep(row: CaseRow) -> bool:
        due = date.fromisoformat(row.due_date)
        received = date.fromisoformat(row.received)
        return (
            (not query.statuses or row.status in query.statuses)
            and (not query.right or row.right == query.right)
            and (not query.channel or row.channel == query.channel)
            and (not query.register or query.register in row.registers.split())
            and (not query.overdue or (row.status in running and due < today))
            and (
                query.due_within is None
                or (row.status in running and today <= due <= today + timedelta(days=query.due_within))
            )
            and (query.received_from is None or received >= query.received_from)
            and (query.received_to is None or received <= query.received_to)
        )

    return keep


FILTERS = [
    {"statuses": frozenset({"registered"})},
    {"statuses": frozenset({"closed", "sent", "handed_over"})},
    {"statuses": frozenset({"in_progress", "decided", "printed", "awaiting_pickup"})},
    {"right": "access"},
    {"right": "recording"},
    {"right": "rectification"},
    {"register": "te-asiakasrekisteri"},
    {"register": "palkkaturva-puhelut"},
    {"register": "kainuu-webropol"},
    {"channel": "post"},
    {"channel": "secure_email"},
    {"channel": "in_person"},
    {"overdue": True},
    {"due_within": 7},
    {"due_within": 30},
    {"received_from": date(2026, 6, 1), "received_to": date(2026, 8, 31)},
    {"received_from": date(2026, 11, 1)},
    {"received_to": date(2025, 12, 31)},
    {"overdue": True, "channel": "post"},
    {
        "right": "access",
        "channel": "post",
        "register": "te-asiakasrekisteri",
        "statuses": frozenset({"closed"}),
    },
]


@pytest.mark.parametrize("filters", FILTERS, ids=[",".join(f) for f in FILTERS])
def test_filters_select_what_filtering_the_list_in_python_selects(
    service: CaseService, everything: list[CaseRow], filters: dict
) -> None:
    query = service.query(**filters)
    expected = {row.num for row in everything if _reference(query)(row)}
    assert expected, "the demo data should give every filter something to find"
    assert expected != {row.num for row in everything}
    assert {row.num for row in service.rows(query)} == expected
    assert service.count(query) == len(expected)


def test_due_within_and_overdue_follow_the_day_asked_about(
    service: CaseService, everything: list[CaseRow]
) -> None:
    for today in (date(2026, 10, 1), date(2026, 12, 24), date(2027, 3, 1)):
        for filters in ({"overdue": True}, {"due_within": 7}):
            query = replace(service.query(**filters), today=today)
            expected = {row.num for row in everything if _reference(query)(row)}
            assert {row.num for row in service.rows(query)} == expected


def test_an_unknown_register_or_status_finds_nothing(service: CaseService) -> None:
    assert service.rows(service.query(register="ei-tällaista")) == []
    assert service.rows(service.query(statuses=frozenset({"lost"}))) == []


# ---------------------------------------------------------------------------------------------------
# Full-text search


def found(service: CaseService, text: str) -> set[str]:
    return {row.diary_number for row in service.rows(service.query(text=text))}


def diary_of(everything: list[CaseRow], name: str) -> str:
    [row] = [row for row in everything if row.requester_name == name]
    return row.diary_number


def test_search_by_surname_with_and_without_diacritics(
    service: CaseService, everything: list[CaseRow]
) -> None:
    meikalaiset = {row.diary_number for row in everything if "meikäläinen" in row.requester_name.casefold()}
    assert diary_of(everything, "Maija Meikäläinen") in meikalaiset
    assert len(meikalaiset) > 1  # demo requesters share the surname
    for text in ("Meikäläinen", "meikalainen", "MEIKALAINEN", "meikäl", "Meikalainen "):
        assert found(service, text) == meikalaiset, text
    assert found(service, "Maija Meikäläinen") >= {diary_of(everything, "Maija Meikäläinen")}

    soderstrom = diary_of(everything, "Åsa Söderström")
    for text in ("Söderström", "soderstrom", "asa soderstrom", "Åsa Söderström"):
        assert soderstrom in found(service, text), text


def test_search_by_henkilotunnus(service: CaseService, everything: list[CaseRow]) -> None:
    diary = diary_of(everything, "Maija Meikäläinen")
    assert found(service, "131052-308T") == {diary}
    assert found(service, "131052-308t") == {diary}
    assert diary in found(service, "131052")
    assert found(service, "131052-308X") == set()


def test_search_by_diary_number(service: CaseService, everything: list[CaseRow]) -> None:
    for row in everything[::50]:
        assert found(service, row.diary_number) == {row.diary_number}
        assert found(service, row.diary_number.lower()) == {row.diary_number}
    # KEHA/1/2026 must not also find KEHA/10/2026, KEHA/11/2026 …
    first = next(row for row in everything if row.diary_seq == 1)
    assert found(service, first.diary_number) == {first.diary_number}


def test_search_by_postcode(service: CaseService, everything: list[CaseRow]) -> None:
    for postcode in ("00100", "33100", "96100"):
        expected = {row.diary_number for row in everything if row.postcode == postcode}
        assert expected
        assert found(service, postcode) == expected
    assert found(service, "96100 Rovaniemi") == {diary_of(everything, "Zacharias Öberg")}


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "*",
        "AND",
        "(",
        ":",
        ")",
        '"Maija',
        "Maija*",
        "*Maija",
        "Maija OR",
        "NOT Maija",
        "Maija AND",
        "AND OR NOT NEAR",
        "NEAR(Maija Meikäläinen)",
        "name:Maija",
        "hetu:131052",
        "{name hetu}: Maija",
        "-Maija",
        "^Maija",
        "Maija + Meikäläinen",
        "'; DROP TABLE cases; --",
        "\\",
        "%_",
        "   ",
        "",
        "\x00",
    ],
)
def test_fts_syntax_in_the_search_text_never_raises(service: CaseService, text: str) -> None:
    query = service.query(text=text)
    rows = service.rows(query)
    assert service.count(query) == len(rows)
    assert service.page(query, None, 10) == rows[:10]


@pytest.mark.parametrize("text", ['"Meikäläinen"', "Meikäläinen*", "(Meikäläinen)", "Meikäläinen:"])
def test_syntax_around_a_word_searches_for_the_word(service: CaseService, text: str) -> None:
    assert found(service, text) == found(service, "Meikäläinen")


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=30))
def test_any_search_text_is_answered(service: CaseService, text: str) -> None:
    query = service.query(text=text)
    assert service.count(query) == len(service.rows(query))
