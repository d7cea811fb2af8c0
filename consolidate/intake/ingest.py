"""Ingest: keep every file, give it a verdict, store accepted snapshots, answer the unit.

``ingest_paths`` is the one entry point used by both ``consolidate ingest`` and the inbox
watcher. Per batch: archive each file byte for byte (before anything reads it), read and
check layout per file, run pandera once over the whole batch, apply business rules, then
write each verdict + snapshot in one transaction and the feedback for the unit.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from consolidate.core.codes import finding
from consolidate.core.config import Config
from consolidate.core.errors import os_reason
from consolidate.core.findings import ACCEPTED, DUPLICATE, REJECTED, Report
from consolidate.core.lock import workspace_lock
from consolidate.core.text import label_key
from consolidate.intake.cells import RawWorkbook
from consolidate.intake.checked import Checked
from consolidate.intake.inbox import PROCESSED_DIR, collect, inside, move_out_of_inbox
from consolidate.intake.layout import META_SHEET, check_layout
from consolidate.intake.pool import Runner, runner
from consolidate.intake.reader import read_workbook
from consolidate.intake.rows import stored_tables
from consolidate.intake.rules import check_rules
from consolidate.intake.schema import run_pandera, warm_pandera
from consolidate.store.db import Store, StoredTable, utc_iso
from schemas.columns import COVER_SHEET, GUIDE_SHEET, SHEETS

BATCH = 200
Progress = Callable[[Report], None]


@dataclass
class IngestResult:
    reports: list[Report] = field(default_factory=list)
    moved: list[tuple[Path, Path]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Files not judged because the officer's ``--received-at`` is before their report date
    #: (the officer's typo, never sent to the unit); they stay where they were.
    held: list[str] = field(default_factory=list)

    def count(self, verdict: str) -> int:
        return sum(1 for r in self.reports if r.verdict == verdict)

    @property
    def exit_code(self) -> int:
        """0 when every file was accepted (or is a copy of an accepted one), 2 when a file
        was held for the officer (``--received-at`` before its report date), else 1."""
        if self.held:
            return 2
        for report in self.reports:
            if report.verdict == REJECTED:
                return 1
            if report.verdict == DUPLICATE and report.errors:
                return 1
        return 0

    def to_dict(self) -> dict[str, object]:
        return {
            "files": len(self.reports),
            "accepted": self.count(ACCEPTED),
            "rejected": self.count(REJECTED),
            "duplicates": self.count(DUPLICATE),
            "held": list(self.held),
            "reports": [r.to_dict() for r in self.reports],
            "notes": list(self.notes),
        }


@dataclass
class _Item:
    name: str
    data: bytes
    received_at: datetime
    sha: str = ""
    source_path: Path | None = None
    #: ``received_at`` was typed by the officer (``--received-at``), not read from a clock.
    officer_time: bool = False
    held: bool = False
    checked: Checked | None = None
    workbook: RawWorkbook | None = None
    rows: dict[str, StoredTable] | None = None


def ingest_paths(
    config: Config,
    paths: Sequence[Path],
    *,
    received_at: datetime | None = None,
    dry_run: bool = False,
    source: str = "cli",
    progress: Progress | None = None,
    move_processed: bool = True,
    officer_time: bool = False,
) -> IngestResult:
    """Ingest files and folders. Returns one report per file, in order.

    ``officer_time``: ``received_at`` was typed by the officer. A file whose report date is
    after it (but not after today) is then held — not judged, not answered, left where it
    is, named in ``result.held`` — since the typed time, not the unit, is wrong (defect 8)."""
    result = IngestResult()
    moment = received_at or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=config.calendar.tz)
    with workspace_lock(config), Store(config.store, config.archive) as store:
        # Listed under the lock: another run may just have taken (and moved) these files.
        files = collect(paths)
        pending = [] if dry_run else store.pending()
        # One pool (for a flood) serves every batch of the run: its workers stay warm.
        with runner(config, store.register_codes(), len(files) + len(pending)) as run:
            if pending:
                _reprocess_pending(store, pending, result, progress, run)
            for start in range(0, len(files), BATCH):
                chunk = files[start : start + BATCH]
                items = []
                for path in chunk:
                    try:
                        data = path.read_bytes()
                    except OSError as exc:
                        result.notes.append(_unreadable(path, exc))
                        continue
                    items.append(
                        _Item(
                            path.name,
                            data,
                            moment,
                            source_path=path,
                            officer_time=officer_time and received_at is not None,
                        )
                    )
                _process(store, items, result, progress, run, dry_run=dry_run, source=source)
                if not dry_run and move_processed:
                    for item in items:
                        if item.held:
                            continue
                        if item.source_path is not None and inside(item.source_path, config.inbox):
                            moved = move_out_of_inbox(config, item.source_path)
                            if moved:
                                result.moved.append((item.source_path, moved))
                            else:
                                result.notes.append(
                                    f"Chưa chuyển được {item.name} khỏi inbox/ sang "
                                    f"{PROCESSED_DIR}/ (tệp đang mở hoặc không có quyền); "
                                    "tệp đã được lưu và trả lời, lần chạy sau sẽ thử lại."
                                )
    return result


def _unreadable(path: Path, exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return (
            f"Bỏ qua {path.name}: tệp không còn ở chỗ cũ (có thể một lần chạy khác đã tiếp nhận)."
        )
    return f"Chưa đọc được {path.name} ({os_reason(exc)}); tệp được giữ nguyên để xử lý lần sau."


def ingest_bytes(
    config: Config,
    data: bytes,
    name: str,
    *,
    received_at: datetime | None = None,
    dry_run: bool = False,
    source: str = "api",
) -> Report:
    """Ingest one file given as bytes (used by tests and the benchmark)."""
    moment = received_at or datetime.now(UTC)
    result = IngestResult()
    with (
        workspace_lock(config),
        Store(config.store, config.archive) as store,
        runner(config, store.register_codes(), 1) as run,
    ):
        _process(
            store, [_Item(name, data, moment)], result, None, run, dry_run=dry_run, source=source
        )
    return result.reports[-1]


def ingest_blobs(
    config: Config,
    blobs: Sequence[tuple[str, bytes, datetime]],
    *,
    source: str = "email",
    progress: Progress | None = None,
) -> IngestResult:
    """Ingest files given as (name, bytes, received_at), e.g. e-mail attachments: exactly
    what ``ingest_paths`` does with dropped files (archive first, one verdict each, the
    unit's answer), in batches, with one pool for a flood. Reports are in batch order
    (copies of a file seen earlier come after the batch's other files)."""
    result = IngestResult()
    with workspace_lock(config), Store(config.store, config.archive) as store:
        pending = store.pending()
        with runner(config, store.register_codes(), len(blobs) + len(pending)) as run:
            if pending:
                _reprocess_pending(store, pending, result, progress, run)
            for start in range(0, len(blobs), BATCH):
                items = [
                    _Item(name, data, when if when.tzinfo else when.replace(tzinfo=UTC))
                    for name, data, when in blobs[start : start + BATCH]
                ]
                _process(store, items, result, progress, run, dry_run=False, source=source)
    return result


def _reprocess_pending(
    store: Store,
    pending: Sequence[tuple[str, str, datetime]],
    result: IngestResult,
    progress: Progress | None,
    run: Runner,
) -> None:
    """Files archived by an earlier run that died before giving them a verdict."""
    items = []
    for sha, name, when in pending:
        try:
            data = store.archived_path(sha).read_bytes()
        except (OSError, KeyError):
            continue
        items.append(_Item(name, data, when, sha=sha))
    if items:
        result.notes.append(
            f"Xử lý lại {len(items)} tệp đã lưu trữ nhưng chưa có kết quả (lần chạy trước bị gián đoạn)."
        )
        _process(
            store,
            items,
            result,
            progress,
            run,
            dry_run=False,
            source="reprocess",
            already_archived=True,
        )


def _process(
    store: Store,
    items: list[_Item],
    result: IngestResult,
    progress: Progress | None,
    run: Runner,
    *,
    dry_run: bool,
    source: str,
    already_archived: bool = False,
) -> None:
    """One batch. Each step overlaps the next where it can: a file is read (by a worker, in
    a flood) as soon as it is archived, and a verdict is stored as soon as its answer is
    written, while the workers go on with the other files."""
    import hashlib

    fresh: list[_Item] = []
    pending: list[Callable[[], _ReadOutcome]] = []
    seen_in_batch: dict[str, _Item] = {}
    duplicates: list[tuple[_Item, Report]] = []
    # Copies of a file of this very batch: answered once that file has its verdict.
    copies: list[tuple[_Item, _Item]] = []
    with _long_lived_frozen():
        for item in items:
            # 1. Keep the bytes before anything else happens.
            if not already_archived and not dry_run:
                arrival = store.archive_bytes(item.data, item.name, item.received_at, source)
                item.sha = arrival.sha256
            elif not item.sha:
                item.sha = hashlib.sha256(item.data).hexdigest()
            earlier = store.verdict_of(item.sha) if not already_archived else None
            if earlier is None and item.sha in seen_in_batch:
                copies.append((item, seen_in_batch[item.sha]))
                continue
            if earlier is not None:
                duplicates.append((item, _duplicate_report(item, earlier, earlier.file)))
                continue
            seen_in_batch[item.sha] = item
            fresh.append(item)
            # 2. Read, check the layout and the rules of each file (workers, for a flood).
            pending.append(
                run.submit(_read_and_check, item.name, item.data, item.sha, item.received_at)
            )
        if run.parallel and fresh:
            warm_pandera()  # here, while the workers read
        for item, outcome in zip(fresh, pending, strict=True):
            item.checked, item.workbook, item.rows = outcome()
        held = {i.sha for i in fresh if _officer_time_contradicted(i)}
        if held:
            fresh = [i for i in fresh if i.sha not in held]
            for item in items:
                if item.sha in held:
                    _hold(store, item, result, run.config, not (dry_run or already_archived))
            copies = [(c, first) for c, first in copies if first.sha not in held]
        # 3. pandera ONCE over the batch.
        run_pandera([i.checked for i in fresh if i.checked is not None and i.workbook is not None])
        # 4. The answer to each unit (workers, for a flood) ...
        answers: list[Callable[[], tuple[str, str] | str]] = []
        if not dry_run:
            answers = [run.submit(_answer, _checked(i).report, _pointed(i)) for i in fresh]
        # 5. ... and, as each is written, its verdict + snapshot in one transaction, in
        # file order (an answer exists before its verdict: a file killed in between is
        # simply processed again).
        for n, item in enumerate(fresh):
            done = _checked(item)
            report = done.report
            if not dry_run:
                answer = answers[n]()
                if isinstance(answer, tuple):
                    report.feedback_path, report.summary_path = answer
                else:
                    report.feedback_path = report.summary_path = None
                    result.notes.append(f"Không ghi được tệp phản hồi cho {item.name}: {answer}")
                store.save_result(report, done.cover, item.rows if report.valid else None)
            result.reports.append(report)
            if progress:
                progress(report)
    for item, first in copies:  # the same verdict and findings as the first copy
        duplicates.append((item, _duplicate_report(item, _checked(first).report, first.name)))
    for _item, report in duplicates:
        result.reports.append(report)
        if progress:
            progress(report)


@contextmanager
def _long_lived_frozen() -> Iterator[None]:
    """Keep what was alive before the batch (modules, pandas, pandera, earlier results) out
    of the cyclic collector's full passes during the batch: each pass would otherwise walk
    all of it again, and a flood triggers a few per batch (~10 % of its main process).
    Nothing is leaked: frozen objects are still freed by reference counting, and they go
    back to the collector when the batch ends.

    The young generations are collected first: garbage cycles of the batch before (parsers,
    tracebacks of refused files) would otherwise be frozen with the rest and come back in
    the oldest generation, which is rarely collected — a long-running ``watch`` grew ~50 KB
    per file that way (the fuzzer: 512 MB after 10,000 files)."""
    gc.collect(1)
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


#: Sheets of ours in the template: the guide is not read, the lists sheet only for its stamp.
ROW_LIMITS = {GUIDE_SHEET: 0, META_SHEET: 1}
#: The template's sheets (label keys): any other sheet of a file is read only to its first
#: rows, so that a workbook with a huge sheet of its own is answered in bounded memory.
TEMPLATE_SHEETS = frozenset(
    label_key(n) for n in (*(s.name for s in SHEETS), COVER_SHEET, GUIDE_SHEET, META_SHEET)
)

Rows = dict[str, StoredTable]
_ReadOutcome = tuple[Checked, RawWorkbook | None, Rows | None]


def _officer_time_contradicted(item: _Item) -> bool:
    """The officer typed the arrival time, and the file's report date is after it."""
    if not item.officer_time or item.checked is None:
        return False
    return any(f.code == "as-of-in-future" for f in item.checked.report.findings)


def _hold(store: Store, item: _Item, result: IngestResult, config: Config, withdraw: bool) -> None:
    """A file the officer's ``--received-at`` contradicts: its arrival is withdrawn (it was
    recorded with the wrong time), nothing is judged or answered, and the officer is told."""
    if withdraw:
        store.withdraw_arrival(item.sha, item.received_at)
    item.held = True
    result.held.append(item.name)
    report = _checked(item).report
    where = next(
        (
            f" (ô {f.cell} trang '{f.sheet}')"
            for f in report.findings
            if f.code == "as-of-in-future"
        ),
        "",
    )
    as_of = datetime.fromisoformat(report.as_of).strftime("%d/%m/%Y") if report.as_of else "?"
    local = item.received_at.astimezone(config.calendar.tz)
    result.notes.append(
        f"Chưa tiếp nhận {item.name}: ngày báo cáo trong tệp là {as_of}{where}, sau thời điểm "
        f"nhận --received-at {local:%d/%m/%Y %H:%M} — thời điểm gõ vào có lẽ bị nhầm (năm, "
        "tháng hoặc ngày). Không gửi gì cho đơn vị; tệp vẫn ở chỗ cũ. Chạy lại lệnh với "
        "--received-at đúng giờ của thư điện tử."
    )


def _checked(item: _Item) -> Checked:
    assert item.checked is not None, "every fresh file is read before it is answered"
    return item.checked


def _pointed(item: _Item) -> RawWorkbook | None:
    """Only what the answer copies (none: no workbook): the sheets a finding points into,
    and of a data sheet only its title and header rows and the rows a finding points at."""
    wb, checked = item.workbook, item.checked
    if wb is None or checked is None or not checked.report.findings:
        return None
    return pointed_rows(wb, checked)


def pointed_rows(wb: RawWorkbook, checked: Checked) -> RawWorkbook:
    from consolidate.intake.cells import split_ref

    rows_by_sheet: dict[str, set[int]] = {}
    for f in checked.report.findings:
        if f.sheet and f.cell:
            rows_by_sheet.setdefault(f.sheet, set()).add(split_ref(f.cell)[0])
    header = {t.sheet.name: t.header_row for t in checked.tables.values()}
    sheets = {}
    for name, sheet in wb.sheets.items():
        wanted = rows_by_sheet.get(name)
        if wanted is None:
            continue
        top = header.get(name)
        if top is None:  # not read as a table (the cover sheet): all of it, it is short
            sheets[name] = sheet
            continue
        kept = {r: cells for r, cells in sheet.rows.items() if r <= top or r in wanted}
        percent = {(r, c) for r, c in sheet.percent if r in kept}
        sheets[name] = replace(sheet, rows=kept, percent=percent, partial=True)
    return replace(wb, sheets=sheets)


def _read_and_check(
    config: Config,
    register: dict[str, str | None],
    name: str,
    data: bytes,
    sha: str,
    received_at: datetime,
) -> _ReadOutcome:
    """Everything about one file that needs no other file: read, layout and cell values,
    business rules, the rows to store. pandera runs later, once over the batch."""
    report = Report(file=name, sha256=sha, received_at=utc_iso(received_at))
    checked = Checked(report=report)
    read = read_workbook(data, name, row_limits=ROW_LIMITS, known=TEMPLATE_SHEETS)
    report.extend(read.findings)
    if read.workbook is None:
        _unit_from_name(config, report)
        return checked, None, None
    local = received_at.astimezone(config.calendar.tz)
    check_layout(read.workbook, checked, config, local)
    check_rules(checked, config, register, local)
    report.counts = {k: len(t.rows) for k, t in checked.tables.items()}
    rows = stored_tables(checked) if report.valid else None
    _unit_from_name(config, report)
    return checked, _slim(read.workbook, checked), rows


def _unit_from_name(config: Config, report: Report) -> None:
    """A rejected file whose content names no known unit: its name may ("SXD - Báo cáo.xls").
    The hint only routes the answer to that unit's folder and shows the officer whose file
    it probably is; the file stays rejected and stores nothing."""
    if report.unit_code is not None or report.valid:
        return
    unit = config.unit_index.from_file_name(report.file)
    if unit is None:
        return
    report.unit_code, report.unit_name = unit.code, unit.name
    report.add(
        finding(
            "unit-from-file-name",
            f"Không xác định được đơn vị từ nội dung tệp; theo tên tệp “{report.file}”, "
            f"tệp được coi là của {unit.name}.",
        )
    )


def _slim(wb: RawWorkbook, checked: Checked) -> RawWorkbook:
    """The workbook without the cells nothing will look at again (the guide, the lists):
    only the tables' sheets and the sheets a finding points into keep their rows."""
    keep = {t.sheet.name for t in checked.tables.values()}
    keep.update(f.sheet for f in checked.report.findings if f.sheet and f.cell)
    return replace(
        wb,
        sheets={
            n: s if n in keep else replace(s, rows={}, percent=set(), merged=[])
            for n, s in wb.sheets.items()
        },
    )


def _answer(
    config: Config, _register: object, report: Report, workbook: RawWorkbook | None
) -> tuple[str, str] | str:
    """Write the unit's feedback; the paths, or why it could not be written."""
    from consolidate.intake.feedback import write_feedback

    try:
        xlsx, txt = write_feedback(config, report, workbook, None)
    except OSError as exc:
        return os_reason(exc)
    return str(xlsx), str(txt)


def _duplicate_report(item: _Item, earlier: Report | None, first_name: str) -> Report:
    report = Report(
        file=item.name,
        sha256=item.sha,
        received_at=utc_iso(item.received_at),
        duplicate_of=first_name,
    )
    if earlier is not None:
        report.unit_code, report.unit_name = earlier.unit_code, earlier.unit_name
        report.as_of, report.template_version = earlier.as_of, earlier.template_version
        report.findings = list(earlier.findings)
        report.feedback_path, report.summary_path = earlier.feedback_path, earlier.summary_path
        report.counts = dict(earlier.counts)
    return report
