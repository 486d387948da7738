"""Thin wrappers around the real `dvc` (and `git`) command lines, for the Prefect flows.

Each function runs one command in the repository as a subprocess, exactly as a person would
type it, so DVC's own locking, config, remotes and pipeline logic apply unchanged. A failure
raises `DvcError` carrying DVC's stderr, so the reason shows up in the flow run's logs.

The subprocess gets the running interpreter's `bin/` first on PATH, so the pipeline's
`vipbench ...` stage commands resolve to the same installation, and DVC analytics off.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vipbench.ops.quiet import command_env

LineSink = Callable[[str], None]
#: how many of the last output lines an error message quotes (the full text is on the error)
MESSAGE_LINES = 12

_PUSHED = re.compile(r"(\d+) files? (?:pushed|fetched|added)")
_RAN = re.compile(r"Running stage '([^']+)'")
#: failures another attempt cannot fix now: `vipbench` exits 2 on bad configuration or input, 4
#: when a run reaches its budget and 5 when its batches have not ended (the flow checks later);
#: DVC reports unknown stages, missing files and config errors in these words
_PERMANENT = re.compile(
    r"exited with [245]\b|not found inside|does not exist|is invalid|invalid configuration|"
    r"config file error|no remote specified"
)


class DvcError(RuntimeError):
    """A `dvc` or `git` command exited non-zero. `stderr` holds what the tool printed."""

    def __init__(self, cmd: Sequence[str], returncode: int, stdout: str, stderr: str) -> None:
        self.cmd = list(cmd)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        # the end of a stage's traceback and DVC's own "ERROR:" line say what went wrong
        lines = [ln for ln in (stderr.strip() or stdout.strip()).splitlines() if ln.strip()]
        detail = "\n".join(lines[-MESSAGE_LINES:])
        super().__init__(f"`{' '.join(self.cmd)}` failed (exit {returncode}):\n{detail}")


def is_transient(exc: BaseException) -> bool:
    """Whether retrying might help: a held DVC lock, a crashed stage, a remote that was down."""
    if isinstance(exc, DvcError):
        return not _PERMANENT.search(exc.stderr + exc.stdout)
    from vipbench.core.errors import VipbenchError

    return not isinstance(exc, (VipbenchError, ValueError, KeyError, FileNotFoundError))


def executable(name: str = "dvc") -> str:
    """The tool next to the running interpreter (the same venv), else the one on PATH."""
    local = Path(sys.executable).parent / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"`{name}` not found next to {sys.executable} or on PATH")
    return found


def run(
    cmd: Sequence[str],
    repo: Path | str,
    *,
    check: bool = True,
    on_line: LineSink | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command in `repo`. With `on_line`, every output line is passed on as it arrives."""
    cmd = list(cmd)
    if on_line is None:
        p = subprocess.run(
            cmd, cwd=repo, env=command_env(), capture_output=True, text=True, timeout=timeout, check=False
        )
    else:
        p = _streamed(cmd, Path(repo), on_line, timeout)
    if check and p.returncode != 0:
        raise DvcError(cmd, p.returncode, p.stdout, p.stderr)
    return p


def _streamed(
    cmd: list[str], repo: Path, on_line: LineSink, timeout: float | None
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.Popen(
        cmd, cwd=repo, env=command_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
    )
    assert proc.stdout is not None and proc.stderr is not None
    err: list[str] = []

    def pump_err() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            err.append(line)
            on_line(line.rstrip("\n"))

    t = threading.Thread(target=pump_err, daemon=True)
    t.start()
    out: list[str] = []
    for line in proc.stdout:
        out.append(line)
        on_line(line.rstrip("\n"))
    try:
        rc = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    t.join()
    return subprocess.CompletedProcess(cmd, rc, "".join(out), "".join(err))


def dvc(repo: Path | str, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return run([executable("dvc"), *args], repo, **kw)


def git(repo: Path | str, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return run(["git", *args], repo, **kw)


def git_head(repo: Path | str, branch: bool = False) -> str:
    """The commit HEAD points at, or with `branch` the name of the branch it is on."""
    return git(repo, "rev-parse", *(["--abbrev-ref"] if branch else []), "HEAD").stdout.strip()


# -- data --------------------------------------------------------------------------------------


def status(
    repo: Path | str, targets: Sequence[str] = (), *, cloud: bool = False, remote: str | None = None
) -> dict[str, Any]:
    """`dvc status [-c] --json`: an empty dict means up to date."""
    args = ["status", "--json", *(["-c"] if cloud else []), *(["-r", remote] if remote else []), *targets]
    out = dvc(repo, *args).stdout.strip()
    return dict(json.loads(out)) if out else {}


def add(repo: Path | str, target: str) -> None:
    dvc(repo, "add", "-q", target)


def _count(stdout: str) -> int:
    m = _PUSHED.search(stdout)
    return int(m.group(1)) if m else 0


def push(
    repo: Path | str,
    targets: Sequence[str] = (),
    *,
    remote: str | None = None,
    jobs: int | None = None,
    run_cache: bool = False,
    with_deps: bool = False,
) -> int:
    """`dvc push [--run-cache] [--with-deps]`; returns the number of files uploaded."""
    args = [
        "push",
        *(["-r", remote] if remote else []),
        *(["-j", str(jobs)] if jobs else []),
        *(["--run-cache"] if run_cache else []),
        *(["--with-deps"] if with_deps and targets else []),
        *targets,
    ]
    return _count(dvc(repo, *args).stdout)


def pull(
    repo: Path | str, targets: Sequence[str] = (), *, remote: str | None = None, allow_missing: bool = False
) -> int:
    """`dvc pull`; returns the number of files fetched. `allow_missing` skips outputs the remote lacks."""
    args = [
        "pull",
        *(["-r", remote] if remote else []),
        *(["--allow-missing"] if allow_missing else []),
        *targets,
    ]
    return _count(dvc(repo, *args).stdout)


def default_remote(repo: Path | str) -> str | None:
    p = dvc(repo, "remote", "default", check=False)
    name = p.stdout.strip()
    return name if p.returncode == 0 and name else None


# -- pipeline ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReproResult:
    stages: tuple[str, ...]
    #: the stages DVC actually ran (the others were up to date)
    ran: tuple[str, ...]
    stdout: str
    seconds: float


def repro(
    repo: Path | str,
    stages: Sequence[str] = (),
    *,
    single_item: bool = False,
    force: bool = False,
    pull: bool = False,
    on_line: LineSink | None = None,
) -> ReproResult:
    """`dvc repro [stages]`; `single_item` skips the upstream stages (`-s`); `pull` fetches from
    the remote what a stage restored from the run cache needs (`--pull`)."""
    flags = [*(["-s"] if single_item else []), *(["-f"] if force else []), *(["--pull"] if pull else [])]
    args = ["repro", *flags, *stages]
    t0 = time.perf_counter()
    p = dvc(repo, *args, on_line=on_line)
    return ReproResult(tuple(stages), tuple(_RAN.findall(p.stdout)), p.stdout, time.perf_counter() - t0)


# -- git -----------------------------------------------------------------------------------------


def is_git_repo(repo: Path | str) -> bool:
    return git(repo, "rev-parse", "--is-inside-work-tree", check=False).returncode == 0


def git_stage(repo: Path | str, paths: Sequence[str]) -> None:
    present = [p for p in paths if (Path(repo) / p).exists()]
    if present:
        git(repo, "add", "--", *present)


def git_has_staged(repo: Path | str, paths: Sequence[str]) -> bool:
    return git(repo, "diff", "--cached", "--quiet", "--", *paths, check=False).returncode == 1


def git_commit(repo: Path | str, message: str, paths: Sequence[str]) -> str:
    """Commit only `paths` (what is staged elsewhere stays staged); returns the new revision."""
    git(repo, "commit", "-q", "-m", message, "--", *paths)
    return git_head(repo)
