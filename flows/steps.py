"""Pull steps of the deployments in prefect.yaml: where a worker gets the code and the data.

A process worker runs each flow run in a new temporary directory, so these steps run there,
before the flow is loaded:

    pull:
      - flows.steps.checkout: {id: checkout}          # git clone (or fetch) of the repository
      - prefect.deployments.steps.set_working_directory:
          directory: "{{ checkout.directory }}"
      - flows.steps.dvc_pull: {}                      # the dataset data.dvc pins, from the DVC remote

The repository is the step's `repository`, else the worker's `VIPBENCH_GIT_URL`. The worker
needs vipbench installed (`pip install ".[flows]"`), which provides this module.
"""

from __future__ import annotations

import os
from pathlib import Path

from vipbench.ops import dvcops

GIT_URL_ENV = "VIPBENCH_GIT_URL"


def checkout(repository: str | None = None, branch: str | None = None, directory: str = "vipbench") -> dict[str, str]:
    """Clone the repository into ./<directory>, or bring an existing clone up to date."""
    url = repository or os.environ.get(GIT_URL_ENV, "")
    if not url:
        raise ValueError(f"no repository to clone: give the step a `repository`, or set {GIT_URL_ENV} on the worker")
    dest = Path.cwd() / directory
    if (dest / ".git").is_dir():
        dvcops.git(dest, "fetch", "-q", "origin")
        ref = f"origin/{branch}" if branch else "origin/HEAD"
        dvcops.git(dest, "checkout", "-q", "--detach", ref)
    else:
        args = ["clone", "-q", *(["--branch", branch] if branch else []), url, str(dest)]
        dvcops.git(Path.cwd(), *args)
    return {"directory": str(dest)}


def dvc_pull(directory: str = ".") -> dict[str, str]:
    """`dvc pull data.dvc`: the dataset the checkout pins (stage outputs come from the run cache)."""
    n = dvcops.pull(directory, ["data.dvc"])
    return {"directory": directory, "files": str(n)}
