"""The audit log: every change a reviewer makes writes one record in the same transaction as the change
(none when the change fails), read newest first a page at a time, by resource or action, each
organisation its own; no record holds a candidate's personal data or a secret."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import boto3
import pytest

from shared import clock, settings
from shared.ids import email_digest
from shared.store.dynamo import deserialize, table_name
from shared.store.schema import TTL_ATTRIBUTE
from tests.conftest import RequestCounter
from tests.handlers.test_results import GOOD_SCORE, create_rubric, scorable, start
from tests.support import (
    ORG_A,
    ORG_B,
    SEED_BODY,
    call,
    candidate_for,
    create_assessment,
    generate_keys,
    invoke,
    new_token,
)

pytestmark = pytest.mark.usefixtures("table")

ADA, ADA_NAME = "ada.lovelace@example.com", "Ada Lovelace"


def records(principal: Any = ORG_A, query: str = "limit=100") -> list[dict[str, Any]]:
    status, payload = call("list_audit", principal, query=query)
    assert status == 200, payload
    return list(payload["records"])


def the_new_record(change: Callable[[], Any]) -> dict[str, Any]:
    """The one record ``change`` wrote (it fails unless there is exactly one)."""
    before = {record["id"] for record in records()}
    change()
    [written] = [record for record in records() if record["id"] not in before]
    return written


# Each change writes one record


def _assessment() -> tuple[str, Callable[[], Any]]:
    return "assessment.create", create_assessment


def _update() -> tuple[str, Callable[[], Any]]:
    assessment = create_assessment()
    return "assessment.update", lambda: invoke(
        "update_assessment", body={"title": "New"}, path={"assessment_id": assessment["id"]}
    )


def _delete() -> tuple[str, Callable[[], Any]]:
    assessment = create_assessment()
    generate_keys(assessment["id"], 2)
    return "assessment.delete", lambda: call("delete_assessment", path={"assessment_id": assessment["id"]})


def _generate() -> tuple[str, Callable[[], Any]]:
    assessment = create_assessment()
    return "keys.generate", lambda: generate_keys(assessment["id"], 40)  # two transactions, one record


def _revoke() -> tuple[str, Callable[[], Any]]:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1)
    return "key.revoke", lambda: call("revoke_key", path={"assessment_id": assessment["id"], "key_id": key["id"]})


def _resend() -> tuple[str, Callable[[], Any]]:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1, candidateEmails=[ADA], sendInvites=False)
    return "key.resend", lambda: call(
        "resend_invitation", path={"assessment_id": assessment["id"], "key_id": key["id"]}
    )


def _extend() -> tuple[str, Callable[[], Any]]:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1)
    session = start(key)
    return "session.extend", lambda: call(
        "extend_session", body={"minutes": 5, "reason": "Outage"}, path={"session_id": session["id"]}
    )


def _score() -> tuple[str, Callable[[], Any]]:
    _, _, session = scorable()
    return "session.score", lambda: call("score_session", body=GOOD_SCORE, path={"session_id": session["id"]})


def _erase() -> tuple[str, Callable[[], Any]]:
    assessment = create_assessment()
    generate_keys(assessment["id"], 2, candidateEmails=[ADA, ADA])
    return "candidate.erase", lambda: call("erase_candidate", body={"email": ADA})


def _erase_nobody() -> tuple[str, Callable[[], Any]]:
    return "candidate.erase", lambda: call("erase_candidate", body={"email": "nobody@example.com"})


def _rubric() -> tuple[str, Callable[[], Any]]:
    return "rubric.create", create_rubric


def _delete_rubric() -> tuple[str, Callable[[], Any]]:
    rubric = create_rubric()
    return "rubric.delete", lambda: call("delete_rubric", path={"rubric_id": rubric["id"]})


def _webhook() -> tuple[str, Callable[[], Any]]:
    return "webhook.create", lambda: call("create_webhook", body={"url": "https://hooks.example.com/"})


def _delete_webhook() -> tuple[str, Callable[[], Any]]:
    webhook = call("create_webhook", body={"url": "https://hooks.example.com/"})[1]["webhook"]
    return "webhook.delete", lambda: call("delete_webhook", path={"webhook_id": webhook["id"]})


def _ping() -> tuple[str, Callable[[], Any]]:
    webhook = call("create_webhook", body={"url": "https://hooks.example.com/"})[1]["webhook"]
    return "webhook.test", lambda: call("test_webhook", path={"webhook_id": webhook["id"]})


# The actions whose resource is not the one their name starts with.
RESOURCE_OF = {"keys.generate": "assessment"}
CHANGES = [
    _assessment,
    _update,
    _delete,
    _generate,
    _revoke,
    _resend,
    _extend,
    _score,
    _erase,
    _erase_nobody,
    _rubric,
    _delete_rubric,
    _webhook,
    _delete_webhook,
    _ping,
]


@pytest.mark.usefixtures("delivery_queue")
@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__.strip("_"))
def test_each_change_writes_exactly_one_record_naming_the_token_and_the_request(
    change: Callable[[], tuple[str, Callable[[], Any]]],
) -> None:
    action, make = change()

    record = the_new_record(make)

    assert record["action"] == action
    assert record["actor"] == {"type": "token", "id": ORG_A.token_id, "name": ORG_A.token_name}
    assert record["requestId"] == "test-request"
    assert record["at"].endswith("Z")
    assert record["resource"]["type"] == RESOURCE_OF.get(action, action.partition(".")[0])


def test_a_record_names_the_resource_and_the_fields_a_change_set() -> None:
    created = the_new_record(lambda: create_assessment(timeLimitMinutes=None, repoUrl="https://github.com/a/b"))
    edited = the_new_record(
        lambda: invoke(
            "update_assessment",
            body={"title": "New", "role": SEED_BODY["role"], "timeLimitMinutes": 30},
            path={"assessment_id": created["resource"]["id"]},
        )
    )

    assert created["resource"]["type"] == "assessment"
    assert created["changes"] == ["title", "role", "taskBrief", "repoUrl", "expiresInDays"]
    assert edited["resource"] == created["resource"]
    assert edited["changes"] == ["title", "timeLimitMinutes"]  # the role was sent unchanged


def test_an_erasure_is_recorded_by_the_emails_digest_never_the_email() -> None:
    assessment = create_assessment()
    generate_keys(assessment["id"], 1, candidateEmails=[ADA], candidateNames=[ADA_NAME])

    record = the_new_record(lambda: call("erase_candidate", body={"email": ADA.upper()}))

    assert record["resource"] == {"type": "candidate", "id": email_digest(ADA)}
    assert ADA not in json.dumps(record)


# A failed change writes none


def _revoke_finished() -> Callable[[], Any]:
    _, key, _ = scorable()
    return lambda: call("revoke_key", path={"assessment_id": key["assessmentId"], "key_id": key["id"]})


def _score_running() -> Callable[[], Any]:
    assessment = create_assessment(rubricId=create_rubric()["id"])
    [key] = generate_keys(assessment["id"], 1)
    session = start(key)
    return lambda: call("score_session", body=GOOD_SCORE, path={"session_id": session["id"]})


def _edit_with_unknown_rubric() -> Callable[[], Any]:
    assessment = create_assessment()
    body = {"title": "New", "rubricId": "0195f3a0-7e6d-7c5b-9a48-3f2e1d0c9b8a"}
    return lambda: call("update_assessment", body=body, path={"assessment_id": assessment["id"]})


def _edit_a_changed_version() -> Callable[[], Any]:
    assessment = create_assessment()
    path, stale = {"assessment_id": assessment["id"]}, [("If-Match", '"9"')]
    return lambda: invoke("update_assessment", body={"title": "x"}, path=path, headers=stale).status


def _delete_a_linked_rubric() -> Callable[[], Any]:
    rubric = create_rubric()
    create_assessment(rubricId=rubric["id"])
    return lambda: call("delete_rubric", path={"rubric_id": rubric["id"]})


def _keys_for_a_deleted_assessment() -> Callable[[], Any]:
    assessment = create_assessment()
    call("delete_assessment", path={"assessment_id": assessment["id"]})
    return lambda: call("generate_keys", body={"count": 1}, path={"assessment_id": assessment["id"]})


def _extend_a_completed_session() -> Callable[[], Any]:
    _, _, session = scorable()
    return lambda: call("extend_session", body={"minutes": 5, "reason": "x"}, path={"session_id": session["id"]})


def _resend_while_queued() -> Callable[[], Any]:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1, candidateEmails=[ADA])  # its invitation still queued
    return lambda: call("resend_invitation", path={"assessment_id": assessment["id"], "key_id": key["id"]})


def _delete_a_deleted_assessment() -> Callable[[], Any]:
    assessment = create_assessment()
    call("delete_assessment", path={"assessment_id": assessment["id"]})
    return lambda: call("delete_assessment", path={"assessment_id": assessment["id"]})


FAILURES = [
    _revoke_finished,
    _score_running,
    _edit_with_unknown_rubric,
    _edit_a_changed_version,
    _delete_a_linked_rubric,
    _keys_for_a_deleted_assessment,
    _extend_a_completed_session,
    _resend_while_queued,
    _delete_a_deleted_assessment,
]


@pytest.mark.parametrize("failure", FAILURES, ids=lambda failure: failure.__name__.strip("_"))
def test_a_change_that_fails_writes_no_record(failure: Callable[[], Callable[[], Any]]) -> None:
    fail = failure()
    before = records()

    answer = fail()

    status = answer if isinstance(answer, int) else answer[0]
    assert status >= 400
    assert records() == before


# Reading the log


def test_records_page_newest_first_with_a_cursor() -> None:
    assessment = create_assessment()
    for title in ("Two", "Three", "Four", "Five"):
        invoke("update_assessment", body={"title": title}, path={"assessment_id": assessment["id"]})
    everything = records()

    pages, cursor = [], ""
    while True:
        _, page = call("list_audit", query=f"limit=2{cursor}")
        pages.append(page["records"])
        if page["nextCursor"] is None:
            break
        cursor = f"&cursor={page['nextCursor']}"

    assert [record["action"] for record in everything] == ["assessment.update"] * 4 + ["assessment.create"]
    assert [record["at"] for record in everything] == sorted((record["at"] for record in everything), reverse=True)
    assert [record for page in pages for record in page] == everything
    assert all(len(page) <= 2 for page in pages)


def test_a_resource_filter_reads_that_resources_records_only() -> None:
    assessment, other = create_assessment(), create_assessment()
    [key] = generate_keys(assessment["id"], 1)
    call("revoke_key", path={"assessment_id": assessment["id"], "key_id": key["id"]})
    invoke("update_assessment", body={"title": "New"}, path={"assessment_id": assessment["id"]})
    invoke("update_assessment", body={"title": "Other"}, path={"assessment_id": other["id"]})

    of_assessment = records(query=f"resource=assessment:{assessment['id'].upper()}")
    of_key = records(query=f"resource=key:{key['id']}")

    assert [record["action"] for record in of_assessment] == ["assessment.update", "keys.generate", "assessment.create"]
    assert {record["resource"]["id"] for record in of_assessment} == {assessment["id"]}
    assert [record["action"] for record in of_key] == ["key.revoke"]


def test_an_action_filter_reads_that_actions_records_only() -> None:
    first, second = create_assessment(), create_assessment()
    for assessment in (first, second):
        invoke("update_assessment", body={"title": "New"}, path={"assessment_id": assessment["id"]})

    updates = records(query="action=assessment.update")
    of_first = records(query=f"action=assessment.update&resource=assessment:{first['id']}")

    assert [record["resource"]["id"] for record in updates] == [second["id"], first["id"]]
    assert [(record["action"], record["resource"]["id"]) for record in of_first] == [("assessment.update", first["id"])]


def test_an_erasure_is_found_by_the_digest_of_the_email() -> None:
    call("erase_candidate", body={"email": ADA})

    found = records(query=f"resource=candidate:{email_digest(ADA).upper()}")

    assert [record["action"] for record in found] == ["candidate.erase"]


@pytest.mark.parametrize(
    "query",
    [
        "resource=assessment",
        "resource=song:1",
        "resource=key:not-a-uuid",
        "resource=candidate:ada@example.com",
        "action=assessment.rename",
        "limit=101",
    ],
)
def test_a_filter_the_log_cannot_answer_is_refused_naming_it(query: str) -> None:
    status, payload = call("list_audit", query=query)

    assert (status, payload["code"]) == (400, "validation_error")
    assert payload["details"][0]["path"] == [query.partition("=")[0]]


def test_an_organisation_reads_its_own_records_and_never_anothers() -> None:
    mine = create_assessment()
    create_assessment(ORG_B)

    theirs = records(ORG_B)
    probing = records(ORG_B, query=f"resource=assessment:{mine['id']}")

    assert {record["resource"]["id"] for record in records()} == {mine["id"]}
    assert mine["id"] not in {record["resource"]["id"] for record in theirs}
    assert len(theirs) == 1
    assert probing == []


def test_a_page_is_one_query_whatever_the_filter(dynamodb_calls: RequestCounter) -> None:
    assessment = create_assessment()
    for query in ("", f"resource=assessment:{assessment['id']}", "action=assessment.create"):
        dynamodb_calls.reset()
        records(query=query or "limit=10")
        assert dict(dynamodb_calls.calls) == {"Query": 1}


def test_records_expire_400_days_after_the_change() -> None:
    record = the_new_record(create_assessment)

    [item] = _audit_items()

    assert item[TTL_ATTRIBUTE] == int((clock.from_timestamp(record["at"]) + timedelta(days=400)).timestamp())


# No personal data, no secret


def _audit_items() -> list[dict[str, Any]]:
    scanned = boto3.client("dynamodb").scan(TableName=table_name())["Items"]
    return [item for item in map(deserialize, scanned) if str(item["PK"]).startswith("AUDIT#")]


@pytest.mark.usefixtures("delivery_queue")
def test_no_record_holds_a_candidates_personal_data_or_a_secret_after_a_whole_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(settings.LOCAL_LOOPBACK_VARIABLE, "1")
    token = new_token("org_a")
    rubric = create_rubric()
    assessment = create_assessment(rubricId=rubric["id"], timeLimitMinutes=60)
    keys = generate_keys(
        assessment["id"],
        2,
        candidateEmails=[ADA, "alan.turing@example.org"],
        candidateNames=[ADA_NAME, "Alan Turing"],
        sendInvites=False,
    )
    call("resend_invitation", path={"assessment_id": assessment["id"], "key_id": keys[1]["id"]})
    session = start(keys[0])
    reason = "Agreed with Ada Lovelace after her dyslexia assessment"
    call("extend_session", body={"minutes": 30, "reason": reason}, path={"session_id": session["id"]})
    notes = "My phone is +44 20 7946 0000"
    call("complete_session", candidate_for(keys[0]), body={"notes": notes}, path={"session_id": session["id"]})
    call("score_session", body=GOOD_SCORE, path={"session_id": session["id"]})
    hook = call("create_webhook", body={"url": "https://hooks.example.com/in?token=s3cr3t"})[1]
    call("test_webhook", path={"webhook_id": hook["webhook"]["id"]})
    invoke("update_assessment", body={"taskBrief": "New brief"}, path={"assessment_id": assessment["id"]})
    call("erase_candidate", body={"email": ADA})
    call("delete_assessment", path={"assessment_id": assessment["id"]})

    written = [json.dumps(item, default=str) for item in _audit_items()]

    assert len(written) == 12  # every change above, the token's creation included
    forbidden = [
        ADA,
        ADA_NAME,
        "alan.turing@example.org",
        "Alan Turing",
        reason,
        "dyslexia",
        notes,
        hook["secret"],
        "s3cr3t",
        token,
        *(key["key"] for key in keys),
    ]
    assert [(text, item) for text in forbidden for item in written if text in item] == []
