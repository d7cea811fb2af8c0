"""core/files: the one atomic write (whole or nothing, no leftovers, ordinary file mode)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from consolidate.core.errors import OutputError
from consolidate.core.files import temp_path, write_atomic, write_versioned


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_bytes_and_text_are_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "thư mục có dấu" / "Báo cáo tuần.txt"
    assert write_atomic(target, "Sở Khoa học và Công nghệ\n") == target
    assert target.read_bytes() == "Sở Khoa học và Công nghệ\n".encode()
    write_atomic(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in target.parent.iterdir()) == ["Báo cáo tuần.txt"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
def test_files_get_the_mode_of_an_ordinary_open(tmp_path: Path) -> None:
    expected = 0o666 & ~_umask()
    for content in (b"x", "x"):
        target = write_atomic(tmp_path / f"a-{type(content).__name__}.bin", content)
        assert stat.S_IMODE(target.stat().st_mode) == expected
    by_writer = write_atomic(tmp_path / "b.bin", lambda p: p.write_bytes(b"y"))
    assert stat.S_IMODE(by_writer.stat().st_mode) == expected
    ordinary = tmp_path / "ordinary.bin"
    ordinary.write_bytes(b"z")
    assert stat.S_IMODE(ordinary.stat().st_mode) == expected


def test_a_failing_writer_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "Bao-cao.xlsx"
    target.write_bytes(b"old report")

    def half_then_fail(path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        write_atomic(target, half_then_fail)
    assert target.read_bytes() == b"old report"
    assert [p.name for p in tmp_path.iterdir()] == ["Bao-cao.xlsx"]


def test_temporary_names_never_collide(tmp_path: Path) -> None:
    target = tmp_path / "a.xlsx"
    names = {temp_path(target).name for _ in range(500)}
    assert len(names) == 500
    assert all(n.startswith(".a.xlsx.") and n.endswith(".tmp") for n in names)


def test_versioned_write_reports_a_bug_as_a_bug(tmp_path: Path) -> None:
    """Only disk failures become OutputError (exit 2); a bug in the writer stays a bug."""

    def buggy(path: Path) -> None:
        raise KeyError("column")

    with pytest.raises(KeyError):
        write_versioned(tmp_path / "r.xlsx", buggy)

    def full(path: Path) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match=r"r\.xlsx: ổ đĩa đã đầy"):
        write_versioned(tmp_path / "r.xlsx", full)
    assert list(tmp_path.iterdir()) == []
