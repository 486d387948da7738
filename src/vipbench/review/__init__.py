"""Human review: the versioned decisions file that overrides judges, and the interactive session."""
