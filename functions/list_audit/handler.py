"""GET /v1/audit: the organisation's audit log, newest first, one page at a time: every change its
tokens and operators made, of one resource (resource=<type>:<id>) or one action if asked."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.domain.audit import list_audit
from shared.http import lambda_handler, make_resolver
from shared.models.audit import RESOURCE_FILTER_PATTERN, AuditAction, AuditPage
from shared.models.paging import Cursor, limit_description
from shared.store.audit import AuditStore

app = make_resolver(__name__)


@app.endpoint
def list_page(
    limit: Annotated[int, Query(ge=1, le=100, description=limit_description(50, 100))] = 50,
    cursor: Cursor = None,
    resource: Annotated[
        str | None,
        Query(
            pattern=RESOURCE_FILTER_PATTERN,
            description="Only the records of one resource, as `<type>:<id>`: its UUID (e.g. `key:0195f3a2-…`), or "
            "for an erasure `candidate:` and the SHA-256 (hex) of the email, lower-cased and trimmed.",
            examples=["assessment:01234567-89ab-cdef-0123-456789abcdef"],
        ),
    ] = None,
    action: Annotated[AuditAction | None, Query(description="Only the records of one action.")] = None,
) -> AuditPage:
    records, next_cursor = list_audit(
        AuditStore(), app.reviewer().org_id, limit, cursor, resource=resource, action=action
    )
    return AuditPage(records=records, next_cursor=next_cursor)


handler = lambda_handler(app)
