"""Click's own words in Vietnamese: usage, help headings and every error it reports.

Click marks each text it shows with gettext (``_("Missing argument")``) through names its
modules bind at import (``from gettext import gettext as _``). :func:`install` rebinds those
names in click's modules to this catalogue, so the officer reads "Thiếu đối số" instead of
"Missing argument" whatever the locale of the machine, without touching the process-wide
gettext state (the environment of LibreOffice and other children stays as it is). Option
names (``--week``) are never translated.

``tests/test_cli_errors.py`` checks that every text click marks in these modules has an
entry here (a newer click adding one fails the test rather than leaking English).
"""

from __future__ import annotations

import importlib

#: The click modules whose marked texts reach a user of the CLI.
MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
    "click.utils",
)

#: English text as click marks it -> Vietnamese. Placeholders stay as they are.
CATALOGUE: dict[str, str] = {
    # help pages
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Positional arguments": "Đối số",
    "Show this message and exit.": "Hiện hướng dẫn này rồi thoát.",
    "Show the version and exit.": "Hiện phiên bản rồi thoát.",
    "%(prog)s, version %(version)s": "%(prog)s, phiên bản %(version)s",
    "default: {default}": "mặc định: {default}",
    "env var: {var}": "biến môi trường: {var}",
    "required": "bắt buộc",
    "(dynamic)": "(tính khi chạy)",
    "deprecated": "không còn dùng",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": (
        "Cảnh báo: lệnh {name!r} không còn được dùng.{extra_message}"
    ),
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": (
        "Cảnh báo: {param_type} {name!r} không còn được dùng.{extra_message}"
    ),
    # errors: how click frames them (the CLI prints its own frame, these are fallbacks)
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Xem hướng dẫn: {command} {option}",
    "Aborted!": "Đã dừng.",
    "unknown error": "lỗi không rõ",
    # missing things
    "Missing argument": "Thiếu đối số",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing {param_type}": "Thiếu {param_type}",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "argument": "đối số",
    "option": "tùy chọn",
    "parameter": "tham số",
    "Missing command.": "Thiếu lệnh.",
    # unknown things
    "No such option {name!r}.": "Không có tùy chọn {name!r}.",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "Did you mean {possibility}?": "Có phải ý bạn là {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Có phải ý bạn là một trong: {possibilities}?)",
    "Got unexpected extra argument ({args})": "Thừa đối số không dùng đến: {args}.",
    "Option {name!r} does not take a value.": "Tùy chọn {name!r} không nhận giá trị.",
    "Option {name!r} requires an argument.": "Tùy chọn {name!r} cần một giá trị đi kèm.",
    "Argument {name!r} takes {nargs} values.": "Đối số {name!r} nhận {nargs} giá trị.",
    "Invalid start character for option ({option})": (
        "Ký tự đầu của tùy chọn không hợp lệ ({option})"
    ),
    # bad values
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "Value must be an iterable.": "Giá trị phải là một danh sách.",
    "Takes {nargs} values but 1 was given.": "Cần {nargs} giá trị nhưng chỉ có {len}.",
    "{len_type} values are required, but {len_value} was given.": (
        "Cần {len_type} giá trị nhưng có {len_value}."
    ),
    "{value!r} is not {choice}.": "{value!r} không phải {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} không phải một trong {choices}.",
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    "Choice({choices})": "Chọn({choices})",
    "{value!r} does not match the format {format}.": "{value!r} không đúng dạng {format}.",
    "{value!r} does not match the formats {formats}.": (
        "{value!r} không đúng một trong các dạng {formats}."
    ),
    "{value!r} is not a valid {number_type}.": "{value!r} không phải một số hợp lệ.",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} không phải giá trị đúng/sai. Ghi một trong: {states}"
    ),
    "{value!r} is not a valid UUID.": "{value!r} không phải UUID hợp lệ.",
    # paths: click formats "{name} {filename!r} ..." with name.title(); the Vietnamese text
    # names the kind after the path so that .title() never reaches a Vietnamese word
    "file": "tệp",
    "directory": "thư mục",
    "path": "đường dẫn",
    "{name} {filename!r} does not exist.": "Không tìm thấy {filename!r}: đường dẫn không tồn tại.",
    "{name} {filename!r} is a file.": "{filename!r} là một tệp, cần một thư mục.",
    "{name} {filename!r} is a directory.": "{filename!r} là một thư mục, cần một tệp.",
    "{name} {filename!r} is not readable.": "Không có quyền đọc {filename!r}.",
    "{name} {filename!r} is not writable.": "Không có quyền ghi {filename!r}.",
    "{name} {filename!r} is not executable.": "Không có quyền chạy {filename!r}.",
    "Could not open file {filename!r}: {message}": "Không mở được tệp {filename!r}: {message}",
    # prompts (no command prompts today; kept so that none would speak English)
    "Do you want to continue?": "Tiếp tục?",
    "Confirm the action without prompting.": "Xác nhận mà không hỏi lại.",
    "Repeat for confirmation": "Nhập lại để xác nhận",
    "Error: The two entered values do not match.": "Lỗi: hai giá trị đã nhập không khớp nhau.",
    "Error: invalid input": "Lỗi: giá trị nhập không hợp lệ",
    "Press any key to continue...": "Nhấn phím bất kỳ để tiếp tục...",
}

#: Plural forms click asks for (Vietnamese has one form): singular msgid -> text.
PLURALS: dict[str, str] = {
    "Got unexpected extra argument ({args})": CATALOGUE["Got unexpected extra argument ({args})"],
    "Option {name!r} requires an argument.": "Tùy chọn {name!r} cần {nargs} giá trị đi kèm.",
    "Takes {nargs} values but 1 was given.": "Cần {nargs} giá trị nhưng có {len}.",
    "{len_type} values are required, but {len_value} was given.": CATALOGUE[
        "{len_type} values are required, but {len_value} was given."
    ],
    "{value!r} is not {choice}.": CATALOGUE["{value!r} is not one of {choices}."],
    "{value!r} does not match the format {format}.": CATALOGUE[
        "{value!r} does not match the formats {formats}."
    ],
    "Did you mean {possibility}?": CATALOGUE["(Did you mean one of: {possibilities}?)"],
}

#: Texts click marks that only a programmer writing commands can trigger (not translated).
DEVELOPER_ONLY = frozenset(
    {
        "Arguments take exactly one parameter declaration, got {length}: {decls}.",
        "Boolean option {decl!r} cannot use the same flag for true/false.",
        "Could not determine name for option with declarations {decls!r}",
        "Name '{name}' defined twice",
        "No options defined but a name was passed ({name}). Did you mean to declare an "
        "argument instead? Did you mean to pass '--{name}'?",
        "Unknown color {colour!r}",
        "Unknown standard stream '{name}'",
    }
)


def gettext(message: str) -> str:
    return CATALOGUE.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if n == 1:
        return CATALOGUE.get(singular, singular)
    return PLURALS.get(singular, plural)


def install() -> None:
    """Bind click's ``_`` and ``ngettext`` to this catalogue (idempotent).

    Must run before the commands are declared: some texts (the names of path kinds) are
    looked up when a parameter type is created.
    """
    for name in MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
