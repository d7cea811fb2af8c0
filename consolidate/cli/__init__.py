"""Command-line interface: the only package that imports click.

``app`` holds the root group and the error policy; each command group lives in its own
module and is registered here with one line. Heavy libraries are imported inside the
commands so that ``consolidate --help`` starts fast.
"""

from __future__ import annotations

from consolidate.cli import (
    demo,
    dondoc,
    history,
    ingest,
    mail,
    register,
    reports,
    units,
    workspace,
)
from consolidate.cli.app import main

main.add_commands(workspace.COMMANDS)
main.add_commands(register.COMMANDS)
main.add_commands(units.COMMANDS)
main.add_commands(ingest.COMMANDS)
main.add_commands(reports.COMMANDS)
main.add_commands(demo.COMMANDS)
main.add_commands(history.COMMANDS)
main.add_commands(mail.COMMANDS)
main.add_commands(dondoc.COMMANDS)

__all__ = ["main"]
