"""Findings and reports: bad data is a result, not an exception.

A :class:`Finding` is one thing wrong (or worth saying) about a submitted file: a stable
kebab-case ``code``, a ``severity``, where it is (sheet and A1 cell), the offending value,
a Vietnamese message and how to fix it. Every code is declared in the catalogue
(:mod:`consolidate.core.codes`), and findings are made through its ``finding()``. A
:class:`Report` gathers all findings of one file and decides the verdict. Both serialise to
plain dicts for ``--json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]

ACCEPTED = "accepted"
REJECTED = "rejected"
DUPLICATE = "duplicate"

VERDICT_LABELS = {
    ACCEPTED: "Tiếp nhận",
    REJECTED: "Không tiếp nhận",
    DUPLICATE: "Đã nhận trước đó",
}
SEVERITY_LABELS = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Thông tin"}


def col_letter(index: int) -> str:
    """1-based column index to Excel letters (1 -> A, 27 -> AA)."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """1-based row and column to an A1 reference."""
    return f"{col_letter(col)}{row}"


@dataclass
class Finding:
    code: str
    severity: Severity
    message: str
    fix: str = ""
    sheet: str | None = None
    cell: str | None = None
    value: str | None = None
    row: int | None = None  # Excel row number, for grouping
    column: str | None = None  # column key from the specification

    def to_dict(self) -> dict[str, Any]:
        # Every field is an atom: a shallow copy is what asdict() gives, ~10× cheaper.
        return dict(vars(self))

    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""


@dataclass
class Report:
    """Everything we found about one file, and the verdict."""

    file: str
    sha256: str = ""
    unit_code: str | None = None
    unit_name: str | None = None
    as_of: str | None = None
    received_at: str | None = None
    template_version: str | None = None
    findings: list[Finding] = field(default_factory=list)
    duplicate_of: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    feedback_path: str | None = None
    summary_path: str | None = None
    submission_id: int | None = None

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def extend(self, findings: list[Finding]) -> None:
        self.findings.extend(findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def verdict(self) -> str:
        if self.duplicate_of is not None:
            return DUPLICATE
        return ACCEPTED if self.valid else REJECTED

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "verdict": self.verdict,
            "valid": self.valid,
            "unit_code": self.unit_code,
            "unit_name": self.unit_name,
            "as_of": self.as_of,
            "received_at": self.received_at,
            "template_version": self.template_version,
            "duplicate_of": self.duplicate_of,
            "counts": dict(self.counts),
            "n_errors": len(self.errors),
            "n_warnings": len(self.warnings),
            "feedback_path": self.feedback_path,
            "summary_path": self.summary_path,
            "findings": [f.to_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        report = cls(
            file=data["file"],
            sha256=data.get("sha256", ""),
            unit_code=data.get("unit_code"),
            unit_name=data.get("unit_name"),
            as_of=data.get("as_of"),
            received_at=data.get("received_at"),
            template_version=data.get("template_version"),
            duplicate_of=data.get("duplicate_of"),
            counts=dict(data.get("counts") or {}),
            feedback_path=data.get("feedback_path"),
            summary_path=data.get("summary_path"),
        )
        report.findings = [Finding(**f) for f in data.get("findings", [])]
        return report
