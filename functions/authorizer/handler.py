"""The Lambda REQUEST authorizer: credentials in, an IAM policy and the caller's identity out.

The policy allows every route of the API, so API Gateway's cached answer holds for whichever
route the caller uses next; each handler then checks that this kind of caller may use it."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
    APIGatewayAuthorizerResponse,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.auth import principal_to_context
from shared.domain.access import authenticate
from shared.errors import UnauthorizedError
from shared.observability import AUTHORIZATION_DENIED, loaded, logger, metrics, tracer
from shared.routes import find_route
from shared.store.candidate_keys import CandidateKeyStore
from shared.store.credentials import CredentialStore
from shared.store.tokens import TokenStore

# The exact message API Gateway turns into a 401 (Gateway Response UNAUTHORIZED).
UNAUTHORIZED = "Unauthorized"


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = APIGatewayAuthorizerRequestEvent(event)
    route = find_route(str(event.get("httpMethod")), str(event.get("resource")))
    try:
        if route is None:
            raise UnauthorizedError("No route has this method and resource")
        principal = authenticate(
            request.headers or {}, route.auth, TokenStore(), CandidateKeyStore(), CredentialStore()
        )
    except UnauthorizedError as denied:
        logger.info("Denied", extra={"reason": denied.message, "path": event.get("path")})
        metrics.add_metric(name=AUTHORIZATION_DENIED, unit=MetricUnit.Count, value=1)
        raise Exception(UNAUTHORIZED) from None
    logger.info("Authorized", extra=principal_to_context(principal))
    method_arn = request.parsed_arn
    response = APIGatewayAuthorizerResponse(
        principal_id=principal.org_id,
        region=method_arn.region,
        aws_account_id=method_arn.aws_account_id,
        api_id=method_arn.api_id,
        stage=method_arn.stage,
        context=principal_to_context(principal),
    )
    response.allow_all_routes()
    return response.asdict()


loaded()  # the end of loading: the garbage collector runs again (see functions/__init__.py)
