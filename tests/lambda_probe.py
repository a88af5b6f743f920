"""One measurement in a fresh interpreter, run by ``make bench`` as a Lambda would run the function.

It runs in the runtime-only virtual environment with the standard library and the runtime
dependencies, never the project's dev tools: ``python -I -B -c <this file> SPEC RESULT``. SPEC is a
JSON file (``mode``, ``asset``, ``handler``, ``event``, ``responses``, ``port``, ``runs``); RESULT
receives the figures as JSON. The Lambda environment variables are the parent's business.

- ``floor``: ``import boto3; boto3.client("dynamodb")``, timed;
- ``import``: import of the handler module and its DynamoDB client, timed; peak RSS;
- ``cold``: the same, then the first invocation, end to end against a fake DynamoDB endpoint on
  127.0.0.1 replaying ``responses``;
- ``warm``: after a few invocations, ``runs`` more with DynamoDB answered from memory (no HTTP);
- ``startup``: what every mode does before its timer starts, and nothing else: counting the instructions
  of a mode under valgrind, and those of ``startup``, tells those of the timed work alone.

The interpreter ends without its teardown (``os._exit``), which no cold start waits for.
"""

# Imports sit where the measurement needs them: nothing is loaded before its timer starts.
# ruff: noqa: PLC0415

from __future__ import annotations

import importlib
import json
import os
import resource
import sys
import time
from typing import Any


class Context:
    """The Lambda context object, as far as Powertools reads it."""

    def __init__(self, function_name: str, memory_mb: int) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"
        self.invoked_function_arn = f"arn:aws:lambda:eu-west-1:000000000000:function:{function_name}"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "2026/01/01/[$LATEST]bench"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _peak_rss_mib() -> float:
    """This interpreter's peak RSS. Linux keeps ``ru_maxrss`` across exec, so a child of a bigger
    process reports its parent's peak: the kernel's high-water mark of this address space is read instead."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _operation(target: str) -> str:
    return target.rpartition(".")[2]


def _serve(port: int, responses: list[dict[str, Any]]) -> list[str]:
    """A DynamoDB endpoint on 127.0.0.1 answering the recorded responses in order; returns the mismatch log."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    pending = list(responses)
    problems: list[str] = []

    class Endpoint(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            operation = _operation(self.headers.get("X-Amz-Target", ""))
            answer: dict[str, Any] = {"operation": operation, "status": 500, "body": "{}"}
            if not pending:
                problems.append(f"unexpected {operation}")
            else:
                answer = pending.pop(0)
                if answer["operation"] != operation:
                    problems.append(f"{operation} where {answer['operation']} was recorded")
            body = answer["body"].encode()
            self.send_response(answer["status"])
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            return

    server = HTTPServer(("127.0.0.1", port), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return problems


# KMS's blob members, which botocore's parser turns from base64 into bytes.
_KMS_BLOBS = ("CiphertextBlob", "Plaintext")


def _parsed(answer: dict[str, Any]) -> dict[str, Any]:
    """What botocore's JSON parser makes of a recorded DynamoDB (or KMS) response."""
    import base64

    body: dict[str, Any] = json.loads(answer["body"] or "{}")
    metadata = {"HTTPStatusCode": answer["status"], "RetryAttempts": 0}
    if answer["status"] < 300:
        if answer.get("service") == "kms":
            body.update({name: base64.b64decode(body[name]) for name in _KMS_BLOBS if name in body})
        return {**body, "ResponseMetadata": metadata}
    error = {"Code": str(body.pop("__type", "")).rpartition("#")[2], "Message": body.pop("message", "")}
    return {**body, "Error": error, "ResponseMetadata": metadata}


def _answer_from_memory(client: Any, responses: list[dict[str, Any]], service: str = "dynamodb") -> None:
    """Answer every call of ``client`` with the recorded responses of its ``service``, in a loop, before any HTTP."""
    import copy

    from botocore.awsrequest import AWSResponse
    from botocore.compat import HTTPHeaders

    answers = [
        (AWSResponse("", answer["status"], HTTPHeaders(), None), _parsed(answer))
        for answer in responses
        if answer.get("service", "dynamodb") == service
    ]
    position = 0

    def answer(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        nonlocal position
        http, parsed = answers[position % len(answers)]
        position += 1
        # KMS's answers hold bytes, which JSON cannot copy; DynamoDB's are copied as they always were.
        return http, copy.deepcopy(parsed) if service == "kms" else json.loads(json.dumps(parsed))

    client.meta.events.register_first(f"before-call.{service}", answer)


def _dynamodb_client() -> Any:
    """The function's own DynamoDB client, built as its first request would build it."""
    from shared.store import dynamo  # type: ignore[import-not-found, unused-ignore]

    return dynamo.client()


def main(spec_path: str, result_path: str) -> None:
    with open(spec_path) as file:
        spec: dict[str, Any] = json.load(file)
    result: dict[str, Any] = {}
    if spec["mode"] == "floor":
        start = time.perf_counter()
        import boto3

        boto3.client("dynamodb")
        result = {"import_ms": _ms(start), "rss_mib": _peak_rss_mib()}
    else:
        # As the Lambda runtime does: the code asset first on sys.path, and the working directory.
        os.chdir(spec["asset"])
        sys.path.insert(0, spec["asset"])
    if spec["mode"] in ("import", "cold", "warm"):
        module_name, _, attribute = spec["handler"].rpartition(".")
        start = time.perf_counter()
        handler = getattr(importlib.import_module(module_name), attribute)
        client = _dynamodb_client()
        result = {"import_ms": _ms(start), "rss_mib": _peak_rss_mib()}
        context = Context(os.environ["AWS_LAMBDA_FUNCTION_NAME"], int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]))
        if spec["mode"] == "cold":
            problems = _serve(spec["port"], spec["responses"])
            start = time.perf_counter()
            response = handler(json.loads(json.dumps(spec["event"])), context)
            result.update(first_request_ms=_ms(start), status=response.get("statusCode"), problems=problems)
        elif spec["mode"] == "warm":
            _answer_from_memory(client, spec["responses"])
            if any(answer.get("service") == "kms" for answer in spec["responses"]):
                from shared import secrets  # type: ignore[import-not-found, unused-ignore]

                _answer_from_memory(secrets.client(), spec["responses"], "kms")
            samples = []
            for run in range(spec["runs"] + 5):
                event = json.loads(json.dumps(spec["event"]))
                start = time.perf_counter()
                response = handler(event, context)
                if run >= 5:
                    samples.append(_ms(start))
            samples.sort()
            result.update(p50_ms=samples[len(samples) // 2], p95_ms=samples[int(len(samples) * 0.95) - 1])
            result.update(status=response.get("statusCode"))
    with open(result_path, "w") as file:
        json.dump(result, file)
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
