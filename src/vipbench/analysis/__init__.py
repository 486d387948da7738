"""Numbers and figures from scored runs: metrics, statistics, capability registry and regression, privacy vs utility."""
