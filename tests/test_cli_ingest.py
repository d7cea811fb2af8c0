"""`consolidate ingest` and `register import` through CliRunner: exit codes and messages."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from consolidate.cli import main
from consolidate.core.config import Config
from consolidate.intake.ingest import ingest_paths
from tests.builders import submission, task_row

REPO = Path(__file__).resolve().parent.parent


def _run(config: Config, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["-w", str(config.root), *args])
    return result.exit_code, result.output


def test_ingest_accepts_and_exits_0(workspace: Config) -> None:
    submission(workspace, workspace.inbox / "SKHCN tuần 23.xlsx")
    code, out = _run(workspace, "ingest", str(workspace.inbox), "--received-at", "04/06/2026 16:30")
    assert code == 0, out
    assert "✔ Tiếp nhận" in out and "SKHCN tuần 23.xlsx — Sở Khoa học và Công nghệ" in out
    assert "Tổng cộng 1 tệp: 1 tiếp nhận, 0 không tiếp nhận, 0 trùng." in out


def test_ingest_rejects_and_exits_1_with_errors_listed(workspace: Config, tmp_path: Path) -> None:
    path = submission(workspace, tmp_path / "bad.xlsx", tasks=[task_row(1, progress=150)])
    code, out = _run(workspace, "ingest", str(path), "--received-at", "04/06/2026 16:30")
    assert code == 1
    assert "✘ Không tiếp nhận" in out
    assert "'Tiến độ (%)' phải từ 0 đến 100; đang ghi 150" in out
    assert "[Nhiệm vụ!L4]" in out


def test_ingest_json_equals_library_result(workspace: Config, tmp_path: Path) -> None:
    from datetime import datetime

    path = submission(workspace, tmp_path / "a.xlsx", tasks=[task_row(1, officer=None)])
    code, out = _run(
        workspace, "ingest", str(path), "--dry-run", "--json", "--received-at", "04/06/2026 16:30"
    )
    assert code == 0
    data = json.loads(out)
    library = ingest_paths(
        workspace,
        [path],
        dry_run=True,
        received_at=datetime.fromisoformat("2026-06-04T16:30:00+07:00"),
    ).to_dict()
    assert data == json.loads(json.dumps(library, ensure_ascii=False, default=str))
    assert data["reports"][0]["findings"][0]["code"] == "six-clear-missing"


def test_bad_received_at_is_a_usage_error(workspace: Config, tmp_path: Path) -> None:
    path = submission(workspace, tmp_path / "a.xlsx")
    code, out = _run(workspace, "ingest", str(path), "--received-at", "thứ sáu")
    assert code == 2
    assert "không phải thời điểm hợp lệ" in out


def test_missing_workspace_config_exits_2_without_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["-w", str(tmp_path), "ingest", str(tmp_path)])
    assert result.exit_code == 2
    assert "Không có tệp cấu hình" in result.output
    assert "consolidate init" in result.output
    assert "Traceback" not in result.output


def test_bad_config_exits_2_naming_the_key(workspace: Config) -> None:
    path = workspace.root / "consolidate.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("due_soon_days = 7", "due_soon_days = -3"),
        encoding="utf-8",
    )
    code, out = _run(workspace, "status")
    assert code == 2
    assert "'calendar.due_soon_days'" in out and "Cách khắc phục" in out


def test_register_import_demo_register(workspace: Config) -> None:
    code, out = _run(workspace, "register", "import", str(REPO / "data" / "danh_muc_nhiem_vu.xlsx"))
    assert code == 0, out
    assert "Đã nhập 35 nhiệm vụ" in out
    assert "Kế hoạch số 05-KH/TGV: 7 nhiệm vụ" in out


def test_bad_register_names_cells_and_exits_2(workspace: Config, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(REPO / "data" / "danh_muc_nhiem_vu.xlsx")
    ws = wb.active
    ws["F5"] = "sớm nhất"  # deadline of the first task
    ws["E6"] = "Sở Không Có"  # lead unit of the second
    ws["B7"] = ws["B5"].value  # duplicate code
    bad = tmp_path / "danh muc sai.xlsx"
    wb.save(bad)
    code, out = _run(workspace, "register", "import", str(bad))
    assert code == 2
    assert "Danh mục nhiệm vụ!F5" in out
    assert "Danh mục nhiệm vụ!E6" in out
    assert "Danh mục nhiệm vụ!B7" in out
    assert "Traceback" not in out
