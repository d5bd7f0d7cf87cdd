"""Which Qt plugins and translations the desk build keeps (used by kirjaamo.spec and the hooks in pyi_hooks/).

PyInstaller's Qt hooks collect every plugin of a Qt module (QtGui alone brings GTK themes, EGLFS, Wayland,
the QML virtual keyboard, ...) and then every library those plugins link. Filtering inside the hooks, before
PyInstaller looks for the libraries they link, keeps those libraries out too.
"""

from __future__ import annotations

import os
import re

# Plugin folders a desk uses, and within them the plugins kept (None: the whole folder).
PLUGINS_KEPT: dict[str, set[str] | None] = {
    "platforms": {"offscreen", "qxcb", "qwindows", "qminimal."},  # xcb: Linux desks; windows: Windows desks
    "imageformats": {"jpeg", "tiff", "gif", "ico", "svg", "webp"},  # PNG is built into QtGui
    "iconengines": None,  # SVG icons
    "printsupport": None,  # cups (Linux), windows
    "platforminputcontexts": {"compose", "ibus"},  # dead keys, input methods; not the (QML) virtual keyboard
    "xcbglintegrations": None,
    "styles": None,  # the Windows 11 style
    "accessiblebridge": None,
}

# Qt translations: Qt's own strings in the desk's languages (install_qt_translations loads "qtbase").
TRANSLATION = re.compile(r"^qt(base)?_(fi|sv|en)\.qm$")


def keep_plugin(destination: str) -> bool:
    """True for a collected file under a `plugins/` folder the desk needs (and anything not a plugin)."""
    parts = destination.replace("\\", "/").split("/")
    if "plugins" not in parts[:-1]:
        return True
    folder = parts[parts.index("plugins") + 1]
    if folder not in PLUGINS_KEPT:
        return False
    wanted = PLUGINS_KEPT[folder]
    return wanted is None or any(word in parts[-1] for word in wanted)


def keep_translation(destination: str) -> bool:
    name = destination.replace("\\", "/").split("/")[-1]
    return not name.endswith(".qm") or bool(TRANSLATION.match(name))


def keep(entry: tuple) -> bool:
    """For TOC entries (destination, source, kind) and hook tuples alike: plugins and .qm files we want."""
    return keep_plugin(entry[0]) and keep_translation(entry[0])


def prune(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A hook's (source file, destination folder) pairs without the unwanted plugins and translations."""
    return [
        (source, folder)
        for source, folder in pairs
        if keep((os.path.join(folder, os.path.basename(source)),))
    ]
