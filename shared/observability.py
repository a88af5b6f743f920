"""The one Logger, Tracer and Metrics every function shares."""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "assessments-api"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace="Promptster", service=SERVICE)

# Read-only requests record no business metric; an empty flush is expected, not worth a warning.
warnings.filterwarnings("ignore", message="No application metrics to publish")
