"""One attempt to deliver an event to its endpoint, whichever it is: a webhook (the signed POST to its
URL) or an integration's ATS (Greenhouse's empty PATCH to the URL it gave, Ashby's ``assessment.update``
with the organisation's Ashby key). Either way the URL is checked again for where it may go, the attempt
is logged in the endpoint's delivery log, and it leads to the same outcomes: done, another attempt later,
or none (the webhook disabled by a 410; a refusal an ATS would repeat)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Literal, NamedTuple

from shared import clock, ids
from shared.auth import basic_authorization
from shared.domain.integrations import outbound_key_context
from shared.domain.ports import Integrations, Secrets, Webhooks
from shared.store.deliveries import DeliveryRecord
from shared.store.dynamo import ConditionFailedError
from shared.webhooks import addresses, sender, signing
from shared.webhooks.addresses import UrlNotAllowedError
from shared.webhooks.queue import Delivery as QueuedDelivery

Outcome = Literal["delivered", "disabled", "refused", "dropped", "retry"]
USER_AGENT = "Promptster-Webhooks/1"
ATS_USER_AGENT = "Promptster-Integrations/1"
# Ashby's API versions its answers by the Accept header.
ASHBY_ACCEPT = "application/json; version=1"


class Endpoints(NamedTuple):
    """Where deliveries go: webhooks, and integrations (with the key their ATS credentials are kept under,
    and where Ashby's API is)."""

    webhooks: Webhooks
    integrations: Integrations
    secrets: Secrets
    ashby_api_url: str


class _Call(NamedTuple):
    """One delivery as the endpoint takes it, and what the endpoint's answer leads to."""

    method: str
    url: str
    body: bytes
    headers: Callable[[int], dict[str, str]]  # given the attempt's time in Unix seconds
    log: Callable[[DeliveryRecord], None]
    on_gone: Callable[[], None] | None = None  # a webhook's 410 disables it
    refusals_final: bool = False  # an ATS refusing a call (4xx) refuses it again


def attempt_delivery(
    delivery: QueuedDelivery, attempt: int, endpoints: Endpoints, *, allow_loopback: bool | None = None
) -> Outcome:
    """Send ``delivery`` once (``attempt`` counts from 1) and log the attempt; what happens next.
    ``allow_loopback`` as for :func:`addresses.destination` (the local server allows it)."""
    call = _webhook_call(delivery, endpoints.webhooks) if delivery.webhook_id else _ats_call(delivery, endpoints)
    if call is None:
        return "dropped"  # deleted or disabled since the event: it receives nothing more
    started = clock.utc_now()
    try:
        where = addresses.destination(call.url, allow_loopback=allow_loopback)
    except UrlNotAllowedError as refused:
        result = sender.Attempt(None, 0, f"url_not_allowed: {refused}")
    else:
        result = sender.send(call.method, where, call.body, call.headers(int(started.timestamp())))
    call.log(
        DeliveryRecord(
            id=ids.new_id(),
            event_id=delivery.event_id,
            type=delivery.type,
            attempt=attempt,
            status_code=result.status_code,
            duration_ms=result.duration_ms,
            error=result.error,
            at=clock.to_timestamp(started),
        )
    )
    if result.succeeded:
        return "delivered"
    if result.gone and call.on_gone is not None:
        call.on_gone()
        return "disabled"
    if result.refused and call.refusals_final:
        return "refused"
    return "retry"


def _webhook_call(delivery: QueuedDelivery, webhooks: Webhooks) -> _Call | None:
    """The signed POST of an event to a webhook still active (and still the event's org's)."""
    webhook = webhooks.find_active(str(delivery.webhook_id))
    if webhook is None or webhook.org_id != delivery.org_id:
        return None
    body = delivery.body.encode()

    def headers(at: int) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            signing.EVENT_ID_HEADER: delivery.event_id,
            signing.SIGNATURE_HEADER: signing.signature(webhook.secret, at, body),
        }

    def disable() -> None:
        with contextlib.suppress(ConditionFailedError):  # deleted or disabled meanwhile: stopped all the same
            webhooks.disable(webhook.id, clock.to_timestamp(clock.utc_now()), "The endpoint answered 410 Gone")

    return _Call(
        "POST",
        webhook.url,
        body,
        headers,
        lambda record: webhooks.record_delivery(webhook.id, record),
        on_gone=disable,
    )


def _ats_call(delivery: QueuedDelivery, endpoints: Endpoints) -> _Call | None:
    """The call back to an integration's ATS, with the key it takes (decrypted for this attempt only):
    Greenhouse's empty PATCH to its callback URL, or Ashby's ``assessment.update``."""
    integration = endpoints.integrations.find_active(str(delivery.integration_id))
    if integration is None or integration.org_id != delivery.org_id:
        return None
    key = endpoints.secrets.decrypt(integration.outbound_key_ciphertext, outbound_key_context(integration.id))
    authorization = basic_authorization(key)

    def log(record: DeliveryRecord) -> None:
        endpoints.integrations.record_delivery(integration.id, record)

    if integration.kind == "greenhouse":
        if delivery.url is None:
            return None

        def greenhouse_headers(_: int) -> dict[str, str]:
            return {"Authorization": authorization, "User-Agent": ATS_USER_AGENT, "Content-Length": "0"}

        return _Call("PATCH", delivery.url, b"", greenhouse_headers, log, refusals_final=True)

    def ashby_headers(_: int) -> dict[str, str]:
        return {
            "Authorization": authorization,
            "Content-Type": "application/json",
            "Accept": ASHBY_ACCEPT,
            "User-Agent": ATS_USER_AGENT,
        }

    url = f"{endpoints.ashby_api_url.rstrip('/')}/assessment.update"
    return _Call("POST", url, delivery.body.encode(), ashby_headers, log, refusals_final=True)
