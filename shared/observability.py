"""The one Logger, Tracer and Metrics every function shares."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "assessments-api"

CallableT = TypeVar("CallableT", bound=Callable[..., Any])

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace="Promptster", service=SERVICE)

# Read-only requests record no business metric; an empty flush is expected, not worth a warning.
warnings.filterwarnings("ignore", message="No application metrics to publish")


def traced(method: CallableT) -> CallableT:
    """Trace ``method`` as an X-Ray subsegment, as ``tracer.capture_method`` does, but without logging
    its exceptions at ERROR: store methods raise expected outcomes (a condition failed) that the
    domain turns into answers."""
    name = f"## {method.__qualname__}"

    @functools.wraps(method)
    def in_subsegment(*args: Any, **kwargs: Any) -> Any:
        with tracer.provider.in_subsegment(name=name):
            return method(*args, **kwargs)

    return cast(CallableT, in_subsegment)
