"""The response cache: keys, what may be stored, WAL durability, concurrent writers."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from vipbench.inference.cache import ResponseCache, model_key

#: the parts of an inference request's key, as the engine passes them (inference.engine.Engine._key)
BASE = {
    "endpoint": "http://127.0.0.1:8000/v1",
    "model": "m",
    "params": {"temperature": 0.0, "max_tokens": 800, "seed": None},
    "template_hash": "0123456789abcdef",
    "attribute": "location",
    "image_hash": "abc:1024",
    "variant": "final",
    "output_format": "text",
}


def test_key_depends_on_every_part() -> None:
    k = model_key(**BASE)
    assert len(k) == 64 and model_key(**BASE) == k
    assert model_key(**{**BASE, "endpoint": BASE["endpoint"] + "/"}) == k  # trailing slash
    changes = {
        "endpoint": "https://api.openai.com/v1",
        "model": "m2",
        "params": {"temperature": 0.2, "max_tokens": 800, "seed": None},
        "template_hash": "fedcba9876543210",
        "attribute": "age",
        "image_hash": "abc:512",
        "variant": "naive",
        "output_format": "json",
    }
    keys = {model_key(**{**BASE, name: value}) for name, value in changes.items()}
    assert len(keys) == len(changes) and k not in keys
    assert model_key(**BASE, turn=2) != k


def test_the_engine_keys_its_requests_with_model_key(tmp_path: Path) -> None:
    from vipbench.inference.gateway import Gateway

    ident = {k: BASE[k] for k in ("endpoint", "model", "params")}
    with ResponseCache(tmp_path / "c.sqlite") as cache:
        gateway = Gateway(None, cache, **ident)  # type: ignore[arg-type]
        parts = {k: v for k, v in BASE.items() if k not in ident}
        assert gateway.key(**parts) == model_key(**BASE)


def test_put_get_roundtrip_and_one_row_per_key(tmp_path: Path) -> None:
    with ResponseCache(tmp_path / "c.sqlite") as cache:
        k = model_key(**BASE)
        assert cache.get(k) is None and k not in cache
        cache.put(k, status="unparseable", raw="hmm", input_tokens=10, output_tokens=2, latency_s=0.5)
        cache.put(
            k,
            status="answered",
            raw="Guess: x",
            input_tokens=12,
            output_tokens=3,
            latency_s=0.7,
            finish_reason="stop",
            meta={"item_id": "i1"},
        )
        hit = cache.get(k)
        assert hit is not None and len(cache) == 1
        assert (hit.status, hit.raw, hit.input_tokens, hit.output_tokens, hit.latency_s) == (
            "answered",
            "Guess: x",
            12,
            3,
            0.7,
        )
        assert hit.finish_reason == "stop" and hit.meta == {"item_id": "i1"}
        cache.put("other", status="refused", raw="", refusal="I can't")
        assert cache.get("other").refusal == "I can't"  # type: ignore[union-attr]


@pytest.mark.parametrize("status", ["error", "failed", ""])
def test_errors_are_never_cached(tmp_path: Path, status: str) -> None:
    with ResponseCache(tmp_path / "c.sqlite") as cache:
        with pytest.raises(ValueError, match="only"):
            cache.put("k", status=status, raw="boom")
        assert len(cache) == 0


def test_wal_mode_and_persistence(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "c.sqlite"
    with ResponseCache(path) as cache:
        cache.put("k", status="answered", raw="Guess: a")
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    with ResponseCache(path) as again:
        assert again.get("k").raw == "Guess: a"  # type: ignore[union-attr]
        assert again.integrity_check() == "ok"


def test_threads_share_one_cache(tmp_path: Path) -> None:
    with ResponseCache(tmp_path / "c.sqlite") as cache:

        def write(t: int) -> None:
            for i in range(50):
                cache.put(f"{t}-{i}", status="answered", raw=f"{t} {i}")
                assert cache.get(f"{t}-{i}") is not None

        threads = [threading.Thread(target=write, args=(t,)) for t in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert len(cache) == 200


def test_commits_survive_sigkill(tmp_path: Path) -> None:
    """A writer killed with SIGKILL right after its puts leaves them all readable."""
    path = tmp_path / "c.sqlite"
    script = (
        "import os, signal, sys\n"
        "from vipbench.inference.cache import ResponseCache, model_key\n"
        "c = ResponseCache(sys.argv[1])\n"
        "for i in range(100):\n"
        "    c.put(f'k{i}', status='answered', raw='x' * 1000)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True)
    assert proc.returncode == -9
    with ResponseCache(path) as cache:
        assert len(cache) == 100 and cache.integrity_check() == "ok"
