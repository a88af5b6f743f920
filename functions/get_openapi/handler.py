"""GET /v1/openapi.json: the API's OpenAPI document, to anyone (no credential)."""

from typing import Any

from aws_lambda_powertools.event_handler import content_types
from aws_lambda_powertools.event_handler.api_gateway import Response

from shared import docs
from shared.http import lambda_handler, make_resolver

app = make_resolver(__name__)

# The document changes only with a deployment.
CACHE_CONTROL = "public, max-age=300"


@app.endpoint
def get_document() -> Response[dict[str, Any]]:
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=docs.openapi_document(),
        headers={"Cache-Control": CACHE_CONTROL},
    )


handler = lambda_handler(app)
