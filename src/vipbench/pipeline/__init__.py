"""The pipeline stages that dvc.yaml runs (configure, prepare, defend, infer, score, report), one
module each, plus `accounting`, which splits a run's figures into repeatable ones and measurements."""
