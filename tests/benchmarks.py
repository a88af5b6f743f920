"""``make bench``: the figures that matter, printed. Nothing here asserts; tests do that.

- cold start of each function as Lambda runs it, against the bare boto3 floor, in instructions executed
  and in wall-clock time (``tests/lambda_bench.py``);
- warm overhead of each function with DynamoDB answered from memory;
- DynamoDB requests per operation, counted (the budget of DESIGN §5);
- the time to ingest 10,000 events into one session through the handler, on the embedded DynamoDB;
- the report page of a session of 10 and of 10,000 events over HTTP on the local server: p50, size, and
  the DynamoDB requests of each report and share-link route;
- the candidate CLI's hook time per invocation (p50, p95) and a flush of 1,000 events (``tests/cli_bench.py``).

``python -m tests.benchmarks --runtime PYTHON`` names the runtime-only interpreter (``make bench`` builds it).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import time
import urllib.request
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

import tests.conftest  # noqa: F401 - the fake AWS environment, before any client exists
from infra.local.embedded_dynamodb import local_dynamodb
from shared import clock
from shared.auth import Reviewer
from shared.domain.tokens import issue_token
from shared.store import dynamo
from shared.store.tokens import TokenStore
from tests import cli_bench, lambda_bench
from tests.conftest import RequestCounter
from tests.support import OPERATOR, SEED_BODY, call, candidate_for, instant

REVIEWER = Reviewer(org_id="org_bench_report", token_name="bench", token_id="0195f39f-0a1b-7c2d-8e3f-4a5b6c7d8ebf")


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
    """``count`` prompt events a millisecond apart from 30 s before now: within a session started just now."""
    return [
        {
            "id": str(uuid.uuid4()),
            "type": "prompt",
            "at": instant((index - start) / 1000 - 30),
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


_KINDS: list[tuple[str, dict[str, Any]]] = [
    ("prompt", {"text": "Write a test for the retry path, then make it pass without touching the schema."}),
    ("response", {"tokens": 812}),
    ("tool_call", {"tool": "Edit", "path": "app/dedup.py"}),
    ("file_change", {"author": "ai", "path": "app/dedup.py", "linesAdded": 12}),
    ("command", {"command": "make lint", "exitCode": 0}),
    ("test_run", {"command": "pytest -q", "passed": True}),
    ("file_change", {"author": "human", "path": "app/dedup.py", "linesAdded": 2}),
    ("test_run", {"command": "pytest -q", "passed": False, "failed": 1}),
    ("decision", {"title": "Conditional put on the event id", "rationale": "exactly once under retries"}),
]


# A session of 10,000 events started this long ago: its events, 0.3 s apart, span 50 minutes.
_WORKED = timedelta(minutes=55)


def _session_events(count: int, began: datetime) -> list[dict[str, Any]]:
    """``count`` events of every kind, 0.3 s apart from a second after ``began``."""
    return [
        {
            "id": str(uuid.uuid4()),
            "type": _KINDS[index % len(_KINDS)][0],
            "at": (began + timedelta(seconds=1 + index * 0.3))
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "source": "hook",
            "data": _KINDS[index % len(_KINDS)][1],
        }
        for index in range(count)
    ]


def _fetch(url: str, token: str | None = None, method: str = "GET") -> tuple[int, bytes]:
    request = urllib.request.Request(url, method=method)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status, response.read()


def report_times(sizes: tuple[int, ...] = (10, 10_000), runs: int = 7) -> None:
    """The report page of a scored session of each size, fetched over HTTP from the local server."""
    from tests.http.conftest import local_api  # noqa: PLC0415 - the local server, as its tests run it

    print(f"Report page over HTTP on the local server (embedded DynamoDB; p50 of {runs})")
    with local_api("promptster-bench-report") as api:
        token = issue_token(TokenStore(), REVIEWER.org_id, name="bench", audit=OPERATOR).token
        counter = RequestCounter()
        dynamo.client().meta.events.register("before-call.dynamodb", counter)
        for size in sizes:
            with contextlib.redirect_stdout(io.StringIO()):  # the functions' metrics
                session_id = _scored_session(size)
            url = f"{api.base_url}/v1/sessions/{session_id}/report"
            times = []
            for _ in range(runs):
                began = time.perf_counter()
                status, page = _fetch(url, token)
                times.append(time.perf_counter() - began)
                assert status == 200
            print(f"  {size:>6,} events: p50 {statistics.median(times):.2f} s, page {len(page):,} bytes")
            counts = _route_requests(api.base_url, token, session_id, counter)
        print("  DynamoDB requests per route (the 10,000-event session)")
        for name, calls in counts.items():
            print(f"    {name:<20} {dict(sorted(calls.items()))}")


def _scored_session(size: int) -> str:
    """A completed, scored session of ``size`` events, made through the handlers."""
    rubric = {"name": "Bench", "criteria": [{"name": "Correctness", "weight": 1}]}
    rubric_id = call("create_rubric", REVIEWER, body=rubric)[1]["rubric"]["id"]
    assessment = call("create_assessment", REVIEWER, body={**SEED_BODY, "rubricId": rubric_id})[1]["assessment"]
    body = {"count": 1, "candidateEmails": ["ada@example.com"], "candidateNames": ["Ada Lovelace"]}
    [key] = call("generate_keys", REVIEWER, body=body, path={"assessment_id": assessment["id"]})[1]["keys"]
    began = clock.utc_now() - _WORKED
    with mock.patch.object(clock, "utc_now", return_value=began):  # started as long ago as its events say
        session_id: str = call("start_session", candidate_for(key))[1]["session"]["id"]
    events = _session_events(size, began)
    for start in range(0, size, 100):
        batch = {"events": events[start : start + 100]}
        assert call("ingest_events", candidate_for(key), body=batch, path={"session_id": session_id})[0] == 200
    assert call("complete_session", candidate_for(key), path={"session_id": session_id})[0] == 200
    score = {"criteria": [{"name": "Correctness", "score": 80}]}
    assert call("score_session", REVIEWER, body=score, path={"session_id": session_id})[0] == 200
    return session_id


def _route_requests(base: str, token: str, session_id: str, counter: RequestCounter) -> dict[str, Any]:
    """The DynamoDB requests each report and share-link route makes for one session."""
    counts: dict[str, Any] = {}

    def counted(name: str, url: str, with_token: bool = True, method: str = "GET") -> bytes:
        counter.reset()
        _, body = _fetch(url, token if with_token else None, method)
        counts[name] = dict(counter.calls)
        return body

    sessions = f"{base}/v1/sessions/{session_id}"
    counted("get_report", f"{sessions}/report")
    created = json.loads(counted("create_share", f"{sessions}/share", method="POST"))
    counted("list_shares", f"{sessions}/shares")
    counted("get_shared_report", created["url"], with_token=False)
    counted("revoke_share", f"{sessions}/shares/{created['id']}", method="DELETE")
    return counts


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
    report_times()
    cli_bench.run()


if __name__ == "__main__":
    main()
