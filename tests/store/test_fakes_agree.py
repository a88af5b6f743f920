"""The in-memory stores of the domain tests answer as the DynamoDB stores do: each scenario runs on
both (moto for DynamoDB) and must end the same way, value or ``ConditionFailedError`` item and positions."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Literal

import pytest

from shared import clock, ids
from shared.auth import new_key_code
from shared.ids import email_digest
from shared.models.audit import AuditAction, ResourceType
from shared.models.rubrics import Criterion
from shared.models.sessions import Score
from shared.store.assessments import AssessmentRecord, AssessmentStore
from shared.store.audit import AuditRecord, AuditStore
from shared.store.candidate_keys import (
    CandidateKeyRecord,
    CandidateKeyStore,
    CodeTakenError,
    InviteStore,
    ReminderStore,
)
from shared.store.cascade import AssessmentDeletion
from shared.store.credentials import CodeTarget, CredentialStore, IntegrationKeyTarget, StoredToken
from shared.store.dynamo import ConditionFailedError
from shared.store.integrations import (
    AtsError,
    ClaimRecord,
    IntegrationRecord,
    IntegrationStore,
    InterviewTerms,
)
from shared.store.rubrics import RubricRecord, RubricStore
from shared.store.sessions import ExtensionRecord, SessionRecord, SessionStore, SignalCounts
from shared.store.shares import ShareRecord, ShareStore
from shared.store.telemetry import EventRecord, EventsRefusedError, TelemetryStore
from shared.store.tokens import TokenRecord, TokenStore
from tests.unit.domain.fakes import FakeSecrets, Memory, Stores, in_memory_stores
from tests.unit.domain.support import AUDIT

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
        reminders=ReminderStore(),
        audit=AuditStore(),
        shares=ShareStore(),
        integrations=IntegrationStore(),
        secrets=FakeSecrets(),  # not a store: KMS is tested against moto in the handler tier
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


def a_record(
    action: AuditAction = "assessment.create", resource: tuple[ResourceType, str] | None = None
) -> AuditRecord:
    """An audit record of a change, for the write that carries it."""
    return AUDIT.record(ORG, action, resource or ("assessment", ids.new_id()), at=AT)


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
    stores.assessments.create(record, a_record())
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
    stores.rubrics.create(record, a_record())
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
    stores.keys.insert(assessment.org_id, assessment.id, [key], a_record())
    session = a_session(key, deadline)
    stores.sessions.start(key, session, 1)
    return session


def test_an_assessment_naming_a_missing_rubric_fails_on_the_rubric(stores: Stores) -> None:
    assert outcome(lambda: an_assessment(stores, rubric_id=ids.new_id())) == ("condition failed", "rubric", [2])


def test_keys_for_another_orgs_or_a_deleted_assessment_fail_on_the_assessment(stores: Stores) -> None:
    assessment = an_assessment(stores)

    assert outcome(lambda: stores.keys.insert("org_b", assessment.id, [a_key(assessment)], a_record())) == (
        "condition failed",
        "assessment",
        [0],
    )
    stores.deleter.delete(assessment, AT, a_record())
    assert outcome(lambda: stores.keys.insert(ORG, assessment.id, [a_key(assessment)], a_record())) == (
        "condition failed",
        "assessment",
        [0],
    )


def test_a_taken_code_is_reported_at_its_place_in_the_batch(stores: Stores) -> None:
    assessment = an_assessment(stores)
    taken = a_key(assessment)
    stores.keys.insert(ORG, assessment.id, [taken], a_record())

    batch = [a_key(assessment), a_key(assessment, code=taken.code), a_key(assessment)]

    assert outcome(lambda: stores.keys.insert(ORG, assessment.id, batch, a_record())) == ("code taken", [1])
    assert [key.id for key in stores.keys.read_partition(assessment.id)[1]] == [taken.id]


def test_an_expired_key_does_not_redeem(stores: Stores) -> None:
    assessment = an_assessment(stores)
    key = a_key(assessment, expires_at=EARLIER)
    stores.keys.insert(ORG, assessment.id, [key], a_record())

    assert outcome(lambda: stores.sessions.start(key, a_session(key), 1)) == ("condition failed", "key", [0])


def test_deleting_revokes_pending_keys_and_then_fails_on_the_assessment(stores: Stores) -> None:
    assessment = an_assessment(stores)
    key = a_key(assessment)
    stores.keys.insert(ORG, assessment.id, [key, a_key(assessment)], a_record())
    started = a_started_session(stores, assessment)

    deletion = stores.deleter.delete(assessment, AT, a_record())

    assert (deletion.revoked, deletion.left_pending) == (2, 0)
    assert outcome(lambda: stores.sessions.start(key, a_session(key), 1)) == ("condition failed", "key", [0, 1])
    assert stores.assessments.get(ORG, assessment.id) is None
    assert stores.assessments.get_deleted(ORG, assessment.id) == assessment
    assert stores.sessions.get(started.id) == started
    assert outcome(lambda: stores.deleter.delete(assessment, AT, a_record())) == ("condition failed", "assessment", [])


def test_a_completed_session_cannot_be_revoked_nor_completed_again(stores: Stores) -> None:
    session = a_started_session(stores, an_assessment(stores))
    stores.sessions.complete(session, AT, None, AT)
    key = stores.keys.get(session.assessment_id, session.key_id)
    assert key is not None

    assert outcome(lambda: stores.sessions.revoke(key, AT, AT, a_record())) == ("condition failed", "key", [0, 1])
    assert outcome(lambda: stores.sessions.complete(session, AT, None, AT)) == ("condition failed", "session", [0, 1])


def test_a_session_past_its_cutoff_cannot_be_completed_but_can_be_scored(stores: Stores) -> None:
    session = a_started_session(stores, an_assessment(stores), deadline=EARLIER)
    score = Score(criteria=(), total_score=50, comment=None, scored_at=AT)

    assert outcome(lambda: stores.sessions.complete(session, AT, None, AT)) == ("condition failed", "session", [0])
    assert outcome(lambda: stores.sessions.score(session, score, AT, a_record())) == ("ok", None)
    assert stores.sessions.get(session.id) == session.model_copy(update={"score": score})


def test_a_running_session_cannot_be_scored(stores: Stores) -> None:
    session = a_started_session(stores, an_assessment(stores))
    score = Score(criteria=(), total_score=50, comment=None, scored_at=AT)

    assert outcome(lambda: stores.sessions.score(session, score, AT, a_record())) == (
        "condition failed",
        "session",
        [0],
    )


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

    assert outcome(lambda: stores.rubrics.delete(rubric, AT, a_record())) == ("condition failed", "rubric link", [0])
    stores.deleter.delete(assessment, AT, a_record())
    assert outcome(lambda: stores.rubrics.delete(rubric, AT, a_record())) == ("ok", None)
    assert outcome(lambda: stores.rubrics.delete(rubric, AT, a_record())) == ("condition failed", "rubric", [])


def test_a_token_revokes_once(stores: Stores) -> None:
    token = TokenRecord(token_id=ids.new_id(), token_hash="h" * 64, org_id=ORG, name="ci", created_at=AT)
    stores.tokens.create(token, a_record())

    assert outcome(lambda: stores.tokens.revoke(token, AT, a_record())) == ("ok", None)
    assert outcome(lambda: stores.tokens.revoke(token, AT, a_record())) == ("condition failed", "token", [0, 1])
    assert stores.tokens.list_for_org(ORG) == [token.model_copy(update={"revoked_at": AT})]


def test_the_authorizer_reads_a_token_as_stored_and_as_revoked(stores: Stores) -> None:
    token = TokenRecord(token_id=ids.new_id(), token_hash="h" * 64, org_id=ORG, name="ci", created_at=AT)
    stores.tokens.create(token, a_record())
    stored = StoredToken(org_id=ORG, token_id=token.token_id, name="ci", revoked_at=None)

    assert stores.credentials.find_token(token.token_hash) == stored
    stores.tokens.revoke(token, AT, a_record())
    assert stores.credentials.find_token(token.token_hash) == stored._replace(revoked_at=AT)
    assert stores.credentials.find_token("0" * 64) is None


def test_the_authorizer_reads_where_an_inserted_key_code_points(stores: Stores) -> None:
    assessment = an_assessment(stores)
    key = a_key(assessment)
    stores.keys.insert(ORG, assessment.id, [key], a_record())

    assert stores.credentials.find_code(key.code) == CodeTarget(org_id=ORG, assessment_id=assessment.id, key_id=key.id)
    assert stores.credentials.find_code(new_key_code()) is None


def an_event(at: str, event_type: str = "prompt", tool: str | None = None) -> EventRecord:
    return EventRecord(id=str(uuid.uuid4()), type=event_type, at=at, source="hook", data="{}", tool=tool)


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


def test_a_cancelled_transaction_writes_no_audit_record(stores: Stores) -> None:
    session = a_started_session(stores, an_assessment(stores))
    score = Score(criteria=(), total_score=50, comment=None, scored_at=AT)
    written = stores.audit.list_page(ORG, 100, None)

    assert outcome(lambda: stores.sessions.score(session, score, AT, a_record("session.score"))) == (
        "condition failed",
        "session",
        [0],
    )
    assert stores.audit.list_page(ORG, 100, None) == written


def test_audit_records_page_newest_first_by_resource_by_action_and_by_both(stores: Stores) -> None:
    assessment: tuple[ResourceType, str] = ("assessment", ids.new_id())
    written = [
        a_record("assessment.create", assessment),
        a_record("assessment.create"),
        a_record("assessment.update", assessment),
        a_record("assessment.update"),
        a_record("assessment.delete", assessment),
    ]
    for record in written:
        stores.audit.record(record)
    newest_first = written[::-1]

    first, after = stores.audit.list_page(ORG, 3, None)
    rest = stores.audit.list_page(ORG, 3, after)
    of_resource = stores.audit.list_page(ORG, 10, None, resource=assessment)
    of_action = stores.audit.list_page(ORG, 10, None, action="assessment.update")
    both = stores.audit.list_page(ORG, 2, None, resource=assessment, action="assessment.update")

    assert (first, after) == (newest_first[:3], newest_first[2].id)
    assert rest == (newest_first[3:], None)
    assert of_resource == ([written[4], written[2], written[0]], None)
    assert of_action == ([written[3], written[2]], None)
    assert both == ([written[2]], written[2].id)  # two of the resource's records read, the action's kept
    assert stores.audit.list_page("org_b", 10, None) == ([], None)


def test_an_edit_holds_only_for_the_version_read_and_keeps_the_terms_it_replaces(stores: Stores) -> None:
    before = an_assessment(stores)
    after = before.model_copy(update={"task_brief": "New", "version": 2, "terms_version": 2})

    assert outcome(lambda: stores.assessments.update(before, after, a_record("assessment.update"))) == ("ok", None)
    # The version moved on, and the terms it would keep are kept already.
    assert outcome(lambda: stores.assessments.update(before, after, a_record("assessment.update"))) == (
        "condition failed",
        "assessment",
        [0, 1],
    )
    assert stores.assessments.get(ORG, before.id) == after
    assert stores.assessments.get_terms(before.id, 1) == before.terms
    assert stores.assessments.get_terms(before.id, 2) is None


def test_an_edit_naming_a_missing_rubric_fails_on_the_rubric(stores: Stores) -> None:
    before = an_assessment(stores)
    after = before.model_copy(update={"rubric_id": ids.new_id(), "version": 2})

    assert outcome(lambda: stores.assessments.update(before, after, a_record("assessment.update"))) == (
        "condition failed",
        "rubric",
        [1],
    )
    assert stores.assessments.get(ORG, before.id) == before


def test_an_extension_holds_only_on_the_deadline_read_of_a_running_session(stores: Stores) -> None:
    session = a_started_session(stores, an_assessment(stores))
    extension = ExtensionRecord(minutes=60, at=AT)
    moved = clock.to_timestamp(NOW + timedelta(hours=2))

    def extend(read: SessionRecord, cutoff: str = AT) -> Outcome:
        record = a_record("session.extend")
        return outcome(
            lambda: stores.sessions.extend(read, extension, "why", deadline=moved, cutoff=cutoff, record=record)
        )

    assert extend(session) == ("ok", None)
    assert extend(session) == ("condition failed", "session", [0])  # its deadline moved meanwhile
    extended = stores.sessions.get(session.id)
    assert extended is not None
    assert (extended.deadline, extended.extensions, extended.extension_reasons) == (moved, (extension,), ("why",))
    assert extend(extended, cutoff=clock.to_timestamp(NOW + timedelta(hours=3))) == ("condition failed", "session", [0])


def test_a_resend_holds_only_on_a_pending_keys_sent_invitation_and_its_resends_as_read(stores: Stores) -> None:
    assessment = an_assessment(stores)
    key = a_key(assessment).model_copy(update={"candidate_email": "ada@example.com", "invite_status": "sent"})
    stores.keys.insert(ORG, assessment.id, [key], a_record())

    assert outcome(lambda: stores.keys.resend(key, (AT,), a_record("key.resend"))) == ("ok", None)
    assert outcome(lambda: stores.keys.resend(key, (AT,), a_record("key.resend"))) == ("condition failed", "key", [0])
    queued = stores.keys.get(assessment.id, key.id)
    assert queued is not None
    assert (queued.invite_status, queued.invite_reason, queued.resent_at) == ("queued", "invitation", (AT,))


def test_a_key_waits_for_its_reminder_until_it_is_queued_or_used(stores: Stores) -> None:
    assessment = an_assessment(stores)
    invited = {"candidate_email": "ada@example.com", "invite_status": "queued"}
    waiting, used, silent = (a_key(assessment).model_copy(update=invited) for _ in range(3))
    silent = silent.model_copy(update={"invite_status": "not_requested"})
    stores.keys.insert(ORG, assessment.id, [waiting, used, silent], a_record())
    stores.sessions.start(used, a_session(used), 1)
    window = (AT, LATER)

    found, _ = stores.reminders.expiring(LATER[:10], window, None)

    assert [key.id for key in found] == [waiting.id]
    # Its invitation is not sent yet: no reminder.
    assert stores.reminders.queue(waiting, AT, AT) is False


def test_a_reminder_is_queued_once_for_a_key_whose_invitation_was_sent_long_enough_ago(stores: Stores) -> None:
    assessment = an_assessment(stores)
    sent = {"candidate_email": "ada@example.com", "invite_status": "queued"}
    key = a_key(assessment).model_copy(update=sent)
    stores.keys.insert(ORG, assessment.id, [key], a_record())
    # The invitation as the consumer leaves it once sent.
    invitation = stores.keys.get(assessment.id, key.id)
    assert invitation is not None
    if isinstance(stores.keys, CandidateKeyStore):
        InviteStore().claim(invitation)
        InviteStore().settle(invitation, ("sending", "sent"), sent_at=EARLIER)
    else:
        stores.memory.move_key(invitation, invite_status="sent", invite_sent_at=EARLIER, invite_last_sent_at=EARLIER)

    assert stores.reminders.queue(key, AT, clock.to_timestamp(NOW - timedelta(hours=2))) is False  # too soon
    assert stores.reminders.queue(key, AT, AT) is True
    assert stores.reminders.queue(key, AT, AT) is False
    assert stores.reminders.expiring(LATER[:10], (AT, LATER), None) == ([], None)
    reminded = stores.keys.get(assessment.id, key.id)
    assert reminded is not None
    assert (reminded.invite_status, reminded.invite_reason) == ("queued", "reminder")


def a_share(session_id: str = "01a00000-0000-7000-8000-000000000001", **fields: str) -> ShareRecord:
    return ShareRecord.model_validate(
        {
            "id": ids.new_id(),
            "org_id": ORG,
            "session_id": session_id,
            "token_hash": uuid.uuid4().hex * 2,
            "created_at": AT,
            "expires_at": LATER,
            **fields,
        }
    )


def test_a_share_link_is_found_by_its_hash_and_listed_under_its_session_in_creation_order(stores: Stores) -> None:
    first, second, elsewhere = a_share(), a_share(), a_share(session_id=ids.new_id())
    for share in (first, second, elsewhere):
        stores.shares.create(share, None)

    assert stores.shares.find(second.token_hash) == second
    assert stores.shares.get(first.session_id, first.id) == first
    assert stores.shares.list_page(first.session_id, 1, None) == ([first], first.id)
    assert stores.shares.list_page(first.session_id, 1, first.id) == ([second], None)
    assert stores.shares.find(uuid.uuid4().hex * 2) is None


def test_a_revoked_share_link_is_gone_and_cannot_be_revoked_again(stores: Stores) -> None:
    share = a_share()
    stores.shares.create(share, None)

    assert outcome(lambda: stores.shares.delete(share, a_record("share.revoke", ("share", share.id)))) == ("ok", None)
    assert outcome(lambda: stores.shares.delete(share, a_record("share.revoke", ("share", share.id)))) == (
        "condition failed",
        "share",
        [0, 1],
    )
    assert stores.shares.find(share.token_hash) is None
    assert stores.shares.list_page(share.session_id, 10, None) == ([], None)


def test_a_share_link_is_written_once_under_its_hash(stores: Stores) -> None:
    share = a_share()
    stores.shares.create(share, None)

    assert outcome(lambda: stores.shares.create(share.model_copy(update={"id": ids.new_id()}), None)) == (
        "condition failed",
        "share",
        [0],
    )


def test_the_tools_a_batch_names_join_the_sessions_set_once_each(stores: Stores) -> None:
    session = a_started_session(stores, an_assessment(stores))
    first = [an_event("2026-04-01T10:00:01.000Z", tool="cursor"), an_event("2026-04-01T10:00:02.000Z", tool="cli")]
    stores.telemetry.insert(
        session, [*first, an_event("2026-04-01T10:00:03.000Z")], SignalCounts(event_count=3), AT, ROOMY
    )
    counted = stores.sessions.get(session.id)
    assert counted is not None
    stores.telemetry.insert(
        counted, [an_event("2026-04-01T10:00:04.000Z", tool="cli")], SignalCounts(event_count=1), AT, ROOMY
    )

    current = stores.sessions.get(session.id)
    assert current is not None
    assert current.tools == frozenset({"cli", "cursor"})
    assert [event.tool for event in stores.telemetry.timeline(session.id, None, 10, None)[0]] == [
        "cursor",
        "cli",
        None,
        "cli",
    ]


def test_a_session_without_tools_has_none(stores: Stores) -> None:
    session = a_started_session(stores, an_assessment(stores))
    stores.telemetry.insert(session, [an_event("2026-04-01T10:00:01.000Z")], SignalCounts(event_count=1), AT, ROOMY)

    current = stores.sessions.get(session.id)
    assert current is not None
    assert current.tools is None


def an_integration(stores: Stores, kind: Literal["greenhouse", "ashby"] = "greenhouse") -> IntegrationRecord:
    record = IntegrationRecord(
        id=ids.new_id(),
        org_id=ORG,
        kind=kind,
        key_hash=uuid.uuid4().hex * 2,
        created_at=AT,
        outbound_key_ciphertext="sealed",
    )
    stores.integrations.create(record, a_record("integration.create", ("integration", record.id)))
    return record


def terms_of(integration: IntegrationRecord, replacing: str | None = None) -> InterviewTerms:
    return InterviewTerms(
        org_id=integration.org_id,
        integration_id=integration.id,
        kind=integration.kind,
        callback_url="https://app.greenhouse.io/take_home_tests/1",
        replacing_key_id=replacing,
    )


def an_ats_key(assessment: AssessmentRecord) -> CandidateKeyRecord:
    return a_key(assessment).model_copy(update={"candidate_email": "ada@example.com"})


def test_an_integration_and_its_keys_item_are_written_once_and_deleted_once(stores: Stores) -> None:
    integration = an_integration(stores)
    resource: tuple[ResourceType, str] = ("integration", integration.id)

    assert outcome(lambda: stores.integrations.create(integration, a_record("integration.create", resource))) == (
        "condition failed",
        "integration",
        [0, 1],
    )
    assert stores.credentials.find_integration_key(integration.key_hash) == IntegrationKeyTarget(
        org_id=ORG, integration_id=integration.id, kind="greenhouse"
    )
    assert stores.integrations.list_page(ORG, 10, None) == ([integration], None)
    assert outcome(lambda: stores.integrations.delete(integration, AT, a_record("integration.delete", resource))) == (
        "ok",
        None,
    )
    assert outcome(lambda: stores.integrations.delete(integration, AT, a_record("integration.delete", resource))) == (
        "condition failed",
        "integration",
        [0, 1],
    )
    found = stores.credentials.find_integration_key(integration.key_hash)
    assert found is not None
    assert found.revoked_at == AT
    assert stores.integrations.find_active(integration.id) is None
    assert stores.integrations.get(ORG, integration.id) == integration.model_copy(update={"deleted_at": AT})
    assert stores.integrations.get("org_b", integration.id) is None
    assert stores.integrations.list_page(ORG, 10, None) == ([], None)


def test_a_key_an_ats_asked_for_holds_its_candidates_place_until_a_replacement_names_it(stores: Stores) -> None:
    assessment = an_assessment(stores)
    integration = an_integration(stores)
    first, second, third = an_ats_key(assessment), an_ats_key(assessment), an_ats_key(assessment)
    digest = email_digest("ada@example.com")

    assert outcome(
        lambda: stores.keys.insert(ORG, assessment.id, [first], a_record("keys.generate"), terms_of(integration))
    ) == ("ok", None)
    taken = outcome(
        lambda: stores.keys.insert(ORG, assessment.id, [second], a_record("keys.generate"), terms_of(integration))
    )
    replaced = outcome(
        lambda: stores.keys.insert(
            ORG, assessment.id, [second], a_record("keys.generate"), terms_of(integration, first.id)
        )
    )
    stale = outcome(
        lambda: stores.keys.insert(
            ORG, assessment.id, [third], a_record("keys.generate"), terms_of(integration, first.id)
        )
    )

    assert (taken, replaced, stale) == (("condition failed", "interview claim", [4]), ("ok", None), taken)
    assert stores.integrations.find_claim(ORG, assessment.id, digest) == ClaimRecord(
        key_id=second.id, integration_id=integration.id
    )
    interview = stores.integrations.get_interview(first.id)
    assert interview is not None
    assert (interview.assessment_id, interview.integration_id, interview.callback_url) == (
        assessment.id,
        integration.id,
        "https://app.greenhouse.io/take_home_tests/1",
    )
    assert stores.integrations.get_interview(third.id) is None


def test_an_interviews_report_link_is_remembered_once_for_what_was_read(stores: Stores) -> None:
    assessment = an_assessment(stores)
    integration = an_integration(stores)
    key = an_ats_key(assessment)
    stores.keys.insert(ORG, assessment.id, [key], a_record("keys.generate"), terms_of(integration))
    read = stores.integrations.get_interview(key.id)
    assert read is not None
    first = a_share()

    assert outcome(lambda: stores.integrations.remember_share(read, first, "sealed-1")) == ("ok", None)
    assert outcome(lambda: stores.integrations.remember_share(read, a_share(), "sealed-2")) == (
        "condition failed",
        "interview",
        [2],
    )
    remembered = stores.integrations.get_interview(key.id)
    assert remembered is not None
    assert (remembered.share_id, remembered.share_url_ciphertext) == (first.id, "sealed-1")
    assert stores.shares.find(first.token_hash) == first
    assert outcome(lambda: stores.integrations.remember_share(remembered, a_share(), "sealed-3")) == ("ok", None)


def test_an_error_is_noted_on_an_interview_that_exists_only(stores: Stores) -> None:
    assessment = an_assessment(stores)
    key = an_ats_key(assessment)
    stores.keys.insert(ORG, assessment.id, [key], a_record("keys.generate"), terms_of(an_integration(stores)))
    error = AtsError(api_call="test_status", errors=("bad",), at=AT)

    assert outcome(lambda: stores.integrations.note_error(key.id, error)) == ("ok", None)
    assert outcome(lambda: stores.integrations.note_error(ids.new_id(), error)) == ("condition failed", "interview", [])
    noted = stores.integrations.get_interview(key.id)
    assert noted is not None
    assert (noted.last_error, noted.error_count) == (error, 1)
