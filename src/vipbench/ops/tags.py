"""The MLflow tag names vipbench writes and searches, in one table.

The pipeline writes them (`pipeline.track`, `pipeline.report`, `ops.tracking`); the release
watcher and the flows read them to learn what was evaluated. Tag names are part of the stored
record, so renaming one orphans the runs already in a tracking store.
"""

from __future__ import annotations

from typing import Final


class Tag:
    """Tag name constants (a namespace, not instantiated)."""

    #: the run key the pipeline updates in place (the run name)
    RUN_KEY: Final = "vipbench.run_key"
    #: hash of the run's identity (public spec, prompt hash, dataset version, defense)
    CONFIG_HASH: Final = "vipbench.config_hash"
    #: the model kind (openai, hf, ocr, ...), or "summary" for the report's run
    KIND: Final = "vipbench.kind"
    #: the provider's model id (e.g. "gpt-4o"); `watch_releases` looks runs up by it
    MODEL: Final = "vipbench.model"
    DATASET: Final = "vipbench.dataset"
    DATASET_VERSION: Final = "vipbench.dataset_version"
    #: the prompt variant, or "none" for runs that use no prompt
    PROMPT: Final = "vipbench.prompt"
    #: the prompt's output format, or "none" for runs that use no prompt
    OUTPUT_FORMAT: Final = "vipbench.output_format"
    GIT_REV: Final = "vipbench.git_rev"
    #: the defense of a defended run, "none" otherwise
    DEFENSE: Final = "vipbench.defense"
    #: the undefended run a defended run is compared with (the run itself when undefended)
    BASE_RUN: Final = "vipbench.base_run"
    #: hash of everything a run's logging wrote (params, metrics, tags, tables); set last, so a
    #: run whose logging was cut off never matches, and `vipbench track` skips a run that does
    OUTPUTS: Final = "vipbench.outputs_hash"
    #: summary run: the capability column of the accuracy-versus-capability fit
    CAPABILITY_COLUMN: Final = "vipbench.capability_column"
    #: summary run: JSON of run name -> MLflow run id of the runs it summarises
    LINKED_RUNS: Final = "vipbench.linked_runs"


#: every tag name, for checks that nothing writes a name outside this table
ALL: Final = tuple(v for k, v in vars(Tag).items() if k.isupper())
