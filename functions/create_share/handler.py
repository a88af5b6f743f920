"""POST /v1/sessions/{session_id}/share: a link that opens the session's report without a credential,
for 1 to 90 days (30 by default); its URL, with the token, is in this answer only."""

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.shares import create_share
from shared.http import lambda_handler, make_resolver
from shared.models.shares import CreatedShare, CreateShareRequest
from shared.observability import metrics
from shared.store.sessions import SessionStore
from shared.store.shares import ShareStore

app = make_resolver(__name__)
app.shown_once = frozenset({"url"})


@app.endpoint
def share(session_id: str, body: Annotated[CreateShareRequest | None, Body()] = None) -> Response[CreatedShare]:
    created = create_share(
        ShareStore(),
        SessionStore(),
        app.reviewer().org_id,
        session_id,
        body,
        api_url=app.api_url(),
        audit=app.audit_context(),
    )
    metrics.add_metric(name="ReportShared", unit=MetricUnit.Count, value=1)
    return app.created(created, f"/v1/sessions/{session_id}/shares/{created.id}")


handler = lambda_handler(app)
