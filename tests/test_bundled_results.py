"""The committed results: every file dvc.lock and data.dvc pin is in the bundled remote, the DVC
metrics are readable, and a bare `dvc pull` on a fresh clone works.

The repository's default DVC remote, `bundled`, is the committed directory dvcstore/. After the
pipeline is re-run on the bundled data, `dvc push -r bundled` stores its outputs there (they are
small), so a fresh clone can `dvc pull` everything without a network.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from testkit.repo import REPO, run

STORE = REPO / "dvcstore" / "files" / "md5"


def pinned(entry: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, md5) of a cached output; nothing for outputs kept in git (`cache: false`)."""
    if entry.get("cache") is False or "md5" not in entry:
        return []
    return [(entry["path"], entry["md5"])]


def lock_outputs() -> list[tuple[str, str]]:
    out = []
    lock = yaml.safe_load((REPO / "dvc.lock").read_text())
    dvc_yaml = yaml.safe_load((REPO / "dvc.yaml").read_text())
    uncached = set()
    for st in dvc_yaml["stages"].values():
        body = st.get("do", st)
        for kind in ("outs", "metrics", "plots"):
            for o in body.get(kind, []):
                if isinstance(o, dict):
                    (path, opts), = o.items()
                    if opts.get("cache") is False:
                        uncached.add(path)
    for stage in lock["stages"].values():
        for o in stage.get("outs", []):
            if not any(_matches(u, o["path"]) for u in uncached):
                out += pinned(o)
    for o in yaml.safe_load((REPO / "data.dvc").read_text())["outs"]:
        out += pinned(o)
    return out


def _matches(template: str, path: str) -> bool:
    """Whether `path` is an instance of a dvc.yaml path with ${...} placeholders."""
    parts = re.split(r"(\$\{[^}]*\})", template)
    pattern = "".join(".+" if part.startswith("${") else re.escape(part) for part in parts)
    return re.fullmatch(pattern, path) is not None


def in_store(md5: str) -> bool:
    return (STORE / md5[:2] / md5[2:]).is_file()


def test_every_pinned_file_is_in_the_bundled_remote() -> None:
    missing = []
    for path, md5 in lock_outputs():
        if not in_store(md5):
            missing.append(f"{path} ({md5})")
            continue
        if md5.endswith(".dir"):
            listing = json.loads((STORE / md5[:2] / md5[2:]).read_text())
            missing += [f"{path}/{f['relpath']}" for f in listing if not in_store(f["md5"])]
    assert not missing, "not in dvcstore/ (run `dvc push -r bundled`): " + ", ".join(missing[:20])


def test_the_dvc_metrics_are_the_headline_figures() -> None:
    """At most 40 distinct keys across metrics/*.json now, and a bounded number for any configuration."""
    from vipbench.analysis.metrics import (
        HEADLINE_ATTRIBUTE,
        HEADLINE_FLOOR,
        HEADLINE_OVERALL,
    )
    from vipbench.core.attributes import ATTRIBUTES
    from vipbench.pipeline.report import HEADLINE_FIT
    from vipbench.prompts.render import VARIANTS

    keys: set[str] = set()

    def walk(prefix: str, v: object) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                walk(f"{prefix}.{k}" if prefix else k, x)
        else:
            keys.add(prefix)

    for f in (REPO / "metrics").glob("*.json"):
        walk("", json.loads(f.read_text()))
    assert "overall.accuracy" in keys and len(keys) <= 40, sorted(keys)
    # the most a configuration can have: every attribute with its headline and precise accuracy
    # (places also the share within 25 km), the overall floor and lifts, and a capability fit per
    # prompt variant. The cap keeps the list from growing without a decision.
    places = sum(1 for a in ATTRIBUTES.values() if a.kind == "place")
    per_attribute = len(HEADLINE_ATTRIBUTE)
    overall = len(HEADLINE_OVERALL) + len(HEADLINE_FLOOR)
    most = overall + len(ATTRIBUTES) * per_attribute + places + 1 + len(VARIANTS) * len(HEADLINE_FIT)
    assert most <= 70


@pytest.mark.slow
def test_bare_dvc_pull_on_a_fresh_clone(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(REPO), str(clone)], tmp_path)
    pulled = run(["dvc", "pull"], clone, check=False)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert (clone / "data" / "labels.jsonl").is_file()
    assert (clone / "build" / "items.jsonl").is_file()
    assert any((clone / "build" / "defended").glob("*/images/*"))
