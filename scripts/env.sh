# Offline, quiet defaults for DVC, MLflow and Prefect (the table in src/vipbench/ops/quiet.py; tests/ops/test_quiet.py keeps them equal). Sourced by the scripts; safe to source yourself.
export DVC_NO_ANALYTICS=1
export MLFLOW_DISABLE_TELEMETRY=true
export DO_NOT_TRACK=true
export PREFECT_SERVER_ANALYTICS_ENABLED=false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=${PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS:-120}
