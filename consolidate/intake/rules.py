"""Layer 4 of validation: business rules across the cells of a row and across rows.

A unit speaks only for itself (the own-tasks rule: ``other-unit-task``), task codes against
the register, 06 rõ, state contradictions, completion dates, disbursement.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from consolidate.core.config import Config
from consolidate.core.findings import Severity
from consolidate.core.fmt import fmt_num, fmt_pct
from consolidate.core.units import Unit, UnitIndex
from consolidate.intake.checked import Checked, Context, Table, row_name
from schemas.columns import SIX_CLEAR, STATE_DONE, STATE_NOT_STARTED


def check_rules(
    checked: Checked, config: Config, register: dict[str, str | None], received_local: datetime
) -> None:
    """Layer 4: rules across cells of a row and across rows."""
    ctx = Context(checked)
    unit = checked.unit
    units = config.unit_index
    tasks = checked.tables.get("tasks")
    if tasks is not None and tasks.rows:
        _task_rules(tasks, ctx, config, unit, units, register, checked, received_local)
    projects = checked.tables.get("projects")
    if projects is not None and projects.rows:
        _project_rules(projects, ctx)
    if unit is not None and "projects" in unit.reports and projects is None:
        ctx.add(
            "missing-sheet",
            f"{unit.name} là chủ đầu tư dự án nhưng tệp không có trang 'Dự án'.",
            "Dùng mẫu báo cáo chuẩn và điền trang 'Dự án' (kỳ báo cáo dự án: xem trang 'Hướng dẫn').",
            severity="warning",
            sheet="Dự án",
        )


def _task_rules(
    table: Table,
    ctx: Context,
    config: Config,
    unit: Unit | None,
    units: UnitIndex,
    register: dict[str, str | None],
    checked: Checked,
    received_local: datetime,
) -> None:
    spec, sheet = table.spec, table.sheet
    t = table.typed
    six_severity: Severity = "error" if config.validation.six_clear == "error" else "warning"
    code_severity: Severity = (
        "error" if config.validation.unknown_task_code == "error" else "warning"
    )
    first_code_row: dict[str, int] = {}
    as_of = checked.cover.get("as_of") or received_local.date()
    for i, r in enumerate(table.rows):
        name = row_name(table, r)

        def add_row(
            code: str,
            message: str,
            key: str,
            value: Any = None,
            *,
            fix: str | None = None,
            severity: Severity | None = None,
            r: int = r,
            name: str = name,
        ) -> None:
            ctx.add(
                code, f"Dòng {r}{name}: {message}", fix, severity=severity,
                sheet=sheet.name, row=r, col=table.colmap.get(key), value=value,
                column=key, sheet_key=spec.key,
            )  # fmt: skip

        # A unit speaks only for itself.
        lead = t["lead_unit"][i]
        if lead is None and unit is not None and (r, "lead_unit") not in table.failed:
            t["lead_unit"][i] = lead = unit.code
        if unit is not None and lead is not None and lead != unit.code:
            other = units.by_code[lead]
            add_row(
                "other-unit-task",
                f"nhiệm vụ do {other.name} chủ trì, không phải {unit.name}. Mỗi đơn vị chỉ "
                "báo cáo nhiệm vụ mình chủ trì.",
                "lead_unit",
                other.name,
                fix=f"Xóa dòng này ({other.name} tự báo cáo), hoặc sửa 'Đơn vị chủ trì' nếu ghi nhầm.",
            )
        code = t["task_code"][i]
        if code:
            if code in first_code_row:
                add_row(
                    "duplicate-task-code",
                    f"mã nhiệm vụ {code} trùng với dòng {first_code_row[code]}.",
                    "task_code",
                    code,
                )
            else:
                first_code_row[code] = r
            if register:
                if code not in register:
                    add_row(
                        "unknown-task-code",
                        f"mã nhiệm vụ {code} không có trong danh mục nhiệm vụ giao.",
                        "task_code",
                        code,
                        severity=code_severity,
                    )
                elif unit is not None and register[code] and register[code] != unit.code:
                    owner = units.by_code.get(register[code] or "")
                    add_row(
                        "other-unit-task",
                        f"theo danh mục, nhiệm vụ {code} do "
                        f"{owner.name if owner else register[code]} chủ trì, không phải {unit.name}.",
                        "task_code",
                        code,
                        fix="Xóa dòng này hoặc sửa mã nhiệm vụ cho đúng.",
                    )
        # 06 rõ: which of the six is missing on this row.
        missing = [
            col for col in spec.columns
            if col.clear and col.key != "task" and t[col.key][i] is None and (r, col.key) not in table.failed
        ]  # fmt: skip
        if missing and t["task"][i] is not None:
            names = ", ".join(SIX_CLEAR[c.clear or ""] for c in missing)
            add_row(
                "six-clear-missing",
                f"nhiệm vụ chưa đủ 06 rõ, còn thiếu: {names}.",
                missing[0].key,
                fix="Ghi đủ: " + "; ".join(f"'{c.label}'" for c in missing) + ".",
                severity=six_severity,
            )
        # State contradictions.
        state, progress, done_on = t["state"][i], t["progress"][i], t["completed_on"][i]
        if state == STATE_DONE:
            if progress is not None and progress < 100:
                add_row(
                    "done-but-progress",
                    f"Tình trạng 'Đã hoàn thành' nhưng tiến độ chỉ {fmt_pct(progress)}.",
                    "progress",
                    progress,
                )
            if done_on is None and (r, "completed_on") not in table.failed:
                add_row(
                    "completed-date-missing",
                    "Tình trạng 'Đã hoàn thành' nhưng chưa ghi ngày hoàn thành.",
                    "completed_on",
                )
        elif state == STATE_NOT_STARTED and progress is not None and progress > 0:
            add_row(
                "not-started-but-progress",
                f"Tình trạng 'Chưa triển khai' nhưng tiến độ {fmt_pct(progress)}.",
                "state",
                state,
                severity="error" if progress >= 100 else "warning",
            )
        if done_on is not None:
            if done_on > as_of:
                add_row(
                    "completed-in-future",
                    f"ngày hoàn thành {done_on:%d/%m/%Y} sau ngày báo cáo {as_of:%d/%m/%Y}.",
                    "completed_on",
                    done_on,
                )
            if state is not None and state != STATE_DONE:
                add_row(
                    "completed-date-but-not-done",
                    f"có ngày hoàn thành nhưng tình trạng là '{state}'.",
                    "completed_on",
                    done_on,
                )


def _project_rules(table: Table, ctx: Context) -> None:
    spec, sheet, t = table.spec, table.sheet, table.typed
    for i, r in enumerate(table.rows):
        name = row_name(table, r)
        plan, disbursed, typed_pct = t["year_plan"][i], t["disbursed"][i], t["disbursed_pct"][i]
        computed = round(disbursed / plan * 100, 2) if plan and disbursed is not None else None
        if plan is not None and disbursed is not None and disbursed > plan:
            ctx.add(
                "disbursed-above-plan",
                f"Dòng {r}{name}: giải ngân lũy kế {fmt_num(disbursed)} vượt kế hoạch vốn năm {fmt_num(plan)} triệu đồng.",
                sheet=sheet.name,
                row=r,
                col=table.colmap.get("disbursed"),
                value=disbursed,
                column="disbursed",
                sheet_key=spec.key,
            )
        if typed_pct is not None and computed is not None and abs(typed_pct - computed) > 0.5:
            ctx.add(
                "disbursed-rate-mismatch",
                f"Dòng {r}{name}: tỷ lệ giải ngân ghi {fmt_pct(typed_pct)} nhưng theo số liệu là {fmt_pct(computed)}; "
                "hệ thống dùng số tính lại.",
                sheet=sheet.name,
                row=r,
                col=table.colmap.get("disbursed_pct"),
                value=typed_pct,
                column="disbursed_pct",
                sheet_key=spec.key,
            )
        t["disbursed_pct"][i] = computed
