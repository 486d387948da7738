"""Batch files without an API: `vipbench batch export RUN` and `vipbench batch import RUN FILE`.

Export writes the run's uncached requests as a batch input file in OpenAI's format (one JSON
line each: `custom_id`, the request's cache key; `method`; `url`; `body`), the format `vllm
run-batch` reads on a GPU host without inbound network. Import reads the output file such a host
writes (OpenAI's output format: `custom_id`, `response.status_code`, `response.body`, `error`)
and runs the infer stage with those answers in place of requests: they are classified, cached
and written to the run's responses file as any answer, so the run then scores as usual (and a
later `dvc repro` finds them in the cache). A request without a line in the file ends as an
error, as a failed request would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vipbench.core.errors import ConfigError
from vipbench.core.io import atomic_open
from vipbench.inference.backend import Request
from vipbench.models.kinds import create_adapter
from vipbench.models.registry import RunContext
from vipbench.readers import ItemsFile
from vipbench.workspace import Workspace

URL = "/v1/chat/completions"


def _openai_run(ws: Workspace, run: str) -> Any:
    this = ws.run(run)
    if this.spec.kind != "openai":
        raise ConfigError(f"models.{this.base}: batch files need kind openai, not {this.spec.kind!r}")
    if not this.items_file.is_file():
        raise ConfigError(f"{this.items_file} is missing: run `dvc repro` up to this run's infer stage's inputs first")
    return this


def default_export_path(ws: Workspace, run: str) -> Path:
    return ws.build / "batch" / f"{run}.input.jsonl"


def export_batch(ws: Workspace, run: str, out: Path | None = None) -> tuple[Path, int]:
    """Write the run's uncached requests to a batch input file; (its path, the number of lines)."""
    from vipbench.inference.dryrun import Recorder

    this = _openai_run(ws, run)
    out = out or default_export_path(ws, run)
    out.parent.mkdir(parents=True, exist_ok=True)
    count = [0]
    with atomic_open(out, "wb") as fh:

        def transport(endpoint: Any) -> Recorder:
            def write(key: str, request: Request) -> None:
                body = endpoint.backend.body(request.messages, request.options)
                line = {"custom_id": key, "method": "POST", "url": URL, "body": body}
                fh.write((json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
                count[0] += 1

            return Recorder(write, reason="exported to a batch file")

        ctx = RunContext(
            run_name=this.name,
            data_dir=this.images_dir,
            cache_path=ws.cache_path,
            max_side=ws.params.inference.max_side,
            transport=transport,
        )
        adapter = create_adapter(this.spec, ctx)
        try:
            for _ in adapter.infer(ItemsFile(this.items_file)):
                pass
        finally:
            adapter.close()
    return out, count[0]


def read_output(path: Path) -> dict[str, Any]:
    """custom_id -> completion or error, from a batch output (or error) file."""
    from vipbench.inference.batches import keyed_lines, read_line
    from vipbench.models.openai_api import completion_from_body

    out: dict[str, Any] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from None
    for n, key, line in keyed_lines(lines):
        if key is None:
            raise ConfigError(f"{path}:{n}: not a batch output line (JSON with a custom_id)")
        out[key] = read_line(line, completion_from_body)
    return out


def import_batch(ws: Workspace, run: str, files: list[Path]) -> dict[str, int]:
    """Run the infer stage of `run` with the answers in `files` (output and error files)."""
    from vipbench.inference.dryrun import Replay
    from vipbench.pipeline.infer import infer

    _openai_run(ws, run)
    outcomes: dict[str, Any] = {}
    for f in files:
        outcomes.update(read_output(f))
    names = ", ".join(str(f) for f in files)
    return infer(ws, run, transport=lambda endpoint: Replay(outcomes, names))
