"""Share pipeline stages through DVC's run cache, so one checkout restores what another ran.

A fan-out child runs its stages in its own checkout, then `publish`es them: `dvc push
--with-deps --run-cache` of the stages (their outputs, their upstream stages' outputs, and the
run cache entries: stage command + dep hashes -> output hashes), and the objects of the
stages' `cache: false` outputs (the headline metrics), which no push uploads, though restoring
a stage from its run cache entry needs them. The parent then `gather`s: `dvc fetch
--run-cache` and `dvc repro --pull`, so every stage whose deps match an entry is checked out
from the remote instead of run (no model is asked again, and nothing is logged to MLflow twice).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vipbench.core.io import load_yaml
from vipbench.ops import dvcops


def uncached_outputs(index_stages: Any, lock: dict[str, Any], stages: Sequence[str]) -> dict[str, str]:
    """path -> md5 of the `cache: false` outputs of `stages`, as dvc.lock (`lock`) records them;
    `index_stages` are the resolved pipeline's stages (which outputs are `cache: false`)."""
    declared = {str(Path(out.def_path)) for stage in index_stages for out in stage.outs if not out.use_cache}
    out: dict[str, str] = {}
    for name in stages:
        for o in (lock.get("stages", {}).get(name) or {}).get("outs", []):
            if o["path"] in declared and "md5" in o:
                out[o["path"]] = o["md5"]
    return out


def push_uncached(repo: Path | str, stages: Sequence[str], remote: str | None = None) -> int:
    """Upload the objects of the stages' `cache: false` outputs; how many were sent.

    The run cache already holds copies of them in the local cache (DVC commits them there when
    it saves a run), so this sends those copies, through DVC's own remote code.
    """
    from dvc.repo import Repo
    from dvc_data.hashfile.hash_info import HashInfo

    lock = load_yaml((Path(repo) / "dvc.lock").read_text(encoding="utf-8")) or {}
    with Repo(str(repo)) as r:
        objs = {HashInfo("md5", h) for h in uncached_outputs(r.index.stages, lock, stages).values()}
        if not objs:
            return 0
        result = r.cloud.push(objs, remote=remote)
    if result.failed:
        raise dvcops.DvcError(["dvc", "push", "<uncached outputs>"], 1, "", f"not uploaded: {sorted(result.failed)}")
    return len(result.transferred)


def publish(repo: Path | str, stages: Sequence[str], remote: str | None = None) -> dict[str, int]:
    """Push what `stages` produced, their run cache entries and their uncached outputs."""
    rargs = ["-r", remote] if remote else []
    pushed = dvcops.push(repo, stages, remote=remote)
    entries = dvcops._count(dvcops.dvc(repo, "push", "--run-cache", *rargs).stdout)
    return {"outputs": pushed, "run_cache": entries, "uncached": push_uncached(repo, stages, remote)}


def gather(repo: Path | str, stages: Sequence[str], on_line: dvcops.LineSink | None = None) -> dvcops.ReproResult:
    """Fetch the remote's run cache and reproduce `stages`, restoring what matches from it."""
    dvcops.dvc(repo, "fetch", "--run-cache")
    return dvcops.repro(repo, stages, pull=True, on_line=on_line)
