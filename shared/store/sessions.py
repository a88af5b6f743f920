"""Sessions: the session item (``SESSION#{sessionId}`` / ``SESSION``, in the sessions index under its
assessment in start order), whose partition also holds its events (shared.store.telemetry). A session
is born, revoked and completed in one transaction with its key (shared.store.candidate_keys builds
the key's side of each)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic.alias_generators import to_camel

from shared.models.rubrics import Criterion
from shared.models.sessions import Score, Submission
from shared.observability import traced
from shared.store import assessments, audit, candidate_keys, dynamo
from shared.store.audit import AuditRecord
from shared.store.candidate_keys import CandidateKeyRecord
from shared.store.dynamo import Action
from shared.store.records import Record, item_of
from shared.store.schema import INDEX_PARTITION_KEY, INDEX_SORT_KEY, PARTITION_KEY, SESSIONS_INDEX, SORT_KEY

_PREFIX = "SESSION#"
_SORT_KEY = "SESSION"

# A session still running at ``:cutoff`` (the latest deadline not yet passed, grace included).
RUNNING = (
    "attribute_exists(PK) AND attribute_not_exists(completedAt) AND attribute_not_exists(revokedAt) "
    "AND (attribute_not_exists(deadline) OR deadline >= :cutoff)"
)


class SignalCounts(Record):
    """A session's event counters: kept on the session item, and what each stored batch of events adds
    to them (shared.store.telemetry)."""

    event_count: int = 0
    prompt_count: int = 0
    tool_call_count: int = 0
    test_run_count: int = 0
    test_pass_count: int = 0
    decision_count: int = 0
    file_change_count: int = 0
    ai_file_change_count: int = 0


class ExtensionRecord(Record):
    """Time a reviewer added to a running session."""

    minutes: int
    at: str


class SessionRecord(SignalCounts):
    """A started session with what it needs to be read and scored alone: the candidate, the deadline,
    and the rubric criteria of its assessment as they were when it started. The reasons of its
    extensions are kept apart from them (one per extension, in order), as they go with an erasure."""

    id: str
    assessment_id: str
    key_id: str
    org_id: str
    candidate_email: str | None = None
    candidate_name: str | None = None
    started_at: str
    deadline: str | None = None
    rubric_criteria: tuple[Criterion, ...] | None = None
    completed_at: str | None = None
    revoked_at: str | None = None
    submission: Submission | None = None
    score: Score | None = None
    # Signals: the counters come with SignalCounts, kept exact by the transaction that stores each batch.
    first_event_at: str | None = None
    last_event_at: str | None = None
    tools: frozenset[str] | None = None  # the tools its events named; never an empty set (DynamoDB stores none)
    erased_at: str | None = None
    extensions: tuple[ExtensionRecord, ...] = ()
    extension_reasons: tuple[str, ...] | None = None
    integration_id: str | None = None  # its key's: the integration whose ATS hears of it


# What a session's status and signals need, and what tells a session from the state record in the index.
_SIGNAL_ATTRIBUTES = (
    INDEX_SORT_KEY,
    *(
        to_camel(name)
        for name in SessionRecord.model_fields
        if name not in ("rubric_criteria", "submission", "score", "extensions", "extension_reasons")
    ),
)


def keys(session_id: str) -> dict[str, str]:
    """The session item's key; its partition holds the session's events too."""
    return {PARTITION_KEY: f"{_PREFIX}{session_id}", SORT_KEY: _SORT_KEY}


def _index_keys(session: SessionRecord) -> dict[str, str]:
    return {
        INDEX_PARTITION_KEY: assessments.partition(session.assessment_id),
        INDEX_SORT_KEY: f"{_PREFIX}{session.id}",
    }


def session_in(item: dynamo.Item) -> SessionRecord | None:
    """The session an item of the table holds (a stream image), or None for any other item."""
    is_session = item.get(SORT_KEY) == _SORT_KEY and str(item.get(PARTITION_KEY, "")).startswith(_PREFIX)
    return SessionRecord.model_validate(item) if is_session else None


def forget_action(session_id: str, erased_at: str, *, has_notes: bool) -> Action:
    """A transaction action erasing the session's candidate: name and email (and notes, if it holds
    any) go, and the reasons given for its extensions (they may say why the candidate needed time),
    ``erasedAt`` says when; a running session takes no more events (nor time) from then on."""
    forget = "REMOVE candidateEmail, candidateName, extensionReasons SET erasedAt = :at"
    values: dict[str, object] = {":at": erased_at}
    if has_notes:
        forget += ", submission.notes = :none"
        values[":none"] = None
    return Action("Update", "session", keys=keys(session_id), expression=forget, values=values)


class SessionStore:
    @traced
    def get(self, session_id: str) -> SessionRecord | None:
        item = dynamo.get(keys(session_id))
        return SessionRecord.model_validate(item) if item else None

    @traced
    def start(self, key: CandidateKeyRecord, session: SessionRecord, terms_version: int) -> None:
        """Start the key's session on version ``terms_version`` of the assessment's terms: only a pending,
        unexpired key (else ``key`` fails) of an active assessment (else ``assessment``), only once."""
        dynamo.transact_write(
            [
                candidate_keys.redeem_action(key, session.id, session.started_at, terms_version),
                assessments.active_check(key.assessment_id),
                Action(
                    "Put",
                    "session",
                    item={**_index_keys(session), **item_of(keys(session.id), session)},
                    condition="attribute_not_exists(PK)",
                ),
                # An erasure revokes the key first, failing this transaction.
                *candidate_keys.note_on_lookup_actions(
                    session.org_id,
                    session.assessment_id,
                    session.key_id,
                    session.id,
                    key.candidate_email,
                    has_notes=False,
                ),
            ]
        )

    @traced
    def revoke(self, key: CandidateKeyRecord, revoked_at: str, cutoff: str, record: AuditRecord) -> None:
        """Revoke a redeemed key and end its session as revoked; ``session`` fails if the session was
        completed or passed its deadline (``cutoff``: the latest deadline still running) meanwhile."""
        assert key.session_id is not None, "a redeemed key has a session"
        dynamo.transact_write(
            [
                candidate_keys.move_action(key, ("redeemed", "revoked"), ("revokedAt", revoked_at)),
                Action(
                    "Update",
                    "session",
                    keys=keys(key.session_id),
                    expression="SET revokedAt = :at",
                    condition=RUNNING,
                    values={":at": revoked_at, ":cutoff": cutoff},
                ),
                assessments.active_check(key.assessment_id, key.org_id),
                audit.entry_action(record),
            ]
        )

    @traced
    def extend(
        self,
        session: SessionRecord,
        extension: ExtensionRecord,
        reason: str,
        *,
        deadline: str,
        cutoff: str,
        record: AuditRecord,
    ) -> None:
        """Move the deadline of a session still running at ``cutoff`` from what it was read as (another
        extension meanwhile fails ``session`` too) to ``deadline``, keeping ``extension`` and its
        ``reason``; not once its candidate was erased."""
        dynamo.transact_write(
            [
                Action(
                    "Update",
                    "session",
                    keys=keys(session.id),
                    expression="SET deadline = :deadline, "
                    "extensions = list_append(if_not_exists(extensions, :none), :extension), "
                    "extensionReasons = list_append(if_not_exists(extensionReasons, :none), :reason)",
                    condition=f"{RUNNING} AND deadline = :read AND attribute_not_exists(erasedAt)",
                    values={
                        ":deadline": deadline,
                        ":read": session.deadline,
                        ":cutoff": cutoff,
                        ":none": [],
                        ":extension": [extension.model_dump(by_alias=True)],
                        ":reason": [reason],
                    },
                ),
                audit.entry_action(record),
            ]
        )

    @traced
    def complete(self, session: SessionRecord, completed_at: str, submission: Submission | None, cutoff: str) -> None:
        """Complete a running session (else ``session`` fails) and mark its key completed. Notes of a
        candidate with an email are noted on its lookup, unless the candidate was erased meanwhile
        (``session`` fails)."""
        noted = session.candidate_email if submission is not None and submission.notes is not None else None
        values: dict[str, object] = {
            ":at": completed_at,
            ":submission": submission.model_dump(by_alias=True) if submission is not None else None,
            ":cutoff": cutoff,
        }
        dynamo.transact_write(
            [
                Action(
                    "Update",
                    "session",
                    keys=keys(session.id),
                    expression="SET completedAt = :at, submission = :submission",
                    condition=RUNNING + (" AND attribute_not_exists(erasedAt)" if noted else ""),
                    values=values,
                ),
                candidate_keys.complete_action(session.assessment_id, session.key_id, session.id, completed_at),
                *candidate_keys.note_on_lookup_actions(
                    session.org_id, session.assessment_id, session.key_id, session.id, noted, has_notes=True
                ),
            ]
        )

    @traced
    def score(self, session: SessionRecord, score: Score, cutoff: str, record: AuditRecord) -> None:
        """Store (or replace) the score of a finished session: completed, or past its deadline
        (``cutoff``) and never revoked; ConditionFailedError (``session``) otherwise."""
        dynamo.transact_write(
            [
                Action(
                    "Update",
                    "session",
                    keys=keys(session.id),
                    expression="SET score = :score",
                    condition="attribute_exists(PK) AND attribute_not_exists(revokedAt) "
                    "AND (attribute_exists(completedAt) OR deadline < :cutoff)",
                    values={":score": score.model_dump(by_alias=True), ":cutoff": cutoff},
                ),
                audit.entry_action(record),
            ]
        )

    @traced
    def list_signals(
        self, org_id: str, assessment_id: str, limit: int, after_id: str | None
    ) -> tuple[list[SessionRecord], str | None] | None:
        """:meth:`list_page` with only what a session's status and signals are read from: a cohort of
        thousands costs its counters, not its submissions, scores and rubrics."""
        return self.list_page(org_id, assessment_id, limit, after_id, attributes=_SIGNAL_ATTRIBUTES)

    @traced
    def list_page(
        self,
        org_id: str,
        assessment_id: str,
        limit: int,
        after_id: str | None,
        *,
        attributes: Sequence[str] = (),
    ) -> tuple[list[SessionRecord], str | None] | None:
        """One Query of the assessment's sessions in start order, and the id to resume after; None when
        the assessment is not the org's. The state record sorts after every session in the index, so a
        page either holds sessions (which name their org) or ends on the state record (which does)."""
        partition = assessments.partition(assessment_id)
        start_after = None
        if after_id is not None:
            start_after = {**keys(after_id), INDEX_PARTITION_KEY: partition, INDEX_SORT_KEY: f"{_PREFIX}{after_id}"}
        items, last = dynamo.query(
            f"{INDEX_PARTITION_KEY} = :pk AND {INDEX_SORT_KEY} BETWEEN :first AND :state",
            {":pk": partition, ":first": _PREFIX, ":state": assessments.STATE_SK},
            limit=limit + 1,  # one more tells whether another page follows
            start_after=start_after,
            index=SESSIONS_INDEX,
            attributes=attributes,
        )
        if not items or {str(item["orgId"]) for item in items} != {org_id}:
            return None
        reached_state = items[-1][INDEX_SORT_KEY] == assessments.STATE_SK
        sessions = [
            SessionRecord.model_validate(item) for item in items if item[INDEX_SORT_KEY] != assessments.STATE_SK
        ]
        sessions = sessions[:limit]
        more = not reached_state and last is not None and bool(sessions)
        return sessions, sessions[-1].id if more else None
