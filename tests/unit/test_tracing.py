"""Tracing as Lambda runs a function with active tracing: loading the function leaves the X-Ray SDK alone,
and its first request builds the Tracer, which patches botocore before the function reaches DynamoDB."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from shared.routes import AUTHORIZER_HANDLER, route

ROOT = Path(__file__).resolve().parents[2]
# A sampled trace, as Lambda hands one to a function with active tracing; the daemon address is loopback.
LAMBDA_ENVIRONMENT = {
    "PATH": "/usr/bin:/bin",
    "AWS_REGION": "eu-west-1",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_LAMBDA_FUNCTION_NAME": "promptster-test-function",
    "LAMBDA_TASK_ROOT": str(ROOT),
    "POWERTOOLS_METRICS_DISABLED": "true",
    "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
}

# One request each entry point refuses before any DynamoDB request: no credential for the authorizer,
# a candidate on a reviewer route (list_rubrics).
FIRST_REQUEST = """
import json, sys
from botocore.client import BaseClient
from infra.local.gateway import LambdaContext

module_name, _, attribute = sys.argv[1].rpartition(".")
handler = getattr(__import__(module_name, fromlist=[attribute]), attribute)
loaded = "aws_xray_sdk" in sys.modules
try:
    answer = handler(json.loads(sys.argv[2]), LambdaContext(function_name="test"))
except Exception as error:
    answer = str(error)
print(json.dumps({
    "loaded_by_import": loaded,
    "answer": answer,
    "botocore_patched": hasattr(BaseClient._make_api_call, "__wrapped__"),
}))
"""

AUTHORIZER_EVENT = {
    "type": "REQUEST",
    "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/v1/rubrics",
    "resource": "/v1/rubrics",
    "httpMethod": "GET",
    "headers": {},
}
CANDIDATE = {"principal": "candidate", "orgId": "org_a", "assessmentId": "a", "keyId": "k"}
ROUTE_EVENT = {
    "resource": "/v1/rubrics",
    "path": "/v1/rubrics",
    "httpMethod": "GET",
    "headers": {},
    "requestContext": {"requestId": "r", "authorizer": CANDIDATE},
}


def first_request(handler: str, event: dict[str, Any], initialization: str = "on-demand") -> dict[str, Any]:
    """What a fresh interpreter, set up as Lambda sets one up, reports of ``handler``'s first request."""
    done = subprocess.run(
        [sys.executable, "-c", FIRST_REQUEST, handler, json.dumps(event)],
        cwd=ROOT,
        env={**LAMBDA_ENVIRONMENT, "AWS_LAMBDA_INITIALIZATION_TYPE": initialization},
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


@pytest.mark.parametrize(
    ("handler", "event", "answer"),
    [
        (AUTHORIZER_HANDLER, AUTHORIZER_EVENT, "Unauthorized"),
        (route("list_rubrics").handler, ROUTE_EVENT, 401),
    ],
    ids=["authorizer", "route"],
)
def test_the_first_request_builds_the_tracer_and_patches_botocore_which_loading_left_alone(
    handler: str, event: dict[str, Any], answer: str | int
) -> None:
    result = first_request(handler, event)

    assert result["loaded_by_import"] is False
    given = result["answer"]
    assert (given["statusCode"] if isinstance(given, dict) else given) == answer
    assert result["botocore_patched"] is True


@pytest.mark.parametrize("initialization", ["snap-start", "provisioned-concurrency"])
def test_where_lambda_initializes_ahead_of_requests_loading_builds_the_tracer(initialization: str) -> None:
    # A SnapStart snapshot or a provisioned environment is loaded before anyone waits: it keeps the Tracer.
    result = first_request(AUTHORIZER_HANDLER, AUTHORIZER_EVENT, initialization)

    assert result["loaded_by_import"] is True
    assert result["botocore_patched"] is True
