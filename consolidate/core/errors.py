"""Exceptions for a broken environment or configuration — never for bad data.

Bad data in a submission is a :class:`consolidate.core.findings.Report`, not an exception.
Every exception here carries a Vietnamese message and a hint on how to fix it; the CLI
maps them to exit code 2.
"""

from __future__ import annotations


class ConsolidateError(Exception):
    """Base class: something outside the submitted data stops the tool."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  Cách khắc phục: {self.hint}" if self.hint else self.message


class ConfigError(ConsolidateError):
    """The workspace configuration file is missing, unreadable or has an invalid key."""


class WorkspaceError(ConsolidateError):
    """The folder is not a workspace, or a required folder cannot be created or written."""


class RegisterError(ConsolidateError):
    """The task register workbook cannot be imported (the findings say where)."""

    def __init__(self, message: str, hint: str = "", findings: list[object] | None = None):
        super().__init__(message, hint)
        self.findings = list(findings or [])


class StoreLocked(ConsolidateError):
    """Another consolidate process holds the workspace lock for longer than we wait."""


class StoreError(ConsolidateError):
    """The SQLite store is unreadable or was written by a newer version."""


class OutputError(ConsolidateError):
    """A report could not be written (disk full, no permission) — inputs stay queued."""
