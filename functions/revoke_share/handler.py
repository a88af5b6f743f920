"""DELETE /v1/sessions/{session_id}/shares/{share_id}: revoke a share link; its token opens nothing
from this moment on."""

from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.shares import revoke_share
from shared.http import lambda_handler, make_resolver
from shared.models.common import Deleted
from shared.observability import metrics
from shared.store.shares import ShareStore

app = make_resolver(__name__)


@app.endpoint
def revoke(session_id: str, share_id: str) -> Deleted:
    revoked_id = revoke_share(ShareStore(), app.reviewer().org_id, session_id, share_id, audit=app.audit_context())
    metrics.add_metric(name="ReportShareRevoked", unit=MetricUnit.Count, value=1)
    return Deleted(id=revoked_id)


handler = lambda_handler(app)
