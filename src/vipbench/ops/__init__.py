"""Side effects at the edges: MLflow tracking, DVC and git commands, params.yaml editing, release watching."""
