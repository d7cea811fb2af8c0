"""The ``[mail]`` and ``[remind]`` sections of ``consolidate.toml``, and the password.

The password is never in the file: it comes from the environment variable
``CONSOLIDATE_MAIL_PASSWORD`` or from the operating system's keyring (Windows Credential
Manager, macOS Keychain, Secret Service), under the service name ``consolidate`` and the
mailbox's user name. It is never logged and never part of a message.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from dataclasses import dataclass
from datetime import time

from consolidate.core.config import CONFIG_NAME, Config, Unit
from consolidate.core.config.calendar import WeekdayTime, parse_time, parse_weekday_time
from consolidate.core.config.checks import bad, default_table, toml_problem
from consolidate.core.errors import ConfigError, MailError, os_reason
from consolidate.core.secrets import remember

PASSWORD_ENV = "CONSOLIDATE_MAIL_PASSWORD"
KEYRING_SERVICE = "consolidate"
SECURITIES = ("ssl", "starttls", "none")
DEFAULT_PORTS = {("imap", "ssl"): 993, ("imap", "starttls"): 143, ("imap", "none"): 143,
                 ("smtp", "ssl"): 465, ("smtp", "starttls"): 587, ("smtp", "none"): 25}  # fmt: skip


@dataclass(frozen=True)
class RemindStep:
    """One reminder step: its key (stored), when it is due, what it says."""

    key: str
    at: WeekdayTime | None = None  # weekly steps
    day_offset: int = 0  # twice-monthly steps: days from the cut-off day
    at_time: time = time(8, 0)


@dataclass(frozen=True)
class RemindSchedule:
    """``[remind]``; its defaults live only in ``default_config.toml``."""

    weekly_before: WeekdayTime
    weekly_overdue: WeekdayTime
    weekly_summary: WeekdayTime
    projects_days_before: int
    projects_days_after: int
    projects_time: time
    enabled: bool


@dataclass(frozen=True)
class MailSettings:
    """``[mail]``; its defaults live only in ``default_config.toml`` (a port left out
    follows the security chosen: 993/143 for IMAP, 465/587/25 for SMTP)."""

    imap_host: str
    imap_port: int
    imap_security: str
    imap_folder: str
    processed_folder: str
    smtp_host: str
    smtp_port: int
    smtp_security: str
    username: str
    from_address: str
    officer_address: str
    max_attachment_mb: float
    max_replies_per_sender_per_hour: int
    poll_seconds: float
    timeout_seconds: float
    batch_size: int
    remind: RemindSchedule

    @property
    def configured(self) -> bool:
        return bool(self.imap_host and self.username)

    @property
    def max_attachment_bytes(self) -> int:
        return int(self.max_attachment_mb * 1024 * 1024)

    @property
    def sender(self) -> str:
        return self.from_address or self.username

    def require(self) -> None:
        """Raise a Vietnamese configuration error when the mailbox is not configured."""
        for key, value in (
            ("imap_host", self.imap_host),
            ("smtp_host", self.smtp_host),
            ("username", self.username),
        ):
            if not value:
                raise bad(
                    f"mail.{key}",
                    "chưa khai báo",
                    "Điền mục [mail] trong consolidate.toml (xem docs/mail.md).",
                )


def unit_addresses(unit: Unit | None) -> list[str]:
    """The unit's registered addresses (``email`` may hold several, separated by , or ;)."""
    if unit is None or not unit.email:
        return []
    parts = unit.email.replace(";", ",").split(",")
    return [p.strip() for p in parts if p.strip()]


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _security(key: str, value: object, host: str) -> str:
    if value not in SECURITIES:
        raise bad(key, f"'{value}' không hợp lệ", f"Chọn một trong: {', '.join(SECURITIES)}.")
    if value == "none" and host and not _is_loopback(host):
        raise bad(
            key,
            "không mã hóa (none) chỉ được dùng với máy chủ trên chính máy này (127.0.0.1)",
            'Ghi "ssl" (mặc định) hoặc "starttls" theo hướng dẫn của bộ phận quản trị thư.',
        )
    return str(value)


def _typed(table: dict[str, object], key: str, kind: type) -> object:
    default = default_table("mail")[key]
    value = table.get(key, default)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise bad(f"mail.{key}", f"giá trị {value!r} không đúng kiểu", f"Ví dụ: {default!r}.")
    return value


def load_mail_settings(config: Config) -> MailSettings:
    """Read ``[mail]`` and ``[remind]`` from the workspace's configuration file."""
    path = config.root / CONFIG_NAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        reason = (
            f"sai cú pháp TOML: {toml_problem(exc)}"
            if isinstance(exc, tomllib.TOMLDecodeError)
            else (os_reason(exc))
        )
        raise ConfigError(
            f"Không đọc được {path.name}: {reason}.", "Sửa tệp cấu hình (định dạng TOML, UTF-8)."
        ) from exc
    mail = data.get("mail", {})
    rem = data.get("remind", {})
    for name, table in (("mail", mail), ("remind", rem)):
        if not isinstance(table, dict):
            raise bad(name, "không phải một bảng", f"Khai báo dạng [{name}].")
    imap_host = str(_typed(mail, "imap_host", str)).strip()
    smtp_host = str(_typed(mail, "smtp_host", str)).strip()
    imap_sec = _security("mail.imap_security", _typed(mail, "imap_security", str), imap_host)
    smtp_sec = _security("mail.smtp_security", _typed(mail, "smtp_security", str), smtp_host)

    def port(key: str, proto: str, sec: str) -> int:
        default = DEFAULT_PORTS[(proto, sec)]
        value = mail.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise bad(f"mail.{key}", f"giá trị {value!r} không đúng kiểu", f"Ví dụ: {default}.")
        if not 1 <= value <= 65535:
            raise bad(f"mail.{key}", f"cổng {value} không hợp lệ", "Ghi số cổng từ 1 đến 65535.")
        return value

    max_mb = float(_typed(mail, "max_attachment_mb", float))  # type: ignore[arg-type]
    if not 0 < max_mb <= 500:
        default_mb = default_table("mail")["max_attachment_mb"]
        raise bad(
            "mail.max_attachment_mb", f"{max_mb} ngoài khoảng", f"Ghi số MB, mặc định {default_mb}."
        )
    cap = int(_typed(mail, "max_replies_per_sender_per_hour", int))  # type: ignore[call-overload]
    if cap < 1:
        raise bad(
            "mail.max_replies_per_sender_per_hour", f"{cap} < 1", "Ghi số nguyên dương, ví dụ 10."
        )
    for key in ("from_address", "officer_address", "username"):
        value = _typed(mail, key, str)
        if key != "username" and value and "@" not in str(value):
            raise bad(f"mail.{key}", f"'{value}' không phải địa chỉ email", "Ghi email hợp lệ.")
    return MailSettings(
        imap_host=imap_host,
        imap_port=port("imap_port", "imap", imap_sec),
        imap_security=imap_sec,
        imap_folder=str(_typed(mail, "imap_folder", str))
        or str(default_table("mail")["imap_folder"]),
        processed_folder=str(_typed(mail, "processed_folder", str)),
        smtp_host=smtp_host,
        smtp_port=port("smtp_port", "smtp", smtp_sec),
        smtp_security=smtp_sec,
        username=str(_typed(mail, "username", str)),
        from_address=str(_typed(mail, "from_address", str)),
        officer_address=str(_typed(mail, "officer_address", str)),
        max_attachment_mb=max_mb,
        max_replies_per_sender_per_hour=cap,
        poll_seconds=max(1.0, float(_typed(mail, "poll_seconds", float))),  # type: ignore[arg-type]
        timeout_seconds=max(1.0, float(_typed(mail, "timeout_seconds", float))),  # type: ignore[arg-type]
        batch_size=max(1, int(_typed(mail, "batch_size", int))),  # type: ignore[call-overload]
        remind=_remind(rem),
    )


def _remind(rem: dict[str, object]) -> RemindSchedule:
    defaults = default_table("remind")

    def wt(key: str) -> WeekdayTime:
        value = rem.get(key, defaults[key])
        if not isinstance(value, str):
            raise bad(f"remind.{key}", f"{value!r} không hợp lệ", f'Ví dụ: "{defaults[key]}".')
        return parse_weekday_time(f"remind.{key}", value)

    def days(key: str) -> int:
        value = rem.get(key, defaults[key])
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10:
            raise bad(f"remind.{key}", f"{value!r} không hợp lệ", "Ghi số ngày từ 0 đến 10.")
        return value

    enabled = rem.get("enabled", defaults["enabled"])
    if not isinstance(enabled, bool):
        raise bad("remind.enabled", f"{enabled!r} không hợp lệ", "Ghi true hoặc false.")
    at = rem.get("projects_time", defaults["projects_time"])
    return RemindSchedule(
        weekly_before=wt("weekly_before"),
        weekly_overdue=wt("weekly_overdue"),
        weekly_summary=wt("weekly_summary"),
        projects_days_before=days("projects_days_before"),
        projects_days_after=days("projects_days_after"),
        projects_time=parse_time("remind.projects_time", str(at)),
        enabled=enabled,
    )


def mail_password(settings: MailSettings) -> str:
    """The mailbox password: the environment first, then the OS keyring."""
    value = os.environ.get(PASSWORD_ENV)
    if value:
        return value
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            stored = keyring.get_password(KEYRING_SERVICE, settings.username)
        except KeyringError:
            stored = None
    except ImportError:  # pragma: no cover - keyring is a dependency
        stored = None
    if stored:
        return remember(stored)
    raise MailError(
        f"Chưa có mật khẩu hộp thư cho tài khoản {settings.username}.",
        f"Đặt biến môi trường {PASSWORD_ENV}, hoặc lưu mật khẩu vào kho mật khẩu của hệ điều "
        f'hành: `python -m keyring set {KEYRING_SERVICE} "{settings.username}"` (xem docs/mail.md).',
    )
