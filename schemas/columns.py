"""Declarative specification of the report template ("khung báo cáo chung").

Mirrors ``shared/spec/template.md``. Header labels are the contract with units and outside
tools: keep them verbatim. Everything else (help text, widths, examples) is ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

#: Bump when the layout or the contract changes; stamped into every generated template.
TEMPLATE_VERSION = "2026.1"

GUIDE_SHEET = "Hướng dẫn"
COVER_SHEET = "Thông tin chung"


class Kind(StrEnum):
    """How a cell is read, validated, stored and written."""

    TEXT = "text"
    INT = "int"
    NUMBER = "number"  # any real number
    MONEY = "money"  # number >= 0, million VND
    PERCENT = "percent"  # 0..100; 0.6 formatted as 60 % reads as 60
    DATE = "date"
    DEADLINE = "deadline"  # the deadline grammar of consolidate.calendar.deadlines
    CHOICE = "choice"  # one of Column.choices
    UNIT = "unit"  # a configured unit (name, code or alias)
    EMAIL = "email"


PILLARS: tuple[str, ...] = (
    "Cải cách hành chính",
    "Cải cách thể chế",
    "Khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số",
    "Phát triển nguồn nhân lực",
)

TASK_STATES: tuple[str, ...] = ("Chưa triển khai", "Đang thực hiện", "Đã hoàn thành")
STATE_NOT_STARTED, STATE_IN_PROGRESS, STATE_DONE = TASK_STATES

FUND_SOURCES: tuple[str, ...] = ("Đầu tư công", "Sự nghiệp", "Khác")

PROJECT_STAGES: tuple[str, ...] = (
    "Chưa phê duyệt chủ trương đầu tư",
    "Đã phê duyệt chủ trương đầu tư",
    "Đã phê duyệt dự án",
    "Lựa chọn nhà thầu",
    "Đang triển khai",
    "Nghiệm thu, bàn giao",
    "Hoàn thành",
)

#: The "06 rõ" principle (seed 001): what each "rõ" means, in the order of the letter.
SIX_CLEAR: dict[str, str] = {
    "người": "rõ người (cán bộ đầu mối)",
    "việc": "rõ việc (nội dung nhiệm vụ)",
    "thời gian": "rõ thời gian (thời hạn hoàn thành)",
    "trách nhiệm": "rõ trách nhiệm (đơn vị chủ trì)",
    "sản phẩm": "rõ sản phẩm (sản phẩm đầu ra)",
    "thẩm quyền": "rõ thẩm quyền (lãnh đạo phụ trách)",
}


@dataclass(frozen=True)
class Column:
    """One column of a data sheet."""

    key: str
    label: str
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    #: Which of the "06 rõ" this column carries (a key of SIX_CLEAR), if any.
    clear: str | None = None
    help: str = ""
    example: str = ""
    width: float = 16
    #: How the office's reports show the column. ``report_label`` replaces ``label`` in report
    #: tables (to tell what the unit wrote from what the office derives); ``report_width``
    #: replaces ``width`` there; ``detail=False`` keeps the column out of the detail sheets
    #: (``Chi tiết``, ``Chi tiết dự án``). A new column shows in them with no other edit.
    report_label: str = ""
    report_width: float | None = None
    detail: bool = True

    @property
    def report_title(self) -> str:
        """The column's header in the office's report tables."""
        return self.report_label or self.label

    @property
    def report_size(self) -> float:
        """The column's width in the office's report tables."""
        return self.width if self.report_width is None else self.report_width


@dataclass(frozen=True)
class CoverField:
    """One label/value pair of the cover sheet (label in column A, value in column B)."""

    key: str
    label: str
    kind: Kind = Kind.TEXT
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class SheetSpec:
    """One data sheet: a header row of labels and rows below it."""

    key: str  # English key used in code and in the store ("tasks")
    name: str  # sheet name in the workbook (Vietnamese)
    title: str  # title printed above the table in the template
    columns: tuple[Column, ...]
    optional: bool = False  # a sheet a unit may leave empty
    help: str = ""
    required_keys: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "required_keys", tuple(c.key for c in self.columns if c.required))

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)


DEADLINE_HELP = (
    "Ghi một ngày (dd/mm/yyyy) hoặc: 'trước ngày 15/6/2026', 'Tháng 7/2026', "
    "'Quý III/2026', 'Năm 2026', 'Thường xuyên'."
)

COVER: tuple[CoverField, ...] = (
    CoverField("unit", "Đơn vị báo cáo", Kind.UNIT, True, "Chọn tên đơn vị trong danh sách."),
    CoverField(
        "as_of",
        "Ngày báo cáo",
        Kind.DATE,
        True,
        "Ngày số liệu được chốt, dạng dd/mm/yyyy; không được sau ngày gửi.",
    ),
    CoverField("prepared_by", "Người lập", Kind.TEXT, True, "Họ tên người lập báo cáo."),
    CoverField("phone", "Số điện thoại", Kind.TEXT, False, "Số điện thoại liên hệ."),
    CoverField("email", "Email", Kind.EMAIL, False, "Địa chỉ thư điện tử công vụ."),
    CoverField(
        "approver",
        "Lãnh đạo phụ trách",
        Kind.TEXT,
        True,
        "Lãnh đạo đơn vị duyệt báo cáo.",
    ),
)

TASKS = SheetSpec(
    key="tasks",
    name="Nhiệm vụ",
    title="TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ",
    help="Mỗi dòng một nhiệm vụ do đơn vị chủ trì; ghi đủ 06 rõ.",
    columns=(
        Column("stt", "STT", Kind.INT, help="Số thứ tự.", width=6, example="1", detail=False),
        Column(
            "task_code",
            "Mã nhiệm vụ",
            help="Mã trong danh mục nhiệm vụ giao; để trống nếu là nhiệm vụ đơn vị tự đề ra.",
            width=12,
            report_width=13,
            example="KH05-01",
        ),
        Column(
            "task",
            "Nội dung nhiệm vụ",
            required=True,
            clear="việc",
            help="Việc cần làm, ngắn gọn, cụ thể.",
            width=40,
            report_width=42,
            example="Số hóa hồ sơ thủ tục hành chính còn hiệu lực",
        ),
        Column(
            "pillar",
            "Lĩnh vực",
            Kind.CHOICE,
            required=True,
            choices=PILLARS,
            help="Chọn một trong 04 lĩnh vực.",
            width=22,
            report_width=20,
        ),
        Column(
            "source_doc",
            "Văn bản giao nhiệm vụ",
            help="Ví dụ: Kế hoạch số 05-KH/TGV.",
            width=20,
            example="Kế hoạch số 05-KH/TGV",
        ),
        Column(
            "lead_unit",
            "Đơn vị chủ trì",
            Kind.UNIT,
            required=True,
            clear="trách nhiệm",
            help="Chính đơn vị báo cáo; chỉ báo cáo nhiệm vụ đơn vị mình chủ trì.",
            width=22,
            report_width=20,
        ),
        Column(
            "partner_units",
            "Đơn vị phối hợp",
            help="Các đơn vị phối hợp.",
            width=20,
            report_width=18,
        ),
        Column(
            "officer",
            "Cán bộ đầu mối",
            required=True,
            clear="người",
            help="Họ tên cán bộ theo dõi nhiệm vụ.",
            width=18,
            report_width=16,
        ),
        Column(
            "authority",
            "Lãnh đạo phụ trách",
            required=True,
            clear="thẩm quyền",
            help="Lãnh đạo chỉ đạo, phê duyệt kết quả.",
            width=18,
            report_width=16,
        ),
        Column(
            "deadline",
            "Thời hạn hoàn thành",
            Kind.DEADLINE,
            required=True,
            clear="thời gian",
            help=DEADLINE_HELP,
            width=16,
            example="30/06/2026",
            report_width=14,
        ),
        Column(
            "deliverable",
            "Sản phẩm đầu ra",
            required=True,
            clear="sản phẩm",
            help="Văn bản, hệ thống, số liệu... chứng minh hoàn thành.",
            width=24,
        ),
        Column(
            "progress",
            "Tiến độ (%)",
            Kind.PERCENT,
            required=True,
            minimum=0,
            maximum=100,
            help="Số từ 0 đến 100.",
            width=10,
            report_width=8,
        ),
        Column(
            "state",
            "Tình trạng",
            Kind.CHOICE,
            required=True,
            choices=TASK_STATES,
            help="Chọn trong danh sách.",
            width=16,
            report_label="Tình trạng (đơn vị ghi)",
            report_width=14,
        ),
        Column(
            "completed_on",
            "Ngày hoàn thành",
            Kind.DATE,
            help="Bắt buộc khi Tình trạng là 'Đã hoàn thành' (dd/mm/yyyy).",
            width=14,
            report_width=11,
        ),
        Column(
            "period_result",
            "Kết quả thực hiện trong kỳ",
            help="Việc đã làm được trong kỳ báo cáo.",
            width=30,
        ),
        Column(
            "bottleneck",
            "Khó khăn, vướng mắc (điểm nghẽn)",
            help="Điểm nghẽn cần tháo gỡ (nếu có).",
            width=28,
        ),
        Column("proposal", "Đề xuất, kiến nghị", help="Đề xuất cấp có thẩm quyền.", width=28),
        Column("note", "Ghi chú", width=16),
    ),
)

PROJECTS = SheetSpec(
    key="projects",
    name="Dự án",
    title="TIẾN ĐỘ DỰ ÁN KHOA HỌC, CÔNG NGHỆ, ĐỔI MỚI SÁNG TẠO VÀ CHUYỂN ĐỔI SỐ NĂM 2026",
    optional=True,
    help="Chỉ chủ đầu tư dự án điền; kỳ báo cáo dự án ghi ở trang Hướng dẫn.",
    columns=(
        Column("stt", "STT", Kind.INT, width=6, detail=False),
        # as wide as the codes the units write ("DA-VPUBND-01"), never broken at a hyphen
        Column("project_code", "Mã dự án", width=12, report_width=13),
        Column("project", "Tên dự án", required=True, help="Tên dự án theo quyết định.", width=36),
        Column(
            "big_problem",
            "Bài toán lớn",
            help="Thuộc bài toán lớn nào trong 08 bài toán lớn của tỉnh (nếu có).",
            width=18,
            report_width=16,
        ),
        Column(
            "fund_source",
            "Nguồn vốn",
            Kind.CHOICE,
            required=True,
            choices=FUND_SOURCES,
            help="Chọn trong danh sách.",
            width=14,
            report_width=12,
        ),
        Column(
            "total_investment",
            "Tổng mức đầu tư (triệu đồng)",
            Kind.MONEY,
            minimum=0,
            help="Triệu đồng.",
            width=16,
            report_width=13,
        ),
        Column(
            "year_plan",
            "Kế hoạch vốn năm (triệu đồng)",
            Kind.MONEY,
            required=True,
            minimum=0,
            help="Kế hoạch vốn năm 2026, triệu đồng.",
            width=16,
            report_width=13,
        ),
        Column(
            "disbursed",
            "Giải ngân lũy kế (triệu đồng)",
            Kind.MONEY,
            required=True,
            minimum=0,
            help="Giải ngân lũy kế từ đầu năm, triệu đồng.",
            width=16,
            report_width=13,
        ),
        Column(
            "disbursed_pct",
            "Tỷ lệ giải ngân (%)",
            Kind.PERCENT,
            minimum=0,
            help="Có thể để trống: hệ thống tự tính = giải ngân / kế hoạch vốn năm.",
            width=12,
            detail=False,  # the reports show the rate they compute (column "rate")
        ),
        Column(
            "stage",
            "Giai đoạn",
            Kind.CHOICE,
            required=True,
            choices=PROJECT_STAGES,
            help="Chọn trong danh sách.",
            width=24,
            report_width=18,
        ),
        Column(
            "progress",
            "Tiến độ thực hiện (%)",
            Kind.PERCENT,
            required=True,
            minimum=0,
            maximum=100,
            help="Số từ 0 đến 100.",
            width=12,
            report_width=9,
        ),
        Column(
            "deadline",
            "Thời hạn hoàn thành",
            Kind.DEADLINE,
            required=True,
            help=DEADLINE_HELP,
            width=16,
            report_width=13,
        ),
        Column(
            "committed_pct",
            "Cam kết giải ngân đến 31/12 (%)",
            Kind.PERCENT,
            minimum=0,
            maximum=100,
            help="Tỷ lệ giải ngân chủ đầu tư cam kết đạt đến 31/12.",
            width=14,
            report_width=10,
        ),
        Column("bottleneck", "Khó khăn, vướng mắc", width=28),
        Column("proposal", "Đề xuất, kiến nghị", width=28),
        Column("officer", "Cán bộ đầu mối", required=True, width=18, report_width=15),
    ),
)

INDICATORS = SheetSpec(
    key="indicators",
    name="Chỉ tiêu",
    title="KẾT QUẢ THỰC HIỆN CHỈ TIÊU",
    optional=True,
    help="Không bắt buộc: các chỉ tiêu đo lường được của đơn vị.",
    columns=(
        Column("stt", "STT", Kind.INT, width=6),
        Column("indicator_code", "Mã chỉ tiêu", width=12),
        Column("indicator", "Tên chỉ tiêu", required=True, width=40),
        Column(
            "unit_of_measure",
            "Đơn vị tính",
            required=True,
            help="Ví dụ: %, hồ sơ, người.",
            width=12,
        ),
        Column("target", "Chỉ tiêu năm", Kind.NUMBER, required=True, width=14),
        Column("achieved", "Kết quả lũy kế", Kind.NUMBER, required=True, width=14),
        Column("note", "Ghi chú", width=24),
    ),
)

#: The task register the office keeps (danh mục nhiệm vụ giao), imported from the plan's
#: appendix workbook with ``consolidate register import``.
REGISTER = SheetSpec(
    key="register",
    name="Danh mục nhiệm vụ",
    title="DANH MỤC NHIỆM VỤ GIAO",
    columns=(
        Column("stt", "STT", Kind.INT, width=6),
        Column("code", "Mã nhiệm vụ", required=True, width=12),
        Column("task", "Nội dung nhiệm vụ", required=True, width=50),
        Column("source_doc", "Văn bản giao nhiệm vụ", required=True, width=28),
        Column("lead_unit", "Đơn vị chủ trì", Kind.UNIT, required=True, width=24),
        Column("deadline", "Thời hạn hoàn thành", Kind.DEADLINE, required=True, width=16),
        Column("pillar", "Lĩnh vực", Kind.CHOICE, required=True, choices=PILLARS, width=26),
    ),
)

#: Data sheets in template order (after the guide and the cover).
SHEETS: tuple[SheetSpec, ...] = (TASKS, PROJECTS, INDICATORS)


def sheet_by_key(key: str) -> SheetSpec:
    for spec in SHEETS:
        if spec.key == key:
            return spec
    raise KeyError(key)
