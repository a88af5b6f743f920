"""Integrations and the interviews an ATS asks for, over in-memory stores: the key shown once and kept as
its hash, one key per candidate and assessment (a place freed when its key can no longer be used), the
report link made once, and what the calls back to each ATS say."""

from __future__ import annotations

import pytest

from shared.auth import Candidate as KeyHolder
from shared.auth import Integration, basic_authorization, hash_integration_key
from shared.domain.access import authenticate
from shared.domain.ashby import assessment_update, start_assessment
from shared.domain.ats_callbacks import callbacks_for
from shared.domain.audit import Actor, AuditContext
from shared.domain.candidate_keys import revoke_key
from shared.domain.events import DomainEvent
from shared.domain.greenhouse import interview_status, send_test
from shared.domain.integrations import create_integration, delete_integration, outbound_key_context
from shared.domain.interviews import Candidate, InterviewLinks, issue_interview, report_link
from shared.domain.sessions import complete_session, start_session
from shared.errors import ConflictError, UnauthorizedError
from shared.models.ats import SendTestRequest, StartAssessmentRequest
from shared.models.integrations import CreateIntegrationRequest
from shared.routes import Auth
from shared.store.integrations import ClaimRecord
from shared.store.sessions import SessionRecord
from tests.unit.domain.fakes import Stores
from tests.unit.domain.support import AUDIT, ORG, FrozenClock, an_assessment

API = "https://api.example.com/prod"
CALLBACK = "https://app.greenhouse.io/integrations/testing_partners/take_home_tests/1"


def connected(stores: Stores, kind: str = "greenhouse") -> tuple[Integration, str]:
    """A new integration of ORG, as its ATS calls: the caller, and its key."""
    body = {"type": kind, **({"ashbyApiKey": "ashby-key-0123"} if kind == "ashby" else {})}
    request = CreateIntegrationRequest.model_validate(body)
    made = create_integration(stores.integrations, stores.secrets, ORG, request, audit=AUDIT)
    return Integration(org_id=ORG, integration_id=made.stored.id, kind=made.stored.kind), made.api_key


def as_ats(caller: Integration) -> AuditContext:
    """What the audit records of the changes an ATS asks for name: its integration."""
    return AuditContext(Actor("integration", caller.integration_id, f"{caller.kind} integration"), "ats-request")


def sent(stores: Stores, caller: Integration, assessment_id: str, email: str = "harry@example.com") -> str:
    request = SendTestRequest.model_validate(
        {"partner_test_id": assessment_id, "candidate": {"email": email}, "url": CALLBACK}
    )
    return send_test(stores.assessments, stores.keys, stores.integrations, caller, request, audit=as_ats(caller))


def started(stores: Stores, caller: Integration, assessment_id: str, application: str = "app-1") -> str:
    request = StartAssessmentRequest.model_validate(
        {
            "assessment_type_id": assessment_id,
            "candidate": {"email": "alex@example.com"},
            "application": {"ashby_id": application},
        }
    )
    return start_assessment(stores.assessments, stores.keys, stores.integrations, caller, request, audit=as_ats(caller))


def finish(stores: Stores, assessment_id: str, key_id: str) -> SessionRecord:
    """The key's candidate starts and completes their session; the session as stored."""
    candidate = KeyHolder(org_id=ORG, assessment_id=assessment_id, key_id=key_id)
    session, _ = start_session(stores.assessments, stores.keys, stores.sessions, candidate)
    complete_session(stores.sessions, candidate, session.session.id, None)
    return stores.memory.sessions[session.session.id]


def test_an_integrations_key_is_kept_as_its_hash_and_proves_its_organisation_until_deleted(stores: Stores) -> None:
    caller, key = connected(stores)
    header = {"Authorization": basic_authorization(key)}
    proved = authenticate(header, Auth.INTEGRATION, stores.credentials)
    stored = stores.memory.integrations[caller.integration_id]
    assert proved == caller
    assert stored.key_hash == hash_integration_key(key)
    assert key not in stored.model_dump_json()

    delete_integration(stores.integrations, ORG, caller.integration_id, audit=AUDIT)

    with pytest.raises(UnauthorizedError):
        authenticate(header, Auth.INTEGRATION, stores.credentials)


def test_the_key_greenhouse_is_called_back_with_is_its_own_encrypted_for_its_integration(stores: Stores) -> None:
    caller, key = connected(stores)
    stored = stores.memory.integrations[caller.integration_id]

    assert stores.secrets.decrypt(stored.outbound_key_ciphertext, outbound_key_context(caller.integration_id)) == key
    with pytest.raises(ValueError, match="another context"):
        stores.secrets.decrypt(stored.outbound_key_ciphertext, outbound_key_context("another"))


def test_a_key_an_ats_asks_for_is_recorded_as_its_integrations_doing_and_a_retry_records_nothing(
    stores: Stores,
) -> None:
    caller, _ = connected(stores)
    assessment = an_assessment(stores)
    before = len(stores.memory.audit)

    sent(stores, caller, assessment.id)
    sent(stores, caller, assessment.id)

    [generated] = stores.memory.audit[before:]
    assert (generated.action, generated.actor_type, generated.actor_id) == (
        "keys.generate",
        "integration",
        caller.integration_id,
    )
    assert "harry@example.com" not in generated.model_dump_json()


def test_one_key_holds_a_candidates_place_until_it_can_no_longer_be_used(stores: Stores, clock: FrozenClock) -> None:
    caller, _ = connected(stores)
    assessment = an_assessment(stores, expiresInDays=1)
    first = sent(stores, caller, assessment.id)
    assert sent(stores, caller, assessment.id, "HARRY@example.com") == first

    revoke_key(stores.keys, stores.sessions, ORG, assessment.id, first, audit=AUDIT)
    second = sent(stores, caller, assessment.id)
    clock.advance(days=2)  # the second expires unused
    third = sent(stores, caller, assessment.id)

    assert len({first, second, third}) == 3
    assert [claim.key_id for claim in stores.memory.claims.values()] == [third]


def test_a_place_taken_by_a_concurrent_request_is_answered_with_that_key(stores: Stores) -> None:
    caller, _ = connected(stores)
    assessment = an_assessment(stores)
    candidate = Candidate("ron@example.com", "Ron", None)
    integrations = stores.integrations
    racing = {"done": False}
    find_claim = integrations.find_claim

    def claim_read_before_the_other_wrote(org_id: str, assessment_id: str, digest: str) -> ClaimRecord | None:
        if not racing["done"]:
            racing["done"] = True
            winner = issue_interview(
                stores.assessments,
                stores.keys,
                integrations,
                caller,
                assessment_id=assessment.id,
                candidate=candidate,
                audit=as_ats(caller),
            )
            assert winner.new
            return None  # this request read the claim before the other request wrote it
        return find_claim(org_id, assessment_id, digest)

    integrations.find_claim = claim_read_before_the_other_wrote  # type: ignore[method-assign]

    issued = issue_interview(
        stores.assessments,
        stores.keys,
        integrations,
        caller,
        assessment_id=assessment.id,
        candidate=candidate,
        audit=as_ats(caller),
    )

    assert not issued.new
    assert len(stores.memory.keys) == 1
    assert issued.claim.key_id == next(iter(stores.memory.keys.values())).id


def test_ashby_is_answered_the_same_for_a_retried_start_and_refused_a_second_one(stores: Stores) -> None:
    caller, _ = connected(stores, "ashby")
    assessment = an_assessment(stores)

    first = started(stores, caller, assessment.id)

    assert started(stores, caller, assessment.id) == first
    with pytest.raises(ConflictError) as refused:
        started(stores, caller, assessment.id, application="app-2")
    assert refused.value.code == "already_assessed"


def test_the_report_link_is_made_once_and_made_again_only_once_it_expired(stores: Stores, clock: FrozenClock) -> None:
    caller, _ = connected(stores)
    assessment = an_assessment(stores)
    key_id = sent(stores, caller, assessment.id)
    session = finish(stores, assessment.id, key_id)
    links = InterviewLinks(stores.integrations, stores.shares, stores.secrets, API)

    first = report_link(links, stores.memory.interviews[key_id], session)
    again = report_link(links, stores.memory.interviews[key_id], session)
    clock.advance(days=91)
    renewed = report_link(links, stores.memory.interviews[key_id], session)

    assert first == again
    assert first.startswith(f"{API}/v1/reports/")
    assert renewed != first
    assert len(stores.memory.share_entries) == 2
    assert first not in stores.memory.interviews[key_id].model_dump_json()  # kept encrypted


def test_greenhouse_reads_complete_with_the_link_once_the_session_finished(stores: Stores) -> None:
    caller, _ = connected(stores)
    assessment = an_assessment(stores)
    key_id = sent(stores, caller, assessment.id)
    links = InterviewLinks(stores.integrations, stores.shares, stores.secrets, API)
    before = interview_status(stores.keys, stores.sessions, links, caller, key_id)

    finish(stores, assessment.id, key_id)
    after = interview_status(stores.keys, stores.sessions, links, caller, key_id)

    assert (before.partner_status, before.partner_profile_url) == ("pending", None)
    assert after.partner_status == "complete"
    assert after.partner_profile_url is not None
    assert after.partner_score is None
    assert after.metadata["Status"] == "completed"
    assert all(isinstance(value, str | int | float) for value in after.metadata.values())


def test_greenhouse_is_called_back_when_its_test_finishes_and_is_scored_but_not_when_it_starts(stores: Stores) -> None:
    caller, _ = connected(stores)
    assessment = an_assessment(stores)
    key_id = sent(stores, caller, assessment.id)
    session = finish(stores, assessment.id, key_id)
    links = InterviewLinks(stores.integrations, stores.shares, stores.secrets, API)

    def event(kind: str) -> DomainEvent:
        return DomainEvent(kind, ORG, assessment.id, session.id, session.started_at, session=session)  # type: ignore[arg-type]

    started_calls = callbacks_for(event("session.started"), links)
    [completed] = callbacks_for(event("session.completed"), links)

    assert started_calls == []
    assert (completed.integration_id, completed.url, completed.body) == (caller.integration_id, CALLBACK, "")
    assert completed.webhook_id is None


def test_ashbys_update_types_each_value_as_ashby_displays_it(stores: Stores) -> None:
    caller, _ = connected(stores, "ashby")
    assessment = an_assessment(stores)
    key_id = started(stores, caller, assessment.id)
    session = finish(stores, assessment.id, key_id)

    on_start = assessment_update(key_id, session, session.started_at, None)
    on_finish = assessment_update(key_id, session, session.completed_at or "", "https://api.example.com/v1/reports/x")

    assert on_start.assessment_status.value == "Started"
    assert on_start.assessment_result is None
    assert on_finish.assessment_profile_url is not None
    assert (on_finish.assessment_profile_url.type, on_finish.assessment_profile_url.value) == (
        "url",
        "https://api.example.com/v1/reports/x",
    )
    assert on_finish.assessment_result is not None
    assert (on_finish.assessment_result.type, on_finish.assessment_result.value) == (
        "string",
        "Completed, awaiting review",
    )
    assert {value.type for value in on_finish.metadata or []} == {"string", "numeric_duration_minutes"}
    assert on_finish.timestamp == int(on_finish.timestamp)
