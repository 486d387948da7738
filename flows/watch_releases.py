"""Flow: evaluate models that providers newly offer.

    python -m flows.watch_releases [--repo .] [--no-evaluate]

1. Version the dataset, so "the current dataset version" is what data.dvc pins. A dry run
   (`--no-evaluate`) skips this: it changes nothing, and compares against what data.dvc pins now.
2. Ask every provider in params.yaml `watch.providers` for its models (an OpenAI-compatible
   `GET /v1/models`, or the Hugging Face Hub by author/tag when online). A provider that cannot
   be reached is logged and skipped; the others go on.
3. Keep the ids that pass the provider's include/exclude globs.
4. Ask MLflow which (model, prompt) pairs already have a run with metrics for this dataset
   version. MLflow is the only record: nothing else is stored about what was evaluated.
5. Add every missing (model, prompt) to params.yaml as a run `<provider>-<model>-<prompt>` and
   run the `evaluate` flow for those runs.

A second poll finds the MLflow runs of the first and evaluates nothing. A run that failed has
no MLflow run, so the next poll tries it again.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import flows  # noqa: F401  (quiet, offline defaults before Prefect is imported)

# isort: split
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.evaluate import EvaluationFailed, evaluate
from flows.version_dataset import version_dataset
from vipbench.config import ProviderParams
from vipbench.ops import releases
from vipbench.ops.params_edit import read_models
from vipbench.workspace import Workspace

#: the event a new model release is announced with
RELEASED = "vipbench.model.released"


@task(name="poll-provider", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=10)
def poll_provider(provider: ProviderParams) -> list[str]:
    """The provider's model ids; [] with a warning when it cannot be reached this time."""
    logger = get_run_logger()
    try:
        ids = releases.list_models(provider)
    except releases.ProviderUnavailable as e:
        logger.warning("provider %s (%s) skipped this poll: %s", provider.name, provider.kind, e)
        return []
    logger.info("provider %s offers %d model(s)", provider.name, len(ids))
    return ids


@task(name="find-evaluated", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=10)
def find_evaluated(tracking_uri: str, experiment: str, dataset_version: str) -> list[tuple[str, str]]:
    done = releases.evaluated(tracking_uri, experiment, dataset_version)
    get_run_logger().info(
        "MLflow has %d evaluated (model, prompt) pair(s) for dataset %s", len(done), dataset_version
    )
    return sorted(done)


@flow(name="watch-releases")
def watch_releases(
    repo: str = ".",
    watch: dict[str, Any] | None = None,
    evaluate_new: bool = True,
    push: bool = True,
    fail_on_error: bool = True,
    emit: bool = False,
) -> dict[str, Any]:
    """Poll providers and evaluate the models MLflow has no run for.

    `watch` overrides params.yaml `watch` (same shape). With `evaluate_new=False` it only
    reports what it would add, and changes nothing: no `dvc add`, no push, no git staging, and
    params.yaml untouched. `emit` announces each new model as a Prefect event
    `vipbench.model.released` (the vipbench-evaluate deployment's trigger starts its evaluation;
    prefect.yaml runs this flow with `emit` and without `evaluate_new`).
    """
    from vipbench.ops import tracking
    from vipbench.ops.versioning import dataset_version

    logger = get_run_logger()
    root = Path(repo).resolve()
    if evaluate_new:
        dataset = version_dataset(repo=str(root), push=push)
    else:
        dataset = {"skipped": "dry run: the dataset was not versioned"}
        logger.info("dry run: the dataset is not versioned and nothing is evaluated")
    ws = Workspace.load(root)
    wp = releases.parse_watch(watch) if watch is not None else releases.load_watch(root, ws.params)
    if not wp.providers:
        logger.warning("params.yaml watch.providers is empty: nothing to poll")

    listed = {p.name: poll_provider(p) for p in wp.providers}
    version = dataset_version(ws.root, ws.data_dir)[0]
    done = {tuple(x) for x in find_evaluated(tracking.tracking_uri(root), ws.experiment, version)}
    candidates = releases.plan(wp, listed, done, read_models(root / "params.yaml"))  # type: ignore[arg-type]

    invalid = {}
    for c in candidates:
        problem = releases.check_spec(c.spec)
        if problem:
            invalid[c.run] = problem
            logger.error("skipping %s (%s from %s): invalid spec: %s", c.run, c.model_id, c.provider, problem)
    new = {c.run: c.spec for c in candidates if c.run not in invalid}
    out: dict[str, Any] = {
        "dataset_version": version,
        "dataset": dataset,
        "listed": {k: len(v) for k, v in listed.items()},
        "new_runs": sorted(new),
        "invalid": invalid,
        "evaluation": None,
    }
    if not new:
        logger.info("no new models to evaluate for dataset %s", version)
        return out
    logger.info("new runs: %s", ", ".join(sorted(new)))
    if emit:
        out["events"] = announce([c for c in candidates if c.run in new])
        logger.info("announced %d new model(s) as %s events", len(out["events"]), RELEASED)
    if not evaluate_new:
        return out

    state = evaluate(
        repo=str(root),
        runs=sorted(new),
        models=new,
        version_data=False,
        fail_on_error=fail_on_error,
        return_state=True,
    )
    got = state.result(raise_on_failure=False)
    if isinstance(got, EvaluationFailed):
        out["evaluation"] = got.result
        raise EvaluationFailed(f"watch-releases: {got}", out)
    if isinstance(got, BaseException):
        raise got
    out["evaluation"] = got
    return out


def announce(candidates: list[releases.Candidate]) -> list[str]:
    """One `vipbench.model.released` event per new model, its runs (one per prompt) as payload;
    the resource is `vipbench.model.<provider>.<model id>`. Returns the resource ids."""
    from prefect.events import emit_event

    by_model: dict[tuple[str, str], dict[str, Any]] = {}
    for c in candidates:
        by_model.setdefault((c.provider, c.model_id), {})[c.run] = c.spec
    ids = []
    for (provider, model), models in sorted(by_model.items()):
        rid = f"vipbench.model.{provider}.{model}"
        emit_event(
            event=RELEASED,
            resource={"prefect.resource.id": rid, "prefect.resource.name": model, "vipbench.provider": provider},
            payload={"provider": provider, "model": model, "models": models},
        )
        ids.append(rid)
    return ids


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Evaluate new model releases (a Prefect flow)")
    ap.add_argument("--repo", default=".")
    ap.add_argument(
        "--no-evaluate", action="store_true", help="dry run: only list what would be added; change nothing"
    )
    ap.add_argument("--no-push", action="store_true", help="do not dvc push the dataset")
    ap.add_argument("--emit", action="store_true", help=f"announce new models as {RELEASED} Prefect events")
    a = ap.parse_args(argv)
    print(
        json.dumps(
            watch_releases(repo=a.repo, evaluate_new=not a.no_evaluate, push=not a.no_push, emit=a.emit),
            indent=1,
            default=str,
        )
    )


if __name__ == "__main__":
    main()
