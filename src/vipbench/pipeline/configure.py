"""configure: each run's and each defense's resolved spec, one JSON file each, for DVC to depend on.

DVC addresses a parameter by a dotted path (`models.gpt-4.1` would be read as `models.gpt-4` →
`1`), so a run name with a dot cannot be a params dependency. This stage writes
`build/config/models/<run>.json` and `build/config/defenses/<defense>.json` instead (the spec with
every default filled in, secrets never: a spec holds the *name* of a key's variable, not the key),
and the `infer`/`score`/`defend` stages depend on their own file. Editing one model rewrites only
that model's file, so only that model's stages run again. In dvc.yaml it comes after `prepare`, so
that an invalid dataset stops the pipeline before anything is written.

It also points each run at its kind's code: `deps/runs/<run>` links to `deps/kinds/<kind>` (see
`vipbench.workspace.link_run_code`), which the run's `infer` stages, defended or not, depend on.
dvc.yaml names the link by the run (a matrix cell knows only its run's name, and a `foreach` item
without a `kind` would stop DVC's parser before this stage could name the line).
"""

from __future__ import annotations

from typing import Any

from vipbench.core.io import write_json
from vipbench.workspace import Workspace, link_run_code


def model_config(ws: Workspace, run: str) -> dict[str, Any]:
    return {"run": run, "spec": ws.params.model(run).public_dict()}


def defense_config(ws: Workspace, defense: str) -> dict[str, Any]:
    return {"defense": defense, "spec": ws.defense(defense).model_dump(mode="json")}


def configure(ws: Workspace) -> dict[str, int]:
    for run in ws.params.models:
        write_json(ws.model_config_file(run), model_config(ws, run))
    for defense in ws.params.defenses:
        write_json(ws.defense_config_file(defense), defense_config(ws, defense))
    index = {"models": sorted(ws.params.models), "defenses": sorted(ws.params.defenses)}
    write_json(ws.config_dir / "index.json", index)  # also keeps the output directory non-empty
    link_run_code(ws.root, {run: ws.params.model(run).kind for run in ws.params.models})
    return {k: len(v) for k, v in index.items()}
