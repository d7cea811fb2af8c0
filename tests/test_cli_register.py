"""`consolidate register import` never destroys the register (defect 1); codes are compared
through the one canonical normaliser (defect 2, register side)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from consolidate.cli import main
from consolidate.core.config import Config
from consolidate.store.db import Store

REPO = Path(__file__).resolve().parent.parent
REGISTER = REPO / "data" / "danh_muc_nhiem_vu.xlsx"


def _run(config: Config, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["-w", str(config.root), *args])
    return result.exit_code, result.output


def _codes(config: Config) -> dict[str, str | None]:
    with Store(config.store, config.archive) as store:
        return store.register_codes()


def test_wrong_workbook_is_refused_and_the_register_stays(workspace: Config) -> None:
    assert _run(workspace, "register", "import", str(REGISTER))[0] == 0
    before = _codes(workspace)
    assert len(before) == 35
    template = workspace.root / "templates" / "report_template.xlsx"
    assert _run(workspace, "template")[0] == 0
    code, out = _run(workspace, "register", "import", str(template))
    assert code == 2, out
    assert "Đã nhập" not in out
    assert "không có nhiệm vụ nào để nhập" in out and "chưa nhập" in out
    assert "danh mục đang dùng vẫn giữ nguyên" in out
    assert _codes(workspace) == before


def test_register_with_a_header_and_no_rows_is_refused(workspace: Config, tmp_path: Path) -> None:
    assert _run(workspace, "register", "import", str(REGISTER))[0] == 0
    book = openpyxl.load_workbook(REGISTER)
    sheet = book.active
    assert sheet is not None
    sheet.delete_rows(5, sheet.max_row)
    empty = tmp_path / "danh muc rỗng.xlsx"
    book.save(empty)
    code, out = _run(workspace, "register", "import", str(empty))
    assert code == 2, out
    assert "không có nhiệm vụ nào để nhập" in out
    assert len(_codes(workspace)) == 35


def test_reimport_keeps_the_earlier_register_as_a_version(workspace: Config) -> None:
    assert _run(workspace, "register", "import", str(REGISTER))[0] == 0
    assert _run(workspace, "register", "import", str(REGISTER))[0] == 0
    with Store(workspace.store, workspace.archive) as store:
        versions = store.register_versions()
    assert len(versions) == 1
    assert versions[0]["source"] == REGISTER.name
    assert len(json.loads(versions[0]["rows_json"])) == 35


def test_register_codes_are_stored_canonical(workspace: Config, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(REGISTER)
    sheet = book.active
    assert sheet is not None
    first = str(sheet["B5"].value)
    sheet["B5"] = " " + first.lower().replace("-", "\u2013 ") + " "  # "tb101– 01 "
    sheet["B6"] = first  # the same code spelt properly: a duplicate
    path = tmp_path / "danh muc.xlsx"
    book.save(path)
    code, out = _run(workspace, "register", "import", str(path))
    assert code == 2, out
    assert f"mã nhiệm vụ {first} trùng với dòng 5" in out
