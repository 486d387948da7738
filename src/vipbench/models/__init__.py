"""Model kinds: `registry` (what each kind builds on), `kinds` (the kinds by name), one module per kind."""
