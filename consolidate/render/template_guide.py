"""The ``Hướng dẫn`` sheet of the unit template, generated from the spec and the calendar."""

from __future__ import annotations

from collections.abc import Sequence

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from consolidate.core.config import Calendar, Office, weekday_in_sentence
from consolidate.render.template_kit import (
    OPTIONAL_FILL,
    RED,
    VERSION_LABEL,
    Formats,
    describe_cell,
    print_setup,
    text_lines,
)
from schemas import COVER_SHEET, TEMPLATE_VERSION, SheetSpec
from schemas.columns import SIX_CLEAR

#: The guide's section describing the columns of the first data sheet (then one per sheet).
COLUMNS_SECTION = 6
#: Height of a line of 12 pt Times New Roman in a row (points): the guide's rows are sized
#: by their wrapped lines, as Excel and LibreOffice do not grow merged rows themselves.
LINE_PT = 14
#: The guide prints at 77 %: 12 pt text at 9.2 pt, its columns one portrait page wide, and
#: all of it on 2 pages.
GUIDE_PRINT_SCALE = 77
#: How to print a filled sheet whole: the blank template's print area holds one page.
PRINT_FILLED = (
    "Khi in báo cáo đã điền, bỏ vùng in của mẫu trắng: Page Layout (Bố trí Trang) > Print "
    "Area (Vùng In) > Clear Print Area (Xóa Vùng In)."
)


def write_guide(
    ws: Worksheet, fmts: Formats, sheets: Sequence[SheetSpec], calendar: Calendar, office: Office
) -> None:
    """A guide for a commune officer, generated from the spec, the calendar and the office."""
    role = office.role_in_sentence
    # As wide as a portrait page holds at GUIDE_PRINT_SCALE: the fewer wrapped lines, the
    # fewer pages (the guide prints on 2).
    widths = (5, 24, 9, 72)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    para_width = sum(widths[1:])
    title = fmts.get(bold=True, font_size=14, align="center", valign="vcenter", text_wrap=True)
    section = fmts.get(bold=True, font_size=13, font_color="#1F3864", valign="vcenter")
    text = fmts.get(text_wrap=True, valign="top")
    num = fmts.get(align="center", valign="top")
    th = fmts.get(
        bold=True,
        text_wrap=True,
        align="center",
        valign="vcenter",
        border=1,
        bg_color=OPTIONAL_FILL,
    )
    td = fmts.get(text_wrap=True, valign="top", border=1)
    td_c = fmts.get(text_wrap=True, valign="top", align="center", border=1)
    td_req = fmts.get(
        text_wrap=True, valign="top", align="center", border=1, bold=True, font_color=RED
    )

    row = 0

    def para(body: str, marker: str = "", fmt: Format = text) -> None:
        nonlocal row
        if marker:
            ws.write_string(row, 0, marker, num)
        ws.merge_range(row, 1, row, 3, body, fmt)
        lines = text_lines(body, para_width)
        ws.set_row(row, LINE_PT * lines + 2.5)
        row += 1

    def head(body: str) -> None:
        nonlocal row
        ws.set_row(row, 4)  # a thin space before the section
        row += 1
        ws.merge_range(row, 0, row, 3, body, section)
        ws.set_row(row, 19)
        row += 1

    ws.merge_range(row, 0, row, 3, "HƯỚNG DẪN ĐIỀN MẪU BÁO CÁO (KHUNG BÁO CÁO CHUNG)", title)
    ws.set_row(row, 22)
    row += 1
    subtitle = f"{office.group_in_line} – {VERSION_LABEL.lower()} {TEMPLATE_VERSION}"
    ws.merge_range(row, 0, row, 3, subtitle, fmts.get(italic=True, align="center", text_wrap=True))
    ws.set_row(row, LINE_PT * text_lines(subtitle, sum(widths)) + 4)
    row += 1

    head("1. Tệp này gồm những gì")
    para(f"Sheet “{COVER_SHEET}”: tên đơn vị, ngày báo cáo, người lập, lãnh đạo phụ trách.", "–")
    for spec in sheets:
        optional = " Không bắt buộc nếu đơn vị không có nội dung." if spec.optional else ""
        para(f"Sheet “{spec.name}”: {spec.help}{optional}", "–")
    para(
        "Mỗi lần báo cáo, đơn vị gửi lại TOÀN BỘ báo cáo hiện tại (tất cả nhiệm vụ, dự án), "
        "không chỉ phần thay đổi. Bản nhận được sau cùng trước hạn là bản được tổng hợp.",
        "–",
    )

    head("2. Khi nào gửi")
    cut = calendar.weekly_cutoff
    days = " và ".join(f"{d:02d}" for d in calendar.twice_monthly_cutoff_days)
    para(
        f"Báo cáo tuần (sheet “Nhiệm vụ”): gửi trước {cut.at:%H} giờ {cut.at:%M} "
        f"{_weekday(cut.weekday)} hằng tuần.",
        "–",
    )
    para(
        f"Báo cáo dự án (sheet “Dự án”, chỉ chủ đầu tư dự án): gửi ngày {days} hằng tháng, "
        f"trước {calendar.twice_monthly_cutoff_time:%H} giờ "
        f"{calendar.twice_monthly_cutoff_time:%M}.",
        "–",
    )
    para(
        f"Kế hoạch chi tiết theo tháng, quý: gửi theo thời hạn tại văn bản đôn đốc của {role}.",
        "–",
    )

    head("3. Nguyên tắc “06 rõ” – mỗi nhiệm vụ phải ghi đủ")
    by_clear = {col.clear: col for spec in sheets for col in spec.columns if col.clear}
    for key, meaning in SIX_CLEAR.items():
        col = by_clear.get(key)
        where = f" → cột “{col.label}”" if col else ""
        para(f"{meaning[0].upper()}{meaning[1:]}{where}.", "–")
    para("Dòng nhiệm vụ thiếu một trong 06 rõ là chưa đầy đủ; hệ thống sẽ báo lại cho đơn vị.", "")

    head("4. Cách điền")
    rules = (
        f"Điền sheet “{COVER_SHEET}” trước: chọn tên đơn vị trong danh sách, ghi ngày báo cáo.",
        "Mỗi dòng một nhiệm vụ (dự án, chỉ tiêu), bắt đầu ngay dưới dòng tiêu đề cột. "
        "Không gộp ô, không để dòng tổng cộng.",
        "Tiêu đề cột nền cam là cột bắt buộc; nền xanh là không bắt buộc. Chọn một ô để xem "
        "hướng dẫn của cột đó.",
        "Cột có mũi tên thả xuống: bấm mũi tên và chọn; không tự gõ giá trị khác.",
        "Ngày ghi dạng dd/mm/yyyy (ví dụ 28/05/2026). Tỷ lệ % ghi số từ 0 đến 100 (ví dụ 60, "
        "không ghi 60%). Số tiền ghi bằng triệu đồng.",
        "Không đổi tên sheet, không sửa hoặc xóa dòng tiêu đề cột (đã được khóa). Được chèn "
        "thêm dòng, xóa dòng, sắp xếp, lọc, đổi độ rộng cột.",
        "Ghi giá trị, không dùng công thức hoặc liên kết sang tệp khác. Dùng phông chữ Unicode "
        "(Times New Roman); không dùng phông TCVN3 (.VnTime) hay VNI.",
        "Mẫu trắng in trang hướng dẫn này, trang thông tin chung và phần đầu mỗi sheet. "
        f"{PRINT_FILLED} Sheet rộng được in sang các trang giấy ngang kế tiếp.",
    )
    for rule in rules:
        para(rule, "–")

    head("5. Cách ghi thời hạn hoàn thành")
    for example, meaning in (
        ("30/06/2026", "một ngày cụ thể"),
        ("trước ngày 15/6/2026", "hạn là ngày 15/6/2026"),
        ("Tháng 7/2026", "hạn là ngày cuối tháng 7/2026"),
        ("Quý III/2026", "hạn là ngày cuối quý (30/9/2026)"),
        ("Năm 2026", "hạn là ngày 31/12/2026"),
        ("Thường xuyên", "nhiệm vụ thực hiện thường xuyên, không có hạn cụ thể"),
    ):
        para(f"“{example}”: {meaning}.", "–")

    section_no = COLUMNS_SECTION
    for spec in sheets:
        head(f"{section_no}. Các cột của sheet “{spec.name}”")
        section_no += 1
        for c, label in enumerate(("Cột", "Tên cột", "Bắt buộc", "Giá trị hợp lệ, hướng dẫn")):
            ws.write_string(row, c, label, th)
        ws.set_row(row, 17)
        row += 1
        for c, col in enumerate(spec.columns):
            letter = xlsxwriter.utility.xl_col_to_name(c)
            detail = " ".join(
                part
                for part in (
                    describe_cell(col.kind, col.help, col),
                    f"Ví dụ: {col.example}." if col.example and col.example not in col.help else "",
                )
                if part
            )
            ws.write_string(row, 0, letter, td_c)
            ws.write_string(row, 1, col.label, td)
            ws.write_string(
                row, 2, "Có" if col.required else "Không", td_req if col.required else td_c
            )
            ws.write_string(row, 3, detail or "Ghi tự do.", td)
            lines = max(
                text_lines(detail, widths[3]),
                text_lines(col.label, widths[1]),
                1,
            )
            ws.set_row(row, LINE_PT * lines + 2.5)
            row += 1

    head(f"{section_no}. Đặt tên tệp và gửi")
    para(
        "Lưu tệp dạng Excel (.xlsx), đặt tên: BaoCao_<tên đơn vị viết liền, không dấu>_<ngày "
        "báo cáo dd-mm-yyyy>.xlsx, ví dụ: BaoCao_SoKhoaHocVaCongNghe_28-05-2026.xlsx.",
        "–",
    )
    para(
        "Hệ thống nhận biết đơn vị theo ô “Đơn vị báo cáo”, không theo tên tệp: chọn đúng tên "
        "đơn vị. Không chuyển sang .xls, .pdf hay ảnh chụp.",
        "–",
    )
    para(f"Gửi tệp qua thư điện tử cho {role} theo địa chỉ đã thông báo.", "–")

    head(f"{section_no + 1}. Sau khi gửi")
    para(
        "Hệ thống kiểm tra tệp ngay khi nhận và gửi lại đơn vị một tệp phản hồi liệt kê TẤT CẢ "
        "các điểm cần sửa: sheet nào, ô nào, sai gì, cần ghi thế nào.",
        "–",
    )
    para(
        "Nếu có lỗi, tệp chưa được tiếp nhận: sửa theo tệp phản hồi rồi gửi lại toàn bộ tệp. "
        "Nếu chỉ có cảnh báo, báo cáo vẫn được tiếp nhận; đơn vị rà soát và hoàn thiện ở kỳ sau.",
        "–",
    )
    para("Được gửi lại nhiều lần trước hạn; bản nhận được sau cùng là bản được tổng hợp.", "–")
    para(f"Mọi vướng mắc xin liên hệ {role}.", "")

    print_setup(ws, landscape=False)
    ws.set_margins(left=0.5, right=0.4, top=0.5, bottom=0.55)  # the footer stays clear
    ws.set_print_scale(GUIDE_PRINT_SCALE)  # not "fit": the same scale in Excel and LibreOffice
    ws.print_area(0, 0, row, 3)
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})
    ws.set_selection(0, 0, 0, 0)


def _weekday(index: int) -> str:
    return weekday_in_sentence(index)
