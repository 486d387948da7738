"""Pixel helpers shared by inference, defenses and adversaries: safe loading, zoom crops, OCR."""
