"""The table's stream: domain events from committed changes, and their side effects (invitations)."""

from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.consumer import EventConsumer
from shared.mail import SesMailer
from shared.observability import capture_lambda_handler, loaded, logger

consumer = EventConsumer(SesMailer())


@logger.inject_lambda_context
@capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consumer.handle(event, context)


loaded()  # the end of loading: the garbage collector runs again (see functions/__init__.py)
