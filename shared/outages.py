"""Which failures of a call to an AWS service mean the service is unavailable for now (timeouts,
connections refused or dropped, throttling, its own 5xx), as opposed to a fault in the request."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from shared.errors import UnavailableError

ResultT = TypeVar("ResultT")

_UNREACHABLE = (ConnectTimeoutError, ReadTimeoutError, EndpointConnectionError, ConnectionClosedError)
# Error codes of a service under load or failing itself: the client already retried them with backoff.
UNAVAILABLE_CODES = frozenset(
    {
        "InternalFailure",
        "InternalServerError",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ServiceUnavailable",
        "ThrottlingException",
        "Throttling",
    }
)


def unavailable(service: str, call: Callable[[], ResultT]) -> ResultT:
    """``call``'s result; UnavailableError naming ``service`` when it failed for want of the service."""
    try:
        return call()
    except _UNREACHABLE as error:
        raise UnavailableError(f"{service} did not answer in time; retry shortly") from error
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in UNAVAILABLE_CODES:
            raise UnavailableError(f"{service} is refusing requests for load; retry shortly") from error
        raise
