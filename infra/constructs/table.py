"""The single DynamoDB table, keyed exactly as the store and the local server expect."""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.checkov import TABLE_KEY, skip_checks
from infra.constructs.common import removal_policy
from infra.deployment import Deployment
from shared.store.schema import INDEXES, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE


class Table(Construct):
    """On-demand, encrypted (under the customer's key if given), point-in-time recoverable; production
    keeps it whatever happens to the stack."""

    def __init__(
        self, scope: Construct, construct_id: str, *, deployment: Deployment, key: kms.IKey | None = None
    ) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.Table(
            self,
            "Table",
            table_name=deployment.prefix,
            partition_key=dynamodb.Attribute(name=PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=SORT_KEY, type=dynamodb.AttributeType.STRING),
            # Pay per request: an idle customer costs storage only.
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            # Idempotency records, webhook delivery attempts and audit records expire through it.
            time_to_live_attribute=TTL_ATTRIBUTE,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED if key else dynamodb.TableEncryption.AWS_MANAGED,
            encryption_key=key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            # Every committed change, before and after, for the event consumer (shared/consumer.py).
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            deletion_protection=deployment.production,
            removal_policy=removal_policy(deployment),
        )
        # The overloaded indexes of shared/store/schema.py. CloudFormation adds one index a stack update, so
        # a stack from before GSI2 gains it in one update (DynamoDB builds it from the items that carry
        # its attributes: none did before).
        for index_name, (partition_key, sort_key) in INDEXES.items():
            self.table.add_global_secondary_index(
                index_name=index_name,
                partition_key=dynamodb.Attribute(name=partition_key, type=dynamodb.AttributeType.STRING),
                sort_key=dynamodb.Attribute(name=sort_key, type=dynamodb.AttributeType.STRING),
                projection_type=dynamodb.ProjectionType.ALL,
            )
        if key is None:
            skip_checks(self.table, TABLE_KEY)
