"""Every exception of the product, all derived from :class:`ConsolidateError`.

They stand for a broken environment, configuration or command line — never for bad data:
bad data in a submission is a :class:`consolidate.core.findings.Report`. Every exception
here carries a Vietnamese message and a hint on how to fix it; the CLI prints both and
exits with code 2 (``exit_code``). Anything else escaping a command is a bug of ours: the
CLI exits with code 3 and writes a crash file (see :mod:`consolidate.cli.app`).

Do not derive product exceptions from ``ValueError`` or other built-ins: an ``except
ValueError`` somewhere up the stack would then take a bug for a typo.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from consolidate.core.codes import CODES
from consolidate.core.findings import Severity


class ConsolidateError(Exception):
    """Base class: something outside the submitted data stops the tool."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  Cách khắc phục: {self.hint}" if self.hint else self.message


class ConfigError(ConsolidateError):
    """The workspace configuration file is missing, unreadable or has an invalid key."""


class WorkspaceError(ConsolidateError):
    """The folder is not a workspace, or a required folder cannot be created or written."""


class RegisterError(ConsolidateError):
    """The task register workbook cannot be imported (the findings say where)."""

    def __init__(self, message: str, hint: str = "", findings: list[object] | None = None):
        super().__init__(message, hint)
        self.findings = list(findings or [])


class StoreLocked(ConsolidateError):
    """Another consolidate process holds the workspace lock for longer than we wait."""


class StoreError(ConsolidateError):
    """The SQLite store is unreadable or was written by a newer version."""


class OutputError(ConsolidateError):
    """A report could not be written (disk full, no permission) — inputs stay queued."""


class UsageError(ConsolidateError):
    """What the officer typed on the command line (an option value) cannot be understood."""


class PeriodError(UsageError):
    """A period key (``--week``, ``--period``, ``--month``, ``--quarter``) cannot be understood.

    The message is Vietnamese and says how to write the key.
    """

    def __init__(
        self,
        message: str,
        hint: str = "Sửa giá trị của tùy chọn kỳ báo cáo (--week, --period, --month hoặc "
        "--quarter) theo dạng nêu trên, hoặc bỏ tùy chọn đó để lập kỳ vừa chốt.",
    ) -> None:
        super().__init__(message, hint)


class DataError(ConsolidateError):
    """A value in a submitted file cannot be understood: a signal inside the reader.

    Bad data is a result, not a failure: the reader catches these and turns them into a
    finding (code, sheet, cell, message, fix). One escaping to the CLI still ends with a
    Vietnamese message and exit 2, never as a crash.
    """


class DeadlineError(DataError):
    """A deadline text is not one the grammar of :mod:`consolidate.calendar.deadlines` knows.

    ``message`` is the Vietnamese explanation.
    """


class BadValue(DataError):
    """A cell value that cannot be read as its column's kind, as a catalogued code.

    ``fix`` and ``severity`` default to the catalogue's (:mod:`consolidate.core.codes`).
    """

    def __init__(
        self,
        code: str,
        message: str,
        fix: str | None = None,
        severity: Severity | None = None,
        value: Any = None,
    ) -> None:
        entry = CODES[code]
        super().__init__(message, entry.fix if fix is None else fix)
        self.code = code
        self.fix = self.hint
        self.severity: Severity = entry.severity if severity is None else severity
        self.value = value  # a warning's value to keep (e.g. the text converted to Unicode)

    def __str__(self) -> str:
        return self.message


class OutputClosed(ConsolidateError):
    """The reader of the command's output went away (``consolidate status | head``).

    Not an error: the CLI ends quietly with the code a shell gives a program that SIGPIPE
    ended (128 + 13), on every platform, and writes no crash file.
    """

    exit_code = 141


class MailError(ConsolidateError):
    """The mailbox cannot be reached or used (server, port, security, login, folder).

    The message never contains the password."""


class UnitListError(ConsolidateError):
    """A unit list to import is unreadable or invalid (``problems`` names every row)."""

    def __init__(self, message: str, hint: str = "", problems: Sequence[object] = ()):
        super().__init__(message, hint)
        self.problems = list(problems)


#: What the operating system says, in Vietnamese (errno -> reason). Python's ``strerror`` is
#: the C library's English ("No such file or directory") on Linux and macOS.
_ERRNO_VI: dict[str, str] = {
    "ENOENT": "không tìm thấy tệp hoặc thư mục",
    "EACCES": "không có quyền truy cập",
    "EPERM": "không có quyền truy cập",
    "ENOSPC": "ổ đĩa đã đầy",
    "EDQUOT": "đã hết hạn mức dung lượng được cấp",
    "EROFS": "ổ đĩa chỉ cho phép đọc",
    "EISDIR": "đây là thư mục, không phải tệp",
    "ENOTDIR": "một phần của đường dẫn không phải thư mục",
    "EEXIST": "đã có tệp hoặc thư mục cùng tên",
    "ENOTEMPTY": "thư mục không rỗng",
    "EBUSY": "tệp hoặc thiết bị đang bận",
    "ETXTBSY": "tệp đang được chương trình khác dùng",
    "EIO": "lỗi đọc, ghi ổ đĩa",
    "EMFILE": "mở quá nhiều tệp cùng lúc",
    "ENFILE": "mở quá nhiều tệp cùng lúc",
    "ENAMETOOLONG": "tên tệp hoặc đường dẫn quá dài",
    "ELOOP": "đường dẫn vòng lặp (liên kết trỏ về chính nó)",
    "EFBIG": "tệp quá lớn",
    "ENOMEM": "không đủ bộ nhớ",
    "EINVAL": "tên hoặc tham số không hợp lệ",
    "EXDEV": "không chuyển được tệp sang ổ đĩa khác",
    "ESTALE": "ổ mạng không còn kết nối",
    "ETIMEDOUT": "quá thời gian chờ",
    "ECONNREFUSED": "máy chủ từ chối kết nối",
    "ECONNRESET": "kết nối bị ngắt",
    "EHOSTUNREACH": "không tới được máy chủ",
    "ENETUNREACH": "không có kết nối mạng",
    "EPIPE": "đầu nhận đã đóng",
}
#: Windows' own codes: a file another program holds open (Excel), a full disk.
_WINERROR_VI = {
    32: "tệp đang được chương trình khác mở (có thể là Excel)",
    33: "tệp đang được chương trình khác khóa",
    39: "ổ đĩa đã đầy",
    112: "ổ đĩa đã đầy",
}


def os_reason(exc: BaseException) -> str:
    """Why an operation on a file, a folder or the network failed, in Vietnamese: the
    reason the officer reads after 'Không ghi được …:'. Unknown codes keep the system's
    own words, with the code."""
    import errno

    if isinstance(exc, UnicodeDecodeError):
        return "nội dung không phải văn bản UTF-8"
    if isinstance(exc, OSError):
        winerror = getattr(exc, "winerror", None)
        if winerror in _WINERROR_VI:
            return _WINERROR_VI[winerror]
        name = errno.errorcode.get(exc.errno or -1, "")
        if name in _ERRNO_VI:
            return _ERRNO_VI[name]
        if isinstance(exc, TimeoutError):
            return _ERRNO_VI["ETIMEDOUT"]
        if exc.strerror:
            return f"lỗi hệ thống {name or exc.errno}: {exc.strerror}"
    return str(exc) or type(exc).__name__
