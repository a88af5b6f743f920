"""GET /v1/issues/{issue_id}: one issue of the curated OSS catalog."""

from shared import catalog
from shared.errors import NotFoundError
from shared.http import lambda_handler, make_resolver
from shared.models.issues import IssueEnvelope

app = make_resolver(__name__)


@app.endpoint
def get(issue_id: str) -> IssueEnvelope:
    issue = catalog.find_issue(issue_id)
    if issue is None:
        raise NotFoundError(f"No catalog issue has id {issue_id!r}")
    return IssueEnvelope(issue=issue)


handler = lambda_handler(app)
