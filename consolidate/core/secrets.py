"""Secrets the process has read (a mailbox password from the OS keyring...).

Whatever reads a secret from somewhere other than the environment registers it here with
:func:`remember`, so that a crash file (:mod:`consolidate.cli.crash`) can blank it out as it
does the values of secret-looking environment variables. Nothing is stored on disk.
"""

from __future__ import annotations

_KNOWN: set[str] = set()


def remember(value: str) -> str:
    """Register ``value`` as a secret; returns it unchanged (``return remember(pw)``)."""
    if value:
        _KNOWN.add(value)
    return value


def known() -> frozenset[str]:
    return frozenset(_KNOWN)
