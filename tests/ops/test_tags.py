"""vipbench.ops.tags: the MLflow tag names are written in one table and nowhere else."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from vipbench.ops.tags import ALL, Tag

REPO = Path(__file__).resolve().parents[2]


def test_tag_names_are_unique_and_namespaced() -> None:
    assert len(ALL) == len(set(ALL)) >= 12
    assert all(t.startswith("vipbench.") for t in ALL)
    assert Tag.MODEL == "vipbench.model" and Tag.DATASET_VERSION == "vipbench.dataset_version"


def test_no_tag_name_is_spelled_outside_the_table() -> None:
    table = REPO / "src" / "vipbench" / "ops" / "tags.py"
    # a tag name not followed by more of a dotted name ("vipbench.models.registry" is no tag)
    spelled = re.compile("(" + "|".join(re.escape(t) for t in ALL) + r")(?![\w.])")
    found = []
    for path in [*(REPO / "src").rglob("*.py"), *(REPO / "flows").rglob("*.py")]:
        if path == table:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                hits = spelled.findall(node.value)
                if hits:
                    found.append(f"{path.relative_to(REPO)}:{node.lineno}: {hits}")
    assert found == []
