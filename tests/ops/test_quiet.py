"""The quiet offline defaults: one table, which the shell form in scripts/env.sh repeats exactly."""

from __future__ import annotations

import re

from testkit.repo import REPO
from vipbench.ops.quiet import QUIET_ENV, command_env


def test_env_sh_sets_the_same_defaults() -> None:
    text = (REPO / "scripts" / "env.sh").read_text()
    shell = {}
    for key, value in re.findall(r"^export (\w+)=(\S+)$", text, re.M):
        shell[key] = re.sub(r"^\$\{\w+:-(.*)\}$", r"\1", value)
    assert shell == QUIET_ENV


def test_a_set_value_wins() -> None:
    env = command_env({"DO_NOT_TRACK": "false", "PATH": "/bin"})
    assert env["DO_NOT_TRACK"] == "false" and env["DVC_NO_ANALYTICS"] == "1"
    assert env["PATH"].endswith("/bin") and env["PATH"] != "/bin"
