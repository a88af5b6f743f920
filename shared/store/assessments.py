"""Assessments: the full item under ``ORG#{orgId}`` / ``ASMT#{id}`` while active, and the state record
``ASMT#{id}`` / ``STATE`` in the assessment's own partition (owner, keys issued, and once deleted the
tombstone with a snapshot). The state record is also the head of the assessment's sessions in the
sessions index, so listing them tells the owner in the same Query. Each edit counts a ``version`` (the
ETag); an edit of the terms a session starts with (brief, repository, time limit, issue) counts a
``termsVersion`` too and keeps the terms it replaced as ``ASMT#{id}`` / ``TERMS#{version}``, where the
sessions started on them still read them."""

from __future__ import annotations

from shared.models.issues import Issue
from shared.models.rubrics import Criterion
from shared.observability import traced
from shared.store import audit, dynamo, listing, rubrics
from shared.store.audit import AuditRecord
from shared.store.dynamo import Action
from shared.store.records import Record, item_of
from shared.store.schema import INDEX_PARTITION_KEY, INDEX_SORT_KEY, PARTITION_KEY, SORT_KEY

ACTIVE_PREFIX = "ASMT#"
STATE_SK = "STATE"
_TERMS_PREFIX = "TERMS#"  # sorts after STATE: outside every Query of the partition's keys


class AssessmentTerms(Record):
    """What a candidate is held to once started: the brief, the repository, the time limit, the issue."""

    task_brief: str
    repo_url: str | None = None
    time_limit_minutes: int | None = None
    issue: Issue | None = None


class AssessmentRecord(Record):
    """An assessment as created or last edited: the brief, and snapshots of its catalog issue and rubric
    criteria. Items stored before edits were counted read as version 1 of both."""

    id: str
    org_id: str
    title: str
    role: str
    task_brief: str
    repo_url: str | None = None
    time_limit_minutes: int | None = None
    expires_in_days: int
    issue_id: str | None = None
    rubric_id: str | None = None
    created_at: str
    updated_at: str
    issue: Issue | None = None
    rubric_criteria: tuple[Criterion, ...] | None = None  # what sessions are scored on, even after a delete
    version: int = 1
    terms_version: int = 1

    @property
    def terms(self) -> AssessmentTerms:
        return AssessmentTerms.model_validate(self.model_dump(include=set(AssessmentTerms.model_fields)))


class AssessmentState(Record):
    """Who owns the assessment, how many keys were issued, and whether (and what) was deleted."""

    org_id: str
    keys_issued: int = 0
    deleted_at: str | None = None
    snapshot: AssessmentRecord | None = None


def org_pk(org_id: str) -> str:
    return f"ORG#{org_id}"


def partition(assessment_id: str) -> str:
    """The partition holding an assessment's state record and its candidate keys."""
    return f"ASMT#{assessment_id}"


def _active_keys(org_id: str, assessment_id: str) -> dict[str, str]:
    return {PARTITION_KEY: org_pk(org_id), SORT_KEY: f"{ACTIVE_PREFIX}{assessment_id}"}


def state_keys(assessment_id: str) -> dict[str, str]:
    return {PARTITION_KEY: partition(assessment_id), SORT_KEY: STATE_SK}


def _terms_keys(assessment_id: str, terms_version: int) -> dict[str, str]:
    return {PARTITION_KEY: partition(assessment_id), SORT_KEY: f"{_TERMS_PREFIX}{terms_version:06d}"}


def _as_read(assessment: AssessmentRecord) -> tuple[str, dict[str, object]]:
    """The condition that the active item is still the version of ``assessment`` (an item stored before
    versions were counted is version 1)."""
    condition = "attribute_exists(PK) AND (version = :version"
    condition += " OR attribute_not_exists(version))" if assessment.version == 1 else ")"
    return condition, {":version": assessment.version}


def state_index_keys(assessment_id: str) -> dict[str, str]:
    """Where the state record sorts in the sessions index: after every ``SESSION#`` entry."""
    return {INDEX_PARTITION_KEY: partition(assessment_id), INDEX_SORT_KEY: STATE_SK}


def state_in(item: dynamo.Item) -> tuple[str, AssessmentState] | None:
    """The assessment id and state record an item of the table holds (a stream image), or None."""
    partition_key = str(item.get(PARTITION_KEY, ""))
    if item.get(SORT_KEY) != STATE_SK or not partition_key.startswith(ACTIVE_PREFIX):
        return None
    return partition_key.removeprefix(ACTIVE_PREFIX), AssessmentState.model_validate(item)


def active_check(assessment_id: str, org_id: str | None = None) -> Action:
    """A transaction action that holds only while the assessment (of ``org_id``, if given) is not deleted."""
    condition = "attribute_exists(PK) AND attribute_not_exists(deletedAt)"
    values = None
    if org_id is not None:
        condition += " AND orgId = :org"
        values = {":org": org_id}
    return Action("ConditionCheck", "assessment", keys=state_keys(assessment_id), condition=condition, values=values)


class AssessmentStore:
    """Reads and writes assessments of any organisation; callers pass the org they act for."""

    @traced
    def create(self, assessment: AssessmentRecord, record: AuditRecord) -> None:
        """Store the assessment and its state record, count the link to its rubric, and ``record`` it: one
        transaction, so the rubric cannot be deleted in between (ConditionFailedError names ``rubric`` then)."""
        state = AssessmentState(org_id=assessment.org_id)
        actions = [
            Action(
                "Put",
                "assessment",
                item=item_of(_active_keys(assessment.org_id, assessment.id), assessment),
                condition="attribute_not_exists(PK)",
            ),
            Action(
                "Put",
                "assessment",
                item=item_of({**state_keys(assessment.id), **state_index_keys(assessment.id)}, state),
                condition="attribute_not_exists(PK)",
            ),
        ]
        if assessment.rubric_id is not None:
            actions.append(rubrics.link_action(assessment.org_id, assessment.rubric_id, +1))
        dynamo.transact_write([*actions, audit.entry_action(record)])

    @traced
    def update(self, before: AssessmentRecord, after: AssessmentRecord, record: AuditRecord) -> None:
        """Replace the assessment read as ``before`` (else ``assessment`` fails: it changed or went) by
        ``after``, moving its rubric link (a missing new rubric fails as ``rubric``) and keeping the terms
        it replaces, with ``record``: one transaction."""
        condition, values = _as_read(before)
        actions = [
            Action(
                "Put",
                "assessment",
                item=item_of(_active_keys(after.org_id, after.id), after),
                condition=condition,
                values=values,
            )
        ]
        if before.rubric_id != after.rubric_id:
            if before.rubric_id is not None:
                actions.append(rubrics.link_action(before.org_id, before.rubric_id, -1))
            if after.rubric_id is not None:
                actions.append(rubrics.link_action(after.org_id, after.rubric_id, +1))
        if before.terms_version != after.terms_version:
            actions.append(
                Action(
                    "Put",
                    "terms",
                    item=item_of(_terms_keys(before.id, before.terms_version), before.terms),
                    condition="attribute_not_exists(PK)",
                )
            )
        dynamo.transact_write([*actions, audit.entry_action(record)])

    @traced
    def get_terms(self, assessment_id: str, terms_version: int) -> AssessmentTerms | None:
        """The terms an edit replaced, which sessions started on that version still read."""
        item = dynamo.get(_terms_keys(assessment_id, terms_version))
        return AssessmentTerms.model_validate(item) if item else None

    @traced
    def get(self, org_id: str, assessment_id: str) -> AssessmentRecord | None:
        """The active assessment, or None when unknown, deleted or another org's."""
        item = dynamo.get(_active_keys(org_id, assessment_id))
        return AssessmentRecord.model_validate(item) if item else None

    @traced
    def get_deleted(self, org_id: str, assessment_id: str) -> AssessmentRecord | None:
        """The snapshot of the org's deleted assessment (its sessions go on and are scored on it)."""
        item = dynamo.get(state_keys(assessment_id))
        state = AssessmentState.model_validate(item) if item else None
        return state.snapshot if state is not None and state.org_id == org_id else None

    @traced
    def list_page(self, org_id: str, limit: int, after_id: str | None) -> tuple[list[AssessmentRecord], str | None]:
        """One Query of active assessments in creation order, and the id to resume after.

        Deleted assessments leave the org partition, so they cost nothing here."""
        items, resume_after = listing.prefix_page(
            org_pk(org_id), ACTIVE_PREFIX, lambda after: _active_keys(org_id, after), limit, after_id
        )
        return [AssessmentRecord.model_validate(item) for item in items], resume_after

    def tombstone_actions(self, assessment: AssessmentRecord, keys_issued: int, deleted_at: str) -> list[Action]:
        """Remove the active item as read (an edit meanwhile fails ``assessment``) and turn the state record
        into the tombstone; the tombstone holds only while no key was issued since ``keys_issued`` was
        read, so such a key forces a re-read."""
        condition, values = _as_read(assessment)
        actions = [
            Action(
                "Delete",
                "assessment",
                keys=_active_keys(assessment.org_id, assessment.id),
                condition=condition,
                values=values,
            ),
            Action(
                "Update",
                "keys issued",
                keys=state_keys(assessment.id),
                expression="SET deletedAt = :at, #snapshot = :snapshot",
                condition="keysIssued = :issued AND attribute_not_exists(deletedAt)",
                names={"#snapshot": "snapshot"},  # a reserved word
                values={
                    ":at": deleted_at,
                    ":snapshot": assessment.model_dump(by_alias=True),
                    ":issued": keys_issued,
                },
            ),
        ]
        if assessment.rubric_id is not None:
            actions.append(rubrics.link_action(assessment.org_id, assessment.rubric_id, -1))
        return actions
