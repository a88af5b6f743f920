"""The event consumer in the local server: a thread reading the table's stream and handing each batch
to the same EventConsumer the Lambda function runs, delivering reported failures again as Lambda's
event source mapping does (from the first failed record, at most RETRY_ATTEMPTS times); beside it,
the webhook deliveries its events queue."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from infra.local.embedded_dynamodb import ENDPOINT_VARIABLE
from infra.local.mail import FolderMailer
from infra.local.polling import Poller
from infra.local.webhooks import local_webhooks
from shared import settings
from shared.consumer import RETRY_ATTEMPTS, EventConsumer
from shared.domain.invitations import MailSettings

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams.client import DynamoDBStreamsClient

BATCH_SIZE = 100
# Locally, invitations come from this sender unless PROMPTSTER_MAIL_FROM names one.
LOCAL_SENDER = "invitations@promptster.localhost"


def streams_client() -> DynamoDBStreamsClient:
    """A DynamoDB Streams client for where the local table lives: AWS_ENDPOINT_URL_DYNAMODB, which serves
    its streams too, else the regional endpoint (the one moto answers: not the account-based one
    botocore would choose from a stream ARN)."""
    return boto3.client(
        "dynamodbstreams",
        endpoint_url=os.environ.get(ENDPOINT_VARIABLE),
        config=Config(account_id_endpoint_mode="disabled"),
    )


def lambda_record(record: Any, stream_arn: str) -> dict[str, Any]:
    """A GetRecords record as Lambda delivers it: the stream's ARN added, the time in epoch seconds."""
    images = dict(record["dynamodb"])
    created = images.get("ApproximateCreationDateTime")
    if created is not None and not isinstance(created, int | float):
        images["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "dynamodb": images, "eventSourceARN": stream_arn}


class StreamPoller(Poller):
    """Reads every shard of ``table_name``'s stream from its oldest record."""

    def __init__(self, consumer: EventConsumer, table_name: str) -> None:
        super().__init__("stream-consumer")
        self.consumer = consumer
        self.table_name = table_name
        self._streams = streams_client()
        self._stream_arn = boto3.client("dynamodb").describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        self._iterators: dict[str, str | None] = {}  # shard id -> where to read next (None: closed)
        self._failures: dict[tuple[str, str], int] = {}  # (shard, sequence number) -> deliveries failed

    def poll(self) -> int:
        """One pass over the shards: deliver what is new, and return how many records were delivered."""
        delivered = 0
        shards = self._streams.describe_stream(StreamArn=self._stream_arn)["StreamDescription"].get("Shards", [])
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self._iterator(shard_id, "TRIM_HORIZON")
            iterator = self._iterators[shard_id]
            if iterator is None:
                continue
            response = self._streams.get_records(ShardIterator=iterator, Limit=BATCH_SIZE)
            records = response.get("Records", [])
            self._iterators[shard_id] = response.get("NextShardIterator")
            if records:
                delivered += len(records)
                self._deliver(shard_id, records)
        return delivered

    def _deliver(self, shard_id: str, records: list[Any]) -> None:
        answer = self.consumer.handle({"Records": [lambda_record(record, self._stream_arn) for record in records]})
        failed = sorted((str(failure["itemIdentifier"]) for failure in answer["batchItemFailures"]), key=int)
        if not failed:
            return
        first = (shard_id, failed[0])
        self._failures[first] = self._failures.get(first, 0) + 1
        if self._failures[first] > RETRY_ATTEMPTS:
            print(f"stream: record {failed[0]} failed {RETRY_ATTEMPTS + 1} times; skipped", file=sys.stderr)
            self._iterators[shard_id] = self._iterator(shard_id, "AFTER_SEQUENCE_NUMBER", failed[0])
        else:
            self._iterators[shard_id] = self._iterator(shard_id, "AT_SEQUENCE_NUMBER", failed[0])

    def _iterator(self, shard_id: str, kind: Any, sequence_number: str | None = None) -> str:
        position = {"SequenceNumber": sequence_number} if sequence_number is not None else {}
        response = self._streams.get_shard_iterator(
            StreamArn=self._stream_arn, ShardId=shard_id, ShardIteratorType=kind, **position
        )
        return response["ShardIterator"]


@contextmanager
def local_events(table_name: str, api_url: str, folder: Path) -> Iterator[None]:
    """Run the event consumer against ``table_name``'s stream while the block runs, its mail written
    to ``folder``, and deliver the webhooks its events queue."""
    mail = MailSettings(
        sender=settings.mail_from() or LOCAL_SENDER, api_url=api_url, cli_package=settings.cli_package()
    )
    poller = StreamPoller(EventConsumer(FolderMailer(folder), mail), table_name)
    with local_webhooks():
        poller.start()
        try:
            yield
        finally:
            poller.stop()
