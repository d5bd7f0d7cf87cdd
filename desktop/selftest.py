"""`kirjaamo --self-test`: lets IT check an installed desk in one command, without a display or real data.

Starts Qt offscreen, creates a throw-away data dir, registers a case, renders a reply letter, opens the main
window once and checks that the Qt plugins the app needs can be loaded. Prints one line per check
(`ok` or `FAIL`) and returns 0 only when every check passed. Nothing outside a temporary folder is touched.
"""

from __future__ import annotations

import os
import platform
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from desktop import __version__
from desktop.paths import app_root, is_frozen, resource_dir

# What a working desk needs: the platform plugin it draws with (besides offscreen), its print plugin.
_NATIVE_PLATFORM = {"linux": "xcb", "win32": "windows", "darwin": "cocoa"}.get(sys.platform, "")
_PRINT_PLUGIN = {"linux": "cups", "win32": "windows", "darwin": "cocoa"}.get(sys.platform, "")


class _Context:
    """What the checks hand on to each other (the app, the data dir, the case, the letter)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.app = None
        self.workspace = None
        self.service = None
        self.diary = ""
        self.letter_pdf = b""

    def need(self, name: str):
        value = getattr(self, name)
        if not value:
            raise RuntimeError(f"not run: needs the {name.replace('_', ' ')} of an earlier check")
        return value


# -- Qt ----------------------------------------------------------------------------------------------


def _start_qt(ctx: _Context) -> str:
    # Before the QApplication exists: no display needed (IT may run this over ssh or in a service).
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    qInstallMessageHandler(_qt_message)
    ctx.app = QApplication.instance() or QApplication([sys.argv[0] or "kirjaamo"])
    return f"PySide6 {pyside_version}, platform {ctx.app.platformName()}"


def _qt_message(_kind, _context, message: str) -> None:
    # Offscreen says this for every top-level window: noise in IT's report, not a problem.
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def _plugin_file(kind: str, name: str) -> Path:
    """The plugin library `name` of `kind` (platforms, printsupport, ...) on Qt's plugin search path."""
    from PySide6.QtCore import QCoreApplication, QLibraryInfo

    folders = [*QCoreApplication.libraryPaths(), QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)]
    for folder in folders:
        for candidate in sorted(Path(folder, kind).glob(f"*{name}*")):
            if candidate.suffix in (".so", ".dll", ".dylib"):
                return candidate
    raise RuntimeError(f"no {kind}/{name} plugin in {os.pathsep.join(dict.fromkeys(folders))}")


def _load_plugin(kind: str, name: str) -> str:
    """Load a plugin library as Qt would; the error names the missing system library, if any."""
    from PySide6.QtCore import QPluginLoader

    path = _plugin_file(kind, name)
    loader = QPluginLoader(str(path))
    if not loader.load():
        raise RuntimeError(loader.errorString())
    return path.name


def _check_platform(name: str) -> Callable[[_Context], str]:
    def check(ctx: _Context) -> str:
        ctx.need("app")
        return _load_plugin("platforms", name)

    return check


def _check_image_format(fmt: str) -> Callable[[_Context], str]:
    def check(ctx: _Context) -> str:
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice
        from PySide6.QtGui import QColor, QImage, QImageReader

        ctx.need("app")
        supported = {bytes(f).decode() for f in QImageReader.supportedImageFormats()}
        if fmt not in supported:
            raise RuntimeError(f"not supported (have: {' '.join(sorted(supported))})")
        image = QImage(16, 16, QImage.Format.Format_RGB32)
        image.fill(QColor("#2a5d8f"))
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buffer, fmt.upper()):
            raise RuntimeError("cannot write")
        buffer.close()
        back = QImage()
        if not back.loadFromData(data, fmt.upper()) or back.size() != image.size():
            raise RuntimeError("cannot read back what it wrote")
        return f"{len(data)} bytes written and read"

    return check


def _check_print_support(ctx: _Context) -> str:
    from PySide6.QtGui import QPainter
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    ctx.need("app")
    plugin = _load_plugin("printsupport", _PRINT_PLUGIN) if _PRINT_PLUGIN else "no print plugin here"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setFullPage(True)  # as the letters are printed (design §7)
    target = ctx.folder / "print-test.pdf"
    printer.setOutputFileName(str(target))
    painter = QPainter()
    if not painter.begin(printer):
        raise RuntimeError("cannot paint on a QPrinter")
    painter.drawText(100, 100, "Kirjaamo")
    painter.end()
    if not target.read_bytes().startswith(b"%PDF"):
        raise RuntimeError("QPrinter wrote no PDF")
    return f"{plugin}, {len(QPrinterInfo.availablePrinterNames())} printer(s) found"


def _check_qt_translations(ctx: _Context) -> str:
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    ctx.need("app")
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for language in ("fi", "sv"):
        if not QTranslator().load(QLocale(language), "qtbase", "_", path):
            raise RuntimeError(f"qtbase_{language}.qm not found in {path}")
    return "qtbase fi, sv"


# -- the app's own files -----------------------------------------------------------------------------


def _check_resources(ctx: _Context) -> str:
    fonts = sorted(p.name for p in resource_dir("fonts").glob("DejaVuSans*.ttf"))
    templates = sorted(p.parent.name for p in resource_dir("letters").glob("*/acknowledgement.j2"))
    if not fonts:
        raise RuntimeError(f"no DejaVu fonts in {resource_dir('fonts')}")
    if templates != ["en", "fi", "sv"]:
        raise RuntimeError(f"letter templates for {templates or 'no language'} in {resource_dir('letters')}")
    return f"{len(fonts)} fonts, letter templates fi sv en"


def _check_translations(ctx: _Context) -> str:
    import gettext

    from desktop import i18n

    for language in ("fi", "sv"):
        catalog = i18n._load(language)
        if type(catalog) is gettext.NullTranslations:
            raise RuntimeError(f"no {language} catalog in {i18n.TRANSLATIONS_DIR}")
    return "fi, sv, en"


# -- data, a case, a letter ----------------------------------------------------------------------


def _check_data_dir(ctx: _Context) -> str:
    from desktop.services.cases import CaseService
    from desktop.services.settings import OfficeSettings
    from desktop.services.workspace import Workspace

    password = secrets.token_urlsafe(12)
    settings = OfficeSettings(
        office_prefix="TEST",
        office_name="Kirjaamo self-test",
        office_street="PL 1",
        office_postcode="00100",
        office_city="HELSINKI",
    )
    workspace = Workspace.create(ctx.folder / "data", settings, "selftest", password, "Self Test")
    ctx.workspace = workspace
    user = workspace.sign_in("selftest", password)  # Argon2 both ways
    ctx.service = CaseService(workspace, user)
    encrypted = (
        "encrypted (SQLCipher, AES-GCM files)" if getattr(workspace, "encrypted", False) else "not encrypted"
    )
    return f"schema migrated, {encrypted}, {len(workspace.catalog.ids())} registers"


def _check_deadline(ctx: _Context) -> str:
    from desktop.domain.deadlines import due_date

    workspace = ctx.need("workspace")
    # Design §4: received 5.3.2026 is due 7.4.2026 (Easter Monday 6.4. moves it) - needs the FI holidays.
    due = due_date(date(2026, 3, 5), calendar=workspace.calendar)
    if due != date(2026, 4, 7):
        raise RuntimeError(f"received 2026-03-05 gives {due}, expected 2026-04-07")
    return "2026-03-05 -> 2026-04-07 (Finnish holidays)"


def _check_register_case(ctx: _Context) -> str:
    service = ctx.need("service")
    register = service.workspace.catalog.ids()[0]
    state = service.register(
        {
            "right": "access",
            "channel": "post",
            "received": service.clock.today().isoformat(),
            "registers": [register],
            "signed": True,
            "details": "Itsetesti / självtest / self-test",
            "requester": {
                "name": "Maija Meikäläinen",
                "language": "fi",
                "address": {"street": "Testikatu 1 A 2", "postcode": "00100", "city": "Helsinki"},
            },
        }
    )
    ctx.diary = state.diary_number
    return f"{state.diary_number}, due {state.due_date.isoformat()}"


def _check_letter(ctx: _Context) -> str:
    from desktop.domain.model import Decision, IdentityMethod

    service, diary = ctx.need("service"), ctx.need("diary")
    try:
        from desktop.services.letters import render_letter
    except ModuleNotFoundError as error:
        if error.name != "desktop.services.letters":
            raise
        ctx.letter_pdf = _fallback_pdf()
        return "letters module missing: a ReportLab page with DejaVu instead"
    service.verify_identity(diary, IdentityMethod.SIGNATURE)
    service.record_decision(diary, Decision.NO_DATA)
    sizes = []
    for language in ("fi", "sv", "en"):
        pdf = render_letter(service, diary, "no_data", language)
        if not pdf.startswith(b"%PDF"):
            raise RuntimeError(f"the {language} letter is not a PDF")
        sizes.append(f"{language} {len(pdf) // 1024} KiB")
        if language == "fi":
            ctx.letter_pdf = pdf
    return "no_data reply: " + ", ".join(sizes)


def _fallback_pdf() -> bytes:
    """One A4 page with the bundled font: proves ReportLab and the fonts when the letters are not built."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(TTFont("DejaVuSans", str(resource_dir("fonts", "DejaVuSans.ttf"))))
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setFont("DejaVuSans", 12)
    canvas.drawString(80, 760, "Kirjaamo – itsetesti, självtest: å ä ö š ž")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _check_pdf(ctx: _Context) -> str:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
    from PySide6.QtPdf import QPdfDocument

    ctx.need("app")
    data = QByteArray(ctx.need("letter_pdf"))
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready:
        raise RuntimeError(f"QtPdf cannot read the letter: {document.error()}")
    image = document.render(0, QSize(248, 351))
    if image.isNull():
        raise RuntimeError("QtPdf rendered nothing")
    dark = sum(1 for y in range(0, 351, 3) for x in range(0, 248, 3) if image.pixelColor(x, y).value() < 128)
    if dark == 0:
        raise RuntimeError("the rendered page is blank")
    pages = document.pageCount()
    document.close()
    return f"page 1 of {pages} rendered"


def _check_main_window(ctx: _Context) -> str:
    from PySide6.QtWidgets import QApplication

    from desktop.ui.main_window import MainWindow

    app, service = ctx.need("app"), ctx.need("service")
    window = MainWindow(service)
    errors: list[str] = []
    window.runner.error.connect(errors.append)
    try:
        window.show()
        deadline = time.monotonic() + 20
        QApplication.processEvents()
        while window.runner.pending and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        app.processEvents()
        if window.runner.pending:
            raise RuntimeError("the first load did not finish in 20 s")
        if errors:
            raise RuntimeError(errors[0])
        if window.grab().isNull():
            raise RuntimeError("the window drew nothing")
        title = window.windowTitle()
    finally:
        window.close()
        window.runner.shutdown()
        window.deleteLater()
        app.processEvents()
    return f"opened and closed ({title})"


def _check_pillow(ctx: _Context) -> str:
    """Pillow reads multi-page TIFF scans for the preview (Qt's TIFF plugin shows only the first page)."""
    import io

    from PIL import Image, features

    first, second = Image.new("L", (32, 32), 0), Image.new("L", (32, 32), 255)
    out = io.BytesIO()
    first.save(out, "TIFF", save_all=True, append_images=[second])
    with Image.open(io.BytesIO(out.getvalue())) as image:
        pages = getattr(image, "n_frames", 1)
    if pages != 2:
        raise RuntimeError(f"a two-page TIFF read back as {pages} page(s)")
    codecs = [name for name in ("jpg", "libtiff", "zlib") if features.check(name)]
    return f"two-page TIFF read; codecs {' '.join(codecs)}"


def _check_locales(ctx: _Context) -> str:
    from babel.dates import format_date
    from babel.numbers import format_decimal

    from desktop.i18n import BABEL_LOCALES

    shown = []
    for locale in BABEL_LOCALES.values():
        format_date(date(2026, 12, 24), format="long", locale=locale)
        shown.append(f"{locale} {format_decimal(1234.5, locale=locale)}")
    return ", ".join(shown)


def _check_smime(ctx: _Context) -> str:
    """Secure e-mail is decrypted and its signature checked with `cryptography` (OpenSSL inside)."""
    from cryptography.hazmat.backends.openssl import backend
    from cryptography.hazmat.primitives.serialization import pkcs7  # noqa: F401 - what email_import uses

    return backend.openssl_version_text()


def _check_postgres_driver(ctx: _Context) -> str:
    import psycopg

    implementation = psycopg.pq.__impl__
    if implementation not in ("binary", "c"):
        raise RuntimeError(f"psycopg uses its {implementation} implementation (needs the libpq binary)")
    return f"psycopg {psycopg.__version__} ({implementation}, libpq {psycopg.pq.version()})"


def _checks() -> list[tuple[str, Callable[[_Context], str]]]:
    checks: list[tuple[str, Callable[[_Context], str]]] = [
        ("qt", _start_qt),
        ("platform plugin offscreen", _check_platform("offscreen")),
    ]
    if _NATIVE_PLATFORM:
        checks.append((f"platform plugin {_NATIVE_PLATFORM}", _check_platform(_NATIVE_PLATFORM)))
    checks += [(f"image format {fmt}", _check_image_format(fmt)) for fmt in ("png", "jpeg", "tiff")]
    checks += [
        ("print support", _check_print_support),
        ("qt translations", _check_qt_translations),
        ("resources", _check_resources),
        ("translations", _check_translations),
        ("data dir", _check_data_dir),
        ("deadline", _check_deadline),
        ("register a case", _check_register_case),
        ("reply letter", _check_letter),
        ("pdf viewer (QtPdf)", _check_pdf),
        ("main window", _check_main_window),
        ("babel locales", _check_locales),
        ("pillow", _check_pillow),
        ("s/mime (cryptography)", _check_smime),
        ("postgresql driver", _check_postgres_driver),
    ]
    return checks


def run_self_test() -> int:
    """Run every check, print one line each, and return 0 only if all passed (1 otherwise)."""
    for stream in (sys.stdout, sys.stderr):  # a Windows console code page must not end the report
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    where = f"bundle {app_root()}" if is_frozen() else f"source {app_root()}"
    print(
        f"kirjaamo {__version__} self-test: {where}; Python {platform.python_version()}, {platform.platform()}"
    )
    failed = 0
    checks = _checks()
    with tempfile.TemporaryDirectory(prefix="kirjaamo-selftest-") as folder:
        ctx = _Context(Path(folder))
        try:
            for name, check in checks:
                try:
                    detail = check(ctx)
                except Exception as error:  # one broken part must not hide the others
                    failed += 1
                    reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
                    print(f"FAIL  {name}: {type(error).__name__}: {reason}", flush=True)
                else:
                    print(f"ok    {name}: {detail}", flush=True)
        finally:
            if ctx.workspace is not None:
                ctx.workspace.close()  # before the folder goes (Windows keeps open files)
    if failed:
        print(f"self-test FAILED: {failed} of {len(checks)} checks failed")
        return 1
    print(f"self-test passed: {len(checks)} checks")
    return 0
