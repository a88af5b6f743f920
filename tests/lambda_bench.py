"""Cold start and warm overhead of every function, measured as Lambda runs it (``make bench``).

Each function is its real code asset from the synthesized template (bytecode included), imported by a
fresh interpreter of a runtime-only virtual environment (the lock's runtime dependencies, nothing dev,
on the Python version the template deploys) with the function's Lambda environment variables, dummy
credentials and its handler string. Its cold start is set against the floor,
``import boto3; boto3.client("dynamodb")``, two ways:

- instructions executed, counted once each under valgrind: the machine's load cannot move them, so a
  gain of a few percent shows (repeat counts agree within 0.1%);
- wall-clock medians, the floor run in the same environment just before each function so both see the
  same load: what a user waits, but on a shared machine a ratio swings by several tenths.

What a first request and a warm request do to DynamoDB is recorded once against the embedded DynamoDB,
then replayed: over HTTP on 127.0.0.1 for the cold invocation, from memory for the warm ones.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from infra.local.embedded_dynamodb import local_dynamodb
from infra.local.gateway import LambdaContext, proxy_event
from infra.local.secrets import local_secrets_key
from infra.local.stream import lambda_record, streams_client
from shared import clock, secrets
from shared.auth import Candidate, Integration, Reviewer, principal_to_context
from shared.catalog import all_issues
from shared.domain.audit import Actor, AuditContext
from shared.domain.candidate_keys import generate_keys
from shared.domain.tokens import issue_token
from shared.ids import new_id
from shared.models.candidate_keys import GenerateKeysRequest
from shared.models.webhooks import WEBHOOK_EVENT_TYPES
from shared.routes import AUTHORIZER_HANDLER, ROUTES, Route, route
from shared.store import dynamo
from shared.store.assessments import AssessmentStore
from shared.store.candidate_keys import CandidateKeyStore
from shared.store.tokens import TokenStore
from shared.store.webhooks import WebhookRecord, WebhookStore
from shared.webhooks.queue import Delivery
from shared.webhooks.signing import new_secret
from tests.support import OPERATOR, SEED_BODY

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / ".bench"
PROBE = Path(__file__).with_name("lambda_probe.py")
TABLE_NAME = "promptster-bench"
REGION = "eu-west-1"
AUTHORIZER = "authorizer"
STREAM_CONSUMER = "stream_consumer"
WEBHOOK_DELIVERY = "webhook_delivery"
SEND_REMINDERS = "send_reminders"
FLOOR = "floor"
# The routes whose answer is an HTML page, not JSON.
PAGES = ("get_docs", "get_report", "get_shared_report")
# A sampled X-Ray trace, as Lambda hands one to a function with active tracing.
TRACE_ID = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


@dataclass(frozen=True)
class Function:
    """One Lambda function as the template deploys it."""

    name: str
    handler: str
    asset: Path
    memory_mb: int
    variables: Mapping[str, str]
    runtime: str  # "python3.12"


@dataclass
class Scenario:
    """One request of a function: its event and the DynamoDB answers it got, in order."""

    event: dict[str, Any]
    responses: list[dict[str, Any]] = field(default_factory=list)
    status: int | None = None


# Synthesis -------------------------------------------------------------------------------------


def synthesized_functions(python: str, runtime_python: str) -> tuple[list[Function], str]:
    """Every function of the synthesized stack, or of the working tree (compiled by ``runtime_python``)
    when synthesis fails."""
    outdir = BENCH_DIR / "cdk.out"
    shutil.rmtree(outdir, ignore_errors=True)
    environment = {**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true"}
    command = [python, "-m", "infra.app", "-c", "customer=bench", "-c", "stage=dev", "-o", str(outdir)]
    done = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, check=False)
    templates = sorted(
        path for path in outdir.glob("*.template.json") if not path.name.endswith(".nested.template.json")
    )
    if done.returncode != 0 or not templates:
        reason = (done.stderr.strip().splitlines() or ["no template"])[-1]
        return _working_tree_functions(runtime_python), f"synthesis failed ({reason}): measuring the working tree"
    # The stack's own template and its nested stacks' (the integrations and ATS functions live in one).
    resources = [
        resource
        for path in sorted(outdir.glob("*.template.json"))
        for resource in json.loads(path.read_text())["Resources"].values()
    ]
    functions = []
    for resource in resources:
        properties = resource.get("Properties", {})
        if resource["Type"] != "AWS::Lambda::Function" or not properties.get("Handler", "").startswith("functions."):
            continue  # not one of the API's functions (a CDK custom resource, say)
        handler = properties["Handler"]
        asset = outdir / f"asset.{properties['Code']['S3Key'].removesuffix('.zip')}"
        variables = properties.get("Environment", {}).get("Variables", {})
        functions.append(
            Function(
                name=_function_name(handler),
                handler=handler,
                asset=asset,
                memory_mb=int(properties.get("MemorySize", 128)),
                # References (the table name) resolve to plain strings here.
                variables={key: value if isinstance(value, str) else TABLE_NAME for key, value in variables.items()},
                runtime=properties["Runtime"],
            )
        )
    return sorted(functions, key=lambda function: function.name), f"code assets synthesized into {outdir}"


def _function_name(handler: str) -> str:
    return handler.split(".")[1]


def _working_tree_functions(runtime_python: str) -> list[Function]:
    """The fallback: ``functions/`` and ``shared/`` copied as the asset and compiled as synthesis compiles
    them (by the runtime's Python), the stack's variables by hand."""
    asset = BENCH_DIR / "working-tree-asset"
    shutil.rmtree(asset, ignore_errors=True)
    for package in ("functions", "shared"):
        shutil.copytree(ROOT / package, asset / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    compile_all = [
        runtime_python,
        "-m",
        "compileall",
        "-q",
        "--invalidation-mode",
        "unchecked-hash",
        "functions",
        "shared",
    ]
    subprocess.run(compile_all, cwd=asset, check=True)
    runtime = python_version(runtime_python)
    variables = {
        "TABLE_NAME": TABLE_NAME,
        "POWERTOOLS_SERVICE_NAME": "assessments-api",
        "POWERTOOLS_METRICS_NAMESPACE": "Promptster",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
    }
    handlers = [AUTHORIZER_HANDLER, *(each.handler for each in ROUTES)]
    return sorted(
        (Function(_function_name(handler), handler, asset, 512, variables, runtime) for handler in handlers),
        key=lambda function: function.name,
    )


def python_version(python: str) -> str:
    """``python3.12``: the Lambda runtime name of the interpreter ``python``."""
    version = "import sys; print(f'python{sys.version_info[0]}.{sys.version_info[1]}')"
    return subprocess.run([python, "-c", version], capture_output=True, text=True, check=True).stdout.strip()


# Scenarios: one realistic request per function, and what DynamoDB answered ---------------------

REVIEWER = Reviewer(org_id="org_bench", token_name="bench", token_id="0195f39f-0a1b-7c2d-8e3f-4a5b6c7d8ebe")
RUBRIC = {"name": "Backend", "criteria": [{"name": "Correctness", "weight": 60}, {"name": "Tests", "weight": 40}]}
SCORE = {"criteria": [{"name": "Correctness", "score": 80}, {"name": "Tests", "score": 90.5}]}
# The list route's page: 100 full assessments (an issue snapshot and a rubric on each).
PAGE = 100
# The largest batch a candidate's client sends, and so the timeline's page.
EVENT_BATCH = 100


def _events() -> list[dict[str, Any]]:
    """The batch, a millisecond apart from now: within the session just started."""
    start = datetime.now(UTC)
    return [
        {
            "id": f"00000000-0000-4000-8000-{index:012}",
            "type": "prompt",
            "at": (start + timedelta(milliseconds=index)).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "source": "hook",
            "data": {"text": "Write a test for the retry path", "tokens": 412},
        }
        for index in range(EVENT_BATCH)
    ]


class _Recorder:
    """Records every DynamoDB (and KMS) response (service, operation, status, raw body) while ``recording``."""

    def __init__(self) -> None:
        self.responses: list[dict[str, Any]] | None = None

    def __call__(self, model: Any, http_response: Any, **_: Any) -> None:
        if self.responses is not None:
            body = http_response.content.decode() if http_response.content else ""
            service = model.service_model.service_name
            answer = {"service": service, "operation": model.name, "status": http_response.status_code, "body": body}
            self.responses.append(answer)


def _event(
    target: Route, principal: Reviewer | Candidate | Integration, path: dict[str, str], body: Any, query: str
) -> dict[str, Any]:
    event = proxy_event(
        target,
        method=target.method,
        path=target.path.format(**path),
        query=query,
        headers=[("Content-Type", "application/json")],
        body=json.dumps(body).encode() if body is not None else b"",
        path_parameters=path,
        request_id="bench-request",
        source_ip="127.0.0.1",
    )
    event["requestContext"]["authorizer"] = {**principal_to_context(principal), "principalId": "bench"}
    return event


def record_scenarios() -> dict[str, Scenario]:
    """Drive each function once against the embedded DynamoDB, recording its DynamoDB responses."""
    scenarios: dict[str, Scenario] = {}
    recorder = _Recorder()

    def run(
        name: str, principal: Reviewer | Candidate | Integration, path: dict[str, str] | None = None, **kw: Any
    ) -> Any:
        event = _event(route(name), principal, path or {}, kw.get("body"), kw.get("query", ""))
        scenario = Scenario(event)
        recorder.responses = scenario.responses
        result = _handler(route(name).handler)(event, LambdaContext(function_name=name))
        recorder.responses = None
        scenario.status = result["statusCode"]
        scenarios[name] = scenario
        return json.loads(result["body"]) if name not in PAGES and result.get("body") else None

    with local_dynamodb(TABLE_NAME), local_secrets_key():
        dynamo.client().meta.events.register_first("after-call.dynamodb", recorder)
        secrets.client().meta.events.register_first("after-call.kms", recorder)
        issue = all_issues()[0]
        rubric = run("create_rubric", REVIEWER, body=RUBRIC)["rubric"]
        full = {**SEED_BODY, "issueId": issue.id, "rubricId": rubric["id"]}
        for _ in range(PAGE):
            assessment = run("create_assessment", REVIEWER, body=full)["assessment"]
        ids = {"assessment_id": assessment["id"]}
        run("create_assessment", REVIEWER, body=SEED_BODY)
        run("list_assessments", REVIEWER, query=f"limit={PAGE}")
        run("get_assessment", REVIEWER, ids)
        run("update_assessment", REVIEWER, ids, body={"title": "Backend API Challenge, edited"})
        keys = run("generate_keys", REVIEWER, ids, body={"count": 5})["keys"]
        run("list_keys", REVIEWER, ids)
        run("revoke_key", REVIEWER, {**ids, "key_id": keys[0]["id"]})
        # Issued to an address without an invitation: its first is sent on request (the consumer's job).
        invited = _key_to_invite(assessment["id"])
        run("resend_invitation", REVIEWER, {**ids, "key_id": invited})
        candidate = Candidate(org_id=REVIEWER.org_id, assessment_id=assessment["id"], key_id=keys[1]["id"])
        session = run("start_session", candidate)["session"]
        session_ids = {"session_id": session["id"]}
        run("ingest_events", candidate, session_ids, body={"events": _events()})
        run("extend_session", REVIEWER, session_ids, body={"minutes": 15, "reason": "Outage on their side"})
        run("get_session", REVIEWER, session_ids)
        run("complete_session", candidate, session_ids)
        run("score_session", REVIEWER, session_ids, body=SCORE)
        run("get_timeline", REVIEWER, session_ids, query=f"limit={EVENT_BATCH}")
        run("list_sessions", REVIEWER, ids)
        run("get_assessment_stats", REVIEWER, ids)
        run("get_report", REVIEWER, session_ids)
        share = run("create_share", REVIEWER, session_ids)
        run("list_shares", REVIEWER, session_ids)
        run("get_shared_report", REVIEWER, {"token": share["url"].rsplit("/", 1)[1]})  # the principal goes unread
        run("revoke_share", REVIEWER, {**session_ids, "share_id": share["id"]})
        run("erase_candidate", REVIEWER, body={"email": "ada@example.org"})
        run("list_rubrics", REVIEWER)
        run("get_rubric", REVIEWER, {"rubric_id": rubric["id"]})
        spare = run("create_rubric", REVIEWER, body=RUBRIC)["rubric"]
        run("delete_rubric", REVIEWER, {"rubric_id": spare["id"]})
        run("list_issues", REVIEWER)
        run("get_issue", REVIEWER, {"issue_id": issue.id})
        run("get_openapi", REVIEWER)
        run("get_docs", REVIEWER)
        _integration_scenarios(run, assessment["id"])
        run("delete_assessment", REVIEWER, ids)
        # The probes fake DynamoDB alone: no request below may resolve a host name or reach SQS.
        run("create_webhook", REVIEWER, body={"url": "https://127.0.0.1/hooks"})  # refused by its pattern
        webhook = _stored_webhook()  # registering one for real would resolve its host
        hook_ids = {"webhook_id": webhook.id}
        run("get_webhook", REVIEWER, hook_ids)
        run("list_webhooks", REVIEWER)
        run("list_webhook_deliveries", REVIEWER, hook_ids)
        run("test_webhook", REVIEWER, {"webhook_id": new_id()})  # 404: a ping would be queued on SQS
        run("delete_webhook", REVIEWER, hook_ids)
        run("list_audit", REVIEWER, query="limit=50")
        scenarios[AUTHORIZER] = _authorizer_scenario(recorder)
        scenarios[STREAM_CONSUMER] = _stream_scenario(recorder)
        scenarios[WEBHOOK_DELIVERY] = _delivery_scenario(recorder, webhook.id)
        scenarios[SEND_REMINDERS] = _reminders_scenario(recorder)
        dynamo.client().meta.events.unregister("after-call.dynamodb", recorder)
    return scenarios


def _integration_scenarios(run: Callable[..., Any], assessment_id: str) -> None:
    """The integrations' routes, and each call Greenhouse and Ashby make (a Greenhouse callback URL that
    does not resolve: registering it costs a failed lookup, as an unpublished host does in Lambda)."""
    run("create_integration", REVIEWER, body={"type": "greenhouse"})
    made = run("create_integration", REVIEWER, body={"type": "ashby", "ashbyApiKey": "ashby-bench-key"})
    listed = run("list_integrations", REVIEWER)["integrations"]
    greenhouse = Integration(org_id=REVIEWER.org_id, integration_id=listed[0]["id"], kind="greenhouse")
    ashby = Integration(org_id=REVIEWER.org_id, integration_id=made["id"], kind="ashby")
    run("greenhouse_list_tests", greenhouse)
    candidate = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada.ats@example.org"}
    callback = "https://bench.invalid/integrations/testing_partners/take_home_tests/1"
    sent = {"partner_test_id": assessment_id, "candidate": candidate, "url": callback}
    interview = run("greenhouse_send_test", greenhouse, body=sent)["partner_interview_id"]
    run("greenhouse_test_status", greenhouse, query=f"partner_interview_id={interview}")
    error = {"api_call": "test_status", "errors": ["unreadable"], "partner_interview_id": interview}
    run("greenhouse_response_error", greenhouse, body=error)
    run("ashby_list_assessments", ashby, body={})
    alan = {"first_name": "Alan", "email": "alan.ats@example.org"}
    start = {"assessment_type_id": assessment_id, "candidate": alan, "application": {"ashby_id": "app-1"}}
    started = run("ashby_start_assessment", ashby, body=start)["results"]["assessment_id"]
    run("ashby_cancel_assessment", ashby, body={"assessment_id": started})
    run("list_integration_deliveries", REVIEWER, {"integration_id": greenhouse.integration_id})
    run("delete_integration", REVIEWER, {"integration_id": ashby.integration_id})


def _authorizer_scenario(recorder: _Recorder) -> Scenario:
    token = issue_token(TokenStore(), REVIEWER.org_id, name="bench", audit=OPERATOR).token
    target = route("list_assessments")
    event = proxy_event(
        target,
        method=target.method,
        path=target.path,
        query="",
        headers=[("Authorization", f"Bearer {token}")],
        body=b"",
        path_parameters={},
        request_id="bench-request",
        source_ip="127.0.0.1",
    )
    method_arn = f"arn:aws:execute-api:{REGION}:000000000000:bench/dev/GET{target.path}"
    keep = ("resource", "path", "httpMethod", "headers", "multiValueHeaders", "queryStringParameters")
    authorizer_event = {"type": "REQUEST", "methodArn": method_arn, **{name: event[name] for name in keep}}
    authorizer_event.update(pathParameters=event["pathParameters"], requestContext=event["requestContext"])
    scenario = Scenario(authorizer_event)
    recorder.responses = scenario.responses
    _handler(AUTHORIZER_HANDLER)(authorizer_event, LambdaContext(function_name=AUTHORIZER))
    recorder.responses = None
    return scenario


def _stream_scenario(recorder: _Recorder) -> Scenario:
    """A stream batch as Lambda delivers it: the creation of the five keys above (issued without an email,
    so their events are read and nothing is sent: the probe answers DynamoDB only)."""
    arn = dynamo.client().describe_table(TableName=TABLE_NAME)["Table"]["LatestStreamArn"]
    streams = streams_client()
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    created = [
        lambda_record(record, arn)
        for record in records
        if record["eventName"] == "INSERT" and record["dynamodb"]["Keys"]["SK"]["S"].startswith("KEY#")
    ]
    scenario = Scenario({"Records": created})
    recorder.responses = scenario.responses
    _handler(f"functions.{STREAM_CONSUMER}.handler.handler")(
        scenario.event, LambdaContext(function_name=STREAM_CONSUMER)
    )
    recorder.responses = None
    return scenario


def _key_to_invite(assessment_id: str) -> str:
    """A key of the assessment issued to an address, its invitation not sent (the probes reach no mail)."""
    request = GenerateKeysRequest.model_validate(
        {"count": 1, "candidateEmails": ["grace@example.org"], "sendInvites": False}
    )
    audit = AuditContext(Actor("token", REVIEWER.token_id, REVIEWER.token_name), "bench-request")
    [key] = generate_keys(AssessmentStore(), CandidateKeyStore(), REVIEWER.org_id, assessment_id, request, audit=audit)
    return key.id


def _reminders_scenario(recorder: _Recorder) -> Scenario:
    """An hourly run of the reminder job, as EventBridge invokes it: its three Queries of the index."""
    scenario = Scenario({"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}})
    recorder.responses = scenario.responses
    _handler(f"functions.{SEND_REMINDERS}.handler.handler")(scenario.event, LambdaContext(function_name=SEND_REMINDERS))
    recorder.responses = None
    return scenario


def _stored_webhook() -> WebhookRecord:
    now = clock.to_timestamp(clock.utc_now())
    webhook = WebhookRecord(
        id=new_id(),
        org_id=REVIEWER.org_id,
        url="https://hooks.example.com/promptster",
        events=WEBHOOK_EVENT_TYPES,
        secret=new_secret(),
        created_at=now,
        updated_at=now,
    )
    WebhookStore().create(webhook, 25, OPERATOR.record(REVIEWER.org_id, "webhook.create", ("webhook", webhook.id)))
    return webhook


def _delivery_scenario(recorder: _Recorder, deleted_webhook_id: str) -> Scenario:
    """A delivery queue batch as Lambda delivers it, for the webhook deleted above: the function reads
    the webhook and drops the delivery (the probe answers DynamoDB only, so nothing is POSTed)."""
    ping = Delivery(REVIEWER.org_id, "evt_bench", "ping", "{}", webhook_id=deleted_webhook_id)
    record = {
        "messageId": "bench-message",
        "receiptHandle": "bench-receipt",
        "body": ping.to_message(),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:000000000000:bench-webhook-deliveries",
        "awsRegion": REGION,
    }
    scenario = Scenario({"Records": [record]})
    recorder.responses = scenario.responses
    _handler(f"functions.{WEBHOOK_DELIVERY}.handler.handler")(
        scenario.event, LambdaContext(function_name=WEBHOOK_DELIVERY)
    )
    recorder.responses = None
    return scenario


def _handler(handler: str) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    module_name, _, attribute = handler.rpartition(".")
    function: Callable[[dict[str, Any], Any], dict[str, Any]] = getattr(importlib.import_module(module_name), attribute)
    return function


# Probes ----------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def lambda_environment(function: Function, port: int) -> dict[str, str]:
    """The variables Lambda sets for this function, its own ones from the template, dummy credentials."""
    return {
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": str(function.asset),
        "_HANDLER": function.handler,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": f"promptster-bench-dev-{function.name}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "AWS_LAMBDA_LOG_LEVEL": "INFO",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "ASIABENCHBENCHBENCH0",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_SESSION_TOKEN": "bench",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        "_X_AMZN_TRACE_ID": TRACE_ID,
        # The one addition: DynamoDB (and KMS) is the fake endpoint of the probe (or none is reached at all).
        "AWS_ENDPOINT_URL_DYNAMODB": f"http://127.0.0.1:{port}",
        "AWS_ENDPOINT_URL_KMS": f"http://127.0.0.1:{port}",
        **function.variables,
    }


# Counts the instructions a process executes, as callgrind would, without simulating any cache.
VALGRIND = ("valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null")
_INSTRUCTIONS = re.compile(r"I\s+refs:\s+([\d,]+)")


def probe(
    runtime_python: str, function: Function, mode: str, scenario: Scenario, runs: int = 0, *, counted: bool = False
) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; its figures as a dict, with ``instructions`` the whole
    process executed when ``counted`` (under valgrind)."""
    port = _free_port()
    spec = {
        "mode": mode,
        "asset": str(function.asset),
        "handler": function.handler,
        "event": scenario.event,
        "responses": scenario.responses,
        "port": port,
        "runs": runs,
    }
    with tempfile.TemporaryDirectory() as scratch:
        spec_path, result_path = Path(scratch, "spec.json"), Path(scratch, "result.json")
        spec_path.write_text(json.dumps(spec))
        command = [runtime_python, "-I", "-B", "-c", PROBE.read_text(), str(spec_path), str(result_path)]
        if counted:
            command = [*VALGRIND, *command]
        done = subprocess.run(
            command,
            cwd=scratch,
            env=lambda_environment(function, port),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not result_path.exists():
            raise RuntimeError(f"{function.name} ({mode}) failed:\n{done.stderr}")
        result: dict[str, Any] = json.loads(result_path.read_text())
        if counted:
            (instructions,) = _INSTRUCTIONS.findall(done.stderr)
            result["instructions"] = int(instructions.replace(",", ""))
        return result


# Tables ----------------------------------------------------------------------------------------


def instruction_ratios(
    runtime_python: str, functions: list[Function], scenarios: dict[str, Scenario]
) -> tuple[dict[str, float], int]:
    """Per function, the instructions of its import and client over the floor's; and the floor's count.
    Each count leaves out the interpreter's own start (the ``startup`` mode's count)."""

    def instructions(function: Function, mode: str) -> int:
        count: int = probe(runtime_python, function, mode, scenarios[function.name], counted=True)["instructions"]
        return count

    startup = instructions(functions[0], "startup")
    floor = instructions(functions[0], FLOOR) - startup
    ratios = {function.name: (instructions(function, "import") - startup) / floor for function in functions}
    return ratios, floor


def cold_starts(runtime_python: str, functions: list[Function], scenarios: dict[str, Scenario], runs: int) -> None:
    ratios, floor_instructions = instruction_ratios(runtime_python, functions, scenarios)
    samples: dict[str, list[dict[str, Any]]] = {function.name: [] for function in functions}
    floors: dict[str, list[float]] = {function.name: [] for function in functions}
    for _ in range(runs):
        for function in functions:
            floors[function.name].append(probe(runtime_python, function, FLOOR, scenarios[function.name])["import_ms"])
            samples[function.name].append(probe(runtime_python, function, "cold", scenarios[function.name]))
    print(
        f"Cold start as Lambda runs it ({functions[0].runtime}, bytecode from the code asset): the handler's import "
        "and its DynamoDB client, over the floor (import boto3; boto3.client)"
    )
    print(f"  instructions: counted once under valgrind, load-independent (floor: {floor_instructions / 1e6:,.0f} M)")
    print(f"  wall: median of {runs} fresh interpreters each, a floor run just before each")
    print(
        f"  {'function':<24} {'instr ratio':>11} {'wall ratio':>10} {'import ms':>9} {'floor ms':>8} "
        f"{'1st request ms':>14} {'RSS MiB':>7}"
    )
    for function in functions:
        runs_of = samples[function.name]
        import_ms = statistics.median(sample["import_ms"] for sample in runs_of)
        floor_ms = statistics.median(floors[function.name])
        first = statistics.median(sample["first_request_ms"] for sample in runs_of)
        rss = statistics.median(sample["rss_mib"] for sample in runs_of)
        notes = _problems(runs_of, scenarios[function.name])
        print(
            f"  {function.name:<24} {ratios[function.name]:11.2f} {import_ms / floor_ms:10.2f} {import_ms:9.1f} "
            f"{floor_ms:8.1f} {first:14.1f} {rss:7.1f}{notes}"
        )


def _problems(results: list[dict[str, Any]], scenario: Scenario) -> str:
    """A note when a replayed request did not behave as recorded (the figure is then suspect)."""
    problems = {problem for result in results for problem in result.get("problems", [])}
    statuses = {result.get("status") for result in results} - {scenario.status}
    if statuses:
        problems.add(f"status {statuses} where {scenario.status} was recorded")
    return f"  ! {'; '.join(sorted(problems))}" if problems else ""


def warm_overhead(runtime_python: str, functions: list[Function], scenarios: dict[str, Scenario], runs: int) -> None:
    print(f"Warm overhead, DynamoDB answered from memory (ms over {runs} invocations in one process)")
    print(f"  {'function':<20} {'p50':>6} {'p95':>6}  request")
    for function in functions:
        scenario = scenarios[function.name]
        result = probe(runtime_python, function, "warm", scenario, runs)
        what = f"{len(scenario.responses)} DynamoDB call(s)"
        if function.name == "list_assessments":
            what += f", a page of {PAGE} full assessments"
        notes = _problems([result], scenario)
        print(f"  {function.name:<20} {result['p50_ms']:6.2f} {result['p95_ms']:6.2f}  {what}{notes}")


def run(runtime_python: str, runs: int, warm_runs: int, only: set[str]) -> None:
    """Print the cold-start table, then the warm-overhead one (of the functions named ``only``, or all)."""
    runtime_python = os.path.abspath(runtime_python)  # not resolved: the venv's own interpreter link
    functions, origin = synthesized_functions(sys.executable, runtime_python)
    deployed, measured = {function.runtime for function in functions}, python_version(runtime_python)
    if deployed != {measured}:
        raise SystemExit(f"the template deploys {', '.join(sorted(deployed))}; {runtime_python} is {measured}")
    functions = [function for function in functions if not only or function.name in only]
    print(f"Functions: {len(functions)}, {origin}; runtime: {runtime_python}")
    with contextlib.redirect_stdout(io.StringIO()):  # the functions' logs and metrics
        scenarios = record_scenarios()
    cold_starts(runtime_python, functions, scenarios, runs)
    warm_overhead(runtime_python, functions, scenarios, warm_runs)
