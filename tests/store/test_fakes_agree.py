"""The in-memory stores of the domain tests answer as the DynamoDB stores do: each scenario runs on
both (moto for DynamoDB) and must end the same way, value or ``ConditionFailedError`` item and positions."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from shared import clock, ids
from shared.auth import new_key_code
from shared.models.rubrics import Criterion
from shared.models.sessions import Score
from shared.store.assessments import AssessmentRecord, AssessmentStore
from shared.store.candidate_keys import CandidateKeyRecord, CandidateKeyStore, CodeTakenError
from shared.store.cascade import AssessmentDeletion
from shared.store.credentials import CodeTarget, CredentialStore, StoredToken
from shared.store.dynamo import ConditionFailedError
from shared.store.rubrics import RubricRecord, RubricStore
from shared.store.sessions import SessionRecord, SessionStore, SignalCounts
from shared.store.telemetry import EventRecord, EventsRefusedError, TelemetryStore
from shared.store.tokens import TokenRecord, TokenStore
from tests.unit.domain.fakes import Memory, Stores, in_memory_stores

ORG = "org_a"
NOW = clock.utc_now()
LATER = clock.to_timestamp(NOW + timedelta(hours=1))
EARLIER = clock.to_timestamp(NOW - timedelta(hours=1))
AT = clock.to_timestamp(NOW)

Outcome = tuple[object, ...]
ROOMY = 1_000  # a session's most events, where the limit is not what a test is about


@pytest.fixture(params=["in-memory", "dynamodb"])
def stores(request: pytest.FixtureRequest) -> Iterator[Stores]:
    if request.param == "in-memory":
        yield in_memory_stores()
        return
    request.getfixturevalue("table")
    keys = CandidateKeyStore()
    yield Stores(
        memory=Memory(),  # unused: the data is in the table
        assessments=AssessmentStore(),
        deleter=AssessmentDeletion(keys=keys),
        keys=keys,
        sessions=SessionStore(),
        rubrics=RubricStore(),
        tokens=TokenStore(),
        credentials=CredentialStore(),
        telemetry=TelemetryStore(),
    )


def outcome(action: Callable[[], object]) -> Outcome:
    """What an action came to, comparable across the two: its value, or the failure it reported."""
    try:
        return ("ok", action())
    except ConditionFailedError as failed:
        return ("condition failed", failed.item, failed.positions)
    except CodeTakenError as taken:
        return ("code taken", taken.positions)
    except EventsRefusedError as refused:
        return ("events refused", refused.duplicates, refused.session_changed)


def an_assessment(stores: Stores, rubric_id: str | None = None, org_id: str = ORG) -> AssessmentRecord:
    record = AssessmentRecord(
        id=ids.new_id(),
        org_id=org_id,
        title="T",
        role="R",
        task_brief="B",
        expires_in_days=7,
        rubric_id=rubric_id,
        created_at=AT,
        updated_at=AT,
    )
    stores.assessments.create(record)
    return record


def a_rubric(stores: Stores) -> RubricRecord:
    record = RubricRecord(
        id=ids.new_id(),
        org_id=ORG,
        name="R",
        criteria=(Criterion(name="Design", weight=1),),
        created_at=AT,
        updated_at=AT,
    )
    stores.rubrics.create(record)
    return record


def a_key(assessment: AssessmentRecord, code: str | None = None, expires_at: str = LATER) -> CandidateKeyRecord:
    return CandidateKeyRecord(
        id=ids.new_id(),
        code=code or new_key_code(),
        assessment_id=assessment.id,
        org_id=assessment.org_id,
        status="pending",
        expires_at=expires_at,
        created_at=AT,
    )


def a_session(key: CandidateKeyRecord, deadline: str | None = LATER) -> SessionRecord:
    return SessionRecord(
        id=ids.new_id(),
        assessment_id=key.assessment_id,
        key_id=key.id,
        org_id=key.org_id,
        started_at=AT,
        deadline=deadline,
    )


def a_started_session(stores: Stores, assessment: AssessmentRecord, deadline: str | None = LATER) -> SessionRecord:
    key = a_key(assessment)
    stores.keys.insert(assessment.org_id, assessment.id, [key])
    session = a_session(key, deadline)
    stores.sessions.start(key, session)
    return session


def test_an_assessment_naming_a_missing_rubric_fails_on_the_rubric(stores: Stores) -> None:
    assert outcome(lambda: an_assessment(stores, rubric_id=ids.new_id())) == ("condition failed", "rubric", [2])


def test_keys_for_another_orgs_or_a_deleted_assessment_fail_on_the_assessment(stores: Stores) -> None:
    assessment = an_assessment(stores)

    assert outcome(lambda: stores.keys.insert("org_b", assessment.id, [a_key(assessment)])) == (
        "condition failed",
        "assessment",
        [0],
    )
    stores.deleter.delete(assessment, AT)
    assert outcome(lambda: stores.keys.insert(ORG, assessment.id, [a_key(assessment)])) == (
        "condition failed",
        "assessment",
        [0],
    )


def test_a_taken_code_is_reported_at_its_place_in_the_batch(stores: Stores) -> None:
    assessment = an_assessment(stores)
    taken = a_key(assessment)
    stores.keys.insert(ORG, assessment.id, [taken])

    batch = [a_key(assessment), a_key(assessment, code=taken.code), a_key(assessment)]

    assert outcome(lambda: stores.keys.insert(ORG, assessment.id, batch)) == ("code taken", [1])
    assert [key.id for key in stores.keys.read_partition(assessment.id)[1]] == [taken.id]


def test_an_expired_key_does_not_redeem(stores: Stores) -> None:
    assessment = an_assessment(stores)
    key = a_key(assessment, expires_at=EARLIER)
    stores.keys.insert(ORG, assessment.id, [key])

    assert outcome(lambda: stores.sessions.start(key, a_session(key))) == ("condition failed", "key", [0])


def test_deleting_revokes_pending_keys_and_then_fails_on_the_assessment(stores: Stores) -> None:
    assessment = an_assessment(stores)
    key = a_key(assessment)
    stores.keys.insert(ORG, assessment.id, [key, a_key(assessment)])
    started = a_started_session(stores, assessment)

    deletion = stores.deleter.delete(assessment, AT)

    assert (deletion.revoked, deletion.left_pending) == (2, 0)
    assert outcome(lambda: stores.sessions.start(key, a_session(key))) == ("condition failed", "key", [0, 1])
    assert stores.assessments.get(ORG, assessment.id) is None
    assert stores.assessments.get_deleted(ORG, assessment.id) == assessment
    assert stores.sessions.get(started.id) == started
    assert outcome(lambda: stores.deleter.delete(assessment, AT)) == ("condition failed", "assessment", [])


def test_a_completed_session_cannot_be_revoked_nor_completed_again(stores: Stores) -> None:
    session = a_started_session(stores, an_assessment(stores))
    stores.sessions.complete(session, AT, None, AT)
    key = stores.keys.get(session.assessment_id, session.key_id)
    assert key is not None

    assert outcome(lambda: stores.sessions.revoke(key, AT, AT)) == ("condition failed", "key", [0, 1])
    assert outcome(lambda: stores.sessions.complete(session, AT, None, AT)) == ("condition failed", "session", [0, 1])


def test_a_session_past_its_cutoff_cannot_be_completed_but_can_be_scored(stores: Stores) -> None:
    session = a_started_session(stores, an_assessment(stores), deadline=EARLIER)
    score = Score(criteria=(), total_score=50, comment=None, scored_at=AT)

    assert outcome(lambda: stores.sessions.complete(session, AT, None, AT)) == ("condition failed", "session", [0])
    assert outcome(lambda: stores.sessions.score(session, score, AT)) == ("ok", None)
    assert stores.sessions.get(session.id) == session.model_copy(update={"score": score})


def test_a_running_session_cannot_be_scored(stores: Stores) -> None:
    session = a_started_session(stores, an_assessment(stores))
    score = Score(criteria=(), total_score=50, comment=None, scored_at=AT)

    assert outcome(lambda: stores.sessions.score(session, score, AT)) == ("condition failed", "session", [])


def test_sessions_page_in_start_order_and_only_for_their_org(stores: Stores) -> None:
    assessment = an_assessment(stores)
    started = [a_started_session(stores, assessment).id for _ in range(3)]

    assert stores.sessions.list_page(ORG, assessment.id, 2, None) == (
        [stores.sessions.get(session_id) for session_id in started[:2]],
        started[1],
    )
    last = stores.sessions.list_page(ORG, assessment.id, 2, started[1])
    assert last is not None
    assert ([session.id for session in last[0]], last[1]) == (started[2:], None)
    full = stores.sessions.list_page(ORG, assessment.id, 3, None)
    assert full is not None
    assert full[1] is None
    assert stores.sessions.list_page("org_b", assessment.id, 2, None) is None
    assert stores.sessions.list_page(ORG, ids.new_id(), 2, None) is None


def test_a_linked_rubric_fails_on_its_link_and_a_deleted_one_on_itself(stores: Stores) -> None:
    rubric = a_rubric(stores)
    assessment = an_assessment(stores, rubric_id=rubric.id)

    assert outcome(lambda: stores.rubrics.delete(rubric, AT)) == ("condition failed", "rubric link", [0])
    stores.deleter.delete(assessment, AT)
    assert outcome(lambda: stores.rubrics.delete(rubric, AT)) == ("ok", None)
    assert outcome(lambda: stores.rubrics.delete(rubric, AT)) == ("condition failed", "rubric", [])


def test_a_token_revokes_once(stores: Stores) -> None:
    token = TokenRecord(token_id=ids.new_id(), token_hash="h" * 64, org_id=ORG, name="ci", created_at=AT)
    stores.tokens.create(token)

    assert outcome(lambda: stores.tokens.revoke(token, AT)) == ("ok", None)
    assert outcome(lambda: stores.tokens.revoke(token, AT)) == ("condition failed", "token", [0, 1])
    assert stores.tokens.list_for_org(ORG) == [token.model_copy(update={"revoked_at": AT})]


def test_the_authorizer_reads_a_token_as_stored_and_as_revoked(stores: Stores) -> None:
    token = TokenRecord(token_id=ids.new_id(), token_hash="h" * 64, org_id=ORG, name="ci", created_at=AT)
    stores.tokens.create(token)

    assert stores.credentials.find_token(token.token_hash) == StoredToken(org_id=ORG, name="ci", revoked_at=None)
    stores.tokens.revoke(token, AT)
    assert stores.credentials.find_token(token.token_hash) == StoredToken(org_id=ORG, name="ci", revoked_at=AT)
    assert stores.credentials.find_token("0" * 64) is None


def test_the_authorizer_reads_where_an_inserted_key_code_points(stores: Stores) -> None:
    assessment = an_assessment(stores)
    key = a_key(assessment)
    stores.keys.insert(ORG, assessment.id, [key])

    assert stores.credentials.find_code(key.code) == CodeTarget(org_id=ORG, assessment_id=assessment.id, key_id=key.id)
    assert stores.credentials.find_code(new_key_code()) is None


def an_event(at: str, event_type: str = "prompt") -> EventRecord:
    return EventRecord(id=str(uuid.uuid4()), type=event_type, at=at, source="hook", data="{}")


def test_events_are_stored_once_and_a_batch_holding_a_stored_id_changes_nothing(stores: Stores) -> None:
    session = a_started_session(stores, an_assessment(stores))
    stored = [an_event("2026-04-01T10:00:01.000Z"), an_event("2026-04-01T10:00:02.000Z", "decision")]
    assert outcome(lambda: stores.telemetry.insert(session, stored, SignalCounts(event_count=2), AT, ROOMY)) == (
        "ok",
        None,
    )
    counted = stores.sessions.get(session.id)
    assert counted is not None
    batch = [an_event("2026-04-01T10:00:00.000Z"), stored[1], an_event("2026-04-01T10:00:03.000Z"), stored[0]]

    assert outcome(lambda: stores.telemetry.insert(counted, batch, SignalCounts(event_count=4), AT, ROOMY)) == (
        "events refused",
        [1, 3],
        False,
    )
    assert stores.sessions.get(session.id) == counted
    assert (counted.event_count, counted.first_event_at, counted.last_event_at) == (2, stored[0].at, stored[1].at)
    assert stores.telemetry.timeline(session.id, None, 10, None) == (stored, False)


def test_a_batch_fails_on_the_session_once_it_finished_or_a_bound_it_moves_changed(stores: Stores) -> None:
    session = a_started_session(stores, an_assessment(stores))
    stores.telemetry.insert(session, [an_event("2026-04-01T10:00:05.000Z")], SignalCounts(event_count=1), AT, ROOMY)
    later, earlier = [an_event("2026-04-01T10:00:09.000Z")], [an_event("2026-04-01T10:00:01.000Z")]

    # ``session`` as read before that batch: its bounds were unset.
    assert outcome(lambda: stores.telemetry.insert(session, later, SignalCounts(event_count=1), AT, ROOMY)) == (
        "events refused",
        [],
        True,
    )
    current = stores.sessions.get(session.id)
    assert current is not None
    assert outcome(lambda: stores.telemetry.insert(current, earlier, SignalCounts(event_count=1), AT, ROOMY)) == (
        "ok",
        None,
    )
    stores.sessions.complete(session, AT, None, AT)
    assert outcome(lambda: stores.telemetry.insert(current, later, SignalCounts(event_count=1), AT, ROOMY)) == (
        "events refused",
        [],
        True,
    )


def test_a_batch_fails_on_the_session_once_it_holds_as_many_events_as_it_may(stores: Stores) -> None:
    session = a_started_session(stores, an_assessment(stores))
    stores.telemetry.insert(session, [an_event("2026-04-01T10:00:05.000Z")], SignalCounts(event_count=1), AT, 3)
    current = stores.sessions.get(session.id)
    assert current is not None
    two_more = [an_event("2026-04-01T10:00:06.000Z"), an_event("2026-04-01T10:00:07.000Z")]
    three_more = [*two_more, an_event("2026-04-01T10:00:08.000Z")]

    assert outcome(lambda: stores.telemetry.insert(current, three_more, SignalCounts(event_count=3), AT, 3)) == (
        "events refused",
        [],
        True,
    )
    assert outcome(lambda: stores.telemetry.insert(current, two_more, SignalCounts(event_count=2), AT, 3)) == (
        "ok",
        None,
    )


def test_the_timeline_pages_in_time_order_ties_by_id_and_by_type(stores: Stores) -> None:
    session = a_started_session(stores, an_assessment(stores))
    events = [
        an_event(f"2026-04-01T10:00:0{index % 3}.000Z", "decision" if index % 2 else "note") for index in range(6)
    ]
    stores.telemetry.insert(session, events, SignalCounts(event_count=6), AT, ROOMY)
    ordered = sorted(events, key=lambda event: (event.at, event.id))

    first, more = stores.telemetry.timeline(session.id, None, 4, None)
    rest = stores.telemetry.timeline(session.id, None, 4, (first[-1].at, first[-1].id))
    decisions = stores.telemetry.timeline(session.id, "decision", 10, None)

    assert (first, more) == (ordered[:4], True)
    assert rest == (ordered[4:], False)
    assert decisions == ([event for event in ordered if event.type == "decision"], False)
