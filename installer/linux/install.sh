#!/bin/sh
# Kirjaamo for Linux desks: installs the unpacked bundle next to this script, adds the menu entry and the
# `kirjaamo` command, and checks the installation with `kirjaamo --self-test`.
#
#   sudo ./install.sh              for every user: /opt/kirjaamo, /usr/local/bin/kirjaamo, the system menu;
#                                  on Debian/Ubuntu also installs Qt's X11 (xcb) runtime libraries
#   ./install.sh                   for yourself only: ~/.local/opt/kirjaamo, ~/.local/bin/kirjaamo, your menu
#   ./install.sh --prefix DIR      the program in DIR/kirjaamo instead
#   ./install.sh --no-deps         do not install Debian packages (only report what is missing)
#   ./install.sh --uninstall       remove the program, the command and the menu entry
#
# The users' data (~/.local/share/Kirjaamo, or KIRJAAMO_DATA_DIR) is never touched, not even by --uninstall.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# Qt's xcb platform plugin and what it loads (design §9), OpenGL for the widgets, CUPS for printing;
# Tesseract with Finnish and Swedish data and poppler's pdftoppm read scanned request forms (optional).
packages="libxcb1 libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
libxcb-render-util0 libxcb-xinerama0 libxcb-shape0 libegl1 libgl1 libfontconfig1 libdbus-1-3 libcups2
tesseract-ocr tesseract-ocr-fin tesseract-ocr-swe poppler-utils"

if [ "$(id -u)" = 0 ]; then
    prefix=/opt bin=/usr/local/bin share=/usr/share
else
    prefix="$HOME/.local/opt" bin="$HOME/.local/bin" share="${XDG_DATA_HOME:-$HOME/.local/share}"
fi
action=install deps=yes
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=$2; shift ;;
        --prefix=*) prefix=${1#--prefix=} ;;
        --no-deps) deps=no ;;
        --uninstall) action=uninstall ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^#//; s/^ //'; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
target="$prefix/kirjaamo"
applications="$share/applications"
icons="$share/icons/hicolor/256x256/apps"

refresh_menus() {  # best effort: menus also notice the files by themselves
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$applications" 2>/dev/null || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t "$share/icons/hicolor" 2>/dev/null || true
    fi
}

if [ "$action" = uninstall ]; then
    # Only what install.sh put there: the program folder, the command link, the menu entry, the icon.
    rm -rf "$target"
    [ -L "$bin/kirjaamo" ] && rm -f "$bin/kirjaamo"
    rm -f "$applications/kirjaamo.desktop" "$icons/kirjaamo.png"
    refresh_menus
    echo "Kirjaamo removed from $target. The users' data folders were left as they are."
    exit 0
fi

if [ ! -x "$here/kirjaamo/kirjaamo" ]; then
    echo "install.sh: $here/kirjaamo/kirjaamo not found; run this script from the unpacked tarball." >&2
    exit 1
fi

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
    for p in $packages; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
    done
fi
if [ -n "$missing" ]; then
    if [ "$deps" = yes ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing:$missing"
        # shellcheck disable=SC2086
        apt-get install -y -q --no-install-recommends $missing >/dev/null
    else
        echo "Missing system packages (install them with: sudo apt-get install$missing)"
    fi
fi

mkdir -p "$prefix" "$bin" "$applications" "$icons"
# Replace, never merge: files of an older version must not linger in the new one.
rm -rf "$target.new"
cp -a "$here/kirjaamo" "$target.new"
rm -rf "$target"
mv "$target.new" "$target"
ln -sf "$target/kirjaamo" "$bin/kirjaamo"
cp "$here/kirjaamo.png" "$icons/kirjaamo.png"
sed "s|^Exec=kirjaamo|Exec=$target/kirjaamo|" "$here/kirjaamo.desktop" > "$applications/kirjaamo.desktop"
chmod 644 "$applications/kirjaamo.desktop" "$icons/kirjaamo.png"
refresh_menus

echo "Installed Kirjaamo in $target; command: $bin/kirjaamo; menu: Office > Kirjaamo."
echo "Checking the installation (kirjaamo --self-test):"
"$target/kirjaamo" --self-test
