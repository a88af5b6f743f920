"""Deleting an assessment deactivates its unused keys atomically, under concurrency and faults,
while sessions in progress go on."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from shared.domain.assessments import delete_assessment
from shared.domain.candidate_keys import generate_keys as generate_keys_for
from shared.domain.candidate_keys import revoke_key
from shared.domain.sessions import start_session
from shared.errors import ConflictError, DomainError, NotFoundError
from shared.models.candidate_keys import GenerateKeysRequest
from shared.store import dynamo
from shared.store.assessments import AssessmentStore
from shared.store.candidate_keys import CandidateKeyStore
from shared.store.cascade import AssessmentDeletion
from shared.store.sessions import SessionStore
from tests.conftest import RequestCounter
from tests.support import AUDIT_A, ORG_A, call, candidate_for, create_assessment, generate_keys

pytestmark = pytest.mark.usefixtures("table")


def many_keys(assessment_id: str, count: int) -> list[dict[str, Any]]:
    keys: list[dict[str, Any]] = []
    while len(keys) < count:
        keys += generate_keys(assessment_id, min(50, count - len(keys)))
    return keys


def stored_statuses(assessment_id: str) -> dict[str, str]:
    return {key.id: key.status for key in CandidateKeyStore().read_partition(assessment_id)[1]}


def test_delete_revokes_pending_keys_and_leaves_sessions_alone() -> None:
    assessment = create_assessment()
    keys = many_keys(assessment["id"], 255)
    pending, in_progress, finished = keys[:250], keys[250:253], keys[253:]
    sessions = {key["id"]: call("start_session", candidate_for(key))[1]["session"] for key in in_progress + finished}
    for key in finished:
        call("complete_session", candidate_for(key), path={"session_id": sessions[key["id"]]["id"]})

    assert call("delete_assessment", path={"assessment_id": assessment["id"]})[0] == 200

    statuses = stored_statuses(assessment["id"])
    assert [statuses[key["id"]] for key in pending] == ["revoked"] * 250
    assert [statuses[key["id"]] for key in finished] == ["completed"] * 2
    assert [call("start_session", candidate_for(key))[0] for key in pending] == [403] * 250
    for key in in_progress:
        status, resumed = call("start_session", candidate_for(key))
        assert (status, resumed["session"]["id"]) == (200, sessions[key["id"]]["id"])
        assert resumed["session"]["status"] == "in_progress"
        assert resumed["assessment"]["taskBrief"] == assessment["taskBrief"]
        status, _ = call("complete_session", candidate_for(key), path={"session_id": sessions[key["id"]]["id"]})
        assert status == 200


def test_delete_with_97_pending_keys_is_one_read_one_query_one_transaction(dynamodb_calls: RequestCounter) -> None:
    assessment = create_assessment()
    many_keys(assessment["id"], 97)
    dynamodb_calls.reset()

    assert call("delete_assessment", path={"assessment_id": assessment["id"]})[0] == 200

    assert dict(dynamodb_calls.calls) == {"GetItem": 1, "Query": 1, "TransactWriteItems": 1}
    assert set(stored_statuses(assessment["id"]).values()) == {"revoked"}


def test_a_failure_between_cascade_chunks_leaves_no_key_able_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    assessment = create_assessment()
    keys = many_keys(assessment["id"], 250)
    real_transact: Callable[..., None] = dynamo.transact_write
    transactions: list[int] = []

    def fail_after_the_first(actions: Any) -> None:
        transactions.append(len(actions))
        if len(transactions) > 1:
            raise RuntimeError("injected: the process died between two chunks")
        real_transact(actions)

    monkeypatch.setattr(dynamo, "transact_write", fail_after_the_first)
    status, payload = call("delete_assessment", path={"assessment_id": assessment["id"]})
    monkeypatch.setattr(dynamo, "transact_write", real_transact)

    assert (status, payload["code"]) == (500, "internal_error")
    assert "pending" in stored_statuses(assessment["id"]).values(), "the fault should leave some keys unrevoked"
    answers = {call("start_session", candidate_for(key))[1]["code"] for key in keys}
    assert answers <= {"key_revoked", "assessment_deleted"}
    assert call("get_assessment", path={"assessment_id": assessment["id"]})[0] == 404


def test_ten_concurrent_redemptions_of_one_key_start_exactly_one_session() -> None:
    [key] = generate_keys(create_assessment()["id"], 1)

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(
            pool.map(
                lambda _: start_session(AssessmentStore(), CandidateKeyStore(), SessionStore(), candidate_for(key)),
                range(10),
            )
        )

    assert sum(is_new for _, is_new in results) == 1
    assert len({started.session.id for started, _ in results}) == 1


def test_delete_racing_key_generation_never_leaves_a_redeemable_key() -> None:
    request = GenerateKeysRequest(count=50)
    for _ in range(6):
        assessment = create_assessment()
        generate_keys(assessment["id"], 10)

        def generate(assessment_id: str = assessment["id"]) -> object:
            try:
                return generate_keys_for(
                    AssessmentStore(), CandidateKeyStore(), "org_a", assessment_id, request, audit=AUDIT_A
                )
            except (NotFoundError, ConflictError) as refused:
                return refused

        def delete(assessment_id: str = assessment["id"]) -> None:
            delete_assessment(AssessmentStore(), AssessmentDeletion(), "org_a", assessment_id, audit=AUDIT_A)

        with ThreadPoolExecutor(max_workers=2) as pool:
            generated, deleted = pool.submit(generate), pool.submit(delete)
            generated.result()
            deleted.result()  # the delete always succeeds: it re-reads when keys are born meanwhile
        assert "pending" not in stored_statuses(assessment["id"]).values()
        for key in CandidateKeyStore().read_partition(assessment["id"])[1]:
            with pytest.raises(DomainError):
                start_session(
                    AssessmentStore(),
                    CandidateKeyStore(),
                    SessionStore(),
                    candidate_for({"orgId": "org_a", "assessmentId": key.assessment_id, "id": key.id}),
                )


def test_concurrent_revocations_of_one_key_succeed_once_and_otherwise_are_not_found() -> None:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1)

    def revoke(_: int) -> str:
        try:
            revoke_key(CandidateKeyStore(), SessionStore(), "org_a", assessment["id"], key["id"], audit=AUDIT_A)
        except NotFoundError:
            return "not found"
        return "revoked"

    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = sorted(pool.map(revoke, range(5)))

    assert outcomes == ["not found"] * 4 + ["revoked"]


def test_keys_cannot_be_born_on_an_assessment_deleted_after_it_was_read() -> None:
    assessment = create_assessment()
    stale = AssessmentStore().get(ORG_A.org_id, assessment["id"])
    call("delete_assessment", path={"assessment_id": assessment["id"]})

    class StaleReads(AssessmentStore):
        def get(self, org_id: str, assessment_id: str) -> Any:
            return stale

    with pytest.raises(NotFoundError):
        generate_keys_for(
            StaleReads(), CandidateKeyStore(), "org_a", assessment["id"], GenerateKeysRequest(count=3), audit=AUDIT_A
        )
    assert stored_statuses(assessment["id"]) == {}
