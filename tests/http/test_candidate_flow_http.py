"""Candidate keys end to end through the local server: reviewer generates, candidate redeems and completes,
reviewer lists and scores the results, which outlive the assessment."""

from __future__ import annotations

from tests.http.conftest import Api
from tests.support import SEED_BODY, new_token

EMAILS = ["ada@example.com", "alan@example.com"]
SUBMISSION = {"submissionUrl": "https://github.com/ada/webhooks/pull/1", "notes": "Dedup by event id; see the PR."}
SCORE = {
    "criteria": [{"name": "correctness", "score": 80}, {"name": "Tests", "score": 90.5}],
    "comment": "Solid dedup, thin tests.",
}


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
    assert resumed.status == 200
    # The same session, bar the seconds left, which may have ticked between the two calls.
    without_clock = [{**body["session"], "remainingSeconds": None} for body in (resumed.body, started.body)]
    assert without_clock[0] == without_clock[1]
    assert resumed.body["assessment"] == started.body["assessment"]
    assert brief.status == 200
    assert completed.status == 200
    assert [item["status"] for item in keys.body["keys"]] == ["completed", "pending"]  # creation order
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


def test_from_rubric_to_a_scored_result_that_outlives_the_assessment(api: Api) -> None:
    token = new_token("org_results")
    rubric_body = {
        "name": "Backend",
        "criteria": [{"name": "Correctness", "weight": 3}, {"name": "Tests", "weight": 1}],
    }
    rubric = api.request("POST", "/v1/rubrics", token, rubric_body).body["rubric"]
    created = api.request("POST", "/v1/assessments", token, {**SEED_BODY, "rubricId": rubric["id"]})
    assessment = created.body["assessment"]
    keys = api.request(
        "POST", f"/v1/assessments/{assessment['id']}/keys", token, {"count": 2, "candidateEmails": EMAILS}
    ).body["keys"]
    ada, alan = ({"X-API-Key": key["key"]} for key in keys)

    preview = api.request("GET", f"/v1/assessments/{assessment['id']}", headers=ada)
    started = api.request("POST", "/v1/sessions", headers=ada).body["session"]
    mine = api.request("GET", f"/v1/sessions/{started['id']}", headers=ada)
    completed = api.request("POST", f"/v1/sessions/{started['id']}/complete", body=SUBMISSION, headers=ada)
    other = api.request("POST", "/v1/sessions", headers=alan).body["session"]
    bare = api.request("POST", f"/v1/sessions/{other['id']}/complete", headers=alan)

    assert (created.status, preview.status, preview.body["assessment"]["taskBrief"]) == (201, 200, None)
    assert mine.status == 200
    assert mine.body["session"]["deadline"] is not None
    assert 0 < mine.body["session"]["remainingSeconds"] <= 120 * 60
    assert completed.status == 200
    assert completed.body["session"]["submission"] == {"url": SUBMISSION["submissionUrl"], "notes": SUBMISSION["notes"]}
    assert (bare.status, bare.body["session"]["submission"]) == (200, None)

    listed = api.request("GET", f"/v1/assessments/{assessment['id']}/sessions?limit=1", token)
    rest = api.request(
        "GET", f"/v1/assessments/{assessment['id']}/sessions?limit=1&cursor={listed.body['nextCursor']}", token
    )
    scored = api.request("PUT", f"/v1/sessions/{started['id']}/score", token, SCORE)
    as_candidate = api.request("GET", f"/v1/sessions/{started['id']}", headers=ada)

    assert [page.status for page in (listed, rest)] == [200, 200]
    assert [item["id"] for item in listed.body["sessions"] + rest.body["sessions"]] == [started["id"], other["id"]]
    assert rest.body["nextCursor"] is None
    assert listed.body["sessions"][0]["candidateEmail"] == EMAILS[0]
    assert scored.status == 200
    result = scored.body["session"]
    assert (result["status"], result["score"]["totalScore"], result["score"]["comment"]) == (
        "completed",
        82.63,
        SCORE["comment"],
    )
    assert "score" not in as_candidate.body["session"]

    assert api.request("DELETE", f"/v1/assessments/{assessment['id']}", token).status == 200
    assert api.request("DELETE", f"/v1/rubrics/{rubric['id']}", token).status == 200
    assert api.request("GET", f"/v1/assessments/{assessment['id']}", token).status == 404

    after = api.request("GET", f"/v1/sessions/{started['id']}", token)
    listed_after = api.request("GET", f"/v1/assessments/{assessment['id']}/sessions", token)
    rescored = api.request("PUT", f"/v1/sessions/{other['id']}/score", token, SCORE)
    elsewhere = api.request("GET", f"/v1/sessions/{started['id']}", new_token("org_results_other"))
    assert (after.status, after.body) == (200, scored.body)
    assert {**listed_after.body["sessions"][0], "percentiles": None} == {**result, "percentiles": None}
    assert (rescored.status, rescored.body["session"]["score"]["totalScore"]) == (200, 82.63)
    assert (elsewhere.status, elsewhere.body["code"]) == (404, "not_found")
