"""Helpers to call functions the way API Gateway does, from the same route table and event builder."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from infra.local.gateway import LambdaContext, proxy_event
from infra.local.stream import lambda_record, streams_client
from shared.auth import Candidate, Principal, Reviewer, principal_to_context
from shared.consumer import EventConsumer
from shared.domain.audit import Actor, AuditContext
from shared.domain.tokens import issue_token
from shared.mail import Message
from shared.routes import route
from shared.store.dynamo import table_name
from shared.store.tokens import TokenStore

ORG_A = Reviewer(org_id="org_a", token_name="tests", token_id="0195f39f-0a1b-7c2d-8e3f-4a5b6c7d8e9f")
ORG_B = Reviewer(org_id="org_b", token_name="tests", token_id="0195f39f-0a1b-7c2d-8e3f-4a5b6c7d8ea0")
# Who the audit log names for a change the tests make through the domain, not the API: ORG_A's token,
# or an operator (tokens).
AUDIT_A = AuditContext(Actor("token", ORG_A.token_id, ORG_A.token_name), "test-request")
OPERATOR = AuditContext(Actor.operator("tests"), "tests-setup")


@dataclass(frozen=True)
class Answer:
    """A function's answer: status, headers (one value each) and the decoded JSON body (a page's text as is)."""

    status: int
    headers: dict[str, str]
    body: Any


def call(
    route_name: str,
    principal: Principal | None = ORG_A,
    body: Any = None,
    path: dict[str, str] | None = None,
    query: str = "",
    raw_body: str | None = None,
) -> tuple[int, Any]:
    """Invoke the route's handler with the event API Gateway would send after the authorizer.

    Returns the status and the decoded JSON body."""
    answer = invoke(route_name, principal, body, path, query, raw_body)
    return answer.status, answer.body


def invoke(
    route_name: str,
    principal: Principal | None = ORG_A,
    body: Any = None,
    path: dict[str, str] | None = None,
    query: str = "",
    raw_body: str | None = None,
    headers: Sequence[tuple[str, str]] = (),
) -> Answer:
    """:func:`call` with extra request ``headers``, answering the response's headers too."""
    target = route(route_name)
    path_parameters = path or {}
    concrete_path = target.path.format(**path_parameters)
    text = raw_body if raw_body is not None else (json.dumps(body) if body is not None else "")
    event = proxy_event(
        target,
        method=target.method,
        path=concrete_path,
        query=query,
        headers=[("Content-Type", "application/json"), *headers],
        body=text.encode(),
        path_parameters=path_parameters,
        request_id="test-request",
        source_ip="127.0.0.1",
    )
    if principal is not None:
        event["requestContext"]["authorizer"] = {**principal_to_context(principal), "principalId": "x"}
    result = run(route_name, event)
    answer_headers = {name: values[-1] for name, values in (result.get("multiValueHeaders") or {}).items()}
    answer_headers.update(result.get("headers") or {})
    answered = result.get("body")
    if answer_headers.get("Content-Type", "").startswith("text/"):
        return Answer(result["statusCode"], answer_headers, answered)
    return Answer(result["statusCode"], answer_headers, json.loads(answered) if answered else None)


def run(route_name: str, event: dict[str, Any]) -> dict[str, Any]:
    """The route's Lambda handler's raw answer to ``event``."""
    module = __import__(f"functions.{route_name}.handler", fromlist=["handler"])
    result: dict[str, Any] = module.handler(event, LambdaContext(function_name=route_name))
    return result


def instant(seconds_from_now: float = 0) -> str:
    """An event time ``seconds_from_now`` away, to the millisecond: a session started just now takes
    events from a minute before it to a minute after the server's clock."""
    moment = datetime.now(UTC) + timedelta(seconds=seconds_from_now)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_token(org_id: str) -> str:
    """A real token for ``org_id``, stored in the current table."""
    return issue_token(TokenStore(), org_id, name="tests", audit=OPERATOR).token


SEED_BODY = {
    "title": "Backend API Challenge",
    "role": "Senior Backend Engineer",
    "taskBrief": "Build a webhook ingestion endpoint that validates, stores, and deduplicates incoming events.",
    "timeLimitMinutes": 120,
    "expiresInDays": 7,
}


def candidate_for(key: dict[str, Any]) -> Candidate:
    """The principal the authorizer derives from this key object's code."""
    return Candidate(org_id=key["orgId"], assessment_id=key["assessmentId"], key_id=key["id"])


def create_assessment(principal: Reviewer = ORG_A, **fields: Any) -> dict[str, Any]:
    """A new assessment (the seed's body with ``fields`` over it), as the API returned it."""
    status, payload = call("create_assessment", principal, body={**SEED_BODY, **fields})
    assert status == 201, payload
    return dict(payload["assessment"])


def generate_keys(assessment_id: str, count: int, principal: Reviewer = ORG_A, **fields: Any) -> list[dict[str, Any]]:
    """``count`` new keys for the assessment, as the API returned them."""
    status, payload = call(
        "generate_keys", principal, body={"count": count, **fields}, path={"assessment_id": assessment_id}
    )
    assert status == 201, payload
    return list(payload["keys"])


# The session object's fields: one shape for both audiences, the candidate's without the score.
SESSION_FIELDS = {
    "id",
    "assessmentId",
    "keyId",
    "orgId",
    "candidateEmail",
    "candidateName",
    "status",
    "startedAt",
    "deadline",
    "completedAt",
    "durationSeconds",
    "submission",
    "erasedAt",
    "extensions",
}
REVIEWER_FIELDS = SESSION_FIELDS | {"score", "signals", "tools"}
CANDIDATE_FIELDS = SESSION_FIELDS | {"remainingSeconds"}

# A key's fields, as the generate and list answers show them.
KEY_FIELDS = {
    "id",
    "key",
    "assessmentId",
    "orgId",
    "candidateEmail",
    "candidateName",
    "status",
    "sessionId",
    "expiresAt",
    "redeemedAt",
    "completedAt",
    "createdAt",
    "invite",
    "erasedAt",
    "extraMinutes",
}


class Stream:
    """The table's stream, read from where the last read stopped, as Lambda-delivered records."""

    def __init__(self) -> None:
        self.arn = boto3.client("dynamodb").describe_table(TableName=table_name())["Table"]["LatestStreamArn"]
        self.client = streams_client()
        shard = self.client.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"][0]["ShardId"]
        self.iterator = self.client.get_shard_iterator(
            StreamArn=self.arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]

    def new_records(self) -> list[dict[str, Any]]:
        response = self.client.get_records(ShardIterator=self.iterator)
        self.iterator = response["NextShardIterator"]
        return [lambda_record(record, self.arn) for record in response["Records"]]


def deliver(records: list[dict[str, Any]], consumer: EventConsumer) -> list[str]:
    """Hand a batch to the consumer; the sequence numbers it asks to have delivered again."""
    answer = consumer.handle({"Records": records})
    return [str(failure["itemIdentifier"]) for failure in answer["batchItemFailures"]]


class RecordingMailer:
    """Keeps every message; refuses the addresses in ``failing`` as a throttled service would."""

    def __init__(self) -> None:
        self.sent: list[Message] = []
        self.failing: set[str] = set()

    def send(self, message: Message) -> None:
        if message.recipient in self.failing:
            raise ConnectionError("SES did not answer")
        self.sent.append(message)
