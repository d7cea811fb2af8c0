"""The unit template and filled submissions, read back with openpyxl."""

from __future__ import annotations

import dataclasses
import math
import shutil
import subprocess
import time
import unicodedata
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from consolidate.core.config import Config, Unit, WeekdayTime, default_calendar, load_config
from consolidate.core.errors import OutputError
from consolidate.render.template import (
    BLANK_PRINT_ROWS,
    page_columns,
    write_submission,
    write_template,
)
from consolidate.render.template_kit import (
    COVER_FIRST_ROW,
    HEADER_ROW,
    HIDDEN_SHEET,
    LIST_FIRST_ROW,
    MIN_ROWS,
    READABLE_PAGE_WIDTH,
    UNIT_LIST_NAME,
    VERSION_LABEL,
    list_name,
)
from schemas import COVER, COVER_SHEET, GUIDE_SHEET, SHEETS, TASKS, TEMPLATE_VERSION, Kind
from schemas.columns import SIX_CLEAR, Column, SheetSpec

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "templates" / "report_template.xlsx"
FIRST_DATA_ROW = HEADER_ROW + 1


# --- helpers ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def units() -> list[Unit]:
    return load_config(REPO).units


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, units: list[Unit]) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "mẫu báo cáo.xlsx", units)


@pytest.fixture(scope="module")
def wb(template: Path) -> Workbook:
    return load_workbook(template)


def _validations(ws: Worksheet) -> list[DataValidation]:
    return list(ws.data_validations.dataValidation)


def _validation_at(ws: Worksheet, first: str, last: str) -> DataValidation:
    """The one validation whose range covers both cells."""
    found = [dv for dv in _validations(ws) if first in dv.sqref and last in dv.sqref]
    assert len(found) == 1, f"{ws.title}!{first}:{last}: {len(found)} validations"
    return found[0]


def _list_values(wb: Workbook, formula: str) -> list[str]:
    """Resolve a list validation source (a workbook name) to the listed values."""
    name = wb.defined_names[formula.lstrip("=")]
    ((sheet, ref),) = list(name.destinations)
    ws = wb[sheet]
    min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    assert min_col == max_col
    return [ws.cell(r, min_col).value for r in range(min_row, max_row + 1)]


def _data_range(spec: SheetSpec, index: int) -> tuple[str, str]:
    letter = get_column_letter(index + 1)
    last = FIRST_DATA_ROW + MIN_ROWS[spec.key] - 1
    return f"{letter}{FIRST_DATA_ROW}", f"{letter}{last}"


def _width(ws: Worksheet, index: int) -> float:
    """Width of a column (openpyxl keeps runs of equal columns under the first one)."""
    for dim in ws.column_dimensions.values():
        if dim.min is not None and dim.min <= index <= (dim.max or dim.min):
            return float(dim.width)
    raise AssertionError(f"no width for column {index} of {ws.title}")


def _content(path: Path) -> dict[str, Any]:
    """What a person or the reader sees: sheets, cell values, validations, names, layout."""
    book = load_workbook(path)
    out: dict[str, Any] = {
        "sheets": [(ws.title, ws.sheet_state) for ws in book.worksheets],
        "names": {n: book.defined_names[n].attr_text for n in book.defined_names},
    }
    for ws in book.worksheets:
        out[ws.title] = {
            "cells": {
                c.coordinate: (c.value, c.number_format)
                for row in ws.iter_rows()
                for c in row
                if c.value is not None
            },
            "validations": sorted(
                (str(dv.sqref), dv.type, dv.operator, dv.formula1, dv.formula2, dv.prompt, dv.error)
                for dv in _validations(ws)
            ),
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "freeze": ws.freeze_panes,
            "filter": ws.auto_filter.ref,
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
        }
    return out


# --- structure --------------------------------------------------------------------------


def test_sheets_in_order_and_hidden_list_sheet(wb: Workbook) -> None:
    assert wb.sheetnames == [GUIDE_SHEET, COVER_SHEET, *(s.name for s in SHEETS), HIDDEN_SHEET]
    states = {ws.title: ws.sheet_state for ws in wb.worksheets}
    assert states.pop(HIDDEN_SHEET) == "veryHidden"
    assert set(states.values()) == {"visible"}
    assert wb.active.title == GUIDE_SHEET


def test_version_stamp_in_hidden_sheet_and_properties(wb: Workbook) -> None:
    ws = wb[HIDDEN_SHEET]
    assert ws["A1"].value == VERSION_LABEL == "Phiên bản mẫu"
    assert ws["B1"].value == TEMPLATE_VERSION
    assert wb.custom_doc_props["template_version"].value == TEMPLATE_VERSION
    assert TEMPLATE_VERSION in (wb.properties.keywords or "")


def test_header_labels_are_the_spec_verbatim(wb: Workbook) -> None:
    for spec in SHEETS:
        ws = wb[spec.name]
        header = [c.value for c in ws[HEADER_ROW]]
        assert header == [c.label for c in spec.columns], spec.name
        assert all(unicodedata.is_normalized("NFC", label) for label in header)
        # Nothing between the title and the header looks like a label.
        labels = {c.label for c in spec.columns}
        for row in range(1, HEADER_ROW):
            assert not {c.value for c in ws[row]} & labels


def test_cover_labels_in_column_a_values_in_column_b(wb: Workbook, units: list[Unit]) -> None:
    ws = wb[COVER_SHEET]
    for i, field in enumerate(COVER):
        row = COVER_FIRST_ROW + i
        assert ws.cell(row, 1).value == field.label
        assert ws.cell(row, 2).value is None
        assert ws.cell(row, 2).protection.locked is False
        note = str(ws.cell(row, 3).value or "")
        assert ("Bắt buộc" in note) is field.required, field.label
    rows = {f.key: COVER_FIRST_ROW + i for i, f in enumerate(COVER)}
    unit_dv = _validation_at(ws, f"B{rows['unit']}", f"B{rows['unit']}")
    assert unit_dv.type == "list"
    assert _list_values(wb, unit_dv.formula1) == [u.name for u in units]
    date_dv = _validation_at(ws, f"B{rows['as_of']}", f"B{rows['as_of']}")
    assert date_dv.type == "date"
    assert ws.cell(rows["as_of"], 2).number_format == "dd/mm/yyyy"
    assert _validation_at(ws, f"B{rows['email']}", f"B{rows['email']}").type == "custom"
    assert ws.cell(rows["phone"], 2).number_format == "@"  # keeps the leading 0


def test_every_choice_and_unit_column_has_a_dropdown(wb: Workbook, units: list[Unit]) -> None:
    checked = 0
    for spec in SHEETS:
        ws = wb[spec.name]
        for i, col in enumerate(spec.columns):
            if col.kind not in (Kind.CHOICE, Kind.UNIT):
                continue
            dv = _validation_at(ws, *_data_range(spec, i))
            assert dv.type == "list"
            assert dv.showDropDown in (None, False)  # (Excel's inverted flag: False = shown)
            assert dv.showErrorMessage and dv.errorTitle and dv.error
            assert dv.showInputMessage and dv.prompt
            expected = list(col.choices) if col.kind is Kind.CHOICE else [u.name for u in units]
            assert _list_values(wb, dv.formula1) == expected, (spec.name, col.label)
            checked += 1
    assert checked == 5  # pillar, lead_unit, state, fund_source, stage


def test_numeric_and_date_validations(wb: Workbook) -> None:
    kinds = {Kind.PERCENT, Kind.MONEY, Kind.DATE}
    seen: set[Kind] = set()
    for spec in SHEETS:
        ws = wb[spec.name]
        for i, col in enumerate(spec.columns):
            if col.kind not in kinds:
                continue
            seen.add(col.kind)
            dv = _validation_at(ws, *_data_range(spec, i))
            assert dv.showErrorMessage and dv.error, col.label
            if col.kind is Kind.PERCENT and col.maximum is not None:
                assert dv.type == "decimal" and dv.operator in (None, "between")  # the default
                assert (float(dv.formula1), float(dv.formula2)) == (0, col.maximum) == (0, 100)
            elif col.kind in (Kind.PERCENT, Kind.MONEY):
                assert (dv.type, dv.operator, float(dv.formula1)) == (
                    "decimal",
                    "greaterThanOrEqual",
                    0,
                )
            else:
                assert dv.type == "date"
    assert seen == kinds


def test_every_column_has_help_as_prompt_and_header_comment(wb: Workbook) -> None:
    for spec in SHEETS:
        ws = wb[spec.name]
        for i, col in enumerate(spec.columns):
            dv = _validation_at(ws, *_data_range(spec, i))
            assert dv.prompt and len(dv.prompt) <= 255 and len(dv.promptTitle or "") <= 32
            assert dv.prompt.startswith("Bắt buộc" if col.required else "Không bắt buộc")
            if col.help:
                assert col.help.rstrip(".") in dv.prompt
            comment = ws.cell(HEADER_ROW, i + 1).comment
            assert comment is not None and dv.prompt in comment.text


def test_layout_formats_and_protection(wb: Workbook) -> None:
    formats = {Kind.DATE: "dd/mm/yyyy", Kind.PERCENT: "0.0", Kind.MONEY: "#,##0.0"}
    for spec in SHEETS:
        ws = wb[spec.name]
        ncols = len(spec.columns)
        assert ws.freeze_panes == f"A{FIRST_DATA_ROW}"
        assert ws.auto_filter.ref.startswith(f"A{HEADER_ROW}:{get_column_letter(ncols)}")
        assert ws.print_title_rows.replace("$", "") == f"{HEADER_ROW}:{HEADER_ROW}"
        setup = ws.page_setup
        assert (setup.paperSize, setup.orientation) == (9, "landscape")
        # Wide sheets print at 84 % across several pages (≥ 9 pt on paper), repeating the
        # name column; a narrow one fits one page width.
        width = sum(c.width for c in spec.columns)
        pages = max(1, math.ceil(width / READABLE_PAGE_WIDTH))
        if pages > 1:
            assert setup.scale == 84 and setup.pageOrder == "overThenDown"
            assert ws.print_title_cols is not None
        else:
            assert ws.sheet_properties.pageSetUpPr.fitToPage
            assert (setup.fitToWidth or 1) == 1 and setup.fitToHeight == 0  # None: default 1
        # The blank prints one page: title, note, header and 5 empty rows of the columns one
        # readable page holds; the page header says where the other columns are described.
        shown = page_columns(spec)
        assert sum(c.width for c in spec.columns[:shown]) <= READABLE_PAGE_WIDTH
        area = f"$A$1:${get_column_letter(shown)}${HEADER_ROW + BLANK_PRINT_ROWS}"
        assert ws.print_area == f"'{spec.name}'!{area}"
        if shown < ncols:
            assert (
                f"in các cột A–{get_column_letter(shown)}; đủ {ncols} cột"
                in ws.oddHeader.center.text
            )
            assert "Clear Print Area" in ws.oddHeader.center.text
        # Protected without a password, the usual table work still allowed.
        prot = ws.protection
        assert prot.sheet and not prot.password
        assert not any(
            (prot.formatColumns, prot.formatRows, prot.insertRows, prot.sort, prot.autoFilter)
        )
        last = FIRST_DATA_ROW + MIN_ROWS[spec.key] - 1
        for i, col in enumerate(spec.columns, start=1):
            head = ws.cell(HEADER_ROW, i)
            assert head.protection.locked and head.font.b
            assert abs(_width(ws, i) - col.width) < 1
            for row in (FIRST_DATA_ROW, last):
                cell = ws.cell(row, i)
                assert cell.protection.locked is False
                assert cell.border.left.style == "thin"
                assert cell.alignment.wrap_text
                if col.kind in formats:
                    assert cell.number_format == formats[col.kind], col.label
        # Required headers are visibly different; the label stays the spec label.
        fills = {
            col.required: ws.cell(HEADER_ROW, i).fill.fgColor.rgb
            for i, col in enumerate(spec.columns, start=1)
        }
        assert fills[True] != fills[False]


def test_enough_formatted_rows(wb: Workbook) -> None:
    assert MIN_ROWS["tasks"] >= 300 and MIN_ROWS["projects"] >= 100
    assert MIN_ROWS["indicators"] >= 50
    for spec in SHEETS:
        ws = wb[spec.name]
        last = FIRST_DATA_ROW + MIN_ROWS[spec.key] - 1
        assert ws.cell(last, 1).border.bottom.style == "thin"
        assert ws.auto_filter.ref.endswith(str(last))


def test_times_new_roman_everywhere(wb: Workbook) -> None:
    for ws in wb.worksheets:
        for row in ws.iter_rows(max_row=min(ws.max_row, 60)):
            for cell in row:
                assert cell.font.name == "Times New Roman", (ws.title, cell.coordinate)
                assert 9 <= cell.font.sz <= 14
    body = wb[TASKS.name].cell(FIRST_DATA_ROW, 1).font.sz
    assert 12 <= body <= 13


def test_no_formulas_anywhere(wb: Workbook) -> None:
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)


def test_guide_is_generated_from_the_spec(wb: Workbook) -> None:
    ws = wb[GUIDE_SHEET]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    for meaning in SIX_CLEAR.values():
        assert meaning[1:] in text
    for spec in SHEETS:
        for col in spec.columns:
            assert col.label in text
    for piece in ("17 giờ 00 thứ Năm", "05 và 20", "Quý III/2026", "Thường xuyên", "tệp phản hồi"):
        assert piece in text
    assert TEMPLATE_VERSION in text
    assert ws.protection.sheet and not ws.protection.password


def test_guide_follows_the_calendar(tmp_path: Path, units: list[Unit]) -> None:
    calendar = dataclasses.replace(
        default_calendar(),
        weekly_cutoff=WeekdayTime(2, dtime(16, 30)),
        twice_monthly_cutoff_days=(10, 25),
    )
    book = load_workbook(write_template(tmp_path / "t.xlsx", units, calendar=calendar))
    text = " ".join(str(c.value) for row in book[GUIDE_SHEET].iter_rows() for c in row if c.value)
    assert "16 giờ 30 thứ Tư" in text and "10 và 25" in text


def test_committed_template_is_up_to_date(template: Path) -> None:
    assert COMMITTED.is_file(), "templates/report_template.xlsx is missing"
    assert _content(COMMITTED) == _content(template), (
        "templates/report_template.xlsx is stale: regenerate it with `consolidate template` "
        "in the repository root and commit it."
    )


def test_changing_the_spec_changes_the_template(tmp_path: Path, workspace: Config) -> None:
    pillar = TASKS.column("pillar")
    new_col = Column("channel", "Kênh thực hiện", Kind.CHOICE, choices=("Trực tuyến", "Trực tiếp"))
    renamed = [
        dataclasses.replace(c, label="Lĩnh vực trọng tâm") if c is pillar else c
        for c in TASKS.columns
    ]
    columns = (*renamed, new_col)
    tasks = dataclasses.replace(TASKS, columns=columns)
    sheets = (tasks, *SHEETS[1:])
    book = load_workbook(write_template(tmp_path / "t.xlsx", workspace.units, sheets=sheets))
    ws = book[tasks.name]
    header = [c.value for c in ws[HEADER_ROW]]
    assert header == [c.label for c in columns]
    assert "Lĩnh vực trọng tâm" in header and "Lĩnh vực" not in header
    index = len(columns) - 1
    dv = _validation_at(ws, *_data_range(tasks, index))
    assert dv.formula1 == list_name(tasks, new_col)
    assert _list_values(book, dv.formula1) == ["Trực tuyến", "Trực tiếp"]
    guide = " ".join(str(c.value) for row in book[GUIDE_SHEET].iter_rows() for c in row if c.value)
    assert "Kênh thực hiện" in guide and "Trực tuyến; Trực tiếp" in guide


def test_unit_dropdown_uses_the_configured_units(tmp_path: Path) -> None:
    units = [Unit("A", "Xã Thử Nghiệm"), Unit("B", "Phường Mẫu, Số 2")]
    book = load_workbook(write_template(tmp_path / "t.xlsx", units))
    ws = book[TASKS.name]
    index = TASKS.keys.index("lead_unit")
    dv = _validation_at(ws, *_data_range(TASKS, index))
    assert dv.formula1 == UNIT_LIST_NAME
    assert _list_values(book, dv.formula1) == ["Xã Thử Nghiệm", "Phường Mẫu, Số 2"]
    assert book[HIDDEN_SHEET].cell(LIST_FIRST_ROW, 2).value == "A"


def test_no_units_still_gives_a_valid_template(tmp_path: Path) -> None:
    book = load_workbook(write_template(tmp_path / "t.xlsx", []))
    assert UNIT_LIST_NAME not in book.defined_names
    assert [c.value for c in book[TASKS.name][HEADER_ROW]] == [c.label for c in TASKS.columns]


# --- writing ----------------------------------------------------------------------------


def test_write_is_atomic_and_replaces(tmp_path: Path, units: list[Unit]) -> None:
    target = tmp_path / "mới" / "mẫu.xlsx"
    target.parent.mkdir()
    target.write_bytes(b"old")
    assert write_template(target, units) == target
    assert load_workbook(target).sheetnames[0] == GUIDE_SHEET
    assert [p.name for p in target.parent.iterdir()] == ["mẫu.xlsx"]


def test_unwritable_target_is_an_output_error(tmp_path: Path, units: list[Unit]) -> None:
    target = tmp_path / "a folder.xlsx"
    target.mkdir()
    with pytest.raises(OutputError) as err:
        write_template(target, units)
    assert "Không ghi được" in err.value.message
    assert [p.name for p in tmp_path.iterdir()] == ["a folder.xlsx"]


# --- submissions ------------------------------------------------------------------------

COVER_VALUES = {
    "unit": "Sở Khoa học và Công nghệ",
    "as_of": date(2026, 5, 28),
    "prepared_by": "Nguyễn Văn A",
    "phone": "0912345678",
    "email": "a@daklak.gov.vn",
    "approver": "Trần Thị B",
}


def _task(i: int) -> dict[str, object]:
    return {
        "stt": i,
        "task_code": f"KH05-{i:02d}",
        "task": f"Nhiệm vụ số {i}",
        "pillar": "Cải cách hành chính",
        "lead_unit": "Sở Khoa học và Công nghệ",
        "officer": "Lê Văn C",
        "authority": "Phó Giám đốc D",
        "deadline": date(2026, 6, 30) if i % 2 else "Quý III/2026",
        "deliverable": "Báo cáo",
        "progress": 60.5,
        "state": "Đang thực hiện",
        "completed_on": None,
        "note": "=SUM(A1:A2)",  # a unit's text that looks like a formula stays text
    }


def _check_submission(path: Path, tasks: list[dict[str, object]]) -> None:
    book = load_workbook(path)
    cover = book[COVER_SHEET]
    for i, field in enumerate(COVER):
        value = cover.cell(COVER_FIRST_ROW + i, 2).value
        expected = COVER_VALUES[field.key]
        if isinstance(expected, date):
            assert value == datetime(2026, 5, 28)
            assert cover.cell(COVER_FIRST_ROW + i, 2).number_format == "dd/mm/yyyy"
        else:
            assert value == expected, field.label
    ws = book[TASKS.name]
    columns = {c.value: c.column for c in ws[HEADER_ROW]}
    for r, task in enumerate(tasks, start=FIRST_DATA_ROW):
        for col in TASKS.columns:
            cell = ws.cell(r, columns[col.label])
            expected = task.get(col.key)
            if isinstance(expected, date):
                assert cell.value == datetime.combine(expected, dtime())
                assert cell.is_date and cell.number_format == "dd/mm/yyyy"
            else:
                assert cell.value == expected, (r, col.label)
            assert cell.data_type != "f"
    assert ws.cell(FIRST_DATA_ROW + len(tasks), 3).value is None
    projects = book["Dự án"]
    assert projects.cell(FIRST_DATA_ROW, 3).value == "Dự án A"
    assert projects.cell(FIRST_DATA_ROW, 7).value == 1500


@pytest.mark.parametrize("from_file", [False, True], ids=["generated", "given-template"])
def test_submission_round_trip(
    tmp_path: Path, template: Path, units: list[Unit], from_file: bool
) -> None:
    tasks = [_task(i) for i in range(1, 6)]
    rows = {"tasks": tasks, "projects": [{"project": "Dự án A", "year_plan": 1500}]}
    path = write_submission(
        tmp_path / "sub.xlsx", units, COVER_VALUES, rows, template=template if from_file else None
    )
    _check_submission(path, tasks)


def test_submission_with_more_rows_than_the_template(
    tmp_path: Path, template: Path, units: list[Unit]
) -> None:
    tasks = [_task(i) for i in range(1, 351)]
    for given in (None, template):
        path = write_submission(
            tmp_path / "big.xlsx", units, COVER_VALUES, {"tasks": tasks}, template=given
        )
        ws = load_workbook(path)[TASKS.name]
        last = ws.cell(FIRST_DATA_ROW + 349, 3)
        assert last.value == "Nhiệm vụ số 350"
        assert last.protection.locked is False and last.font.name == "Times New Roman"


def test_submission_of_300_rows_is_fast(tmp_path: Path, units: list[Unit]) -> None:
    tasks = [_task(i) for i in range(1, 301)]
    write_submission(tmp_path / "warm.xlsx", units, COVER_VALUES, {"tasks": tasks})
    start = time.perf_counter()
    write_submission(tmp_path / "sub.xlsx", units, COVER_VALUES, {"tasks": tasks})
    assert time.perf_counter() - start < 1.0


def test_submission_rejects_unknown_keys(tmp_path: Path, units: list[Unit]) -> None:
    with pytest.raises(KeyError, match=r"tasks\.progres"):
        write_submission(tmp_path / "x.xlsx", units, {}, {"tasks": [{"progres": 5}]})
    with pytest.raises(KeyError, match=r"cover\.unit_name"):
        write_submission(tmp_path / "x.xlsx", units, {"unit_name": "X"}, {})
    with pytest.raises(KeyError, match="plans"):
        write_submission(tmp_path / "x.xlsx", units, {}, {"plans": []})
    assert not (tmp_path / "x.xlsx").exists()


def test_submission_odd_values(tmp_path: Path, units: list[Unit]) -> None:
    row = {
        "task": "Việc",
        "progress": float("nan"),
        "completed_on": datetime(2026, 5, 1, 14, 30),
        "deadline": "30/06/2026",  # typed as text by a unit: stays text
        "stt": True,
    }
    ws = load_workbook(write_submission(tmp_path / "s.xlsx", units, {}, {"tasks": [row]}))[
        TASKS.name
    ]
    cells = {c.key: ws.cell(FIRST_DATA_ROW, i) for i, c in enumerate(TASKS.columns, start=1)}
    assert cells["progress"].value is None
    assert cells["completed_on"].value == datetime(2026, 5, 1, 14, 30)
    assert cells["deadline"].value == "30/06/2026" and cells["deadline"].data_type == "s"
    assert cells["stt"].value is True


# --- as a user sees it ------------------------------------------------------------------


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_renders_the_template(tmp_path: Path, template: Path) -> None:
    profile = tmp_path / "profile"
    subprocess.run(
        ["libreoffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(template)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    pdf = tmp_path / (template.stem + ".pdf")
    assert pdf.stat().st_size > 10_000
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        for label in (
            "HƯỚNG DẪN ĐIỀN MẪU BÁO CÁO",
            "Nội dung nhiệm vụ",
            "Tên dự án",
            "Tên chỉ tiêu",
        ):
            assert label in text
