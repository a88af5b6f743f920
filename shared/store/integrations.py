"""Integrations with applicant tracking systems, and what they hold:

- the integration, in a partition of its own (``INTEGRATION#{id}`` / ``INTEGRATION``, listed in the GSI1
  index under ``INTEGRATIONS#{orgId}`` until it is deleted), beside its delivery log (shared.store.deliveries):
  everything the delivery function reads and writes of it is under ``INTEGRATION#``;
- its key's hash item, which the authorizer reads (shared.store.credentials), written and revoked with it;
- an interview per key an ATS had issued (``INTERVIEW#{keyId}`` / ``INTERVIEW``): which integration
  asked, where Greenhouse wants its callback, and the report link made for it;
- a claim per candidate and assessment (``ATSCLAIM#{orgId}#{assessmentId}#{emailSha256}`` / ``CLAIM``),
  written with the key and its interview only if no live key holds it, so concurrent requests for one
  candidate issue one key. It names the candidate by the email's SHA-256 and goes when they are erased.

Secrets are kept encrypted (base64 of the KMS ciphertext), never in clear."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.ids import email_digest
from shared.observability import traced
from shared.store import audit, deliveries, dynamo, listing, shares
from shared.store.audit import AuditRecord
from shared.store.credentials import IntegrationKeyTarget, integration_key_item, integration_key_keys
from shared.store.deliveries import DeliveryRecord
from shared.store.dynamo import Action
from shared.store.records import Record, item_of
from shared.store.schema import INDEX_PARTITION_KEY, INDEX_SORT_KEY, PARTITION_KEY, SORT_KEY
from shared.store.shares import ShareRecord

PARTITION_PREFIX = "INTEGRATION#"
_INTEGRATION_SK = "INTEGRATION"
_INTERVIEW_PREFIX = "INTERVIEW#"
_CLAIM_PREFIX = "ATSCLAIM#"

IntegrationKind = Literal["greenhouse", "ashby"]


class IntegrationRecord(Record):
    id: str
    org_id: str
    kind: IntegrationKind
    key_hash: str  # the SHA-256 of its key: the authorizer's lookup, and what revoking it finds
    created_at: str
    deleted_at: str | None = None
    # What this product calls the ATS with, encrypted under the secrets key: Ashby's API key, or for
    # Greenhouse the integration key itself (its callbacks authenticate as Greenhouse's calls to us do).
    # Never in a repr, so never in a log line or a traceback of one.
    outbound_key_ciphertext: str = Field(repr=False)


class AtsError(Record):
    """What an ATS reported it could not read of an answer of ours (no candidate data)."""

    api_call: str
    errors: tuple[str, ...]
    at: str


class InterviewTerms(Record):
    """What an ATS asks for with a key, before the key exists: who asks, where to call back, and the
    claim it replaces (that of a key no longer usable), if any."""

    org_id: str
    integration_id: str
    kind: IntegrationKind
    callback_url: str | None = None  # Greenhouse's: where the PATCH of a finished test goes
    ats_reference: str | None = None  # Ashby's application id: a retried start names it again
    replacing_key_id: str | None = None


class InterviewRecord(Record):
    """A key an ATS had issued, and what answering for it needs."""

    key_id: str
    org_id: str
    integration_id: str
    kind: IntegrationKind
    assessment_id: str
    created_at: str
    callback_url: str | None = None
    ats_reference: str | None = None
    share_id: str | None = None  # the report link made for the ATS, once the session finished
    share_url_ciphertext: str | None = Field(None, repr=False)  # its URL (a credential), encrypted
    last_error: AtsError | None = None
    error_count: int = 0


class ClaimRecord(Record):
    """Which key holds a candidate's place on an assessment."""

    key_id: str
    integration_id: str
    ats_reference: str | None = None


def _keys(integration_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"{PARTITION_PREFIX}{integration_id}", SORT_KEY: _INTEGRATION_SK}


def _org_index(org_id: str) -> str:
    return f"INTEGRATIONS#{org_id}"


def _interview_keys(key_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"{_INTERVIEW_PREFIX}{key_id}", SORT_KEY: "INTERVIEW"}


def _claim_keys(org_id: str, assessment_id: str, digest: str) -> dict[str, str]:
    return {PARTITION_KEY: f"{_CLAIM_PREFIX}{org_id}#{assessment_id}#{digest}", SORT_KEY: "CLAIM"}


def interview_actions(
    terms: InterviewTerms, key_id: str, assessment_id: str, email: str, created_at: str
) -> list[Action]:
    """The actions writing a new key's claim and interview, in the key's transaction: the claim only
    while no key holds it (or still the unusable one ``terms`` replaces), else ``interview claim`` fails."""
    claim = ClaimRecord(key_id=key_id, integration_id=terms.integration_id, ats_reference=terms.ats_reference)
    interview = InterviewRecord(
        key_id=key_id,
        assessment_id=assessment_id,
        created_at=created_at,
        **terms.model_dump(include={"org_id", "integration_id", "kind", "callback_url", "ats_reference"}),
    )
    claim_item = item_of(_claim_keys(terms.org_id, assessment_id, email_digest(email)), claim)
    if terms.replacing_key_id is None:
        claim_put = Action("Put", "interview claim", item=claim_item, condition="attribute_not_exists(PK)")
    else:
        claim_put = Action(
            "Put",
            "interview claim",
            item=claim_item,
            condition="keyId = :replaced",
            values={":replaced": terms.replacing_key_id},
        )
    interview_put = Action(
        "Put",
        "interview",
        item=item_of(_interview_keys(key_id), interview),
        condition="attribute_not_exists(PK)",
    )
    return [claim_put, interview_put]


def forget_claim_action(org_id: str, assessment_id: str, digest: str) -> Action:
    """A transaction action deleting a candidate's claim on an assessment, if there is one (erasure)."""
    return Action("Delete", "interview claim", keys=_claim_keys(org_id, assessment_id, digest))


class IntegrationStore:
    @traced
    def create(self, integration: IntegrationRecord, record: AuditRecord) -> None:
        """Store the integration, its key's hash item and ``record`` together."""
        index = {
            INDEX_PARTITION_KEY: _org_index(integration.org_id),
            INDEX_SORT_KEY: f"{PARTITION_PREFIX}{integration.id}",
        }
        target = IntegrationKeyTarget(org_id=integration.org_id, integration_id=integration.id, kind=integration.kind)
        dynamo.transact_write(
            [
                Action(
                    "Put",
                    "integration",
                    item={**item_of(_keys(integration.id), integration), **index},
                    condition="attribute_not_exists(PK)",
                ),
                Action(
                    "Put",
                    "integration",
                    item=integration_key_item(integration.key_hash, target),
                    condition="attribute_not_exists(PK)",
                ),
                audit.entry_action(record),
            ]
        )

    @traced
    def get(self, org_id: str, integration_id: str) -> IntegrationRecord | None:
        """The org's integration, deleted or not; another org's reads as None."""
        item = dynamo.get(_keys(integration_id))
        integration = IntegrationRecord.model_validate(item) if item else None
        return integration if integration is not None and integration.org_id == org_id else None

    @traced
    def find_active(self, integration_id: str) -> IntegrationRecord | None:
        """The integration a call back to its ATS is for, unless it was deleted."""
        item = dynamo.get(_keys(integration_id))
        integration = IntegrationRecord.model_validate(item) if item else None
        return integration if integration is not None and integration.deleted_at is None else None

    @traced
    def list_page(self, org_id: str, limit: int, after_id: str | None) -> tuple[list[IntegrationRecord], str | None]:
        """One Query of the org's integrations not deleted, in creation order, and the id to resume after
        (the index is read eventually consistently)."""
        items, resume_after = listing.org_page(_org_index(org_id), PARTITION_PREFIX, _keys, limit, after_id)
        return [IntegrationRecord.model_validate(item) for item in items], resume_after

    @traced
    def delete(self, integration: IntegrationRecord, deleted_at: str, record: AuditRecord) -> None:
        """Mark the integration deleted, out of the org's list, and its key revoked, with ``record``, together
        (ConditionFailedError names ``integration`` when it already was)."""
        dynamo.transact_write(
            [
                Action(
                    "Update",
                    "integration",
                    keys=_keys(integration.id),
                    expression=f"SET deletedAt = :at REMOVE {INDEX_PARTITION_KEY}, {INDEX_SORT_KEY}",
                    condition="attribute_exists(PK) AND attribute_not_exists(deletedAt)",
                    values={":at": deleted_at},
                ),
                Action(
                    "Update",
                    "integration",
                    keys=integration_key_keys(integration.key_hash),
                    expression="SET revokedAt = :at",
                    condition="attribute_exists(PK) AND attribute_not_exists(revokedAt)",
                    values={":at": deleted_at},
                ),
                audit.entry_action(record),
            ]
        )

    @traced
    def record_delivery(self, integration_id: str, delivery: DeliveryRecord) -> None:
        deliveries.record(f"{PARTITION_PREFIX}{integration_id}", delivery)

    @traced
    def list_deliveries(
        self, integration_id: str, limit: int, after_id: str | None
    ) -> tuple[list[DeliveryRecord], str | None]:
        """One Query of the integration's calls back to its ATS, newest first, and the id to resume after."""
        return deliveries.list_page(f"{PARTITION_PREFIX}{integration_id}", limit, after_id)

    @traced
    def find_claim(self, org_id: str, assessment_id: str, digest: str) -> ClaimRecord | None:
        """Which key holds the candidate (by their email's SHA-256) on the org's assessment, if any."""
        item = dynamo.get(_claim_keys(org_id, assessment_id, digest))
        return ClaimRecord.model_validate(item) if item else None

    @traced
    def get_interview(self, key_id: str) -> InterviewRecord | None:
        item = dynamo.get(_interview_keys(key_id))
        return InterviewRecord.model_validate(item) if item else None

    @traced
    def remember_share(self, interview: InterviewRecord, share: ShareRecord, url_ciphertext: str) -> None:
        """Store a report link for the interview and remember it there, in one transaction, unless another
        was remembered since ``interview`` was read (ConditionFailedError names ``interview`` then)."""
        if interview.share_id is None:
            condition, values = "attribute_exists(PK) AND attribute_not_exists(shareId)", {}
        else:
            condition, values = "shareId = :earlier", {":earlier": interview.share_id}
        dynamo.transact_write(
            [
                *shares.create_actions(share),
                Action(
                    "Update",
                    "interview",
                    keys=_interview_keys(interview.key_id),
                    expression="SET shareId = :share, shareUrlCiphertext = :url",
                    condition=condition,
                    values={":share": share.id, ":url": url_ciphertext, **values},
                ),
            ]
        )

    @traced
    def note_error(self, key_id: str, error: AtsError) -> None:
        """Keep the latest error an ATS reported about the interview, and count them."""
        dynamo.update(
            _interview_keys(key_id),
            "interview",
            "SET lastError = :error ADD errorCount :one",
            condition="attribute_exists(PK)",
            values={":error": error.model_dump(by_alias=True), ":one": 1},
        )
