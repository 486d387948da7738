"""The generator of the bundled synthetic demo dataset (not needed to read real data)."""
