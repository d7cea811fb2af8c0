"""Layer 3 of validation: pandera, over a whole batch of files at once.

A schema generated from ``schemas/`` checks required cells, closed lists and ranges,
lazily; :func:`failures_to_findings` translates pandera's failure cases back to Excel
cells of the file each row came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from consolidate.core.fmt import fmt_num
from consolidate.intake.checked import Checked, Context, Table, display, row_name
from schemas import SHEETS, Kind, SheetSpec

_SCHEMAS: dict[str, Any] = {}


def pandera_schema(spec: SheetSpec) -> Any:
    """A pandera DataFrameSchema generated from the specification (cached)."""
    if spec.key in _SCHEMAS:
        return _SCHEMAS[spec.key]
    import pandera.pandas as pa

    columns = {}
    for col in spec.columns:
        checks = []
        if col.kind == Kind.CHOICE and col.choices:
            checks.append(pa.Check.isin(list(col.choices)))
        if col.minimum is not None and col.maximum is not None:
            checks.append(pa.Check.in_range(col.minimum, col.maximum))
        elif col.minimum is not None:
            checks.append(pa.Check.ge(col.minimum))
        # "rõ" columns other than the task itself are judged by the 06 rõ rule (its
        # severity is configurable), so pandera does not also call them required.
        nullable = not col.required or (col.clear is not None and col.key != "task")
        columns[col.key] = pa.Column(None, nullable=nullable, checks=checks, required=True)
    schema = pa.DataFrameSchema(columns, coerce=False)
    _SCHEMAS[spec.key] = schema
    return schema


def warm_pandera() -> None:
    """Import pandera and build the schemas (~0.4 s), e.g. while workers read a flood."""
    for spec in SHEETS:
        pandera_schema(spec)


_PANDERA_KINDS = (
    Kind.TEXT,
    Kind.CHOICE,
    Kind.PERCENT,
    Kind.MONEY,
    Kind.NUMBER,
    Kind.UNIT,
    Kind.DATE,
    Kind.DEADLINE,
    Kind.INT,
    Kind.EMAIL,
)


def run_pandera(batch: Sequence[Checked]) -> None:
    """Run each sheet's pandera schema ONCE over the rows of all files in ``batch``."""
    import pandas as pd
    import pandera.pandas as pa

    for spec in SHEETS:
        owners: list[tuple[Checked, Table, int]] = []  # global row -> (file, table, Excel row)
        columns: dict[str, list[Any]] = {c.key: [] for c in spec.columns}
        for checked in batch:
            table = checked.tables.get(spec.key)
            if table is None or not table.rows:
                continue
            for r in table.rows:
                owners.append((checked, table, r))
            for col in spec.columns:
                columns[col.key].extend(table.typed[col.key])
        if not owners:
            continue
        frame = pd.DataFrame(
            {
                k: pd.Series(v, dtype="float64")
                if spec.column(k).kind in (Kind.PERCENT, Kind.MONEY, Kind.NUMBER)
                else pd.Series(v, dtype=object)
                for k, v in columns.items()
            }
        )
        try:
            pandera_schema(spec).validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            failures_to_findings(exc.failure_cases, spec, owners)


def failures_to_findings(
    failure_cases: Any, spec: SheetSpec, owners: Sequence[tuple[Checked, Table, int]]
) -> None:
    """THE translation of pandera's failure_cases (column, check, index) to Excel cells."""
    seen: set[tuple[int, int, str]] = set()
    for rec in failure_cases.to_dict("records"):
        index = rec.get("index")
        key = rec.get("column")
        if index is None or key not in spec.keys or (isinstance(index, float) and index != index):
            continue
        checked, table, r = owners[int(index)]
        if (r, key) in table.failed or key not in table.colmap:
            continue  # already reported while reading the cell, or the column is missing
        if (id(checked), r, key) in seen:
            continue
        seen.add((id(checked), r, key))
        col = spec.column(key)
        check = str(rec.get("check", ""))
        value = rec.get("failure_case")
        ctx = Context(checked)
        where = {
            "sheet": table.sheet.name,
            "row": r,
            "col": table.colmap[key],
            "column": key,
            "sheet_key": spec.key,
        }
        task = row_name(table, r)
        if check == "not_nullable":
            ctx.add(
                "required-missing",
                f"Dòng {r}{task}: chưa ghi '{col.label}' (bắt buộc).",
                f"Ghi '{col.label}'. {col.help}".strip(),
                **where,
            )
        elif check.startswith("isin"):
            ctx.add(
                "not-in-list",
                f"Dòng {r}{task}: “{display(value)}” không có trong danh sách của cột '{col.label}'.",
                "Chọn một trong: " + "; ".join(col.choices) + ".",
                value=value,
                **where,
            )
        elif check.startswith(("in_range", "greater_than")):
            bounds = (
                f"từ {fmt_num(col.minimum or 0.0, 6)} đến {fmt_num(col.maximum or 0.0, 6)}"
                if col.maximum is not None
                else f"không âm (≥ {fmt_num(col.minimum or 0.0, 6)})"
            )
            ctx.add(
                "out-of-range",
                f"Dòng {r}{task}: '{col.label}' phải {bounds}; đang ghi {display(value)}.",
                f"Ghi số {bounds}" + (" (ví dụ 60 cho 60 %)." if col.kind == Kind.PERCENT else "."),
                value=value,
                **where,
            )
        else:
            ctx.add(
                "invalid-value",
                f"Dòng {r}{task}: giá trị '{col.label}' không hợp lệ ({check}).",
                col.help,
                value=value,
                **where,
            )
