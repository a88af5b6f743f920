"""The assessments API through the local server, as a client sees it."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
import uuid

from shared.routes import ROUTES, route
from tests.http.conftest import Api
from tests.support import SEED_BODY, new_token

# The seed's example request, verbatim but for the URL and the token.
SEED_CURL = """curl -X POST https://api.promptster.ai/v1/assessments \\
  -H "Authorization: Bearer <your-token>" \\
  -H "Content-Type: application/json" \\
  -d '{
    "title": "Backend API Challenge",
    "role": "Senior Backend Engineer",
    "taskBrief": "Build a webhook ingestion endpoint that validates, stores, and deduplicates incoming events.",
    "timeLimitMinutes": 120,
    "expiresInDays": 7
  }'"""

SEED_RESPONSE = {
    "title": "Backend API Challenge",
    "role": "Senior Backend Engineer",
    "taskBrief": "Build a webhook ingestion endpoint that validates, stores, and deduplicates incoming events.",
    "repoUrl": None,
    "timeLimitMinutes": 120,
    "expiresInDays": 7,
    "issueId": None,
    "rubricId": None,
}


def test_the_seed_curl_example_creates_the_seed_response(api: Api) -> None:
    curl = shutil.which("curl")
    assert curl, "curl is needed to run the seed's example verbatim"
    token = new_token("org_seed")
    command = SEED_CURL.replace("https://api.promptster.ai", api.base_url).replace("<your-token>", token)

    completed = subprocess.run(
        command + " -s -w '\\n%{http_code}'", shell=True, capture_output=True, text=True, check=True, timeout=30
    )

    body, status = completed.stdout.rsplit("\n", 1)
    assessment = json.loads(body)["assessment"]
    assert status == "201"
    # The seed's fields, and the issue every reviewer route returns with an assessment.
    assert set(assessment) == set(SEED_RESPONSE) | {"id", "orgId", "createdAt", "updatedAt", "issue"}
    assert {name: assessment[name] for name in SEED_RESPONSE} == SEED_RESPONSE
    assert assessment["issue"] is None
    assert assessment["orgId"] == "org_seed"


def test_create_get_list_delete_round_trip(api: Api) -> None:
    token = new_token("org_round_trip")

    created = api.request("POST", "/v1/assessments", token, SEED_BODY)
    assessment_id = created.body["assessment"]["id"]
    got = api.request("GET", f"/v1/assessments/{assessment_id}", token)
    listed = api.request("GET", "/v1/assessments", token)
    deleted = api.request("DELETE", f"/v1/assessments/{assessment_id}", token)
    after = api.request("GET", "/v1/assessments", token)

    assert created.status == 201
    assert created.headers["Content-Type"] == "application/json"
    assert got.status == 200
    assert got.body["assessment"] == {**created.body["assessment"], "issue": None}
    assert [item["id"] for item in listed.body["assessments"]] == [assessment_id]
    assert (deleted.status, deleted.body) == (200, {"ok": True, "id": assessment_id})
    assert after.body == {"assessments": [], "nextCursor": None}
    assert api.request("GET", f"/v1/assessments/{assessment_id}", token).status == 404


def test_two_orgs_never_see_each_others_assessments(api: Api) -> None:
    token_a, token_b = new_token("org_iso_a"), new_token("org_iso_b")
    mine = api.request("POST", "/v1/assessments", token_a, SEED_BODY).body["assessment"]
    theirs = api.request("POST", "/v1/assessments", token_b, SEED_BODY).body["assessment"]

    assert [item["id"] for item in api.request("GET", "/v1/assessments", token_a).body["assessments"]] == [mine["id"]]
    assert [item["id"] for item in api.request("GET", "/v1/assessments", token_b).body["assessments"]] == [theirs["id"]]
    assert api.request("GET", f"/v1/assessments/{theirs['id']}", token_a).status == 404
    assert api.request("DELETE", f"/v1/assessments/{theirs['id']}", token_a).status == 404
    assert api.request("GET", f"/v1/assessments/{theirs['id']}", token_b).status == 200


def test_requests_without_valid_credentials_get_the_401_envelope(api: Api) -> None:
    for token in (None, "psk_live_not_a_real_token_at_all_000000000000"):
        result = api.request("GET", "/v1/assessments", token)
        assert result.status == 401
        assert result.body["code"] == "unauthorized"
        assert set(result.body) == {"error", "code", "requestId"}


def test_validation_errors_name_the_field_over_http(api: Api) -> None:
    token = new_token("org_validation")

    result = api.request("POST", "/v1/assessments", token, {**SEED_BODY, "timeLimitMinutes": "120"})

    assert result.status == 400
    assert result.body["details"] == [
        {"path": ["timeLimitMinutes"], "code": "int_type", "message": "Input should be a valid integer"}
    ]
    assert uuid.UUID(result.body["requestId"])


def test_a_body_sent_as_form_data_is_still_read_as_json(api: Api) -> None:
    token = new_token("org_form")

    result = api.request(
        "POST",
        "/v1/assessments",
        token,
        json.dumps(SEED_BODY).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert result.status == 201


def test_oversized_bodies_get_413(api: Api) -> None:
    token = new_token("org_big")

    limit = route("create_assessment").max_body_bytes
    result = api.request("POST", "/v1/assessments", token, {**SEED_BODY, "taskBrief": "x" * limit})

    assert result.status == 413
    assert result.body["code"] == "payload_too_large"


def test_unknown_routes_get_the_404_envelope(api: Api) -> None:
    result = api.request("GET", "/v1/nothing-here", new_token("org_404"))

    assert result.status == 404
    assert result.body["code"] == "not_found"


def test_issue_catalog_over_http(api: Api) -> None:
    token = new_token("org_catalog")

    page = api.request("GET", "/v1/issues?difficulty=hard&limit=50", token)
    one = api.request("GET", f"/v1/issues/{page.body['issues'][0]['id']}", token)

    assert page.status == 200
    assert page.body["issues"]
    assert all(issue["difficulty"] == "hard" for issue in page.body["issues"])
    assert one.body["issue"] == page.body["issues"][0]


def test_the_local_server_serves_the_openapi_document_of_every_route(api: Api) -> None:
    result = api.request("GET", "/v1/openapi.json")

    assert result.status == 200
    assert result.body["openapi"].startswith("3.")
    documented = {(method.upper(), path) for path, item in result.body["paths"].items() for method in item}
    assert {(route.method, route.path) for route in ROUTES} <= documented


def test_a_retried_create_with_an_idempotency_key_answers_the_first_assessment(api: Api) -> None:
    token = new_token("org_retry")
    key = {"Idempotency-Key": str(uuid.uuid4())}

    first = api.request("POST", "/v1/assessments", token, SEED_BODY, headers=key)
    retry = api.request("POST", "/v1/assessments", token, SEED_BODY, headers=key)
    listed = api.request("GET", "/v1/assessments", token)

    assert (first.status, retry.status) == (201, 201)
    assert first.headers["Location"] == f"/v1/assessments/{first.body['assessment']['id']}"
    assert retry.body == first.body
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert len(listed.body["assessments"]) == 1


def test_the_local_server_serves_the_reference_page_without_credentials(api: Api) -> None:
    request = urllib.request.Request(api.base_url + "/v1/docs")
    with urllib.request.urlopen(request, timeout=30) as response:
        status, content_type, page = response.status, response.headers["Content-Type"], response.read().decode()

    assert (status, content_type) == (200, "text/html; charset=utf-8")
    assert "<code>/v1/assessments/{assessment_id}/keys</code>" in page


def test_a_merge_patch_edits_an_assessment_guarded_by_its_etag(api: Api) -> None:
    token = new_token("org_patch_http")
    created = api.request("POST", "/v1/assessments", token, SEED_BODY)
    path = f"/v1/assessments/{created.body['assessment']['id']}"
    merge_patch = {"Content-Type": "application/merge-patch+json"}

    edited = api.request(
        "PATCH", path, token, {"title": "Edited"}, {**merge_patch, "If-Match": created.headers["ETag"]}
    )
    stale = api.request("PATCH", path, token, {"title": "Late"}, {**merge_patch, "If-Match": created.headers["ETag"]})
    read = api.request("GET", path, token)

    assert (edited.status, edited.body["assessment"]["title"]) == (200, "Edited")
    assert (stale.status, stale.body["code"]) == (412, "precondition_failed")
    assert read.headers["ETag"] == edited.headers["ETag"] != created.headers["ETag"]
    assert read.body == edited.body
