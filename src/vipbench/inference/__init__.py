"""Asking models: the engine (limits, retries, cache, classification), the cache, answer parsing, progress."""
