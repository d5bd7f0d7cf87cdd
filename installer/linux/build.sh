#!/bin/sh
# `make installer` on Linux: the PyInstaller one-folder build in dist/kirjaamo/ and the desk tarball
# dist/kirjaamo-<version>-linux-<arch>.tar.gz (the build, kirjaamo.desktop, the icon, install.sh, README.txt).
#   installer/linux/build.sh [PYTHON]     PYTHON: the project's venv python (default .venv/bin/python)
set -eu
cd "$(dirname "$0")/../.."
python=${1:-.venv/bin/python}
version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' desktop/__init__.py)
name="kirjaamo-$version-linux-$(uname -m)"
started=$(date +%s)

"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller installer/kirjaamo.spec
built=$(date +%s)

stage="build/tarball/$name"
rm -rf build/tarball
mkdir -p "$stage"
cp -a dist/kirjaamo "$stage/kirjaamo"
cp installer/linux/kirjaamo.desktop installer/linux/install.sh installer/linux/README.txt "$stage/"
cp resources/icons/kirjaamo.png "$stage/kirjaamo.png"
chmod 755 "$stage/install.sh"
tar -C build/tarball --owner=0 --group=0 --numeric-owner -czf "dist/$name.tar.gz" "$name"
rm -rf build/tarball
finished=$(date +%s)

echo "installer: dist/kirjaamo/ $(du -sm dist/kirjaamo | cut -f1) MiB unpacked ($(find dist/kirjaamo -type f | wc -l) files)"
echo "installer: dist/$name.tar.gz $(du -m "dist/$name.tar.gz" | cut -f1) MiB"
echo "installer: PyInstaller $((built - started)) s, tarball $((finished - built)) s"
