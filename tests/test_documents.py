"""The Word reports (NĐ 30), read back with python-docx; every body figure equals the
workbook's figure."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from hypothesis import given
from hypothesis import strategies as st

from consolidate.core.fmt import fmt_num, fmt_pct
from consolidate.demo import build_demo_reports
from consolidate.documents.nd30 import date_line
from tests.conftest import DemoRun
from tests.docs_helpers import all_text, find, number, with_office

SLOTS = ("ascii", "hAnsi", "eastAsia", "cs")


def mm(length: Any) -> float:
    return round(length.mm)


DEMO_DATE = "Đắk Lắk, ngày 05 tháng 6 năm 2026"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory, demo_run: DemoRun) -> dict[str, Path]:
    """The demo's reports rebuilt with a configured office: {name: path} for .xlsx and .docx."""
    root, _ = demo_run.copy(tmp_path_factory.mktemp("docs") / "Báo cáo demo")
    config = with_office(root)
    paths = build_demo_reports(config, [])
    return {p.name: p for p in paths}


def _docs(outputs: dict[str, Path]) -> list[Path]:
    return sorted(p for p in outputs.values() if p.suffix == ".docx")


def test_every_workbook_has_its_document_with_the_same_name(outputs: dict[str, Path]) -> None:
    books = sorted(p.stem for p in outputs.values() if p.suffix == ".xlsx")
    assert books == sorted(p.stem for p in _docs(outputs))
    assert len(books) == 4
    for p in _docs(outputs):
        assert p.with_suffix(".xlsx").is_file()


def test_page_setup_and_fonts_of_every_run(outputs: dict[str, Path]) -> None:
    for path in _docs(outputs):
        d = docx.Document(str(path))
        first = d.sections[0]
        assert first.orientation == WD_ORIENT.PORTRAIT
        assert (mm(first.page_width), mm(first.page_height)) == (210, 297)
        for s in d.sections:
            assert 20 <= mm(s.top_margin) <= 25 and 20 <= mm(s.bottom_margin) <= 25
            assert 30 <= mm(s.left_margin) <= 35 and 15 <= mm(s.right_margin) <= 20
            assert {mm(s.page_width), mm(s.page_height)} == {210, 297}
            assert s.different_first_page_header_footer  # no number on a first page
        parts = [d.element.body] + [s.header._element for s in d.sections]
        n_runs = 0
        for part in parts:
            for r in part.iter(qn("w:r")):
                n_runs += 1
                rfonts = r.find(qn("w:rPr") + "/" + qn("w:rFonts"))
                assert rfonts is not None, path.name
                assert [rfonts.get(qn(f"w:{s}")) for s in SLOTS] == ["Times New Roman"] * 4
                size = r.find(qn("w:rPr") + "/" + qn("w:sz"))
                assert size is not None and int(size.get(qn("w:val"))) >= 22  # ≥ 11 pt
        assert n_runs > 100
        # the styles too, eastAsia and cs included; no theme font overriding them
        normal = d.styles["Normal"].element.rPr.rFonts
        assert [normal.get(qn(f"w:{s}")) for s in SLOTS] == ["Times New Roman"] * 4
        assert normal.get(qn("w:eastAsiaTheme")) is None


def test_body_is_14pt_justified_with_first_line_indent(outputs: dict[str, Path]) -> None:
    d = docx.Document(str(outputs["Bao-cao-tuan-2026-W23.docx"]))
    body = next(p for p in d.paragraphs if p.text.startswith("Thực hiện chế độ báo cáo tuần"))
    assert body.alignment == 3  # WD_ALIGN_PARAGRAPH.JUSTIFY
    assert 10 <= mm(body.paragraph_format.first_line_indent) <= 12.7
    assert body.paragraph_format.space_after >= 6 * 12700
    assert {r.font.size.pt for r in body.runs} == {14}


def test_national_heading_number_and_date(outputs: dict[str, Path]) -> None:
    for name, kind in (("Bao-cao-tuan-2026-W23.docx", "BC"), ("Ke-hoach-chi-tiet-2026-06.docx",
                                                              "KH")):  # fmt: skip
        d = docx.Document(str(outputs[name]))
        head = d.tables[0]
        assert (len(head.rows), len(head.columns)) == (2, 2)

        def texts(row: int, col: int, head: Any = head) -> list[str]:
            return [p.text for p in head.cell(row, col).paragraphs if p.text]

        assert texts(0, 0) == ["UBND TỈNH ĐẮK LẮK", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"]
        assert texts(0, 1) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
        # the number and the dateline on one row: they stand level, as NĐ 30 draws them
        assert texts(1, 0) == [f"Số: …/{kind}-SKHCN"]
        assert texts(1, 1) == [DEMO_DATE]
        assert all(r.italic for r in head.cell(1, 1).paragraphs[0].runs)
        assert all(r.bold for r in head.cell(0, 0).paragraphs[1].runs)
        # the short rules: a top border on an empty paragraph under the office and the motto
        rules = head._tbl.findall(".//" + qn("w:pBdr"))
        assert len(rules) == 2
        borders = head._tbl.find(qn("w:tblPr") + "/" + qn("w:tblBorders"))
        assert {b.get(qn("w:val")) for b in borders} == {"nil"}


def test_title_addressee_closing_and_signature(outputs: dict[str, Path]) -> None:
    d = docx.Document(str(outputs["Bao-cao-tuan-2026-W23.docx"]))
    texts = [p.text for p in d.paragraphs]
    i = texts.index("BÁO CÁO")
    assert texts[i + 1].startswith("Tiến độ thực hiện nhiệm vụ") and "tuần 23/2026" in texts[i + 1]
    assert "Kính gửi: Ủy ban nhân dân tỉnh Đắk Lắk." in texts
    assert any(t.endswith("./.") for t in texts)
    assert [t for t in texts if re.match(r"^[IVX]+\. ", t)][:4] == [
        "I. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ",
        "II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ",
        "III. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ CỦA CÁC ĐƠN VỊ",
        "IV. ĐỀ XUẤT, KIẾN NGHỊ",
    ]
    close = d.tables[1]
    left = [p for p in close.cell(0, 0).paragraphs if p.text]
    assert left[0].text == "Nơi nhận:"
    assert all(r.bold and r.italic and r.font.size.pt == 12 for r in left[0].runs)
    assert [p.text for p in left[1:]] == [
        "- Như trên;", "- UBND tỉnh (để b/c);", "- Giám đốc Sở (để b/c);", "- Lưu: VT, VP."
    ]  # fmt: skip
    assert {r.font.size.pt for p in left[1:] for r in p.runs} == {11}
    sign = [p.text for p in close.cell(0, 1).paragraphs if p.text.strip()]
    assert sign == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Văn Bình"]


def test_plan_is_addressed_to_no_one_and_says_who_receives_it(outputs: dict[str, Path]) -> None:
    """A kế hoạch has no "Kính gửi" (NĐ 30), so its "Nơi nhận" cannot say "Như trên"."""
    d = docx.Document(str(outputs["Ke-hoach-chi-tiet-2026-06.docx"]))
    texts = [p.text for p in d.paragraphs]
    assert not any(t.startswith("Kính gửi") for t in texts)
    assert "Trên đây là Kế hoạch thực hiện nhiệm vụ tháng 6/2026; đề nghị" in "\n".join(texts)
    left = [p.text for p in d.tables[1].cell(0, 0).paragraphs if p.text]
    assert left[:3] == [
        "Nơi nhận:",
        "- Ủy ban nhân dân tỉnh Đắk Lắk (để b/c);",
        "- Các sở, ban, ngành, UBND các xã, phường (để th/h);",
    ]
    assert "- Như trên;" not in left


def _appendices(d: Any) -> list[tuple[Any, list[str]]]:
    """(section, its first paragraphs) for every section after the first."""
    out = []
    body = list(d.element.body)
    starts = [0] + [
        i + 1 for i, el in enumerate(body) if el.find(".//" + qn("w:sectPr")) is not None
    ]
    for s, start in zip(d.sections[1:], starts[1:], strict=False):
        paras = []
        for el in body[start : start + 4]:
            if el.tag == qn("w:p"):
                paras.append("".join(t.text or "" for t in el.iter(qn("w:t"))))
        out.append((s, paras))
    return out


@pytest.mark.parametrize(
    ("name", "appendices", "caption"),
    [
        ("Bao-cao-tuan-2026-W23.docx", ["I", "II", "III"], "Báo cáo số …/BC-SKHCN ngày 05/06/2026"),
        ("Bao-cao-du-an-2026-06-1.docx", ["I", "II"], "Báo cáo số …/BC-SKHCN ngày 06/06/2026"),
        ("Ke-hoach-chi-tiet-2026-06.docx", ["I", "II"], "Kế hoạch số …/KH-SKHCN ngày 05/06/2026"),
    ],
)
def test_appendices_are_landscape_sections_with_repeated_headers(
    outputs: dict[str, Path], name: str, appendices: list[str], caption: str
) -> None:
    d = docx.Document(str(outputs[name]))
    found = _appendices(d)
    assert [paras[0] for _, paras in found] == [f"Phụ lục {n}" for n in appendices]
    for section, paras in found:
        assert section.orientation == WD_ORIENT.LANDSCAPE
        assert mm(section.page_width) == 297
        assert paras[2] == f"(Kèm theo {caption} của Sở Khoa học và Công nghệ)"
        pg = section._sectPr.find(qn("w:pgNumType"))
        assert pg is not None and pg.get(qn("w:start")) == "1"
    tables = d.tables[2:]
    assert len(tables) == len(appendices)
    for t in tables:
        first = t.rows[0]._tr
        assert first.find(qn("w:trPr") + "/" + qn("w:tblHeader")) is not None
        assert first.xpath("string(.)").startswith("STT")


def test_page_number_field_in_every_header_not_on_first_pages(outputs: dict[str, Path]) -> None:
    d = docx.Document(str(outputs["Bao-cao-tuan-2026-W23.docx"]))
    for s in d.sections:
        instr = [t.text for t in s.header._element.iter(qn("w:instrText"))]
        assert instr == [" PAGE "]
        assert s.header.paragraphs[0].alignment == 1  # centred
        assert not s.first_page_header._element.xpath("string(.)").strip()


def shown(cell: Any) -> str:
    """What a cell shows: its text ("18,7", a fraction) or its whole number the Vietnamese way."""
    return cell if isinstance(cell, str) else fmt_num(cell)


def _workbook_figures(path: Path) -> dict[str, Any]:
    ws = openpyxl.load_workbook(path, read_only=True)["Tổng hợp"]
    out: dict[str, Any] = {}
    for row in ws.iter_rows(values_only=True):
        if row[1] and isinstance(row[1], str) and row[1] not in out:
            out[row[1]] = row
    return out


def test_weekly_body_figures_equal_the_workbook(outputs: dict[str, Path]) -> None:
    text = all_text(docx.Document(str(outputs["Bao-cao-tuan-2026-W23.docx"])))
    wb = _workbook_figures(outputs["Bao-cao-tuan-2026-W23.xlsx"])

    def cell(label: str) -> int:
        return int(wb[label][3])

    m = find(r"Có (\d+)/(\d+) đơn vị đã gửi báo cáo \(tỷ lệ ([\d,]+\u00a0%)\), trong đó (\d+) đơn vị "
             r"báo cáo đúng hạn, (\d+) đơn vị báo cáo trễ hạn; (\d+) đơn vị chưa báo cáo; (\d+) "
             r"đơn vị có báo cáo bị từ chối", text)  # fmt: skip
    expected = cell("Đơn vị phải báo cáo")
    on_time, late = cell("- Đã báo cáo đúng hạn"), cell("- Đã báo cáo trễ hạn")
    assert int(m[2]) == expected and int(m[1]) == on_time + late
    assert m[3] == fmt_pct(100 * (on_time + late) / expected)
    assert (int(m[4]), int(m[5])) == (on_time, late)
    assert (int(m[6]), int(m[7])) == (cell("- Chưa báo cáo"), cell("- Bị từ chối, chờ gửi lại"))
    total = cell("Tổng số nhiệm vụ")
    assert int(find(r"Tổng số nhiệm vụ các đơn vị báo cáo: (\d+) nhiệm vụ", text)[1]) == total
    for status in ("Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Đang thực hiện (trong hạn)",
                   "Sắp đến hạn", "Quá hạn", "Chưa triển khai", "Thường xuyên"):  # fmt: skip
        m = find(rf"- {re.escape(status)}: (\d+) nhiệm vụ \(([\d,]+\u00a0%)\)", text)
        assert int(m[1]) == cell(status), status
        assert m[2][:-2] == shown(wb[status][4])  # the cell shows what the sentence says
    m = find(r"Có (\d+)/(\d+) nhiệm vụ ghi đủ 06 rõ .*?; (\d+) nhiệm vụ lấy từ số liệu kỳ trước"
             r".*?; (\d+) nhiệm vụ trong danh mục giao chưa có", text)  # fmt: skip
    assert int(m[1]) == cell("Nhiệm vụ ghi đủ 06 rõ") and int(m[2]) == total
    assert int(m[3]) == cell("Nhiệm vụ dùng số liệu kỳ trước")
    assert int(m[4]) == cell("Nhiệm vụ trong danh mục chưa có đơn vị báo cáo")
    overdue = int(find(r"Nhiệm vụ quá hạn chưa hoàn thành: (\d+) nhiệm vụ", text)[1])
    assert overdue == cell("Quá hạn") > 0
    # Phụ lục I lists exactly the overdue tasks the workbook's "Quá hạn" sheet lists
    d = docx.Document(str(outputs["Bao-cao-tuan-2026-W23.docx"]))
    rows = [r for r in d.tables[2].rows[1:] if len(r._tr.findall(qn("w:tc"))) > 1]
    assert len(rows) == overdue


def test_projects_body_figures_equal_the_workbook(outputs: dict[str, Path]) -> None:
    text = all_text(docx.Document(str(outputs["Bao-cao-du-an-2026-06-1.docx"])))
    wb = _workbook_figures(outputs["Bao-cao-du-an-2026-06-1.xlsx"])
    total = wb["Tổng cộng"]  # first "Tổng cộng": the funds table
    m = find(r"Tổng số (\d+) dự án; kế hoạch vốn năm ([\d.,]+) triệu đồng; đã giải ngân "
             r"([\d.,]+) triệu đồng, đạt ([\d,]+)\u00a0%", text)  # fmt: skip
    assert int(m[1]) == total[3]
    assert m[2] == fmt_num(total[5]) == "66.000"  # the demo data of the default unit list
    assert number(m[3]) == total[6]
    assert m[4] == shown(total[7])
    lag = find(r"Có (\d+) dự án chậm giải ngân.*?; (\d+) dự án chưa được phê duyệt", text)
    assert (int(lag[1]), int(lag[2])) == (total[10], total[11])
    for label in ("Đầu tư công", "Sự nghiệp"):
        row = wb[label]
        m = find(rf"Nguồn {label.lower()}: (\d+) dự án, kế hoạch ([\d.,]+) triệu đồng, giải ngân "
                 r"([\d.,]+) triệu đồng", text)  # fmt: skip
        assert (int(m[1]), number(m[2]), number(m[3])) == (row[3], row[5], row[6])


def test_plan_body_figures_equal_the_workbook(outputs: dict[str, Path]) -> None:
    text = all_text(docx.Document(str(outputs["Ke-hoach-chi-tiet-2026-06.docx"])))
    total = _workbook_figures(outputs["Ke-hoach-chi-tiet-2026-06.xlsx"])["Tổng cộng"]
    due, recurring, before = total[2], total[3], total[4]
    assert int(find(r"Có (\d+) nhiệm vụ có thời hạn hoàn thành trong tháng", text)[1]) == due
    assert int(find(r"Có (\d+) nhiệm vụ thường xuyên", text)[1]) == recurring
    assert int(find(r"Có (\d+) nhiệm vụ đã quá hạn từ trước", text)[1]) == before


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_date_line_pads_day_and_the_first_two_months(day: date) -> None:
    line = date_line("Đắk Lắk", day)
    m = re.fullmatch(r"Đắk Lắk, ngày (\d\d) tháng (\d\d?) năm (\d{4})", line)
    assert m and date(int(m[3]), int(m[2]), int(m[1])) == day
    assert len(m[2]) == (2 if day.month < 3 or day.month > 9 else 1)


def test_table_cells_keep_any_text_a_unit_wrote(tmp_path: Path) -> None:
    """Cells are written as XML text and parsed in one go (speed): markup characters survive,
    characters XML cannot carry are dropped, line breaks and blanks take the general path."""
    from consolidate.core.config import init_workspace
    from consolidate.documents.nd30 import Column, OfficialDocument

    config = init_workspace(tmp_path / "ws")
    doc = OfficialDocument(config.office)
    cols = [Column("Nội dung", 80), Column("Ghi chú", 40, "center")]
    rows: list[Any] = [
        ["A & B <b>in đậm</b> \"x\" 'y'", "1.234"],
        "Nhóm: Sở Y tế",
        ["Dòng 1\nDòng 2", None],
        ["Ký tự\x0b lạ\x01", "   "],
    ]
    assert doc.table(cols, rows, 9000) == 3
    doc.save(tmp_path / "t.docx")
    table = docx.Document(str(tmp_path / "t.docx")).tables[0]
    texts = [[c.text for c in r.cells] for r in table.rows]
    assert texts[0] == ["Nội dung", "Ghi chú"]
    assert texts[1] == ["A & B <b>in đậm</b> \"x\" 'y'", "1.234"]
    assert texts[2] == ["Nhóm: Sở Y tế", "Nhóm: Sở Y tế"]  # one cell across both columns
    assert texts[3] == ["Dòng 1\nDòng 2", ""]
    assert texts[4] == ["Ký tự lạ", ""]
    for r in table.rows[1:]:
        for run in r._tr.iter(qn("w:r")):
            assert run.find(qn("w:rPr") + "/" + qn("w:rFonts")).get(qn("w:cs")) == "Times New Roman"
            assert run.find(qn("w:rPr") + "/" + qn("w:sz")).get(qn("w:val")) == "22"
    assert table.rows[1].cells[1].paragraphs[0].alignment is not None


def _internal_codes() -> set[str]:
    """Every code the reports keep as data (statuses of a unit, notes, why a project lags,
    kinds of deadline and period, indicator aggregations): lower-case identifiers that must
    be put in words before a person reads them."""
    from consolidate.calendar import deadlines, periods
    from consolidate.reports import indicators, projects, selection

    codes = set()
    for module in (deadlines, periods, indicators, projects, selection):
        for name, value in vars(module).items():
            if name.isupper() and isinstance(value, str) and re.fullmatch(r"[a-z][a-z_]+", value):
                codes.add(value)
    return codes


def _texts(path: Path) -> Iterator[str]:
    if path.suffix == ".docx":
        d = docx.Document(str(path))
        yield from all_text(d).splitlines()
        for s in d.sections:
            yield s.header._element.xpath("string(.)")
    elif path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        for ws in wb.worksheets:
            yield ws.title
            for row in ws.iter_rows(values_only=True):
                yield from (v for v in row if isinstance(v, str))
    else:
        yield path.read_text(encoding="utf-8")


def test_no_internal_code_in_any_text_a_person_reads(outputs: dict[str, Path]) -> None:
    """Documents, workbooks, the template and the answers to units: no code such as
    ``below_threshold`` (it read so in Phụ lục I of the projects document) nor any other
    snake_case identifier."""
    codes = _internal_codes()
    assert {"below_threshold", "behind_time_path", "on_time", "rejected_waiting"} <= codes
    root = next(iter(outputs.values())).parent.parent
    feedback = root / "outbox" / "phan-hoi"
    unit = sorted(p for p in feedback.iterdir() if p.is_dir())[0]
    files = [
        *sorted((root / "outbox").glob("*.docx")),
        *sorted((root / "outbox").glob("*.xlsx")),
        root / "templates" / "report_template.xlsx",
        *sorted(feedback.rglob("*.txt")),
        *sorted(unit.glob("*.xlsx")),
    ]
    kinds = {p.suffix for p in files}
    assert kinds == {".docx", ".xlsx", ".txt"} and any("Cong-van" in p.name for p in files)
    word = re.compile(r"[A-Za-z_]+")
    found = []
    for path in files:
        for text in _texts(path):
            for token in word.findall(text):
                if token in codes or re.fullmatch(r"[a-z]+(_[a-z]+)+", token):
                    found.append(f"{path.name}: {token!r} in {text[:80]!r}")
    assert not found, "\n".join(found[:20])
