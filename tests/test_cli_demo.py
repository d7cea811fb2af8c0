"""`consolidate demo` as an officer sees it: its closing lines count the same units as the
list of its weekly report, and every file it writes has the mode ordinary files get
(defect 15)."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from openpyxl import load_workbook

from tests.conftest import DemoRun

WITHOUT_REPORT = ("Chưa báo cáo", "Bị từ chối, chờ gửi lại")


def _ordinary_mode(folder: Path) -> int:
    probe = folder / "probe.txt"
    with probe.open("w") as fh:
        fh.write("x")
    mode = stat.S_IMODE(probe.stat().st_mode)
    probe.unlink()
    return mode


def test_demo_closing_lines_count_the_weekly_list_and_files_are_ordinary(
    tmp_path: Path, demo_run: DemoRun
) -> None:
    # the session's one demo run (tests/conftest.py), read as it left its files
    target, output = demo_run.root, demo_run.output
    book = load_workbook(target / "outbox" / "Bao-cao-tuan-2026-W23.xlsx", read_only=True)
    rows = list(book["Tình hình báo cáo"].iter_rows(values_only=True))
    listed = {r[1]: r[3] for r in rows if r[1] and r[3] in WITHOUT_REPORT}
    assert listed, "the demo's weekly report lists units without an accepted report"
    (line,) = [ln for ln in output.splitlines() if ln.startswith("Báo cáo tuần 23/2026")]
    m = re.match(
        r"Báo cáo tuần 23/2026: (\d+) đơn vị chưa có báo cáo được tiếp nhận — (.*)\.$", line
    )
    assert m is not None, line
    assert int(m[1]) == len(listed), (line, listed)
    missing = [code for code, status in listed.items() if status == "Chưa báo cáo"]
    rejected = [code for code, status in listed.items() if status != "Chưa báo cáo"]
    named = re.findall(r"\(([^)]*)\)", m[2])
    assert sorted(c for group in named for c in group.split(", ")) == sorted(listed)
    assert f"{len(missing)} không gửi" in m[2]
    assert f"{len(rejected)} bị từ chối, chờ gửi lại" in m[2]
    assert "đơn vị không gửi:" not in output  # the old line counted the plan only

    expected = _ordinary_mode(tmp_path)
    written = [
        p
        for p in target.rglob("*")
        if p.is_file() and not p.name.startswith(".") and "store" not in p.parts
    ]
    assert len(written) > 50
    odd = {p.relative_to(target).as_posix(): oct(stat.S_IMODE(p.stat().st_mode)) for p in written}
    odd = {k: v for k, v in odd.items() if int(v, 8) != expected}
    assert odd == {}, f"expected {oct(expected)} like any file; got {odd}"
    assert os.access(target / "templates" / "report_template.xlsx", os.R_OK)
