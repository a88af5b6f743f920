"""The session report and its share links, each function against moto: the page and its headers, what
each route costs in DynamoDB requests, a link's life (made, opened without a credential, listed,
revoked, expired), tokens kept and logged nowhere in clear, and what an erasure leaves on the page."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from datetime import timedelta
from typing import Any

import pytest

from infra.local.gateway import proxy_event
from shared import clock
from shared.auth import principal_to_context
from shared.observability import logger
from shared.reports.render import CONTENT_SECURITY_POLICY
from shared.routes import route
from shared.store import dynamo
from shared.store.schema import TTL_ATTRIBUTE
from tests.conftest import RequestCounter
from tests.handlers.test_results import GOOD_SCORE, FrozenClock, complete, create_rubric, start
from tests.support import (
    ORG_A,
    ORG_B,
    Answer,
    call,
    candidate_for,
    create_assessment,
    generate_keys,
    instant,
    invoke,
    run,
)

pytestmark = pytest.mark.usefixtures("table")

HOST = [("Host", "api.example.com")]
PROMPT = "Add a dedup table keyed by event id, please"
NOTES = "Dedup by event id; see the PR"


def an_event(second: int, event_type: str, **data: Any) -> dict[str, Any]:
    """An event of a session started just now, ``second`` seconds into it."""
    return {"id": str(uuid.uuid4()), "type": event_type, "at": instant(second), "source": "hook", "data": data}


def a_scored_session(principal: Any = ORG_A) -> dict[str, Any]:
    """Ada's session with a prompt, a test run and a decision, completed with notes and scored."""
    assessment = create_assessment(principal, rubricId=create_rubric(principal)["id"])
    [key] = generate_keys(
        assessment["id"], 1, principal, candidateEmails=["ada@example.com"], candidateNames=["Ada Lovelace"]
    )
    session = start(key)
    events = [
        an_event(1, "prompt", text=PROMPT),
        an_event(2, "test_run", passed=False, command="pytest -q"),
        an_event(3, "decision", title="Conditional put on the event id"),
    ]
    assert call("ingest_events", candidate_for(key), body={"events": events}, path={"session_id": session["id"]})[0]
    assert complete(key, session["id"], {"notes": NOTES})[0] == 200
    assert call("score_session", principal, body=GOOD_SCORE, path={"session_id": session["id"]})[0] == 200
    return session


def report(session_id: str, principal: Any = ORG_A) -> Answer:
    return invoke("get_report", principal, path={"session_id": session_id})


def share(session_id: str, principal: Any = ORG_A, body: Any = None, headers: list[tuple[str, str]] = HOST) -> Answer:
    return invoke("create_share", principal, body=body, path={"session_id": session_id}, headers=headers)


def shared_page(token: str) -> Answer:
    return invoke("get_shared_report", None, path={"token": token})


def token_of(answer: Answer) -> str:
    url = answer.body["url"]
    assert url.startswith("http://api.example.com/v1/reports/")
    return str(url.rsplit("/", 1)[1])


def listed(session_id: str, principal: Any = ORG_A) -> Answer:
    return invoke("list_shares", principal, path={"session_id": session_id})


def revoke(session_id: str, share_id: str, principal: Any = ORG_A) -> Answer:
    return invoke("revoke_share", principal, path={"session_id": session_id, "share_id": share_id})


def table_text() -> str:
    """Every item of the table, as text."""
    items = dynamo.client().scan(TableName=dynamo.table_name())["Items"]
    return json.dumps(items)


def is_not_found(answer: Answer) -> bool:
    return (
        answer.status == 404
        and set(answer.body) == {"error", "code", "requestId"}
        and answer.body["code"] == ("not_found")
    )


# The reviewer's report


def test_a_reviewer_reads_the_report_as_one_page_with_the_headers_that_keep_it_inert() -> None:
    session = a_scored_session()

    page = report(session["id"])

    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert CONTENT_SECURITY_POLICY == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "X-Robots-Tag" not in page.headers
    assert page.body.startswith("<!DOCTYPE html>")
    for shown in (session["candidateEmail"] or "", PROMPT, NOTES, "Conditional put on the event id", "82.63"):
        assert shown in page.body


def test_the_report_reads_the_session_the_assessment_the_cohort_and_the_timeline_once_each(
    dynamodb_calls: RequestCounter,
) -> None:
    session = a_scored_session()
    dynamodb_calls.reset()

    assert report(session["id"]).status == 200

    assert dynamodb_calls.calls == {"GetItem": 2, "Query": 2}


def test_another_organisations_or_an_unknown_sessions_report_is_not_found_in_the_error_envelope() -> None:
    session = a_scored_session()

    assert is_not_found(report(session["id"], ORG_B))
    assert is_not_found(report(str(uuid.uuid4())))
    assert is_not_found(report("not-a-uuid"))
    assert report(session["id"], None).status == 401


# Share links


def test_a_link_is_made_once_and_opens_the_report_without_a_credential_or_the_email() -> None:
    session = a_scored_session()

    created = share(session["id"])
    page = shared_page(token_of(created))

    assert created.status == 201
    assert set(created.body) == {"id", "url", "expiresAt"}
    assert created.headers["Location"] == f"/v1/sessions/{session['id']}/shares/{created.body['id']}"
    assert page.status == 200
    assert page.headers["X-Robots-Tag"] == "noindex"
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["Cache-Control"] == "private, no-store"
    assert session["candidateName"] in page.body
    assert session["candidateEmail"] not in page.body
    assert "org_a" not in page.body


def test_a_link_names_the_host_and_stage_the_reviewer_called() -> None:
    session = a_scored_session()
    path = f"/v1/sessions/{session['id']}/share"
    event = proxy_event(
        route("create_share"),
        method="POST",
        path=path,
        query="",
        headers=[("X-Forwarded-Proto", "https")],
        body=b"",
        path_parameters={"session_id": session["id"]},
        request_id="stage",
        source_ip="192.0.2.1",
    )
    event["headers"]["X-Forwarded-Proto"] = "https"  # as API Gateway sends it
    event["requestContext"] |= {"domainName": "abc123.execute-api.eu-west-1.amazonaws.com", "path": f"/prod{path}"}
    event["requestContext"]["authorizer"] = {**principal_to_context(ORG_A), "principalId": "x"}

    answer = run("create_share", event)

    url = json.loads(answer["body"])["url"]
    assert url.startswith("https://abc123.execute-api.eu-west-1.amazonaws.com/prod/v1/reports/")


def test_a_link_lasts_30_days_by_default_and_1_to_90_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    frozen = FrozenClock(monkeypatch)
    session = a_scored_session()

    default, longest = share(session["id"]), share(session["id"], body={"expiresInDays": 90})

    assert default.body["expiresAt"] == clock.to_timestamp(frozen.now + timedelta(days=30))
    assert longest.body["expiresAt"] == clock.to_timestamp(frozen.now + timedelta(days=90))
    for refused in (0, 91, "30", 1.5, None):
        answer = share(session["id"], body={"expiresInDays": refused})
        assert answer.status == 400, refused
        assert answer.body["details"][0]["path"] == ["expiresInDays"]
    assert share(session["id"], body={"expires": 3}).status == 400


def test_the_list_shows_each_live_link_and_never_its_token_or_hash() -> None:
    session = a_scored_session()
    made = [share(session["id"]) for _ in range(2)]

    answer = listed(session["id"])

    assert answer.status == 200
    assert [entry["id"] for entry in answer.body["shares"]] == [created.body["id"] for created in made]
    assert set(answer.body["shares"][0]) == {"id", "sessionId", "createdAt", "expiresAt", "webhookId"}
    text = json.dumps(answer.body)
    for created in made:
        token = token_of(created)
        assert token not in text
        assert hashlib.sha256(token.encode()).hexdigest() not in text


def test_a_revoked_link_is_not_found_at_once_and_leaves_the_others() -> None:
    session = a_scored_session()
    revoked, kept = share(session["id"]), share(session["id"])

    answer = revoke(session["id"], revoked.body["id"])

    assert (answer.status, answer.body) == (200, {"ok": True, "id": revoked.body["id"]})
    assert is_not_found(shared_page(token_of(revoked)))
    assert shared_page(token_of(kept)).status == 200
    assert [entry["id"] for entry in listed(session["id"]).body["shares"]] == [kept.body["id"]]
    assert is_not_found(revoke(session["id"], revoked.body["id"]))


def test_a_link_carries_the_tables_ttl_at_its_expiry_and_is_refused_once_past_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frozen = FrozenClock(monkeypatch)
    session = a_scored_session()
    created = share(session["id"], body={"expiresInDays": 1})
    expiry = int(clock.from_timestamp(created.body["expiresAt"]).timestamp())

    items = dynamo.client().scan(TableName=dynamo.table_name())["Items"]
    share_items = [item for item in items if item["PK"]["S"].startswith(("SHARE#", "SHARES#"))]
    assert [int(item[TTL_ATTRIBUTE]["N"]) for item in share_items] == [expiry, expiry]

    frozen.advance(days=1)  # DynamoDB's TTL deletes within days: the expiry is checked when read
    assert is_not_found(shared_page(token_of(created)))
    assert listed(session["id"]).body["shares"] == []
    assert is_not_found(revoke(session["id"], created.body["id"]))


def test_another_organisations_session_cannot_be_shared_listed_or_revoked() -> None:
    session = a_scored_session()
    created = share(session["id"])

    assert is_not_found(share(session["id"], ORG_B))
    assert is_not_found(listed(session["id"], ORG_B))
    assert is_not_found(revoke(session["id"], created.body["id"], ORG_B))
    assert shared_page(token_of(created)).status == 200
    assert share(session["id"], None).status == 401


def test_a_forged_token_costs_one_read_and_a_malformed_one_none(dynamodb_calls: RequestCounter) -> None:
    session = a_scored_session()
    token = token_of(share(session["id"]))
    forged = ("A" if token[0] != "A" else "B") + token[1:]
    dynamodb_calls.reset()

    assert is_not_found(shared_page(forged))
    assert dynamodb_calls.calls == {"GetItem": 1}
    dynamodb_calls.reset()
    for junk in ("x", token + "A", token[:-1] + "=", "%2e%2e", "A" * 500):
        assert is_not_found(shared_page(junk))
    assert dynamodb_calls.total == 0


def test_each_share_route_costs_what_it_must(dynamodb_calls: RequestCounter) -> None:
    session = a_scored_session()
    counts = {}

    def counted(name: str, answer: Answer) -> Answer:
        counts[name] = dict(dynamodb_calls.calls)
        dynamodb_calls.reset()
        return answer

    dynamodb_calls.reset()
    created = counted("create", share(session["id"]))
    counted("list", listed(session["id"]))
    counted("open", shared_page(token_of(created)))
    counted("revoke", revoke(session["id"], created.body["id"]))

    assert counts == {
        "create": {"GetItem": 1, "TransactWriteItems": 1},
        "list": {"GetItem": 1, "Query": 1},
        "open": {"GetItem": 3, "Query": 2},  # the link, then what the reviewer's report reads
        "revoke": {"GetItem": 1, "TransactWriteItems": 1},
    }


def test_the_token_is_stored_nowhere_in_clear_not_even_for_an_idempotency_key() -> None:
    session = a_scored_session()
    key = [*HOST, ("Idempotency-Key", "share-1")]

    first = share(session["id"], headers=key)
    replay = share(session["id"], headers=key)

    token = token_of(first)
    text = table_text()
    assert token not in text
    assert hashlib.sha256(token.encode()).hexdigest() in text
    assert replay.status == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.body == {**first.body, "url": None}  # the same link, its token not kept to show again
    assert len(listed(session["id"]).body["shares"]) == 1


def test_the_token_is_never_logged_even_at_debug(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    session = a_scored_session()
    caplog.set_level(logging.DEBUG)
    previous = logger.log_level
    logger.setLevel(logging.DEBUG)
    try:
        created = share(session["id"], headers=[*HOST, ("Idempotency-Key", "logged?")])
        token = token_of(created)
        assert shared_page(token).status == 200
        listed(session["id"])
        revoke(session["id"], created.body["id"])
        assert is_not_found(shared_page(token))
    finally:
        logger.setLevel(previous)

    captured = capsys.readouterr()
    assert "Refused" in caplog.text  # the function logged: its lines are in what is searched
    for text in (caplog.text, captured.out, captured.err):
        assert token not in text


# Erasure


def test_after_an_erasure_the_report_and_every_live_link_show_no_name_email_prompt_or_notes() -> None:
    session = a_scored_session()
    token = token_of(share(session["id"]))
    assert call("erase_candidate", body={"email": session["candidateEmail"]})[0] == 200

    for page in (report(session["id"]), shared_page(token)):
        assert page.status == 200
        for gone in (session["candidateName"], session["candidateEmail"], PROMPT, NOTES):
            assert gone not in page.body
        assert "Session report: erased candidate" in page.body


# Webhooks that ask for report links


def test_a_webhook_takes_report_links_only_when_asked_and_shows_it() -> None:
    plain = call("create_webhook", body={"url": "https://hooks.example.com/a"})[1]["webhook"]
    sharing = call("create_webhook", body={"url": "https://hooks.example.com/b", "shareReports": True})[1]["webhook"]

    assert (plain["shareReports"], sharing["shareReports"]) == (False, True)
    assert call("get_webhook", path={"webhook_id": sharing["id"]})[1]["webhook"]["shareReports"] is True
    refused = call("create_webhook", body={"url": "https://hooks.example.com/c", "shareReports": "yes"})
    assert refused[0] == 400
    assert refused[1]["details"][0]["path"] == ["shareReports"]
