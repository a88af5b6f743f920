"""The reminder job: a function an EventBridge schedule runs every hour, which queues the one reminder of
each candidate whose unused key expires within 48 hours (the stream consumer then sends it)."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, Validations
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from constructs import Construct

from infra.constructs.function import ApiFunction, FunctionDefaults
from shared.routes import QUERY, UPDATE

REMINDERS_NAME = "send_reminders"
REMINDERS_HANDLER = "functions.send_reminders.handler.handler"
# It queries the reminder index (GSI2) and queues each due key's reminder with a conditional update.
REMINDERS_TABLE_ACTIONS = (QUERY, UPDATE)
SCHEDULE = Duration.hours(1)
# A run is three Queries and a write per reminder due: seconds, even for thousands.
REMINDERS_TIMEOUT = Duration.seconds(60)


class ReminderJob(Construct):
    """The job's function (a Query and UpdateItem on the table, no mail: the consumer sends) and its schedule."""

    def __init__(self, scope: Construct, construct_id: str, *, defaults: FunctionDefaults) -> None:
        super().__init__(scope, construct_id)
        made_up = (
            "Invoked by its hourly schedule; a run that failed (after Lambda's own retries) is made up for by the "
            "next one, which reads the whole 48-hour window again, so there is nothing to dead-letter"
        )
        self.job = ApiFunction(
            self,
            "Job",
            defaults=defaults,
            name=REMINDERS_NAME,
            handler=REMINDERS_HANDLER,
            description="Hourly: queue the reminder of each unused key expiring within 48 hours",
            table_actions=REMINDERS_TABLE_ACTIONS,
            timeout=REMINDERS_TIMEOUT,
            no_dlq_reason=made_up,
        )
        self.schedule = events.Rule(
            self,
            "Schedule",
            rule_name=defaults.deployment.name("reminders"),
            description="Runs the reminder job every hour",
            schedule=events.Schedule.rate(SCHEDULE),
            targets=[targets.LambdaFunction(self.job.target, retry_attempts=2, max_event_age=Duration.hours(1))],
        )
        Validations.of(self.schedule).acknowledge(Acknowledgment(id="Serverless-EventBusDLQ", reason=made_up))
