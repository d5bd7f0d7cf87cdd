"""Where a file dialog opens: the folder last used for that kind of file, else the scanner's folder."""

from __future__ import annotations

from pathlib import Path

_last: dict[str, str] = {}


def start_folder(service, kind: str = "files") -> str:
    """The folder a file dialog for `kind` starts in ("" lets Qt choose)."""
    last = _last.get(kind, "")
    if last and Path(last).is_dir():
        return last
    scans = str(getattr(service.settings, "scan_inbox_dir", "") or "")
    return scans if scans and Path(scans).is_dir() else ""


def remember(kind: str, chosen: str | Path) -> None:
    """After a file was chosen: the next dialog for `kind` opens in its folder."""
    if chosen:
        _last[kind] = str(Path(chosen).parent)
