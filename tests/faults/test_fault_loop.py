"""The fault loop: three desks, a TCP proxy between them and the server, and faults at random.

Each round runs one command of the real CLI on one desk (register, attach, import, letter, backup,
restore, sync) and injects one fault while it runs: SIGKILL at a random moment, the proxy cutting,
stalling or slowing the connection, or `pg_terminate_backend` of the desk's server session. Between
rounds the desks edit the same field concurrently with their clocks a few minutes apart. After every
round the desks heal (sync with no faults) and the loop checks: `verify` passes on every desk, all desks
hold identical cases, diary numbers are unique and final, and every case whose command succeeded is there.

Seeded (FAULT_SEED, default 15) and bounded (FAULT_SECONDS, default 120 s of rounds); it prints its counts.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from counts import count
from sync_fixtures import PG_HOST, PG_PORT, assert_converged, request

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

SEED = int(os.environ.get("FAULT_SEED", "15"))
SECONDS = float(os.environ.get("FAULT_SECONDS", "120"))
COMMAND_BOUND = 90  # seconds: a command still running after this is a hang, and the loop fails
OPERATIONS = (
    "register",
    "register",
    "attach",
    "import",
    "letter",
    "backup",
    "restore",
    "sync",
    "sync",
    "sync",
)
FAULTS = ("kill", "cut", "stall", "delay", "terminate", "none")

sys.path.insert(0, str(Path(__file__).parent.parent / "evidence"))
from evidence_samples import build_email, email_bytes, reportlab_pdf  # noqa: E402


class Loop:
    def __init__(self, server, proxy, desks, folder: Path, rng: random.Random) -> None:
        self.server = server
        self.proxy = proxy
        self.desks = desks
        self.folder = folder
        self.rng = rng
        self.registered: set[str] = set()  # requester names whose `cases register` succeeded
        self.backups: list[Path] = []
        self.serial = 0
        self.env = {
            **os.environ,
            "KIRJAAMO_PASSWORD": "demo",
            "KIRJAAMO_USER": "admin",
            "KIRJAAMO_LANG": "en",
            "KIRJAAMO_READ_TIMEOUT": "3",
            "QT_QPA_PLATFORM": "offscreen",
        }
        self.env.pop("KIRJAAMO_DEBUG", None)
        self.eml = folder / "request.eml"
        self.eml.write_bytes(
            email_bytes(build_email(attachments=[("lomake.pdf", reportlab_pdf(2), "application/pdf")]))
        )

    # -- one command under one fault -------------------------------------------------------------
    def command(self, desk, operation: str) -> list[str] | None:
        data_dir = str(desk.workspace.data_dir)
        self.serial += 1
        base = [sys.executable, "-m", "desktop.cli", "--data-dir", data_dir]
        if operation == "register":
            name = f"Vikatesti Henkilö {self.serial}"
            path = self.folder / f"request-{self.serial}.json"
            path.write_text(json.dumps(request(name, received="2026-11-06")), encoding="utf-8")
            self.pending_name = name
            return [*base, "cases", "register", "--json", str(path)]
        cases = desk.case_ids()
        diary = desk.cases.get(cases[-1]).diary_number if cases else None
        if operation == "attach" and diary:
            path = self.folder / f"scan-{self.serial}.bin"
            path.write_bytes(self.rng.randbytes(self.rng.randint(1, 6) << 20))
            return [*base, "attach", diary, str(path)]
        if operation == "import":
            return [*base, "import-email", str(self.eml)]
        if operation == "letter" and diary:
            return [
                *base,
                "letter",
                diary,
                "--kind",
                "acknowledgement",
                "--out",
                str(self.folder / f"l{self.serial}.pdf"),
            ]
        if operation == "backup":
            path = self.folder / f"backup-{self.serial}.tar"
            self.pending_backup = path
            return [*base, "backup", str(path)]
        if operation == "restore" and self.backups:
            target = self.folder / f"restored-{self.serial}"
            self.pending_restore = target
            return [
                sys.executable,
                "-m",
                "desktop.cli",
                "--data-dir",
                str(target),
                "restore",
                str(self.backups[-1]),
            ]
        if operation == "sync":
            return [*base, "sync"]
        return None

    def run(self, desk, operation: str, fault: str) -> None:
        argv = self.command(desk, operation)
        if argv is None:
            return
        if fault == "delay":
            self.proxy.delay = self.rng.choice([0.005, 0.02])
        child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env)
        injector = None
        if fault in ("kill", "cut", "stall", "terminate"):
            # A kill anywhere in the command; a network fault once the command is likely talking to the server.
            after = self.rng.uniform(0.3, 2.5) if fault == "kill" else self.rng.uniform(0.9, 1.8)
            injector = threading.Thread(target=self._inject, args=(child, fault, after))
            injector.start()
        try:
            out, err = child.communicate(timeout=COMMAND_BOUND)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            pytest.fail(f"{operation} under {fault} still ran after {COMMAND_BOUND} s: it hangs")
        if injector is not None:
            injector.join()
        self.proxy.delay = 0.0
        self.proxy.resume()
        if fault in ("stall", "cut"):
            self.proxy.cut()  # what a stalled connection left open goes now
        text = err.decode("utf-8", "replace")
        assert "Traceback" not in text, text
        if child.returncode == -signal.SIGKILL:
            count("fault loop", "kills")
            return
        if child.returncode not in (0, 1):
            pytest.fail(f"{operation} ended with {child.returncode}: {text}")
        if child.returncode == 1:
            assert text.count("\n") <= 2 and text.startswith("kirjaamo: "), text  # one line (+ a note)
            return
        count("fault loop", f"{operation} ok")
        if operation == "register":
            self.registered.add(self.pending_name)
        elif operation == "backup":
            self.backups.append(self.pending_backup)
        elif operation == "restore":
            result = subprocess.run(
                [sys.executable, "-m", "desktop.cli", "--data-dir", str(self.pending_restore), "verify"],
                capture_output=True,
                env=self.env,
                timeout=COMMAND_BOUND,
            )
            assert result.returncode == 0, result.stderr.decode()

    def _inject(self, child: subprocess.Popen, fault: str, after: float) -> None:
        deadline = time.monotonic() + after
        while time.monotonic() < deadline:
            if child.poll() is not None:
                return
            time.sleep(0.02)
        if child.poll() is not None:
            return
        if fault == "kill":
            child.send_signal(signal.SIGKILL)
            return
        count("fault loop", "faults")
        count("fault loop", f"fault {fault}")
        if fault == "cut":
            self.proxy.cut()
        elif fault == "stall":
            self.proxy.stall()
        elif fault == "terminate":
            with psycopg.connect(f"host={PG_HOST} port={PG_PORT} user=postgres dbname=postgres") as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND application_name = 'kirjaamo'",
                    (self.server.database,),
                )

    # -- concurrent edits with clock offsets -----------------------------------------------------
    def concurrent_edits(self) -> None:
        shared = self.desks[0].case_ids()
        if not shared:
            return
        case_id = self.rng.choice(shared)
        if any(case_id not in desk.case_ids() for desk in self.desks):
            return
        now = datetime.now(UTC)
        values = []
        for index, desk in enumerate(self.desks):
            desk.clock.set(now + timedelta(seconds=self.rng.randint(-240, 240)))  # within the bound
            value = f"040 {self.serial:03d} {index}{self.rng.randint(100, 999)}"
            desk.cases.correct(case_id, {"requester.phone": value}, "Puhelinnumero tarkistettu.")
            values.append(value)
        self.heal()
        for desk in self.desks:
            conflicts = {c.field: set(c.values) for c in desk.cases.get(case_id).conflicts}
            assert set(values) <= conflicts.get("requester.phone", set()), (values, conflicts)
        self.desks[0].cases.resolve_conflict(case_id, "requester.phone", values[0])
        count("fault loop", "concurrent edits")

    # -- healing and checking --------------------------------------------------------------------
    def heal(self) -> None:
        self.proxy.resume()
        now = datetime.now(UTC)
        for desk in self.desks:
            desk.clock.set(now)
        for _ in range(2):
            for desk in self.desks:
                desk.sync()

    def check(self) -> None:
        self.heal()
        shown = assert_converged(self.desks, self.server)  # identical cases, verify passes, nothing pending
        numbers = [case["diary_number"] for case in shown.values()]
        assert len(numbers) == len(set(numbers)), "a diary number twice"
        assert not any("/P" in number for number in numbers), numbers
        names = {case["requester"]["name"] for case in shown.values()}
        assert self.registered <= names, self.registered - names
        count("fault loop", "cases checked", len(shown) * len(self.desks))


def test_fault_loop(server, proxy, make_desk, tmp_path):
    rng = random.Random(SEED)
    url = proxy.url("through-the-proxy", server.database)
    desks = [make_desk(name, server, url=url) for name in ("a", "b", "c")]
    loop = Loop(server, proxy, desks, tmp_path, rng)
    desks[0].register("Yhteinen Tapaus")
    loop.check()
    started = time.monotonic()
    while time.monotonic() - started < SECONDS:
        count("fault loop", "rounds")
        desk = rng.choice(desks)
        operation = rng.choice(OPERATIONS)
        fault = rng.choice(FAULTS if operation == "sync" else ("kill", "kill", "none"))
        loop.run(desk, operation, fault)
        if rng.random() < 0.3:
            loop.concurrent_edits()
        loop.check()
    assert loop.registered, "no register succeeded: the loop checked nothing"
