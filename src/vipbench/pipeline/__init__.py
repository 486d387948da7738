"""The pipeline stages that dvc.yaml runs: prepare, infer, score, report."""
