"""Erasing a candidate: the writes that span a key, its session and its email lookup, composed from the
actions each store module owns. The domain (shared.domain.erasure) runs them in order: the identities
first, in transactions, then each erased session's events, after which its lookup goes."""

from __future__ import annotations

from collections.abc import Sequence

from shared.observability import traced
from shared.store import audit, candidate_keys, dynamo, sessions
from shared.store.audit import AuditRecord
from shared.store.candidate_keys import EmailLookup
from shared.store.dynamo import Action


class ErasureStore:
    @traced
    def lookups(self, org_id: str, digest: str) -> list[EmailLookup]:
        """Every lookup of the candidate whose email has this digest in the org, erased ones included:
        one Query per MB."""
        partition = candidate_keys.lookup_partition(org_id, digest)
        return [EmailLookup.model_validate(item) for item in dynamo.query_all("PK = :pk", {":pk": partition["PK"]})]

    @traced
    def erase(
        self, digest: str, lookups: Sequence[EmailLookup], erased_at: str, record: AuditRecord | None
    ) -> tuple[int, bool]:
        """Erase the candidate from the lookups' keys and sessions, a transaction per 100 writes (no key
        split across two), the first also writing ``record`` (alone when there is nothing to erase).
        Returns how many were erased, fewer than all when a key moved since its lookup was read (the
        transactions before that one stand), and whether ``record`` was written."""
        first = [[audit.entry_action(record)]] if record is not None else []
        erased, recorded = 0, False
        for batch in _pack([*first, *(_erase_actions(digest, lookup, erased_at) for lookup in lookups)]):
            try:
                dynamo.transact_write([action for group in batch for action in group])
            except (dynamo.ConditionFailedError, dynamo.WriteConflictError):
                break
            erased += len(batch) - len(first)
            recorded, first = recorded or bool(first), []
        return erased, recorded

    @traced
    def resume(self, digest: str, lookup: EmailLookup) -> None:
        """Count another pass of the lookup's erasure: the change is what sets the next pass going."""
        dynamo.update(
            candidate_keys.lookup_keys(lookup.org_id, digest, lookup.key_id),
            "email lookup",
            "ADD erasePass :one",
            condition="attribute_exists(erasedAt)",
            values={":one": 1},
        )

    @traced
    def finish(self, digest: str, lookup: EmailLookup) -> None:
        """The lookup's erasure is done: the lookup goes (it was the last trace of the email)."""
        keys = candidate_keys.lookup_keys(lookup.org_id, digest, lookup.key_id)
        dynamo.delete(keys, "email lookup", condition="attribute_exists(erasedAt)")


def _erase_actions(digest: str, lookup: EmailLookup, erased_at: str) -> list[Action]:
    """The writes erasing one key, and its session if it has one."""
    actions = [candidate_keys.forget_action(lookup, erased_at)]
    if lookup.session_id is not None:
        actions.append(sessions.forget_action(lookup.session_id, erased_at, has_notes=lookup.has_notes))
    return [*actions, candidate_keys.lookup_erased_action(digest, lookup, erased_at)]


def _pack(groups: list[list[Action]]) -> list[list[list[Action]]]:
    """Groups of actions in transactions of at most 100 actions, no group split."""
    batches: list[list[list[Action]]] = []
    size = dynamo.MAX_TRANSACTION_ACTIONS
    for group in groups:
        if size + len(group) > dynamo.MAX_TRANSACTION_ACTIONS:
            batches.append([])
            size = 0
        batches[-1].append(group)
        size += len(group)
    return batches
