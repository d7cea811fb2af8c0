"""Which files of ``inbox/`` are submissions, and where a judged file goes: ``processed/``.

Owner files of an open workbook (``~$x.xlsx``), temporary downloads, system and hidden files
are left alone; ``collect`` walks the folders the officer names. Once a file has its
verdict, :func:`move_out_of_inbox` moves it to ``processed/<date>/`` under its own name.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from consolidate.core.config import Config

# "~$x.xlsx": the owner file Excel keeps beside an open workbook (never a report). Other
# names starting with "~" are read like any file: a unit may well name its report so.
IGNORED_PREFIXES = ("~$", ".")
IGNORED_SUFFIXES = (".tmp", ".crdownload", ".part", ".partial", ".download", ".lnk", ".ini")
PROCESSED_DIR = "processed"

IGNORED_NAMES = ("thumbs.db", "desktop.ini", ".ds_store")


def is_ignored(path: Path) -> bool:
    """Owner files of an open workbook, temporary downloads, system and hidden files."""
    name = path.name
    if (
        name.startswith(IGNORED_PREFIXES)
        or name.lower().endswith(IGNORED_SUFFIXES)
        or name.lower() in IGNORED_NAMES
    ):
        return True
    try:  # Windows "hidden" attribute (absent elsewhere)
        return bool(getattr(path.stat(), "st_file_attributes", 0) & stat.FILE_ATTRIBUTE_HIDDEN)
    except OSError:
        return False


def collect(paths: Iterable[Path], skipped: list[Path] | None = None) -> list[Path]:
    """Files named directly, plus files inside named folders (not the processed/ copy).

    Files of a folder left out as temporary or system files are appended to ``skipped``
    (so that the officer is told, not left wondering)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if (
                    not child.is_file()
                    or PROCESSED_DIR in rel[:-1]
                    or any(p.startswith(".") for p in rel[:-1])
                ):
                    continue
                if is_ignored(child) or child.name.startswith("."):
                    if skipped is not None:
                        skipped.append(child)
                    continue
                out.append(child)
        elif path.is_file():
            out.append(path)
    return out


def inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


NAME_MAX_BYTES = 255  # a file name's limit on Linux (bytes) and Windows (UTF-16 units)


def _fitted(stem: str, tail: str) -> str:
    """``stem + tail`` cut (on a character boundary) to fit in a file name's limit."""
    room = NAME_MAX_BYTES - len(tail.encode("utf-8"))
    raw = stem.encode("utf-8")
    if len(raw) > room:
        stem = raw[:room].decode("utf-8", errors="ignore").rstrip()
    return stem + tail


def move_out_of_inbox(config: Config, path: Path) -> Path | None:
    """Move a processed file to ``processed/<date>/`` keeping its name (never overwriting).

    A second file of the same name gets " (2)"; a name already at the 255-byte limit is cut
    to make room for it (it never stays in inbox/ to be answered "duplicate" forever)."""
    day = datetime.now(config.calendar.tz).strftime("%Y-%m-%d")
    folder = config.root / PROCESSED_DIR / day
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / path.name
        n = 2
        while target.exists():
            target = folder / _fitted(path.stem, f" ({n}){path.suffix}")
            n += 1
        shutil.move(os.fspath(path), os.fspath(target))
    except OSError:
        return None  # e.g. still open elsewhere on Windows; the hash makes a retry harmless
    return target
