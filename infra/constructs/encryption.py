"""The customer managed KMS key a deployment encrypts under, when it asks for one."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.constructs.common import removal_policy
from infra.deployment import Deployment


def customer_key(scope: Construct, deployment: Deployment) -> kms.IKey | None:
    """``kmsKeyArn``'s key, a new key with ``customerManagedKey=true``, else None (AWS-owned and
    AWS-managed keys)."""
    if deployment.kms_key_arn is not None:
        return kms.Key.from_key_arn(scope, "CustomerKey", deployment.kms_key_arn)
    if not deployment.customer_managed_key:
        return None
    key = kms.Key(
        scope,
        "DataKey",
        alias=f"alias/{deployment.prefix}",
        description=f"Promptster {deployment.customer} {deployment.stage}: table, logs, alarm topic, function settings",
        enable_key_rotation=True,
        rotation_period=Duration.days(365),
        # Deleting the key would make retained data and logs unreadable: it stays with them.
        removal_policy=removal_policy(deployment),
        pending_window=Duration.days(30),
    )
    allow_services(key)
    return key


def allow_services(key: kms.Key) -> None:
    """Let the services that use the key on the stack's behalf (not through a role of the stack) use it:
    CloudWatch Logs for its log groups, CloudWatch alarms publishing to the encrypted topic, SNS
    delivering from it. The functions' roles are granted what they use in IAM (the key's default policy
    lets the account's IAM policies grant it)."""
    stack = Stack.of(key)
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="CloudWatchLogsEncryptsTheLogGroups",
            principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            resources=["*"],
            conditions={
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name="*",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                }
            },
        )
    )
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AlarmsPublishThroughTheTopic",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com"), iam.ServicePrincipal("sns.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],
            conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
        )
    )


def secrets_key(scope: Construct, deployment: Deployment, customer: kms.IKey | None) -> kms.IKey:
    """The key an ATS's credentials and the report links made for an ATS are encrypted under, in the table:
    the customer's key where the deployment has one; else a key of the stack's own, for that alone (with
    rotation; about one dollar a month, and each Encrypt or Decrypt a KMS request)."""
    if customer is not None:
        return customer
    return kms.Key(
        scope,
        "SecretsKey",
        alias=f"alias/{deployment.prefix}-secrets",
        description=f"Promptster {deployment.customer} {deployment.stage}: ATS credentials and report links",
        enable_key_rotation=True,
        rotation_period=Duration.days(365),
        # Deleting it would make every stored ATS credential unreadable: it stays with the table.
        removal_policy=removal_policy(deployment),
        pending_window=Duration.days(30),
    )
