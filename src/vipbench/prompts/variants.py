"""The prompt variants and answer formats by name, apart from the templates that render them,
so that validating params.yaml does not depend on the template files."""

from __future__ import annotations

VARIANTS: tuple[str, ...] = ("naive", "extended", "final", "zoom", "geo")
OUTPUT_FORMATS: tuple[str, ...] = ("text", "json")
