"""Seeded fuzzer: mutate valid submissions at the zip, XML and value level and check that
every case ends with a verdict (accepted or rejected, never an exception), in bounded memory.

    .venv/bin/python bench/fuzz.py --cases 10000 [--seed 1]

The CI runs 500 cases (tests/test_fuzz.py); the count and findings of the long runs are in
docs/reliability.md. Each mutation is one of: a truncated or cut part, a duplicated part, a
wrong content type, a giant shared string, odd relationships (missing, pointing outside,
absolute, to a missing part), random bytes in cells, a byte flipped in a part's XML, a part
replaced by garbage, a deleted part.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import sys
import tempfile
import time
import tracemalloc
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consolidate.core.config import Config, init_workspace
from consolidate.intake.ingest import ingest_bytes

NOON = datetime.fromisoformat("2026-06-04T12:00:00+07:00")
Parts = list[tuple[str, bytes]]


def _parts(data: bytes) -> Parts:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i.filename, zf.read(i.filename)) for i in zf.infolist()]


def _zip(parts: Parts) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():  # a duplicated part is the point of that mutation
        warnings.simplefilter("ignore", UserWarning)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in parts:
                zf.writestr(name, data)
    return out.getvalue()


def _pick(rng: random.Random, parts: Parts, pattern: str = "") -> int:
    chosen = [i for i, (n, _) in enumerate(parts) if re.search(pattern, n)] or list(
        range(len(parts))
    )
    return rng.choice(chosen)


def _truncate_file(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(0, len(data))]


def _cut_part(rng: random.Random, parts: Parts) -> Parts:
    i = _pick(rng, parts, r"\.xml$")
    name, body = parts[i]
    parts[i] = (name, body[: rng.randrange(0, max(1, len(body)))])
    return parts


def _duplicate_part(rng: random.Random, parts: Parts) -> Parts:
    i = _pick(rng, parts)
    return [*parts, parts[i]]


def _content_type(rng: random.Random, parts: Parts) -> Parts:
    i = _pick(rng, parts, r"Content_Types")
    name, body = parts[i]
    wrong = rng.choice(
        [b"application/vnd.ms-excel.sheet.macroEnabled.main+xml", b"text/plain", b""]
    )
    parts[i] = (
        name,
        re.sub(rb'ContentType="[^"]*"', lambda _m: b'ContentType="' + wrong + b'"', body, count=3),
    )
    return parts


def _giant_string(rng: random.Random, parts: Parts) -> Parts:
    i = _pick(rng, parts, r"sharedStrings|sheet\d")
    name, body = parts[i]
    giant = (
        b"<t>"
        + bytes(rng.choice(b"abc \xe1\xba\xa1") for _ in range(1))
        * rng.choice([10_000, 1_000_000, 5_000_000])
        + b"</t>"
    )
    parts[i] = (name, re.sub(rb"<t>[^<]*</t>", lambda _m: giant, body, count=1))
    return parts


def _relationships(rng: random.Random, parts: Parts) -> Parts:
    i = _pick(rng, parts, r"\.rels$")
    name, body = parts[i]
    target = rng.choice(
        [b"../../../etc/passwd", b"/xl/nothing.xml", b"C:\\x.xml", b"", b"worksheets/sheet1.xml"]
    )
    if rng.random() < 0.3:
        return [p for j, p in enumerate(parts) if j != i]
    parts[i] = (
        name,
        re.sub(
            rb'Target="[^"]*"',
            lambda _m: b'Target="' + target + b'"',
            body,
            count=rng.randint(1, 3),
        ),
    )
    return parts


def _random_cells(rng: random.Random, parts: Parts) -> Parts:
    i = _pick(rng, parts, r"sheet\d|sharedStrings")
    name, body = parts[i]
    noise = (
        bytes(rng.randrange(0x20, 0x7F) for _ in range(rng.randint(1, 40)))
        .replace(b"<", b"&lt;")
        .replace(b"&", b"&amp;")
    )

    def swap(m: re.Match[bytes]) -> bytes:
        return (
            m[1] + (noise if rng.random() < 0.5 else str(rng.uniform(-1e20, 1e20)).encode()) + m[3]
        )

    parts[i] = (name, re.sub(rb"(<v>|<t>)([^<]*)(</v>|</t>)", swap, body, count=rng.randint(1, 20)))
    return parts


def _flip_byte(rng: random.Random, parts: Parts) -> Parts:
    i = _pick(rng, parts, r"\.xml$")
    name, body = parts[i]
    if body:
        at = rng.randrange(len(body))
        body = body[:at] + bytes([rng.randrange(256)]) + body[at + 1 :]
    parts[i] = (name, body)
    return parts


def _garbage_part(rng: random.Random, parts: Parts) -> Parts:
    i = _pick(rng, parts)
    parts[i] = (parts[i][0], rng.randbytes(rng.randint(0, 5000)))
    return parts


def _delete_part(rng: random.Random, parts: Parts) -> Parts:
    i = _pick(rng, parts)
    return [p for j, p in enumerate(parts) if j != i]


PART_MUTATIONS: dict[str, Callable[[random.Random, Parts], Parts]] = {
    "cut part": _cut_part,
    "duplicated part": _duplicate_part,
    "wrong content type": _content_type,
    "giant shared string": _giant_string,
    "odd relationships": _relationships,
    "random bytes in cells": _random_cells,
    "byte flipped in XML": _flip_byte,
    "garbage part": _garbage_part,
    "deleted part": _delete_part,
}
KINDS = ("truncated file", *PART_MUTATIONS)


def mutate(rng: random.Random, good: bytes) -> tuple[str, bytes]:
    kind = rng.choice(KINDS)
    if kind == "truncated file":
        return kind, _truncate_file(rng, good)
    parts = PART_MUTATIONS[kind](rng, _parts(good))
    if rng.random() < 0.2:  # a second mutation on top
        second = rng.choice(list(PART_MUTATIONS))
        parts = PART_MUTATIONS[second](rng, parts)
        kind = f"{kind} + {second}"
    return kind, _zip(parts)


def seeds(config: Config, folder: Path) -> list[bytes]:
    """Valid submissions to mutate: tasks only, with projects, one with many rows."""
    from tests.builders import project_row, submission

    return [
        submission(config, folder / "a.xlsx").read_bytes(),
        submission(
            config, folder / "b.xlsx", projects=[project_row(1), project_row(2)]
        ).read_bytes(),
        submission(config, folder / "c.xlsx", n_tasks=40).read_bytes(),
    ]


def run(
    cases: int, seed: int, config: Config, folder: Path, replay: int | None = None
) -> dict[str, object]:
    """Every case through ingest (dry run); counts of verdicts and codes, any failure and the
    five cases that took the most memory. ``replay``: only that case (the same mutation, as
    the RNG runs through the cases before it), to look at one."""
    rng = random.Random(seed)
    good = seeds(config, folder)
    verdicts: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    failures: list[str] = []
    tracemalloc.start()
    peak = 0
    heaviest: list[tuple[float, int, str]] = []  # (MB, case, mutation): the five largest
    for n in range(cases):
        kind, data = mutate(rng, rng.choice(good))
        if replay is not None and n != replay:
            continue
        try:
            report = ingest_bytes(config, data, f"fuzz-{n}.xlsx", received_at=NOON, dry_run=True)
        except Exception as exc:  # a crash: exit 3 in the CLI
            failures.append(f"case {n} ({kind}): {type(exc).__name__}: {exc}")
            continue
        if report.verdict not in ("accepted", "rejected"):
            failures.append(f"case {n} ({kind}): verdict {report.verdict}")
        verdicts[report.verdict] += 1
        codes.update({f.code for f in report.errors})
        case_peak = tracemalloc.get_traced_memory()[1]
        peak = max(peak, case_peak)
        heaviest = sorted([*heaviest, (round(case_peak / (1 << 20), 1), n, kind)])[-5:]
        tracemalloc.reset_peak()
    tracemalloc.stop()
    return {
        "heaviest": heaviest[::-1],
        "cases": cases,
        "verdicts": dict(verdicts),
        "codes": dict(codes.most_common()),
        "failures": failures,
        "peak_traced_mb": round(peak / (1 << 20), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--replay", type=int, default=None, help="run only case N of the seed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = init_workspace(Path(tmp) / "ws")
        start = time.perf_counter()
        result = run(args.cases, args.seed, config, Path(tmp), args.replay)
        took = time.perf_counter() - start
    print(f"{result['cases']} cases in {took:.0f} s, seed {args.seed}")
    print(f"verdicts: {result['verdicts']}")
    print(f"peak traced memory of one case: {result['peak_traced_mb']} MB")
    print("cases that took the most memory (MB, case, mutation):")
    for mb, n, kind in result["heaviest"]:  # type: ignore[attr-defined]
        print(f"  {mb} MB  case {n}  {kind}")
    print("error codes (cases):")
    for code, n in result["codes"].items():  # type: ignore[attr-defined]
        print(f"  {code}: {n}")
    failures = result["failures"]
    print(f"failures: {len(failures)}")  # type: ignore[arg-type]
    for line in failures[:50]:  # type: ignore[index]
        print(f"  {line}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
