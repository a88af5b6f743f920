"""The Lambda authorizer: tokens in, an allow-all-routes policy and the org out; nothing leaked."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from functions.authorizer.handler import handler
from infra.local.gateway import LambdaContext
from shared.domain.tokens import issue_token, revoke_token
from shared.observability import SERVICE
from shared.routes import route
from shared.store.tokens import TokenStore
from tests.conftest import RequestCounter
from tests.support import OPERATOR, create_assessment, generate_keys, new_token

pytestmark = pytest.mark.usefixtures("table")

API = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod"


def authorize(headers: dict[str, str], route_name: str = "list_assessments") -> dict[str, Any]:
    """Call the authorizer as API Gateway does for a request to the named route."""
    target = route(route_name)
    event = {
        "type": "REQUEST",
        "methodArn": f"{API}/{target.method}{target.path}",
        "resource": target.path,
        "httpMethod": target.method,
        "headers": headers,
    }
    result: dict[str, Any] = handler(event, LambdaContext(function_name="authorizer"))
    return result


def test_a_valid_token_is_allowed_on_every_route_with_its_org_and_its_id_and_name_in_the_context(
    dynamodb_calls: RequestCounter,
) -> None:
    issued = issue_token(TokenStore(), "org_acme", name="tests", audit=OPERATOR)
    dynamodb_calls.reset()

    result = authorize({"Authorization": f"Bearer {issued.token}"})

    statement = result["policyDocument"]["Statement"][0]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == ["arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*/*"]
    assert result["principalId"] == "org_acme"
    assert result["context"] == {
        "principal": "reviewer",
        "orgId": "org_acme",
        "tokenName": "tests",
        "tokenId": issued.stored.token_id,
    }
    assert dynamodb_calls.total == 1


def test_the_bearer_scheme_is_case_insensitive() -> None:
    token = new_token("org_acme")

    assert authorize({"authorization": f"bearer {token}"})["principalId"] == "org_acme"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer psk_live_unknown.token.value.that.was.never.issued"},
        {"Authorization": "Bearer psk_live_" + "a" * 31},
        {"Authorization": "Bearer psk_live_" + "a" * 129},
        {"Authorization": "Bearer psk_live_" + "a" * 20 + " " + "a" * 20},
        {"Authorization": "Bearer psk_test_" + "a" * 40},
        {"Authorization": "Bearer " + "x" * 256},
    ],
)
def test_missing_and_malformed_tokens_are_unauthorized_without_a_dynamodb_request(
    headers: dict[str, str], dynamodb_calls: RequestCounter
) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(headers)

    assert dynamodb_calls.total == 0


def test_a_well_shaped_token_never_issued_is_unauthorized_after_one_lookup(dynamodb_calls: RequestCounter) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize({"Authorization": "Bearer psk_live_" + "N0tIssued" * 4})

    assert dynamodb_calls.calls == {"GetItem": 1}


def test_a_revoked_token_is_unauthorized() -> None:
    token = new_token("org_acme")
    token_id = next(iter(_token_ids("org_acme")))
    revoke_token(TokenStore(), "org_acme", token_id, audit=OPERATOR)

    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize({"Authorization": f"Bearer {token}"})


@pytest.fixture
def service_logs() -> Iterator[io.StringIO]:
    """Everything the service logs at DEBUG and above while the test runs."""
    records = io.StringIO()
    capture = logging.StreamHandler(records)
    service_logger = logging.getLogger(SERVICE)
    previous_level = service_logger.level
    service_logger.addHandler(capture)
    service_logger.setLevel(logging.DEBUG)
    yield records
    service_logger.removeHandler(capture)
    service_logger.setLevel(previous_level)


def test_tokens_never_reach_the_logs(service_logs: io.StringIO) -> None:
    token = new_token("org_acme")

    authorize({"Authorization": f"Bearer {token}"})
    with pytest.raises(Exception, match="Unauthorized"):
        authorize({"Authorization": "Bearer psk_live_wrong"})

    assert service_logs.getvalue(), "nothing was logged at DEBUG: the check would prove nothing"
    assert token not in service_logs.getvalue()
    assert "psk_live_wrong" not in service_logs.getvalue()


def test_a_typed_candidate_key_authorizes_its_holder_and_never_reaches_the_logs(service_logs: io.StringIO) -> None:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1)

    result = authorize({"X-API-Key": f" {key['key'].lower()} "}, "start_session")
    with pytest.raises(Exception, match="Unauthorized"):
        authorize({"x-api-key": "PST-0000-0000"}, "start_session")

    assert result["context"] == {
        "principal": "candidate",
        "orgId": "org_a",
        "assessmentId": assessment["id"],
        "keyId": key["id"],
    }
    assert service_logs.getvalue()
    assert key["key"] not in service_logs.getvalue().upper()
    assert "PST-0000-0000" not in service_logs.getvalue()


def _token_ids(org_id: str) -> list[str]:
    return [token.token_id for token in TokenStore().list_for_org(org_id)]


def test_only_the_credential_the_route_accepts_is_read() -> None:
    token = new_token("org_acme")
    [key] = generate_keys(create_assessment()["id"], 1)
    both = {"Authorization": f"Bearer {token}", "X-API-Key": key["key"]}

    assert authorize(both, "list_assessments")["context"]["principal"] == "reviewer"
    assert authorize(both, "start_session")["context"]["principal"] == "candidate"
    assert authorize(both, "get_assessment")["context"]["principal"] == "reviewer"
    assert authorize({"X-API-Key": key["key"]}, "get_assessment")["context"]["principal"] == "candidate"
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize({"X-API-Key": key["key"]}, "list_assessments")
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize({"Authorization": f"Bearer {token}"}, "start_session")


def test_a_request_for_no_known_route_is_unauthorized() -> None:
    event = {
        "type": "REQUEST",
        "methodArn": f"{API}/GET/v1/secrets",
        "resource": "/v1/secrets",
        "httpMethod": "GET",
        "headers": {"Authorization": f"Bearer {new_token('org_acme')}"},
    }

    with pytest.raises(Exception, match=r"^Unauthorized$"):
        handler(event, LambdaContext(function_name="authorizer"))
