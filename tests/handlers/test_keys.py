"""Reviewers generate, list and revoke candidate keys; status is computed as of the read."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest

from shared import clock
from shared.clock import from_timestamp
from tests.conftest import RequestCounter
from tests.support import KEY_FIELDS, ORG_B, call, create_assessment, generate_keys, invoke

pytestmark = pytest.mark.usefixtures("table")


def test_generated_keys_are_pending_one_time_codes_expiring_after_the_assessments_days() -> None:
    assessment = create_assessment(expiresInDays=3)

    keys = generate_keys(assessment["id"], 3)

    assert len(keys) == 3
    assert len({key["key"] for key in keys}) == 3
    for key in keys:
        assert set(key) == KEY_FIELDS
        assert re.fullmatch(r"PST-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", key["key"])
        assert (key["status"], key["orgId"], key["assessmentId"]) == ("pending", "org_a", assessment["id"])
        assert from_timestamp(key["expiresAt"]) - from_timestamp(key["createdAt"]) == timedelta(days=3)
        assert key["sessionId"] is key["redeemedAt"] is key["completedAt"] is None


def test_candidate_emails_and_names_are_positional() -> None:
    assessment = create_assessment()

    keys = generate_keys(
        assessment["id"],
        2,
        candidateEmails=["ada@example.com", "alan@example.org"],
        candidateNames=["Ada", "Alan"],
        orgName="Acme",
    )

    assert [(key["candidateEmail"], key["candidateName"]) for key in keys] == [
        ("ada@example.com", "Ada"),
        ("alan@example.org", "Alan"),
    ]


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"count": 0}, ["count"]),
        ({"count": 51}, ["count"]),
        ({"count": "3"}, ["count"]),
        ({}, ["count"]),
        ({"count": 2, "candidateEmails": ["a@example.com"]}, ["candidateEmails"]),
        ({"count": 2, "candidateEmails": ["a@example.com", "not-an-email"]}, ["candidateEmails", 1]),
        ({"count": 1, "candidateNames": ["Ada"]}, ["candidateNames"]),
        ({"count": 1, "candidateEmails": ["a@example.com"], "candidateNames": ["A", "B"]}, ["candidateNames"]),
        ({"count": 1, "expiresInDays": 3}, ["expiresInDays"]),
    ],
)
def test_generate_rejects_invalid_requests_naming_the_field(body: dict[str, Any], path: list[Any]) -> None:
    assessment = create_assessment()

    status, payload = call("generate_keys", body=body, path={"assessment_id": assessment["id"]})

    assert status == 400
    assert path in [detail["path"] for detail in payload["details"]]


def test_generate_is_not_found_for_unknown_deleted_and_other_orgs_assessments() -> None:
    deleted = create_assessment()
    call("delete_assessment", path={"assessment_id": deleted["id"]})
    theirs = create_assessment(ORG_B)

    for assessment_id in (str(uuid.uuid4()), deleted["id"], theirs["id"], "nope"):
        status, payload = call("generate_keys", body={"count": 1}, path={"assessment_id": assessment_id})
        assert (status, payload["code"]) == (404, "not_found")


def test_list_shows_every_non_revoked_key_in_creation_order() -> None:
    assessment = create_assessment()
    keys = generate_keys(assessment["id"], 3) + generate_keys(assessment["id"], 2)
    call("revoke_key", path={"assessment_id": assessment["id"], "key_id": keys[1]["id"]})

    status, payload = call("list_keys", path={"assessment_id": assessment["id"]})

    assert status == 200
    assert [key["id"] for key in payload["keys"]] == [key["id"] for key in keys if key is not keys[1]]
    assert payload["nextCursor"] is None


def test_order_desc_lists_the_newest_key_first() -> None:
    assessment = create_assessment()
    keys = generate_keys(assessment["id"], 3) + generate_keys(assessment["id"], 2)

    _, payload = call("list_keys", path={"assessment_id": assessment["id"]}, query="order=desc")

    assert [key["id"] for key in payload["keys"]] == [key["id"] for key in reversed(keys)]


def _all_pages(assessment_id: str, query: str) -> tuple[list[str], int]:
    seen: list[str] = []
    cursor = None
    for pages in range(1, 10):
        status, payload = call(
            "list_keys", path={"assessment_id": assessment_id}, query=query + (f"&cursor={cursor}" if cursor else "")
        )
        assert status == 200
        assert len(payload["keys"]) <= 3
        seen += [key["id"] for key in payload["keys"]]
        cursor = payload["nextCursor"]
        if cursor is None:
            return seen, pages
    raise AssertionError("the list never ended")


def test_list_pages_in_creation_order_one_query_a_page_and_one_read_of_the_assessment(
    dynamodb_calls: RequestCounter,
) -> None:
    assessment = create_assessment()
    created = [key["id"] for key in generate_keys(assessment["id"], 7)]
    dynamodb_calls.reset()

    seen, pages = _all_pages(assessment["id"], "limit=3")

    assert seen == created
    # The first page ends before the state record that proves the assessment is the caller's: one GetItem.
    assert dict(dynamodb_calls.calls) == {"Query": pages, "GetItem": 1}


def test_a_list_that_fits_one_page_is_one_query(dynamodb_calls: RequestCounter) -> None:
    assessment = create_assessment()
    generate_keys(assessment["id"], 3)
    dynamodb_calls.reset()

    _, pages = _all_pages(assessment["id"], "limit=3")

    assert (pages, dict(dynamodb_calls.calls)) == (1, {"Query": 1})


def test_newest_first_pages_one_query_a_page(dynamodb_calls: RequestCounter) -> None:
    assessment = create_assessment()
    created = [key["id"] for key in generate_keys(assessment["id"], 7)]
    dynamodb_calls.reset()

    seen, pages = _all_pages(assessment["id"], "limit=3&order=desc")

    assert seen == created[::-1]
    assert dict(dynamodb_calls.calls) == {"Query": pages}


@pytest.mark.parametrize(("order", "after"), [("asc", 0), ("desc", -1)])
def test_a_cursor_into_another_orgs_keys_is_not_found(order: str, after: int) -> None:
    theirs = create_assessment(ORG_B)
    their_keys = generate_keys(theirs["id"], 3, ORG_B)
    cursor = uuid.UUID(their_keys[after]["id"]).hex

    status, _ = call("list_keys", path={"assessment_id": theirs["id"]}, query=f"cursor={cursor}&order={order}")

    assert status == 404


@pytest.mark.parametrize(
    ("query", "path"),
    [("limit=0", ["limit"]), ("limit=1001", ["limit"]), ("cursor=x", ["cursor"]), ("order=newest", ["order"])],
)
def test_list_rejects_bad_paging_parameters(query: str, path: list[str]) -> None:
    assessment = create_assessment()

    status, payload = call("list_keys", path={"assessment_id": assessment["id"]}, query=query)

    assert status == 400
    assert payload["details"][0]["path"] == path


def test_list_is_not_found_for_another_orgs_or_a_deleted_assessment() -> None:
    assessment = create_assessment()
    generate_keys(assessment["id"], 1)

    assert call("list_keys", ORG_B, path={"assessment_id": assessment["id"]})[0] == 404
    call("delete_assessment", path={"assessment_id": assessment["id"]})
    assert call("list_keys", path={"assessment_id": assessment["id"]})[0] == 404


def test_an_unredeemed_key_reads_expired_once_its_time_has_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    assessment = create_assessment(expiresInDays=1)
    [key] = generate_keys(assessment["id"], 1)
    later = from_timestamp(key["expiresAt"]) + timedelta(seconds=1)
    monkeypatch.setattr(clock, "utc_now", lambda: later)

    _, payload = call("list_keys", path={"assessment_id": assessment["id"]})

    assert payload["keys"][0]["status"] == "expired"


def test_revoke_answers_ok_once_then_not_found() -> None:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1)
    path = {"assessment_id": assessment["id"], "key_id": key["id"]}

    assert call("revoke_key", path=path) == (200, {"ok": True, "id": key["id"]})
    assert call("revoke_key", path=path)[0] == 404


def test_revoke_is_not_found_for_unknown_keys_other_assessments_and_other_orgs() -> None:
    assessment, other = create_assessment(), create_assessment()
    [key] = generate_keys(assessment["id"], 1)

    for path, principal in [
        ({"assessment_id": assessment["id"], "key_id": str(uuid.uuid4())}, None),
        ({"assessment_id": other["id"], "key_id": key["id"]}, None),
        ({"assessment_id": assessment["id"], "key_id": key["id"]}, ORG_B),
    ]:
        arguments: dict[str, Any] = {"path": path} if principal is None else {"path": path, "principal": principal}
        assert call("revoke_key", **arguments)[0] == 404
    assert call("list_keys", path={"assessment_id": assessment["id"]})[1]["keys"][0]["status"] == "pending"


def test_generating_fifty_keys_costs_one_read_and_two_transactions(dynamodb_calls: RequestCounter) -> None:
    assessment = create_assessment()
    dynamodb_calls.reset()

    keys = generate_keys(assessment["id"], 50)

    assert len(keys) == 50
    assert dict(dynamodb_calls.calls) == {"GetItem": 1, "TransactWriteItems": 2}


def test_listing_keys_is_one_query(dynamodb_calls: RequestCounter) -> None:
    assessment = create_assessment()
    generate_keys(assessment["id"], 50)
    dynamodb_calls.reset()

    call("list_keys", path={"assessment_id": assessment["id"]})

    assert dict(dynamodb_calls.calls) == {"Query": 1}


def test_a_code_collision_draws_a_new_code_instead_of_failing(monkeypatch: pytest.MonkeyPatch) -> None:
    assessment = create_assessment()
    [existing] = generate_keys(assessment["id"], 1)
    fresh = iter(["PST-AAAA-AAAA", "PST-BBBB-BBBB", "PST-CCCC-CCCC"])
    codes = iter([existing["key"], "PST-ZZZZ-ZZZZ"])
    monkeypatch.setattr("shared.domain.candidate_keys.new_key_code", lambda: next(codes, None) or next(fresh))

    keys = generate_keys(assessment["id"], 2)

    assert [key["key"] for key in keys] == ["PST-AAAA-AAAA", "PST-ZZZZ-ZZZZ"]
    _, listed = call("list_keys", path={"assessment_id": assessment["id"]})
    assert len({key["key"] for key in listed["keys"]}) == 3


def test_generated_keys_are_located_at_the_assessments_key_list() -> None:
    assessment = create_assessment()

    answer = invoke("generate_keys", body={"count": 2}, path={"assessment_id": assessment["id"].upper()})

    assert answer.status == 201
    assert answer.headers["Location"] == f"/v1/assessments/{assessment['id']}/keys"
