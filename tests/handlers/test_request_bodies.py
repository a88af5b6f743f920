"""Every function reads its body the same way: base64 undone, UTF-8 required, structure bounded."""

from __future__ import annotations

import base64
import io
import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from functions.create_rubric.handler import handler
from infra.local.gateway import LambdaContext, proxy_event
from shared.auth import principal_to_context
from shared.observability import logger
from shared.routes import route
from tests.support import ORG_A, call

pytestmark = pytest.mark.usefixtures("table")

RUBRIC = {"name": "Backend", "criteria": [{"name": "Correctness", "weight": 100}]}


def create_rubric_with(body: str, base64_encoded: bool) -> tuple[int, dict[str, Any]]:
    """Call create_rubric with the body exactly as API Gateway would hand it over."""
    target = route("create_rubric")
    event = proxy_event(
        target,
        method=target.method,
        path=target.path,
        query="",
        headers=[],
        body=b"",
        path_parameters={},
        request_id="test-request",
        source_ip="127.0.0.1",
    )
    event.update(body=body, isBase64Encoded=base64_encoded)
    event["requestContext"]["authorizer"] = {**principal_to_context(ORG_A), "principalId": "org_a"}
    context: Any = LambdaContext(function_name="create_rubric")  # the fields Powertools reads
    result = handler(event, context)
    return result["statusCode"], json.loads(result["body"])


def test_a_base64_body_of_utf8_json_is_read_as_that_json() -> None:
    status, payload = create_rubric_with(base64.b64encode(json.dumps(RUBRIC).encode()).decode(), base64_encoded=True)

    assert status == 201
    assert payload["rubric"]["name"] == "Backend"


@pytest.mark.parametrize(
    ("body", "base64_encoded"),
    [
        (base64.b64encode(b"\xff\xfe").decode(), True),
        ("this is not base64!", True),
        ('{"name": "\ud800"}', False),  # a lone surrogate: no UTF-8 text carries one
    ],
)
def test_a_body_that_is_not_utf8_text_is_a_400(body: str, base64_encoded: bool) -> None:
    status, payload = create_rubric_with(body, base64_encoded)

    assert (status, payload["code"]) == (400, "invalid_encoding")


def test_a_base64_body_is_held_to_the_same_bounds() -> None:
    deep = base64.b64encode(b"[" * 33 + b"]" * 33).decode()
    too_many = route("create_rubric").max_body_bytes + 1
    large = base64.b64encode(json.dumps({**RUBRIC, "description": "x" * too_many}).encode()).decode()

    assert create_rubric_with(deep, base64_encoded=True)[1]["code"] == "too_deep"
    assert create_rubric_with(large, base64_encoded=True)[0] == 413


@pytest.fixture
def service_log() -> Iterator[io.StringIO]:
    """The service's log lines at INFO, the level the functions run at."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    service = logging.getLogger(logger.name)
    level = service.level
    service.addHandler(handler)
    service.setLevel(logging.INFO)
    yield stream
    service.removeHandler(handler)
    service.setLevel(level)


def test_every_refusal_is_one_info_line_with_its_status_code_and_organisation(service_log: io.StringIO) -> None:
    call("create_rubric", body={"name": "R"})  # validation
    create_rubric_with(base64.b64encode(b"\xff\xfe").decode(), base64_encoded=True)  # the entry's body check
    call("get_rubric", path={"rubric_id": str(uuid.uuid4())})  # the domain

    refused = [json.loads(line) for line in service_log.getvalue().splitlines() if '"Refused"' in line]
    assert [(line["status"], line["code"], line["org_id"]) for line in refused] == [
        (400, "validation_error", ORG_A.org_id),
        (400, "invalid_encoding", ORG_A.org_id),
        (404, "not_found", ORG_A.org_id),
    ]
