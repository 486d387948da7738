"""New model releases: which models do providers offer that were never evaluated here?

This is the logic behind the `watch_releases` flow, kept free of Prefect so it can be tested
and reused on its own:

1. `list_models` asks each provider in `params.yaml` `watch.providers` for its model ids: an
   OpenAI-compatible `GET /v1/models` (OpenAI, vLLM, Ollama, ...) through the `openai` client,
   or the Hugging Face Hub by author and/or tag (skipped with a log line when offline).
2. `select` keeps the ids that match an `include` glob and no `exclude` glob.
3. `evaluated` reads from MLflow which (model, prompt) pairs already have a run with metrics
   for the current dataset version. MLflow is the only record of what was evaluated: there is
   no state file of our own that could disagree with it.
4. `plan` turns every remaining (model, prompt) pair into a run name and a model spec for
   `params.yaml`.

The `watch:` schema (WatchParams, ProviderParams) is part of vipbench.config.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import socket
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import BaseModel, ValidationError

from vipbench.config import ProviderParams, WatchParams, to_run_name
from vipbench.core.errors import ConfigError
from vipbench.core.io import load_yaml
from vipbench.ops.tags import Tag

log = logging.getLogger(__name__)


def parse_watch(raw: Any, source: str = "params.yaml") -> WatchParams:
    """Validate a `watch` mapping; errors name the key path like the rest of params.yaml."""
    try:
        return WatchParams.model_validate(raw or {})
    except ValidationError as e:
        lines = [f"  watch.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors()]
        raise ConfigError(f"{source}: invalid configuration:\n" + "\n".join(lines)) from None


def load_watch(root: Path, params: Any | None = None) -> WatchParams:
    """`watch` from the validated params when config.Params has it, else from the raw file."""
    got = getattr(params, "watch", None) if params is not None else None
    if isinstance(got, WatchParams):
        return got
    if got is not None:
        return parse_watch(got.model_dump() if isinstance(got, BaseModel) else got)
    path = root / "params.yaml"
    try:
        raw = load_yaml(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found") from None
    return parse_watch(raw.get("watch") if isinstance(raw, dict) else None, str(path))


# -- listing --------------------------------------------------------------------------------


class ProviderUnavailable(Exception):
    """A provider could not be asked this time (offline, down, refused). The poll goes on."""


def list_openai_models(p: ProviderParams) -> list[str]:
    """Model ids from an OpenAI-compatible GET /v1/models, via the real `openai` client."""
    import openai

    from vipbench.models.openai_api import resolve_api_key

    client = openai.OpenAI(
        base_url=p.base_url,
        api_key=resolve_api_key(p.api_key_env, p.base_url),
        timeout=p.timeout,
        max_retries=1,
    )
    try:
        return sorted({m.id for m in client.models.list()})
    except openai.APIError as e:
        raise ProviderUnavailable(f"{p.base_url or 'api.openai.com'}: {type(e).__name__}: {e}") from e
    finally:
        client.close()


def _reachable(url: str, timeout: float) -> str | None:
    """None if a TCP connection to the URL's host opens, else why not (fails fast when offline)."""
    u = urlparse(url)
    host, port = u.hostname or "", u.port or (443 if u.scheme == "https" else 80)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as e:
        return f"cannot reach {host}:{port} ({e})"
    return None


def list_hf_models(p: ProviderParams) -> list[str]:
    """Newest model ids on the Hugging Face Hub for the provider's author / tag / pipeline tag."""
    from huggingface_hub import constants, list_models

    if constants.is_offline_mode():
        raise ProviderUnavailable("HF_HUB_OFFLINE is set")
    why = _reachable(constants.ENDPOINT, min(p.timeout, 5.0))
    if why:
        raise ProviderUnavailable(f"Hugging Face Hub offline: {why}")
    try:
        found = list_models(
            author=p.author, filter=p.tag, pipeline_tag=p.pipeline_tag, sort="created_at", limit=p.limit
        )
        return sorted({m.id for m in found})
    except (OSError, ValueError) as e:  # requests/httpx errors derive from OSError; HfHubHTTPError too
        raise ProviderUnavailable(f"Hugging Face Hub: {type(e).__name__}: {e}") from e


LISTERS: dict[str, Callable[[ProviderParams], list[str]]] = {
    "openai": list_openai_models,
    "hf_hub": list_hf_models,
}


def list_models(p: ProviderParams) -> list[str]:
    return LISTERS[p.kind](p)


def select(ids: Iterable[str], include: Sequence[str], exclude: Sequence[str]) -> list[str]:
    """Ids matching any `include` glob (all if none) and no `exclude` glob. Case-sensitive."""
    out = []
    for i in ids:
        if include and not any(fnmatch.fnmatchcase(i, pat) for pat in include):
            continue
        if any(fnmatch.fnmatchcase(i, pat) for pat in exclude):
            continue
        out.append(i)
    return sorted(set(out))


# -- what MLflow already has ----------------------------------------------------------------


def evaluated(tracking_uri: str, experiment: str, dataset_version: str) -> set[tuple[str, str]]:
    """(model id, prompt) pairs with an MLflow run that has metrics for this dataset version."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=tracking_uri)
    exp = client.get_experiment_by_name(experiment)
    if exp is None:
        return set()
    done: set[tuple[str, str]] = set()
    token: str | None = None
    while True:
        page = client.search_runs(
            [exp.experiment_id],
            filter_string=f"tags.`{Tag.DATASET_VERSION}` = '{dataset_version}'",
            max_results=1000,
            page_token=token,
        )
        for r in page:
            tags = r.data.tags
            if r.data.metrics and Tag.MODEL in tags:
                done.add((tags[Tag.MODEL], tags.get(Tag.PROMPT, "none")))
        token = page.token
        if not token:
            return done


# -- new runs --------------------------------------------------------------------------------


def sanitise(model_id: str) -> str:
    """A model id as part of a run name: runs of other characters become one '-'."""
    return to_run_name(model_id).strip("-.") or "model"


def run_name(provider: str, model_id: str, prompt: str) -> str:
    return f"{provider}-{sanitise(model_id)}-{prompt}"


def _merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in extra.items():
        out[k] = _merge(out[k], v) if isinstance(v, Mapping) and isinstance(out.get(k), Mapping) else v
    return out


def model_spec(p: ProviderParams, model_id: str, prompt: str) -> dict[str, Any]:
    """The params.yaml entry for a new model: the provider's base, its spec_defaults, model and prompt."""
    base: dict[str, Any]
    if p.kind == "openai":
        base = {"kind": "openai", "api_key_env": p.api_key_env}
        if p.base_url:
            base["base_url"] = p.base_url
    else:
        base = {"kind": "hf"}
    spec = _merge(base, p.spec_defaults)
    spec["model"] = model_id
    spec["prompt"] = prompt
    return spec


@dataclass(frozen=True)
class Candidate:
    provider: str
    model_id: str
    prompt: str
    run: str
    spec: dict[str, Any]


def plan(
    watch: WatchParams,
    listed: Mapping[str, Sequence[str]],
    done: set[tuple[str, str]],
    existing: Mapping[str, Mapping[str, Any]],
) -> list[Candidate]:
    """Every (provider, model, prompt) that passes the filters and has no run in MLflow yet.

    `listed` maps provider name to the ids it offered; `existing` is params.yaml `models`.
    A run already in params.yaml under the planned name keeps its spec (someone may have edited
    it); it is still evaluated, since MLflow has no result for it. A planned name taken by a
    different model gets a short hash suffix.
    """
    out: list[Candidate] = []
    taken = {name: str(spec.get("model", "")) for name, spec in existing.items()}
    for p in watch.providers:
        for model_id in select(listed.get(p.name, ()), p.include, p.exclude):
            for prompt in watch.prompts:
                if (model_id, prompt) in done:
                    continue
                name = run_name(p.name, model_id, prompt)
                if name in taken and taken[name] != model_id:
                    digest = hashlib.sha256(model_id.encode()).hexdigest()[:6]
                    name = f"{p.name}-{sanitise(model_id)}-{digest}-{prompt}"
                spec = dict(existing[name]) if name in existing else model_spec(p, model_id, prompt)
                taken[name] = model_id
                out.append(Candidate(p.name, model_id, prompt, name, spec))
    return out


def prompt_variants(
    specs: Mapping[str, Mapping[str, Any]], prompts: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Each run once per prompt variant: the run itself where its prompt is that variant,
    else a new run `<run>-<prompt>` with the same spec and that prompt."""
    out: dict[str, dict[str, Any]] = {}
    for run, spec in specs.items():
        for prompt in prompts:
            if spec.get("prompt", "final") == prompt:
                out[run] = dict(spec)
            else:
                out[f"{run}-{prompt}"] = {**spec, "prompt": prompt}
    return out


def check_spec(spec: Mapping[str, Any]) -> str | None:
    """None if the spec is valid for its kind, else the problems in one line."""
    from vipbench.models.kinds import spec_class

    try:
        spec_class(str(spec.get("kind"))).model_validate(dict(spec))
    except KeyError as e:
        return str(e.args[0])
    except ValidationError as e:
        return "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors())
    return None
