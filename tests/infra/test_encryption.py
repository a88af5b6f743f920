"""Encryption under the customer's key (``-c customerManagedKey=true`` or ``-c kmsKeyArn=…``): the table,
every log group, the alarm topic, the queues and the functions' environment; AWS-managed keys without the option."""

from __future__ import annotations

from typing import Any

import pytest

from infra.constructs.events import CONSUMER_HANDLER, CONSUMER_SECRET_ACTIONS
from infra.constructs.webhooks import DELIVERY_HANDLER, DELIVERY_SECRET_ACTIONS
from shared.routes import ROUTES
from shared.settings import SECRETS_KEY_VARIABLE
from tests.infra.conftest import CUSTOMER_KEY_ARN, Synthesized

pytestmark = pytest.mark.infra

KEY_TYPE = "AWS::KMS::Key"


def key_reference(synthesized: Synthesized) -> Any:
    """How the template names the customer's key: the created key's ARN, or the given ARN."""
    keys = synthesized.resources(KEY_TYPE)
    if not keys:
        return CUSTOMER_KEY_ARN
    (logical_id,) = keys
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def encrypted_parts(synthesized: Synthesized) -> dict[str, list[Any]]:
    """What each kind of resource is encrypted under (None: not under a KMS key named in the template)."""
    return {
        "table": [
            (table.get("SSESpecification") or {}).get("KMSMasterKeyId")
            for table in synthesized.properties("AWS::DynamoDB::Table").values()
        ],
        "log groups": [group.get("KmsKeyId") for group in synthesized.properties("AWS::Logs::LogGroup").values()],
        "topic": [topic.get("KmsMasterKeyId") for topic in synthesized.properties("AWS::SNS::Topic").values()],
        "queues": [queue.get("KmsMasterKeyId") for queue in synthesized.properties("AWS::SQS::Queue").values()],
        "functions": [
            function.get("KmsKeyArn") for function in synthesized.properties("AWS::Lambda::Function").values()
        ],
    }


@pytest.mark.parametrize("variant", ["prod_kms", "dev_kms"])
def test_with_a_customer_key_everything_is_encrypted_under_it(variant: str, request: pytest.FixtureRequest) -> None:
    synthesized: Synthesized = request.getfixturevalue(variant)
    key = key_reference(synthesized)

    parts = encrypted_parts(synthesized)

    assert len(parts["log groups"]) >= len(parts["functions"]) + 1  # every function's and the access logs
    assert {kind: set(map(str, under)) for kind, under in parts.items()} == {kind: {str(key)} for kind in parts}
    (table,) = synthesized.properties("AWS::DynamoDB::Table").values()
    assert table["SSESpecification"]["SSEType"] == "KMS"


def test_a_created_key_rotates_and_lets_cloudwatch_logs_and_alarms_use_it(prod_kms: Synthesized) -> None:
    (key,) = prod_kms.properties(KEY_TYPE).values()

    assert key["EnableKeyRotation"] is True
    services = {
        str(statement["Principal"].get("Service")): set(statement["Action"])
        for statement in key["KeyPolicy"]["Statement"]
        if "Service" in statement["Principal"]
    }
    assert any("logs." in service and "kms:GenerateDataKey*" in actions for service, actions in services.items())
    assert any("cloudwatch.amazonaws.com" in service for service in services)
    (resource,) = prod_kms.resources(KEY_TYPE).values()
    assert resource["DeletionPolicy"] == "Retain"  # production's data and logs stay readable


def test_functions_using_the_table_may_use_the_key_and_only_with_named_actions(dev_kms: Synthesized) -> None:
    granted = [
        statement
        for policy in dev_kms.properties("AWS::IAM::Policy").values()
        for statement in policy["PolicyDocument"]["Statement"]
        if statement.get("Resource") == CUSTOMER_KEY_ARN
    ]
    # The one exception: CDK's grant to send to an encrypted queue (the stream's dead letters, webhook
    # deliveries) names KMS's data-key action families (acknowledged on those roles, on this key only).
    wildcards = [
        {action for action in statement["Action"] if "*" in action}
        for statement in granted
        if any("*" in action for action in statement["Action"])
    ]

    assert granted
    assert all(found == {"kms:GenerateDataKey*", "kms:ReEncrypt*"} for found in wildcards)


def test_without_the_option_aws_managed_keys_where_offered(prod: Synthesized) -> None:
    # The one key of the stack's own keeps the integrations' secrets, and nothing else.
    (key,) = prod.properties(KEY_TYPE).values()
    assert key["Description"] == "Promptster acme prod: ATS credentials and report links"
    assert key["EnableKeyRotation"] is True
    (table,) = prod.properties("AWS::DynamoDB::Table").values()
    assert table["SSESpecification"] == {"SSEEnabled": True}  # DynamoDB's AWS-managed key
    parts = encrypted_parts(prod)
    assert set(parts["log groups"]) == set(parts["functions"]) == {None}
    # The topic is not put under SNS's AWS-managed key: CloudWatch could not publish alarms to it.
    assert parts["topic"] == [None]
    assert all(queue["SqsManagedSseEnabled"] for queue in prod.properties("AWS::SQS::Queue").values())


@pytest.mark.parametrize("variant", ["prod", "dev"])
def test_every_function_reserves_the_default_concurrency(variant: str, request: pytest.FixtureRequest) -> None:
    synthesized: Synthesized = request.getfixturevalue(variant)

    functions = synthesized.properties("AWS::Lambda::Function").values()

    assert {function.get("ReservedConcurrentExecutions") for function in functions} == {10}


def _secrets_grants(synthesized: Synthesized, key: Any) -> dict[str, set[str]]:
    """Handler -> the KMS actions its role is granted on ``key`` beyond what the table needs, and
    ``told`` when its environment names the key as the secrets key."""
    handler_of_role = {
        props["Role"]["Fn::GetAtt"][0]: props["Handler"]
        for props in synthesized.properties("AWS::Lambda::Function").values()
    }
    found: dict[str, set[str]] = {}
    for policy in synthesized.properties("AWS::IAM::Policy").values():
        (role,) = policy["Roles"]
        for statement in policy["PolicyDocument"]["Statement"]:
            if statement.get("Resource") == key and role["Ref"] in handler_of_role:
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                found.setdefault(handler_of_role[role["Ref"]], set()).update(actions)
    for props in synthesized.properties("AWS::Lambda::Function").values():
        if props.get("Environment", {}).get("Variables", {}).get(SECRETS_KEY_VARIABLE) == key:
            found.setdefault(props["Handler"], set()).add("told")
    return found


def test_the_secrets_key_is_told_to_and_granted_for_exactly_what_each_function_does_with_it(prod: Synthesized) -> None:
    (key_id,) = prod.resources(KEY_TYPE)
    expected = {route.handler: {*route.secret_actions, "told"} for route in ROUTES if route.secret_actions}
    expected[CONSUMER_HANDLER] = {*CONSUMER_SECRET_ACTIONS, "told"}
    expected[DELIVERY_HANDLER] = {*DELIVERY_SECRET_ACTIONS, "told"}

    assert _secrets_grants(prod, {"Fn::GetAtt": [key_id, "Arn"]}) == expected


def test_with_a_customer_key_the_integrations_secrets_are_kept_under_it(dev_kms: Synthesized) -> None:
    told = {
        props["Handler"]
        for props in dev_kms.properties("AWS::Lambda::Function").values()
        if props.get("Environment", {}).get("Variables", {}).get(SECRETS_KEY_VARIABLE) == CUSTOMER_KEY_ARN
    }

    assert not dev_kms.resources(KEY_TYPE)
    assert told == {
        *(route.handler for route in ROUTES if route.secret_actions),
        CONSUMER_HANDLER,
        DELIVERY_HANDLER,
    }
