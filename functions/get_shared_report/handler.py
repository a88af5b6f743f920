"""GET /v1/reports/{token}: the report a share link opens, to anyone holding it (no credential): that
session's page alone, without the candidate's email. An unknown, expired or revoked token is a 404."""

from aws_lambda_powertools.event_handler.api_gateway import Response

from shared.domain.reports import shared_report
from shared.http import lambda_handler, make_resolver
from shared.reports.render import report_response
from shared.store.assessments import AssessmentStore
from shared.store.sessions import SessionStore
from shared.store.shares import ShareStore
from shared.store.telemetry import TelemetryStore

app = make_resolver(__name__)


@app.endpoint
def shared(token: str) -> Response[str]:
    return report_response(shared_report(ShareStore(), SessionStore(), AssessmentStore(), TelemetryStore(), token))


handler = lambda_handler(app)
