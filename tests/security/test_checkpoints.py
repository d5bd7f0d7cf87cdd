"""Access-log checkpoints on a standalone desk (issue 14 point 2): printed on the dispatch list and written
into every backup's manifest; `verify --checkpoint` catches a log an insider rewrote with a recomputed chain,
which plain `verify` cannot."""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
from datetime import date
from pathlib import Path

from security_helpers import raw_connection

from desktop.services import checkpoint, letters
from desktop.services.access_log import GENESIS, entry_hash
from desktop.services.backup import backup
from desktop.services.cases import CaseService

CHECKPOINT = re.compile(r"KJC1-\d+-[0-9a-f]{32}-[0-9a-f]{16}")


def printed_checkpoint(workspace, user, tmp_path: Path) -> str:
    """The checkpoint as the dispatch list prints it (read back from the PDF's text)."""
    pdf = tmp_path / "dispatch.pdf"
    pdf.write_bytes(letters.dispatch_list_pdf(CaseService(workspace, user), date(2026, 12, 4)))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found = CHECKPOINT.findall(text)
    assert len(found) == 1, text
    return found[0]


def rewrite_log(data_dir: Path, keep) -> None:
    """What an insider can do with their own password: open the database with the key, drop the triggers,
    keep the entries `keep` selects (changed as it likes) and write them back with a recomputed chain."""
    connection = raw_connection(data_dir, "clerk")
    try:
        connection.execute("DROP TRIGGER access_log_no_update")
        connection.execute("DROP TRIGGER access_log_no_delete")
        rows = connection.execute(
            "SELECT seq, at, username, role, device_id, action, case_id, diary_number, detail FROM access_log "
            "ORDER BY seq"
        ).fetchall()
        connection.execute("BEGIN")
        connection.execute("DELETE FROM access_log")
        prev = GENESIS
        for seq, row in enumerate(keep(rows), start=1):
            values = list(row[1:])
            digest = entry_hash(prev, seq, *values)
            connection.execute(
                "INSERT INTO access_log (seq, at, username, role, device_id, action, case_id, diary_number, "
                "detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, *values, prev, digest),
            )
            prev = digest
        connection.execute("COMMIT")
    finally:
        connection.close()


def test_a_rewritten_log_passes_plain_verify_but_not_the_printed_checkpoint(
    enc_dir: Path, sign_in, run_cli, tmp_path: Path
) -> None:
    workspace, admin = sign_in("admin")
    early = printed_checkpoint(workspace, admin, tmp_path)
    clerk_ws, clerk = sign_in("clerk")
    service = CaseService(clerk_ws, clerk)
    for query in ("Meikäläinen", "Virtanen", "Korhonen"):
        service.rows(service.query(text=query), 10)
    late = printed_checkpoint(workspace, admin, tmp_path)
    clerk_ws.close()
    workspace.close()
    admin_env = {"KIRJAAMO_USER": "admin"}
    assert (
        run_cli("--data-dir", enc_dir, "verify", "--checkpoint", early, "--checkpoint", late, env=admin_env)[
            0
        ]
        == 0
    )

    # The clerk removes their searches (and everything after), with a recomputed chain.
    rewrite_log(enc_dir, lambda rows: [r for r in rows if not (r[2] == "clerk" and r[5] == "search")])
    code, _out, err = run_cli("--data-dir", enc_dir, "verify", env=admin_env)
    assert (code, err) == (0, "")  # the chain is whole again: plain verify cannot tell
    early_entries, late_entries = int(early.split("-")[1]), int(late.split("-")[1])
    code, _out, err = run_cli("--data-dir", enc_dir, "verify", "--checkpoint", late, env=admin_env)
    assert code == 1
    assert f"access_log_checkpoint\tentry {late_entries}\t" in err
    code, _out, err = run_cli(
        "--data-dir", enc_dir, "verify", "--checkpoint", late, "--checkpoint", early, env=admin_env
    )
    assert code == 1 and f"the change is in entries {early_entries + 1}–{late_entries}" in err


def test_a_truncated_log_is_caught_and_a_forged_checkpoint_refused(
    enc_dir: Path, sign_in, run_cli, tmp_path: Path
) -> None:
    workspace, admin = sign_in("admin")
    text = printed_checkpoint(workspace, admin, tmp_path)
    entries = int(text.split("-")[1])
    workspace.close()
    rewrite_log(enc_dir, lambda rows: rows[: entries - 2])
    admin_env = {"KIRJAAMO_USER": "admin"}
    code, _out, err = run_cli("--data-dir", enc_dir, "verify", "--checkpoint", text, env=admin_env)
    assert code == 1 and "entries were removed" in err
    forged = text[:-1] + ("0" if text[-1] != "0" else "1")
    code, out, err = run_cli("--data-dir", enc_dir, "verify", "--checkpoint", forged, env=admin_env)
    assert (code, out) == (1, "") and "was not made by this office" in err and len(err.splitlines()) == 1


def test_every_backup_manifest_carries_the_checkpoint(enc_dir: Path, sign_in, tmp_path: Path) -> None:
    workspace, admin = sign_in("admin")
    report = backup(workspace, admin, tmp_path / "office.kjb")
    with tarfile.open(report.path) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
    text = manifest["access_log_checkpoint"]
    assert CHECKPOINT.fullmatch(text)
    # It anchors the log up to and including the backup's own entry; it still matches.
    assert checkpoint.check(workspace, [text]) == []
    assert int(text.split("-")[1]) == checkpoint.current(workspace).entries
