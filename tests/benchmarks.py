"""``make bench``: the figures that matter, printed. Nothing here asserts; tests do that.

- cold start: import time and resident memory of each function's module, in a fresh interpreter;
- DynamoDB requests per operation, counted (the budget of DESIGN §5);
- warm handler latency against the embedded DynamoDB (moto dominates it: compare runs, not clouds).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tests.conftest  # noqa: F401 - the fake AWS environment, before any client exists
from infra.local.embedded_dynamodb import local_dynamodb
from shared.routes import AUTHORIZER_HANDLER, ROUTES
from shared.store import dynamo
from tests.conftest import RequestCounter
from tests.support import SEED_BODY, call, candidate_for

ROOT = Path(__file__).resolve().parents[1]
_COLD_START = """
import resource, sys, time
start = time.perf_counter()
import {module}
elapsed = time.perf_counter() - start
print(elapsed * 1000, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def cold_starts() -> None:
    print("Cold start (fresh interpreter, median of 3): import ms, peak RSS MiB")
    modules = sorted({route.handler.rpartition(".")[0] for route in ROUTES} | {AUTHORIZER_HANDLER.rpartition(".")[0]})
    for module in modules:
        samples = []
        for _ in range(3):
            output = subprocess.run(
                [sys.executable, "-c", _COLD_START.format(module=module)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            samples.append((float(output[0]), float(output[1])))
        import_ms = statistics.median(sample[0] for sample in samples)
        rss = statistics.median(sample[1] for sample in samples)
        print(f"  {module:<42} {import_ms:7.1f} ms  {rss:6.1f} MiB")


def _timed(operation: Callable[[], Any], runs: int) -> tuple[float, float]:
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        operation()
        durations.append((time.perf_counter() - start) * 1000)
    durations.sort()
    return statistics.median(durations), durations[int(len(durations) * 0.95) - 1]


def requests_and_latency() -> None:
    with local_dynamodb("promptster-bench"):
        counter = RequestCounter()
        dynamo.client().meta.events.register("before-call.dynamodb", counter)

        def counted(label: str, operation: Callable[[], Any]) -> Any:
            counter.reset()
            result = operation()
            print(f"  {label:<44} {dict(sorted(counter.calls.items()))}")
            return result

        print("DynamoDB requests per operation")
        created = counted("create assessment", lambda: call("create_assessment", body=SEED_BODY))[1]["assessment"]
        assessment_id = created["id"]
        counted("get assessment", lambda: call("get_assessment", path={"assessment_id": assessment_id}))
        counted("list assessments (one page)", lambda: call("list_assessments"))
        keys = counted(
            "generate 50 keys",
            lambda: call("generate_keys", body={"count": 50}, path={"assessment_id": assessment_id}),
        )[1]["keys"]
        call("generate_keys", body={"count": 47}, path={"assessment_id": assessment_id})
        counted("list keys (97)", lambda: call("list_keys", path={"assessment_id": assessment_id}))
        counted("redeem a key", lambda: call("start_session", candidate_for(keys[0])))
        counted("delete with 96 pending keys", lambda: call("delete_assessment", path={"assessment_id": assessment_id}))

        print("Warm handler latency, embedded DynamoDB (median / p95 ms, 200 runs)")
        for _ in range(300):
            call("create_assessment", body=SEED_BODY)
        latest = call("create_assessment", body=SEED_BODY)[1]["assessment"]["id"]
        cases: list[tuple[str, Callable[[], Any]]] = [
            ("create assessment", lambda: call("create_assessment", body=SEED_BODY)),
            ("get assessment", lambda: call("get_assessment", path={"assessment_id": latest})),
            ("list assessments, 100 a page", lambda: call("list_assessments", query="limit=100")),
        ]
        for label, operation in cases:
            median, p95 = _timed(operation, 200)
            print(f"  {label:<44} {median:6.2f} / {p95:6.2f}")
        full_page = call("list_assessments")[1]
        size = len(json.dumps(full_page).encode())
        median, p95 = _timed(lambda: call("list_assessments"), 20)
        print(f"  list assessments, {len(full_page['assessments'])} a page ({size / 1024:.0f} KiB)".ljust(46), end="")
        print(f" {median:6.2f} / {p95:6.2f}")


if __name__ == "__main__":
    cold_starts()
    requests_and_latency()
