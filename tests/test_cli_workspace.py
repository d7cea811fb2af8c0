"""`init` and `template` say what they did (defect 15): `init` on an existing workspace
keeps it and names what it added, never "Đã tạo"; `template --out …/t2` writes `t2.xlsx`,
with the mode every other output gets."""

from __future__ import annotations

import stat
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from consolidate.cli import main


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_init_creates_then_says_what_already_existed(tmp_path: Path) -> None:
    root = tmp_path / "Báo cáo Tổ giúp việc"
    code, out = _run("init", str(root))
    assert code == 0, out
    assert out.splitlines()[0] == f"Đã tạo không gian làm việc tại {root}"
    config_text = (root / "consolidate.toml").read_text(encoding="utf-8")
    (root / "consolidate.toml").write_text(config_text + "\n# sửa tay\n", encoding="utf-8")
    (root / "inbox" / "SKHCN.xlsx").write_bytes(b"giu nguyen")

    code, out = _run("init", str(root))
    assert code == 0, out
    assert "Đã tạo" not in out
    assert out.splitlines()[:2] == [
        f"Không gian làm việc đã có tại {root}: giữ nguyên consolidate.toml và mọi dữ liệu đã có.",
        "  Không cần tạo thêm gì: đủ các thư mục.",
    ]
    assert (root / "consolidate.toml").read_text(encoding="utf-8").endswith("# sửa tay\n")
    assert (root / "inbox" / "SKHCN.xlsx").read_bytes() == b"giu nguyen"

    (root / "outbox").rmdir()
    (root / "archive").rmdir()
    code, out = _run("init", str(root))
    assert code == 0, out
    assert "  Đã tạo thêm thư mục còn thiếu: outbox/, archive/" in out.splitlines()
    assert (root / "outbox").is_dir() and (root / "archive").is_dir()


def test_template_out_without_suffix_gets_xlsx_and_the_ordinary_mode(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert _run("init", str(root))[0] == 0
    probe = tmp_path / "probe.txt"
    probe.write_text("x")
    ordinary = stat.S_IMODE(probe.stat().st_mode)
    for given, written in (("t2", "t2.xlsx"), ("mẫu.v2", "mẫu.v2.xlsx"), ("T3.XLSX", "T3.XLSX")):
        code, out = _run("-w", str(root), "template", "--out", str(tmp_path / "mẫu" / given))
        assert code == 0, out
        path = tmp_path / "mẫu" / written
        assert out == f"Đã tạo mẫu báo cáo: {path}\n"
        assert "Thông tin chung" in load_workbook(path, read_only=True).sheetnames
        assert stat.S_IMODE(path.stat().st_mode) == ordinary
    assert sorted(p.name for p in (tmp_path / "mẫu").iterdir()) == [
        "T3.XLSX", "mẫu.v2.xlsx", "t2.xlsx"
    ]  # fmt: skip
