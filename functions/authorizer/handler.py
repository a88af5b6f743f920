"""The Lambda REQUEST authorizer: credentials in, an IAM policy and the caller's identity out.

The policy allows every route of the API, so API Gateway's cached answer holds for whichever
route the caller uses next; each handler then checks that this kind of caller may use it."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.auth import Principal, principal_to_context
from shared.domain.access import authenticate
from shared.errors import UnauthorizedError
from shared.observability import AUTHORIZATION_DENIED, capture_lambda_handler, loaded, logger, metrics
from shared.routes import find_route
from shared.store.credentials import CredentialStore

# The exact message API Gateway turns into a 401 (Gateway Response UNAUTHORIZED).
UNAUTHORIZED = "Unauthorized"


@logger.inject_lambda_context
@capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    route = find_route(str(event.get("httpMethod")), str(event.get("resource")))
    try:
        if route is None:
            raise UnauthorizedError("No route has this method and resource")
        principal = authenticate(event.get("headers") or {}, route.auth, CredentialStore())
    except UnauthorizedError as denied:
        logger.info("Denied", extra={"reason": denied.message, "path": event.get("path")})
        metrics.add_metric(name=AUTHORIZATION_DENIED, unit=MetricUnit.Count, value=1)
        raise Exception(UNAUTHORIZED) from None
    logger.info("Authorized", extra=principal_to_context(principal))
    return _allow_every_route(principal, event["methodArn"])


# API Gateway's authorizer answer, written out rather than built with Powertools' authorizer data classes:
# importing those runs the whole data_classes package, 0.06 of the boto3 floor on every cold start.
def _allow_every_route(principal: Principal, method_arn: str) -> dict[str, Any]:
    """Allow ``principal`` every method of every resource of the stage ``method_arn`` belongs to."""
    api, _, stage_and_route = method_arn.partition("/")  # arn:…:{api id} / {stage}/{method}/{resource}
    every_route = f"{api}/{stage_and_route.partition('/')[0]}/*/*"
    statement = {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": [every_route]}
    return {
        "principalId": principal.org_id,
        "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        "context": principal_to_context(principal),
    }


loaded()  # the end of loading: the garbage collector runs again (see functions/__init__.py)
