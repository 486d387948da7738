"""Asking models, the same way for every backend.

`engine` (prompts, chain of zoom, classification, structure correction, progress) sends every
request through a `gateway` (response `cache`, `accounting`) and a transport: `endpoint`
(retries and limits for API backends) or `batcher` (batches for local backends). `backend` says
what a backend is; `classify` and `parsing` read answers; `images` prepares pixels and data
URLs; `runner` runs it all from synchronous code; `specs` declares endpoint fields once.
"""
