"""POST /v1/sessions/{session_id}/events: the candidate's tools send what happened in their running
session; each event id is stored once, however often it is sent."""

from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.telemetry import ingest_events
from shared.http import lambda_handler, make_resolver
from shared.models.telemetry import IngestRequest, IngestResult
from shared.observability import metrics
from shared.store.sessions import SessionStore
from shared.store.telemetry import TelemetryStore

app = make_resolver(__name__)


@app.endpoint
def ingest(session_id: str, body: IngestRequest) -> IngestResult:
    sent = app.current_event.body or ""
    result = ingest_events(SessionStore(), TelemetryStore(), app.candidate(), session_id, body, sent=sent)
    metrics.add_metric(name="EventsAccepted", unit=MetricUnit.Count, value=result.accepted)
    return result


handler = lambda_handler(app)
