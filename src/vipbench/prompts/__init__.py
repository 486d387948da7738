"""Prompts: the variants by name (`variants`), the versioned template files and their rendering (`render`)."""
