"""Consolidation end to end: which snapshot counts, and the figures leaders read.

The figures are rebuilt here independently from the inserted rows (a small oracle written
from the issue's rules) and compared with what openpyxl reads back from the workbooks.
"""

from __future__ import annotations

import json
import random
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consolidate.build import build_plan, build_projects, build_weekly, submission_status
from consolidate.calendar.periods import PeriodError, parse_week
from consolidate.core.config import Config, Unit, init_workspace
from consolidate.core.fmt import fmt_num
from consolidate.render.wording import unit_note
from consolidate.reports.selection import EXTRA, LATE, MISSING, ON_TIME, REJECTED
from consolidate.reports.status import STATUSES
from consolidate.reports.weekly import weekly_data
from consolidate.store.db import Store
from schemas.columns import PILLARS
from tests.helpers_store import add_rejected, add_submission, project, resend, task

TZ_NAME = "Asia/Ho_Chi_Minh"
WEEKLY_SHEETS = [
    "Tổng hợp",
    "Xu hướng",
    "Quá hạn",
    "Sắp đến hạn",
    "Điểm nghẽn, kiến nghị",
    "Tình hình báo cáo",
    "Chưa có đơn vị báo cáo",
    "Chi tiết",
    "Nguồn dữ liệu",
]


@pytest.fixture
def store(workspace: Config) -> Iterator[Store]:
    with Store(workspace.store, workspace.archive) as s:
        yield s


def at(cfg: Config, y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=cfg.calendar.tz)


def friday(cfg: Config) -> datetime:
    """Friday 29/5/2026 09:30, the morning after the cut-off of week 22."""
    return at(cfg, 2026, 5, 29, 9, 30)


def rows_of(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    return all_rows(path)[sheet]


def all_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb}


def table(rows: list[tuple[Any, ...]], title: str) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """The header and body rows of the table under the section titled ``title``."""
    start = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith(title))
    header = rows[start + 1]
    body = []
    for r in rows[start + 2 :]:
        if r[1] == "Tổng cộng" or all(v is None for v in r):
            break
        body.append(r)
    return header, body


def detail_rows(path: Path) -> list[dict[str, Any]]:
    rows = rows_of(path, "Chi tiết")
    head_i = next(i for i, r in enumerate(rows) if r[0] == "STT")
    header = rows[head_i]
    return [dict(zip(header, r, strict=True)) for r in rows[head_i + 1 :] if r[0] is not None]


# --- the oracle: the rules, written independently of consolidate.py ------------------


def oracle_status(row: dict[str, Any], as_of: date, soon: int = 7) -> tuple[str, int | None]:
    if row["deadline_kind"] == "recurring":
        return "Thường xuyên", None
    end = date.fromisoformat(row["deadline_end"])
    if row["state"] == "Đã hoàn thành":
        finished = date.fromisoformat(row["completed_on"]) if row["completed_on"] else as_of
        if finished > end:
            return "Hoàn thành quá hạn", (finished - end).days
        return "Hoàn thành đúng hạn", None
    if end < as_of:
        return "Quá hạn", (as_of - end).days
    if end - as_of <= timedelta(days=soon):
        return "Sắp đến hạn", None
    if row["state"] == "Đang thực hiện":
        return "Đang thực hiện (trong hạn)", None
    return "Chưa triển khai", None


DEADLINES = ["15/05/2026", "27/05/2026", "28/05/2026", "02/06/2026", "04/06/2026", "Tháng 5/2026",
             "Tháng 6/2026", "Quý II/2026", "Quý III/2026", "Năm 2026", "Thường xuyên",
             "trước ngày 20/5/2026"]  # fmt: skip


def random_tasks(rng: random.Random, unit: str, n: int, tag: str) -> list[dict[str, Any]]:
    out = []
    for k in range(n):
        state = rng.choice(["Chưa triển khai", "Đang thực hiện", "Đã hoàn thành"])
        completed = None
        if state == "Đã hoàn thành" and rng.random() < 0.8:
            completed = (date(2026, 5, 1) + timedelta(days=rng.randint(0, 40))).isoformat()
        out.append(
            task(
                task=f"{tag} nhiệm vụ {k} của {unit}",
                pillar=rng.choice([*PILLARS, None]),
                state=state,
                completed_on=completed,
                deadline=rng.choice(DEADLINES),
                officer=None if rng.random() < 0.15 else "Nguyễn Văn A",
                deliverable=None if rng.random() < 0.1 else "Báo cáo",
                bottleneck="Thiếu nhân lực" if rng.random() < 0.2 else None,
                proposal="Bổ sung kinh phí" if rng.random() < 0.1 else None,
            )
        )
    return out


# --- which snapshot counts ---------------------------------------------------------------------


def test_reporting_classification(workspace: Config, store: Store) -> None:
    cfg = workspace
    a = lambda *x: at(cfg, *x)  # noqa: E731
    add_submission(store, "SNV", a(2026, 5, 27, 10), tasks=[task()])
    add_submission(store, "STP", a(2026, 5, 28, 18), tasks=[task()])  # after the cut-off
    add_submission(store, "SKHCN", a(2026, 5, 20, 9), tasks=[task(task="Việc tuần trước")])
    add_submission(store, "SCT", a(2026, 5, 19, 9), tasks=[task(task="Việc cũ SCT")])
    add_rejected(store, "SCT", a(2026, 5, 28, 10), n_errors=3)
    add_rejected(store, "STC", a(2026, 5, 28, 10))
    add_submission(store, "STC", a(2026, 5, 28, 15), tasks=[task()])  # corrected in time
    add_submission(store, "SYT", a(2026, 5, 27, 9), tasks=[task()])
    add_submission(store, "SYT", a(2026, 5, 29, 8), tasks=[task(), task(task="Bổ sung")])
    _, same = add_submission(store, "SXD", a(2026, 5, 20, 9), tasks=[task()])
    resend(store, same, "SXD_lan2.xlsx", a(2026, 5, 27, 9))  # the same bytes again
    add_submission(store, "CAT", a(2026, 6, 5, 9), tasks=[task()])  # next week's file
    add_submission(store, "BTCTU", a(2026, 5, 27, 9), tasks=[task()])  # owes no report
    add_submission(store, "SGDDT", a(2026, 5, 27, 9), projects=[project()])  # no tasks
    add_rejected(store, None, a(2026, 5, 28, 9), name="khong_ro_don_vi.xlsx")

    data = weekly_data(cfg, store, parse_week(cfg.calendar, "2026-W22"), friday(cfg))
    units = {u.code: u for u in data.selection.units}
    assert units["SNV"].status == ON_TIME and not units["SNV"].snapshot.carried
    assert units["STP"].status == LATE and units["STP"].snapshot.late
    assert units["SKHCN"].status == MISSING
    assert units["SKHCN"].snapshot.carried and "kỳ trước" in unit_note(units["SKHCN"], "weekly")
    assert units["SCT"].status == REJECTED and units["SCT"].snapshot.carried
    assert units["SCT"].rejected.n_errors == 3 and "chờ đơn vị sửa" in unit_note(
        units["SCT"], "weekly"
    )
    assert units["STC"].status == ON_TIME
    assert units["SYT"].status == ON_TIME and units["SYT"].snapshot.n_rows == 2
    assert "sau hạn chốt" in unit_note(units["SYT"], "weekly")
    assert units["SXD"].status == ON_TIME
    assert units["SXD"].snapshot.original_name == "SXD_lan2.xlsx"
    assert units["CAT"].status == MISSING and units["CAT"].snapshot is None
    assert units["BTCTU"].status == EXTRA and not units["BTCTU"].expected
    assert units["SGDDT"].status == MISSING and "không có số liệu nhiệm vụ" in unit_note(
        units["SGDDT"], "weekly"
    )
    assert [f.original_name for f in data.selection.unknown_files] == ["khong_ro_don_vi.xlsx"]
    counts = data.selection.counts()
    expected = len([u for u in cfg.units if "weekly" in u.reports])
    assert counts["expected"] == expected
    assert counts["on_time"] == 4 and counts["late"] == 1 and counts["rejected"] == 1
    assert counts["missing"] == expected - 6 and counts["extra"] == 1
    # Carried-forward tasks are counted and marked.
    assert data.tally.carried == 2
    assert data.tally.total == sum(s.n_rows for s in data.selection.snapshots) == 9

    out = build_weekly(cfg, store, "2026-W22", now=friday(cfg)).path
    report = {r[1]: r for r in rows_of(out, "Tình hình báo cáo") if r[1]}
    assert report["SNV"][3] == "Đúng hạn"
    assert report["STP"][3] == "Trễ hạn"
    assert report["SCT"][3] == "Bị từ chối, chờ gửi lại"
    assert report["SKHCN"][3] == "Chưa báo cáo"
    assert report["BTCTU"][3] == "Gửi thêm (ngoài danh sách)"
    uses = Counter(r["Nguồn số liệu"] for r in detail_rows(out))
    assert uses == {"Số liệu kỳ trước": 2, "Nhận sau hạn chốt": 3, None: 4}


def test_files_after_the_next_cutoff_never_change_a_week(workspace: Config, store: Store) -> None:
    cfg = workspace
    add_submission(store, "SNV", at(cfg, 2026, 5, 27, 10), tasks=[task(task="Tuần 22")])
    first = build_weekly(cfg, store, "2026-W22", now=friday(cfg)).figures
    # Week 23 closes at 17:00 on 4/6: later files belong to later weeks.
    add_submission(store, "SNV", at(cfg, 2026, 6, 4, 17, 1), tasks=[task(), task()])
    add_submission(store, "STP", at(cfg, 2026, 6, 10, 9), tasks=[task()])
    again = build_weekly(cfg, store, "2026-W22", now=at(cfg, 2026, 6, 20)).figures
    assert again["units"] == first["units"] and again["tasks"] == first["tasks"]
    # Up to that cut-off the newest file counts, as a late update of an on-time report.
    add_submission(store, "SNV", at(cfg, 2026, 6, 3, 10), tasks=[task(), task(), task()])
    data = weekly_data(cfg, store, parse_week(cfg.calendar, "2026-W22"), at(cfg, 2026, 6, 20))
    snv = next(u for u in data.selection.units if u.code == "SNV")
    assert snv.status == ON_TIME and snv.snapshot.late and snv.snapshot.n_rows == 3


def test_expected_units_are_frozen_with_the_period(workspace: Config, store: Store) -> None:
    cfg = workspace
    period = parse_week(cfg.calendar, "2026-W22")
    for unit in cfg.units[:3]:
        add_submission(store, unit.code, at(cfg, 2026, 5, 27, 9), tasks=[task()])
    before = weekly_data(cfg, store, period, friday(cfg)).selection
    # Next week the office drops most units from the list and adds a new one.
    cfg.units = [*cfg.units[:2], Unit("MOI", "Đơn vị mới", reports=("weekly",))]
    add_submission(store, "MOI", at(cfg, 2026, 5, 28, 9), tasks=[task()])
    after = weekly_data(cfg, store, period, friday(cfg)).selection
    assert [u.code for u in after.expected] == [u.code for u in before.expected]
    assert after.completeness_pct <= 100.0
    assert {u.code: u.status for u in after.units}["MOI"] == EXTRA


def test_future_week_is_refused_in_vietnamese(workspace: Config, store: Store) -> None:
    with pytest.raises(PeriodError, match="chưa bắt đầu"):
        build_weekly(workspace, store, "2026-W30", now=friday(workspace))


def test_preliminary_before_the_cutoff(workspace: Config, store: Store) -> None:
    cfg = workspace
    add_submission(store, "SNV", at(cfg, 2026, 5, 27, 10), tasks=[task()])
    result = build_weekly(cfg, store, "2026-W22", now=at(cfg, 2026, 5, 28, 11))
    assert result.figures["preliminary"] is True
    assert "tạm tính" in result.summary
    caption = " ".join(str(v) for r in rows_of(result.path, "Tổng hợp")[:12] for v in r if v)
    assert "TẠM TÍNH" in caption


# --- figures rebuilt independently --------------------------------------------------------------


def _random_week(cfg: Config, store: Store, seed: int) -> dict[str, Any]:
    """Seeded submissions for week 22; returns what the oracle needs."""
    rng = random.Random(seed)
    units = [u.code for u in cfg.units if "weekly" in u.reports]
    counted: dict[str, list[dict[str, Any]]] = {}
    status: dict[str, str] = {}
    for code in units:
        luck = rng.random()
        if luck < 0.12:
            status[code] = MISSING
            continue
        if luck < 0.18:
            add_rejected(store, code, at(cfg, 2026, 5, 28, 9))
            status[code] = REJECTED
            continue
        late = luck > 0.85
        when = at(cfg, 2026, 5, 28, 18 if late else 10) + timedelta(minutes=rng.randint(0, 300))
        earlier = rng.random() < 0.3  # an older snapshot in the same week, superseded
        if earlier:
            add_submission(
                store, code, when - timedelta(days=1), tasks=random_tasks(rng, code, 3, "cũ")
            )
        rows = random_tasks(rng, code, rng.randint(1, 9), "mới")
        add_submission(store, code, when, tasks=rows)
        counted[code] = rows
        # On time if any file of the week arrived by the cut-off (the earlier one always did).
        status[code] = ON_TIME if not late or earlier else LATE
    return {"counted": counted, "status": status, "units": units}


def test_weekly_figures_match_an_independent_count(workspace: Config, store: Store) -> None:
    cfg = workspace
    truth = _random_week(cfg, store, seed=2026)
    result = build_weekly(cfg, store, "2026-W22", now=friday(cfg))
    assert result.path.name == "Bao-cao-tuan-2026-W22.xlsx"
    assert result.path.parent == cfg.outbox
    as_of = date(2026, 5, 28)
    names = {u.code: u.name for u in cfg.units}

    per_status: Counter[str] = Counter()
    per_unit: dict[str, Counter[str]] = {}
    per_pillar: dict[str, Counter[str]] = {}
    overdue: dict[str, int] = {}
    six = 0
    for code, rows in truth["counted"].items():
        for row in rows:
            status, days = oracle_status(row, as_of)
            per_status[status] += 1
            per_unit.setdefault(code, Counter())[status] += 1
            pillar = row["pillar"] or "Chưa xác định lĩnh vực"
            per_pillar.setdefault(pillar, Counter())[status] += 1
            if status == "Quá hạn":
                overdue[row["task"]] = days
            # lead_unit is always the reporting unit here (filled in by the helper).
            six += all(row[k] for k in ("task", "officer", "authority", "deadline", "deliverable"))
    total = sum(per_status.values())
    reported = sum(1 for s in truth["status"].values() if s in (ON_TIME, LATE))
    expected = len(truth["units"])

    summary = rows_of(result.path, "Tổng hợp")
    key = {r[1]: (r[3], r[4]) for r in summary if r[1] and isinstance(r[3], (int, float))}
    assert key["Đơn vị phải báo cáo"][0] == expected
    assert key["- Đã báo cáo đúng hạn"][0] == Counter(truth["status"].values())[ON_TIME]
    assert key["- Đã báo cáo trễ hạn"][0] == Counter(truth["status"].values())[LATE]
    assert key["- Chưa báo cáo"][0] == Counter(truth["status"].values())[MISSING]
    assert key["- Bị từ chối, chờ gửi lại"][0] == Counter(truth["status"].values())[REJECTED]
    assert key["Tổng số nhiệm vụ"][0] == total
    for status in STATUSES:
        assert key[status][0] == per_status[status], status
    assert key["Nhiệm vụ ghi đủ 06 rõ"][0] == six
    assert result.figures["units"]["completeness_pct"] == round(100 * reported / expected, 1)

    header, body = table(summary, "IV.")  # per unit: the long table comes last
    assert header[4:11] == tuple(STATUSES)
    by_name = {r[1]: r for r in body}
    for code in truth["units"]:
        row = by_name[names[code]]
        if code in per_unit:
            assert row[3] == sum(per_unit[code].values())
            assert list(row[4:11]) == [per_unit[code][s] for s in STATUSES]
        else:
            assert row[3] is None
    _, pillars = table(summary, "III.")
    for r in pillars:
        assert list(r[4:11]) == [per_pillar.get(r[1], Counter())[s] for s in STATUSES]
        assert r[3] == sum(per_pillar.get(r[1], Counter()).values())

    appendix = rows_of(result.path, "Quá hạn")
    listed = {r[2]: r[5] for r in appendix if isinstance(r[0], int) and r[2]}
    assert listed == overdue

    detail = detail_rows(result.path)
    assert len(detail) == total
    assert Counter(r["Trạng thái tổng hợp"] for r in detail) == per_status


def test_projects_figures_match_an_independent_count(workspace: Config, store: Store) -> None:
    cfg = workspace
    rng = random.Random(7)
    investors = [u.code for u in cfg.units if "projects" in u.reports]
    all_rows: list[dict[str, Any]] = []
    for code in investors[:-2]:
        rows = []
        for k in range(rng.randint(1, 4)):
            plan = float(rng.choice([0, 800, 2500, 12000]))
            rows.append(
                project(
                    project=f"Dự án {k} của {code}",
                    fund_source=rng.choice(["Đầu tư công", "Sự nghiệp", "Khác"]),
                    year_plan=plan,
                    disbursed=round(plan * rng.random(), 1),
                    stage=rng.choice(
                        ["Chưa phê duyệt chủ trương đầu tư", "Đang triển khai", "Lựa chọn nhà thầu"]
                    ),
                    committed_pct=rng.choice([None, 80.0, 100.0]),
                    bottleneck=rng.choice([None, "Chậm thẩm định"]),
                )
            )
        add_submission(store, code, at(cfg, 2026, 6, 4, 10), projects=rows)
        all_rows += rows
    result = build_projects(cfg, store, "2026-06/1", now=at(cfg, 2026, 6, 6, 9))
    assert result.path.name == "Bao-cao-du-an-2026-06-1.xlsx"

    summary = rows_of(result.path, "Tổng hợp")
    _, funds = table(summary, "II.")
    got = {r[1]: r for r in funds}
    for source in {r["fund_source"] for r in all_rows}:
        mine = [r for r in all_rows if r["fund_source"] == source]
        plan = sum(r["year_plan"] for r in mine)
        paid = sum(r["disbursed"] for r in mine)
        row = got[source]
        assert row[3] == len(mine)
        assert row[5] == pytest.approx(plan) and row[6] == pytest.approx(paid)
        # a whole rate is a number; one with a decimal is the text shown on any PC ("55,7")
        rate = round(100 * paid / plan, 1) if plan else None
        assert row[7] == (rate if rate is None or rate == int(rate) else fmt_num(rate))

    path_pct = 100 * (date(2026, 6, 5) - date(2026, 1, 1)).days / 365 + 100 / 365
    lagging = {
        r["project"]
        for r in all_rows
        if r["year_plan"]
        and (
            100 * r["disbursed"] / r["year_plan"] < 30
            or 100 * r["disbursed"] / r["year_plan"] < path_pct - 10
        )
    }
    listed = {r[1] for r in rows_of(result.path, "Dự án chậm giải ngân") if isinstance(r[0], int)}
    assert listed == lagging
    no_policy = {r["project"] for r in all_rows if r["stage"] == "Chưa phê duyệt chủ trương đầu tư"}
    listed = {
        r[1] for r in rows_of(result.path, "Chưa phê duyệt chủ trương") if isinstance(r[0], int)
    }
    assert listed == no_policy
    assert result.figures["projects"]["total"] == len(all_rows)
    assert result.figures["units"]["missing"] == 2


def test_plan_groups_by_deadline_month_and_counts_per_document(
    workspace: Config, store: Store
) -> None:
    cfg = workspace
    store.replace_register(
        [
            {"code": "KH05-01", "task": "Nhiệm vụ 1", "source_doc": "Kế hoạch số 05-KH/TGV",
             "lead_unit": "SNV", "deadline": "Tháng 7/2026", "deadline_kind": "month",
             "deadline_end": "2026-07-31", "pillar": PILLARS[0]},
            {"code": "KH05-02", "task": "Nhiệm vụ 2", "source_doc": "Kế hoạch số 05-KH/TGV",
             "lead_unit": "STP", "deadline": "15/08/2026", "deadline_kind": "date",
             "deadline_end": "2026-08-15", "pillar": PILLARS[1]},
            {"code": "KH05-03", "task": "Nhiệm vụ 3", "source_doc": "Kế hoạch số 05-KH/TGV",
             "lead_unit": "STP", "deadline": "30/04/2026", "deadline_kind": "date",
             "deadline_end": "2026-04-30", "pillar": PILLARS[1]},
        ]
    )  # fmt: skip
    add_submission(
        store,
        "SNV",
        at(cfg, 2026, 5, 27, 9),
        tasks=[
            task(task="Tháng 7", task_code="KH05-01", deadline="Tháng 7/2026"),
            task(task="Quý III", deadline="Quý III/2026", source_doc="Kế hoạch 12/KH-SNV"),
            task(task="Giữa tháng 8", deadline="15/08/2026", officer=None, source_doc=None),
            task(task="Thường xuyên", deadline="Thường xuyên", source_doc=None),
            task(task="Đã quá hạn", deadline="10/05/2026", source_doc=None),
            task(task="Tháng 6", deadline="Tháng 6/2026", source_doc=None),
        ],
    )
    add_submission(store, "STP", at(cfg, 2026, 5, 27, 9), tasks=[
        task(task="Xong sớm", task_code="KH05-02", deadline="15/08/2026", state="Đã hoàn thành",
             completed_on="2026-05-20", progress=100.0)])  # fmt: skip
    result = build_plan(cfg, store, quarter="2026-Q3", now=at(cfg, 2026, 5, 29, 9))
    assert result.path.name == "Ke-hoach-chi-tiet-2026-Q3.xlsx"
    assert result.figures["by_month"] == {"Tháng 7/2026": 1, "Tháng 8/2026": 2, "Tháng 9/2026": 1}
    plan = rows_of(result.path, "Kế hoạch chi tiết")
    groups: dict[str, list[str]] = {}
    current = ""
    for r in plan:
        if isinstance(r[0], str) and re.match(r"[IVX]+\. ", r[0]):
            current = r[0].split(". ", 1)[1].split(" (")[0]
            groups[current] = []
        elif isinstance(r[0], int):
            groups[current].append(r[1])
    assert groups == {
        "THÁNG 7/2026": ["Tháng 7"],
        "THÁNG 8/2026": ["Giữa tháng 8", "Xong sớm"],
        "THÁNG 9/2026": ["Quý III"],
        "NHIỆM VỤ THƯỜNG XUYÊN": ["Thường xuyên"],
    }
    overdue = [
        r[2] for r in rows_of(result.path, "Quá hạn chưa hoàn thành") if isinstance(r[0], int)
    ]
    assert overdue == ["Đã quá hạn"]
    docs = {
        r[1]: r[2:7] for r in rows_of(result.path, "Theo văn bản giao") if isinstance(r[0], int)
    }
    # Register document: 3 tasks; due by 30/9: all 3; done: 1 (KH05-02); not reported: KH05-03.
    assert docs["Kế hoạch số 05-KH/TGV"] == (3, 3, 1, 0, 1)
    assert docs["Kế hoạch 12/KH-SNV"] == (1, 1, 0, 0, 0)
    own = docs["Nhiệm vụ đơn vị tự đề ra (không ghi văn bản giao)"]
    assert own == (4, 3, 0, 1, 0)  # "Thường xuyên" is never due by a date


def test_submission_status_is_json_and_names_who_is_missing(
    workspace: Config, store: Store
) -> None:
    cfg = workspace
    add_submission(store, "SNV", at(cfg, 2026, 5, 28, 9), tasks=[task()])
    add_rejected(store, "STP", at(cfg, 2026, 5, 28, 10))
    status = submission_status(cfg, store, now=at(cfg, 2026, 5, 28, 15))
    json.dumps(status)
    weekly = status["weekly"]
    assert weekly["period"]["key"] == "2026-W22" and weekly["open"] is True
    by_code = {u["code"]: u for u in weekly["units"]}
    assert by_code["SNV"]["status"] == "on_time" and by_code["SNV"]["file"]
    assert by_code["STP"]["status"] == "rejected" and by_code["STP"]["n_errors"] == 2
    missing = {u["code"] for u in weekly["not_reported"]}
    assert "SNV" not in missing and {"STP", "SKHCN"} <= missing
    assert status["twice_monthly"]["period"]["key"] == "2026-06/1"
    assert "Báo cáo tuần" in status["summary"]


# --- properties ------------------------------------------------------------------------------

OFFSETS = st.lists(
    st.tuples(st.integers(-14 * 24, 8 * 24), st.integers(0, 4)), min_size=0, max_size=4
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OFFSETS, min_size=1, max_size=5))
def test_every_counted_row_appears_exactly_once_in_detail(
    plan: list[list[tuple[int, int]]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cfg = init_workspace(Path(tmp) / "ws")
        period = parse_week(cfg.calendar, "2026-W22")
        now = at(cfg, 2026, 5, 29, 9)
        codes = [u.code for u in cfg.units if "weekly" in u.reports][: len(plan)]
        expected: Counter[tuple[str, str]] = Counter()
        with Store(cfg.store, cfg.archive) as store:
            for code, subs in zip(codes, plan, strict=False):
                made = []
                for k, (hours, n) in enumerate(subs):
                    when = period.cutoff + timedelta(hours=hours)
                    rows = [task(task=f"{code}-{k}-{j}") for j in range(n)]
                    add_submission(store, code, when, tasks=rows)
                    made.append((when, rows))
                usable = [(w, r) for w, r in made if r and w <= now]
                window = [(w, r) for w, r in usable if w > period.start]
                pick = window or [(w, r) for w, r in usable if w <= period.start]
                if pick:  # the newest; on equal times the one stored last
                    newest = max(reversed(pick), key=lambda x: x[0])
                    expected.update((code, r["task"]) for r in newest[1])
            path = build_weekly(cfg, store, "2026-W22", now=now).path
        names = {u.name: u.code for u in cfg.units}
        got = Counter(
            (names[r["Đơn vị báo cáo"]], r["Nội dung nhiệm vụ"]) for r in detail_rows(path)
        )
        assert got == expected
        assert max(got.values(), default=1) == 1


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000))
def test_building_the_same_period_twice_gives_the_same_content(seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cfg = init_workspace(Path(tmp) / "ws")
        with Store(cfg.store, cfg.archive) as store:
            _random_week(cfg, store, seed)
            first = build_weekly(cfg, store, "2026-W22", now=friday(cfg))
            content = all_rows(first.path)
            raw = first.path.read_bytes()
            second = build_weekly(cfg, store, "2026-W22", now=friday(cfg))
        assert second.path == first.path
        assert second.figures == first.figures
        assert list(content) == WEEKLY_SHEETS
        assert all_rows(second.path) == content
        assert second.path.read_bytes() == raw
