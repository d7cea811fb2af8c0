"""Shared fixtures: a fresh workspace per test, built by the code under test."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from consolidate.core.config import Config, init_workspace

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def workspace(tmp_path: Path) -> Config:
    """A ready workspace (default config, 44 units) in a folder whose path has
    Vietnamese characters and spaces, as on an officer's Windows machine."""
    return init_workspace(tmp_path / "Báo cáo tổng hợp" / "Tuần 22")


@pytest.fixture
def dovecot():  # type: ignore[no-untyped-def]
    """A real Dovecot IMAP server on a free loopback port, stopped after the test."""
    from tests.mailservers import Dovecot

    server = Dovecot()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def smtp_sink():  # type: ignore[no-untyped-def]
    """aiosmtpd's Controller on a free loopback port, keeping every message."""
    from tests.mailservers import SmtpSink, free_port

    sink = SmtpSink(free_port())
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def mail_workspace(workspace, dovecot, smtp_sink, monkeypatch):  # type: ignore[no-untyped-def]
    """The workspace wired to the test servers; SKHCN and SNV have registered addresses."""
    from tests.mailservers import PASSWORD, configure, mail_config_text

    configure(
        workspace.root,
        mail_config_text(dovecot.port, smtp_sink.port),
        {"SKHCN": "vanthu@skhcn.daklak.gov.vn", "SNV": "snv@daklak.gov.vn"},
    )
    monkeypatch.setenv("CONSOLIDATE_MAIL_PASSWORD", PASSWORD)
    from consolidate.core.config import load_config

    return load_config(workspace.root)


@dataclass(frozen=True)
class DemoRun:
    """One ``consolidate demo`` of the session: what it printed and the workspace it left.
    Tests take a copy (:meth:`copy`), never the original, so none sees another's edits."""

    root: Path
    output: str
    outputs: tuple[Path, ...]  # the reports it lists, relative to root

    def copy(self, target: Path) -> tuple[Path, list[Path]]:
        """The workspace copied to ``target`` (file modes kept) and its reports there."""
        shutil.copytree(self.root, target)
        return target, [target / rel for rel in self.outputs]


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """The demo run once for the session (it takes minutes): documents, print, history and
    CLI tests each used to run their own."""
    from click.testing import CliRunner

    from consolidate.cli import main

    root = tmp_path_factory.mktemp("demo-run") / "Báo cáo demo"
    result = CliRunner().invoke(main, ["demo", str(root)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index("Báo cáo tổng hợp:") + 1
    outputs = []
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        written = Path(line.strip())
        base = root if written.is_relative_to(root) else root.resolve()
        outputs.append(written.relative_to(base))
    assert outputs
    return DemoRun(root, result.output, tuple(outputs))
