"""The hourly reminder job (an EventBridge schedule): queue the one reminder of each candidate whose unused
key expires within 48 hours; the stream consumer sends them, as it sends invitations."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import clock
from shared.domain.reminders import queue_reminders
from shared.observability import capture_lambda_handler, loaded, logger, metrics
from shared.store.candidate_keys import ReminderStore


@logger.inject_lambda_context
@capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    run = queue_reminders(ReminderStore(), clock.utc_now())
    metrics.add_metric(name="RemindersQueued", unit=MetricUnit.Count, value=run.queued)
    logger.info("Reminders queued", extra={"found": run.found, "queued": run.queued})
    return {"found": run.found, "queued": run.queued}


loaded()  # the end of loading: the garbage collector runs again (see functions/__init__.py)
