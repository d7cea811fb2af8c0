"""The task register (danh mục nhiệm vụ giao), imported from the officer's workbook.

Read with the same care as a submission: every problem named by sheet and cell, all at
once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from consolidate.core.config import Config
from consolidate.core.errors import RegisterError, os_reason
from consolidate.core.findings import Finding, Report
from consolidate.core.lock import workspace_lock
from consolidate.core.text import canonical_code
from consolidate.intake.checked import Checked, Context, Table
from consolidate.intake.coerce import coerce_table
from consolidate.intake.layout import locate_sheet, read_table, session_rule
from consolidate.intake.reader import read_workbook
from consolidate.intake.rows import stored_rows
from consolidate.intake.schema import failures_to_findings, pandera_schema
from consolidate.store.db import Store
from schemas import REGISTER


@dataclass
class RegisterResult:
    path: Path
    rows: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def by_source(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for row in self.rows:
            out[row.get("source_doc") or ""] = out.get(row.get("source_doc") or "", 0) + 1
        return out


def read_register(config: Config, path: Path) -> RegisterResult:
    """Read and check a register workbook; raise RegisterError listing every problem."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegisterError(
            f"Không đọc được tệp danh mục {path}: {os_reason(exc)}.",
            "Kiểm tra đường dẫn tệp (đặt trong ngoặc kép nếu có dấu cách).",
        ) from exc
    report = Report(file=path.name)
    checked = Checked(report=report)
    ctx = Context(checked)
    read = read_workbook(data, path.name)
    report.extend(read.findings)
    result = RegisterResult(path=path)
    if read.workbook is not None:
        sheet = locate_sheet(read.workbook, REGISTER, ctx)
        if sheet is None and len(read.workbook.sheets) >= 1:
            sheet = next(iter(read.workbook.sheets.values()))
        table = read_table(sheet, REGISTER, ctx) if sheet is not None else None
        if table is not None:
            checked.tables["register"] = table
            coerce_table(table, ctx, config.unit_index, None, session_rule(config))
            codes = table.typed["code"]
            table.typed["code"] = [canonical_code(c) if isinstance(c, str) else c for c in codes]
            _validate(table, checked)
            _duplicates(table, ctx)
        if not report.errors and (table is None or not table.rows):
            # A wrong workbook (the unit template, a report) or an empty register must never
            # replace the stored register: refuse it with what a register looks like.
            labels = ", ".join(f"'{c.label}'" for c in REGISTER.columns if c.required)
            fix = (
                "Chọn đúng tệp danh mục nhiệm vụ giao (mỗi dòng một nhiệm vụ); danh mục đang "
                "dùng vẫn giữ nguyên."
            )
            if table is not None:
                ctx.add(
                    "register-empty",
                    f"Tệp {path.name} không có nhiệm vụ nào để nhập.",
                    fix,
                    sheet=table.sheet.name,
                )
            else:
                ctx.add(
                    "register-not-found",
                    f"Tệp {path.name} không có nhiệm vụ nào để nhập: không thấy trang "
                    f"'{REGISTER.name}' có dòng tiêu đề gồm {labels}.",
                    fix,
                )
    result.findings = report.findings
    if report.errors:
        raise RegisterError(
            f"Danh mục nhiệm vụ {path.name} có {len(report.errors)} lỗi, chưa nhập.",
            "Sửa các ô được nêu rồi chạy lại `consolidate register import`.",
            findings=list(report.errors),
        )
    result.rows = stored_rows(checked).get("register", [])
    return result


def _validate(table: Table, checked: Checked) -> None:
    import pandas as pd
    import pandera.pandas as pa

    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in table.typed.items()})
    try:
        pandera_schema(REGISTER).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        failures_to_findings(exc.failure_cases, REGISTER, [(checked, table, r) for r in table.rows])


def _duplicates(table: Table, ctx: Context) -> None:
    seen: dict[str, int] = {}
    for r, code in zip(table.rows, table.typed["code"], strict=True):
        if code is None:
            continue
        if code in seen:
            ctx.add(
                "duplicate-task-code",
                f"Dòng {r}: mã nhiệm vụ {code} trùng với dòng {seen[code]}.",
                "Mỗi nhiệm vụ một mã riêng.",
                sheet=table.sheet.name,
                row=r,
                col=table.colmap.get("code"),
                value=code,
            )
        else:
            seen[code] = r


def import_register(config: Config, path: Path | None = None) -> RegisterResult:
    """Replace the stored register with the rows of ``path`` (default: the configured one).

    Nothing changes unless every row is right and there is at least one; the register it
    replaces is kept in the store (``register_versions``)."""
    result = read_register(config, path or config.register)
    with workspace_lock(config), Store(config.store, config.archive) as store:
        store.replace_register(result.rows, source=result.path.name)
    return result
