"""Screenshots of the `dvc plots show` page, rendered offline in headless Chromium.

    .venv/bin/python scripts/plots_screenshots.py [--runs N] [--out docs/img/dvc-plots.png]

Copies the repository's plot specs (dvc.yaml, .dvc/config, .dvc/plots/) into a scratch git+DVC
repository with the bundled plot files (plots/*.json), or with N generated runs (--runs, see
tests/support/plot_runs.py), runs `dvc plots show` there and saves a PNG of the page, cropped to
what it draws. Needs Debian's `chromium`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]  # fmt: skip


def screenshot(page: Path, out: Path, width: int, height: int) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=15000",
             f"--window-size={width},{height}", f"--screenshot={out}", page.as_uri()],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip


def crop(path: Path, margin: int = 16) -> None:
    """Cut the empty space right of and below what the page drew."""
    from PIL import Image, ImageChops

    with Image.open(path) as im:
        rgb = im.convert("RGB")
    box = ImageChops.difference(rgb, Image.new("RGB", rgb.size, "white")).getbbox()
    if box:
        rgb.crop((0, 0, min(rgb.width, box[2] + margin), min(rgb.height, box[3] + margin))).save(path)


def main() -> None:
    from testkit import plot_runs, plots_page

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, help="generated runs instead of the bundled plot files")
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "img" / "dvc-plots.png")
    ap.add_argument("--diff", action="store_true", help="commit, move one run's accuracy, `dvc plots diff HEAD`")
    ap.add_argument("--size", default="1700,4000", help="window WIDTH,HEIGHT before cropping")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = plot_runs.plot_files(a.runs) if a.runs else None
        root = plots_page.make(Path(tmp) / "repo", files)
        if a.diff:
            plots_page.move_one_run(root)
        page = plots_page.show(root, "HEAD") if a.diff else plots_page.show(root)
        a.out.parent.mkdir(parents=True, exist_ok=True)
        width, height = (int(v) for v in a.size.split(","))
        screenshot(page, a.out.resolve(), width, height)
        crop(a.out)
    print(a.out)


if __name__ == "__main__":
    main()
