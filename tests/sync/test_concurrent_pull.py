"""Many desks push at once, some holding their transaction open, while another desk pulls all along."""

from __future__ import annotations

import random
import threading

import pytest

from desktop.sync.client import SyncClient

pytestmark = pytest.mark.postgres


def _client(desk, **sizes) -> SyncClient:
    hlc = desk.workspace.hlc
    from desktop.services.ids import uuid7

    return SyncClient(
        desk.workspace.engine,
        desk.workspace.blobs,
        new_id=uuid7,
        hlc_now=hlc.now,
        observe=hlc.observe,
        **sizes,
    )


@pytest.mark.slow
def test_the_pulled_set_equals_the_committed_set(server, make_desk):
    writers = [make_desk(f"w{i}", server) for i in range(6)]
    for writer in writers:  # mostly notes: batches that touch no diary counter (no other lock to queue on)
        case_ids = [writer.register(f"{writer.name} asiakas {n}") for n in range(2)]
        for n in range(16):
            writer.cases.add_note(case_ids[n % 2], f"Muistiinpano {n}.")
    puller = make_desk("puller", server)
    done = threading.Event()
    errors: list[BaseException] = []
    pulls: list[int] = []

    def write(desk, seed: int) -> None:
        rng = random.Random(seed)
        try:
            with desk.session() as session:
                # Some transactions stay open after stamping their numbers, while others queue behind.
                session.before_commit = lambda cur: cur.execute(
                    "SELECT pg_sleep(%s)", (rng.choice((0, 0, 0.1)),)
                )
                _client(desk, push_batch_size=3).push(session)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    def pull() -> None:
        client = _client(puller, page_size=7)
        try:
            with puller.session() as session:
                while not done.is_set():
                    pulls.append(client.pull(session))
                pulls.append(client.pull(session))
        except BaseException as error:  # pragma: no cover
            errors.append(error)

    reader = threading.Thread(target=pull)
    reader.start()
    threads = [threading.Thread(target=write, args=(desk, i)) for i, desk in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    reader.join()
    assert errors == []

    committed = server.event_ids()
    assert len(committed) == 6 * (2 * 2 + 16)  # registrations, their final numbers, notes
    assert puller.event_ids() == committed  # nothing skipped
    assert sum(1 for n in pulls if n) > 1  # it really pulled while the others were pushing
    seqs = [row[0] for row in server.query("SELECT server_seq FROM change_log ORDER BY server_seq")]
    assert seqs == list(range(1, len(seqs) + 1))
    numbers = sorted(
        int(row[0].split("/")[1]) for row in server.query("SELECT diary_number FROM case_numbers")
    )
    assert numbers == list(range(1, 13))  # every final diary number once, none skipped
