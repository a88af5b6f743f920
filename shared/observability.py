"""The one Logger, Tracer and Metrics every function shares."""

from __future__ import annotations

import functools
import gc
import logging
import os
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "assessments-api"
NAMESPACE = "Promptster"
# Several deployments (customers, dev and prod) may share an account and so the namespace: the stack
# tells every function its customer and stage in these variables, and each becomes a dimension.
CUSTOMER_VARIABLE = "PROMPTSTER_CUSTOMER"
STAGE_VARIABLE = "PROMPTSTER_STAGE"
# Emitted by the authorizer for each refused credential; its alarm subtracts them from its errors.
AUTHORIZATION_DENIED = "AuthorizationDenied"
# A request answered 503 because a service it needs (DynamoDB, SQS) timed out or throttled after the
# client's retries: counted apart from faults of the code, with an alarm of its own.
DEPENDENCY_UNAVAILABLE = "DependencyUnavailable"

CallableT = TypeVar("CallableT", bound=Callable[..., Any])

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


@functools.cache
def tracer() -> Tracer:
    """The Tracer, built by the first traced request rather than at import: building it loads the X-Ray
    SDK (0.07 of the bare boto3 floor, ``make bench``), which the first request needs and no import does.
    Patch only botocore (the one client the functions use): patching every supported library costs more."""
    return Tracer(service=SERVICE, patch_modules=["botocore"])


def capture_lambda_handler(handler: CallableT) -> CallableT:
    """``Tracer.capture_lambda_handler`` for a function's entry point, with the Tracer built on its first call."""
    in_segment = functools.cache(lambda: tracer().capture_lambda_handler(handler))

    @functools.wraps(handler)
    def traced_handler(*args: Any, **kwargs: Any) -> Any:
        return in_segment()(*args, **kwargs)

    return cast(CallableT, traced_handler)


# Where Lambda initializes an environment before any request reaches it (a SnapStart snapshot, provisioned
# concurrency), loading is not what a caller waits for: the Tracer is built then, and restored with it.
if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") in ("snap-start", "provisioned-concurrency"):
    tracer()


def metric_dimensions(customer: str, stage: str) -> dict[str, str]:
    """The dimensions every metric of one deployment carries (Powertools adds ``service`` itself)."""
    return {"service": SERVICE, "customer": customer, "stage": stage}


def deployment_dimensions() -> dict[str, str]:
    """The customer and stage this function was deployed for; none where the stack did not set them (locally)."""
    found = {"customer": os.environ.get(CUSTOMER_VARIABLE, ""), "stage": os.environ.get(STAGE_VARIABLE, "")}
    return {name: value for name, value in found.items() if value}


# Two environment reads: cheap enough for import time, and every flush then carries them.
metrics.set_default_dimensions(**deployment_dimensions())

# The AWS SDK's DEBUG lines carry whole requests (key codes, webhook secrets), and Powertools' own DEBUG
# lines a route's arguments (a share link's token). Whatever level the function logs at, they stay out.
for _library in ("boto3", "botocore", "urllib3", "aws_lambda_powertools"):
    logging.getLogger(_library).setLevel(logging.INFO)

# Read-only requests record no business metric; an empty flush is expected, not worth a warning.
warnings.filterwarnings("ignore", message="No application metrics to publish")


def loaded() -> None:
    """The end of a function's loading (see ``functions/__init__.py``): what it built lives as long as the
    process, so the garbage collector, off until now, never scans it again and runs on what comes after."""
    gc.freeze()
    gc.enable()


def traced(method: CallableT) -> CallableT:
    """Trace ``method`` as an X-Ray subsegment, as ``tracer.capture_method`` does, but without logging
    its exceptions at ERROR: store methods raise expected outcomes (a condition failed) that the
    domain turns into answers."""
    name = f"## {method.__qualname__}"

    @functools.wraps(method)
    def in_subsegment(*args: Any, **kwargs: Any) -> Any:
        with tracer().provider.in_subsegment(name=name):
            return method(*args, **kwargs)

    return cast(CallableT, in_subsegment)
