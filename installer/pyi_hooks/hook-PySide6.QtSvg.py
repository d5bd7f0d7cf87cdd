# The stock PySide6 hook, with the plugins and translations the desk does not need left out *before*
# PyInstaller collects the libraries they link (see installer/qt_selection.py).
import os
import sys

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from qt_selection import prune  # noqa: E402

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries, datas = prune(binaries), prune(datas)
