"""GET /v1/issues/{issue_id}: one issue of the curated OSS catalog."""

from shared import catalog
from shared.errors import NotFoundError
from shared.http import lambda_handler, make_resolver, reviewer
from shared.models.issues import IssueEnvelope
from shared.routes import route

ROUTE = route("get_issue")
app = make_resolver()


@app.route(ROUTE.resolver_path, method=ROUTE.method, summary=ROUTE.summary)
def get(issue_id: str) -> IssueEnvelope:
    reviewer(app)
    issue = catalog.find_issue(issue_id)
    if issue is None:
        raise NotFoundError(f"No catalog issue has id {issue_id!r}")
    return IssueEnvelope(issue=issue)


handler = lambda_handler(app)
