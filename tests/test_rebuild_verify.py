"""`kirjaamo rebuild` and `kirjaamo verify` on 10,000 demo cases: the projections are a pure function of the
log, and verify notices a damaged projection, a changed file and a lost file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.store.database import DATABASE_FILE

pytestmark = pytest.mark.slow

Run = Callable[..., tuple[int, str, str]]

PROJECTIONS = {
    "cases": "SELECT * FROM cases ORDER BY num",
    "case_registers": "SELECT * FROM case_registers ORDER BY case_num, register_id",
    "attachments": "SELECT * FROM attachments ORDER BY case_id, sha256",
    "cases_fts": "SELECT rowid, * FROM cases_fts ORDER BY rowid",
}


def connect(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(data_dir / DATABASE_FILE, isolation_level=None)


def dump(data_dir: Path) -> dict[str, list[tuple]]:
    connection = connect(data_dir)
    try:
        return {table: connection.execute(sql).fetchall() for table, sql in PROJECTIONS.items()}
    finally:
        connection.close()


def problems(err: str) -> list[list[str]]:
    """The problem lines of `verify` (tab-separated), without its closing summary line."""
    return [line.split("\t") for line in err.splitlines() if "\t" in line]


def test_rebuild_reproduces_every_projection_exactly(run_cli: Run, demo_10k_dir: Path) -> None:
    original = dump(demo_10k_dir)
    assert len(original["cases"]) == 10_000
    assert len(original["cases_fts"]) == 10_000
    assert len(original["case_registers"]) >= 10_000
    assert len(original["attachments"]) > 5_000
    assert run_cli("--data-dir", demo_10k_dir, "--user", "admin", "verify")[0] == 0

    # Damage the projections in the ways a bug or a hand-edit would: verify must notice the case rows.
    connection = connect(demo_10k_dir)
    num, diary = connection.execute(
        "SELECT num, diary_number FROM cases WHERE num % 97 = 0 LIMIT 1"
    ).fetchone()
    connection.execute("UPDATE cases SET status = 'closed', due_date = '2099-01-01' WHERE num = ?", (num,))
    connection.execute("DELETE FROM cases WHERE num IN (SELECT num FROM cases ORDER BY num DESC LIMIT 3)")
    connection.execute("DELETE FROM attachments WHERE rowid % 2 = 0")
    connection.execute("DELETE FROM case_registers WHERE case_num % 3 = 0")
    connection.execute("DELETE FROM cases_fts WHERE rowid % 5 = 0")
    connection.execute("UPDATE cases_fts SET name = 'Väärä Nimi' WHERE rowid % 7 = 1")
    connection.close()
    assert dump(demo_10k_dir) != original

    code, _, err = run_cli("--data-dir", demo_10k_dir, "--user", "admin", "verify")
    assert code == 1
    found = problems(err)
    assert ["projection_mismatch", diary] in [p[:2] for p in found]
    assert sum(p[0] == "projection_missing" for p in found) == 3
    damaged_tables = " ".join(p[2] for p in found if p[0] == "projection_mismatch")
    for table in ("case_registers", "attachments", "cases_fts"):
        assert table in damaged_tables

    code, out, err = run_cli("--data-dir", demo_10k_dir, "--user", "admin", "rebuild")
    assert (code, err) == (0, "")
    assert "10000" in out
    rebuilt = dump(demo_10k_dir)
    for table in PROJECTIONS:
        assert rebuilt[table] == original[table], table
    assert run_cli("--data-dir", demo_10k_dir, "--user", "admin", "verify") == (
        0,
        "Verified: the access log, files and projections are intact.\n",
        "",
    )

    # The full-text index answers from the rebuilt content too.
    connection = connect(demo_10k_dir)
    try:
        hits = connection.execute(
            "SELECT count(*) FROM cases_fts WHERE cases_fts MATCH 'meikalainen'"
        ).fetchone()[0]
        expected = connection.execute(
            "SELECT count(*) FROM cases WHERE requester_name LIKE '%Meikäläinen%'"
        ).fetchone()[0]
    finally:
        connection.close()
    assert hits == expected > 0


def test_verify_names_a_changed_blob_and_a_missing_one(run_cli: Run, demo_10k_dir: Path) -> None:
    blobs = demo_10k_dir / "blobs"
    files = sorted(p for p in blobs.rglob("*") if p.is_file())
    assert len(files) == 2  # the demo's sample PDF and e-mail, shared by its cases
    changed, lost = files
    changed_sha = changed.parent.name + changed.name
    lost_sha = lost.parent.name + lost.name
    connection = connect(demo_10k_dir)
    try:
        uses = dict(connection.execute("SELECT sha256, count(*) FROM attachments GROUP BY sha256").fetchall())
    finally:
        connection.close()
    assert set(uses) == {changed_sha, lost_sha}

    data = bytearray(changed.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte
    changed.write_bytes(bytes(data))

    code, out, err = run_cli("--data-dir", demo_10k_dir, "--user", "admin", "verify")
    assert (code, out) == (1, "")
    found = problems(err)
    assert {(p[0], p[1]) for p in found} == {("blob_corrupted", changed_sha)}
    assert len(found) == uses[changed_sha]  # every case holding the file is named
    assert all(p[2].startswith("KEHA/") for p in found)
    assert err.splitlines()[-1] == f"Verification failed: {len(found)} problem(s)."

    lost.unlink()
    code, out, err = run_cli("--data-dir", demo_10k_dir, "--user", "admin", "verify")
    assert (code, out) == (1, "")
    found = problems(err)
    assert {(p[0], p[1]) for p in found} == {("blob_corrupted", changed_sha), ("blob_missing", lost_sha)}
    assert sum(p[0] == "blob_missing" for p in found) == uses[lost_sha]
