"""`dvc plots show` writes HTML that renders in a real browser with no network."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from testkit import browser, plot_runs, plots_page
from testkit.repo import REPO, run
from vipbench.ops.plots_html import TEMPLATE_PATH, provenance, render_template, write_template

#: a script element that loads code from elsewhere (a CDN, a file)
EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\bsrc\s*=", re.IGNORECASE)


def test_template_inlines_the_libraries_and_keeps_dvc_placeholders() -> None:
    text = render_template()
    assert "{plot_divs}" in text and "{refresh_tag}" in text
    assert "cdn.jsdelivr" not in text and "https://" not in text.split("<script", 1)[0]
    assert "vegaEmbed" in text and len(text) > 200_000
    assert not EXTERNAL_SCRIPT.search(text)


def test_the_committed_template_is_the_one_vipbench_writes() -> None:
    """.dvc/plots/offline.html is committed (any clone renders offline); it must match its generator."""
    committed = (REPO / TEMPLATE_PATH).read_text(encoding="utf-8")
    first = committed.splitlines()[1]
    if provenance() not in first:
        pytest.skip(
            f"installed vl-convert differs from the committed template's ({first}); regenerate it with"
            " `vipbench plots-template --force` and commit it"
        )
    assert committed == render_template()
    assert "/plots/offline.html" not in (REPO / ".dvc" / ".gitignore").read_text(encoding="utf-8")


def test_write_template_keeps_an_existing_file_unless_forced(tmp_path: Path) -> None:
    path = write_template(tmp_path)
    assert path == tmp_path / TEMPLATE_PATH
    path.write_text("{plot_divs}")
    write_template(tmp_path)
    assert path.read_text() == "{plot_divs}"
    write_template(tmp_path, force=True)
    assert "vegaEmbed" in path.read_text()


@pytest.mark.slow
def test_dvc_plots_render_offline_in_chromium(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    run(["git", "init", "-q"], root)
    run(["dvc", "init", "-q"], root)
    run(["dvc", "config", "plots.html_template", "plots/offline.html"], root)
    write_template(root)
    rows = [{"model": m, "accuracy": a} for m, a in (("a", 0.2), ("b", 0.5), ("c", 0.9))]
    (root / "acc.json").write_text(json.dumps(rows))
    (root / "dvc.yaml").write_text(
        "plots:\n  - acc.json:\n      template: bar_horizontal\n      x: accuracy\n      y: model\n"
    )
    run(["dvc", "plots", "show", "-o", "out"], root)
    page = root / "out" / "index.html"
    html = page.read_text()
    assert "cdn.jsdelivr" not in html
    dom = browser.dump_dom(page.as_uri())
    # vega-embed draws into the chart's div: a canvas (or svg) of class "marks" per chart
    assert re.search(r'class="marks"', dom), dom[-2000:]
    assert dom.count('class="marks"') == 1


@pytest.mark.slow
def test_a_fresh_clone_renders_the_plots_offline_without_setup(tmp_path: Path) -> None:
    """git clone, then `dvc plots show` with no scripts/setup and no `vipbench plots-template`."""
    origin = plots_page.make(tmp_path / "origin", plot_runs.plot_files(3))
    run(["git", "clone", "-q", str(origin), "clone"], tmp_path)
    clone = tmp_path / "clone"
    p = run(["dvc", "plots", "show", "-o", "out"], clone)
    assert "error" not in (p.stdout + p.stderr).lower()
    html = (clone / "out" / "index.html").read_text(encoding="utf-8")
    assert not EXTERNAL_SCRIPT.search(html) and "cdn.jsdelivr" not in html
    dom = browser.dump_dom((clone / "out" / "index.html").as_uri())
    # the templates draw SVG: one document per plot in dvc.yaml, with its title as text
    assert dom.count('role="graphics-document"') == 3, dom[-3000:]
    for title in ("Accuracy by attribute and run", "Accuracy against capability", "Privacy against utility"):
        assert title in dom
