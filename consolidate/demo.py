"""Bundled demo: a realistic week of the province, end to end, with weeks of history.

The task register is built from the concrete tasks and deadlines in the official letters
(``shared/seeds``). Submissions for the demo units are generated deterministically from a
seed: most on time, some late, two with errors (rejected), some missing, one unit that
only reported last week (carried forward), project investors with disbursement figures.
Six earlier weeks of reports (W16–W21: on time more often week by week, some late, a few
missing or rejected then corrected) give the weekly report a meaningful ``Xu hướng`` and the
scorecard something to rank; the W23 files carry indicators (Chỉ tiêu). They are then
ingested with their e-mail times and every report is built, the scorecard and the
indicators included.
"""

from __future__ import annotations

import random
import shutil
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from consolidate.core.config import Config, Unit
from consolidate.core.files import write_atomic
from schemas import REGISTER
from schemas.columns import PILLARS

CCHC, THE_CHE, KHCN, NNL = PILLARS

KH05 = "Kế hoạch số 05-KH/TGV"
TB101 = "Thông báo số 101/TB-VPUBND"
CV_DU = "Công văn triển khai Thông báo số 05-TB/BCĐ"
CV1621 = "Công văn triển khai Công văn số 1621-CV/ĐU"

#: (code, task, source document, lead unit, deadline, pillar) — from the seed letters.
REGISTER_ROWS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("TB101-01", "Hoàn thiện dự thảo Thông báo phân công nhiệm vụ thành viên Tổ giúp việc", TB101, "SKHCN", "trước ngày 29/4/2026", KHCN),
    ("TB101-02", "Thiết kế khung báo cáo chung; tổng hợp Kế hoạch chi tiết theo tháng, quý theo nguyên tắc 06 rõ", TB101, "SKHCN", "trước ngày 29/4/2026", KHCN),
    ("TB101-03", "Tổ chức kiểm tra công tác cải cách hành chính tại các cơ quan, đơn vị, địa phương", TB101, "SNV", "Thường xuyên", CCHC),
    ("TB101-04", "Xây dựng Kế hoạch thanh tra chuyên đề trong lĩnh vực cải cách hành chính, chuyển đổi số", TB101, "TTT", "Quý III/2026", CCHC),
    ("TB101-05", "Cắt giảm, đơn giản hóa thủ tục hành chính theo Nghị quyết số 66/NQ-CP", TB101, "VPUBND", "Thường xuyên", CCHC),
    ("TB101-06", "Nghiên cứu, tham mưu triển khai Dịch vụ công trực tuyến chủ động với Viettel", TB101, "VPUBND", "Quý III/2026", KHCN),
    ("KH05-01", "Báo cáo kết quả xây dựng Kế hoạch thực hiện tháng 5, tháng 6, dự kiến quý III/2026 của các đơn vị", KH05, "SKHCN", "trước ngày 30/5/2026", KHCN),
    ("KH05-02", "Xây dựng Kế hoạch triển khai thực hiện các dự án khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số năm 2026", KH05, "SKHCN", "Tháng 6/2026", KHCN),
    ("KH05-03", "Nâng cao Chỉ số PAR INDEX; tháo gỡ điểm nghẽn về thủ tục hành chính", KH05, "SNV", "Năm 2026", CCHC),
    ("KH05-04", "Hoàn thiện thể chế về khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số năm 2026 (Kế hoạch số 51/KH-UBND)", KH05, "STP", "Năm 2026", THE_CHE),
    ("KH05-05", "Rà soát văn bản quy phạm pháp luật, đề xuất sửa đổi quy định gây điểm nghẽn", KH05, "STP", "Quý III/2026", THE_CHE),
    ("KH05-06", "Triển khai phong trào Bình dân học vụ số trong trường học", KH05, "SGDDT", "Năm 2026", NNL),
    ("KH05-07", "Đào tạo, bồi dưỡng kỹ năng số, sử dụng trí tuệ nhân tạo cho cán bộ, công chức, viên chức", KH05, "SNV", "Năm 2026", NNL),
    ("CVDU-01", "Chính sách đặc thù thu hút, tuyển dụng, đãi ngộ và trọng dụng nhân lực chuyển đổi số", CV_DU, "SNV", "trong tháng 7/2026", NNL),
    ("CVDU-02", "Cơ chế, chính sách đặc thù của tỉnh để thúc đẩy khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số", CV_DU, "STC", "trong tháng 7/2026", THE_CHE),
    ("CVDU-03", "Cơ chế hỗ trợ các Tổ công nghệ số cộng đồng", CV_DU, "SKHCN", "trong tháng 7/2026", KHCN),
    ("CVDU-04", "Đề án phát triển nhân lực khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số của tỉnh", CV_DU, "BTCTU", "trong tháng 7/2026", NNL),
    ("CVDU-05", "Phân khai, cụ thể hóa nhiệm vụ gắn với 08 bài toán lớn của tỉnh; báo cáo Ban Thường vụ Tỉnh ủy", CV_DU, "SKHCN", "trước ngày 15/6/2026", KHCN),
    ("CVDU-06", "Công bố cơ chế “luồng xanh” trong giải quyết thủ tục hành chính về đầu tư", CV_DU, "STC", "chậm nhất trong ngày 01/6/2026", CCHC),
    ("CVDU-07", "Tổ chức Hội nghị bàn giải pháp nâng cao chất lượng cải cách hành chính", CV_DU, "SNV", "trước ngày 15/6/2026", CCHC),
    ("CVDU-08", "Rà soát nhiệm vụ giải ngân; yêu cầu chủ đầu tư cam kết lộ trình giải ngân", CV_DU, "SKHCN", "trước ngày 15/6/2026", KHCN),
    ("CVDU-09", "Đề xuất phương án nâng cấp thiết bị công nghệ thông tin, hội nghị truyền hình cho xã, phường", CV_DU, "SKHCN", "Quý III/2026", KHCN),
    ("CVDU-10", "Hướng dẫn bố trí cán bộ khoa học, công nghệ, chuyển đổi số phù hợp khối lượng công việc", CV_DU, "SNV", "Quý III/2026", NNL),
    ("CVDU-11", "Đẩy nhanh xây dựng Đề án Kinh tế số của tỉnh", CV_DU, "SKHCN", "Năm 2026", KHCN),
    ("CVDU-12", "Đưa Trung tâm đổi mới sáng tạo, Sàn giao dịch khoa học và công nghệ tỉnh vào hoạt động", CV_DU, "SKHCN", "Năm 2026", KHCN),
    ("CVDU-13", "Thiết lập, vận hành ổn định Trung tâm phục vụ hành chính công cấp tỉnh, cấp xã", CV_DU, "VPUBND", "Thường xuyên", CCHC),
    ("CV1621-01", "Rà soát, đề xuất bổ sung, chuẩn hóa nhiệm vụ tại Kế hoạch số 05-KH/BCĐ", CV1621, "SKHCN", "trước ngày 23/3/2026", KHCN),
    ("CV1621-02", "Hoàn thành các nhiệm vụ có thời hạn trong Quý I/2026", CV1621, "SCT", "Quý I/2026", KHCN),
    ("CV1621-03", "Ứng dụng khoa học, công nghệ và chuyển đổi số trong sản xuất nông nghiệp", CV1621, "SNNMT", "Năm 2026", KHCN),
    ("CV1621-04", "Triển khai bệnh án điện tử và hồ sơ sức khỏe điện tử", CV1621, "SYT", "Quý III/2026", KHCN),
    ("CV1621-05", "Xây dựng cơ sở dữ liệu di sản văn hóa, du lịch số", CV1621, "SVHTTDL", "Năm 2026", KHCN),
    ("CV1621-06", "Triển khai Đề án 06 về dữ liệu dân cư, định danh và xác thực điện tử", CV1621, "CAT", "Thường xuyên", CCHC),
    ("CV1621-07", "Số hóa hồ sơ quản lý quy hoạch, cấp phép xây dựng", CV1621, "SXD", "Quý IV/2026", KHCN),
    ("CV1621-08", "Ứng dụng công nghệ số trong công tác dân tộc, tôn giáo", CV1621, "SDTTG", "Năm 2026", KHCN),
    ("CV1621-09", "Thu hút đầu tư vào Khu kinh tế Phú Yên gắn với hạ tầng số", CV1621, "BQLKKT", "Năm 2026", KHCN),
)  # fmt: skip

OWN_TASKS: tuple[tuple[str, str, str], ...] = (
    ("Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính còn hiệu lực", CCHC, "Hồ sơ được số hóa trên Hệ thống thông tin giải quyết TTHC"),
    ("Tổ chức lớp Bình dân học vụ số cho cán bộ và người dân", NNL, "Lớp tập huấn, danh sách học viên"),
    ("Rà soát, cắt giảm thành phần hồ sơ thủ tục hành chính", CCHC, "Quyết định công bố TTHC sửa đổi"),
    ("Triển khai thanh toán không dùng tiền mặt trong dịch vụ công", KHCN, "Tỷ lệ hồ sơ thanh toán trực tuyến"),
    ("Cập nhật dữ liệu dân cư phục vụ Đề án 06", CCHC, "Cơ sở dữ liệu được làm sạch"),
    ("Ban hành quy chế làm việc trên môi trường số", THE_CHE, "Quyết định ban hành quy chế"),
    ("Xây dựng mô hình thôn, buôn, khu phố số tiêu biểu", KHCN, "Mô hình được công nhận"),
    ("Bồi dưỡng kỹ năng sử dụng trí tuệ nhân tạo cho công chức", NNL, "Chứng nhận hoàn thành khóa học"),
)  # fmt: skip

BOTTLENECKS = (
    "Thiếu cán bộ chuyên trách công nghệ thông tin",
    "Đường truyền Internet tại thôn, buôn chưa ổn định",
    "Chưa được bố trí kinh phí năm 2026",
    "Phần mềm dùng chung chưa kết nối với cơ sở dữ liệu chuyên ngành",
    "Hướng dẫn của bộ, ngành trung ương chưa ban hành",
)
PROPOSALS = (
    "Đề nghị Sở Tài chính bố trí kinh phí bổ sung",
    "Đề nghị Sở Khoa học và Công nghệ hỗ trợ kỹ thuật, tập huấn",
    "Đề nghị Sở Nội vụ bổ sung biên chế chuyên trách chuyển đổi số",
    "Đề nghị UBND tỉnh chỉ đạo doanh nghiệp viễn thông mở rộng vùng phủ sóng",
)
PROJECT_NAMES = (
    "Xây dựng Trung tâm điều hành thông minh (IOC) giai đoạn 2",
    "Nâng cấp hạ tầng mạng diện rộng và an toàn thông tin",
    "Số hóa kho lưu trữ lịch sử",
    "Hệ thống camera giám sát an ninh trật tự thông minh",
    "Phần mềm quản lý hồ sơ sức khỏe điện tử",
    "Nền tảng học liệu số dùng chung",
    "Cơ sở dữ liệu đất đai và tài nguyên",
    "Hệ thống quản lý cấp phép xây dựng trực tuyến",
)
OFFICERS = (
    "Nguyễn Thị Hoa",
    "Trần Văn Bình",
    "Lê Minh Tuấn",
    "Phạm Thu Trang",
    "H'Linh Niê",
    "Y Khoa Mlô",
    "Đặng Quốc Huy",
)
LEADERS = (
    "Giám đốc",
    "Phó Giám đốc",
    "Chủ tịch UBND",
    "Phó Chủ tịch UBND",
    "Chánh Văn phòng",
    "Chánh Thanh tra",
)

#: The demo week: cut-off Thursday 04/06/2026 17:00; the officer builds on Friday morning.
DEMO_WEEK = "2026-W23"
DEMO_PROJECT_PERIOD = "2026-06/1"
DEMO_MONTH = "2026-06"
DEMO_QUARTER = "2026-Q3"


def write_register_workbook(
    path: Path, rows: Sequence[tuple[str, str, str, str, str, str]], units: Sequence[Unit]
) -> Path:
    """The register workbook as the office keeps it (one header row, one task a row)."""
    write_atomic(path, lambda tmp: _register_workbook(tmp, rows, units))
    return path


def _register_workbook(
    tmp: Path, rows: Sequence[tuple[str, str, str, str, str, str]], units: Sequence[Unit]
) -> None:
    import xlsxwriter

    names = {u.code: u.name for u in units}
    wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
    head = wb.add_format(
        {
            "bold": True,
            "font_name": "Times New Roman",
            "border": 1,
            "text_wrap": True,
            "bg_color": "#DDEBF7",
            "valign": "vcenter",
            "align": "center",
        }
    )
    cell = wb.add_format(
        {"font_name": "Times New Roman", "border": 1, "text_wrap": True, "valign": "top"}
    )
    title = wb.add_format({"bold": True, "font_name": "Times New Roman", "font_size": 14})
    ws = wb.add_worksheet(REGISTER.name)
    ws.write_string(0, 0, REGISTER.title, title)
    ws.write_string(
        1,
        0,
        "Tổng hợp từ các văn bản chỉ đạo của tỉnh (Thông báo số 101/TB-VPUBND, Kế hoạch số 05-KH/TGV, ...)",
        cell,
    )
    for c, col in enumerate(REGISTER.columns):
        ws.write_string(3, c, col.label, head)
        ws.set_column(c, c, col.width)
    for i, (code, task, source, lead, deadline, pillar) in enumerate(rows, start=1):
        values = (i, code, task, source, names.get(lead, lead), deadline, pillar)
        for c, v in enumerate(values):
            if isinstance(v, int):
                ws.write_number(3 + i, c, v, cell)
            else:
                ws.write_string(3 + i, c, v, cell)
    ws.freeze_panes(4, 0)
    ws.autofilter(3, 0, 3 + len(rows), len(REGISTER.columns) - 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    wb.close()


@dataclass
class DemoFile:
    path: Path
    received_at: datetime
    unit: str
    kind: str  # on-time, late, rejected, corrupt, previous-week


@dataclass
class DemoPlan:
    files: list[DemoFile] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _tz_moment(config: Config, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=config.calendar.tz)


def _task_rows(
    unit: Unit, rng: random.Random, as_of: date, *, register: bool
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    officer = rng.choice(OFFICERS)
    leader = f"{rng.choice(LEADERS)} {rng.choice(OFFICERS).split()[-1]}"
    chosen = [r for r in REGISTER_ROWS if r[3] == unit.code] if register else []
    own = rng.sample(OWN_TASKS, k=rng.randint(3, 6))
    for code, task, source, _lead, deadline, pillar in chosen:
        rows.append(
            {
                "task_code": code,
                "task": task,
                "source_doc": source,
                "deadline": deadline,
                "pillar": pillar,
            }
        )
    for task, pillar, deliverable in own:
        due = as_of + timedelta(days=rng.choice([-20, -6, -2, 3, 5, 12, 25, 40, 70, 120]))
        when: object = rng.choice(
            [due, due, f"Tháng {due.month}/{due.year}", "Quý III/2026", "Thường xuyên"]
        )
        rows.append(
            {
                "task": task,
                "pillar": pillar,
                "deadline": when,
                "deliverable": deliverable,
                "source_doc": "Kế hoạch của đơn vị",
            }
        )
    for i, row in enumerate(rows, start=1):
        state_roll = rng.random()
        if state_roll < 0.25:
            state, progress = "Đã hoàn thành", 100
            row["completed_on"] = as_of - timedelta(days=rng.randint(0, 30))
        elif state_roll < 0.85:
            state, progress = "Đang thực hiện", rng.choice([10, 20, 30, 45, 60, 75, 90])
        else:
            state, progress = "Chưa triển khai", 0
        row.update(
            stt=i,
            officer=None if rng.random() < 0.06 else officer,
            authority=leader,
            deliverable=row.get("deliverable")
            or ("Báo cáo, văn bản trình UBND tỉnh" if rng.random() > 0.05 else None),
            progress=progress,
            state=state,
            period_result=f"Đã hoàn thành {progress} % khối lượng" if progress else None,
            partner_units=rng.choice([None, "Sở Tài chính", "Sở Nội vụ", "Các xã, phường"]),
        )
        if rng.random() < 0.18:
            row["bottleneck"] = rng.choice(BOTTLENECKS)
            row["proposal"] = rng.choice(PROPOSALS)
    return rows


def _project_rows(unit: Unit, rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for i in range(1, rng.randint(1, 3) + 1):
        plan = float(rng.choice([1500, 3000, 5000, 8000, 12000, 25000]))
        stage = rng.choice(
            [
                "Chưa phê duyệt chủ trương đầu tư",
                "Đã phê duyệt dự án",
                "Lựa chọn nhà thầu",
                "Đang triển khai",
                "Đang triển khai",
            ]
        )
        rate = 0.0 if stage.startswith("Chưa") else rng.choice([0.05, 0.12, 0.25, 0.38, 0.52, 0.7])
        rows.append(
            {
                "stt": i,
                "project_code": f"DA-{unit.code}-{i:02d}",
                "project": rng.choice(PROJECT_NAMES),
                "big_problem": rng.choice(
                    [
                        None,
                        "Bài toán 1: Chính quyền số",
                        "Bài toán 3: Kinh tế số",
                        "Bài toán 5: Y tế số",
                    ]
                ),
                "fund_source": rng.choice(["Đầu tư công", "Đầu tư công", "Sự nghiệp"]),
                "total_investment": plan * rng.choice([1.5, 2, 3]),
                "year_plan": plan,
                "disbursed": round(plan * rate, 1),
                "stage": stage,
                "progress": int(rate * 100) + rng.choice([0, 5, 10]),
                "deadline": rng.choice(["Năm 2026", "Quý IV/2026", "30/11/2026"]),
                "committed_pct": rng.choice([None, 80, 90, 95, 100]),
                "bottleneck": rng.choice(
                    [None, None, "Chậm phê duyệt thiết kế", "Thủ tục đấu thầu kéo dài"]
                ),
                "proposal": rng.choice(
                    [
                        None,
                        "Đề nghị điều chuyển vốn cho dự án khác",
                        "Đề nghị gia hạn thời gian giải ngân",
                    ]
                ),
                "officer": rng.choice(OFFICERS),
            }
        )
    return rows


def generate(config: Config, folder: Path, seed: int = 2026) -> DemoPlan:
    """Write the demo submissions into ``folder`` and say when each one 'arrived'."""
    from consolidate.render.template import write_submission

    rng = random.Random(seed)
    plan = DemoPlan()
    weekly = [u for u in config.units if "weekly" in u.reports]
    rng.shuffle(weekly)
    n = len(weekly)
    # Roles: ~70 % on time, 3 late, 2 rejected, 1 broken file, 1 only last week, rest missing.
    late = {u.code for u in weekly[:3]}
    rejected = {u.code for u in weekly[3:5]}
    corrupt = {weekly[5].code}
    previous_only = {weekly[6].code}
    missing = {u.code for u in weekly[7 : 7 + max(2, n // 10)]}
    folder.mkdir(parents=True, exist_ok=True)
    for unit in sorted(weekly, key=lambda u: u.code):
        as_of = date(2026, 6, 4)
        slug = unit.code
        if unit.code in missing:
            plan.missing.append(unit.code)
            continue
        # Everyone who reports this week also reported the week before (history).
        prev_rows = _task_rows(
            unit, random.Random(f"{seed}-{unit.code}-prev"), date(2026, 5, 28), register=True
        )
        prev = folder / f"{slug} - Báo cáo tuần 22.xlsx"
        write_submission(prev, config.units, _cover(unit, date(2026, 5, 28)), {"tasks": prev_rows})
        plan.files.append(
            DemoFile(
                prev,
                _tz_moment(config, f"2026-05-28T{rng.randint(8, 16):02d}:{rng.randint(0, 59):02d}"),
                unit.code,
                "previous-week",
            )
        )
        if unit.code in previous_only:
            continue
        path = folder / f"{slug} - Báo cáo tuần 23.xlsx"
        if unit.code in corrupt:
            data = prev.read_bytes()
            # an attachment that did not finish downloading
            write_atomic(path, data[: len(data) // 3])
            plan.files.append(
                DemoFile(path, _tz_moment(config, "2026-06-04T15:10"), unit.code, "corrupt")
            )
            continue
        rows = _task_rows(unit, random.Random(f"{seed}-{unit.code}"), as_of, register=True)
        kind = "on-time"
        if unit.code in rejected:
            kind = "rejected"
            rows[0]["progress"] = 150
            rows[-1]["lead_unit"] = next(
                u.name for u in config.units if u.code != unit.code and u.kind == "so-ban-nganh"
            )
        sheets: dict[str, Any] = {
            "tasks": rows,
            "indicators": _indicator_rows(unit, random.Random(f"{seed}-{unit.code}-ct")),
        }
        if "projects" in unit.reports:
            sheets["projects"] = _project_rows(unit, random.Random(f"{seed}-{unit.code}-dự án"))
        write_submission(path, config.units, _cover(unit, as_of), sheets)
        when = "2026-06-04T" + (
            f"{rng.randint(19, 22)}:{rng.randint(0, 59):02d}"
            if unit.code in late
            else f"{rng.randint(8, 16):02d}:{rng.randint(0, 59):02d}"
        )
        if unit.code in late and rng.random() < 0.5:
            when = f"2026-06-05T07:{rng.randint(10, 50)}"
        plan.files.append(
            DemoFile(
                path, _tz_moment(config, when), unit.code, "late" if unit.code in late else kind
            )
        )
    return plan


#: Weeks before the demo weeks (W22, W23) with a history of reports, so that the weekly
#: report's ``Xu hướng`` and the scorecard have something to show: W16 … W21.
HISTORY_WEEKS = tuple(range(16, 22))

INDICATOR_ROWS: tuple[tuple[str, str, str, float], ...] = (
    ("CT01", "Tỷ lệ hồ sơ thủ tục hành chính được số hóa", "%", 80.0),
    ("CT02", "Số hồ sơ giải quyết trực tuyến toàn trình", "hồ sơ", 1200.0),
    ("CT03", "Số người được tập huấn kỹ năng số", "người", 500.0),
)


def _indicator_rows(unit: Unit, rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for i, (code, name, uom, target) in enumerate(INDICATOR_ROWS, start=1):
        if code == "CT03" and unit.kind == "xa-phuong" and rng.random() < 0.3:
            uom = "lượt"  # a unit counting visits, not people: flagged, not summed
        scale = 1.0 if uom == "%" else rng.choice([0.5, 1.0, 2.0])
        rows.append(
            {
                "stt": i,
                "indicator_code": code,
                "indicator": name,
                "unit_of_measure": uom,
                "target": target * scale,
                "achieved": round(target * scale * rng.uniform(0.25, 0.7), 0),
            }
        )
    return rows


def generate_history(config: Config, folder: Path, seed: int = 2026) -> list[DemoFile]:
    """Reports of the weeks before the demo week: most on time (a little more every week),
    some late, a few missing, a few rejected and sent again corrected."""
    from consolidate.calendar.periods import parse_week
    from consolidate.render.template import write_submission

    files: list[DemoFile] = []
    folder.mkdir(parents=True, exist_ok=True)
    weekly = sorted((u for u in config.units if "weekly" in u.reports), key=lambda u: u.code)
    for k, week in enumerate(HISTORY_WEEKS):
        period = parse_week(config.calendar, f"2026-W{week}")
        cutoff = period.cutoff
        for unit in weekly:
            rng = random.Random(f"{seed}-{unit.code}-w{week}")
            roll = rng.random() - 0.025 * k  # units improve week by week
            if roll > 0.86:
                continue  # missing
            if roll > 0.80:  # late: after the cut-off, before the next one
                when = cutoff + timedelta(hours=rng.randint(3, 40))
            else:
                when = cutoff - timedelta(hours=rng.randint(2, 72))
            as_of = min(cutoff.date(), (when - timedelta(hours=3)).date())
            rows = _task_rows(unit, rng, as_of, register=True)
            path = folder / f"{unit.code} - Báo cáo tuần {week}.xlsx"
            if 0.76 < roll <= 0.80:  # rejected first, corrected the same day
                bad = [dict(r) for r in rows]
                bad[0]["progress"] = 150
                wrong = folder / f"{unit.code} - Báo cáo tuần {week} (lần 1).xlsx"
                write_submission(wrong, config.units, _cover(unit, as_of), {"tasks": bad})
                files.append(DemoFile(wrong, when - timedelta(hours=2), unit.code, "rejected"))
            write_submission(path, config.units, _cover(unit, as_of), {"tasks": rows})
            files.append(DemoFile(path, when, unit.code, "late" if roll > 0.80 else "on-time"))
    return files


def _cover(unit: Unit, as_of: date) -> dict[str, Any]:
    return {
        "unit": unit.name,
        "as_of": as_of,
        "prepared_by": "Chuyên viên " + OFFICERS[zlib.crc32(unit.code.encode()) % len(OFFICERS)],
        "phone": "0262 38" + str(zlib.crc32(unit.name.encode()) % 100000).zfill(5),
        "email": f"{unit.code.lower().replace('-', '.')}@daklak.gov.vn",
        "approver": f"{LEADERS[0] if unit.kind == 'so-ban-nganh' else LEADERS[2]} {OFFICERS[(len(unit.name)) % len(OFFICERS)]}",
    }


DEMO_MARKER = ".consolidate-demo"


@dataclass
class DemoResult:
    root: Path
    plan: DemoPlan
    reports: list[Any] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: The units the demo's weekly report lists as without an accepted report (code, name,
    #: status "missing"/"rejected"): what the closing lines count.
    without_report: list[dict[str, str]] = field(default_factory=list)


def prepare_demo_workspace(directory: Path) -> Config:
    """A fresh demo workspace; refuses to wipe a folder that is not an earlier demo."""
    from consolidate.core.config import init_workspace
    from consolidate.core.errors import WorkspaceError

    if directory.exists() and any(directory.iterdir()):
        if not (directory / DEMO_MARKER).exists():
            raise WorkspaceError(
                f"Thư mục {directory} đã có dữ liệu và không phải thư mục demo.",
                "Chọn một thư mục trống, ví dụ `consolidate demo demo-moi`.",
            )
        shutil.rmtree(directory)
    config = init_workspace(directory)
    write_atomic(directory / DEMO_MARKER, "Thư mục dữ liệu mẫu của consolidate demo; có thể xóa.\n")
    return config


def run_demo(directory: Path, seed: int = 2026, progress: Any = None) -> DemoResult:
    """Template → demo submissions in inbox/ → ingest → every report in outbox/."""
    from consolidate.intake.ingest import ingest_paths
    from consolidate.intake.register import import_register
    from consolidate.render.template import write_template

    config = prepare_demo_workspace(directory)
    write_template(
        config.root / "templates" / "report_template.xlsx",
        config.units,
        calendar=config.calendar,
        office=config.office,
    )
    write_register_workbook(config.register, REGISTER_ROWS, config.units)
    import_register(config)
    plan = generate(config, config.inbox, seed)
    plan.files.extend(generate_history(config, config.inbox / "lich-su", seed))
    result = DemoResult(root=config.root, plan=plan)
    for item in sorted(plan.files, key=lambda f: f.received_at):
        got = ingest_paths(config, [item.path], received_at=item.received_at, source="email")
        result.reports.extend(got.reports)
        if progress:
            for report in got.reports:
                progress(report)
    result.outputs.extend(build_demo_reports(config, result.notes, result.without_report))
    result.outputs.extend(build_demo_history(config, result.notes))
    result.outputs.extend(build_demo_letter(config, result.notes))
    return result


def build_demo_reports(
    config: Config, notes: list[str], without_report: list[dict[str, str]] | None = None
) -> list[Path]:
    """The officer's Friday morning (and the 7th): weekly, projects and plan workbooks;
    ``without_report`` gets the weekly report's units without an accepted report."""
    from consolidate import build as cons
    from consolidate.store.db import Store

    tz = config.calendar.tz
    outputs: list[Path] = []
    with Store(config.store, config.archive) as store:
        builds = (
            cons.build_weekly(
                config, store, week=DEMO_WEEK, now=datetime(2026, 6, 5, 8, 30, tzinfo=tz)
            ),
            cons.build_projects(
                config,
                store,
                period=DEMO_PROJECT_PERIOD,
                now=datetime(2026, 6, 6, 16, 0, tzinfo=tz),
            ),
            cons.build_plan(
                config, store, month=DEMO_MONTH, now=datetime(2026, 6, 5, 9, 0, tzinfo=tz)
            ),
            cons.build_plan(
                config, store, quarter=DEMO_QUARTER, now=datetime(2026, 6, 5, 9, 0, tzinfo=tz)
            ),
        )
    for built in builds:
        outputs.extend(Path(path) for path in built.paths)
        notes.append(built.summary)
    if without_report is not None:
        without_report.extend(builds[0].figures["without_report"])
    return outputs


def build_demo_history(config: Config, notes: list[str]) -> list[Path]:
    """The views over many weeks: the scorecard of W16–W23 and the indicators."""
    from consolidate import build as cons
    from consolidate.store.db import Store

    tz = config.calendar.tz
    outputs: list[Path] = []
    with Store(config.store, config.archive) as store:
        history = (
            cons.build_scorecard(
                config,
                store,
                week_from=f"2026-W{HISTORY_WEEKS[0]}",
                week_to=DEMO_WEEK,
                now=datetime(2026, 6, 5, 9, 0, tzinfo=tz),
            ),
            cons.build_indicators(
                config, store, as_of=date(2026, 6, 5), now=datetime(2026, 6, 5, 9, 0, tzinfo=tz)
            ),
        )
    for made in history:
        if made.path is not None:
            outputs.append(Path(made.path))
        notes.append(made.summary)
    return outputs


def build_demo_letter(config: Config, notes: list[str]) -> list[Path]:
    """The đôn đốc letter of the demo's Friday (``consolidate don-doc --as-of 05/06/2026``)."""
    from consolidate.documents.dondoc import build_don_doc
    from consolidate.store.db import Store

    tz = config.calendar.tz
    with Store(config.store, config.archive) as store:
        made = build_don_doc(
            config, store, date(2026, 6, 5), now=datetime(2026, 6, 5, 9, 0, tzinfo=tz)
        )
    notes.append(made.summary)
    return [made.path] if made.path is not None else []
