"""The rows of an accepted file as the store keeps them (typed values, one per column)."""

from __future__ import annotations

from datetime import date
from typing import Any

from consolidate.intake.checked import Checked
from consolidate.store.db import StoredTable
from schemas import Kind


def stored_tables(checked: Checked) -> dict[str, StoredTable]:
    """Normalised rows of an accepted file, per store table, one tuple per row."""
    out: dict[str, StoredTable] = {}
    for key, table in checked.tables.items():
        names: list[str] = ["row"]
        columns: list[list[Any]] = [list(table.rows)]
        for col in table.spec.columns:
            values = table.typed[col.key]
            if col.kind == Kind.DEADLINE:
                names += [col.key, "deadline_kind", "deadline_end"]
                columns.append([v.text() if v is not None else None for v in values])
                columns.append([v.kind if v is not None else None for v in values])
                columns.append(
                    [v.end.isoformat() if v is not None and v.end else None for v in values]
                )
            else:
                names.append(col.key)
                columns.append(
                    [v.isoformat() if isinstance(v, date) else v for v in values]
                    if col.kind == Kind.DATE or any(isinstance(v, date) for v in values)
                    else values
                )
        names.append("issues")
        issues = checked.row_issues
        columns.append(
            [
                "\n".join(dict.fromkeys(found)) if (found := issues.get((key, r))) else None
                for r in table.rows
            ]
        )
        out[key] = StoredTable(tuple(names), list(zip(*columns, strict=True)))
    return out


def stored_rows(checked: Checked) -> dict[str, list[dict[str, Any]]]:
    """The same rows as :func:`stored_tables`, as one dict per row."""
    return {
        key: [dict(zip(t.names, row, strict=True)) for row in t.rows]
        for key, t in stored_tables(checked).items()
    }
