"""Domain basics that every other part uses: attributes, their option tables and the income
brackets (options.py), records and the verdict order, text normalisation, errors, atomic io.

Nothing here imports any other part of vipbench."""
