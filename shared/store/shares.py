"""Share links of session reports, each two items written and deleted together: the lookup by the
token's SHA-256 (``SHARE#{hash}`` / ``SHARE``: the one item the public report route reads) and the
session's list entry (``SHARES#{sessionId}`` / ``SHARE#{shareId}``, holding the hash so a revocation
finds the lookup). The token itself is never stored. Both carry the table's TTL at the link's expiry."""

from __future__ import annotations

from shared import clock
from shared.observability import traced
from shared.store import audit, dynamo, listing
from shared.store.audit import AuditRecord
from shared.store.dynamo import Action
from shared.store.records import Record, item_of
from shared.store.schema import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

LOOKUP_PREFIX = "SHARE#"
LIST_PREFIX = "SHARES#"
_LOOKUP_SK = "SHARE"
_ENTRY_PREFIX = "SHARE#"


class ShareRecord(Record):
    """A share link: which session of which organisation its token opens, and until when."""

    id: str
    org_id: str
    session_id: str
    token_hash: str
    created_at: str
    expires_at: str
    webhook_id: str | None = None  # the webhook whose delivery carried it, for a link made by the consumer


def _lookup_keys(token_hash: str) -> dict[str, str]:
    return {PARTITION_KEY: f"{LOOKUP_PREFIX}{token_hash}", SORT_KEY: _LOOKUP_SK}


def _entry_keys(session_id: str, share_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"{LIST_PREFIX}{session_id}", SORT_KEY: f"{_ENTRY_PREFIX}{share_id}"}


def create_actions(share: ShareRecord) -> list[Action]:
    """The transaction actions storing a link: its lookup and its list entry, both gone from the table
    after expiry (``share`` fails if either exists)."""
    expires = {TTL_ATTRIBUTE: int(clock.from_timestamp(share.expires_at).timestamp())}
    return [
        Action("Put", "share", item={**item_of(keys, share), **expires}, condition="attribute_not_exists(PK)")
        for keys in (_lookup_keys(share.token_hash), _entry_keys(share.session_id, share.id))
    ]


class ShareStore:
    @traced
    def create(self, share: ShareRecord, record: AuditRecord | None) -> None:
        """Store the lookup and the list entry in one transaction, with ``record`` when a reviewer asked for
        the link (none for one the consumer makes for a delivery)."""
        dynamo.transact_write([*create_actions(share), *([audit.entry_action(record)] if record is not None else [])])

    @traced
    def find(self, token_hash: str) -> ShareRecord | None:
        """The link whose token has this hash: one consistent GetItem, so a revocation holds at once."""
        item = dynamo.get(_lookup_keys(token_hash))
        return ShareRecord.model_validate(item) if item else None

    @traced
    def get(self, session_id: str, share_id: str) -> ShareRecord | None:
        """The session's link with this id, expired or not."""
        item = dynamo.get(_entry_keys(session_id, share_id))
        return ShareRecord.model_validate(item) if item else None

    @traced
    def list_page(self, session_id: str, limit: int, after_id: str | None) -> tuple[list[ShareRecord], str | None]:
        """One Query of the session's links in creation order (expired ones the TTL has not removed yet
        included), and the id to resume after."""
        items, resume_after = listing.prefix_page(
            f"{LIST_PREFIX}{session_id}", _ENTRY_PREFIX, lambda after: _entry_keys(session_id, after), limit, after_id
        )
        return [ShareRecord.model_validate(item) for item in items], resume_after

    @traced
    def delete(self, share: ShareRecord, record: AuditRecord) -> None:
        """Delete the link's two items together, with ``record``; ConditionFailedError (``share``) if it is
        already gone."""
        dynamo.transact_write(
            [
                *(
                    Action("Delete", "share", keys=keys, condition="attribute_exists(PK)")
                    for keys in (_lookup_keys(share.token_hash), _entry_keys(share.session_id, share.id))
                ),
                audit.entry_action(record),
            ]
        )
