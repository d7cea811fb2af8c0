"""Reliability battery (issue 6), in-process part: many files at once, identity of files,
hostile names, hostile containers with bounded memory, formula-like text, authority, and
faults while writing (disk full, report open in Excel).

Process kills and two processes at once are in ``test_reliability_faults.py``; the table
of promises and the test proving each one is ``docs/reliability.md``.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from consolidate.build import build_weekly
from consolidate.calendar.periods import parse_week
from consolidate.core.config import Config, init_workspace
from consolidate.core.errors import ConsolidateError, OutputError
from consolidate.core.findings import Report
from consolidate.core.text import clean_multiline
from consolidate.intake.ingest import ingest_bytes, ingest_paths
from consolidate.intake.reader import read_workbook
from consolidate.reports.weekly import weekly_data
from consolidate.store.db import Store
from tests.builders import cover, submission, task_row

REPO = Path(__file__).resolve().parent.parent
NOON = datetime.fromisoformat("2026-06-04T12:00:00+07:00")  # Thursday, before the cut-off
FRIDAY = datetime.fromisoformat("2026-06-05T08:00:00+07:00")
WEEK = "2026-W23"
WEEKLY_NAME = f"Bao-cao-tuan-{WEEK}.xlsx"
MiB = 1 << 20


# --- helpers --------------------------------------------------------------------------------


def _db(config: Config) -> sqlite3.Connection:
    return sqlite3.connect(config.store)


def _one(config: Config, sql: str, *args: object) -> Any:
    with _db(config) as db:
        return db.execute(sql, args).fetchone()[0]


def _codes(report: Report) -> dict[str, list[str | None]]:
    out: dict[str, list[str | None]] = {}
    for f in report.findings:
        out.setdefault(f.code, []).append(f.cell)
    return out


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _rezip(
    data: bytes,
    edit: dict[str, Callable[[bytes], bytes]] | None = None,
    add: dict[str, bytes] | None = None,
) -> bytes:
    """A copy of the workbook ``data`` with some parts edited or added (fresh ZipInfos)."""
    edit, add = edit or {}, add or {}
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(buf, "w") as zout:
        for info in zin.infolist():
            part = zin.read(info.filename)
            if info.filename in edit:
                part = edit[info.filename](part)
            zout.writestr(
                zipfile.ZipInfo(info.filename, info.date_time), part, zipfile.ZIP_DEFLATED
            )
        for name, part in add.items():
            zout.writestr(name, part, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _sheet_part(data: bytes, sheet: str) -> str:
    """Zip member holding the sheet called ``sheet`` (via workbook.xml and its rels)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        wb = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', wb)
    assert rid, sheet
    target = re.search(rf'Id="{rid[1]}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'Target="([^"]+)"[^>]*Id="{rid[1]}"', rels
    )
    assert target
    return "xl/" + target[1].lstrip("/").removeprefix("xl/")


def _variant(data: bytes, n: int) -> bytes:
    """Same workbook, different bytes (a zip comment), as when a file is saved again."""
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a") as zf:
        zf.comment = f"ban {n}".encode()
    return buf.getvalue()


def _snapshot_files(root: Path) -> dict[Path, str]:
    return {p: _sha(p.read_bytes()) for p in root.rglob("*") if p.is_file()}


def _sheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return {
            n: zf.read(n).decode("utf-8")
            for n in zf.namelist()
            if n.startswith("xl/worksheets/") and n.endswith((".xml", ".rels"))
        }


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """One clean submission (Sở KH&CN, 3 tasks) to derive hostile files from."""
    root = tmp_path_factory.mktemp("good")
    config = init_workspace(root / "ws")
    return submission(config, root / "good.xlsx", n_tasks=3).read_bytes()


# --- many files, identical files, two files of one unit, names -------------------------------


@pytest.mark.slow
def test_500_files_dropped_at_once_are_all_archived_and_answered(workspace: Config) -> None:
    inbox = workspace.inbox
    units = [u for u in workspace.units if "weekly" in u.reports][:40]
    valid: list[Path] = []
    for unit in units:  # the same file name from 40 units, in per-unit folders
        base = submission(
            workspace,
            inbox / unit.code / "bao-cao-tuan-23.xlsx",
            cover_data=cover(unit=unit.name),
            n_tasks=2,
        )
        valid.append(base)
        data = base.read_bytes()
        for n in (1, 2):  # the unit saved and sent it again, with changes
            path = inbox / unit.code / f"bao-cao-tuan-23 (lan {n}).xlsx"
            path.write_bytes(_variant(data, n))
            valid.append(path)
    for i in range(80):  # the same attachment forwarded twice
        (inbox / "chuyen-tiep" / f"ban-sao-{i}.xlsx").parent.mkdir(exist_ok=True)
        (inbox / "chuyen-tiep" / f"ban-sao-{i}.xlsx").write_bytes(valid[i].read_bytes())
    broken = inbox / "loi"
    broken.mkdir()
    for i in range(75):
        (broken / f"rong-{i}.xlsx").write_bytes(b"")  # 75 x the same (empty) bytes
        (broken / f"van-ban-{i}.xlsx").write_bytes(f"không phải sổ Excel {i}".encode())
        whole = valid[i].read_bytes()
        (broken / f"chua-tai-xong-{i}.xlsx").write_bytes(whole[: len(whole) // 2 + i])
        (broken / f"trang-web-{i}.xls").write_bytes(
            f"<html><table><tr><td>{i}</td></tr></table></html>".encode()
        )
    ignored = []
    for i in range(10):
        for name in (
            f"~$bao-cao-{i}.xlsx",
            f"bao-cao-{i}.tmp",
            f"bao-cao-{i}.xlsx.crdownload",
            f".an-{i}.xlsx",
        ):
            (inbox / name).write_bytes(b"owner or partial file")
            ignored.append(inbox / name)
    expected_files = 120 + 80 + 4 * 75
    assert expected_files == 500

    result = ingest_paths(workspace, [inbox], received_at=NOON)

    reports = result.reports
    assert len(reports) == 500  # files in = files answered
    assert (result.count("accepted"), result.count("duplicate"), result.count("rejected")) == (
        120,
        80 + 74,  # the forwarded copies, and 74 of the 75 empty files
        1 + 75 + 75 + 75,
    )
    distinct = {r.sha256 for r in reports}
    assert len(distinct) == 120 + 1 + 75 + 75 + 75
    with Store(workspace.store, workspace.archive) as store:
        assert store.pending() == []
        assert _one(workspace, "SELECT count(*) FROM verdicts") == len(distinct)
        assert _one(workspace, "SELECT count(*) FROM arrivals") == 500
        assert _one(workspace, "SELECT count(*) FROM submissions") == 120
        for sha in distinct:  # every file kept byte for byte, under its hash
            assert _sha(store.archived_path(sha).read_bytes()) == sha
    archived = [p for p in workspace.archive.rglob("*") if p.is_file()]
    assert len(archived) == len(distinct)
    for r in reports:
        if r.verdict != "duplicate":
            assert Path(r.feedback_path or "").is_file() and Path(r.summary_path or "").is_file()
    # processed files left the inbox (same names never overwrite each other); owner files stay
    left = sorted(p for p in inbox.rglob("*") if p.is_file())
    assert left == sorted(ignored)
    assert len([p for p in (workspace.root / "processed").rglob("*") if p.is_file()]) == 500


def test_identical_bytes_of_a_rejected_file_are_one_verdict(
    workspace: Config, tmp_path: Path
) -> None:
    data = submission(
        workspace, tmp_path / "a.xlsx", tasks=[task_row(1, progress=150)]
    ).read_bytes()
    first = ingest_bytes(workspace, data, "lan-1.xlsx", received_at=NOON, source="email")
    (workspace.inbox / "lan-2.xlsx").write_bytes(data)
    result = ingest_paths(workspace, [workspace.inbox], received_at=FRIDAY)
    (second,) = result.reports
    assert first.verdict == "rejected"
    assert second.verdict == "duplicate" and second.duplicate_of == "lan-1.xlsx"
    assert _codes(second) == _codes(first)  # the unit is told the same errors again
    assert second.feedback_path == first.feedback_path  # no second answer written
    assert result.exit_code == 1
    assert _one(workspace, "SELECT count(*) FROM verdicts") == 1
    assert _one(workspace, "SELECT count(*) FROM arrivals") == 2
    assert len(list((workspace.outbox / "phan-hoi").rglob("*.xlsx"))) == 1


OLDER_AT = datetime.fromisoformat("2026-06-01T09:00:00+07:00")
NEWER_AT = datetime.fromisoformat("2026-06-04T10:00:00+07:00")


@pytest.mark.parametrize(
    "how",
    ["separately, in order", "separately, newer first", "one batch", "one batch, newer first"],
)
def test_two_files_of_one_unit_newer_counts_older_is_history(
    workspace: Config, tmp_path: Path, how: str
) -> None:
    older = submission(
        workspace,
        tmp_path / "SKHCN ngay 01-06.xlsx",
        cover_data=cover(as_of=date(2026, 6, 1)),
        tasks=[task_row(i, task=f"Bản cũ {i}") for i in range(1, 4)],
    )
    newer = submission(
        workspace,
        tmp_path / "SKHCN ngay 04-06.xlsx",
        cover_data=cover(as_of=date(2026, 6, 4)),
        tasks=[task_row(i, task=f"Bản mới {i}") for i in range(1, 6)],
    )
    if how.startswith("separately"):
        steps = [(older, OLDER_AT), (newer, NEWER_AT)]
        for path, at in steps[::-1] if "newer first" in how else steps:
            (report,) = ingest_paths(workspace, [path], received_at=at).reports
            assert report.verdict == "accepted", report.errors
    else:
        paths = [newer, older] if "newer first" in how else [older, newer]
        reports = ingest_paths(workspace, paths, received_at=NOON).reports
        assert [r.verdict for r in reports] == ["accepted", "accepted"]
    newer_sha = _sha(newer.read_bytes()) if newer.exists() else None
    with Store(workspace.store, workspace.archive) as store:
        latest = store.latest_per_unit(FRIDAY)
        assert list(latest) == ["SKHCN"]
        assert latest["SKHCN"].as_of == "2026-06-04"
        if newer_sha:
            assert latest["SKHCN"].sha256 == newer_sha
        if how.startswith("separately"):  # the older one is history, still queryable
            assert (
                store.latest_per_unit(datetime.fromisoformat("2026-06-02T00:00+07:00"))[
                    "SKHCN"
                ].as_of
                == "2026-06-01"
            )
        assert _one(workspace, "SELECT count(*) FROM submissions WHERE unit_code='SKHCN'") == 2
        assert _one(workspace, "SELECT count(*) FROM tasks") == 3 + 5  # history is kept
        data = weekly_data(workspace, store, parse_week(workspace.calendar, WEEK), FRIDAY)
        assert data.selection.counts()["reported"] == 1
        assert data.tally.total == 5  # counted once: the newer snapshot only
        assert sorted(r.task or "" for r in data.detail) == [f"Bản mới {i}" for i in range(1, 6)]


HOSTILE_NAMES = [
    "../../outbox/x.xlsx",
    "..\\..\\outbox\\x.xlsx",
    "/etc/x.xlsx",
    "C:\\Windows\\System32\\x.xlsx",
    "x.xlsx:Zone.Identifier",
    "bao cao.xl\\..\\..\\outbox\\x",
    "con.xlsx",
    "tuần 23?.xlsx*",
    "",
]


def test_hostile_file_names_cannot_escape_or_overwrite(workspace: Config, tmp_path: Path) -> None:
    data = submission(workspace, tmp_path / "src.xlsx", n_tasks=2).read_bytes()
    workspace.outbox.mkdir(parents=True, exist_ok=True)
    precious = workspace.outbox / "x.xlsx"
    precious.write_bytes(b"bao cao cu cua chuyen vien")
    before = _snapshot_files(workspace.root.parent.parent)
    reports = [
        ingest_bytes(workspace, _variant(data, i), name, received_at=NOON, source="email")
        for i, name in enumerate(HOSTILE_NAMES)
    ]
    assert [r.verdict for r in reports] == ["accepted"] * len(HOSTILE_NAMES)
    after = _snapshot_files(workspace.root.parent.parent)
    for path, digest in before.items():  # nothing that existed was touched
        if path.suffix != ".sqlite" and "store" not in path.parts:
            assert after.get(path) == digest, path
    allowed = (workspace.archive, workspace.outbox / "phan-hoi", workspace.store.parent)
    for path in set(after) - set(before):  # new files only in the workspace's own folders
        assert any(path.is_relative_to(a) for a in allowed), path
    archived = sorted(p.name for p in workspace.archive.rglob("*") if p.is_file())
    assert len(archived) == len(HOSTILE_NAMES)
    for name in archived:  # storage by hash: the name gives at most a plain extension
        assert re.fullmatch(r"[0-9a-f]{64}(\.[a-z0-9]{1,9})?", name), name
    with _db(workspace) as db:  # the names are kept, as metadata
        names = [r[0] for r in db.execute("SELECT original_name FROM arrivals ORDER BY id")]
    assert names == HOSTILE_NAMES


def test_same_file_name_from_two_units_keeps_both(workspace: Config, tmp_path: Path) -> None:
    name = "Báo cáo tuần 23.xlsx"
    a = submission(workspace, tmp_path / "a" / name, n_tasks=2)
    b = submission(workspace, tmp_path / "b" / name, cover_data=cover(unit="Sở Y tế"), n_tasks=4)
    for path in (a, b):
        (workspace.inbox / path.parent.name).mkdir(parents=True, exist_ok=True)
        path.rename(workspace.inbox / path.parent.name / name)
    reports = ingest_paths(workspace, [workspace.inbox], received_at=NOON).reports
    assert sorted((r.unit_code, r.verdict) for r in reports) == [
        ("SKHCN", "accepted"),
        ("SYT", "accepted"),
    ]
    feedback = {r.feedback_path for r in reports}
    assert len(feedback) == 2 and all(Path(p or "").is_file() for p in feedback)
    moved = sorted(p.name for p in (workspace.root / "processed").rglob("*.xlsx"))
    assert moved == ["Báo cáo tuần 23 (2).xlsx", name]
    with Store(workspace.store, workspace.archive) as store:
        latest = store.latest_per_unit(FRIDAY)
        assert {k: v.original_name for k, v in latest.items()} == {"SKHCN": name, "SYT": name}
    assert _one(workspace, "SELECT count(*) FROM tasks") == 6


# --- hostile containers -----------------------------------------------------------------------


def _overlapping(data: bytes) -> bytes:
    """The central directory of the 2nd member points into the 1st member (overlap)."""
    records = [m.start() for m in re.finditer(b"PK\x01\x02", data)]
    first = int.from_bytes(data[records[0] + 42 : records[0] + 46], "little")
    out = bytearray(data)
    out[records[1] + 42 : records[1] + 46] = (first + 1).to_bytes(4, "little")
    return bytes(out)


def _zip_bomb(good: bytes, lie: bool) -> bytes:
    """The task sheet inflates to 300 MiB of zeros. ``lie``: its declared size says 1000 B."""
    part = _sheet_part(good, "Nhiệm vụ")
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as zin, zipfile.ZipFile(buf, "w") as zout:
        for info in zin.infolist():
            if info.filename == part:
                info = zipfile.ZipInfo(part)
                info.compress_type = zipfile.ZIP_DEFLATED
                with zout.open(info, "w") as fh:
                    chunk = b"\0" * MiB
                    for _ in range(300):
                        fh.write(chunk)
            else:
                zout.writestr(
                    zipfile.ZipInfo(info.filename), zin.read(info.filename), zipfile.ZIP_DEFLATED
                )
    data = buf.getvalue()
    if not lie:
        return data
    # Rewrite the central directory entry: small size, the CRC of 1000 zeros, no zip64.
    name = part.encode()
    at = data.index(b"PK\x01\x02")
    while data[at + 46 : at + 46 + len(name)] != name:
        at = data.index(b"PK\x01\x02", at + 4)
    out = bytearray(data)
    out[at + 16 : at + 20] = zlib.crc32(b"\0" * 1000).to_bytes(4, "little")
    out[at + 24 : at + 28] = (1000).to_bytes(4, "little")
    return bytes(out)


def _deflated_bomb(good: bytes) -> bytes:
    return _zip_bomb(good, lie=False)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "lollollollollollollollollollol">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<si><t>&j;</t></si></sst>"
)


def _xml_part(good: bytes, part: str, xml: str) -> bytes:
    return _rezip(good, edit={part: lambda _old: xml.encode()})


def _external_entity(good: bytes, secret: Path) -> bytes:
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>&xxe;</t></si></sst>"
    )
    return _xml_part(good, "xl/sharedStrings.xml", xml)


def _cell_at_xfd1048576(good: bytes) -> bytes:
    part = _sheet_part(good, "Nhiệm vụ")
    cell = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>cuoi</t></is></c></row>'
    return _rezip(good, edit={part: lambda x: x.replace(b"</sheetData>", cell + b"</sheetData>")})


def _xlsm_with_macros(good: bytes) -> bytes:
    def types(xml: bytes) -> bytes:
        xml = xml.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
        return xml.replace(
            b"</Types>",
            b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
        )

    def rels(xml: bytes) -> bytes:
        return xml.replace(
            b"</Relationships>",
            b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
            b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
        )

    vba = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b'Attribute VB_Name = "ThisWorkbook"\nSub Workbook_Open()\nShell "calc"\nEnd Sub'
    )
    return _rezip(
        good,
        edit={"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels},
        add={"xl/vbaProject.bin": vba},
    )


EXCEL_WEB_PAGE = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office"\r\n'
    'xmlns:x="urn:schemas-microsoft-com:office:excel"\r\n'
    'xmlns="http://www.w3.org/TR/REC-html40">\r\n<head>\r\n'
    '<meta http-equiv=Content-Type content="text/html; charset=utf-8">\r\n'
    "<meta name=ProgId content=Excel.Sheet>\r\n<!--[if gte mso 9]><xml>\r\n <x:ExcelWorkbook>"
    "<x:ExcelWorksheets><x:ExcelWorksheet><x:Name>Nhiệm vụ</x:Name></x:ExcelWorksheet>"
    "</x:ExcelWorksheets></x:ExcelWorkbook></xml><![endif]-->\r\n</head>\r\n<body>\r\n"
    "<table><tr><td>Đơn vị báo cáo</td><td>Sở Y tế</td></tr></table>\r\n</body>\r\n</html>\r\n"
)

CONTAINER_CASES: dict[str, tuple[str, str, Callable[[bytes, Path], bytes]]] = {
    # case: (file name, finding code, builder from a good file)
    "overlapping zip entries": ("a.xlsx", "container-zip-overlap", lambda g, _: _overlapping(g)),
    "cell at XFD1048576": ("a.xlsx", "sheet-too-large", lambda g, _: _cell_at_xfd1048576(g)),
    ".xlsm with macros": ("Báo cáo.xlsm", "container-macro", lambda g, _: _xlsm_with_macros(g)),
    "HTML saved as .xls (utf-8)": (
        "Báo cáo.xls",
        "container-html",
        lambda g, _: b"\xef\xbb\xbf" + EXCEL_WEB_PAGE.encode(),
    ),
    "HTML saved as .xls (utf-16)": (
        "Báo cáo.xls",
        "container-html",
        lambda g, _: EXCEL_WEB_PAGE.encode("utf-16"),
    ),
    "zip bomb": ("a.xlsx", "container-zip-bomb", lambda g, _: _deflated_bomb(g)),
    "zip bomb lying about its size": (
        "a.xlsx",
        "container-corrupt",
        lambda g, _: _zip_bomb(g, True),
    ),
    "XML entity bomb": (
        "a.xlsx",
        "container-xml-entities",
        lambda g, _: _xml_part(g, "xl/sharedStrings.xml", BILLION_LAUGHS),
    ),
    "XML external entity": ("a.xlsx", "container-xml-entities", _external_entity),
}


@pytest.fixture(scope="module")
def hostile(good: bytes, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    secret = tmp_path_factory.mktemp("secret") / "mat-khau.txt"
    secret.write_text("SECRET-7f3a9c", encoding="utf-8")
    return {case: build(good, secret) for case, (_n, _c, build) in CONTAINER_CASES.items()}


@pytest.mark.parametrize("case", list(CONTAINER_CASES))
def test_hostile_container_gets_its_own_code_and_nothing_is_stored(
    workspace: Config, hostile: dict[str, bytes], case: str
) -> None:
    name, code, _ = CONTAINER_CASES[case]
    report = ingest_bytes(workspace, hostile[case], name, received_at=NOON)
    assert report.verdict == "rejected"
    assert [f.code for f in report.errors] == [code]
    assert report.errors[0].message and report.errors[0].fix  # Vietnamese, with how to fix
    assert "SECRET-7f3a9c" not in json.dumps(report.to_dict(), ensure_ascii=False)
    assert Path(report.feedback_path or "").is_file()
    assert _one(workspace, "SELECT count(*) FROM submissions") == 0
    assert _one(workspace, "SELECT verdict FROM verdicts") == "rejected"
    with Store(workspace.store, workspace.archive) as store:  # kept byte for byte anyway
        assert store.archived_path(report.sha256).read_bytes() == hostile[case]


BOMBS = [
    "zip bomb",
    "zip bomb lying about its size",
    "XML entity bomb",
    "XML external entity",
    "cell at XFD1048576",
]
MEMORY_BUDGET = 48 * MiB  # a 300 MiB bomb inflated, or entities expanded, would blow it


@pytest.mark.parametrize("case", BOMBS)
def test_hostile_container_memory_is_bounded_in_process(
    hostile: dict[str, bytes], case: str
) -> None:
    data = hostile[case]
    tracemalloc.start()
    try:
        result = read_workbook(data, "a.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.workbook is None
    assert peak < MEMORY_BUDGET, f"{case}: peak {peak / MiB:.1f} MiB"


RSS_PROBE = r"""
import resource, sys
from pathlib import Path
from consolidate.intake.reader import read_workbook

def peak_mib():
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / (1 << 20) if sys.platform == "darwin" else kib / 1024

paths = [Path(p) for p in sys.argv[1:]]
files = [p.read_bytes() for p in paths]
read_workbook(files[0], "good.xlsx")  # warm up: imports, one normal read
base = peak_mib()
for path, data in zip(paths[1:], files[1:]):
    assert read_workbook(data, path.name).workbook is None, path
print(f"{base:.1f} {peak_mib():.1f}")
"""


@pytest.mark.skipif(sys.platform == "win32", reason="peak RSS via the POSIX resource module")
def test_hostile_containers_peak_rss_is_bounded(
    good: bytes, hostile: dict[str, bytes], tmp_path: Path
) -> None:
    paths = [tmp_path / "good.xlsx"]
    paths[0].write_bytes(good)
    for i, case in enumerate(BOMBS):
        paths.append(tmp_path / f"bomb-{i}.xlsx")
        paths[-1].write_bytes(hostile[case])
    out = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, *map(str, paths)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    base, peak = map(float, out.split())
    assert peak - base < MEMORY_BUDGET / MiB, f"peak RSS grew by {peak - base:.1f} MiB"


def test_cell_at_xfd_within_limits_is_reported_not_dropped(workspace: Config, good: bytes) -> None:
    part = _sheet_part(good, "Nhiệm vụ")
    title = '<c r="XFD1" t="inlineStr"><is><t>tiêu đề kéo dài</t></is></c>'.encode()
    data = _rezip(
        good, edit={part: lambda x: re.sub(rb'(<row r="1"[^>]*>)', rb"\1" + title, x, count=1)}
    )
    far = '<c r="XFD5" t="inlineStr"><is><t>số liệu ở cột cuối cùng</t></is></c>'.encode()
    data = _with_cell(data, "Nhiệm vụ", "R5", far)
    report = ingest_bytes(workspace, data, "xa.xlsx", received_at=NOON)
    assert report.verdict == "accepted", report.errors
    (stray,) = [f for f in report.findings if f.code == "value-outside-table"]
    assert (stray.sheet, stray.cell, stray.severity) == ("Nhiệm vụ", "XFD5", "warning")
    answer = openpyxl.load_workbook(report.feedback_path or "")  # the answer opens
    assert answer["Nhiệm vụ"]["XFD5"].comment is not None  # and points at the cell


def _with_cell(good: bytes, sheet: str, ref: str, xml: bytes) -> bytes:
    """Replace the (empty, styled) cell ``ref`` of ``sheet`` with raw cell XML."""
    part = _sheet_part(good, sheet)

    def edit(x: bytes) -> bytes:
        new, n = re.subn(rb'<c r="' + ref.encode() + rb'"[^>]*?(/>|>.*?</c>)', xml, x, count=1)
        assert n == 1, ref
        return new

    return _rezip(good, edit={part: edit})


FORMULA_CASES = {
    # case: (sheet, cell, raw cell XML)
    "cover unit as a formula": (
        "Thông tin chung",
        "B3",
        b'<c r="B3" t="str"><f>_danhmuc!A2</f></c>',
    ),
    "array formula {=...}": (
        "Nhiệm vụ",
        "L4",
        b'<c r="L4"><f t="array" ref="L4">SUM(L5:L6)</f></c>',
    ),
    "shared formula": ("Nhiệm vụ", "L5", b'<c r="L5"><f t="shared" si="0"/></c>'),
}


@pytest.mark.parametrize("case", list(FORMULA_CASES))
def test_formula_without_cached_value_is_reported_at_its_cell(
    workspace: Config, good: bytes, case: str
) -> None:
    sheet, ref, xml = FORMULA_CASES[case]
    report = ingest_bytes(workspace, _with_cell(good, sheet, ref, xml), "f.xlsx", received_at=NOON)
    assert report.verdict == "rejected"
    found = [f for f in report.findings if f.code == "formula-no-value"]
    assert [(f.sheet, f.cell) for f in found] == [(sheet, ref)]
    assert _one(workspace, "SELECT count(*) FROM submissions") == 0


def test_formula_with_a_cached_value_is_read_even_an_empty_one(
    workspace: Config, good: bytes
) -> None:
    """Excel and LibreOffice store =IF(x="";"";…) as <v></v>: a value, not a missing one."""
    data = _with_cell(good, "Nhiệm vụ", "L4", b'<c r="L4"><f>40+20</f><v>60</v></c>')
    data = _with_cell(data, "Nhiệm vụ", "R4", b'<c r="R4" t="str"><f>IF(1,"","x")</f><v></v></c>')
    data = _with_cell(data, "Nhiệm vụ", "Q5", b'<c r="Q5" t="str"><f>IF(1,"","x")</f><v/></c>')
    report = ingest_bytes(workspace, data, "f.xlsx", received_at=NOON)
    assert report.verdict == "accepted", report.errors
    assert "formula-no-value" not in _codes(report)
    with _db(workspace) as db:
        rows = db.execute("SELECT progress, note, proposal FROM tasks ORDER BY row").fetchall()
    assert rows[0][0] == 60.0 and rows[0][1] is None and rows[1][2] is None


# --- values: text that looks like a formula or a link stays text -----------------------------

FORMULA_LIKE = [
    "=1+1",
    '=HYPERLINK("http://evil.example/x","Bấm vào đây")',
    "=cmd|' /C calc'!A0",
    "+84 262 3812 345",
    "-5 hồ sơ chưa số hóa",
    "@SUM(A1:A9)",
    "\t=2+2",
    "\r=3+3",
    "Dòng 1\rDòng 2",
    "{=SUM(A1:A9)}",
    "http://evil.example/phishing",
    "https://dichvucong.daklak.gov.vn",
]


def test_formula_like_text_stays_plain_text_in_store_feedback_and_report(
    workspace: Config, tmp_path: Path
) -> None:
    tasks = [
        task_row(i, task=v, bottleneck=v, proposal=v) for i, v in enumerate(FORMULA_LIKE, start=1)
    ]
    for task in tasks:  # a 06 rõ warning on every row: the feedback copies every row
        task["officer"] = None
    path = submission(workspace, tmp_path / "a.xlsx", tasks=tasks)
    (report,) = ingest_paths(workspace, [path], received_at=NOON).reports
    assert report.verdict == "accepted", report.errors
    with _db(workspace) as db:
        stored = db.execute("SELECT task, bottleneck, proposal FROM tasks ORDER BY row").fetchall()
    assert [r[1] for r in stored] == [clean_multiline(v) for v in FORMULA_LIKE]
    assert [r[2] for r in stored] == [clean_multiline(v) for v in FORMULA_LIKE]
    assert all(isinstance(r[1], str) for r in stored)

    with Store(workspace.store, workspace.archive) as store:
        weekly = build_weekly(workspace, store, week=WEEK, now=FRIDAY).path
    answer = Path(report.feedback_path or "")
    for output in (weekly, answer):
        for name, xml in _sheet_xml(output).items():
            assert not re.search(r"<f[ >]", xml), f"{output.name}:{name} has a formula"
            assert "relationships/hyperlink" not in xml, f"{output.name}:{name} links out"
            if output == weekly:
                assert "<hyperlink" not in xml, f"{name} has a hyperlink"
        book = read_workbook(output.read_bytes(), output.name).workbook
        assert book is not None
        texts = [
            v
            for sheet in book.sheets.values()
            for cells in sheet.rows.values()
            for v in cells.values()
            if isinstance(v, str)  # text, not a Formula
        ]
        for value in FORMULA_LIKE:
            wanted = clean_multiline(value)
            assert any(wanted in clean_multiline(str(t)) for t in texts), (output.name, value)


# --- authority ------------------------------------------------------------------------------

AUTHORITY_CASES: dict[str, tuple[dict[str, Any], str]] = {
    # case: (submission() keyword arguments, finding code)
    "rows for another unit's tasks": (
        {"tasks": [task_row(1), task_row(2, lead_unit="Sở Y tế")]},
        "other-unit-task",
    ),
    "cover naming an unknown unit": (
        {"cover_data": cover(unit="Sở Không Tồn Tại")},
        "unknown-unit",
    ),
    "unit name in a legacy font no table reads": (
        {"cover_data": cover(unit="Së Y tÕ ¿¿")},
        "legacy-encoding",
    ),
    # TCVN3 is converted to Unicode (defect 3): "Së Y tÕ" is Sở Y tế, another unit.
    "lead unit in TCVN3": (
        {"tasks": [task_row(1), task_row(2, lead_unit="Së Y tÕ")]},
        "other-unit-task",
    ),
}


@pytest.mark.parametrize("case", list(AUTHORITY_CASES))
def test_authority_violation_writes_nothing_for_any_unit(
    workspace: Config, tmp_path: Path, case: str
) -> None:
    earlier = submission(
        workspace,
        tmp_path / "syt.xlsx",
        cover_data=cover(unit="Sở Y tế", as_of=date(2026, 6, 1)),
        n_tasks=3,
    )
    (syt,) = ingest_paths(workspace, [earlier], received_at=OLDER_AT).reports
    assert syt.verdict == "accepted"
    feedback_before = _snapshot_files(workspace.outbox)
    kwargs, code = AUTHORITY_CASES[case]
    bad = submission(workspace, tmp_path / "bad.xlsx", **kwargs)
    ok = submission(workspace, tmp_path / "snv.xlsx", cover_data=cover(unit="Sở Nội vụ"), n_tasks=2)

    hostile_report, snv = ingest_paths(workspace, [bad, ok], received_at=NOON).reports

    assert snv.verdict == "accepted"
    assert hostile_report.verdict == "rejected"
    assert code in _codes(hostile_report)
    assert hostile_report.unit_code in (None, "SKHCN")  # never resolved to Sở Y tế
    with Store(workspace.store, workspace.archive) as store:
        latest = store.latest_per_unit(FRIDAY)
        assert sorted(latest) == ["SNV", "SYT"]
        assert latest["SYT"].sha256 == syt.sha256  # the other unit's data is untouched
    with _db(workspace) as db:
        assert (
            db.execute(
                "SELECT count(*) FROM submissions WHERE sha256=?", (hostile_report.sha256,)
            ).fetchone()[0]
            == 0
        )
        per_unit = dict(
            db.execute(
                "SELECT s.unit_code, count(*) FROM tasks t JOIN submissions s ON s.id = t.submission_id "
                "GROUP BY s.unit_code"
            ).fetchall()
        )
    assert per_unit == {"SYT": 3, "SNV": 2}
    new_answers = set(_snapshot_files(workspace.outbox)) - set(feedback_before)
    assert not any("SYT" in p.parts for p in new_answers)  # nothing said on Sở Y tế's behalf


# --- writing reports: disk full, report open in Excel ----------------------------------------


@pytest.fixture
def weekly_ready(workspace: Config, tmp_path: Path) -> Path:
    """A workspace with one accepted file and a first weekly report in outbox/."""
    path = submission(workspace, tmp_path / "a.xlsx", n_tasks=3)
    ingest_paths(workspace, [path], received_at=NOON)
    with Store(workspace.store, workspace.archive) as store:
        first = build_weekly(workspace, store, week=WEEK, now=FRIDAY)
    assert first.path == workspace.outbox / WEEKLY_NAME
    return first.path


class _FullDisk(zipfile.ZipFile):
    """A zip writer on a disk that fills up after the first part."""

    def _full(self) -> None:
        if len(self.filelist) >= 1:
            raise OSError(errno.ENOSPC, "No space left on device")

    def write(self, *args: Any, **kwargs: Any) -> None:
        self._full()
        super().write(*args, **kwargs)

    def writestr(self, *args: Any, **kwargs: Any) -> None:
        self._full()
        super().writestr(*args, **kwargs)

    def open(self, name: Any, mode: str = "r", **kwargs: Any) -> Any:  # type: ignore[override]
        if mode == "w":
            self._full()
        return super().open(name, mode, **kwargs)


def _disk_fills_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both zip writers of our workbooks: xlsxwriter's own and the threaded one of reports."""
    monkeypatch.setattr("xlsxwriter.workbook.ZipFile", _FullDisk)
    monkeypatch.setattr("consolidate.render.xlsxzip.ZipFile", _FullDisk)


def test_disk_full_while_writing_the_weekly_report_keeps_the_previous_one(
    workspace: Config, weekly_ready: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = weekly_ready.read_bytes()
    _disk_fills_up(monkeypatch)
    with Store(workspace.store, workspace.archive) as store, pytest.raises(OutputError) as exc:
        build_weekly(workspace, store, week=WEEK, now=FRIDAY)
    assert "Không ghi được báo cáo" in exc.value.message and exc.value.hint
    assert weekly_ready.read_bytes() == previous
    assert sorted(p.name for p in workspace.outbox.iterdir() if p.is_file()) == [
        WEEKLY_NAME.replace(".xlsx", ".docx"),  # the Word report of the build that succeeded
        WEEKLY_NAME,
    ]
    monkeypatch.undo()  # space freed: the same command succeeds, nothing was lost
    with Store(workspace.store, workspace.archive) as store:
        again = build_weekly(workspace, store, week=WEEK, now=FRIDAY)
    assert again.path == weekly_ready and again.figures["tasks"]["total"] == 3


def _lock_in_excel(monkeypatch: pytest.MonkeyPatch, *locked: Path) -> None:
    real = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(dst) in locked:
            raise PermissionError(errno.EACCES, "The process cannot access the file", str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)


def test_weekly_report_open_in_excel_gets_a_versioned_name(
    workspace: Config, weekly_ready: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = weekly_ready.read_bytes()
    second = weekly_ready.with_name(f"Bao-cao-tuan-{WEEK} (2).xlsx")
    _lock_in_excel(monkeypatch, weekly_ready)
    with Store(workspace.store, workspace.archive) as store:
        result = build_weekly(workspace, store, week=WEEK, now=FRIDAY)
        assert result.path == second
        assert WEEKLY_NAME in result.note and second.name in result.note
        assert second.name in result.summary
        # (2) is now open too: the next build goes to (3), never over someone's copy
        _lock_in_excel(monkeypatch, weekly_ready, second)
        assert build_weekly(workspace, store, week=WEEK, now=FRIDAY).path.name.endswith(" (3).xlsx")
    assert weekly_ready.read_bytes() == previous
    assert openpyxl.load_workbook(second).sheetnames  # complete and readable
    assert not [p for p in workspace.outbox.iterdir() if p.name.endswith(".tmp")]


def test_cli_names_the_versioned_report_once(
    workspace: Config, weekly_ready: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from consolidate.cli import main

    _lock_in_excel(monkeypatch, weekly_ready)
    out = CliRunner().invoke(
        main, ["-w", str(workspace.root), "weekly", "--week", WEEK, "--now", "05/06/2026 08:00"]
    )
    assert out.exit_code == 0, out.output
    assert f"Đã ghi: {weekly_ready.with_name(f'Bao-cao-tuan-{WEEK} (2).xlsx')}" in out.output
    assert out.output.count("đang được mở") == 1


# --- keeping inputs when the disk is full during ingest ---------------------------------------


def _no_space(*_args: Any, **_kwargs: Any) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_disk_full_while_archiving_is_a_clean_error_and_the_file_stays_queued(
    workspace: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = submission(workspace, workspace.inbox / "SKHCN.xlsx", n_tasks=2)
    original = path.read_bytes()
    monkeypatch.setattr(os, "fsync", _no_space)  # the archive copy cannot be made durable
    with pytest.raises(ConsolidateError) as exc:
        ingest_paths(workspace, [workspace.inbox], received_at=NOON)
    assert exc.value.exit_code == 2 and exc.value.hint
    assert path.read_bytes() == original  # still queued in the inbox
    assert [p for p in workspace.archive.rglob("*") if p.is_file()] == []  # no half copies
    assert _one(workspace, "SELECT count(*) FROM files") == 0
    monkeypatch.undo()
    (report,) = ingest_paths(workspace, [workspace.inbox], received_at=NOON).reports
    assert report.verdict == "accepted" and not path.exists()


def test_disk_full_while_writing_feedback_keeps_the_verdict(
    workspace: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    submission(workspace, workspace.inbox / "SKHCN.xlsx", n_tasks=2)
    _disk_fills_up(monkeypatch)
    result = ingest_paths(workspace, [workspace.inbox], received_at=NOON)
    (report,) = result.reports
    assert report.verdict == "accepted"
    assert any("Không ghi được tệp phản hồi" in n for n in result.notes)
    assert _one(workspace, "SELECT verdict FROM verdicts") == "accepted"
    assert _one(workspace, "SELECT count(*) FROM tasks") == 2
    stored = _one(workspace, "SELECT feedback_path FROM verdicts")
    assert stored is None or Path(stored).is_file()  # never a path to an answer not written
    leftovers = [p for p in (workspace.outbox / "phan-hoi").rglob("*") if ".tmp" in p.name]
    assert leftovers == []
