"""An HTML template for `dvc plots show` that renders without a network.

DVC's default page loads vega, vega-lite and vega-embed from a CDN, so on an offline machine the
charts stay blank. This template inlines one JavaScript bundle of the three libraries, taken
from the `vl-convert-python` package (installed with vipbench), in a classic script in the page
head: DVC's chart snippets call `vegaEmbed` as soon as they are parsed, so the bundle must be
loaded synchronously before them.

`.dvc/config` points `plots.html_template` at `.dvc/plots/offline.html`, which is committed, so
that `dvc plots show` and `dvc plots diff` render offline on any clone, with nothing to install
but DVC. `vipbench plots-template --force` writes it again after a vega-lite upgrade; its first
line names the versions it holds, and tests/ops/test_plots_html.py checks that it is current.
"""

from __future__ import annotations

from pathlib import Path

from vipbench.core.io import atomic_open

#: the Vega-Lite version to bundle; DVC's templates use Vega-Lite 5 specs
VEGA_LITE_VERSION = "5.20"
#: where `.dvc/config` expects the template (relative to the repository root)
TEMPLATE_PATH = Path(".dvc") / "plots" / "offline.html"

_PAGE = """<!DOCTYPE html>
<!-- @PROVENANCE@ -->
<html>
<head>
    {refresh_tag}
    <meta charset="utf-8">
    <title>vipbench plots</title>
    <!-- vega, vega-lite and vega-embed, inlined so that the page renders offline -->
    <script type="text/javascript">
@BUNDLE@
    </script>
    <style>
        body { font-family: sans-serif; }
        table { border-spacing: 15px; }
    </style>
</head>
<body>
    {plot_divs}
</body>
</html>
"""


def provenance() -> str:
    """The versions the template inlines, and their licence (written into its first comment)."""
    from importlib.metadata import version

    import vl_convert as vlc

    return (
        f"Written by `vipbench plots-template` from vl-convert-python {version('vl-convert-python')}:"
        f" vega {vlc.get_vega_version()}, vega-lite {VEGA_LITE_VERSION}, vega-embed {vlc.get_vega_embed_version()}"
        " (BSD-3-Clause, Copyright the University of Washington Interactive Data Lab)."
    )


def render_template() -> str:
    """The template text: DVC's placeholders, with the libraries inlined."""
    import vl_convert as vlc

    bundle = vlc.javascript_bundle(vl_version=VEGA_LITE_VERSION)
    # A literal "</script" would end the script element early; no bundle so far has one.
    bundle = bundle.replace("</script", "<\\/script")
    # DVC fills its template with str.replace on these names; the bundle must not contain them.
    for placeholder in ("{plot_divs}", "{scripts}", "{refresh_tag}"):
        if placeholder in bundle:
            raise RuntimeError(f"the vega bundle contains DVC's placeholder {placeholder}")
    return _PAGE.replace("@PROVENANCE@", provenance()).replace("@BUNDLE@", bundle)


def write_template(root: Path, force: bool = False) -> Path:
    """Write the offline template under `root` unless it is already there; return its path."""
    path = root / TEMPLATE_PATH
    if force or not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_open(path) as f:
            f.write(render_template())
    return path
