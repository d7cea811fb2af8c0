"""`consolidate don-doc`: the đôn đốc letter, read back with python-docx."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from consolidate.cli import main
from consolidate.core.config import Config
from consolidate.store.db import Store
from tests.docs_helpers import all_text, with_office
from tests.helpers_store import add_submission, task

DOC_A = "Chỉ thị số 013/CT-UBND"
DOC_B = "Kế hoạch số 02-KH/BCĐ"


@pytest.fixture
def config(workspace: Config) -> Config:
    """SNV: one overdue (A), one due this month (B), one done (A), one due next month (B);
    STP: one due this month (A); SXD: all done."""
    cfg = with_office(workspace.root)
    when = datetime(2026, 6, 3, 9, tzinfo=cfg.calendar.tz)
    with Store(cfg.store, cfg.archive) as store:
        add_submission(store, "SNV", when, tasks=[
            task(task="Số hóa hồ sơ quá hạn", source_doc=DOC_A, deadline="20/05/2026"),
            task(task="Ban hành quy chế", source_doc=DOC_B, deadline="25/06/2026"),
            task(task="Đã xong", source_doc=DOC_A, deadline="01/06/2026",
                 state="Đã hoàn thành", completed_on="2026-05-30", progress=100.0),
            task(task="Việc tháng sau", source_doc=DOC_B, deadline="15/07/2026"),
        ])  # fmt: skip
        add_submission(store, "STP", when, tasks=[
            task(task="Rà soát văn bản", source_doc=DOC_A, deadline="30/06/2026"),
        ])  # fmt: skip
        add_submission(store, "SXD", when, tasks=[
            task(task="Xong rồi", source_doc=DOC_A, deadline="01/06/2026",
                 state="Đã hoàn thành", completed_on="2026-05-30", progress=100.0),
        ])  # fmt: skip
    return cfg


def run(cfg: Config, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["-w", str(cfg.root), "don-doc", *args])
    return result.exit_code, result.output


def _appendix_rows(d: docx.document.Document, n: int) -> list[list[str]]:
    """Data rows (not group rows) of appendix table n (0 = Phụ lục I)."""
    table = d.tables[2 + n]
    rows = []
    for tr in table.rows[1:]:
        cells = tr._tr.findall(qn("w:tc"))
        if len(cells) > 1:
            rows.append([c.xpath("string(.)") for c in cells])
    return rows


def test_letter_for_all_units(config: Config) -> None:
    code, out = run(config, "--as-of", "05/06/2026")
    assert code == 0, out
    path = config.outbox / "Cong-van-don-doc-2026-06-05.docx"
    assert f"Đã ghi: {path}" in out
    assert "1 nhiệm vụ quá hạn chưa hoàn thành (Phụ lục I), 2 nhiệm vụ phải hoàn thành" in out
    d = docx.Document(str(path))
    head = d.tables[0]
    left = [p.text for c in (0, 1) for p in head.cell(c, 0).paragraphs if p.text]
    assert left == [
        "UBND TỈNH ĐẮK LẮK",
        "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        "Số: …/SKHCN-VP",
        "V/v đôn đốc triển khai thực hiện",
    ]
    right = [p.text for p in head.cell(1, 1).paragraphs if p.text]
    assert right == ["Đắk Lắk, ngày 05 tháng 6 năm 2026"]
    texts = [p.text for p in d.paragraphs]
    i = texts.index("Kính gửi:")
    assert texts[i + 1 : i + 3] == ["- Sở Nội vụ;", "- Sở Tư pháp."]  # not SXD: nothing due
    text = all_text(d)
    assert (
        f"1. Các nhiệm vụ tại {DOC_A}: tổng 4 nhiệm vụ; trong đó 2 nhiệm vụ phải hoàn thành "
        "trước 30/06/2026 (1 nhiệm vụ đã quá hạn chưa hoàn thành, tại Phụ lục I; 1 nhiệm vụ "
        "đến hạn trong tháng, tại Phụ lục II)."
    ) in text
    assert (
        f"2. Các nhiệm vụ tại {DOC_B}: tổng 2 nhiệm vụ; trong đó 1 nhiệm vụ phải hoàn thành "
        "trước 30/06/2026"
    ) in text
    assert re.search(r"khẩn trương triển khai thực hiện\./\.", text)
    assert [s.orientation for s in d.sections[1:]] == [WD_ORIENT.LANDSCAPE] * 2
    overdue = _appendix_rows(d, 0)
    assert [(r[1], r[2], r[3], r[4]) for r in overdue] == [
        ("Số hóa hồ sơ quá hạn", "Sở Nội vụ", "20/05/2026", "16")
    ]
    due = _appendix_rows(d, 1)
    assert [(r[1], r[2]) for r in due] == [
        ("Rà soát văn bản", "Sở Tư pháp"),
        ("Ban hành quy chế", "Sở Nội vụ"),
    ]
    groups = [
        tr.xpath("string(.)") for tr in d.tables[3]._tbl.findall(qn("w:tr"))
        if len(tr.findall(qn("w:tc"))) == 1
    ]  # fmt: skip
    assert groups == [f"I. Các nhiệm vụ tại {DOC_A} (1 nhiệm vụ)",
                      f"II. Các nhiệm vụ tại {DOC_B} (1 nhiệm vụ)"]  # fmt: skip
    sign = [p.text for p in d.tables[1].cell(0, 1).paragraphs if p.text.strip()]
    assert sign == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Văn Bình"]


def test_letter_for_one_unit(config: Config) -> None:
    code, out = run(config, "--as-of", "2026-06-05", "--unit", "STP")
    assert code == 0, out
    d = docx.Document(str(config.outbox / "Cong-van-don-doc-2026-06-05-STP.docx"))
    assert "Kính gửi: Sở Tư pháp." in [p.text for p in d.paragraphs]
    assert _appendix_rows(d, 0) == []
    assert [r[2] for r in _appendix_rows(d, 1)] == ["Sở Tư pháp"]
    assert "Đề nghị Sở Tư pháp khẩn trương triển khai thực hiện./." in all_text(d)


def test_nothing_to_urge_writes_no_letter(config: Config) -> None:
    code, out = run(config, "--as-of", "05/06/2026", "--unit", "SXD")
    assert code == 0
    assert "Sở Xây dựng: Không có nhiệm vụ quá hạn hoặc phải hoàn thành trong tháng" in out
    assert not list(Path(config.outbox).glob("*.docx"))


def test_unknown_unit_and_bad_date_are_usage_errors(config: Config) -> None:
    code, out = run(config, "--unit", "XYZ")
    assert code == 2
    assert "Không có đơn vị 'XYZ' trong danh mục đơn vị" in out
    code, out = run(config, "--as-of", "31/02/2026")
    assert code == 2
    assert "'31/02/2026' không phải ngày hợp lệ" in out


def test_help_is_vietnamese(config: Config) -> None:
    code, out = run(config, "--help")
    assert code == 0
    assert "công văn đôn đốc" in out and "--as-of" in out and "--unit" in out


def test_kinh_gui_names_few_units_and_groups_many(config: Config) -> None:
    """As the province's letters (seed 004): a long list of units is addressed by group,
    the units named in the appendices; a short one by name."""
    from consolidate.documents.dondoc import NAMED_UP_TO, addressees

    departments = [u for u in config.units if u.kind != "xa-phuong"]
    communes = [u for u in config.units if u.kind == "xa-phuong"]
    assert addressees(departments[:2]) == [departments[0].name, departments[1].name]
    assert addressees(departments[: NAMED_UP_TO + 1] + communes[:2]) == [
        "Các sở, ban, ngành của tỉnh có tên tại Phụ lục kèm theo",
        f"UBND {communes[0].name[:1].lower()}{communes[0].name[1:]}, "
        f"{communes[1].name[:1].lower()}{communes[1].name[1:]}",
    ]
    assert addressees(departments[:1] + communes[: NAMED_UP_TO + 1]) == [
        departments[0].name,
        "UBND các xã, phường có tên tại Phụ lục kèm theo",
    ]
