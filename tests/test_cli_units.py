"""The real unit list (defect 14) and `consolidate units import`: full check, the difference,
atomic apply, earlier versions kept, a removed unit's history kept."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from openpyxl import Workbook

from consolidate.cli import main
from consolidate.core.config import Config, load_config
from consolidate.store.db import Store
from tests.builders import submission

SHARED = Path("/work/shared/data/dak_lak_communes_2025.csv")


def _run(config: Config, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["-w", str(config.root), *args])
    return result.exit_code, result.output


def test_default_list_is_the_official_102_communes_and_the_agencies(workspace: Config) -> None:
    units = workspace.units
    communes = [u for u in units if u.kind == "xa-phuong"]
    assert len(communes) == 102
    assert sum(u.name.startswith("Phường ") for u in communes) == 14
    assert sum(u.name.startswith("Xã ") for u in communes) == 88
    agencies = [u for u in units if u.kind == "so-ban-nganh"]
    assert 20 <= len(agencies) <= 25
    # The codes the office already used are kept; the official code is an alias.
    index = workspace.unit_index
    assert index.resolve("P-BMT") is not None and index.resolve("X-EAKAR") is not None
    tuy_hoa = index.resolve("22015")
    assert tuy_hoa is not None and tuy_hoa.code == "P-TUYHOA"
    if SHARED.is_file():  # the research copy the list was built from
        with SHARED.open(encoding="utf-8") as handle:
            official = {row["ma"]: row["ten"] for row in csv.DictReader(handle)}
        shipped = {u.aliases[0]: u.name for u in communes}
        assert shipped == official


def _xlsx(path: Path, rows: list[tuple[object, ...]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Đơn vị"
    sheet.append(("Danh mục đơn vị báo cáo",))
    sheet.append(("Mã", "Tên", "Loại", "Tên khác", "Email", "Báo cáo"))
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_units_import_shows_the_difference_and_keeps_the_old_list(
    workspace: Config, tmp_path: Path
) -> None:
    submission(workspace, workspace.inbox / "SKHCN.xlsx")
    assert (
        _run(workspace, "ingest", str(workspace.inbox), "--received-at", "04/06/2026 16:30")[0] == 0
    )
    rows: list[tuple[object, ...]] = [
        (u.code, u.name, u.kind, ";".join(u.aliases), u.email, ";".join(u.reports))
        for u in workspace.units
        if u.code not in ("SKHCN", "STP")
    ]
    rows[0] = (rows[0][0], "Văn phòng Ủy ban nhân dân tỉnh Đắk Lắk", *rows[0][2:])
    rows.append(("SNGV", "Sở Ngoại vụ", "Sở, ban, ngành", "Sở NgV", "sngv@daklak.gov.vn", "tuần"))
    path = _xlsx(tmp_path / "don vi mới.xlsx", rows)

    code, out = _run(workspace, "units", "import", str(path), "--dry-run")
    assert code == 0, out
    assert "  + Thêm: SNGV — Sở Ngoại vụ" in out
    assert (
        "  ~ Đổi tên: VPUBND: Văn phòng UBND tỉnh → Văn phòng Ủy ban nhân dân tỉnh Đắk Lắk" in out
    )
    assert (
        "  - Bỏ (thôi báo cáo, vẫn giữ lịch sử): SKHCN — Sở Khoa học và Công nghệ "
        "(giữ nguyên 1 báo cáo đã lưu)" in out
    )
    assert "  - Bỏ (thôi báo cáo, vẫn giữ lịch sử): STP — Sở Tư pháp\n" in out
    assert "chưa áp dụng" in out
    assert not (workspace.root / "data" / "don-vi.csv").exists()

    code, out = _run(workspace, "units", "import", str(path))
    assert code == 0, out
    after = load_config(workspace.root)
    assert len(after.units) == len(workspace.units) + 1
    assert after.unit_index.resolve("Sở NgV") is not None
    # A removed unit stays on the list with `until`: it owes nothing from the import on.
    skhcn = after.unit_index.by_code["SKHCN"]
    assert skhcn.until is not None and skhcn not in after.unit_index.owing(
        "weekly", on=date.today()
    )
    assert skhcn in after.unit_index.owing("weekly", on=skhcn.until)
    # Imported again without it: not reported as removed a second time.
    code, out = _run(workspace, "units", "import", str(path))
    assert code == 0 and "Bỏ" not in out and "Không có thay đổi" in out, out
    versions = list((workspace.root / "data" / "don-vi.versions").glob("don-vi-*.csv"))
    assert len(versions) == 1
    assert "SKHCN,Sở Khoa học và Công nghệ" in versions[0].read_text(encoding="utf-8")
    # The removed unit's history stays in the store.
    with Store(workspace.store, workspace.archive) as store:
        assert store.submission_counts() == {"SKHCN": 1}


def test_units_import_of_a_wrong_or_bad_file_changes_nothing(
    workspace: Config, tmp_path: Path
) -> None:
    before = list(workspace.units)
    # The task register is not a unit list: no code/name columns.
    wrong = tmp_path / "danh_muc.xlsx"
    book = Workbook()
    assert book.active is not None
    book.active.append(("Mã nhiệm vụ", "Nội dung nhiệm vụ"))
    book.active.append(("KH05-01", "Triển khai"))
    book.save(wrong)
    code, out = _run(workspace, "units", "import", str(wrong))
    assert code == 2
    assert "không tìm thấy cột 'code'" in out and "chưa nhập" in out

    bad = tmp_path / "don_vi.csv"
    bad.write_text(
        "code,name,kind,aliases,email,reports\n"
        "SKHCN,Sở Khoa học và Công nghệ,so-ban-nganh,,,weekly\n"
        "skhcn ,Sở KH khác,so-ban-nganh,,,weekly\n"
        "STP,,xã lạ,,khong-phai-email,daily\n",
        encoding="utf-8",
    )
    code, out = _run(workspace, "units", "import", str(bad))
    assert code == 2
    assert "dòng 3, cột 'code': mã 'SKHCN' trùng với dòng 2" in out
    assert "dòng 4, cột 'name'" in out and "dòng 4, cột 'kind'" in out
    assert "dòng 4, cột 'email'" in out and "dòng 4, cột 'reports'" in out

    empty = tmp_path / "rong.csv"
    empty.write_text("code,name,kind\n", encoding="utf-8")
    code, out = _run(workspace, "units", "import", str(empty))
    assert code == 2 and "không có đơn vị nào" in out

    assert load_config(workspace.root).units == before
    assert not (workspace.root / "data").exists() or not any(
        (workspace.root / "data").glob("don-vi*")
    )


def test_units_import_csv_with_semicolons_and_bom(workspace: Config, tmp_path: Path) -> None:
    path = tmp_path / "don_vi.csv"
    path.write_bytes(
        "\ufeffmã;tên;loại;báo cáo\nSKHCN;Sở Khoa học và Công nghệ;Sở, ban, ngành;tuần;\n"
        "P-BMT;Phường Buôn Ma Thuột;Phường;weekly\n".encode()
    )
    code, out = _run(workspace, "units", "import", str(path))
    assert code == 0, out
    units = load_config(workspace.root).units
    assert [(u.code, u.kind) for u in units[:2]] == [
        ("SKHCN", "so-ban-nganh"),
        ("P-BMT", "xa-phuong"),
    ]
    assert all(u.until is not None for u in units[2:])
