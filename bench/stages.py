"""Where the time of one ingest goes, without a profiler's overhead.

:func:`timed_stages` wraps the stage functions that :mod:`consolidate.intake.ingest` calls (and the
store's write methods) with wall-clock accumulators for the duration of a ``with`` block.
Bench-only instrumentation: the product is not changed, only its names are patched and put
back afterwards.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

#: (module, attribute, stage label), in pipeline order.
INGEST_STAGES: tuple[tuple[str, str, str], ...] = (
    ("consolidate.store.db", "Store.archive_bytes", "archive (hash, copy, fsync, ledger)"),
    ("consolidate.intake.ingest", "read_workbook", "read (unzip + XML parse)"),
    ("consolidate.intake.ingest", "check_layout", "layout + cell values"),
    ("consolidate.intake.ingest", "run_pandera", "pandera (one call per batch)"),
    ("consolidate.intake.ingest", "check_rules", "business rules"),
    ("consolidate.intake.ingest", "stored_tables", "rows for the store"),
    ("consolidate.store.db", "Store.save_result", "store (verdict + snapshot)"),
    ("consolidate.intake.feedback", "write_feedback", "feedback (xlsx + txt)"),
)
#: Nested: render includes Chi tiết and close.
#: The Word document that ``build_weekly`` writes beside the workbook (issue 13).
DOC_BUILD = "Word document: build (weekly_document)"
DOC_SAVE = "Word document: save (write_document)"

WEEKLY_STAGES: tuple[tuple[str, str, str], ...] = (
    ("consolidate.build", "weekly_data", "query + derived status (weekly_data)"),
    ("consolidate.build", "write_weekly", "render, all sheets (write_weekly)"),
    ("consolidate.render.weekly", "_task_detail", "  of which Chi tiết rows"),
    (
        "consolidate.render.kit",
        "Book.close",
        "  of which close (XML parts; deflated on a 2nd thread)",
    ),
    ("consolidate.build", "weekly_document", DOC_BUILD),
    ("consolidate.build", "write_document", DOC_SAVE),
)


def _wrap(fn: Callable[..., Any], label: str, totals: dict[str, float]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[label] += time.perf_counter() - start

    return timed


@contextmanager
def timed_stages(stages: Sequence[tuple[str, str, str]]) -> Iterator[dict[str, float]]:
    """Accumulate seconds per stage into the yielded dict while the block runs. A stage
    whose function does not exist (any more) is skipped, not an error."""
    import importlib

    totals: dict[str, float] = defaultdict(float)
    undo: list[tuple[Any, str, Any]] = []
    for module_name, attr, label in stages:
        owner: Any = importlib.import_module(module_name)
        *path, name = attr.split(".")
        for part in path:
            owner = getattr(owner, part, None)
        holder = vars(owner) if isinstance(owner, type) else None
        original = holder.get(name) if holder is not None else getattr(owner, name, None)
        if original is None:
            continue
        undo.append((owner, name, original))
        setattr(owner, name, _wrap(original, label, totals))
    try:
        yield totals
    finally:
        for owner, name, original in reversed(undo):
            setattr(owner, name, original)
