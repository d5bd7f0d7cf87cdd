"""`kirjaamo bench`: the figures a desk tool lives by, measured on a fresh data dir of N synthetic cases.

Each figure is the median of several runs. Cold starts run in separate processes (offscreen Qt); the
rest runs in this process against the real services, models and widgets. Budgets are those of the
speed issue (docs/performance.md).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

SEARCH_WORD = "virtanen"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: float | None
    unit: str
    budget: float | None = None  # the same unit; None = reported only
    note: str = ""

    @property
    def within_budget(self) -> bool | None:
        if self.value is None or self.budget is None:
            return None
        return self.value <= self.budget


def _median(runs: list[float]) -> float:
    return round(statistics.median(runs), 2)


def _timed(op: Callable[[], object], repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        op()
        runs.append((time.perf_counter() - start) * 1000)
    return _median(runs)


# -- child processes: cold start -----------------------------------------------------------------


def _child(mode: str, data_dir: str) -> None:
    """Runs in a fresh interpreter: start, show, wait until usable, print the elapsed ms and peak RSS."""
    start = time.perf_counter()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([])
    if mode == "empty":
        window = QMainWindow()
        window.resize(1200, 800)
        window.show()
        app.processEvents()
    else:
        from desktop.services.cases import CaseService
        from desktop.ui.main_window import MainWindow

        workspace, user = _open_as(Path(data_dir), "clerk")  # sign-in included: it unlocks the data
        window = MainWindow(CaseService(workspace, user))
        window.resize(1200, 800)
        window.show()
        window.show_page("cases")
        model = window.case_model
        # Usable: the list shows its first page of real rows.
        while not (model.first_page_ready and model.rowCount() and model.is_fully_loaded(0, 30)):
            app.processEvents()
            time.sleep(0.001)
    elapsed = (time.perf_counter() - start) * 1000
    import resource

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"ms": elapsed, "rss_mb": rss_mb}))
    if mode != "empty":
        window.runner.shutdown()
    os._exit(0)  # the measurement is taken; skip teardown


def _cold_start(mode: str, data_dir: Path, repeat: int) -> tuple[float, float]:
    runs, rss = [], []
    for _ in range(repeat):
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", f"from desktop.bench import _child; _child({mode!r}, {str(data_dir)!r})"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        wall = (time.perf_counter() - start) * 1000
        result = json.loads(out.stdout.strip().splitlines()[-1])
        runs.append(wall)  # process start included: what the clerk waits for
        rss.append(result["rss_mb"])
    return _median(runs), _median(rss)


# -- in-process measurements ---------------------------------------------------------------------


def _open_as(data_dir: Path, username: str):
    """(workspace, user) signed in as a demo user: an encrypted data dir opens only this way."""
    from desktop.services import demo
    from desktop.services.workspace import Workspace

    return Workspace.unlock(data_dir, username, demo.DEMO_PASSWORD, remember=False)


def _raw_connect(workspace):
    """A plain DB-API connection on the workspace's database (keyed when it is encrypted)."""
    from desktop.store import crypto
    from desktop.store.database import DATABASE_FILE, connect_raw

    key = crypto.sqlcipher_key(workspace.data_key) if workspace.data_key else None
    return connect_raw(workspace.data_dir / DATABASE_FILE, key)


def _prepare(data_dir: Path, cases: int, seed: int, encrypted: bool = True) -> None:
    from desktop.services import demo
    from desktop.services.workspace import Workspace

    workspace = Workspace.create(
        data_dir, demo.office_settings(), "admin", demo.DEMO_PASSWORD, encrypted=encrypted, demo=True
    )
    demo.generate(workspace, cases, seed=seed)
    workspace.close()


def _wait(app, condition: Callable[[], bool], timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("benchmark step did not finish")
        app.processEvents()
        time.sleep(0.0005)


def _gui_figures(data_dir: Path, repeat: int) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from dataclasses import replace

    from PySide6.QtWidgets import QApplication

    from desktop.services.cases import CaseService
    from desktop.store.queries import SortKey
    from desktop.ui.case_list_model import CaseListModel
    from desktop.ui.case_view import CaseView
    from desktop.ui.runner import DbRunner

    app = QApplication.instance() or QApplication([])
    workspace, user = _open_as(data_dir, "clerk")
    service = CaseService(workspace, user)
    runner = DbRunner()
    model = CaseListModel(service, runner)
    from PySide6.QtWidgets import QTableView

    table = QTableView()
    table.setModel(model)
    table.resize(1200, 700)
    table.show()
    figures: dict[str, list[float]] = {
        k: [] for k in ("first_page", "scroll_end", "sort_due", "filter", "case_view")
    }
    base = service.query()
    for _ in range(repeat):
        start = time.perf_counter()
        model.set_query(base)
        table.scrollToTop()
        _wait(app, lambda: model.first_page_ready and model.is_fully_loaded(0, min(30, model.rowCount() - 1)))
        figures["first_page"].append((time.perf_counter() - start) * 1000)
        _wait(app, lambda: runner.pending == 0)  # the whole ordered list behind it (not timed here)
        app.processEvents()

        start = time.perf_counter()
        table.scrollToBottom()
        last = model.rowCount() - 1
        _wait(app, lambda last=last: runner.pending == 0 and model.is_fully_loaded(last - 30, last))
        figures["scroll_end"].append((time.perf_counter() - start) * 1000)

        start = time.perf_counter()
        model.set_query(replace(base, sort=SortKey.DUE))
        table.scrollToTop()  # as the list view does on every new query
        _wait(app, lambda: model.first_page_ready and model.is_fully_loaded(0, min(30, model.rowCount() - 1)))
        figures["sort_due"].append((time.perf_counter() - start) * 1000)
        _wait(app, lambda: runner.pending == 0)

        start = time.perf_counter()
        model.set_query(replace(base, statuses=frozenset({"in_progress"}), sort=SortKey.DUE))
        table.scrollToTop()
        _wait(app, lambda: model.first_page_ready and model.is_fully_loaded(0, min(30, model.rowCount() - 1)))
        figures["filter"].append((time.perf_counter() - start) * 1000)
        _wait(app, lambda: runner.pending == 0)

    view = CaseView(service, runner)
    view.resize(1200, 800)
    view.show()
    sample = service.page(base, None, repeat)
    for row in sample:
        start = time.perf_counter()
        view.load(row.id)
        _wait(app, lambda row=row: view.state is not None and view.state.id == row.id and runner.pending == 0)
        app.processEvents()
        figures["case_view"].append((time.perf_counter() - start) * 1000)
    runner.shutdown()
    workspace.close()
    return {key: _median(values) for key, values in figures.items()}


def _service_figures(data_dir: Path, repeat: int) -> dict[str, float]:

    from desktop.services.cases import CaseService
    from desktop.store.queries import fts_match_expression

    workspace, user = _open_as(data_dir, "clerk")
    service = CaseService(workspace, user)
    service.ids(service.query(text=SEARCH_WORD))  # warm the page cache like a desk that has been open
    search_app = _timed(lambda: service.ids(service.query(text=SEARCH_WORD)), repeat)
    raw = _raw_connect(workspace)
    expression = fts_match_expression(SEARCH_WORD)
    search_raw = _timed(
        lambda: raw.execute("SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?", (expression,)).fetchall(),
        repeat,
    )
    raw.close()
    today = service.clock.today()
    request = {
        "right": "access",
        "channel": "post",
        "received": today.isoformat(),
        "registers": [workspace.catalog.ids()[0]],
        "signed": True,
        "details": "Benchmark",
        "requester": {"name": "Bengt Bänkmark", "hetu": "131052-308T", "language": "sv"},
    }
    save = _timed(lambda: service.register(request), max(repeat, 10))
    figures = {"search_app": search_app, "search_raw": search_raw, "save": save}
    try:
        from desktop.domain.model import LetterKind
        from desktop.services import letters
    except ImportError:
        workspace.close()
        return figures
    rows = service.rows(service.query(statuses=frozenset({"decided", "printed", "sent", "closed"})), 500)
    states = [(row.id, letters.suggested_kind(service.get(row.id))) for row in rows]
    states = [(case_id, kind) for case_id, kind in states if kind is not LetterKind.ACKNOWLEDGEMENT] or states
    if states:
        first_id, first_kind = states[0]
        figures["letter"] = _timed(lambda: letters.render_letter(service, first_id, first_kind), repeat)
        start = time.perf_counter()
        for index in range(500):
            case_id, kind = states[index % len(states)]
            letters.render_letter(service, case_id, kind)
        figures["letters_500"] = round(time.perf_counter() - start, 2)
    workspace.close()
    return figures


def _core_figures(data_dir: Path, repeat: int) -> dict[str, float]:
    """List (every id, then the first page of rows), search and save through the service: the operations
    whose cost encryption at rest (SQLCipher pages, the access log) changes."""
    from desktop.services.cases import CaseService

    workspace, user = _open_as(data_dir, "clerk")
    service = CaseService(workspace, user)
    query = service.query()

    def listing() -> None:
        nums = service.ids(query)
        service.rows_by_num(nums[:100])

    listing()  # a warm cache, like a desk that has been open
    figures = {
        "list": _timed(listing, repeat),
        "search": _timed(lambda: service.ids(service.query(text=SEARCH_WORD)), repeat),
    }
    request = {
        "right": "access",
        "channel": "post",
        "received": service.clock.today().isoformat(),
        "requester": {"name": "Bengt Bänkmark", "hetu": "131052-308T", "language": "sv"},
    }
    figures["save"] = _timed(lambda: service.register(request), max(repeat, 10))
    workspace.close()
    return figures


def _sync_figures(data_dir: Path, url: str) -> dict[str, float]:
    """Initial sync of every case to a new desk, then push+pull of one change between two desks."""
    import shutil

    from desktop.services import accounts, demo
    from desktop.services.cases import CaseService
    from desktop.services.desks import DeskService, join
    from desktop.services.sync_service import SyncService
    from desktop.sync.server_schema import init_server

    init_server(url)  # `url`: the privileged (or a superuser's) address
    source = Path(tempfile.mkdtemp(prefix="kirjaamo-bench-a-")) / "data"
    shutil.copytree(data_dir, source)
    desk_a, admin = _open_as(source, "admin")
    DeskService(desk_a, admin).found(url, "bench a")  # the first desk founds the server
    start = time.perf_counter()
    SyncService(desk_a).sync_once()  # the whole log sealed and pushed
    initial_push = time.perf_counter() - start
    code = DeskService(desk_a, admin).enrol(url, "bench b").code
    target = Path(tempfile.mkdtemp(prefix="kirjaamo-bench-b-")) / "data"
    start = time.perf_counter()
    desk_b = join(target, url, code, "admin", demo.DEMO_PASSWORD)  # a new desk pulls and opens it all
    initial = time.perf_counter() - start
    with desk_a.engine.connect() as connection:
        user = accounts.find_user(connection, "clerk")
    cases_a = CaseService(desk_a, user)
    case = cases_a.rows(cases_a.query(statuses=frozenset({"registered", "in_progress"})), 1)[0]
    runs = []
    for index in range(5):
        cases_a.add_note(case.id, f"Benchmark note {index}")
        start = time.perf_counter()
        SyncService(desk_a).sync_once()
        SyncService(desk_b).sync_once()
        runs.append((time.perf_counter() - start) * 1000)
    desk_a.close()
    desk_b.close()
    return {
        "sync_initial_push": round(initial_push, 2),
        "sync_initial": round(initial, 2),
        "sync_round": _median(runs),
    }


def run(
    cases: int = 100_000,
    seed: int = 1,
    repeat: int = 5,
    server: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Figure]:
    say = progress or (lambda _text: None)
    data_dir = Path(tempfile.mkdtemp(prefix="kirjaamo-bench-")) / "data"
    say(f"creating {cases} cases in {data_dir}")
    start = time.perf_counter()
    _prepare(data_dir, cases, seed)
    prepare_s = time.perf_counter() - start
    say("cold starts")
    app_ms, app_rss = _cold_start("app", data_dir, 3)
    empty_ms, _ = _cold_start("empty", data_dir, 3)
    say("list, sort, filter, case view")
    gui = _gui_figures(data_dir, repeat)
    say("search, save, letters")
    service = _service_figures(data_dir, repeat)
    say("the cost of encryption at rest")
    encrypted = _core_figures(data_dir, repeat)
    plain_dir = data_dir.with_name("plain")
    _prepare(plain_dir, cases, seed, encrypted=False)
    plain = _core_figures(plain_dir, repeat)
    figures = [
        Figure("demo_data", f"create {cases} demo cases", round(prepare_s, 1), "s"),
        Figure("cold_start", "cold start to a usable window", app_ms, "ms"),
        Figure("cold_start_empty", "cold start of an empty QMainWindow", empty_ms, "ms"),
        Figure("cold_start_ratio", "cold start ratio (app / empty)", round(app_ms / empty_ms, 2), "×", 1.5),
        Figure("first_page", "case list: first page", gui["first_page"], "ms", 100),
        Figure("scroll_end", "case list: scroll to the last row", gui["scroll_end"], "ms", 300),
        Figure("sort_due", "case list: sort by due date", gui["sort_due"], "ms", 300),
        Figure("filter", "case list: filter (status)", gui["filter"], "ms", 300),
        Figure("search_app", f"search “{SEARCH_WORD}” through the service", service["search_app"], "ms", 150),
        Figure("search_raw", "the same FTS5 query in raw SQLite", service["search_raw"], "ms"),
        Figure(
            "search_ratio",
            "search ratio (service / raw)",
            round(service["search_app"] / max(service["search_raw"], 0.01), 2),
            "×",
            2,
        ),
        Figure("save", "register a request (durable)", service["save"], "ms", 30),
        Figure("case_view", "open a case view", gui["case_view"], "ms", 100),
        Figure(
            "letter",
            "render one reply letter",
            service.get("letter"),
            "ms",
            100,
            "" if "letter" in service else "letters not available",
        ),
        Figure(
            "letters_500",
            "render 500 letters",
            service.get("letters_500"),
            "s",
            30,
            "" if "letters_500" in service else "letters not available",
        ),
        Figure("rss", "peak memory (RSS) with the list open", round(app_rss, 1), "MB", 400),
    ]
    for key, label in (
        ("list", "list: all ids + first page"),
        ("search", f"search “{SEARCH_WORD}”"),
        ("save", "save"),
    ):
        figures += [
            Figure(f"{key}_encrypted", f"{label}, encrypted", encrypted[key], "ms"),
            Figure(f"{key}_plain", f"{label}, not encrypted", plain[key], "ms"),
            Figure(
                f"{key}_encryption_cost",
                f"{label}: encrypted / not",
                round(encrypted[key] / max(plain[key], 0.01), 2),
                "×",
            ),
        ]
    if server:
        say("sync")
        sync = _sync_figures(data_dir, server)
        figures += [
            Figure(
                "sync_initial_push",
                f"first push of {cases} cases, sealed (end-to-end encrypted)",
                sync["sync_initial_push"],
                "s",
            ),
            Figure(
                "sync_initial",
                f"initial sync of {cases} cases to a new desk",
                sync["sync_initial"],
                "s",
                60 if cases <= 100_000 else None,
            ),
            Figure("sync_round", "push + pull of one change", sync["sync_round"], "ms", 300),
        ]
    else:
        figures += [
            Figure("sync_initial", "initial sync to a new desk", None, "s", 60, "give --server URL"),
            Figure("sync_round", "push + pull of one change", None, "ms", 300, "give --server URL"),
        ]
    return figures


def machine_description() -> str:
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def as_json(figures: list[Figure], cases: int) -> dict:
    return {
        "cases": cases,
        "machine": machine_description(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "figures": {
            f.key: {
                "label": f.label,
                "value": f.value,
                "unit": f.unit,
                "budget": f.budget,
                "within_budget": f.within_budget,
                "note": f.note,
            }
            for f in figures
        },
    }


def as_table(figures: list[Figure]) -> str:
    lines = [f"{'figure':48} {'median':>10} {'unit':4} {'budget':>8}  ok"]
    for f in figures:
        value = "–" if f.value is None else f"{f.value:g}"
        budget = "" if f.budget is None else f"≤ {f.budget:g}"
        ok = {True: "yes", False: "NO", None: ""}[f.within_budget]
        lines.append(f"{f.label[:48]:48} {value:>10} {f.unit:4} {budget:>8}  {ok} {f.note}".rstrip())
    return "\n".join(lines)


__all__ = ["Figure", "as_json", "as_table", "date", "run"]
