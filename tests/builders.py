"""Builders of submitted workbooks for tests: realistic rows, written by the product's own
template code (write_submission) or reshaped by hand with openpyxl like a unit would."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from consolidate.core.config import Config
from consolidate.render.template import write_submission


def task_row(i: int, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "stt": i,
        "task_code": None,
        "task": f"Số hóa hồ sơ thủ tục hành chính đợt {i}",
        "pillar": "Cải cách hành chính",
        "source_doc": "Kế hoạch số 05-KH/TGV",
        "lead_unit": None,
        "partner_units": "Sở Nội vụ",
        "officer": "Nguyễn Thị Hoa",
        "authority": "Phó Giám đốc Lê Văn Nam",
        "deadline": "30/09/2026",
        "deliverable": "Báo cáo kết quả số hóa",
        "progress": 50,
        "state": "Đang thực hiện",
        "completed_on": None,
        "period_result": "Đã số hóa 120 hồ sơ",
        "bottleneck": None,
        "proposal": None,
        "note": None,
    }
    row.update(over)
    return row


def project_row(i: int, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "stt": i,
        "project": f"Dự án chuyển đổi số số {i}",
        "fund_source": "Đầu tư công",
        "total_investment": 12000.0,
        "year_plan": 5000.0,
        "disbursed": 1500.0,
        "stage": "Đang triển khai",
        "progress": 40,
        "deadline": "Năm 2026",
        "committed_pct": 95,
        "officer": "Trần Văn Bình",
    }
    row.update(over)
    return row


def cover(
    unit: str = "Sở Khoa học và Công nghệ", as_of: date = date(2026, 6, 4), **over: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "unit": unit,
        "as_of": as_of,
        "prepared_by": "Phạm Minh Tuấn",
        "phone": "0262 3812 345",
        "email": "tuan@daklak.gov.vn",
        "approver": "Giám đốc Bùi Thanh Toàn",
    }
    data.update(over)
    return data


def submission(
    config: Config,
    path: Path,
    *,
    cover_data: Mapping[str, Any] | None = None,
    tasks: Sequence[Mapping[str, Any]] | None = None,
    projects: Sequence[Mapping[str, Any]] = (),
    n_tasks: int = 5,
) -> Path:
    rows = {
        "tasks": list(tasks) if tasks is not None else [task_row(i) for i in range(1, n_tasks + 1)],
        "projects": list(projects),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_submission(path, config.units, cover_data or cover(), rows)
