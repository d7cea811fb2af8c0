"""Crash files: the traceback of a bug of ours, kept for the developers, never a secret.

Each crash gets its own file in the system's temporary folder,
``consolidate-loi-<YYYYmmdd-HHMMSS>-<pid>-<random>.txt``: two crashes in the same second (in
one process or in two) never share a name. The text is the command line, the versions and
the traceback, with the value of every environment variable whose name says it holds a
secret (``CONSOLIDATE_MAIL_PASSWORD``, ``..._TOKEN``, ``..._KEY``...) and every secret the
process read elsewhere (:mod:`consolidate.core.secrets`, e.g. the keyring's mailbox
password) replaced by ``***`` wherever it appears.
"""

from __future__ import annotations

import os
import platform
import re
import secrets
import sys
import tempfile
import traceback
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from consolidate import __version__
from consolidate.core.files import write_atomic
from consolidate.core.secrets import known as secrets_read

PREFIX = "consolidate-loi-"

_SECRET_NAME = re.compile(r"PASS|SECRET|TOKEN|KEY|CREDENTIAL|AUTH", re.IGNORECASE)
_MIN_SECRET_LEN = 3  # shorter values would blank out ordinary words


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """Values of the environment variables whose name marks a secret and the secrets the
    process registered (:mod:`consolidate.core.secrets`), longest first."""
    env = os.environ if environ is None else environ
    values = {v for k, v in env.items() if _SECRET_NAME.search(k)} | set(secrets_read())
    return sorted((v for v in values if len(v) >= _MIN_SECRET_LEN), key=len, reverse=True)


def scrub(text: str, environ: Mapping[str, str] | None = None) -> str:
    for value in secret_values(environ):
        text = text.replace(value, "***")
    return text


def crash_path(folder: Path | None = None, now: datetime | None = None) -> Path:
    """A name no other crash has: time to the second, process id and a random part."""
    folder = Path(tempfile.gettempdir()) if folder is None else folder
    moment = now or datetime.now()
    while True:
        name = f"{PREFIX}{moment:%Y%m%d-%H%M%S}-{os.getpid()}-{secrets.token_hex(4)}.txt"
        path = folder / name
        if not path.exists():
            return path


def crash_report(exc: BaseException) -> str:
    lines = [
        f"consolidate {__version__}, Python {platform.python_version()}, {platform.platform()}",
        f"Thời điểm: {datetime.now().isoformat(timespec='seconds')}",
        "Lệnh: " + " ".join(sys.argv),
        "",
        *traceback.format_exception(exc),
    ]
    return scrub("\n".join(line.rstrip("\n") for line in lines) + "\n")


def write_crash_file(exc: BaseException, folder: Path | None = None) -> Path | None:
    """Write the crash file; ``None`` when even that fails (the message still goes out)."""
    try:
        return write_atomic(crash_path(folder), crash_report(exc))
    except OSError:
        return None
