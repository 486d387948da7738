"""A generated report of N runs, turned into plot rows by the live builders (plots at scale).

Run names and capability scores look like a real study's: VLMs under two prompt variants with
MMMU scores, offline adversaries, and each adversary under three defenses. Accuracies follow
capability with noise, so the fitted line means something. Deterministic under `seed`.
"""

from __future__ import annotations

import random
from typing import Any

from vipbench.analysis.plot_rows import (
    ACCURACY_FILE,
    CAPABILITY_FILE,
    PRIVACY_FILE,
    accuracy_rows,
    capability_rows,
    privacy_rows,
)
from vipbench.analysis.regression import fit_all

ATTRIBUTES = ["location", "placeOfImage", "sex", "age", "occupation", "income", "maritalStatus", "educationLevel"]
VLMS = [
    ("gpt-4o", 69.1), ("gpt-4.1", 74.8), ("claude-3.5-sonnet", 68.3), ("gemini-1.5-pro", 62.2),
    ("qwen2.5-vl-72b", 70.2), ("qwen2.5-vl-7b", 58.6), ("internvl2.5-78b", 70.1), ("llava-1.6-34b", 51.1),
    ("llava-1.5-13b", 36.4), ("idefics2-8b", 43.0), ("cogvlm-17b", 37.3), ("pixtral-12b", 52.5),
]  # fmt: skip
ADVERSARIES = ["ocr", "exif", "face"]
DEFENSES = [("strip_metadata", 1.0), ("blur_text", 0.84), ("downscale_256", 0.71)]


def _run(rng: random.Random, accuracy: float, **fields: Any) -> dict[str, Any]:
    attrs = {a: min(1.0, max(0.0, accuracy + rng.uniform(-0.25, 0.25))) for a in ATTRIBUTES}
    spread = 0.04 + 0.04 * rng.random()
    return {
        "accuracy": accuracy,
        "accuracy_ci": [max(0.0, accuracy - spread), min(1.0, accuracy + spread)],
        "attributes": attrs,
        "capability": {},
        "prompt": None,
        "defense": None,
        **fields,
    }


def summary(n_runs: int, seed: int = 0) -> dict[str, dict[str, Any]]:
    """`n_runs` runs (at least 2) in the report summary's shape, in a configured order."""
    rng = random.Random(seed)
    runs: dict[str, dict[str, Any]] = {"majority": _run(rng, 0.31)}
    for adversary in ADVERSARIES:
        if len(runs) >= n_runs:
            break
        base = rng.uniform(0.05, 0.6)
        runs[adversary] = _run(rng, base)
        for defense, _ in DEFENSES:
            if len(runs) < n_runs:
                runs[f"{adversary}+{defense}"] = _run(rng, base * rng.uniform(0.0, 1.0), defense=defense)
    for prompt in ("final", "naive", "extended"):
        for model, mmmu in VLMS:
            if len(runs) >= n_runs:
                break
            acc = min(0.95, max(0.05, 0.012 * mmmu - 0.15 - (0.1 if prompt == "naive" else 0) + rng.gauss(0, 0.04)))
            runs[f"{model}-{prompt}"] = _run(rng, acc, prompt=prompt, model=model, capability={"mmmu_val": mmmu})
    return runs


def defense_rows(runs: dict[str, dict[str, Any]], seed: int = 0) -> list[dict[str, Any]]:
    """The report's defense table rows ("overall" only) for every defended run in `runs`."""
    rng = random.Random(seed)
    ssim = dict(DEFENSES)
    out = []
    for name, r in runs.items():
        if r["defense"]:
            base = runs[name.split("+", 1)[0]]["accuracy"]
            out.append(
                {"run": name.split("+", 1)[0], "defense": r["defense"], "attribute": "overall"}
                | {"ssim": ssim[r["defense"]], "drop": base - r["accuracy"], "accuracy_base": base}
                | {"accuracy_defended": r["accuracy"], "p_value": rng.random()}
            )
    return out


def plot_files(n_runs: int, seed: int = 0) -> dict[str, list[dict[str, Any]]]:
    """The three plot files' rows for `n_runs` generated runs, keyed by file name."""
    runs = summary(n_runs, seed)
    prompts = sorted({r["prompt"] for r in runs.values() if r["prompt"]})
    fits = {
        p: fit_all({k: r for k, r in runs.items() if r["prompt"] == p}, "mmmu_val", 80.0, n_boot=50, seed=seed)
        for p in prompts
    }
    return {
        ACCURACY_FILE: accuracy_rows(runs, ["overall", *ATTRIBUTES]),
        CAPABILITY_FILE: capability_rows(runs, fits, "mmmu_val"),
        PRIVACY_FILE: privacy_rows(defense_rows(runs, seed), configured=True),
    }
