"""POST /v1/sessions/{session_id}/extend: give a running session of the organisation more time (also
within the 60 s of grace after its deadline); its deadline moves, and completion and events follow it."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.sessions import extend_session, get_session
from shared.http import lambda_handler, make_resolver
from shared.models.sessions import ExtendSessionRequest, SessionEnvelope
from shared.observability import metrics
from shared.store.sessions import SessionStore

app = make_resolver(__name__)


@app.endpoint
def extend(session_id: str, body: Annotated[ExtendSessionRequest, Body()]) -> SessionEnvelope:
    session = extend_session(SessionStore(), app.reviewer().org_id, session_id, body, audit=app.audit_context())
    metrics.add_metric(name="SessionExtended", unit=MetricUnit.Count, value=1)
    return SessionEnvelope(session=session)


@app.on_replay
def as_now(first: dict[str, Any]) -> SessionEnvelope:
    """The extended session as it reads now (an erased candidate's without name, email or reasons)."""
    session_id = SessionEnvelope.model_validate(first).session.id
    return SessionEnvelope(session=get_session(SessionStore(), app.reviewer().org_id, session_id))


handler = lambda_handler(app)
