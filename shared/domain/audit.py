"""The audit log: who asked for a change (an API token, or an operator at the command line) and the
record of it each changing domain function hands its store, which writes it with the change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from shared import clock, ids
from shared.domain.paging import decode_cursor, within_budget
from shared.domain.ports import AuditLog
from shared.models.audit import ActorType, AuditAction, AuditLogRecord, ResourceType
from shared.store.audit import AuditRecord


class Actor(NamedTuple):
    """Who made a change: a reviewer's API token, an operator (``cli:<name>``), or an ATS through its
    integration."""

    type: ActorType
    id: str
    name: str

    @classmethod
    def operator(cls, name: str) -> Actor:
        return cls("operator", f"cli:{name}", name)


class AuditContext(NamedTuple):
    """Who is asking, and the request's id: what every record of a change made for that request carries."""

    actor: Actor
    request_id: str

    def record(
        self,
        org_id: str,
        action: AuditAction,
        resource: tuple[ResourceType, str],
        changes: Iterable[str] = (),
        at: str | None = None,
    ) -> AuditRecord:
        """The record of ``action`` on ``resource`` (its type and id), naming the fields it ``changes``."""
        resource_type, resource_id = resource
        return AuditRecord(
            id=ids.new_id(),
            org_id=org_id,
            at=at or clock.to_timestamp(clock.utc_now()),
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            actor_type=self.actor.type,
            actor_id=self.actor.id,
            actor_name=self.actor.name,
            request_id=self.request_id,
            changes=tuple(changes),
        )


def audit_view(record: AuditRecord) -> AuditLogRecord:
    return AuditLogRecord.model_validate(
        {
            **record.model_dump(include={"id", "at", "action", "request_id", "changes"}),
            "resource": {"type": record.resource_type, "id": record.resource_id},
            "actor": {"type": record.actor_type, "id": record.actor_id, "name": record.actor_name},
        }
    )


def _resource_filter(resource: str) -> tuple[str, str]:
    """The type and id of a ``resource`` filter (its shape checked: ``<type>:<id>``), the id as stored:
    UUIDs and digests in lower case."""
    resource_type, _, resource_id = resource.partition(":")
    return resource_type, resource_id.lower()


def list_audit(
    log: AuditLog, org_id: str, limit: int, cursor: str | None, *, resource: str | None, action: str | None
) -> tuple[list[AuditLogRecord], str | None]:
    """One page of the org's audit records, newest first, of one resource (``<type>:<id>``) or one
    action if asked, and the cursor of the next."""
    found, resume_after = log.list_page(
        org_id,
        limit,
        decode_cursor(cursor),
        resource=_resource_filter(resource) if resource is not None else None,
        action=action,
    )
    views = [audit_view(record) for record in found]
    return within_budget(views, resume_after, lambda view: len(view.model_dump_json()), lambda view: view.id)
