"""Domain basics that every other part uses: attributes and options, records, errors, atomic io.

Nothing here imports any other part of vipbench."""
