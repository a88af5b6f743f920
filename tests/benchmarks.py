"""``make bench``: the figures that matter, printed. Nothing here asserts; tests do that.

- cold start of each function as Lambda runs it, against the bare boto3 floor, in instructions executed
  and in wall-clock time (``tests/lambda_bench.py``);
- warm overhead of each function with DynamoDB answered from memory;
- DynamoDB requests per operation, counted (the budget of DESIGN §5);
- the time to ingest 10,000 events into one session through the handler, on the embedded DynamoDB.

``python -m tests.benchmarks --runtime PYTHON`` names the runtime-only interpreter (``make bench`` builds it).
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Callable
from typing import Any

import tests.conftest  # noqa: F401 - the fake AWS environment, before any client exists
from infra.local.embedded_dynamodb import local_dynamodb
from shared.store import dynamo
from tests import lambda_bench
from tests.conftest import RequestCounter
from tests.support import SEED_BODY, call, candidate_for


def request_budgets() -> None:
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
        session_id = counted("redeem a key", lambda: call("start_session", candidate_for(keys[0])))[1]["session"]["id"]
        events = {"events": _events(100)}
        path = {"session_id": session_id}
        counted("ingest 100 events", lambda: call("ingest_events", candidate_for(keys[0]), body=events, path=path))
        counted(
            "ingest the same 100 events again",
            lambda: call("ingest_events", candidate_for(keys[0]), body=events, path=path),
        )
        counted("timeline page of 100", lambda: call("get_timeline", path=path, query="limit=100"))
        counted("delete with 96 pending keys", lambda: call("delete_assessment", path={"assessment_id": assessment_id}))


def _events(count: int, start: int = 0) -> list[dict[str, Any]]:
    """``count`` prompt events a millisecond apart."""
    return [
        {
            "id": str(uuid.uuid4()),
            "type": "prompt",
            "at": f"2026-04-01T10:{index // 60_000 % 60:02}:{index // 1000 % 60:02}.{index % 1000:03}Z",
            "source": "hook",
            "data": {"text": "Write a test for the retry path", "tokens": 412},
        }
        for index in range(start, start + count)
    ]


def ingest_time(total: int = 10_000) -> None:
    """Seconds to ingest ``total`` events, 100 a request, into one session."""
    with local_dynamodb("promptster-bench-ingest"):
        assessment = call("create_assessment", body=SEED_BODY)[1]["assessment"]
        [key] = call("generate_keys", body={"count": 1}, path={"assessment_id": assessment["id"]})[1]["keys"]
        session_id = call("start_session", candidate_for(key))[1]["session"]["id"]
        began = time.perf_counter()
        for start in range(0, total, 100):
            status, _ = call(
                "ingest_events",
                candidate_for(key),
                body={"events": _events(100, start)},
                path={"session_id": session_id},
            )
            assert status == 200
        elapsed = time.perf_counter() - began
        print(f"Ingest {total:,} events (100 a request, one session, embedded DynamoDB): {elapsed:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description="Print the figures of make bench.")
    parser.add_argument("--runtime", required=True, help="python of the runtime-only virtual environment")
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per function and per floor")
    parser.add_argument("--warm-runs", type=int, default=200, help="warm invocations per function")
    parser.add_argument("--only", default="", help="measure these functions alone (comma-separated names)")
    arguments = parser.parse_args()
    only = {name for name in arguments.only.split(",") if name}
    lambda_bench.run(arguments.runtime, arguments.runs, arguments.warm_runs, only)
    request_budgets()
    ingest_time()


if __name__ == "__main__":
    main()
