"""The command line itself: version, help on every option, rounded figures."""

from __future__ import annotations

from importlib.metadata import version

import typer
from typer.testing import CliRunner

from vipbench.cli import _pct, app


def test_version() -> None:
    res = CliRunner().invoke(app, ["--version"])
    assert res.exit_code == 0
    assert res.output.strip() == f"vipbench {version('vipbench')}"


def test_every_option_and_argument_has_help() -> None:
    group = typer.main.get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    assert len(commands) >= 10
    missing = []
    for name, cmd in commands.items():
        assert cmd.help, f"command {name} has no help"
        missing += [f"{name} {p.name}" for p in cmd.params if p.name != "help" and not getattr(p, "help", None)]
    assert missing == []


def test_printed_accuracies_are_rounded() -> None:
    assert _pct(0.3559322033898305) == "35.6%"
    assert _pct(None) == "n/a"
