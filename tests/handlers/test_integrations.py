"""Integrations as reviewers manage them, and the credential they give an ATS: a key shown once and kept
as its SHA-256, accepted (HTTP Basic) on its own ATS's routes only and refused the moment the integration
is deleted; an Ashby key kept encrypted, never shown, logged or stored in clear."""

from __future__ import annotations

import base64
import logging
from typing import Any

import boto3
import pytest

from functions.authorizer.handler import handler as authorizer
from infra.local.gateway import LambdaContext
from shared.auth import INTEGRATION_KEY_PREFIX, Integration, basic_authorization, hash_integration_key
from shared.observability import logger
from shared.routes import route
from shared.store.dynamo import table_name
from tests.conftest import RequestCounter
from tests.support import ORG_A, ORG_B, call, invoke

pytestmark = pytest.mark.usefixtures("table")

API = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod"
ASHBY_KEY = "ashby-secret-key-7f3a9c1e5b"


def connect(body: dict[str, Any], principal: Any = ORG_A) -> dict[str, Any]:
    status, created = call("create_integration", principal, body=body)
    assert status == 201, created
    return dict(created)


def authorize(headers: dict[str, str], route_name: str) -> dict[str, Any]:
    """The authorizer's answer to a request for the named route, as API Gateway asks it."""
    target = route(route_name)
    event = {
        "type": "REQUEST",
        "methodArn": f"{API}/{target.method}{target.path}",
        "resource": target.path,
        "httpMethod": target.method,
        "headers": headers,
    }
    answer: dict[str, Any] = authorizer(event, LambdaContext(function_name="authorizer"))
    return answer


def table_items() -> list[dict[str, Any]]:
    """Every item of the table, as DynamoDB holds it."""
    return list(boto3.client("dynamodb").scan(TableName=table_name())["Items"])


def test_connecting_greenhouse_answers_its_key_once_and_the_urls_to_give_greenhouse() -> None:
    created = connect({"type": "greenhouse"})

    assert created["type"] == "greenhouse"
    assert created["apiKey"].startswith(INTEGRATION_KEY_PREFIX)
    assert len(created["apiKey"]) < 171  # what Greenhouse accepts
    assert set(created["endpoints"]) == {"listTests", "sendTest", "testStatus", "responseError"}
    assert created["endpoints"]["sendTest"].endswith("/v1/ats/greenhouse/send_test")
    listed = call("list_integrations")[1]["integrations"]
    assert [integration["id"] for integration in listed] == [created["id"]]
    assert "apiKey" not in listed[0]


def test_the_key_is_kept_as_its_sha256_and_an_idempotent_replay_shows_it_no_more() -> None:
    retry = [("Idempotency-Key", "connect-1")]
    first = invoke("create_integration", body={"type": "greenhouse"}, headers=retry)
    replayed = invoke("create_integration", body={"type": "greenhouse"}, headers=retry)

    key = first.body["apiKey"]
    stored = str(table_items())
    assert key not in stored
    assert hash_integration_key(key) in stored
    assert replayed.body["id"] == first.body["id"]
    assert replayed.body["apiKey"] is None


def test_an_ashby_integration_needs_an_ashby_key_and_a_greenhouse_one_takes_none() -> None:
    missing = call("create_integration", body={"type": "ashby"})
    extra = call("create_integration", body={"type": "greenhouse", "ashbyApiKey": ASHBY_KEY})

    assert missing[0] == extra[0] == 400
    assert (missing[1]["details"][0]["code"], extra[1]["details"][0]["code"]) == ("missing", "extra_forbidden")


def test_the_ashby_key_is_never_answered_logged_or_stored_in_clear(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    logger.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        created = connect({"type": "ashby", "ashbyApiKey": ASHBY_KEY})
        listed = call("list_integrations")
        deleted = call("delete_integration", path={"integration_id": created["id"]})
    finally:
        logger.setLevel(logging.WARNING)

    answers = str([created, listed, deleted])
    output = capsys.readouterr().out + caplog.text
    stored = str(table_items())
    for text in (answers, output, stored):
        assert ASHBY_KEY not in text
        assert base64.b64encode(ASHBY_KEY.encode()).decode() not in text


def test_deleting_an_integration_refuses_its_key_at_once_and_keeps_its_delivery_log() -> None:
    created = connect({"type": "greenhouse"})
    header = {"Authorization": basic_authorization(created["apiKey"])}
    assert authorize(header, "greenhouse_list_tests")["context"]["integrationId"] == created["id"]

    assert call("delete_integration", path={"integration_id": created["id"]})[0] == 200

    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(header, "greenhouse_list_tests")
    assert call("list_integrations")[1]["integrations"] == []
    assert call("delete_integration", path={"integration_id": created["id"]})[0] == 404
    assert call("list_integration_deliveries", path={"integration_id": created["id"]}) == (
        200,
        {"deliveries": [], "nextCursor": None},
    )


def test_another_organisations_integration_is_not_found_by_any_route() -> None:
    theirs = connect({"type": "greenhouse"}, ORG_B)
    path = {"integration_id": theirs["id"]}

    assert call("delete_integration", path=path)[0] == 404
    assert call("list_integration_deliveries", path=path)[0] == 404
    assert call("list_integrations")[1]["integrations"] == []


def test_a_key_opens_its_own_atss_routes_as_its_organisation_with_one_lookup(dynamodb_calls: RequestCounter) -> None:
    created = connect({"type": "greenhouse"})
    dynamodb_calls.reset()

    answer = authorize({"Authorization": basic_authorization(created["apiKey"])}, "greenhouse_send_test")

    assert answer["principalId"] == ORG_A.org_id
    assert answer["context"] == {
        "principal": "integration",
        "orgId": ORG_A.org_id,
        "integrationId": created["id"],
        "integrationKind": "greenhouse",
    }
    assert dynamodb_calls.total == 1


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Basic ",
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"psi_live_short:").decode(),
        "Basic " + base64.b64encode(b"psi_live_" + b"a" * 40 + b":password").decode(),
        "Basic " + base64.b64encode(b"psi_live_" + b"a" * 40).decode(),  # no colon
        "Basic " + base64.b64encode(b"psk_live_" + b"a" * 40 + b":").decode(),  # a reviewer's token
        "Basic " + "QUFB" * 100,
        "Bearer psk_live_" + "a" * 40,
    ],
)
def test_junk_and_other_schemes_are_refused_on_an_ats_route_without_a_lookup(
    authorization: str, dynamodb_calls: RequestCounter
) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize({"Authorization": authorization}, "greenhouse_list_tests")
    assert dynamodb_calls.total == 0


def test_a_well_formed_unknown_key_costs_one_lookup_and_is_refused(dynamodb_calls: RequestCounter) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize({"Authorization": basic_authorization("psi_live_" + "b" * 40)}, "ashby_start_assessment")
    assert dynamodb_calls.total == 1


@pytest.mark.parametrize("route_name", ["list_assessments", "get_session", "start_session"])
def test_an_integration_key_opens_no_other_route(route_name: str) -> None:
    created = connect({"type": "greenhouse"})

    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize({"Authorization": basic_authorization(created["apiKey"])}, route_name)


def test_a_greenhouse_key_is_refused_on_ashbys_routes_and_a_reviewer_on_both() -> None:
    created = connect({"type": "greenhouse"})
    greenhouse = Integration(org_id=ORG_A.org_id, integration_id=created["id"], kind="greenhouse")

    as_ashby = invoke("ashby_list_assessments", greenhouse, body={})
    as_reviewer = invoke("greenhouse_list_tests", ORG_A)

    assert (as_ashby.status, as_ashby.body["code"]) == (401, "unauthorized")
    assert as_ashby.body["message"] == as_ashby.body["error"]
    assert (as_reviewer.status, as_reviewer.body["code"]) == (401, "unauthorized")
