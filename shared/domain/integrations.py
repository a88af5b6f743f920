"""Business rules for integrations with applicant tracking systems, as reviewers manage them: connecting
one (its key shown once, stored as its SHA-256; what this API calls the ATS with stored encrypted),
listing, disconnecting (its key refused at once), and the log of calls back to its ATS."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from shared import clock, ids
from shared.auth import hash_integration_key, new_integration_key
from shared.domain.audit import AuditContext
from shared.domain.paging import decode_cursor, encode_cursor, within_budget
from shared.domain.ports import Integrations, Secrets
from shared.domain.webhooks import delivery_view
from shared.errors import InvalidInputError, NotFoundError
from shared.models.integrations import CreateIntegrationRequest, Integration
from shared.models.webhooks import Delivery
from shared.store.dynamo import ConditionFailedError
from shared.store.integrations import IntegrationRecord

# The routes each ATS is told to call, under the API's base URL.
GREENHOUSE_PATH = "/v1/ats/greenhouse"
ASHBY_PATH = "/v1/ats/ashby"
_GREENHOUSE_CALLS = {
    "listTests": "list_tests",
    "sendTest": "send_test",
    "testStatus": "test_status",
    "responseError": "response_error",
}


def outbound_key_context(integration_id: str) -> Mapping[str, str]:
    """What the key this API calls an ATS with is bound to: decrypting it needs the same integration."""
    return {"integration": integration_id, "purpose": "ats-key"}


class ConnectedIntegration(NamedTuple):
    stored: IntegrationRecord
    api_key: str  # shown once, never stored


def integration_view(integration: IntegrationRecord, api_url: str) -> Integration:
    """The integration as the API shows it, with the URLs to paste on its ATS's side: never a key."""
    base = api_url.rstrip("/")
    if integration.kind == "greenhouse":
        endpoints = {name: f"{base}{GREENHOUSE_PATH}/{call}" for name, call in _GREENHOUSE_CALLS.items()}
    else:
        endpoints = {"baseUrl": f"{base}{ASHBY_PATH}"}
    return Integration(id=integration.id, type=integration.kind, created_at=integration.created_at, endpoints=endpoints)


def create_integration(
    integrations: Integrations, secrets: Secrets, org_id: str, request: CreateIntegrationRequest, *, audit: AuditContext
) -> ConnectedIntegration:
    """Connect an ATS for the org with a new key; the caller must show the key now, as only its hash is kept.
    The key this API calls the ATS with (Ashby's, or for Greenhouse the new key itself) is kept encrypted."""
    if request.type == "ashby" and request.ashby_api_key is None:
        raise InvalidInputError.for_field(("ashbyApiKey",), "missing", "an Ashby integration needs Ashby's API key")
    if request.type != "ashby" and request.ashby_api_key is not None:
        raise InvalidInputError.for_field(("ashbyApiKey",), "extra_forbidden", "only an Ashby integration takes one")
    key = new_integration_key()
    integration_id = ids.new_id()
    outbound = request.ashby_api_key if request.ashby_api_key is not None else key
    stored = IntegrationRecord(
        id=integration_id,
        org_id=org_id,
        kind=request.type,
        key_hash=hash_integration_key(key),
        created_at=clock.to_timestamp(clock.utc_now()),
        outbound_key_ciphertext=secrets.encrypt(outbound, outbound_key_context(integration_id)),
    )
    sent = ["type", *(["ashbyApiKey"] if request.ashby_api_key is not None else [])]
    integrations.create(
        stored, audit.record(org_id, "integration.create", ("integration", integration_id), sent, stored.created_at)
    )
    return ConnectedIntegration(stored=stored, api_key=key)


def get_integration(
    integrations: Integrations, org_id: str, integration_id: str, *, deleted_too: bool = False
) -> IntegrationRecord:
    """The org's integration; unknown, other orgs' and (unless ``deleted_too``) deleted ones are not found."""
    canonical_id = ids.canonical_uuid(integration_id)
    integration = integrations.get(org_id, canonical_id) if canonical_id else None
    if integration is None or (integration.deleted_at is not None and not deleted_too):
        raise NotFoundError("Integration not found")
    return integration


def list_integrations(
    integrations: Integrations, org_id: str, api_url: str, limit: int, cursor: str | None
) -> tuple[list[Integration], str | None]:
    """One page of the org's integrations (deleted ones left out) in creation order, and the next cursor."""
    page, resume_after = integrations.list_page(org_id, limit, decode_cursor(cursor))
    views = [integration_view(integration, api_url) for integration in page]
    return within_budget(views, resume_after, lambda view: len(view.model_dump_json()), lambda view: view.id)


def delete_integration(integrations: Integrations, org_id: str, integration_id: str, *, audit: AuditContext) -> str:
    """Disconnect the org's integration: its key is refused from now on and nothing more is sent to its ATS.
    Keys it had issued stay valid (the candidates were invited); its delivery log stays readable."""
    integration = get_integration(integrations, org_id, integration_id)
    deleted_at = clock.to_timestamp(clock.utc_now())
    record = audit.record(org_id, "integration.delete", ("integration", integration.id), ["deletedAt"], deleted_at)
    try:
        integrations.delete(integration, deleted_at, record)
    except ConditionFailedError as failed:
        raise NotFoundError("Integration not found") from failed
    return integration.id


def list_deliveries(
    integrations: Integrations, org_id: str, integration_id: str, limit: int, cursor: str | None
) -> tuple[list[Delivery], str | None]:
    """One page of the calls back to the org's integration's ATS (deleted or not), newest first."""
    integration = get_integration(integrations, org_id, integration_id, deleted_too=True)
    page, resume_after = integrations.list_deliveries(integration.id, limit, decode_cursor(cursor))
    return [delivery_view(delivery) for delivery in page], encode_cursor(resume_after) if resume_after else None
