"""Sheets and pieces shared by the workbooks: sources, reporting status, appendix helpers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from consolidate.core.fmt import fmt_dt, fmt_pct
from consolidate.render.kit import Book, Sheet, Styles, excel_date
from consolidate.render.wording import unit_note, usage_label
from consolidate.reports.selection import Selection, Snapshot, UnitReporting
from schemas.columns import REGISTER, Column, Kind, SheetSpec
from schemas.reports import report_columns

# --- report tables chosen by key -----------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """Columns of a report table, chosen and ordered by key; labels and widths from schemas."""

    columns: tuple[Column, ...]
    widths: tuple[float, ...]

    @property
    def labels(self) -> list[str]:
        return [c.report_title for c in self.columns]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    def where(self, key: str) -> int:
        return self.keys.index(key)


def table(spec: SheetSpec, keys: Sequence[str], widths: Mapping[str, float] | None = None) -> Table:
    """The columns ``keys`` of a report on ``spec``'s rows (``widths`` overrides by key)."""
    return make_table(report_columns(spec, keys), widths)


def make_table(columns: Sequence[Column], widths: Mapping[str, float] | None = None) -> Table:
    wide = widths or {}
    return Table(tuple(columns), tuple(wide.get(c.key, c.report_size) for c in columns))


def cell_format(st: Styles, col: Column) -> Any:
    """The bordered cell format of an appendix column, from its kind."""
    if col.key == "no":
        return st.td_center
    kind = col.kind
    if kind == Kind.INT:
        return st.td_int
    if kind == Kind.PERCENT:
        return st.td_pct
    if kind == Kind.MONEY:
        return st.td_money
    if kind == Kind.NUMBER:
        return st.td_num
    if kind == Kind.DATE:
        return st.td_date
    if kind == Kind.DEADLINE:
        return st.td_center
    return st.td


def detail_format(st: Styles, col: Column) -> Any:
    """The unbordered cell format of a detail-sheet column (Chi tiết dự án), from its kind."""
    kind = col.kind
    if col.key == "no":
        return st.d_center
    if kind == Kind.MONEY:
        return st.d_money
    if kind == Kind.PERCENT:
        return st.d_pct
    if kind in (Kind.INT, Kind.NUMBER):
        return st.d_num
    if kind == Kind.DATE:
        return st.d_dt if col.key == "received" else st.d_date
    return st.d_text


# --- shared pieces ------------------------------------------------------------------------------


def roman(n: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals:
        while n >= value:
            out += letters
            n -= value
    return out


def share_pct(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def grouped(rows: Sequence[Any], names: dict[str, str]) -> Iterable[tuple[int, str, list[Any]]]:
    """Consecutive rows of the same unit, as (group number, unit name, rows)."""
    groups: list[tuple[int, str, list[Any]]] = []
    for row in rows:
        if not groups or groups[-1][2][0].unit_code != row.unit_code:
            groups.append((len(groups) + 1, names.get(row.unit_code, row.unit_code), []))
        groups[-1][2].append(row)
    return groups


def appendix_title(sh: Sheet, number: str, title: str, caption: str) -> None:
    st = sh.st
    sh.merged(f"PHỤ LỤC {number}" if number else "", st.appendix, height=20)
    sh.para(title, st.title, line_height=19)
    sh.para(caption, st.caption)
    sh.blank()


def sources_sheet(
    book: Book, snapshots: Sequence[Snapshot], names: dict[str, str], what: str
) -> None:
    sh = book.sheet("Nguồn dữ liệu", [6, 30, 34, 36, 17, 13, 10, 20])
    sh.ws.hide()  # technical (file names, hashes): out of the default print; "Unhide" shows it
    st = sh.st
    sh.merged("NGUỒN DỮ LIỆU", st.title, height=22)
    sh.para(
        "Mỗi dòng là một tệp báo cáo của đơn vị được dùng để tổng hợp; mã SHA-256 giúp đối "
        "chiếu đúng tệp gốc lưu trong kho (archive/).",
        st.caption,
    )
    sh.blank()
    sh.header(
        ["STT", "Đơn vị", "Tệp", "Mã SHA-256", "Thời điểm nhận", "Ngày báo cáo",
         f"Số dòng {what}", "Sử dụng"]
    )  # fmt: skip
    fmts = [st.td_center, st.td, st.td, st.td_mono, st.td_dt, st.td_date, st.td_int, st.td]
    for i, snap in enumerate(snapshots, 1):
        sh.cells(
            [i, names.get(snap.unit_code, snap.unit_code), snap.original_name, snap.sha256,
             snap.received_at, excel_date(snap.as_of), snap.n_rows, usage_label(snap)],
            fmts,
        )  # fmt: skip
    if not snapshots:
        sh.merged("Không có tệp nào được sử dụng.", st.td)


def reporting_sheet(book: Book, sel: Selection, what: str) -> None:
    """Every expected unit: on time / late / not reported / rejected, time, file, findings."""
    sh = book.sheet("Tình hình báo cáo", [6, 11, 28, 17, 15, 22, 9, 7, 9, 24])
    st = sh.st
    period = sel.period
    sh.merged("TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC ĐƠN VỊ", st.title, height=22)
    sh.para(
        f"{period.label}: hạn gửi {fmt_dt(period.cutoff)}; số liệu tiếp nhận đến "
        f"{fmt_dt(sel.horizon)}. {period.shift_note()}".strip(),
        st.caption,
    )
    c = sel.counts()
    sh.para(
        f"Phải báo cáo: {c['expected']} đơn vị; đúng hạn: {c['on_time']}; trễ hạn: {c['late']}; "
        f"chưa báo cáo: {c['missing']}; bị từ chối, chờ gửi lại: {c['rejected']}; "
        f"tỷ lệ đã báo cáo: {fmt_pct(sel.completeness_pct)}.",
        st.caption,
    )
    sh.blank()
    sh.header(
        ["STT", "Mã đơn vị", "Đơn vị", "Tình hình báo cáo", "Thời điểm nhận", "Tệp",
         f"Số {what}", "Số lỗi", "Số cảnh báo", "Ghi chú"]
    )  # fmt: skip
    kinds: dict[str, list[UnitReporting]] = {}
    for u in sel.units:
        group = "C. ĐƠN VỊ GỬI THÊM (NGOÀI DANH SÁCH PHẢI BÁO CÁO)" if not u.expected else (
            "B. XÃ, PHƯỜNG" if u.kind_label == "Xã, phường" else "A. SỞ, BAN, NGÀNH VÀ ĐƠN VỊ KHÁC")  # fmt: skip
        kinds.setdefault(group, []).append(u)
    n = 0
    for group in sorted(kinds):
        sh.group_row(f"{group} ({len(kinds[group])} đơn vị)")
        for u in kinds[group]:
            n += 1
            snap, rej = u.snapshot, u.rejected
            current = snap if snap is not None and not snap.carried else None
            received = current.received_at if current else (rej.received_at if rej else None)
            file = current.original_name if current else (rej.original_name if rej else "")
            fmt_status = st.reporting.get(u.status, st.td)
            sh.cells(
                [n, u.code, u.name, u.status_label, received, file,
                 current.n_rows if current else None,
                 rej.n_errors if rej and not current else (0 if current else None),
                 current.n_warnings if current else (rej.n_warnings if rej else None),
                 unit_note(u, sel.report)],
                [st.td_center, st.td, st.td, fmt_status, st.td_dt, st.td, st.td_int,
                 st.td_int, st.td_int, st.td],
            )  # fmt: skip
    # Files of no known unit are the officer's business (`status`, outbox/phan-hoi/), not
    # the leaders': the workbook lists units only (defect 10).


def register_gap_sheet(book: Book, register_rows: Sequence[Any]) -> None:
    """Register tasks no counted report mentions: a sheet of their own, so that their rows
    never print under the header of the reporting table (issue 13)."""
    sh = book.sheet("Chưa có đơn vị báo cáo", [6, 12, 46, 14, 22, 30, 22])
    st = sh.st
    sh.merged("NHIỆM VỤ TRONG DANH MỤC GIAO CHƯA CÓ ĐƠN VỊ NÀO BÁO CÁO", st.title, height=22)
    sh.para(f"(Tổng số {len(register_rows)} nhiệm vụ)", st.caption)
    sh.blank()
    sh.header(
        list(table(REGISTER, ("no", "code", "task", "deadline", "lead_unit", "source_doc",
                              "pillar")).labels)
    )  # fmt: skip
    if not register_rows:
        sh.merged("Mọi nhiệm vụ trong danh mục đều có đơn vị báo cáo.", st.td)
        return
    for i, t in enumerate(register_rows, 1):
        sh.cells(
            [i, t.code, t.task, t.deadline, t.lead_unit_name, t.source_doc, t.pillar],
            [st.td_center, st.td, st.td, st.td_center, st.td, st.td, st.td],
        )
