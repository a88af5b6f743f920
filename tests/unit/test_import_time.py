"""What importing a function must not load: with one function per route, a quiet stack's first
request pays for every module its handler imports (``make bench`` prints what that costs)."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from shared.routes import AUTHORIZER_HANDLER, ROUTES, Route

ROOT = Path(__file__).resolve().parents[2]
AUTHORIZER_MODULE = AUTHORIZER_HANDLER.rpartition(".")[0]
HANDLER_MODULES = sorted({route.handler.rpartition(".")[0] for route in ROUTES} | {AUTHORIZER_MODULE})
CATALOG_ROUTES = {"functions.list_issues.handler", "functions.get_issue.handler"}
REPORT_PAGES = {"functions.get_report.handler", "functions.get_shared_report.handler"}
# The report pages show the session's timeline too.
EVENT_ROUTES = {"functions.ingest_events.handler", "functions.get_timeline.handler", *REPORT_PAGES}
# The CDK and its checks are deployment tools, and the other event sources' resolvers serve no route here.
NEVER_AT_RUNTIME = ("aws_cdk", "cdk_nag", "constructs", "jsii", "moto")
OTHER_RESOLVERS = (
    "aws_lambda_powertools.event_handler.appsync",
    "aws_lambda_powertools.event_handler.graphql_appsync",
    "aws_lambda_powertools.event_handler.events_appsync",
    "aws_lambda_powertools.event_handler.bedrock_agent",
    "aws_lambda_powertools.event_handler.bedrock_agent_function",
    "aws_lambda_powertools.event_handler.vpc_lattice",
    "aws_lambda_powertools.event_handler.lambda_function_url",
)

# What every store module stands on: the DynamoDB boundary, the records, the audit log every change writes,
# the idempotency records of the routes that keep them, and an organisation's lists.
STORE_HELPERS = {
    "shared.store.dynamo",
    "shared.store.listing",
    "shared.store.schema",
    "shared.store.records",
    "shared.store.audit",
    "shared.store.idempotency",
}


# Every function's module, the stream consumer's included (the route table names the others).
FUNCTION_MODULES = sorted(f"functions.{path.parent.name}.handler" for path in (ROOT / "functions").glob("*/handler.py"))


# Runs in a fresh interpreter: what importing a module leaves behind, as JSON.
LOAD = """
import gc, json, re, sys
import {module}
ours = [module for name, module in list(sys.modules.items()) if name.split(".")[0] in ("shared", "functions")]
dataclasses = [
    f"{{module.__name__}}.{{name}}"
    for module in ours
    for name, value in vars(module).items()
    if isinstance(value, type) and "__dataclass_fields__" in vars(value) and value.__module__ == module.__name__
]
print(json.dumps({{
    "modules": sorted(sys.modules),
    "gc": [gc.isenabled(), gc.get_freeze_count() > 0],
    "dataclasses": sorted(dataclasses),
    "string_annotations": sorted(module.__name__ for module in ours if "annotations" in vars(module)),
    "patterns": sorted(
        f"{{module.__name__}}.{{name}}" for module in ours for name, value in vars(module).items()
        if isinstance(value, re.Pattern)
    ),
}}))
"""


@cache
def load(module: str) -> dict[str, Any]:
    """What a fresh interpreter has once ``module`` is imported: the modules it loaded, whether its garbage
    collector is on and has frozen the objects built so far, the dataclasses of ours it defined, which of
    our modules hold their annotations as strings (``from __future__ import annotations``), and the
    regular expressions of ours it compiled."""
    script = LOAD.format(module=module)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return loaded


def modules_loaded_by(module: str) -> frozenset[str]:
    """Every module a fresh interpreter has loaded once ``module`` is imported."""
    return frozenset(load(module)["modules"])


def _within(loaded: frozenset[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(name for name in loaded if name.split(".")[0] in packages or name.startswith(packages))


@pytest.mark.parametrize("module", HANDLER_MODULES)
def test_no_function_imports_deployment_or_test_tools(module: str) -> None:
    assert _within(modules_loaded_by(module), NEVER_AT_RUNTIME) == []


@pytest.mark.parametrize("module", FUNCTION_MODULES)
def test_no_function_loads_the_xray_sdk_before_its_first_request(module: str) -> None:
    # The first request builds the Tracer (tests/unit/test_tracing.py): loading the SDK is 0.07 of the floor.
    assert _within(modules_loaded_by(module), ("aws_xray_sdk",)) == []


@pytest.mark.parametrize("module", FUNCTION_MODULES)
def test_no_function_defines_a_dataclass_as_it_loads(module: str) -> None:
    # A frozen dataclass compiles its generated methods as it is defined: 0.005 of the floor apiece.
    assert load(module)["dataclasses"] == []


@pytest.mark.parametrize("module", FUNCTION_MODULES)
def test_no_function_compiles_a_regular_expression_as_it_loads(module: str) -> None:
    # Compiled on first use instead (re keeps them): the few the functions use cost 0.01 of the floor.
    assert load(module)["patterns"] == []


@pytest.mark.parametrize("module", FUNCTION_MODULES)
def test_no_function_loads_models_whose_annotations_pydantic_must_evaluate(module: str) -> None:
    # Pydantic compiles and evaluates each string annotation of a model as the class is defined.
    assert [name for name in load(module)["string_annotations"] if name.startswith("shared.models")] == []


@pytest.mark.parametrize("module", HANDLER_MODULES)
def test_only_the_catalog_routes_import_the_catalog(module: str) -> None:
    loaded = modules_loaded_by(module)
    assert ("shared.catalog" in loaded) == (module in CATALOG_ROUTES)


@pytest.mark.parametrize("module", FUNCTION_MODULES)
def test_only_the_routes_that_take_or_list_events_load_the_event_models(module: str) -> None:
    # 17 pydantic models: a session's signals and their spread over a cohort are read without them.
    loaded = modules_loaded_by(module)
    assert ("shared.models.telemetry" in loaded) == (module in EVENT_ROUTES)


@pytest.mark.parametrize("module", FUNCTION_MODULES)
def test_only_the_assessment_delete_loads_the_deletion_cascade(module: str) -> None:
    # The cascade stands on the key store and its records.
    loaded = modules_loaded_by(module)
    assert ("shared.store.cascade" in loaded) == (module == "functions.delete_assessment.handler")


@pytest.mark.parametrize("module", FUNCTION_MODULES)
def test_only_the_report_pages_load_the_template_engine(module: str) -> None:
    # Jinja2 compiles its template on the first page: no other function pays for it, the consumer included.
    loaded = _within(modules_loaded_by(module), ("jinja2", "markupsafe", "shared.reports"))
    assert ("jinja2" in loaded and "markupsafe" in loaded) == (module in REPORT_PAGES)
    assert bool(loaded) == (module in REPORT_PAGES)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_only_the_idempotent_routes_import_the_idempotency_utility(route: Route) -> None:
    loaded = modules_loaded_by(route.handler.rpartition(".")[0])
    assert ("aws_lambda_powertools.utilities.idempotency" in loaded) == route.idempotent


@pytest.mark.parametrize("route", [each for each in ROUTES if "rubric" in each.name], ids=lambda route: route.name)
def test_a_rubric_route_loads_no_store_but_the_rubrics_one(route: Route) -> None:
    # The domain's ports name every store's records for the type checker only; the audit log's actions go
    # into every store's transactions.
    stores = {name for name in modules_loaded_by(route.handler.rpartition(".")[0]) if name.startswith("shared.store.")}
    assert stores - STORE_HELPERS == {"shared.store.rubrics"}


@pytest.mark.parametrize("route", [each for each in ROUTES if "webhook" in each.name], ids=lambda route: route.name)
def test_a_webhook_route_loads_neither_the_delivery_side_nor_other_stores(route: Route) -> None:
    # What is delivered, and the HTTP client that delivers it, are the consumer's and the worker's.
    loaded = modules_loaded_by(route.handler.rpartition(".")[0])
    delivery_side = (
        "shared.domain.webhook_events",
        "shared.domain.webhook_delivery",
        "shared.models.webhook_events",
        "shared.webhooks.sender",
    )
    assert _within(loaded, delivery_side) == []
    stores = {name for name in loaded if name.startswith("shared.store.")}
    assert stores - STORE_HELPERS == {
        "shared.store.webhooks",
        "shared.store.deliveries",  # the delivery log the webhook's partition holds
    }


def test_the_delivery_function_loads_no_session_or_assessment_code() -> None:
    # An attempt needs the webhook, the queue message and the network; what was delivered was built upstream.
    loaded = modules_loaded_by("functions.webhook_delivery.handler")
    assert (
        _within(loaded, ("shared.domain.sessions", "shared.domain.webhook_events", "shared.store.candidate_keys")) == []
    )


def test_the_authorizer_imports_no_resolver_and_no_event_data_classes() -> None:
    loaded = modules_loaded_by(AUTHORIZER_MODULE)
    assert (
        _within(loaded, ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes")) == []
    )


# The authorizer runs before every request whose verdict is not cached: it reads two plain items.
def test_the_authorizer_loads_no_pydantic_and_none_of_the_apis_models() -> None:
    assert _within(modules_loaded_by(AUTHORIZER_MODULE), ("pydantic", "pydantic_core", "shared.models")) == []


def test_of_our_code_the_authorizer_loads_its_lookups_and_what_they_stand_on() -> None:
    ours = {name for name in modules_loaded_by(AUTHORIZER_MODULE) if name.split(".")[0] in ("shared", "functions")}

    assert ours == {
        "functions",
        "functions.authorizer",
        AUTHORIZER_MODULE,
        "shared",
        "shared.auth",
        "shared.domain",
        "shared.domain.access",
        "shared.domain.ports",
        "shared.errors",
        "shared.observability",
        "shared.outages",
        "shared.routes",
        "shared.settings",
        "shared.store",
        "shared.store.credentials",
        "shared.store.dynamo",
        "shared.store.schema",
    }


# Powertools' event_handler package imports every resolver in its __init__, which runs whichever of
# its modules a handler imports; this turns into a failure the day that import becomes lazy.
@pytest.mark.xfail(strict=True, reason="aws_lambda_powertools.event_handler/__init__ imports every resolver")
def test_no_route_imports_the_resolvers_of_other_event_sources() -> None:
    routes = [module for module in HANDLER_MODULES if module != AUTHORIZER_MODULE]
    loaded = {module: _within(modules_loaded_by(module), OTHER_RESOLVERS) for module in routes}
    assert {module: names for module, names in loaded.items() if names} == {}


def test_the_local_server_needs_only_what_make_dev_installs() -> None:
    # `make dev` installs the runtime and the `local` group (moto), not the dev tools.
    dev_only = ("aws_cdk", "cdk_nag", "constructs", "jsii", "cfnlint", "mypy", "pytest", "flask", "mypy_boto3_dynamodb")
    assert _within(modules_loaded_by("infra.local.__main__"), dev_only) == []


@pytest.mark.parametrize("module", FUNCTION_MODULES)
def test_every_function_turns_the_garbage_collector_back_on_once_loaded(module: str) -> None:
    # functions/__init__.py turns it off while a function loads; left off, a warm function's cyclic
    # garbage would pile up for as long as Lambda keeps it.
    assert load(module)["gc"] == [True, True]
