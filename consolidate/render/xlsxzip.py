"""xlsxwriter's package, compressed on a second thread while the next part is generated.

xlsxwriter's ``close()`` first generates every XML part of the package, then deflates them
one after another on the same thread. For a province-sized weekly workbook the deflating is
~0.35 s of a ~1.5 s close, and it need not wait: zlib releases the GIL, so a part can be
compressed while xlsxwriter generates the next one. :class:`Workbook` does exactly that and
nothing else. The parts, their order, names and content are xlsxwriter's own; only the zip
metadata differs (timestamps as in xlsxwriter's in-memory mode, 1980-01-01; permissions).

In ``constant_memory`` mode the workbook is plain xlsxwriter: there each sheet is copied
into its part in a few large writes, much faster than they can be deflated, so streaming
would hold the whole sheet in memory — the opposite of what that mode is for.

This leans on private names of xlsxwriter 3.x (``Workbook._get_packager``, the packager's
``_filename``, ``_create_package``, ``_set_in_memory`` and its ``filenames`` list). If a
future release renames them, :func:`supported` says so and the renderer falls back to plain
xlsxwriter (tested); ``test_xlsxzip`` checks the package against plain xlsxwriter's.
"""

from __future__ import annotations

import functools
import queue
import threading
import time
import zipfile
from io import BytesIO, StringIO
from pathlib import Path
from typing import IO, Any
from zipfile import ZIP_DEFLATED, LargeZipFile, ZipFile, ZipInfo

import xlsxwriter
from xlsxwriter.packager import Packager

# Same timestamp as xlsxwriter's in-memory mode writes: Excel's own for new files.
_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
_DONE = None
#: The zip thread deflates a growing part in batches of this many writes (xlsxwriter writes
#: a cell or an element at a time: ~1 MB of XML) and otherwise sleeps this long.
_BATCH = 16_384
_POLL_SECONDS = 0.002


@functools.cache
def supported() -> bool:
    """Whether this xlsxwriter still has the private hooks the streaming packager needs."""
    hooks = all(
        callable(getattr(cls, name, None))
        for cls, name in (
            (xlsxwriter.Workbook, "_get_packager"),
            (Packager, "_filename"),
            (Packager, "_create_package"),
            (Packager, "_set_in_memory"),
        )
    )
    return hooks and isinstance(getattr(Packager(), "filenames", None), list)


class _Part(StringIO):
    """One XML part being generated. xlsxwriter writes to a ``StringIO`` (it checks the type);
    here each write is a bare ``list.append`` (a C call, cheaper than ``StringIO.write``), and
    the zip thread takes the text from the list in batches while the part is still growing."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.finished = False
        self.write = self.chunks.append  # type: ignore[method-assign,assignment]


class _ZipWriter(threading.Thread):
    """Owns the zip file; takes parts from a queue, in order, and deflates them."""

    def __init__(self, target: Any, allow_zip64: bool) -> None:
        super().__init__(name="xlsx-zip", daemon=True)
        self.target = target
        self.allow_zip64 = allow_zip64
        self.parts: queue.SimpleQueue[tuple[str, Any, bool] | None] = queue.SimpleQueue()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with ZipFile(
                self.target, "w", compression=ZIP_DEFLATED, allowZip64=self.allow_zip64
            ) as zf:
                while (item := self.parts.get()) is not _DONE:
                    name, data, is_binary = item
                    # As ZipFile.write (xlsxwriter's file mode) does: no leading slash.
                    info = ZipInfo(name.lstrip("/"), _TIMESTAMP)
                    info.compress_type = ZIP_DEFLATED
                    if isinstance(data, _Part):
                        # The size is not known in advance: zip64 headers if allowed at all.
                        with zf.open(info, "w", force_zip64=self.allow_zip64) as dest:
                            _drain(data, dest, self.allow_zip64)
                    elif is_binary:
                        zf.writestr(info, data.getvalue() if hasattr(data, "getvalue") else data)
                    else:
                        zf.writestr(info, data.getvalue().encode("utf-8"))
        except BaseException as exc:  # re-raised on the caller's thread
            self.error = exc
            # Keep draining so the producer never blocks on a dead consumer.
            while self.parts.get() is not _DONE:
                pass


def _drain(part: _Part, dest: IO[bytes], allow_zip64: bool) -> None:
    """Deflate ``part`` while xlsxwriter is still writing it, batch by batch. Each step on the
    list (``len``, slice, ``del`` of a slice) is atomic under the GIL, and the writer only
    appends, so a batch is always a prefix of what is left."""
    chunks = part.chunks
    size = 0
    while True:
        finished = part.finished  # read first: once set, no more appends follow
        n = len(chunks)
        if n >= _BATCH or (finished and n):
            batch = chunks[:n]
            del chunks[:n]
            data = "".join(batch).encode("utf-8")
            size += len(data)
            if size > zipfile.ZIP64_LIMIT and not allow_zip64:
                # What ZipFile.write raises for plain xlsxwriter (close() -> FileSizeError).
                raise LargeZipFile("part larger than 2 GiB: use Workbook.use_zip64()")
            dest.write(data)
        elif finished:
            return
        else:
            time.sleep(_POLL_SECONDS)


class _StreamingPackager(Packager):  # type: ignore[misc]
    def __init__(self, target: Any, allow_zip64: bool) -> None:
        super().__init__()
        self._zip = _ZipWriter(target, allow_zip64)
        self._sent = 0
        self._current: _Part | None = None

    def _set_in_memory(self, in_memory: bool) -> None:
        # Images and VBA come as in-memory byte streams, never as temporary files.
        super()._set_in_memory(True)

    def _filename(self, xml_filename: str) -> StringIO:
        # The part written before this call is complete; the new one is handed to the zip
        # thread at once, so it is deflated while it grows.
        self._finish()
        if self._zip.error is not None:
            raise self._zip.error  # e.g. disk full: stop generating what cannot be written
        part = _Part()
        self.filenames.append((part, xml_filename, False))
        self._send()
        self._current = part
        return part

    def _finish(self) -> None:
        if self._current is not None:
            self._current.finished = True
            self._current = None
        self._send()

    def _send(self) -> None:
        for os_filename, xml_filename, is_binary in self.filenames[self._sent :]:
            self._zip.parts.put((xml_filename, os_filename, is_binary))
        self._sent = len(self.filenames)

    def _create_package(self) -> list[Any]:
        self._zip.start()
        try:
            try:
                super()._create_package()
            finally:
                self._stop()
            if self._zip.error is not None:
                raise self._zip.error
        except BaseException:
            # A package without all its parts must not look like a workbook.
            if isinstance(self._zip.target, (str, Path)):
                Path(self._zip.target).unlink(missing_ok=True)
            raise
        # Nothing left for xlsxwriter to add: its own zip file gets no entries.
        return []

    def _stop(self) -> None:
        # Also after a failure: the zip thread must see the last part end, then stop.
        self._finish()
        self._zip.parts.put(_DONE)
        self._zip.join()


class _EmptyZip(BytesIO):
    """Where xlsxwriter's own zip file goes (it gets no entries). Never closed: if close()
    fails, that zip file is left open, and a finalizer closing this buffer first would make
    ZipFile's own finalizer fail noisily on stderr."""

    def close(self) -> None:
        pass


class Workbook(xlsxwriter.Workbook):  # type: ignore[misc]
    """``xlsxwriter.Workbook`` whose ``close()`` deflates each part while the next is made.

    xlsxwriter still opens its own zip file on ``filename`` and closes it empty, so it is
    given a throwaway in-memory buffer; the real package goes to ``target``. In
    ``constant_memory`` mode it is plain xlsxwriter (see the module's docstring)."""

    def __init__(self, target: str | Path, options: dict[str, Any] | None = None) -> None:
        path = str(target)
        super().__init__(path, options or {})
        self._target: str | None = None  # where the package goes when it is streamed
        if not self.constant_memory:
            self._target = path
            self.filename = _EmptyZip()

    def _get_packager(self) -> Packager:
        if self._target is None:
            return super()._get_packager()
        return _StreamingPackager(self._target, self.allow_zip64)
