"""Where the shipped files are: the source checkout, or the unpacked PyInstaller bundle.

In a bundle `sys._MEIPASS` is the folder holding the collected data (`resources/`, `translations/`, ...);
from a checkout or an editable install they sit beside the `desktop` package.
"""

from __future__ import annotations

import sys
from pathlib import Path


def app_root() -> Path:
    """The folder that holds `resources/` and `translations/`."""
    bundled = getattr(sys, "_MEIPASS", None)
    if bundled:
        return Path(bundled)
    return Path(__file__).resolve().parent.parent


def resource_dir(*parts: str) -> Path:
    """A folder under `resources/` (registers, letters, fonts, icons)."""
    return app_root().joinpath("resources", *parts)


def is_frozen() -> bool:
    """True inside the installed bundle (PyInstaller), False when run from source."""
    return bool(getattr(sys, "frozen", False))
