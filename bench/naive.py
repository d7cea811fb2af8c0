"""The two baselines the product is measured against, in the same run.

* :func:`naive_pipeline` — what one writes first: for each file, ``pandas.read_excel``
  (openpyxl engine) of the task sheet, the header row found by its labels (units add
  title rows and move columns), columns renamed to keys, pandera validation of that one
  frame with the product's own schema, then one ``concat``. No archive, no store, no
  feedback: a lower bound of the naive approach, not a straw man.
* :func:`write_floor` — xlsxwriter alone writing the cells of the product's ``Chi tiết``
  sheet (read back from the product's workbook, so the same rows, columns and values),
  ``write_string``/``write_number`` directly, no formats, default (not constant_memory)
  mode, cyclic GC paused: the least any xlsx writer in Python needs for that sheet.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consolidate.core.text import label_key
from schemas import TASKS, Kind

HEADER_SCAN_ROWS = 40
_NUMERIC = (Kind.PERCENT, Kind.MONEY, Kind.NUMBER, Kind.INT)


@dataclass
class NaiveResult:
    seconds: float
    read_seconds: float
    validate_seconds: float
    rows: int
    files_failed: int
    failure_cases: int


def _label(value: object) -> str:
    return label_key(str(value).replace("(*)", "").replace("*", "")) if value == value else ""


def naive_pipeline(paths: Sequence[Path]) -> NaiveResult:
    """Read, validate and concatenate the task sheets of ``paths`` one file at a time."""
    import pandas as pd
    import pandera.pandas as pa

    from consolidate.intake.schema import pandera_schema

    schema = pandera_schema(TASKS)
    by_label = {label_key(c.label): c.key for c in TASKS.columns}
    numeric = [c.key for c in TASKS.columns if c.kind in _NUMERIC]
    data_keys = [c.key for c in TASKS.columns if c.key != "stt"]
    frames: list[Any] = []
    failed = failures = 0
    read_s = validate_s = 0.0
    start = time.perf_counter()
    for path in paths:
        t0 = time.perf_counter()
        try:
            raw = pd.read_excel(path, sheet_name=TASKS.name, header=None, engine="openpyxl")
        except (ValueError, KeyError, OSError, zipfile.BadZipFile):
            failed += 1
            read_s += time.perf_counter() - t0
            continue
        t1 = time.perf_counter()
        read_s += t1 - t0
        head = raw.head(HEADER_SCAN_ROWS)
        hits = [sum(_label(v) in by_label for v in row) for row in head.itertuples(index=False)]
        if not hits or max(hits) < 2:
            failed += 1
            continue
        header = hits.index(max(hits))
        names = [by_label.get(_label(v), f"extra_{i}") for i, v in enumerate(raw.iloc[header])]
        frame = raw.iloc[header + 1 :].set_axis(names, axis=1)
        frame = frame.loc[:, ~frame.columns.duplicated()]
        frame = frame.reindex(columns=[c.key for c in TASKS.columns])
        frame = frame.dropna(how="all", subset=data_keys).reset_index(drop=True)
        for key in numeric:
            frame[key] = pd.to_numeric(frame[key], errors="coerce")
        frame = frame.astype({k: object for k in frame.columns if k not in numeric})
        frame = frame.where(frame.notna(), None)
        try:
            schema.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            failures += len(exc.failure_cases)
        frames.append(frame)
        validate_s += time.perf_counter() - t1
    rows = len(pd.concat(frames, ignore_index=True)) if frames else 0
    return NaiveResult(time.perf_counter() - start, read_s, validate_s, rows, failed, failures)


# --- the write floor -------------------------------------------------------------------------


def _cell(value: Any) -> str | float | None:
    import datetime as dt

    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float, str)):
        return value
    if isinstance(value, dt.datetime):
        return (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    if isinstance(value, dt.date):
        return float((value - dt.date(1899, 12, 30)).days)
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    return str(value)


def read_back(path: Path, sheet: str) -> list[tuple[str | float | None, ...]]:
    """The cells of ``sheet`` in a written workbook as rows of str/number/None (dates as
    Excel serial numbers), so that the floor only ever calls write_string/write_number."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            raw: list[list[Any]] = [list(r) for r in wb[sheet].iter_rows(values_only=True)]
        finally:
            wb.close()
    else:
        book = CalamineWorkbook.from_path(str(path))
        raw = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    # Tuples of atoms: the cyclic GC stops tracking them, so keeping the cells between
    # repeats does not slow the garbage collection of the steps measured afterwards.
    return [tuple(_cell(v) for v in row) for row in raw]


def write_floor(
    rows: Sequence[Sequence[str | float | None]],
    target: Path,
    *,
    constant_memory: bool = False,
    pause_gc: bool = True,
    laid_out: bool = False,
) -> float:
    """Write ``rows`` with xlsxwriter alone; returns the seconds it took (open to close).

    ``laid_out``: also what the product's ``Chi tiết`` carries since it prints readably
    (issue 13): a wrapped-text format on every column, so every cell names a style, and a
    height on every row (information: what that layout costs xlsxwriter itself).
    ``pause_gc``: the cyclic garbage collector is paused while writing, as the product's
    renderer does — otherwise the floor would include the collector re-walking the growing
    cell table, and a product that pauses it would be compared with an inflated floor."""
    import gc

    import xlsxwriter

    enabled = gc.isenabled()
    if pause_gc:
        gc.disable()
    try:
        return _write_floor(xlsxwriter, rows, target, constant_memory, laid_out)
    finally:
        if enabled:
            gc.enable()


def _write_floor(
    xlsxwriter: Any,
    rows: Sequence[Sequence[str | float | None]],
    target: Path,
    constant_memory: bool,
    laid_out: bool = False,
) -> float:
    start = time.perf_counter()
    wb = xlsxwriter.Workbook(
        str(target),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "constant_memory": constant_memory,
        },
    )
    ws = wb.add_worksheet("Chi tiết")
    write_s, write_n = ws.write_string, ws.write_number
    if laid_out:
        wrap = wb.add_format({"font_size": 11, "text_wrap": True, "valign": "top"})
        ws.set_column(0, max((len(r) for r in rows), default=1) - 1, 16, wrap)
    for r, row in enumerate(rows):
        if laid_out:
            ws.set_row(r, 32.25)
        for c, v in enumerate(row):
            if v is None:
                continue
            if v.__class__ is str:
                write_s(r, c, v)  # type: ignore[arg-type]
            else:
                write_n(r, c, v)
    wb.close()
    return time.perf_counter() - start
