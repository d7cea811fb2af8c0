"""The answer to a unit: a feedback workbook and a short text fit to paste into an email.

The workbook opens on the verdict and the list of findings; each finding links to the
cell in a copy of the unit's own sheets, where offending cells are highlighted and carry
a comment. The copy is written from the values we read (never by re-opening the file),
and only when there is something to point at.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from consolidate.core.codes import CODES
from consolidate.core.config import Config
from consolidate.core.files import write_atomic
from consolidate.core.findings import (
    ACCEPTED,
    SEVERITY_LABELS,
    VERDICT_LABELS,
    Finding,
    Report,
)
from consolidate.intake.cells import Formula, RawWorkbook
from consolidate.intake.checked import Checked
from consolidate.store.db import parse_iso

FEEDBACK_DIR = "phan-hoi"
FONT = "Times New Roman"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
MAX_COPY_ROWS = 5000


def safe_filename(text: str, limit: int = 80) -> str:
    cleaned = _UNSAFE.sub("_", text).strip(" .") or "tep"
    return cleaned[:limit]


def safe_sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or "Trang"
    base = base[:31]
    candidate, n = base, 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.casefold())
    return candidate


def summary_text(report: Report, config: Config) -> str:
    """Plain Vietnamese text for an email reply to the unit."""
    tz = config.calendar.tz
    received = parse_iso(report.received_at).astimezone(tz) if report.received_at else None
    lines = [
        f"Kết quả tiếp nhận báo cáo: {VERDICT_LABELS[report.verdict].upper()}",
        f"Tệp: {report.file}",
        f"Đơn vị: {report.unit_name or 'chưa xác định'}",
    ]
    if received:
        lines.append(f"Thời điểm nhận: {received:%H:%M ngày %d/%m/%Y}")
    if report.as_of:
        lines.append(f"Ngày báo cáo: {date.fromisoformat(report.as_of):%d/%m/%Y}")
    if report.counts:
        lines.append(
            "Số dòng: "
            + ", ".join(
                f"{n} {label}"
                for key, label in (
                    ("tasks", "nhiệm vụ"),
                    ("projects", "dự án"),
                    ("indicators", "chỉ tiêu"),
                )
                if (n := report.counts.get(key))
            )
        )
    lines.append(f"Lỗi: {len(report.errors)}; cảnh báo: {len(report.warnings)}.")
    if report.verdict == ACCEPTED:
        lines.append("Báo cáo đã được tiếp nhận và đưa vào tổng hợp.")
        if report.warnings:
            lines.append(
                "Đề nghị đơn vị xem các cảnh báo dưới đây và hoàn thiện ở lần báo cáo sau."
            )
    else:
        lines.append(
            "Báo cáo CHƯA được tiếp nhận. Đề nghị đơn vị sửa tất cả các lỗi dưới đây "
            "và gửi lại toàn bộ tệp báo cáo."
        )
    if report.findings:
        lines.append("")
    for i, f in enumerate(_ordered(report.findings), start=1):
        where = f" [{f.where()}]" if f.where() else ""
        lines.append(f"{i}. {SEVERITY_LABELS[f.severity]}{where}: {f.message}")
        if f.fix:
            lines.append(f"   Cách sửa: {f.fix}")
    lines.append("")
    office = config.office
    lines.append(f"{office.office_name} - {office.office_role}." if office.office_role else
                 f"{office.office_name}.")  # fmt: skip
    return "\n".join(lines) + "\n"


def _ordered(findings: list[Finding]) -> list[Finding]:
    rank = {"error": 0, "warning": 1, "info": 2}
    return sorted(
        findings, key=lambda f: (rank[f.severity], f.sheet or "", f.row or 0, f.cell or "")
    )


def feedback_paths(config: Config, report: Report) -> tuple[Path, Path]:
    tz = config.calendar.tz
    received = (
        parse_iso(report.received_at).astimezone(tz) if report.received_at else datetime.now(tz)
    )
    folder = (
        config.outbox / FEEDBACK_DIR / safe_filename(report.unit_code or "chua-xac-dinh-don-vi")
    )
    stem = (
        f"{received:%Y%m%d-%H%M%S}_{safe_filename(Path(report.file).stem, 60)}_{report.sha256[:8]}"
    )
    return folder / f"{stem}.xlsx", folder / f"{stem}.txt"


def write_feedback(
    config: Config, report: Report, workbook: RawWorkbook | None, checked: Checked | None
) -> tuple[Path, Path]:
    """Write the feedback workbook and the text summary; returns both paths."""
    from xlsxwriter.exceptions import XlsxWriterException

    xlsx_path, txt_path = feedback_paths(config, report)
    xlsx_path.parent.mkdir(parents=True, exist_ok=True)
    _write_text(txt_path, summary_text(report, config))
    report.summary_path = str(txt_path)  # each path is set once its file exists
    shown = workbook if report.findings else None
    try:
        write_atomic(xlsx_path, lambda tmp: _write_workbook(tmp, config, report, shown))
    except XlsxWriterException as exc:  # e.g. disk full while zipping: an OSError inside
        raise OSError(f"không ghi được {xlsx_path.name}: {exc}") from exc
    report.feedback_path = str(xlsx_path)
    return xlsx_path, txt_path


def _write_text(path: Path, text: str) -> None:
    # UTF-8 with BOM and the platform's line ends so that Notepad on older Windows shows
    # Vietnamese correctly.
    write_atomic(path, text.replace("\n", os.linesep).encode("utf-8-sig"))


def _write_workbook(
    path: Path, config: Config, report: Report, workbook: RawWorkbook | None
) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "in_memory": True,  # a small workbook: skip xlsxwriter's temporary files
        },
    )
    base = {"font_name": FONT, "font_size": 12, "valign": "top"}
    fmt_title = wb.add_format({**base, "bold": True, "font_size": 14})
    fmt_bold = wb.add_format({**base, "bold": True})
    fmt_text = wb.add_format({**base, "text_wrap": True})
    fmt_head = wb.add_format(
        {
            **base,
            "bold": True,
            "bg_color": "#DDEBF7",
            "border": 1,
            "text_wrap": True,
            "align": "center",
        }
    )
    fmt_cell = wb.add_format({**base, "border": 1, "text_wrap": True})
    fmt_link = wb.add_format({**base, "border": 1, "font_color": "#0563C1", "underline": 1})
    ok = report.verdict == ACCEPTED
    fmt_verdict = wb.add_format(
        {
            **base,
            "bold": True,
            "font_size": 14,
            "font_color": "#006100" if ok else "#9C0006",
            "bg_color": "#C6EFCE" if ok else "#FFC7CE",
        }
    )
    sev_fmt = {
        "error": wb.add_format({**base, "border": 1, "bold": True, "font_color": "#9C0006"}),
        "warning": wb.add_format({**base, "border": 1, "font_color": "#9C5700"}),
        "info": fmt_cell,
    }
    used: set[str] = set()
    summary_name = safe_sheet_name("Kết quả kiểm tra", used)
    ws = wb.add_worksheet(summary_name)
    _page_setup(ws, fit=True)
    # 128 width units: one A4 landscape page at ≥ 84 % (measured in LibreOffice's PDF),
    # so nothing prints under 9 pt.
    widths = (5, 8, 14, 11, 6, 40, 32, 12)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    last_col = len(widths) - 1
    ws.set_row(0, 22)
    ws.merge_range(0, 0, 0, last_col, "KẾT QUẢ KIỂM TRA BÁO CÁO", fmt_title)
    ws.merge_range(1, 0, 1, last_col, f"Kết luận: {VERDICT_LABELS[report.verdict]}", fmt_verdict)
    tz = config.calendar.tz
    received = parse_iso(report.received_at).astimezone(tz) if report.received_at else None
    info = [
        ("Tệp", report.file),
        ("Đơn vị", report.unit_name or "chưa xác định"),
        ("Thời điểm nhận", f"{received:%H:%M %d/%m/%Y}" if received else ""),
        ("Ngày báo cáo", f"{date.fromisoformat(report.as_of):%d/%m/%Y}" if report.as_of else ""),
        ("Số lỗi / cảnh báo", f"{len(report.errors)} lỗi, {len(report.warnings)} cảnh báo"),
        ("Mã tệp (SHA-256)", report.sha256),
    ]
    for i, (label, value) in enumerate(info, start=2):
        ws.merge_range(i, 0, i, 2, label, fmt_bold)
        ws.merge_range(i, 3, i, last_col, value, fmt_text)
    advice = (
        "Báo cáo đã được tiếp nhận. Các cảnh báo (nếu có) đề nghị hoàn thiện ở lần sau."
        if ok
        else "Báo cáo CHƯA được tiếp nhận: sửa tất cả các lỗi dưới đây rồi gửi lại toàn bộ tệp."
    )
    ws.merge_range(len(info) + 2, 0, len(info) + 2, last_col, advice, fmt_bold)
    head_row = len(info) + 4
    headers = ["STT", "Mức độ", "Loại", "Trang", "Ô", "Nội dung", "Cách sửa", "Giá trị đã ghi"]
    for c, h in enumerate(headers):
        ws.write_string(head_row, c, h, fmt_head)
    copies: dict[str, str] = {}
    if workbook is not None:
        # Copy only the sheets a finding points into: the unit needs to see those cells,
        # and the guide or untouched sheets would only make the answer slower and longer.
        pointed = {f.sheet for f in report.findings if f.cell}
        for name in workbook.sheets:
            if name != "_danhmuc" and name in pointed:
                copies[name] = safe_sheet_name(name, used)
    if workbook is not None and any(workbook.sheets[n].partial for n in copies):
        ws.merge_range(
            head_row - 1, 0, head_row - 1, last_col,
            "Bấm vào địa chỉ ô để xem ô đó trong bản sao trang của đơn vị (ô sai được tô màu, "
            "có ghi chú); bản sao chỉ hiện dòng tiêu đề và các dòng có lỗi/cảnh báo, "
            "giữ đúng số dòng như tệp gốc.",
            fmt_text,
        )  # fmt: skip
        ws.set_row(head_row - 1, 34)
    findings = _ordered(report.findings)
    for i, f in enumerate(findings, start=1):
        r = head_row + i
        ws.write_number(r, 0, i, fmt_cell)
        ws.write_string(r, 1, SEVERITY_LABELS[f.severity], sev_fmt[f.severity])
        entry = CODES.get(f.code)
        kind = entry.title if entry else ""
        ws.write_string(r, 2, kind, fmt_cell)
        ws.write_string(r, 3, f.sheet or "", fmt_cell)
        target = copies.get(f.sheet or "")
        if f.cell and target:
            ws.write_url(r, 4, f"internal:'{target}'!{f.cell}", fmt_link, string=f.cell)
        else:
            ws.write_string(r, 4, f.cell or "", fmt_cell)
        ws.write_string(r, 5, f.message, fmt_cell)
        ws.write_string(r, 6, f.fix, fmt_cell)
        ws.write_string(r, 7, f.value or "", fmt_cell)
        # Excel does not grow wrapped rows of a generated file by itself: size them here.
        texts = ((2, kind), (3, f.sheet or ""), (5, f.message), (6, f.fix), (7, f.value or ""))
        lines = max(_wrapped_lines(text, widths[c]) for c, text in texts)
        ws.set_row(r, 15.5 * lines + 3)
    ws.freeze_panes(head_row + 1, 0)
    if findings:
        ws.autofilter(head_row, 0, head_row + len(findings), len(headers) - 1)
    ws.repeat_rows(head_row)
    if workbook is not None:
        _copy_sheets(wb, workbook, copies, findings, base)
    wb.close()


def _wrapped_lines(text: str, width: float) -> int:
    """Lines a text takes in a wrapped cell of ``width`` characters (Times New Roman 12)."""
    per_line = max(1, int(width * 1.15))
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n")) if text else 1


def _page_setup(ws: Any, *, fit: bool) -> None:
    """A4 landscape, "Trang N" centred; one page wide only when that keeps text ≥ 9 pt."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.set_footer(f'&C&"{FONT},Regular"&11Trang &P')
    if fit:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(84)
        ws.print_across()


def _copy_sheets(
    wb: Any,
    workbook: RawWorkbook,
    copies: dict[str, str],
    findings: list[Finding],
    base: dict[str, Any],
) -> None:
    fmt = wb.add_format({**base, "text_wrap": True, "border": 1})
    fmt_date = wb.add_format({**base, "border": 1, "num_format": "dd/mm/yyyy"})
    fmt_bad = {
        "error": wb.add_format(
            {
                **base,
                "text_wrap": True,
                "border": 2,
                "border_color": "#C00000",
                "bg_color": "#FFC7CE",
            }
        ),
        "warning": wb.add_format({**base, "text_wrap": True, "border": 1, "bg_color": "#FFEB9C"}),
        "info": fmt,
    }
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.sheet and f.cell:
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    from consolidate.core.findings import cell_ref

    for name, target in copies.items():
        sheet = workbook.sheets[name]
        ws = wb.add_worksheet(target)
        ws.set_column(0, max(sheet.max_col, 1), 18)
        # The unit's sheet is wide: printed at 84 % across pages (left to right, then down),
        # never shrunk to one page width (unreadable).
        _page_setup(ws, fit=(max(sheet.max_col, 1) + 1) * 18 <= 145)
        if sheet.partial:
            # Title, header and the rows with findings, at their own row numbers (so the
            # addresses match the unit's file); the rows in between are hidden.
            ws.set_default_row(hide_unused_rows=True)
        for r in sorted(sheet.rows)[:MAX_COPY_ROWS]:
            for c, value in sheet.rows[r].items():
                if c > 200:
                    continue
                here = by_cell.get((name, cell_ref(r, c)))
                cell_fmt = (
                    fmt_bad[
                        "error" if here and any(h.severity == "error" for h in here) else "warning"
                    ]
                    if here
                    else fmt
                )
                _write_value(ws, r - 1, c - 1, value, cell_fmt, None if here else fmt_date)
            # Size the row for its wrapped texts: nothing else will (and hidden rows around
            # it make a clipped row unreadable).
            lines = max(
                (_wrapped_lines(v, 18) for v in sheet.rows[r].values() if isinstance(v, str)),
                default=1,
            )
            if lines > 1:
                ws.set_row(r - 1, 15.5 * min(lines, 12) + 3)
        for (sheet_name, ref), items in by_cell.items():
            if sheet_name != name:
                continue
            note = "\n".join(
                f"{SEVERITY_LABELS[f.severity]}: {f.message}\nCách sửa: {f.fix}" for f in items
            )
            ws.write_comment(ref, note[:30000], {"x_scale": 3, "y_scale": 3, "font_name": FONT})
            from consolidate.intake.cells import split_ref

            r, c = split_ref(ref)
            if (r not in sheet.rows) or (c not in sheet.rows[r]):
                worst = "error" if any(f.severity == "error" for f in items) else "warning"
                ws.write_blank(r - 1, c - 1, None, fmt_bad[worst])


def _write_value(ws: Any, r: int, c: int, value: Any, fmt: Any, fmt_date: Any) -> None:
    if isinstance(value, datetime) and fmt_date is None:
        ws.write_string(r, c, value.strftime("%d/%m/%Y"), fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fmt)
    elif isinstance(value, datetime):
        ws.write_datetime(r, c, value, fmt_date)
    elif isinstance(value, Formula):
        ws.write_string(r, c, f"={value.text}", fmt)  # shown, never evaluated
    else:
        ws.write_string(r, c, str(value), fmt)
