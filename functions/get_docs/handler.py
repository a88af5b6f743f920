"""GET /v1/docs: the API's reference as a web page, rendered from its OpenAPI document, to anyone."""

from aws_lambda_powertools.event_handler import content_types
from aws_lambda_powertools.event_handler.api_gateway import Response

from shared import docs
from shared.http import lambda_handler, make_resolver

app = make_resolver(__name__)

CACHE_CONTROL = "public, max-age=300"


@app.endpoint
def get_page() -> Response[str]:
    return Response(
        status_code=200,
        content_type=f"{content_types.TEXT_HTML}; charset=utf-8",
        body=docs.docs_html(),
        headers={"Cache-Control": CACHE_CONTROL},
    )


handler = lambda_handler(app)
