"""The finding-code catalogue: every code used is declared once, every declared code is used,
findings are made through it, and the officer guide lists it."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from click.testing import CliRunner

from consolidate.cli import main
from consolidate.core.codes import CATALOGUE, CODES, STAGES, finding, guide_markdown
from consolidate.core.config import Config
from tests.builders import submission, task_row

REPO = Path(__file__).resolve().parent.parent
PRODUCT = REPO / "consolidate"
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")
#: Callables that take a finding code as their first argument (ctx.add counts too).
MAKERS = {"finding", "BadValue", "add_row"}
#: Where findings may be constructed directly: the dataclass itself and the catalogue.
DIRECT = {PRODUCT / "core" / "findings.py", PRODUCT / "core" / "codes.py"}


def _sources() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(PRODUCT.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _name(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _is_maker(call: ast.Call) -> bool:
    """finding(...), BadValue(...), the rules' add_row(...) and ctx.add(...)."""
    if _name(call) in MAKERS:
        return True
    f = call.func
    return (
        isinstance(f, ast.Attribute)
        and f.attr == "add"
        and isinstance(f.value, ast.Name)
        and f.value.id == "ctx"
    )


def _code_calls() -> Iterator[tuple[str, ast.Call, str]]:
    """(where, call, code) of every call that makes a finding from a literal code."""
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _is_maker(node) and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    yield f"{path.relative_to(REPO)}:{node.lineno}", node, first.value


def _used_codes() -> dict[str, list[str]]:
    used: dict[str, list[str]] = {}
    for where, _, code in _code_calls():
        used.setdefault(code, []).append(where)
    # Codes compared against (bad.code == "unknown-unit") are used too.
    for path, tree in _sources():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Compare)
                and isinstance(node.left, ast.Attribute)
                and node.left.attr == "code"
            ):
                for right in node.comparators:
                    if isinstance(right, ast.Constant) and isinstance(right.value, str):
                        used.setdefault(right.value, []).append(
                            f"{path.relative_to(REPO)}:{node.lineno}"
                        )
    return used


def test_every_code_used_in_the_source_is_catalogued() -> None:
    used = _used_codes()
    assert len(used) >= 50  # the scan sees the call sites (about 55 codes today)
    missing = {code: where for code, where in used.items() if code not in CODES}
    assert not missing, f"codes used but not in consolidate/core/codes.py: {missing}"


def test_every_catalogued_code_is_used() -> None:
    unused = sorted(set(CODES) - set(_used_codes()))
    assert not unused, f"codes in the catalogue that nothing makes: {unused}"


def test_every_finding_maker_names_its_code_where_the_scan_sees_it() -> None:
    """A code held in a variable would hide it from the two tests above: only the
    pass-through of a BadValue (bad.code) and the helpers' own parameter are allowed."""
    hidden = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _is_maker(node) and node.args):
                continue
            first = node.args[0]
            ok = (
                (isinstance(first, ast.Constant) and isinstance(first.value, str))
                or (isinstance(first, ast.Attribute) and first.attr == "code")
                or (isinstance(first, ast.Name) and first.id == "code")
            )
            if not ok:
                hidden.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not hidden, hidden


def test_findings_are_made_through_the_catalogue() -> None:
    direct = []
    for path, tree in _sources():
        if path in DIRECT:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node) == "Finding":
                direct.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not direct, f"use consolidate.core.codes.finding (or Context.add): {direct}"


def test_a_severity_differs_from_the_catalogue_only_where_it_says_so() -> None:
    wrong = []
    for where, call, code in _code_calls():
        entry = CODES.get(code)
        if entry is None:
            continue
        given = [k.value for k in call.keywords if k.arg == "severity"]
        if _name(call) == "BadValue" and len(call.args) > 3:
            given.append(call.args[3])
        for value in given:
            if isinstance(value, ast.Constant) and value.value == entry.severity:
                wrong.append(f"{where}: {code} repeats the catalogue's severity")
            elif not entry.varies:
                wrong.append(f"{where}: {code} changes a severity the catalogue calls fixed")
    assert not wrong, wrong


def test_catalogue_entries_are_complete() -> None:
    assert len(CODES) == len(CATALOGUE)  # no code declared twice
    for c in CATALOGUE:
        assert KEBAB.match(c.code), c.code
        assert c.stage in STAGES, c.code
        assert c.severity in ("error", "warning", "info"), c.code
        assert c.title.strip() and c.fix.strip(), c.code
        assert c.fix.endswith("."), c.code


def test_finding_fills_severity_and_fix_from_the_catalogue() -> None:
    made = finding("merged-cells", "Các ô A4:B4 bị gộp.", sheet="Nhiệm vụ", cell="A4")
    entry = CODES["merged-cells"]
    assert (made.severity, made.fix) == (entry.severity, entry.fix)
    assert (made.sheet, made.cell, made.message) == ("Nhiệm vụ", "A4", "Các ô A4:B4 bị gộp.")
    precise = finding("missing-column", "Thiếu cột 'Ghi chú'.", "Thêm cột.", severity="warning")
    assert (precise.severity, precise.fix) == ("warning", "Thêm cột.")


def test_the_officer_guide_lists_the_catalogue() -> None:
    check = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "codes_doc.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    guide = (REPO / "docs" / "huong-dan-chuyen-vien.md").read_text(encoding="utf-8")
    assert guide_markdown() in guide
    for c in CATALOGUE:
        assert f"| `{c.code}` |" in guide, c.code


def test_ingest_json_findings_agree_with_the_catalogue(workspace: Config, tmp_path: Path) -> None:
    """Real files through `ingest --json`: every finding's code is catalogued, its severity
    is the catalogue's unless the catalogue says it varies, and it says how to fix it."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    submission(
        workspace,
        inbox / "loi.xlsx",
        tasks=[
            task_row(1, progress=150),
            task_row(2, officer=None),
            task_row(3, lead_unit="Sở Y tế"),
            task_row(4, state="Đã hoàn thành", progress=50, completed_on=None),
            task_row(5, deadline="31/13/2026"),
        ],
    )
    (inbox / "rong.xlsx").write_bytes(b"")
    (inbox / "trang-web.xlsx").write_bytes(b"<html><body>bao cao</body></html>")
    result = CliRunner().invoke(
        main,
        ["-w", str(workspace.root), "ingest", str(inbox), "--dry-run", "--json",
         "--received-at", "04/06/2026 16:30"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    findings = [f for r in json.loads(result.output)["reports"] for f in r["findings"]]
    codes = {f["code"] for f in findings}
    assert {"container-empty", "container-html", "out-of-range", "six-clear-missing"} <= codes
    assert {"other-unit-task", "completed-date-missing", "done-but-progress"} <= codes
    for f in findings:
        entry = CODES[f["code"]]
        assert f["severity"] == entry.severity or entry.varies, f
        assert f["fix"], f


def test_feedback_workbook_names_the_kind_of_each_finding(
    workspace: Config, tmp_path: Path
) -> None:
    """The unit's feedback says, for each finding, its catalogue title ("Loại")."""
    import openpyxl

    from consolidate.intake.ingest import ingest_paths

    path = submission(workspace, tmp_path / "a.xlsx", tasks=[task_row(1, progress=150)])
    (report,) = ingest_paths(workspace, [path]).reports
    wb = openpyxl.load_workbook(report.feedback_path or "")
    rows = [[c.value for c in row] for row in wb["Kết quả kiểm tra"].iter_rows()]
    header = next(r for r in rows if r[:3] == ["STT", "Mức độ", "Loại"])
    assert header[3:] == ["Trang", "Ô", "Nội dung", "Cách sửa", "Giá trị đã ghi"]
    listed = rows[rows.index(header) + 1 :]
    by_message = {r[5]: r for r in listed}
    for f in report.findings:
        row = by_message[f.message]
        assert row[2] == CODES[f.code].title
        assert (row[1], row[3], row[6]) == (
            {"error": "Lỗi", "warning": "Cảnh báo"}[f.severity], f.sheet, f.fix,
        )  # fmt: skip
    assert any(r[2] == "Số ngoài khoảng cho phép" and r[4] == "L4" for r in listed)
