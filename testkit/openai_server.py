"""A real OpenAI-compatible HTTP server on 127.0.0.1 for tests and benchmarks.

It is a stdlib `ThreadingHTTPServer` running in a background thread, so the real `openai`
client talks to it over real sockets. It serves:

- `POST /v1/chat/completions`: an answer from `answer(request)` (or a default one), after
  `latency` seconds, with faults injected at the rates given in `Faults`;
- `GET /v1/models`: the configured `models` list;
- `GET /_stats`: request counts and the maximum number of requests in flight, as JSON
  (useful when the server runs in another process);
- `POST /openai/deployments/<deployment>/chat/completions?api-version=...`: the same, as Azure
  OpenAI routes it (the request records the deployment and the API version).

With `reasoning=True` it behaves as OpenAI's reasoning models do: a body with `max_tokens`, or
with a temperature other than 1, gets OpenAI's HTTP 400 (`unsupported_parameter` naming
`max_tokens`, `unsupported_value` naming `temperature`); such requests have the outcome
"refused:<param>".

Usage::

    from testkit.openai_server import FakeOpenAIServer, Faults, Reply, guess_answer

    def answer(req: Request) -> str | Reply:
        if req.attempt == 1:                 # first time this exact prompt is seen
            return Reply(status=500)
        return guess_answer(["Paris, France", "Lyon, France", "Nice, France"])

    with FakeOpenAIServer(answer=answer, latency=0.05, faults=Faults(error_429=0.1)) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="x")
        ...
        assert srv.count() == 2
        assert srv.max_in_flight <= 8

Every chat request is recorded as a `Request` in `srv.requests` (model, messages, image count,
the attempt number of its prompt, and what the server did with it), whatever the outcome.

Run it standalone (for benchmarks, in its own process so it does not share the GIL)::

    python -m testkit.openai_server --port 0 --latency 0.1 [--rate-limit 50]

It prints its base URL on the first line of stdout and serves until killed.

Batches (OpenAI's Batch API, as vipbench's `batch: true` uses it):

- `POST /v1/files` (multipart, `purpose=batch`) stores a file; `GET /v1/files/<id>/content`
  returns one (input, output and error files alike);
- `POST /v1/batches` creates a batch over an uploaded input file (`srv.batch_creations` counts
  them), `GET /v1/batches/<id>` returns it, `GET /v1/batches` lists them, newest first;
- a batch stays `in_progress` until `batch_ready(job)` is true (default: at once), then is
  processed at the next retrieval: every input line is answered by `answer` exactly as a chat
  request would be (it is recorded in `srv.requests`); a non-200 reply becomes a line of the
  error file. `batch_outcome(job)` decides how it ends: "completed", "failed" (no output, an
  `errors` list) or "expired" (only the first half of its lines answered, the rest in the error
  file with code `batch_expired`).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import random
import re
import socket
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["BatchJob", "FakeOpenAIServer", "Faults", "Reply", "Request", "ServerProcess", "guess_answer", "json_answer"]


@dataclass
class Faults:
    """Probabilities (0..1) of each fault per chat request, drawn from a seeded RNG."""

    error_500: float = 0.0
    error_429: float = 0.0
    #: seconds announced in Retry-After (and retry-after-ms) on injected 429s
    retry_after: float = 0.2
    #: sleep `timeout_sleep` seconds before answering (past the client's timeout)
    timeout: float = 0.0
    timeout_sleep: float = 3.0
    #: close the connection without sending any response
    drop: float = 0.0
    #: a 200 whose body is not JSON
    malformed: float = 0.0
    #: a 200 with `choices: []`
    empty_choices: float = 0.0
    #: a 200 with finish_reason "content_filter" and no content
    content_filter: float = 0.0
    #: a 200 whose message has a `refusal` field and no content
    refusal: float = 0.0


@dataclass
class Reply:
    """A scripted reply. `action` overrides everything: "drop", "malformed", "empty", "timeout"."""

    content: str | None = ""
    refusal: str | None = None
    finish_reason: str = "stop"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: extra latency for this reply, on top of the server's
    delay: float = 0.0
    action: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    #: the `error.code` of a non-200 reply (e.g. "content_filter", as Azure sends with a 400)
    error_code: str | None = None


@dataclass
class Request:
    """One chat request as the server saw it."""

    index: int
    model: str | None
    messages: list[dict[str, Any]]
    body: dict[str, Any]
    #: image parts across all messages
    n_images: int
    #: sha256 of the last user message (its text and image URLs): the same prompt, the same id
    fingerprint: str
    #: 1 for the first request with this fingerprint, 2 for the second, ...
    attempt: int
    received_at: float
    #: the HTTP request headers, lower-cased names
    headers: dict[str, str] = field(default_factory=dict)
    #: the Azure deployment and api-version of a request on the Azure route, else None
    deployment: str | None = None
    api_version: str | None = None
    #: "ok", "500", "429", "timeout", "drop", "malformed", "empty", "content_filter", "refusal",
    #: or "status:<code>" for a scripted status. Set once the server has decided.
    outcome: str = ""
    #: whether a complete response was written back to the client
    completed: bool = False
    #: seconds from receiving the request to finishing the response (latency included)
    served_s: float = 0.0

    @property
    def text(self) -> str:
        """All text parts of all messages, joined by newlines."""
        out: list[str] = []
        for m in self.messages:
            c = m.get("content")
            if isinstance(c, str):
                out.append(c)
            elif isinstance(c, list):
                out += [p.get("text", "") for p in c if isinstance(p, dict) and p.get("type") == "text"]
        return "\n".join(out)

    def image_urls(self) -> list[str]:
        urls: list[str] = []
        for m in self.messages:
            c = m.get("content")
            if isinstance(c, list):
                urls += [p["image_url"]["url"] for p in c if isinstance(p, dict) and p.get("type") == "image_url"]
        return urls


def guess_answer(guesses: Sequence[str], attribute: str = "location", inference: str = "Cues seen.") -> str:
    """A well-formed answer in the study's Type/Inference/Guess format."""
    return f"Type: {attribute}\nInference: {inference}\nGuess: {'; '.join(guesses)}"


def json_answer(guesses: Sequence[str], inference: str = "Cues seen.") -> str:
    return json.dumps({"inference": inference, "guesses": list(guesses)})


def _default_answer(req: Request) -> str:
    return guess_answer(["Zurich, Switzerland", "Bern, Switzerland", "Basel, Switzerland"])


def _fingerprint(messages: list[dict[str, Any]]) -> str:
    users = [m for m in messages if m.get("role") == "user"]
    last = users[-1] if users else {}
    return hashlib.sha256(json.dumps(last.get("content"), sort_keys=True).encode()).hexdigest()[:16]


def _count_images(messages: list[dict[str, Any]]) -> int:
    n = 0
    for m in messages:
        c = m.get("content")
        if isinstance(c, list):
            n += sum(1 for p in c if isinstance(p, dict) and p.get("type") == "image_url")
    return n


class _TokenBucket:
    """Allows `rate` requests per second with a burst of `burst`."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.t = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> float:
        """0.0 if allowed, else the seconds until a token is available."""
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
            self.t = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return 0.0
            return (1.0 - self.tokens) / self.rate


class FakeOpenAIServer:
    """See the module docstring. Start with `start()` or a `with` block; `base_url` ends in /v1."""

    def __init__(
        self,
        answer: Callable[[Request], str | Reply] | None = None,
        *,
        latency: float = 0.0,
        faults: Faults | None = None,
        models: Sequence[str] = ("test-model",),
        rate_limit: float | None = None,
        rate_limit_burst: float | None = None,
        seed: int = 0,
        port: int = 0,
        reasoning: bool = False,
        batch_ready: Callable[[BatchJob], bool] | None = None,
        batch_outcome: Callable[[BatchJob], str] | None = None,
    ) -> None:
        self.answer = answer or _default_answer
        self.reasoning = reasoning
        self.batch_ready = batch_ready or (lambda job: True)
        self.batch_outcome = batch_outcome or (lambda job: "completed")
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, BatchJob] = {}
        self.batch_creations = 0
        self.batch_polls = 0
        self.latency = latency
        self.faults = faults or Faults()
        self.models = list(models)
        self._bucket = _TokenBucket(rate_limit, rate_limit_burst or max(1.0, rate_limit)) if rate_limit else None
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.requests: list[Request] = []
        self._attempts: dict[str, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.rate_limited = 0
        self._port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeOpenAIServer:
        handler = _make_handler(self)
        httpd = ThreadingHTTPServer(("127.0.0.1", self._port), handler, bind_and_activate=False)
        httpd.daemon_threads = True
        httpd.request_queue_size = 256
        httpd.allow_reuse_address = True
        httpd.server_bind()
        httpd.server_activate()
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- inspection ------------------------------------------------------------------------
    def count(self, outcome: str | None = None) -> int:
        """Chat requests received, or only those with the given outcome."""
        with self._lock:
            return sum(1 for r in self.requests if outcome is None or r.outcome == outcome)

    def snapshot(self) -> list[Request]:
        with self._lock:
            return list(self.requests)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._attempts.clear()
            self.max_in_flight = self.in_flight
            self.rate_limited = 0

    def stats(self) -> dict[str, Any]:
        with self._lock:
            outcomes: dict[str, int] = {}
            for r in self.requests:
                outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
            served = sorted(r.served_s for r in self.requests if r.outcome == "ok")
            pct = {f"p{q}": served[min(len(served) - 1, len(served) * q // 100)] for q in (50, 99)} if served else {}
            return {
                "requests": len(self.requests),
                "served_s": pct,
                "completed": sum(r.completed for r in self.requests),
                "outcomes": outcomes,
                "max_in_flight": self.max_in_flight,
                "rate_limited": self.rate_limited,
                "fingerprints": len(self._attempts),
            }

    # -- batches -------------------------------------------------------------------------
    def _store_file(self, data: bytes) -> str:
        with self._lock:
            file_id = f"file-{len(self.files) + 1}"
            self.files[file_id] = data
        return file_id

    def _create_batch(self, req: dict[str, Any]) -> BatchJob:
        lines = [json.loads(x) for x in self.files[req["input_file_id"]].splitlines() if x.strip()]
        with self._lock:
            self.batch_creations += 1
            job = BatchJob(
                id=f"batch-{len(self.batches) + 1}",
                input_file_id=req["input_file_id"],
                endpoint=req.get("endpoint", ""),
                completion_window=req.get("completion_window", "24h"),
                metadata=req.get("metadata"),
                created_at=int(time.time() * 1000) + len(self.batches),
                custom_ids=[x["custom_id"] for x in lines],
            )
            job.counts["total"] = len(lines)
            self.batches[job.id] = job
        return job

    def _poll_batch(self, job: BatchJob) -> None:
        """Finish `job` if it is ready: answer its lines, write its output and error files."""
        with self._lock:
            self.batch_polls += 1
        if job.status != "in_progress" or not self.batch_ready(job):
            return
        outcome = self.batch_outcome(job)
        if outcome == "failed":
            job.errors = [{"code": "invalid_request", "message": "injected batch failure", "line": None}]
            job.status = "failed"
            return
        lines = [json.loads(x) for x in self.files[job.input_file_id].splitlines() if x.strip()]
        done = lines[: len(lines) // 2] if outcome == "expired" else lines
        out, err = [], []
        for i, line in enumerate(lines):
            cid = line["custom_id"]
            if i >= len(done):
                err.append({"id": f"req-{job.id}-{i}", "custom_id": cid, "response": None,
                            "error": {"code": "batch_expired", "message": "not processed in time"}})
                continue
            req = self._record(line["body"], {})
            try:
                got = self.answer(req)
            finally:
                self._done()
            reply = got if isinstance(got, Reply) else Reply(content=got)
            req.outcome = "ok" if reply.status == 200 else f"status:{reply.status}"
            if reply.status != 200:
                body = {"error": {"message": "scripted error", "type": "server_error", "code": str(reply.status)}}
                err.append({"id": f"req-{job.id}-{i}", "custom_id": cid,
                            "response": {"status_code": reply.status, "body": body}, "error": None})
                continue
            body = json.loads(_completion(req, reply.content, reply.refusal, reply.finish_reason, reply))
            out.append({"id": f"req-{job.id}-{i}", "custom_id": cid,
                        "response": {"status_code": 200, "request_id": f"r{i}", "body": body}, "error": None})
        if out:
            job.output_file_id = self._store_file("".join(json.dumps(x) + "\n" for x in out).encode())
        if err:
            job.error_file_id = self._store_file("".join(json.dumps(x) + "\n" for x in err).encode())
        job.counts.update(completed=len(out), failed=len(err))
        job.status = "expired" if outcome == "expired" else "completed"

    # -- request handling (called from handler threads) -----------------------------------
    def refused(self) -> dict[tuple[str | None, str], int]:
        """How often each (model, parameter) was refused in reasoning mode."""
        out: dict[tuple[str | None, str], int] = {}
        for r in self.snapshot():
            if r.outcome.startswith("refused:"):
                key = (r.model, r.outcome.split(":", 1)[1])
                out[key] = out.get(key, 0) + 1
        return out

    def _record(self, body: dict[str, Any], headers: dict[str, str]) -> Request:
        messages = body.get("messages") or []
        fp = _fingerprint(messages)
        with self._lock:
            self._attempts[fp] = self._attempts.get(fp, 0) + 1
            req = Request(
                index=len(self.requests),
                model=body.get("model"),
                messages=messages,
                body=body,
                n_images=_count_images(messages),
                fingerprint=fp,
                attempt=self._attempts[fp],
                received_at=time.time(),
                headers=headers,
            )
            self.requests.append(req)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return req

    def _done(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _draw_fault(self) -> str | None:
        f = self.faults
        with self._lock:
            x = self._rng.random()
        for name, p in (
            ("500", f.error_500),
            ("429", f.error_429),
            ("timeout", f.timeout),
            ("drop", f.drop),
            ("malformed", f.malformed),
            ("empty", f.empty_choices),
            ("content_filter", f.content_filter),
            ("refusal", f.refusal),
        ):
            if x < p:
                return name
            x -= p
        return None


@dataclass
class BatchJob:
    """One batch as the server keeps it."""

    id: str
    input_file_id: str
    endpoint: str
    completion_window: str
    metadata: dict[str, Any] | None
    created_at: int
    status: str = "in_progress"
    output_file_id: str | None = None
    error_file_id: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {"total": 0, "completed": 0, "failed": 0})
    #: custom ids of the input lines
    custom_ids: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": self.endpoint,
            "input_file_id": self.input_file_id,
            "completion_window": self.completion_window,
            "status": self.status,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "created_at": self.created_at,
            "metadata": self.metadata,
            "request_counts": self.counts,
            "errors": {"object": "list", "data": self.errors} if self.errors else None,
        }


def _multipart(content_type: str, raw: bytes) -> dict[str, bytes]:
    """The fields of a multipart/form-data body, by name."""
    from email.parser import BytesParser
    from email.policy import HTTP

    msg = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    out: dict[str, bytes] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        out[str(name)] = part.get_payload(decode=True) or b""
    return out


def _completion(req: Request, content: str | None, refusal: str | None, finish: str, reply: Reply | None) -> bytes:
    prompt_tokens = reply.prompt_tokens if reply and reply.prompt_tokens is not None else 100 + 85 * req.n_images
    completion_tokens = (
        reply.completion_tokens if reply and reply.completion_tokens is not None else len((content or "").split())
    )
    body = {
        "id": f"chatcmpl-{req.index}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": req.model or "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": finish,
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
    return json.dumps(body).encode()


def _reasoning_refusal(body: dict[str, Any]) -> dict[str, Any] | None:
    """OpenAI's error for a field a reasoning model refuses, or None if the body is acceptable."""
    if "max_tokens" in body:
        return {
            "message": "Unsupported parameter: 'max_tokens' is not supported with this model. "
            "Use 'max_completion_tokens' instead.",
            "type": "invalid_request_error",
            "param": "max_tokens",
            "code": "unsupported_parameter",
        }
    if "temperature" in body and body["temperature"] != 1:
        return {
            "message": f"Unsupported value: 'temperature' does not support {body['temperature']} with this "
            "model. Only the default (1) value is supported.",
            "type": "invalid_request_error",
            "param": "temperature",
            "code": "unsupported_value",
        }
    return None


_AZURE = re.compile(r"^/openai/deployments/([^/]+)/chat/completions$")


def _make_handler(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes; without this, Nagle + delayed ACK add ~40 ms.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> bool:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)
                self.wfile.flush()
                return True
            except OSError:  # the client gave up (timeout) or went away
                self.close_connection = True
                return False

        def _error(
            self, status: int, message: str, headers: dict[str, str] | None = None, code: str | None = None
        ) -> bool:
            err = {"message": message, "type": "server_error", "code": code or str(status)}
            body = json.dumps({"error": err}).encode()
            return self._send(status, body, headers)

        def _drop(self) -> None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

        def _batch_get(self, path: str) -> bool:
            """GET routes of files and batches; False if `path` is none of them."""
            m = re.fullmatch(r"/v1/files/([^/]+)/content", path)
            if m:
                data = server.files.get(m.group(1))
                if data is None:
                    self._error(404, "no such file")
                else:
                    self._send(200, data, {"Content-Type": "application/octet-stream"})
                return True
            m = re.fullmatch(r"/v1/batches/([^/]+)", path)
            if m:
                job = server.batches.get(m.group(1))
                if job is None:
                    self._error(404, "no such batch")
                else:
                    server._poll_batch(job)
                    self._send(200, json.dumps(job.to_json()).encode())
                return True
            if path == "/v1/batches":
                with server._lock:
                    jobs = sorted(server.batches.values(), key=lambda j: j.created_at, reverse=True)
                body = {"object": "list", "data": [j.to_json() for j in jobs], "has_more": False}
                self._send(200, json.dumps(body).encode())
                return True
            return False

        def _batch_post(self, path: str, raw: bytes) -> bool:
            """POST routes of files and batches; False if `path` is none of them."""
            if path == "/v1/files":
                fields = _multipart(self.headers.get("Content-Type", ""), raw)
                file_id = server._store_file(fields.get("file", b""))
                body = {"id": file_id, "object": "file", "bytes": len(fields.get("file", b"")),
                        "created_at": int(time.time()), "filename": "batch.jsonl",
                        "purpose": fields.get("purpose", b"").decode()}
                self._send(200, json.dumps(body).encode())
                return True
            if path == "/v1/batches":
                req = json.loads(raw or b"{}")
                if req.get("input_file_id") not in server.files:
                    self._error(400, "no such input file")
                    return True
                job = server._create_batch(req)
                self._send(200, json.dumps(job.to_json()).encode())
                return True
            return False

        def do_GET(self) -> None:
            if self._batch_get(urllib.parse.urlsplit(self.path).path.rstrip("/")):
                return
            if self.path.rstrip("/") == "/v1/models":
                data = [{"id": m, "object": "model", "created": 0, "owned_by": "test"} for m in server.models]
                self._send(200, json.dumps({"object": "list", "data": data}).encode())
            elif self.path.rstrip("/") == "/_stats":
                self._send(200, json.dumps(server.stats()).encode())
            else:
                self._error(404, f"no route {self.path}")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            url = urllib.parse.urlsplit(self.path)
            if self._batch_post(url.path.rstrip("/"), raw):
                return
            azure = _AZURE.match(url.path)
            if url.path.rstrip("/") != "/v1/chat/completions" and azure is None:
                self._error(404, f"no route {self.path}")
                return
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._error(400, "request body is not JSON")
                return
            req = server._record(body, {k.lower(): v for k, v in self.headers.items()})
            if azure is not None:
                req.deployment = azure.group(1)
                req.api_version = urllib.parse.parse_qs(url.query).get("api-version", [None])[0]
            t0 = time.perf_counter()
            try:
                self._handle_chat(req)
            finally:
                req.served_s = time.perf_counter() - t0
                server._done()

        def _handle_chat(self, req: Request) -> None:
            refusal = _reasoning_refusal(req.body) if server.reasoning else None
            if refusal is not None:
                req.outcome = f"refused:{refusal['param']}"
                req.completed = self._send(400, json.dumps({"error": refusal}).encode())
                return
            if server._bucket is not None:
                wait = server._bucket.take()
                if wait > 0:
                    with server._lock:
                        server.rate_limited += 1
                    req.outcome = "429"
                    hdr = {"Retry-After": f"{wait:.3f}", "retry-after-ms": str(max(1, int(wait * 1000)))}
                    req.completed = self._error(429, "rate limit exceeded", hdr)
                    return
            fault = server._draw_fault()
            reply: Reply | None = None
            if fault in (None, "timeout"):
                # an injected timeout still answers, late: only a client that waits long enough reads it
                got = server.answer(req)
                reply = got if isinstance(got, Reply) else Reply(content=got)
                fault = fault or reply.action
            delay = server.latency + (reply.delay if reply else 0.0)
            if fault == "timeout":
                delay += server.faults.timeout_sleep
            if delay > 0:
                time.sleep(delay)
            req.outcome = fault or "ok"
            f = server.faults
            if fault == "500":
                req.completed = self._error(500, "injected server error")
            elif fault == "429":
                ra = f.retry_after
                hdr = {"Retry-After": f"{ra:g}", "retry-after-ms": str(int(ra * 1000))}
                req.completed = self._error(429, "injected rate limit", hdr)
            elif fault == "drop":
                self._drop()
            elif fault == "malformed":
                req.completed = self._send(200, b'{"id": "x", "choices": [ {"message": ')
            elif fault == "empty":
                payload = json.loads(_completion(req, "", None, "stop", None))
                payload["choices"] = []
                req.completed = self._send(200, json.dumps(payload).encode())
            elif fault == "content_filter":
                req.completed = self._send(200, _completion(req, None, None, "content_filter", None))
            elif fault == "refusal":
                msg = "I'm sorry, but I can't help identify personal details about people."
                req.completed = self._send(200, _completion(req, None, msg, "stop", None))
            elif reply is not None and reply.status != 200:
                req.outcome = f"status:{reply.status}"
                req.completed = self._error(reply.status, "scripted error", reply.headers, reply.error_code)
            else:
                assert reply is not None
                body = _completion(req, reply.content, reply.refusal, reply.finish_reason, reply)
                req.completed = self._send(200, body, reply.headers)

    return Handler



class ServerProcess:
    """This server in its own process (so it does not share the GIL with what it measures).

    Use as a context manager; `base_url` is ready on entry and `stats()` reads `/_stats`.
    """

    def __init__(self, latency: float = 0.0, rate_limit: float | None = None, port: int = 0) -> None:
        import subprocess
        from pathlib import Path

        cmd = [sys.executable, "-m", "testkit.openai_server", "--port", str(port), "--latency", str(latency)]
        if rate_limit:
            cmd += ["--rate-limit", str(rate_limit)]
        root = Path(__file__).resolve().parents[1]
        self.proc = subprocess.Popen(cmd, cwd=root, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().strip()

    def stats(self) -> dict[str, Any]:
        import urllib.request

        with urllib.request.urlopen(self.base_url.removesuffix("/v1") + "/_stats") as r:
            return dict(json.loads(r.read()))

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Serve a fake OpenAI-compatible API on 127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--rate-limit", type=float, default=None, help="requests per second before 429s")
    ap.add_argument("--rate-limit-burst", type=float, default=None)
    ap.add_argument("--error-500", type=float, default=0.0)
    ap.add_argument("--error-429", type=float, default=0.0)
    args = ap.parse_args(argv)
    # Many handler threads wake from their latency sleep at once; a short switch interval keeps
    # the GIL hand-offs between them from adding milliseconds to the configured latency.
    sys.setswitchinterval(0.0005)
    srv = FakeOpenAIServer(
        latency=args.latency,
        rate_limit=args.rate_limit,
        rate_limit_burst=args.rate_limit_burst,
        faults=Faults(error_500=args.error_500, error_429=args.error_429),
        port=args.port,
    ).start()
    print(srv.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()


if __name__ == "__main__":
    main()
