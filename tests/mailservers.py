"""Real mail servers for the tests: Debian's Dovecot (IMAP) as a child process on a free
loopback port with a temporary configuration, and aiosmtpd's Controller (SMTP) keeping
what it receives. In CI (CI=true) a missing Dovecot fails the run instead of skipping."""

from __future__ import annotations

import email
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

DOVECOT = Path("/usr/sbin/dovecot")
USER, PASSWORD = "so.khcn@daklak.gov.vn", "mat-khau-thu"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def require_dovecot() -> None:
    if DOVECOT.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("dovecot-imapd is not installed (scripts/install-system-deps.sh installs it)")
    pytest.skip("dovecot-imapd not installed")


class Dovecot:
    def __init__(self) -> None:
        require_dovecot()
        self.dir = Path(tempfile.mkdtemp(prefix="consolidate-dovecot-"))
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        root = os.getuid() == 0
        if root:  # Dovecot refuses to run logins or mail access as root
            mail_user = pwd.getpwnam("dovecot")
            uid, gid = mail_user.pw_uid, mail_user.pw_gid
            internal, login = "dovecot", "dovenull"
        else:
            uid, gid = os.getuid(), os.getgid()
            internal = login = pwd.getpwuid(uid).pw_name
        (self.dir / "mail").mkdir()
        (self.dir / "run").mkdir()
        if root:
            os.chown(self.dir / "mail", uid, gid)
        (self.dir / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:::::\n", encoding="utf-8")
        group = internal if root else (os.getgid() and __import__("grp").getgrgid(gid).gr_name)
        (self.dir / "dovecot.conf").write_text(
            f"""protocols = imap
listen = 127.0.0.1
base_dir = {self.dir}/run
state_dir = {self.dir}/run/state
instance_name = consolidate-test-{self.port}
log_path = {self.dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = {min(uid, 1)}
mail_location = maildir:{self.dir}/mail/%u
mailbox_idle_check_interval = 1 secs
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.dir}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={self.dir}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
""",
            encoding="utf-8",
        )
        self.start()

    def start(self) -> None:
        (self.dir / "run" / "master.pid").unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(self.dir / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() ends every child too
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    if s.recv(64).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not start: " + self.log())

    def stop(self) -> None:
        """Stop the master and every child (the imap processes serving open connections):
        for a client, the server is gone."""
        import signal

        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(10)
        self.proc = None
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                time.sleep(0.05)
            except OSError:
                return

    def log(self) -> str:
        path = self.dir / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- helpers for the tests ------------------------------------------------------------

    def imap(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def append(self, messages: list[tuple[bytes, datetime]], folder: str = "INBOX") -> None:
        """IMAP APPEND, which sets INTERNALDATE (the server's receiving time)."""
        client = self.imap()
        try:
            for data, when in messages:
                typ, _ = client.append(folder, "", imaplib.Time2Internaldate(when), data)
                assert typ == "OK"
        finally:
            client.logout()

    def flags(self, folder: str = "INBOX") -> dict[int, str]:
        client = self.imap()
        try:
            client.select(folder)
            _typ, data = client.uid("FETCH", "1:*", "(FLAGS)")
            out = {}
            for line in data:
                if isinstance(line, bytes) and b"UID" in line:
                    text = line.decode()
                    uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
                    out[uid] = text
            return out
        finally:
            client.logout()


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> Message:
        return email.message_from_bytes(self.data)


@dataclass
class SmtpSink:
    port: int
    received: list[Received] = field(default_factory=list)
    controller: Any = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                sink.received.append(
                    Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
                )
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def mail_config_text(imap_port: int, smtp_port: int, **extra: object) -> str:
    lines = [
        "[mail]",
        'imap_host = "127.0.0.1"',
        f"imap_port = {imap_port}",
        'imap_security = "none"',
        'smtp_host = "127.0.0.1"',
        f"smtp_port = {smtp_port}",
        'smtp_security = "none"',
        f'username = "{USER}"',
        f'from_address = "{USER}"',
        'officer_address = "chuyenvien@daklak.gov.vn"',
        "poll_seconds = 1",
        "timeout_seconds = 10",
    ]
    for key, value in extra.items():
        lines.append(f"{key} = {value!r}".replace("'", '"'))
    return "\n".join(lines) + "\n"


def configure(root: Path, mail_text: str, emails: dict[str, str] | None = None) -> None:
    """Replace the [mail] section of the workspace's config; set units' addresses."""
    import re

    path = root / "consolidate.toml"
    text = path.read_text(encoding="utf-8")
    if "\n[mail]\n" in text:
        text = re.sub(r"\[mail\]\n.*?(?=\n\[remind\])", mail_text.rstrip("\n"), text, flags=re.S)
    else:  # a workspace made before the [mail] section existed
        text = text.rstrip("\n") + "\n\n" + mail_text
    for code, address in (emails or {}).items():
        text = re.sub(
            rf'(code = "{re.escape(code)}"\n(?:.*\n)*?)email = ""',
            lambda m, a=address: f'{m.group(1)}email = "{a}"',
            text,
            count=1,
        )
    path.write_text(text, encoding="utf-8")
    from dataclasses import replace

    from consolidate.core.config import load_config
    from consolidate.core.units import units_csv_text

    config = load_config(root)
    if emails and config.units_path is not None:  # the unit list is data/don-vi.csv
        units = [replace(u, email=emails.get(u.code, u.email)) for u in config.units]
        config.units_path.parent.mkdir(parents=True, exist_ok=True)
        config.units_path.write_text(units_csv_text(units), encoding="utf-8")
