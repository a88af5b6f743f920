"""The OpenAPI document fuzzed against the local server with schemathesis: every operation, with a
reviewer token and a candidate key, valid and invalid requests alike. Any 5xx, any answer the
document does not describe, any request the document calls valid that is refused, and any it calls
invalid that is accepted, fails the test. Valid requests are first held to the rules the document
states in words, which JSON Schema could state only as a union per case (client generators cannot
read those): a `rubricId` names an existing rubric (else v1's 400 `rubric_not_found`), the
candidates' addresses and names number `count`, and so does a list of `extraMinutes`."""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis import Case, GenerationMode
from schemathesis.schemas import BaseSchema

from shared.routes import ROUTES, Auth, Route
from tests.http.conftest import Api
from tests.support import SEED_BODY, new_token

# Per operation and mode: 18 operations, both modes, in well under a minute.
EXAMPLES = 15


@pytest.fixture(scope="module")
def rubric_id(api: Api) -> str:
    return str(_fixtures(api)["rubric_id"])


@pytest.fixture(scope="module")
def credentials(api: Api) -> dict[Auth, dict[str, str]]:
    """The headers each kind of route is called with: a reviewer's token, and for candidate routes a key
    of an assessment with a rubric, so a session can go all the way to a score."""
    reviewer = {"Authorization": f"Bearer {_fixtures(api)['token']}"}
    candidate = {"X-API-Key": str(_fixtures(api)["key"])}
    return {Auth.REVIEWER: reviewer, Auth.CANDIDATE: candidate, Auth.REVIEWER_OR_CANDIDATE: reviewer, Auth.PUBLIC: {}}


@cache
def _fixtures(api: Api) -> dict[str, str]:
    token = new_token("org_fuzzing")
    rubric = {"name": "Fuzzing", "criteria": [{"name": "Correctness", "weight": 1}]}
    rubric_id = api.request("POST", "/v1/rubrics", token, rubric).body["rubric"]["id"]
    created = api.request("POST", "/v1/assessments", token, {**SEED_BODY, "rubricId": rubric_id})
    keys = api.request("POST", f"/v1/assessments/{created.body['assessment']['id']}/keys", token, {"count": 1})
    return {"token": token, "rubric_id": rubric_id, "key": keys.body["keys"][0]["key"]}


def _within_the_rules_stated_in_words(body: Any, rubric_id: str) -> None:
    """Make a schema-valid body keep the rules the document states in its descriptions."""
    if not isinstance(body, dict):
        return
    if isinstance(body.get("rubricId"), str):
        body["rubricId"] = rubric_id
    emails, names = body.get("candidateEmails"), body.get("candidateNames")
    if isinstance(emails, list) and emails:
        body["count"] = len(emails)
        if isinstance(names, list):
            body["candidateNames"] = [*names, *["Ada"] * len(emails)][: len(emails)]
    else:
        body.pop("candidateEmails", None)
        body.pop("candidateNames", None)
    if isinstance(body.get("extraMinutes"), list) and isinstance(body.get("count"), int):
        body["extraMinutes"] = [*body["extraMinutes"], *[0] * body["count"]][: body["count"]]


@pytest.fixture(scope="module")
def served_document(api: Api) -> BaseSchema:
    """The document exactly as the local server serves it."""
    return schemathesis.openapi.from_url(f"{api.base_url}/v1/openapi.json")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_the_api_answers_as_its_document_says(
    route: Route,
    mode: GenerationMode,
    api: Api,
    served_document: BaseSchema,
    credentials: dict[Auth, dict[str, str]],
    rubric_id: str,
) -> None:
    if mode is GenerationMode.NEGATIVE and route.auth is Auth.PUBLIC and "{" not in route.path:
        pytest.skip("the API's own description takes no input to get wrong")
    operation = served_document[route.path][route.method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @seed(20261128)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def answers_as_documented(case: Case[Any]) -> None:
        if mode is GenerationMode.POSITIVE and case.headers and "Idempotency-Key" in case.headers:
            # A key the generator happens to repeat with another body is rightly 422: one key per request.
            case.headers["Idempotency-Key"] = str(uuid.uuid4())
        if mode is GenerationMode.POSITIVE:
            _within_the_rules_stated_in_words(case.body, rubric_id)
        case.call_and_validate(base_url=api.base_url, headers=credentials[route.auth])

    answers_as_documented()
