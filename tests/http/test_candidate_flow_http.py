"""Candidate keys end to end through the local server: reviewer generates, candidate redeems and completes."""

from __future__ import annotations

from tests.http.conftest import Api
from tests.support import SEED_BODY, new_token


def test_a_candidate_starts_resumes_and_completes_with_a_typed_key(api: Api) -> None:
    token = new_token("org_flow")
    assessment = api.request("POST", "/v1/assessments", token, SEED_BODY).body["assessment"]
    generated = api.request(
        "POST",
        f"/v1/assessments/{assessment['id']}/keys",
        token,
        {"count": 2, "candidateEmails": ["ada@example.com", "alan@example.com"]},
    )
    assert generated.status == 201
    key = generated.body["keys"][0]
    typed = {"X-API-Key": f"  {key['key'].lower()}  "}

    started = api.request("POST", "/v1/sessions", headers=typed)
    resumed = api.request("POST", "/v1/sessions", headers=typed)
    brief = api.request("GET", f"/v1/assessments/{assessment['id']}", headers=typed)
    completed = api.request("POST", f"/v1/sessions/{started.body['session']['id']}/complete", headers=typed)
    keys = api.request("GET", f"/v1/assessments/{assessment['id']}/keys", token)

    assert started.status == 201
    assert started.body["assessment"]["taskBrief"] == SEED_BODY["taskBrief"]
    assert (resumed.status, resumed.body) == (200, started.body)
    assert brief.status == 200
    assert completed.status == 200
    assert [item["status"] for item in keys.body["keys"]] == ["pending", "completed"]  # newest first
    assert api.request("POST", "/v1/sessions", headers=typed).body["code"] == "session_completed"


def test_unknown_or_missing_keys_are_401_and_deleted_assessments_lock_pending_keys(api: Api) -> None:
    token = new_token("org_flow_delete")
    assessment = api.request("POST", "/v1/assessments", token, SEED_BODY).body["assessment"]
    [key] = api.request("POST", f"/v1/assessments/{assessment['id']}/keys", token, {"count": 1}).body["keys"]

    missing = api.request("POST", "/v1/sessions")
    unknown = api.request("POST", "/v1/sessions", headers={"X-API-Key": "PST-0000-0000"})
    api.request("DELETE", f"/v1/assessments/{assessment['id']}", token)
    locked = api.request("POST", "/v1/sessions", headers={"X-API-Key": key["key"]})

    assert (missing.status, missing.body["code"]) == (401, "unauthorized")
    assert (unknown.status, unknown.body["code"]) == (401, "unauthorized")
    assert (locked.status, locked.body["code"]) == (403, "key_revoked")


def test_a_key_opens_only_its_own_assessment_and_no_reviewer_route(api: Api) -> None:
    token = new_token("org_flow_scope")
    mine = api.request("POST", "/v1/assessments", token, SEED_BODY).body["assessment"]
    other = api.request("POST", "/v1/assessments", token, SEED_BODY).body["assessment"]
    [key] = api.request("POST", f"/v1/assessments/{mine['id']}/keys", token, {"count": 1}).body["keys"]
    as_candidate = {"X-API-Key": key["key"]}

    assert api.request("GET", f"/v1/assessments/{other['id']}", headers=as_candidate).status == 404
    assert api.request("GET", "/v1/assessments", headers=as_candidate).status == 401
    assert api.request("GET", f"/v1/assessments/{mine['id']}/keys", headers=as_candidate).status == 401
