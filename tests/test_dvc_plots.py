"""The repository's DVC plots (dvc.yaml's specs and the .dvc/plots/ templates), drawn by real DVC
and headless Chromium: readable with 40 runs, empty plots that say why, revisions told apart."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from testkit import browser, plot_runs, plots_page
from vipbench.analysis.plot_rows import (
    ACCURACY_FILE,
    CAPABILITY_FILE,
    PRIVACY_FILE,
    accuracy_rows,
    capability_rows,
    privacy_rows,
)

pytestmark = pytest.mark.slow

TEXT = re.compile(r"<text([^>]*)>([^<]*)</text>")
#: the SVG element vega draws a chart into
CHART = re.compile(r'<svg[^>]*class="marks"')


def charts(root: Path, *diff: str) -> list[str]:
    """The SVG of each chart on the page `dvc plots show` (or `diff`) writes, in dvc.yaml's order."""
    dom, console = browser.render(plots_page.show(root, *diff).as_uri())
    assert not [m for m in console if "error" in m.lower()], console  # a failed chart is a console error
    starts = [m.start() for m in CHART.finditer(dom)]
    return [dom[a:b] for a, b in zip(starts, [*starts[1:], len(dom)], strict=True)]


def texts(svg: str) -> list[tuple[str, str]]:
    """(attributes, text) of every text element of a chart."""
    return [(a, html.unescape(t)) for a, t in TEXT.findall(svg)]


def test_forty_runs_each_get_a_row_of_their_own(tmp_path: Path) -> None:
    runs = list(plot_runs.summary(40))
    assert len(runs) == 40
    bars, capability, privacy = charts(plots_page.make(tmp_path / "repo", plot_runs.plot_files(40)))
    # the y axis names each run once (right-aligned labels), at least a font height apart
    ys = {
        t: float(re.search(r"translate\([^,]+,([-\d.]+)\)", a)[1]) for a, t in texts(bars) if 'text-anchor="end"' in a
    }
    assert set(runs) <= set(ys)
    steps = sorted(ys[r] for r in runs)
    assert min(b - a for a, b in zip(steps, steps[1:], strict=False)) >= 12
    # one colour per run: the legend lists them all
    assert sum(t in runs for a, t in texts(bars) if 'text-anchor="start"' in a) == 40
    # capability: the shown model labels are the models' names
    models = {r.rsplit("-", 1)[0] for r in runs if r.endswith(("-final", "-naive", "-extended"))}
    shown = {t for a, t in texts(capability) if 'opacity="0"' not in a and t in models}
    assert len(shown) >= len(models) // 2
    # privacy: each defense labelled once per panel, each adversary in the shape legend
    labels = [t for _, t in texts(privacy)]
    for name in ("strip_metadata", "blur_text", "downscale_256", "ocr", "exif", "face"):
        assert name in labels


def test_a_plot_with_nothing_to_show_says_why_in_its_title(tmp_path: Path) -> None:
    files = plot_runs.plot_files(4)  # the floor and one adversary under defenses: no prompt run
    assert [r["kind"] for r in files[CAPABILITY_FILE]] == ["note"]
    files[PRIVACY_FILE] = [{**r, "kind": "note", "note": "no defense here"} for r in files[PRIVACY_FILE][:1]]
    _, capability, privacy = charts(plots_page.make(tmp_path / "repo", files))
    assert "Accuracy against capability: nothing to show" in capability
    assert "because no run uses a prompt" in capability
    assert "nothing to show" in privacy and "because no defense here" in privacy


def test_a_diff_tells_the_two_revisions_apart(tmp_path: Path) -> None:
    files = plot_runs.plot_files(4)
    root = plots_page.make(tmp_path / "repo", files)
    moved = plots_page.move_one_run(root)
    plots_page.commit(root, "one run's accuracy moves")
    bars, _, privacy = charts(root, "HEAD~1")
    # colour = revision: the legend names both revisions (not the runs)
    legend = [t for a, t in texts(bars) if 'text-anchor="start"' in a]
    assert {"HEAD~1", "workspace"} <= set(legend) and moved not in legend
    assert "colour = revision" in bars
    # the moved run has a bar per revision, each with its value
    before = next(r for r in files[ACCURACY_FILE] if r["run"] == moved and r["attribute"] == "overall")
    after = next(r for r in plots_page.read(root, ACCURACY_FILE) if r["run"] == moved and r["attribute"] == "overall")
    values = [t for _, t in texts(bars)]
    assert f"{before['accuracy']:.0%}" in values and f"{after['accuracy']:.0%}" in values
    # the scatter plots get one panel per revision
    assert "HEAD~1" in privacy and "workspace" in privacy


def test_a_fit_that_cannot_be_drawn_keeps_the_points_and_says_why(tmp_path: Path) -> None:
    files = plot_runs.plot_files(15)  # two prompt runs: too few for a fit
    assert sum(r["kind"] == "run" for r in files[CAPABILITY_FILE]) == 2
    _, capability, _ = charts(plots_page.make(tmp_path / "repo", files))
    shown = [t for a, t in texts(capability) if 'opacity="0"' not in a]
    assert "gpt-4o" in shown and "gpt-4.1" in shown
    assert any(t.startswith("final: need at least 3 models") for t in shown)


def test_a_repository_with_no_scored_run_gets_three_titles_that_say_why(tmp_path: Path) -> None:
    files = {
        ACCURACY_FILE: accuracy_rows({}, ["overall"]),
        CAPABILITY_FILE: capability_rows({}, {}, "mmmu_val"),
        PRIVACY_FILE: privacy_rows([], configured=False),
    }
    bars, capability, privacy = charts(plots_page.make(tmp_path / "repo", files))  # no console error
    for chart in (bars, capability):
        assert "nothing to show" in chart and "because no run has been scored yet" in chart
    assert "because no defense is evaluated" in privacy
    # an empty chart stays small (an empty facet used to make the first one infinitely large)
    for chart in (bars, capability, privacy):
        width, height = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', chart).groups())
        assert width < 1000 and height < 200
