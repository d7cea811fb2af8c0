"""Filling a template given as a file (possibly older or modified) with openpyxl."""

from __future__ import annotations

import io
import math
import numbers
from collections.abc import Mapping, Sequence
from copy import copy
from datetime import date, datetime
from pathlib import Path
from typing import Any

from consolidate.core.text import label_key
from consolidate.render.template_kit import DATE_FORMAT, atomic_write
from schemas import COVER, COVER_SHEET, SheetSpec


def fill_template(
    path: Path,
    template: Path,
    cover: Mapping[str, object],
    rows: Mapping[str, Sequence[Mapping[str, object]]],
    sheets: Sequence[SheetSpec],
) -> Path:
    from openpyxl import load_workbook

    workbook = load_workbook(template)
    ws = workbook[COVER_SHEET]
    by_label = {label_key(str(c.value)): c.row for c in ws["A"] if isinstance(c.value, str)}
    for field in COVER:
        if field.key in cover and label_key(field.label) in by_label:
            _set_cell(ws.cell(by_label[label_key(field.label)], 2), cover[field.key])
    for spec in sheets:
        data = rows.get(spec.key, ())
        if not data:
            continue
        ws = workbook[spec.name]
        header_row, columns = _find_header(ws, spec)
        for r, row_data in enumerate(data, start=header_row + 1):
            for key, value in row_data.items():
                col = columns.get(key)
                if col is None:
                    continue
                cell: Any = ws.cell(r, col)
                if not cell.has_style:  # below the formatted grid: copy the first data row
                    source: Any = ws.cell(header_row + 1, col)
                    cell._style = copy(source._style)
                _set_cell(cell, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return atomic_write(path, buffer.getvalue())


def _find_header(ws: Any, spec: SheetSpec) -> tuple[int, dict[str, int]]:
    labels = {label_key(c.label): c.key for c in spec.columns}
    for row in ws.iter_rows(min_row=1, max_row=20):
        found = {
            labels[label_key(cell.value)]: cell.column
            for cell in row
            if isinstance(cell.value, str) and label_key(cell.value) in labels
        }
        if len(found) >= max(1, len(labels) // 2):
            return row[0].row, found
    raise KeyError(f"no header row of sheet {spec.name!r} in the template")


def _set_cell(cell: Any, value: object) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        cell.value = None
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl would take "=..." for a formula
    elif isinstance(value, datetime | date):
        cell.value = value.replace(tzinfo=None) if isinstance(value, datetime) else value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, numbers.Real):
        cell.value = value if isinstance(value, bool) else float(value)
    else:
        cell.value = str(value)
        cell.data_type = "s"
