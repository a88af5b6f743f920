"""The event consumer: a batch of the table's stream records in, domain events out, each acted on
(``key.created``: the invitation; ``timeline.erasing``: a pass over an erased session's events; the
session and assessment events: a delivery queued for each of the org's webhooks that takes them, with a
report link made for those that ask for one). One failing record is reported alone, so the rest of its
batch is not held back."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from shared import clock, settings
from shared.domain.erasure import erase_timeline
from shared.domain.events import Change, ChangeKind, events_of
from shared.domain.invitations import MailSettings, send_invitation
from shared.domain.ports import DeliveryQueue, Mailer, Shares, Webhooks
from shared.domain.webhook_events import ReportLinks, deliveries_for
from shared.store import dynamo
from shared.store.assessments import AssessmentStore
from shared.store.candidate_keys import InviteStore
from shared.store.erasure import ErasureStore
from shared.store.shares import ShareStore
from shared.store.telemetry import TelemetryStore
from shared.store.webhooks import WebhookStore
from shared.webhooks import queue

# How many times a failing record is delivered again before it goes to the dead-letter queue.
RETRY_ATTEMPTS = 5


def change_of(record: DynamoDBRecord) -> Change:
    """The committed change a stream record reports, its images decoded as the store decodes items."""
    images = record.raw_event.get("dynamodb", {})
    kind: ChangeKind = record.raw_event["eventName"]
    old, new = images.get("OldImage"), images.get("NewImage")
    return Change(kind, dynamo.deserialize(old) if old else None, dynamo.deserialize(new) if new else None)


class EventConsumer:
    """Acts on the events of stream batches, sending mail through ``mailer`` as ``mail`` says (else as
    the environment does)."""

    def __init__(
        self,
        mailer: Mailer,
        mail: MailSettings | None = None,
        webhooks: Webhooks | None = None,
        deliveries: DeliveryQueue | None = None,
        shares: Shares | None = None,
    ) -> None:
        self.mailer = mailer
        self.mail = mail
        self.assessments = AssessmentStore()
        self.invites = InviteStore()
        self.erasures = ErasureStore()
        self.telemetry = TelemetryStore()
        self.webhooks = webhooks or WebhookStore()
        self.deliveries = deliveries or queue.DeliveryQueue()
        self.shares = shares or ShareStore()

    def handle(self, batch: dict[str, Any], context: Any = None) -> PartialItemFailureResponse:
        """Process one batch; the answer lists the records to deliver again (Lambda's partial batch response)."""
        # One processor a batch: it keeps the batch's outcomes, and the local consumer runs beside the API.
        processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
        return process_partial_response(event=batch, record_handler=self._record, processor=processor, context=context)

    def _record(self, record: DynamoDBRecord) -> None:
        mail = self.mail or MailSettings(
            sender=settings.mail_from(), api_url=settings.api_url(), cli_package=settings.cli_package()
        )
        # Report links in webhook deliveries point at the API the invitations name.
        reports = ReportLinks(self.shares, mail.api_url)
        for event in events_of(change_of(record)):
            key = event.invitation
            if key is not None:
                send_invitation(key, self.assessments, self.invites, self.mailer, mail)
            if event.erasure is not None:
                erase_timeline(self.erasures, self.telemetry, *event.erasure)
            self.deliveries.send(deliveries_for(event, self.webhooks, self.assessments, clock.utc_now(), reports))
