"""The OpenAPI document fuzzed against the local server with schemathesis: every operation, with a
reviewer token and a candidate key, valid and invalid requests alike. Any 5xx, any answer the
document does not describe, any request the document calls valid that is refused, and any it calls
invalid that is accepted, fails the test. Valid requests are first held to the rules the document
states in words, which JSON Schema could state only as a union per case (client generators cannot
read those): a `rubricId` names an existing rubric (else v1's 400 `rubric_not_found`), the
candidates' addresses and names number `count`, and so does a list of `extraMinutes`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis import Case, GenerationMode
from schemathesis.schemas import BaseSchema

from shared.auth import basic_authorization
from shared.routes import ROUTES, Auth, Route
from tests.http.conftest import Api
from tests.support import SEED_BODY, new_token

# Per operation and mode: 18 operations, both modes, in well under a minute.
EXAMPLES = 15


@pytest.fixture(scope="module")
def rubric_id(api: Api) -> str:
    return str(_fixtures(api)["rubric_id"])


@pytest.fixture(scope="module")
def credentials(api: Api) -> Callable[[Route], dict[str, str]]:
    """The headers a route is called with: a reviewer's token; for candidate routes a key of an assessment
    with a rubric, so a session can go all the way to a score; for an ATS's routes its integration's key."""
    fixtures = _fixtures(api)
    reviewer = {"Authorization": f"Bearer {fixtures['token']}"}
    headers = {
        Auth.REVIEWER: reviewer,
        Auth.CANDIDATE: {"X-API-Key": str(fixtures["key"])},
        Auth.REVIEWER_OR_CANDIDATE: reviewer,
        Auth.PUBLIC: {},
    }

    def of(route: Route) -> dict[str, str]:
        if route.auth is Auth.INTEGRATION:
            ats = route.name.split("_")[0]  # greenhouse_…, ashby_…
            return {"Authorization": basic_authorization(fixtures[ats])}
        return headers[route.auth]

    return of


@cache
def _fixtures(api: Api) -> dict[str, str]:
    token = new_token("org_fuzzing")
    rubric = {"name": "Fuzzing", "criteria": [{"name": "Correctness", "weight": 1}]}
    rubric_id = api.request("POST", "/v1/rubrics", token, rubric).body["rubric"]["id"]
    created = api.request("POST", "/v1/assessments", token, {**SEED_BODY, "rubricId": rubric_id})
    keys = api.request("POST", f"/v1/assessments/{created.body['assessment']['id']}/keys", token, {"count": 1})
    greenhouse = api.request("POST", "/v1/integrations", token, {"type": "greenhouse"}).body["apiKey"]
    ashby = api.request("POST", "/v1/integrations", token, {"type": "ashby", "ashbyApiKey": "ashby-fuzzing"})
    return {
        "token": token,
        "rubric_id": rubric_id,
        "key": keys.body["keys"][0]["key"],
        "assessment_id": created.body["assessment"]["id"],
        "greenhouse": greenhouse,
        "ashby": ashby.body["apiKey"],
    }


def _within_the_rules_stated_in_words(body: Any, rubric_id: str, assessment_id: str) -> None:
    """Make a schema-valid body keep the rules the document states in its descriptions."""
    if not isinstance(body, dict):
        return
    if isinstance(body.get("rubricId"), str):
        body["rubricId"] = rubric_id
    if isinstance(body.get("assessment_type_id"), str) and isinstance(body.get("candidate"), dict):
        # Ashby starts an assessment `assessment.list` offered, for a candidate not yet assessed on it.
        body["assessment_type_id"] = assessment_id
        body["candidate"]["email"] = f"{uuid.uuid4().hex}@example.com"
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


def _takes_input(route: Route) -> bool:
    """Whether a request can get anything wrong: a credential, a path parameter (the API's own description
    takes neither, so it has no invalid request to try)."""
    return route.auth is not Auth.PUBLIC or "{" in route.path


FUZZED = [
    pytest.param(route, mode, id=f"{route.name}-{mode}")
    for route in ROUTES
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or _takes_input(route)
]


@pytest.mark.parametrize(("route", "mode"), FUZZED)
def test_the_api_answers_as_its_document_says(
    route: Route,
    mode: GenerationMode,
    api: Api,
    served_document: BaseSchema,
    credentials: Callable[[Route], dict[str, str]],
    rubric_id: str,
) -> None:
    operation = served_document[route.path][route.method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @seed(20261128)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def answers_as_documented(case: Case[Any]) -> None:
        if mode is GenerationMode.POSITIVE and case.headers and "Idempotency-Key" in case.headers:
            # A key the generator happens to repeat with another body is rightly 422: one key per request.
            case.headers["Idempotency-Key"] = str(uuid.uuid4())
        if mode is GenerationMode.POSITIVE:
            _within_the_rules_stated_in_words(case.body, rubric_id, str(_fixtures(api)["assessment_id"]))
        case.call_and_validate(base_url=api.base_url, headers=credentials(route))

    answers_as_documented()
