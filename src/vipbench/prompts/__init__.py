"""Prompt variants (template files) and their rendering into chat messages."""

from vipbench.prompts.render import (
    OUTPUT_FORMATS,
    VARIANTS,
    build_messages,
    json_schema,
    response_format,
    template_hash,
)

__all__ = ["OUTPUT_FORMATS", "VARIANTS", "build_messages", "json_schema", "response_format", "template_hash"]
