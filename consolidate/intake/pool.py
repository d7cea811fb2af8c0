"""The process pool of a flood: reading, checking and writing feedback on worker processes.

A batch below :data:`PARALLEL_MIN_FILES` files is handled in this process (a pool costs more
than it saves). A pool that cannot start or breaks (no fork/spawn allowed, a worker killed)
costs time, never a verdict: the job is then done here. Every job is a function of
``(config, register, *args)``; config and register go to each worker once.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from consolidate.core.config import Config

#: Below this many files a batch is handled in this process (a pool costs more than it saves).
PARALLEL_MIN_FILES = 24
MAX_WORKERS = 4

T = TypeVar("T")

# What every job of a batch needs, given to each worker once (not pickled with each job).
_SHARED: dict[str, Any] = {}


def _init_worker(config: Config, register: dict[str, str | None]) -> None:
    _SHARED["config"], _SHARED["register"] = config, register


def _in_worker(fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    return fn(_SHARED["config"], _SHARED["register"], *args)


class Runner:
    """Runs a job here, or on the batch's process pool; ``submit`` returns a function that
    gives the result (waiting for it). A pool that breaks (no fork/spawn allowed, a worker
    killed) costs time, never a verdict: the job is then done here."""

    def __init__(self, config: Config, register: dict[str, str | None], pool: Any) -> None:
        self.config, self.register, self.pool = config, register, pool

    @property
    def parallel(self) -> bool:
        return self.pool is not None

    def submit(self, fn: Callable[..., T], *args: Any) -> Callable[[], T]:
        from concurrent.futures.process import BrokenProcessPool

        def here() -> T:
            return fn(self.config, self.register, *args)

        if self.pool is None:
            value = here()
            return lambda: value
        try:
            future = self.pool.submit(_in_worker, fn, args)
        except (BrokenProcessPool, RuntimeError, OSError):
            self.pool = None
            value = here()
            return lambda: value

        def wait() -> T:
            try:
                return future.result()  # type: ignore[no-any-return]
            except (BrokenProcessPool, OSError, pickle.PicklingError):
                return here()

        return wait


@contextmanager
def runner(config: Config, register: dict[str, str | None], n_jobs: int) -> Iterator[Runner]:
    """ONE process pool for all the parallel steps of a flood (CPU-bound parsing and xlsx
    writing); none for a small batch or where a pool cannot run."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if n_jobs < PARALLEL_MIN_FILES or workers < 2:
        yield Runner(config, register, None)
        return
    from concurrent.futures import ProcessPoolExecutor

    try:
        pool = ProcessPoolExecutor(
            max_workers=workers, initializer=_init_worker, initargs=(config, register)
        )
    except (OSError, NotImplementedError):
        yield Runner(config, register, None)
        return
    with pool:
        yield Runner(config, register, pool)
