"""The delivery queue: each message one signed POST to a customer's endpoint, retried with growing delays."""

from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.delivery_worker import DeliveryWorker
from shared.observability import capture_lambda_handler, loaded, logger

worker = DeliveryWorker()


@logger.inject_lambda_context
@capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return worker.handle(event, context)


loaded()  # the end of loading: the garbage collector runs again (see functions/__init__.py)
