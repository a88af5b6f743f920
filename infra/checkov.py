"""The checkov checks that do not apply to this stack, each with why, skipped in the resource's own metadata
(``Metadata: checkov: skip``) so a scan of the synthesized template reports none of them as failed."""

from __future__ import annotations

from aws_cdk import CfnResource
from constructs import IConstruct

# No function is invoked asynchronously: a dead-letter queue on the function would never receive anything.
LAMBDA_DLQ = (
    "CKV_AWS_116",
    "Never invoked asynchronously: API Gateway calls synchronously, the stream consumer's mapping sends what it "
    "gives up on to its own on-failure queue, and the webhook queue's redrive policy dead-letters failed deliveries",
)
LAMBDA_VPC = (
    "CKV_AWS_117",
    "Reaches AWS service APIs (DynamoDB, SES, SQS) over HTTPS with IAM, and customers' public webhook endpoints; "
    "no private network resource, so no VPC",
)
LAMBDA_ENVIRONMENT_KEY = (
    "CKV_AWS_173",
    "No secrets in the environment; encrypted with Lambda's AWS-managed key (-c customerManagedKey=true for one's own)",
)
LOG_GROUP_KEY = (
    "CKV_AWS_158",
    "Encrypted by CloudWatch Logs with its own keys; -c customerManagedKey=true or kmsKeyArn=… for the customer's",
)
TABLE_KEY = (
    "CKV_AWS_119",
    "Encrypted with DynamoDB's AWS-managed key; -c customerManagedKey=true or kmsKeyArn=… for the customer's",
)
TOPIC_KEY = (
    "CKV_AWS_26",
    "Alarm notifications only; SNS's AWS-managed key would stop CloudWatch publishing, a customer key is an option",
)
QUEUE_KEY = (
    "CKV_AWS_27",
    "Encrypted with SQS-managed keys (SSE-SQS), which checkov does not read; a customer key is an option",
)
STAGE_CACHE = (
    "CKV_AWS_120",
    "Every answer is per caller and changes with each write: a cache would serve stale or another caller's data",
)
PUBLIC_METHOD = (
    "CKV_AWS_59",
    "Public on purpose: the API's own description, a CORS preflight, or a share link's report (the token in "
    "its path is the credential, and its function may read no credential of the table)",
)


def skip_checks(construct: IConstruct, *checks: tuple[str, str]) -> None:
    """Skip ``checks`` (id, reason) on the CloudFormation resource ``construct`` is or wraps, keeping any
    skipped before."""
    resource = construct if isinstance(construct, CfnResource) else construct.node.default_child
    assert isinstance(resource, CfnResource), f"{construct.node.path} is not a CloudFormation resource"
    skipped = list((resource.get_metadata("checkov") or {}).get("skip", []))
    skipped += [{"id": check_id, "comment": reason} for check_id, reason in checks]
    resource.add_metadata("checkov", {"skip": skipped})


# Every check skipped somewhere in the stack (the README lists them).
SKIPPED_CHECKS = (
    LAMBDA_DLQ,
    LAMBDA_VPC,
    LAMBDA_ENVIRONMENT_KEY,
    LOG_GROUP_KEY,
    TABLE_KEY,
    TOPIC_KEY,
    QUEUE_KEY,
    STAGE_CACHE,
    PUBLIC_METHOD,
)
