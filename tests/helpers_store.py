"""Put synthetic verdicts and snapshots into a Store, the way ingest does, without workbooks.

Consolidation reads only the store, so its tests build exactly the store content they need:
:func:`add_submission` archives some bytes and saves an accepted report with its rows,
:func:`add_rejected` a rejected one, :func:`resend` records the same bytes arriving again.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from consolidate.calendar.deadlines import parse_deadline
from consolidate.core.findings import Finding, Report
from consolidate.store.db import Store, utc_iso

_counter = itertools.count(1)

TASK_DEFAULTS: dict[str, Any] = {
    "stt": None,
    "task_code": None,
    "task": "Số hóa hồ sơ thủ tục hành chính",
    "pillar": "Cải cách hành chính",
    "source_doc": "Kế hoạch số 05-KH/TGV",
    "lead_unit": None,  # defaults to the reporting unit
    "partner_units": None,
    "officer": "Nguyễn Văn A",
    "authority": "Phó Giám đốc Trần Thị B",
    "deadline": "30/06/2026",
    "deliverable": "Báo cáo kết quả",
    "progress": 50.0,
    "state": "Đang thực hiện",
    "completed_on": None,
    "period_result": None,
    "bottleneck": None,
    "proposal": None,
    "note": None,
    "issues": None,
}

PROJECT_DEFAULTS: dict[str, Any] = {
    "stt": None,
    "project_code": None,
    "project": "Xây dựng nền tảng dữ liệu dùng chung",
    "big_problem": None,
    "fund_source": "Đầu tư công",
    "total_investment": 10000.0,
    "year_plan": 5000.0,
    "disbursed": 1000.0,
    "disbursed_pct": None,
    "stage": "Đang triển khai",
    "progress": 40.0,
    "deadline": "Năm 2026",
    "committed_pct": 100.0,
    "bottleneck": None,
    "proposal": None,
    "officer": "Lê Văn C",
    "issues": None,
}


def _with_deadline(row: dict[str, Any]) -> dict[str, Any]:
    text = row.get("deadline")
    if text and "deadline_kind" not in row:
        parsed = parse_deadline(text)
        row["deadline_kind"] = parsed.kind
        row["deadline_end"] = parsed.end.isoformat() if parsed.end else None
    row.setdefault("deadline_kind", None)
    row.setdefault("deadline_end", None)
    return row


def task(**fields: Any) -> dict[str, Any]:
    """A stored task row: the defaults, overridden by ``fields``."""
    row = {**TASK_DEFAULTS, **fields}
    for key in ("completed_on",):
        if isinstance(row.get(key), date):
            row[key] = row[key].isoformat()
    return _with_deadline(row)


def project(**fields: Any) -> dict[str, Any]:
    row = {**PROJECT_DEFAULTS, **fields}
    if row.get("year_plan"):
        row["disbursed_pct"] = 100.0 * (row.get("disbursed") or 0.0) / row["year_plan"]
    return _with_deadline(row)


def _numbered(rows: Iterable[dict[str, Any]], unit_code: str) -> list[dict[str, Any]]:
    out = []
    for i, row in enumerate(rows, start=5):
        row = dict(row)
        row.setdefault("row", i)
        if "lead_unit" in row and row["lead_unit"] is None:
            row["lead_unit"] = unit_code
        out.append(row)
    return out


def add_submission(
    store: Store,
    unit_code: str,
    received_at: datetime,
    *,
    tasks: Sequence[dict[str, Any]] = (),
    projects: Sequence[dict[str, Any]] = (),
    indicators: Sequence[dict[str, Any]] = (),
    as_of: date | None = None,
    name: str | None = None,
    n_warnings: int = 0,
) -> tuple[int, bytes]:
    """An accepted submission; returns (submission id, the archived bytes)."""
    data = f"synthetic workbook {next(_counter)} {unit_code} {received_at.isoformat()}".encode()
    file_name = name or f"{unit_code}_{received_at:%Y%m%d_%H%M}.xlsx"
    arrival = store.archive_bytes(data, file_name, received_at)
    report = Report(
        file=file_name,
        sha256=arrival.sha256,
        unit_code=unit_code,
        unit_name=unit_code,
        as_of=(as_of or received_at.date()).isoformat(),
        received_at=utc_iso(received_at),
        template_version="2026.1",
    )
    for i in range(n_warnings):
        report.add(Finding("six-clear", "warning", f"Cảnh báo {i}", sheet="Nhiệm vụ", cell="A5"))
    cover = {"prepared_by": "Người lập", "approver": "Lãnh đạo"}
    rows = {
        "tasks": _numbered(tasks, unit_code),
        "projects": _numbered(projects, unit_code),
        "indicators": _numbered(indicators, unit_code),
    }
    submission_id = store.save_result(report, cover, rows)
    assert submission_id is not None
    return submission_id, data


def add_rejected(
    store: Store,
    unit_code: str | None,
    received_at: datetime,
    *,
    n_errors: int = 2,
    name: str | None = None,
) -> str:
    """A rejected file (``unit_code`` None: the unit could not be recognised)."""
    data = f"rejected workbook {next(_counter)} {unit_code} {received_at.isoformat()}".encode()
    file_name = name or f"{unit_code or 'khong-ro'}_{received_at:%Y%m%d_%H%M}_loi.xlsx"
    arrival = store.archive_bytes(data, file_name, received_at)
    report = Report(
        file=file_name,
        sha256=arrival.sha256,
        unit_code=unit_code,
        received_at=utc_iso(received_at),
    )
    for i in range(n_errors):
        report.add(Finding("bad-value", "error", f"Lỗi {i}", sheet="Nhiệm vụ", cell=f"B{5 + i}"))
    store.save_result(report)
    return arrival.sha256


def resend(store: Store, data: bytes, name: str, received_at: datetime) -> None:
    """The same bytes arrive again (ingest answers 'duplicate' and stores no new snapshot)."""
    store.archive_bytes(data, name, received_at)
