"""Numbers the Vietnamese way everywhere a person reads: sentences and messages (core.fmt),
cells whatever the PC's regional setting (LibreOffice under an English and a Vietnamese
locale), integer chart axes, wrapped long text in ``Chi tiết``."""

from __future__ import annotations

import re
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import openpyxl
import pdfplumber
import pytest

from consolidate.build import build_projects, build_weekly
from consolidate.core.config import Config, Office
from consolidate.core.fmt import NBSP, fmt_money, fmt_num, fmt_pct
from consolidate.render.kit import VI_INT, Book, count_axis, vi_number
from consolidate.store.db import Store
from tests.docs_helpers import soffice
from tests.helpers_store import add_submission, project, task

# --- sentences and messages ----------------------------------------------------------------------


def test_sentences_write_numbers_the_vietnamese_way() -> None:
    assert fmt_num(78000) == "78.000" and fmt_num(141250.0) == "141.250"  # no ".0"
    assert fmt_num(1_234_567.25, 2) == "1.234.567,25"
    assert fmt_num(81.44) == "81,4" and fmt_num(38.2, 3) == "38,2"  # no trailing zeros
    assert fmt_num(0.04) == "0" and fmt_num(-0.04) == "0"  # never "-0"
    assert fmt_pct(81.4) == f"81,4{NBSP}%" and fmt_pct(100.0) == f"100{NBSP}%"
    assert fmt_money(12864.5) == "12.865"  # halves away from zero, as a spreadsheet shows
    assert fmt_num(2.675, 2) == "2,68"  # the decimal written, not the binary float's 2.67499…


@pytest.mark.parametrize(
    ("value", "places", "held"),
    [
        (78000, 0, 78000),  # a number: the format shows 78.000
        (12865.5, 0, 12865.5),  # money: a number, shown whole (12.866)
        (81.4, 1, "81,4"),  # a fraction: text, "81,4" on any PC
        (99.96, 1, 99.96),  # shows whole at one place: a number (100)
        (38.219, 2, "38,22"),
        (-5, 0, "-5"),  # the format's last section would drop the sign
    ],
)
def test_what_a_cell_holds(value: float, places: int, held: float | str) -> None:
    assert vi_number(value, places) == held


# --- cells, whatever the regional setting -----------------------------------------------------


def _pdf_text(book: Path, locale: str, out: Path) -> str:
    """The workbook printed by LibreOffice running under ``locale`` (its own profile)."""
    out.mkdir(parents=True, exist_ok=True)
    env = {"LC_ALL": locale, "LANG": locale, "HOME": str(out), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [soffice(), f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), str(book)],
        check=True, capture_output=True, timeout=300, env=env,
    )  # fmt: skip
    with pdfplumber.open(out / (book.stem + ".pdf")) as pdf:
        return " ".join(page.extract_text() or "" for page in pdf.pages)


def test_cells_show_the_same_numbers_under_an_english_and_a_vietnamese_locale(
    tmp_path: Path,
) -> None:
    """The formats of the reports (literal dots) against Excel's usual ones (#,##0 and 0.0,
    written in the locale's separators): only the latter change with the PC."""
    path = tmp_path / "so.xlsx"
    book = Book(path, datetime(2026, 6, 5), Office())
    st = book.styles
    sh = book.sheet("Số", [18] * 6)
    sh.cells(
        [78000, 141250.0, 81.4, 1_250_000, 100.0, 38.219],
        [st.td_int, st.td_money, st.td_pct, st.tot_money, st.tot_pct, st.td_num],
    )
    plain = book.wb.add_format({"num_format": "#,##0"})
    dec = book.wb.add_format({"num_format": "0.0"})
    sh.ws.write_number(3, 0, 78000, plain)
    sh.ws.write_number(3, 1, 81.4, dec)
    book.close()
    english = _pdf_text(path, "en_US.UTF-8", tmp_path / "en")
    vietnamese = _pdf_text(path, "vi_VN.UTF-8", tmp_path / "vi")
    ours = "78.000 141.250 81,4 1.250.000 100 38,22"
    assert ours in english and ours in vietnamese
    # the control cells prove each run printed in its own locale
    assert "78,000 81.4" in english and "78.000 81,4" in vietnamese


# --- the reports' cells, charts and detail sheet -----------------------------------------------


@pytest.fixture
def store(workspace: Config) -> Iterator[Store]:
    with Store(workspace.store, workspace.archive) as s:
        yield s


LONG = (
    "Số hóa toàn bộ hồ sơ thủ tục hành chính còn hiệu lực của đơn vị, kết nối với cổng dịch vụ "
    "công của tỉnh và cập nhật dữ liệu dân cư theo Đề án 06 trước khi vận hành chính thức"
)


def _charts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [z.read(n).decode() for n in sorted(z.namelist()) if n.startswith("xl/charts/")]


def test_report_cells_charts_and_detail_read_back(workspace: Config, store: Store) -> None:
    cfg = workspace
    when = datetime(2026, 6, 4, 9, tzinfo=cfg.calendar.tz)
    add_submission(
        store, "SNV", when,
        tasks=[task(task=LONG, deadline="20/05/2026"), task(task="Việc hai", progress=37.5)],
        projects=[project(year_plan=141250.0, disbursed=78000.0),
                  project(project="Dự án hai", year_plan=5000.0, disbursed=1234.5)],
    )  # fmt: skip
    add_submission(store, "STP", when, tasks=[task(task="Việc của Sở Tư pháp")])
    now = datetime(2026, 6, 6, 9, tzinfo=cfg.calendar.tz)
    projects = build_projects(cfg, store, "2026-06/1", now=now).path
    ws = openpyxl.load_workbook(projects)["Tổng hợp"]
    total = next(r for r in ws.iter_rows() if r[1].value == "Tổng cộng")
    plan, paid, rate = total[5], total[6], total[7]
    assert (plan.value, plan.number_format) == (146250.0, VI_INT)  # shows 146.250
    assert (paid.value, paid.number_format) == (79234.5, VI_INT)  # a number, shows 79.235
    assert rate.value == fmt_num(100 * 79234.5 / 146250) == "54,2"  # text: "54,2" on any PC
    text = " ".join(c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    assert "kế hoạch vốn năm 146.250 triệu đồng" in text and "79.235 triệu đồng" in text
    assert not re.search(r"\d,\d{3}\b|\d\.\d\b", text.replace("05/06/2026", ""))
    money_charts = _charts(projects)
    escaped = VI_INT.replace(">", "&gt;").replace('"', "&quot;")
    assert money_charts and all(f'formatCode="{escaped}"' in c for c in money_charts)

    weekly = build_weekly(cfg, store, "2026-W23", now=now).path
    book = openpyxl.load_workbook(weekly)
    detail = book["Chi tiết"]
    header = [c.value for c in next(r for r in detail.iter_rows() if r[0].value == "STT")]
    col = header.index("Nội dung nhiệm vụ") + 1
    long_cell = next(c for c in detail.iter_cols(col, col).__next__() if c.value == LONG)
    assert long_cell.alignment.wrap_text
    assert detail.row_dimensions[long_cell.row].height >= 2 * 14.5  # as tall as its lines
    progress = header.index("Tiến độ (%)") + 1
    shown = {detail.cell(r, progress).value for r in range(long_cell.row, detail.max_row + 1)}
    assert "37,5" in shown  # the unit's 37.5 %, written the Vietnamese way
    for xml in _charts(weekly):  # counts: whole steps, never 0,5
        units = [float(u) for u in re.findall(r'<c:majorUnit val="([^"]+)"', xml)]
        assert units and all(u >= 1 and u == int(u) for u in units), units


@pytest.mark.parametrize(
    ("largest", "step"), [(0, 1), (3, 1), (7, 2), (12, 2), (33, 10), (198, 50), (584, 100)]
)
def test_count_axes_step_in_round_whole_numbers(largest: int, step: int) -> None:
    axis = count_axis(largest, ticks=6)
    assert (axis["min"], axis["major_unit"], axis["num_format"]) == (0, step, VI_INT)
