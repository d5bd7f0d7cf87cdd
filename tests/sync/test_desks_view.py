"""Administration → Desks: an administrator enrols a desk (a code on screen) and removes one."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import psycopg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop.i18n import set_language
from desktop.services import demo
from desktop.services.desks import join
from desktop.ui.administration_view import AdministrationView
from desktop.ui.runner import DbRunner

pytestmark = pytest.mark.postgres


def test_enrol_a_desk_and_remove_it_from_the_administration_page(
    qtbot, server, make_desk, tmp_path, monkeypatch
):
    set_language("en")
    a = make_desk("a", server)
    a.sync()
    runner = DbRunner()
    view = AdministrationView(a.cases, runner)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    view.tabs.setCurrentWidget(view.desks_view)
    desks = view.desks_view
    assert view.tabs.tabText(view.tabs.currentIndex()) == "&Desks"

    qtbot.mouseClick(desks.enrol_button, Qt.MouseButton.LeftButton)  # no address yet: said, nothing done
    assert desks.message_label.text() == "Give the server's privileged address first."
    qtbot.keyClicks(desks.server_edit, server.privileged_url)
    qtbot.keyClicks(desks.label_edit, "Reception 2")
    qtbot.mouseClick(desks.enrol_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(desks.code_edit.text().split("-")) == 7, timeout=15000)
    qtbot.waitUntil(lambda: desks.table.rowCount() == 2, timeout=15000)
    assert "works once" in desks.message_label.text()
    if os.environ.get("KIRJAAMO_SCREENSHOTS"):
        view.grab().save(os.path.join(os.environ["KIRJAAMO_SCREENSHOTS"], "desks.png"))

    new = join(tmp_path / "new", server.privileged_url, desks.code_edit.text(), "clerk", demo.DEMO_PASSWORD)
    new_role = urlsplit(new.settings.server_url).username
    new.close()
    desks.reload()
    qtbot.waitUntil(
        lambda: (
            [desks.table.item(r, 1).text() for r in range(desks.table.rowCount())] == ["enrolled", "enrolled"]
        ),
        timeout=15000,
    )
    row = next(r for r in range(desks.table.rowCount()) if desks.table.item(r, 0).text() == new_role)
    desks.table.selectRow(row)
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(desks.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desks.message_label.text().startswith(f"Removed desk {new_role}"), timeout=15000)
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        server.connect(new_role)
    runner.shutdown()
