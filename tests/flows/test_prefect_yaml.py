"""prefect.yaml agrees with the code it deploys: entrypoints, pull steps, the trigger, the schedule."""

from __future__ import annotations

import importlib
import subprocess
from pathlib import Path

import yaml

from testkit.repo import REPO, run

DOC = yaml.safe_load((REPO / "prefect.yaml").read_text())
DEPLOYMENTS = {d["name"]: d for d in DOC["deployments"]}


def _resolve(dotted: str) -> object:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_every_entrypoint_and_pull_step_exists() -> None:
    for d in DEPLOYMENTS.values():
        path, _, func = d["entrypoint"].partition(":")
        assert (REPO / path).is_file(), path
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert callable(getattr(module, func)), d["entrypoint"]
        assert d["work_pool"]["name"] == "vipbench"
    for step in DOC["pull"]:
        (name,) = step
        assert callable(_resolve(name)), name


def test_the_parent_fans_out_to_the_child_deployment() -> None:
    from flows.fanout import CHILD_DEPLOYMENT, evaluate_run

    child_flow, _, child_name = CHILD_DEPLOYMENT.partition("/")
    assert child_flow == evaluate_run.name and child_name in DEPLOYMENTS
    assert DEPLOYMENTS["vipbench-evaluate"]["parameters"]["fan_out"] == CHILD_DEPLOYMENT


def test_a_release_event_triggers_the_evaluation_with_its_models() -> None:
    from flows.watch_releases import RELEASED

    (trigger,) = DEPLOYMENTS["vipbench-evaluate"]["triggers"]
    assert trigger["expect"] == [RELEASED]
    assert trigger["match"]["prefect.resource.id"] == "vipbench.model.*"
    assert trigger["parameters"] == {"models": "{{ event.payload.models }}"}
    watch = DEPLOYMENTS["vipbench-watch-releases"]
    assert watch["parameters"]["emit"] is True and watch["parameters"]["evaluate_new"] is False


def test_the_cron_is_params_yaml_s_watch_schedule() -> None:
    from flows.serve import watch_params

    w = watch_params(REPO)
    (schedule,) = DEPLOYMENTS["vipbench-watch-releases"]["schedules"]
    assert (schedule["cron"], schedule["timezone"]) == (w.schedule, w.timezone)


def test_checkout_clones_then_updates(tmp_path: Path, monkeypatch: object) -> None:
    from flows.steps import GIT_URL_ENV, checkout

    origin = tmp_path / "origin"
    origin.mkdir()
    run(["git", "init", "-q", "-b", "main"], origin)
    (origin / "a.txt").write_text("one")
    run(["git", "add", "a.txt"], origin)
    run(["git", "-c", "user.email=t@x", "-c", "user.name=t", "commit", "-qm", "one"], origin)
    work = tmp_path / "worker"
    work.mkdir()
    monkeypatch.chdir(work)  # type: ignore[attr-defined]
    monkeypatch.setenv(GIT_URL_ENV, str(origin))  # type: ignore[attr-defined]
    got = Path(checkout()["directory"])
    assert got == work / "vipbench" and (got / "a.txt").read_text() == "one"
    (origin / "a.txt").write_text("two")
    run(["git", "-c", "user.email=t@x", "-c", "user.name=t", "commit", "-qam", "two"], origin)
    assert Path(checkout()["directory"]) == got and (got / "a.txt").read_text() == "two"
    monkeypatch.delenv(GIT_URL_ENV)  # type: ignore[attr-defined]
    try:
        checkout(directory="other")
    except ValueError as e:
        assert GIT_URL_ENV in str(e)
    else:
        raise AssertionError("a checkout without a repository must say which variable to set")
    assert subprocess.run(["git", "-C", str(got), "status", "--porcelain"], capture_output=True).stdout == b""
