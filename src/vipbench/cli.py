"""The `vipbench` command line. Heavy libraries are imported inside commands, so --help is fast."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from vipbench.core.errors import BatchPending, BudgetReached, ImageError, RunFailed, VipbenchError

app = typer.Typer(
    help="Measure how well vision-language models infer private attributes from images.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])

RepoOpt = Annotated[Path, typer.Option("--repo", help="Repository root holding params.yaml.")]
#: the exit status of a run stopped at its budget
BUDGET_EXIT = 4
#: the exit status of a batch run (`--no-wait`) whose batches have not ended yet
PENDING_EXIT = 5
OverwriteOpt = Annotated[bool, typer.Option(help="Replace the output directory if it already exists.")]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        print(f"vipbench {version('vipbench')}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Measure how well vision-language models infer private attributes from images."""


def _pct(x: object) -> str:
    """An accuracy for people: a percentage with one decimal, or n/a."""
    return f"{100 * float(x):.1f}%" if isinstance(x, (int, float)) else "n/a"


def _fail(message: str, code: int = 2) -> typer.Exit:
    print(f"vipbench: error: {message}", file=sys.stderr)
    return typer.Exit(code)


def user_errors(fn: F) -> F:
    """Turn user-facing errors into a clear message and exit status 2 (3 for a failed run, 4 for a
    run stopped at its budget), without a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BatchPending as e:
            raise _fail(str(e), PENDING_EXIT) from None
        except BudgetReached as e:
            # exit 4: not a failure to retry (the same budget stops at the same place) nor a
            # mistake; raise the budget to go on.
            raise _fail(str(e), BUDGET_EXIT) from None
        except RunFailed as e:
            # exit 3, not 2: too many items ended in error, which may pass (an endpoint that was
            # down); a retry resumes from the cache. Exit 2 means a mistake another try will not fix.
            raise _fail(str(e), 3) from None
        except (VipbenchError, ImageError) as e:
            raise _fail(str(e)) from None

    return wrapper  # type: ignore[return-value]


def _ws(repo: Path):  # type: ignore[no-untyped-def]
    from vipbench.workspace import Workspace

    return Workspace.load(repo)


@app.command()
@user_errors
def validate(
    directory: Annotated[Path, typer.Argument(help="Dataset directory with labels.jsonl and images/.")],
    labels: Annotated[str, typer.Option(help="Labels file name inside the directory.")] = "labels.jsonl",
    images: Annotated[bool, typer.Option(help="Also open and check every image.")] = True,
) -> None:
    """Check a VIP-format dataset; report every problem as file:line: field: message."""
    from vipbench.dataset.load import line_counts, read_categorical_labels, read_dataset

    ds = read_dataset(directory, labels, check_images=images)
    for p in ds.problems:
        print(p, file=sys.stderr)
    if ds.problems:
        raise _fail(f"{len(ds.problems)} problem(s) in {directory}", 1)
    c = line_counts(ds)
    print(f"ok: {c.get('images', 0)} images, {c.get('lines', 0)} lines ({c.get('rechecked', 0)} re-checked)")
    cat = read_categorical_labels(ds)
    if cat.counts:
        print("categorical labels: " + ", ".join(f"{n} {form}" for form, n in sorted(cat.counts.items())))
    for note in cat.unread:
        print(f"note: {note}")


@app.command()
@user_errors
def configure(repo: RepoOpt = Path(".")) -> None:
    """Write each run's and each defense's resolved spec under build/config/ (the stages depend on them)."""
    from vipbench.pipeline.configure import configure as run_configure

    counts = run_configure(_ws(repo))
    print(f"configured {counts['models']} run(s), {counts['defenses']} defense(s)")


@app.command()
@user_errors
def prepare(repo: RepoOpt = Path(".")) -> None:
    """Validate the dataset and write build/items.jsonl (one row per image x counted attribute)."""
    from vipbench.pipeline.prepare import prepare as run_prepare

    info = run_prepare(_ws(repo))
    print(json.dumps({k: info[k] for k in ("name", "version", "images", "items")}))


@app.command()
@user_errors
def infer(
    run: Annotated[str, typer.Argument(help="Run name from params.yaml models.")],
    repo: RepoOpt = Path("."),
    max_cost_usd: Annotated[
        float | None,
        typer.Option(
            help="Stop before the run's answers could cost more (USD); the smallest of this, "
            "inference.max_cost_usd and VIPBENCH_MAX_COST_USD applies."
        ),
    ] = None,
    wait: Annotated[
        bool | None,
        typer.Option(help="With batch: true, wait for the batches (default), or check once and exit 5 if unfinished."),
    ] = None,
) -> None:
    """Ask one configured model about every item (cached and resumable)."""
    from vipbench.pipeline.infer import infer as run_infer

    counts = run_infer(_ws(repo), run, max_cost_usd=max_cost_usd, wait=wait)
    print(f"{run}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


@app.command()
@user_errors
def estimate(
    runs: Annotated[
        list[str] | None, typer.Argument(help="Runs to estimate (default: every run, defended ones too).")
    ] = None,
    repo: RepoOpt = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print the estimates as JSON.")] = False,
) -> None:
    """What the runs would cost, sending nothing: requests after the cache, tokens, USD (and batch USD)."""
    from vipbench.pipeline.estimate import estimate as run_estimate
    from vipbench.pipeline.estimate import format_table

    rows = run_estimate(_ws(repo), runs)
    if as_json:
        print(json.dumps([r.as_dict() for r in rows], indent=1))
    else:
        print(format_table(rows))


batch_app = typer.Typer(help="Batch files for a host without an API: export requests, import answers.")
app.add_typer(batch_app, name="batch")


@batch_app.command("export")
@user_errors
def batch_export(
    run: Annotated[str, typer.Argument(help="Run name (kind openai) whose uncached requests to write.")],
    repo: RepoOpt = Path("."),
    out: Annotated[Path | None, typer.Option(help="Output file (default build/batch/<run>.input.jsonl).")] = None,
) -> None:
    """Write a run's uncached requests as an OpenAI batch input file (what `vllm run-batch` reads)."""
    from vipbench.pipeline.batchfiles import export_batch

    path, n = export_batch(_ws(repo), run, out)
    print(f"{run}: wrote {n} request(s) to {path}")


@batch_app.command("import")
@user_errors
def batch_import(
    run: Annotated[str, typer.Argument(help="Run name the answers belong to.")],
    files: Annotated[list[Path], typer.Argument(help="Batch output file(s) (and error files), OpenAI's format.")],
    repo: RepoOpt = Path("."),
) -> None:
    """Answer a run from batch output files: writes its responses (and caches the answers); then score it."""
    from vipbench.pipeline.batchfiles import import_batch

    counts = import_batch(_ws(repo), run, files)
    print(f"{run}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


@app.command()
@user_errors
def score(
    run: Annotated[str, typer.Argument(help="Run name from params.yaml models.")],
    repo: RepoOpt = Path("."),
) -> None:
    """Judge a run's responses and write metrics/<run>.json (`vipbench track` logs it to MLflow)."""
    from vipbench.pipeline.score import score as run_score

    m = run_score(_ws(repo), run)
    from vipbench.analysis.floor import places_within

    o, floor = m["overall"], (m.get("floor") or {}).get("overall")
    line = _beside_floor(o, floor, places_within(m.get("distance") or {}))
    print(f"{run}: {line} over {o['n']} labels (top-3 {_pct(o['top3_accuracy'])})")


def _beside_floor(o: dict, floor: dict | None, near: float | None) -> str:  # type: ignore[type-arg]
    """ "accuracy 61.0% (precise 12.0%, <=25 km 8.0%; floor 60.0%, lift +1.0 / precise +10.0)"."""
    parts = [f"precise {_pct(o.get('accuracy_precise'))}"]
    if near is not None:
        parts.append(f"<=25 km {_pct(near)}")
    text = f"accuracy {_pct(o.get('accuracy'))} ({', '.join(parts)}"
    if floor:
        lift, lift_p = floor.get("lift"), floor.get("lift_precise")
        text += f"; floor {_pct(floor.get('floor_accuracy'))}, lift {_points(lift)} / precise {_points(lift_p)}"
    return text + ")"


def _points(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:+.1f}"


@app.command()
@user_errors
def defend(
    defense: Annotated[str, typer.Argument(help="Defense name from params.yaml defenses.")],
    repo: RepoOpt = Path("."),
) -> None:
    """Apply one defense to every image (content-hash cached) and measure the utility it keeps."""
    from vipbench.pipeline.defend import defend as run_defend

    u = run_defend(_ws(repo), defense)
    print(f"{defense}: mean SSIM {u['ssim']:.3f}, PSNR {u['psnr']:.1f} dB over {int(u['n_images'])} images")
    if u["n_failed"]:
        print(f"{defense}: {u['n_failed']} image(s) could not be defended and are left out:", file=sys.stderr)
        for image, reason in u["failed"].items():
            print(f"  {image}: {reason}", file=sys.stderr)


@app.command()
@user_errors
def track(
    runs: Annotated[list[str] | None, typer.Argument(help="Run names (default: every scored run).")] = None,
    repo: RepoOpt = Path("."),
    force: Annotated[bool, typer.Option(help="Log again even when MLflow holds the same results.")] = False,
) -> None:
    """Record scored runs in MLflow (the report stage does it too); skips runs MLflow already holds."""
    from vipbench.pipeline.track import track as track_runs

    ws = _ws(repo)
    for name in runs or []:
        ws.run(name)  # an unknown name is a usage error before anything is logged
    for name, run_id in track_runs(ws, runs or None, force=force).items():
        print(f"{name}: MLflow run {run_id}")


@app.command()
@user_errors
def report(repo: RepoOpt = Path(".")) -> None:
    """Summarise all configured runs into metrics/summary.json and metrics/report.md."""
    from vipbench.pipeline.report import report as run_report

    s = run_report(_ws(repo))
    for run, r in s["runs"].items():
        print(f"{run:<24} {_beside_floor(r, r.get('floor'), r.get('within_25km'))}")


@app.command("make-default-data")
@user_errors
def make_default_data(
    out: Annotated[Path, typer.Argument(help="Output directory (must be empty or absent).")],
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives byte-identical data.")] = 0,
    n_images: Annotated[int, typer.Option("--n-images", help="Number of images to draw.")] = 48,
    overwrite: OverwriteOpt = False,
) -> None:
    """Generate the bundled synthetic dataset (deterministic under the seed)."""
    from vipbench.dataset.synthetic.generator import generate

    try:
        generate(out, n_images=n_images, seed=seed, overwrite=overwrite)
    except ValueError as e:
        raise _fail(str(e)) from None
    print(f"wrote {out}")


@app.command("import-geo")
@user_errors
def import_geo(
    csv_file: Annotated[Path, typer.Argument(help="CSV with file, latitude, longitude, city, region, country.")],
    images_dir: Annotated[Path, typer.Argument(help="Directory holding the image files the CSV names.")],
    out: Annotated[Path, typer.Argument(help="Output dataset directory.")],
    overwrite: OverwriteOpt = False,
) -> None:
    """Convert a geolocation table into a VIP-format dataset with a placeOfImage label."""
    from vipbench.dataset.importgeo import import_geo as run_import

    n = run_import(csv_file, images_dir, out, overwrite=overwrite)
    print(f"wrote {n} images to {out}")


@app.command()
@user_errors
def review(
    run: Annotated[str, typer.Argument(help="Run name whose judged items to review.")],
    repo: RepoOpt = Path("."),
    verdict: Annotated[
        list[str],
        typer.Option(help="Judge verdicts to review (repeatable): undecided, less_precise, wrong, correct."),
    ] = ["undecided", "less_precise", "wrong"],  # noqa: B006
    attribute: Annotated[list[str] | None, typer.Option(help="Only these attributes (repeatable).")] = None,
    judge: Annotated[str | None, typer.Option(help="Only decisions whose judge name starts with this.")] = None,
    reviewer: Annotated[str, typer.Option(help="Your name, stored with each verdict.")] = "human",
) -> None:
    """Review judge decisions one at a time; verdicts go to the reviews file and override the judges."""
    from vipbench.readers import read_items, read_responses, read_scores
    from vipbench.review.session import candidates, run_session
    from vipbench.review.store import agreement, read_reviews

    ws = _ws(repo)
    this = ws.run(run)
    items = {it.item_id: it for it in read_items(ws, this)}
    cands = candidates(read_scores(ws, run), items, read_responses(ws, run), ws.reviews_file, verdict, attribute, judge)
    print(f"{len(cands)} decision(s) to review; verdicts are appended to {ws.reviews_file}")
    try:
        n = run_session(cands, ws.reviews_file, this.images_dir, lambda q: typer.prompt(q), print, reviewer)
    except typer.Abort:
        if sys.stdin.isatty():
            raise
        # Input ended before the session did: there is no terminal to ask. Verdicts given so far are saved.
        raise _fail(
            "review is interactive: it shows one judged item at a time and reads a verdict for each, so it needs "
            "a terminal (or verdicts piped to stdin, one per prompt; 'q' ends the session). Verdicts given "
            f"before the input ended are saved in {ws.reviews_file}."
        ) from None
    agree = agreement(read_reviews(ws.reviews_file))
    print(
        f"recorded {n}; judge-human agreement over {agree['n']}: accuracy {agree['accuracy']}, kappa {agree['kappa']}"
    )
    print("run `dvc repro` to re-score with the human verdicts")


@app.command()
def kinds() -> None:
    """List the registered model kinds."""
    from vipbench.models.kinds import available_kinds

    for k in available_kinds():
        print(k)


@app.command("dvc-deps")
def dvc_deps(
    repo: RepoOpt = Path("."),
    check: Annotated[bool, typer.Option("--check", help="Only list the differences; exit 1 if there are any.")] = False,
) -> None:
    """Write each stage's code dependencies into dvc.yaml, from the package's import graph."""
    from vipbench.ops.stage_deps import drift, write

    root = repo.resolve()
    found = drift(root) if check else write(root)
    for d in found:
        print(d)
    if check and found:
        raise _fail("dvc.yaml's code dependencies differ from the import graph; run `vipbench dvc-deps`", 1)
    if not found:
        print("dvc.yaml: every stage's code dependencies match the import graph")


@app.command("plots-template")
def plots_template(
    repo: RepoOpt = Path("."),
    force: Annotated[bool, typer.Option(help="Rewrite the template even if it exists.")] = False,
) -> None:
    """Write .dvc/plots/offline.html, the template that makes `dvc plots show` render offline."""
    from vipbench.ops.plots_html import write_template

    print(write_template(repo.resolve(), force=force))


if __name__ == "__main__":
    app()
