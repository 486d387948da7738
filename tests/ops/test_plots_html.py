"""`dvc plots show` writes HTML that renders in a real browser with no network."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from testkit import browser
from testkit.repo import run
from vipbench.ops.plots_html import TEMPLATE_PATH, render_template, write_template


def test_template_inlines_the_libraries_and_keeps_dvc_placeholders() -> None:
    text = render_template()
    assert "{plot_divs}" in text and "{refresh_tag}" in text
    assert "cdn.jsdelivr" not in text and "https://" not in text.split("<script", 1)[0]
    assert "vegaEmbed" in text and len(text) > 200_000


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
