"""Offline adversaries that read an image without a VLM: OCR text and EXIF metadata."""
