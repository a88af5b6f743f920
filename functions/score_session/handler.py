"""PUT /v1/sessions/{session_id}/score: score a finished session against its assessment's rubric."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.sessions import score_session
from shared.http import lambda_handler, make_resolver
from shared.models.sessions import ScoreSessionRequest, SessionEnvelope
from shared.observability import metrics
from shared.store.sessions import SessionStore

app = make_resolver(__name__)


@app.endpoint
def score(session_id: str, body: Annotated[ScoreSessionRequest, Body()]) -> SessionEnvelope:
    session = score_session(SessionStore(), app.reviewer().org_id, session_id, body, audit=app.audit_context())
    metrics.add_metric(name="SessionScored", unit=MetricUnit.Count, value=1)
    return SessionEnvelope(session=session)


handler = lambda_handler(app)
