"""Screenshots of the main views for the README and for looking at what we built (offscreen Qt).

QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py [--lang fi] [--dark] [--out docs/screenshots]

At 1366×768 (the office's laptops). `--dark` takes Today and the case list in a dark palette
(files *_dark_<lang>.png).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from PySide6.QtWidgets import QApplication

TODAY = date(2026, 11, 23)


def _settle(app: QApplication, window, seconds: float = 0.6) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end or window.runner.pending:
        app.processEvents()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", default="fi")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--cases", type=int, default=600)
    parser.add_argument("--dark", action="store_true")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])

    from desktop.i18n import set_language
    from desktop.services import demo
    from desktop.services.cases import CaseService
    from desktop.services.clock import HELSINKI, FixedClock
    from desktop.services.workspace import Workspace
    from desktop.ui.main_window import MainWindow

    data_dir = Path(tempfile.mkdtemp(prefix="kirjaamo-shots-")) / "data"
    workspace = Workspace.create(data_dir, demo.office_settings(), "admin", demo.DEMO_PASSWORD, demo=True)
    demo.generate(workspace, args.cases, seed=5, today=TODAY)
    user = workspace.sign_in("clerk", demo.DEMO_PASSWORD)
    clock = FixedClock(datetime(2026, 11, 23, 10, 30, tzinfo=HELSINKI).astimezone(UTC))
    set_language(args.lang)
    suffix = args.lang
    if args.dark:
        from desktop.ui import theme

        app.setStyle("Fusion")
        app.setPalette(theme.dark_palette())
        suffix = f"dark_{args.lang}"
    window = MainWindow(CaseService(workspace, user, clock))
    window.resize(1366, 768)
    window.show()
    _settle(app, window, 1.0)
    args.out.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(args.out / f"today_{suffix}.png"))
    window.show_page("cases")
    _settle(app, window, 1.0)
    window.grab().save(str(args.out / f"cases_{suffix}.png"))
    if args.dark:
        window.runner.shutdown()
        workspace.close()
        print(f"screenshots in {args.out}")
        return
    window.show_page("new")
    form = window.intake_form
    form.name_edit.setText("Maija Meikäläinen")
    form.hetu_edit.setText("131052-308T")
    form.street_edit.setText("Mannerheimintie 1 A 2")
    form.postcode_edit.setText("00100")
    form.city_edit.setText("Helsinki")
    form.right_combo.setCurrentIndex(form.right_combo.findData("erasure"))
    form.registers_list.item(1).setCheckState(form.registers_list.item(1).checkState().Checked)
    form.details_edit.setPlainText("Pyydän poistamaan puhelutallenteeni.")
    _settle(app, window, 0.8)
    window.grab().save(str(args.out / f"intake_{args.lang}.png"))
    service = window.service
    rows = service.rows(service.query(statuses=frozenset({"in_progress", "registered"})), 20)
    window.open_case(rows[-1].id)
    _settle(app, window, 0.8)
    window.grab().save(str(args.out / f"case_{args.lang}.png"))
    window.runner.shutdown()
    workspace.close()
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
