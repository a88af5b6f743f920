"""The CDK app: ``cdk synth -c customer=acme -c stage=prod``, or ``python -m infra.app -c customer=acme``.

Every stack is checked by cdk-nag (AWS Solutions and Serverless packs) as it is synthesized:
an unacknowledged finding fails the synthesis."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from infra.deployment import Deployment, DeploymentError
from infra.paths import REPO_ROOT
from infra.stack import AssessmentsStack

MAIL_NOT_CONFIGURED_NOTE = (
    "Note: no mailFrom given, so invitation emails are not sent (keys read invite.status failed, "
    "error mail_not_configured); add -c mailFrom=hiring@example.com, an SES identity verified in the account"
)


def cdk_json_context() -> dict[str, Any]:
    """The context ``cdk.json`` gives the CLI (feature flags), so a direct run synthesizes the same template."""
    context: dict[str, Any] = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    return context


def build_app(context: Mapping[str, Any] | None = None, outdir: str | None = None) -> App:
    """The app with the one stack its context describes (``customer``, ``stage``, ``alarmEmail``, ``waf``,
    ``wafRateLimit``, ``snapStart``, ``mailFrom``: see :meth:`Deployment.from_context`)."""
    app = App(context=dict(context or {}), outdir=outdir)
    deployment = Deployment.from_context(app.node.try_get_context)
    AssessmentsStack(app, deployment.stack_name, deployment=deployment)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    return app


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m infra.app", description="Synthesize the stack, as cdk synth does.")
    parser.add_argument("-c", "--context", action="append", default=[], metavar="KEY=VALUE", help="e.g. customer=acme")
    parser.add_argument("-o", "--output", default=str(REPO_ROOT / "cdk.out"), help="cloud assembly directory")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    pairs = [entry.partition("=") for entry in arguments.context]
    if any(not key or not separator for key, separator, _ in pairs):
        parser.error("context entries are KEY=VALUE")
    # The CDK CLI passes context and the output directory in the environment; a direct run reads
    # cdk.json's context itself so that it synthesizes the same template.
    run_by_cli = "CDK_OUTDIR" in os.environ
    context = {} if run_by_cli else cdk_json_context()
    context.update({key: value for key, _, value in pairs})
    try:
        app = build_app(context, outdir=None if run_by_cli else arguments.output)
    except DeploymentError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    assembly = app.synth()
    if not run_by_cli:
        print(f"Synthesized {', '.join(stack.stack_name for stack in assembly.stacks)} into {assembly.directory}")
    if Deployment.from_context(app.node.try_get_context).mail_from is None:
        print(MAIL_NOT_CONFIGURED_NOTE, file=sys.stderr if run_by_cli else sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
