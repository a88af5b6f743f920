"""What changed between two OpenAPI documents of the API, and which changes break a client of the older.

A client breaks when an operation, a response status, a response field, an enum value or a parameter it
uses goes away; when a request needs a field or parameter it did not send; when a request field accepts
less than before (a type, an enum value, a bound, a pattern); when a response may carry what it could not
before (a new type, null, a field that may be absent). Everything else is an addition.

``python -m infra.openapi_compat`` compares openapi.json with the published baseline, openapi.v1.json;
tests/infra/test_contract.py fails on a break the baseline does not record. No maintained tool does this
here: oasdiff is a Go program no PyPI or npm package ships, @pb33f/openapi-changes downloads its binary at
install, @useoptic/optic does not start on this Node.js, and openapi-diff reads OpenAPI 3.0 only."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from infra.paths import REPO_ROOT

BASELINE_PATH = REPO_ROOT / "openapi.v1.json"
CHANGELOG_PATH = REPO_ROOT / "CHANGELOG.md"

Schema = Mapping[str, Any]
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_UPPER_BOUNDS = ("maxLength", "maxItems", "maximum", "exclusiveMaximum", "maxProperties")
_LOWER_BOUNDS = ("minLength", "minItems", "minimum", "exclusiveMinimum", "minProperties")
_RULES = ("pattern", "format", "multipleOf", "const")
# Rules across a request's fields: their effect cannot be compared, so a new or changed one is a break to
# review (and record in the baseline) by hand.
_CONDITIONS = ("if", "then", "else", "dependentRequired", "not", "anyOf", "oneOf")
_MAX_DEPTH = 40  # deeper than any schema of the API; stops a self-referencing one


class Side(Enum):
    """Who writes the value: the client (a request, narrowing breaks) or the API (a response, widening breaks)."""

    REQUEST = "request"
    RESPONSE = "response"


@dataclass(frozen=True)
class Change:
    """One difference: where, what, and whether a client of the older document breaks on it."""

    where: str
    what: str
    breaking: bool

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"

    @property
    def operation(self) -> str:
        """The operation changed: ``METHOD /path`` or ``webhook NAME`` (where ``where`` starts)."""
        return " ".join(self.where.split()[:2])


def compare(baseline: Schema, current: Schema) -> list[Change]:
    """Every difference between the two documents that a client can notice, breaking or not."""
    return list(_Comparison(baseline, current).changes())


def breaking_changes(baseline: Schema, current: Schema) -> list[Change]:
    """The differences that break a client of ``baseline``."""
    return [change for change in compare(baseline, current) if change.breaking]


def operations(document: Schema) -> dict[str, Schema]:
    """``"METHOD /path"`` (and ``"webhook NAME"``) -> operation, for every operation of the document."""
    found = {
        f"{method.upper()} {path}": operation
        for path, item in document.get("paths", {}).items()
        for method, operation in item.items()
        if method in _METHODS
    }
    for name, item in document.get("webhooks", {}).items():
        found.update({f"webhook {name}": operation for method, operation in item.items() if method in _METHODS})
    return found


class _Comparison:
    def __init__(self, baseline: Schema, current: Schema) -> None:
        self.documents = (baseline, current)

    def changes(self) -> Iterator[Change]:
        old_operations, new_operations = (operations(document) for document in self.documents)
        for name in old_operations.keys() - new_operations.keys():
            yield Change(name, "operation removed", breaking=True)
        for name in sorted(new_operations.keys() - old_operations.keys()):
            yield Change(name, "operation added", breaking=False)
        for name in sorted(old_operations.keys() & new_operations.keys()):
            yield from self._operation(name, old_operations[name], new_operations[name])

    def _operation(self, name: str, old: Schema, new: Schema) -> Iterator[Change]:
        # A webhook's request is what the API sends: its receiver reads it as a client reads a response.
        sent = Side.RESPONSE if name.startswith("webhook ") else Side.REQUEST
        yield from self._parameters(name, old.get("parameters", []), new.get("parameters", []))
        old_body, new_body = old.get("requestBody"), new.get("requestBody")
        if new_body is not None and old_body is None and new_body.get("required"):
            yield Change(f"{name} request body", "now required", breaking=True)
        elif old_body is not None and new_body is None:
            yield Change(f"{name} request body", "removed", breaking=True)
        elif old_body is not None and new_body is not None:
            if new_body.get("required") and not old_body.get("required"):
                yield Change(f"{name} request body", "now required", breaking=True)
            yield from self._content(f"{name} request", old_body, new_body, sent)
        old_responses, new_responses = old.get("responses", {}), new.get("responses", {})
        for status in sorted(old_responses.keys() - new_responses.keys()):
            yield Change(f"{name} response {status}", "status removed", breaking=True)
        for status in sorted(new_responses.keys() - old_responses.keys()):
            yield Change(f"{name} response {status}", "status added", breaking=False)
        for status in sorted(old_responses.keys() & new_responses.keys()):
            where = f"{name} response {status}"
            old_response, new_response = old_responses[status], new_responses[status]
            old_headers, new_headers = old_response.get("headers", {}), new_response.get("headers", {})
            for header in sorted(old_headers.keys() - new_headers.keys()):
                yield Change(f"{where} header {header}", "removed", breaking=True)
            yield from self._content(where, old_response, new_response, Side.RESPONSE)

    def _parameters(self, name: str, old: Sequence[Schema], new: Sequence[Schema]) -> Iterator[Change]:
        def keyed(parameters: Sequence[Schema], which: int) -> dict[tuple[str, str], Schema]:
            resolved = [self._resolve(parameter, which) for parameter in parameters]
            # Header names are case-insensitive.
            return {(p["in"], p["name"].lower() if p["in"] == "header" else p["name"]): p for p in resolved}

        old_keyed, new_keyed = keyed(old, 0), keyed(new, 1)
        for location, parameter in sorted(old_keyed.keys() - new_keyed.keys()):
            yield Change(f"{name} {location} parameter {parameter}", "removed", breaking=True)
        for key in sorted(new_keyed.keys() - old_keyed.keys()):
            required = bool(new_keyed[key].get("required"))
            what = "added, required" if required else "added"
            yield Change(f"{name} {key[0]} parameter {key[1]}", what, breaking=required)
        for key in sorted(old_keyed.keys() & new_keyed.keys()):
            where = f"{name} {key[0]} parameter {key[1]}"
            if new_keyed[key].get("required") and not old_keyed[key].get("required"):
                yield Change(where, "now required", breaking=True)
            yield from self._schema(
                where, old_keyed[key].get("schema", {}), new_keyed[key].get("schema", {}), Side.REQUEST, 0
            )

    def _content(self, where: str, old: Schema, new: Schema, side: Side) -> Iterator[Change]:
        old_content, new_content = old.get("content", {}), new.get("content", {})
        for media_type in sorted(old_content.keys() - new_content.keys()):
            yield Change(f"{where} {media_type}", "media type removed", breaking=True)
        for media_type in sorted(old_content.keys() & new_content.keys()):
            old_schema = old_content[media_type].get("schema", {})
            new_schema = new_content[media_type].get("schema", {})
            yield from self._schema(f"{where} body", old_schema, new_schema, side, 0)

    def _resolve(self, schema: Schema, which: int) -> Schema:
        """The schema with its ``$ref`` followed (in the document it comes from) and its ``allOf`` merged."""
        while "$ref" in schema:
            target: Any = self.documents[which]
            for part in schema["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            schema = {**target, **{key: value for key, value in schema.items() if key != "$ref"}}
        if "allOf" in schema:
            merged: dict[str, Any] = {key: value for key, value in schema.items() if key != "allOf"}
            for part in schema["allOf"]:
                merged = _merge(merged, self._resolve(part, which))
            schema = merged
        return schema

    def _schema(self, where: str, old: Schema, new: Schema, side: Side, depth: int) -> Iterator[Change]:
        if depth > _MAX_DEPTH:
            return
        old, new = self._resolve(old, 0), self._resolve(new, 1)
        old_branches, new_branches = _branches(old), _branches(new)
        if len(old_branches) > 1 or len(new_branches) > 1:
            yield from self._union(where, old_branches, new_branches, side, depth)
            return
        old_types, new_types = _types(old), _types(new)
        if side is Side.REQUEST and (lost := _uncovered(old_types, new_types)):
            yield Change(where, f"no longer accepts {', '.join(sorted(lost))}", breaking=True)
        if side is Side.RESPONSE and (gained := _uncovered(new_types, old_types)):
            yield Change(where, f"may now be {', '.join(sorted(gained))}", breaking=True)
        # A nullable value's rules are in its one other branch.
        old, new = self._resolve(old_branches[0], 0), self._resolve(new_branches[0], 1)
        yield from _enum(where, _values(old), _values(new), side)
        if side is Side.REQUEST:
            yield from _bounds(where, old, new)
        yield from self._properties(where, old, new, side, depth)
        if "items" in old and "items" in new:
            yield from self._schema(f"{where}[]", old["items"], new["items"], side, depth + 1)

    def _union(
        self, where: str, old: Sequence[Schema], new: Sequence[Schema], side: Side, depth: int
    ) -> Iterator[Change]:
        """Branches matched by name (their reference or title); a branch that goes away is a value the
        request no longer takes, one that comes is a value a response may now be."""
        old_named = {_branch_name(branch): branch for branch in old}
        new_named = {_branch_name(branch): branch for branch in new}
        for name in sorted(old_named.keys() - new_named.keys()):
            yield Change(where, f"variant {name} removed", breaking=side is Side.REQUEST)
        for name in sorted(new_named.keys() - old_named.keys()):
            yield Change(where, f"variant {name} added", breaking=side is Side.RESPONSE)
        for name in sorted(old_named.keys() & new_named.keys()):
            yield from self._schema(where, old_named[name], new_named[name], side, depth + 1)

    def _properties(self, where: str, old: Schema, new: Schema, side: Side, depth: int) -> Iterator[Change]:
        old_properties, new_properties = old.get("properties", {}), new.get("properties", {})
        old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
        for name in sorted(old_properties.keys() - new_properties.keys()):
            # A request field removed is refused from then on (bodies take no unknown field).
            yield Change(f"{where}.{name}", "field removed", breaking=True)
        for name in sorted(new_properties.keys() - old_properties.keys()):
            required = side is Side.REQUEST and name in new_required
            yield Change(f"{where}.{name}", "required field added" if required else "field added", breaking=required)
        for name in sorted(old_properties.keys() & new_properties.keys()):
            field = f"{where}.{name}"
            if side is Side.REQUEST and name in new_required - old_required:
                yield Change(field, "now required", breaking=True)
            if side is Side.RESPONSE and name in old_required - new_required:
                yield Change(field, "may now be absent", breaking=True)
            yield from self._schema(field, old_properties[name], new_properties[name], side, depth + 1)
        closed = old.get("additionalProperties") is not False and new.get("additionalProperties") is False
        if side is Side.REQUEST and closed and old_properties:
            yield Change(where, "no longer takes other fields", breaking=True)


def _merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if key == "properties":
            properties = dict(merged.get("properties", {}))
            for name, schema in value.items():
                properties[name] = _merge(properties.get(name, {}), schema)
            merged["properties"] = properties
        elif key == "required":
            merged["required"] = sorted({*merged.get("required", ()), *value})
        else:
            merged[key] = value
    return merged


def _branches(schema: Schema) -> list[Schema]:
    """The non-null alternatives of a union (the schema itself when it is none). Beside a type or
    properties of its own, an ``anyOf`` is a rule on the value (see ``_CONDITIONS``), not alternatives."""
    union = schema.get("anyOf") or schema.get("oneOf")
    if not union or "type" in schema or "properties" in schema:
        return [schema]
    return [branch for branch in union if branch.get("type") != "null"]


def _branch_name(branch: Schema) -> str:
    return str(branch.get("$ref", "").rsplit("/", 1)[-1] or branch.get("title") or branch.get("type") or "schema")


def _types(schema: Schema) -> set[str]:
    """The JSON types the schema admits (empty: any), with null where a union admits it."""
    declared = schema.get("type")
    types = set(declared if isinstance(declared, list) else [declared] if declared else [])
    union = schema.get("anyOf") or schema.get("oneOf") or []
    for branch in union if len(_branches(schema)) > 1 or not types else []:
        types |= _types(branch) or {"any"}
    return types


def _uncovered(types: set[str], by: set[str]) -> set[str]:
    """The types of ``types`` that ``by`` does not admit (no types: anything)."""
    if not by or "any" in by:
        return set()
    if not types:
        return {"any"}
    return {kind for kind in types if kind not in by and not (kind == "integer" and "number" in by)}


def _values(schema: Schema) -> set[str] | None:
    if "const" in schema:
        return {json.dumps(schema["const"])}
    if "enum" in schema:
        return {json.dumps(value) for value in schema["enum"]}
    return None


def _enum(where: str, old: set[str] | None, new: set[str] | None, side: Side) -> Iterator[Change]:
    if new is not None and old is None and side is Side.REQUEST:
        yield Change(where, "now limited to " + ", ".join(sorted(new)), breaking=True)
    if old is not None and new is not None:
        if removed := old - new:
            yield Change(where, "enum value removed: " + ", ".join(sorted(removed)), breaking=True)
        if added := new - old:
            yield Change(where, "enum value added: " + ", ".join(sorted(added)), breaking=False)


def _bounds(where: str, old: Schema, new: Schema) -> Iterator[Change]:
    """Bounds and rules of a request value that take fewer values than before."""
    for bound in _UPPER_BOUNDS:
        if bound in new and (bound not in old or new[bound] < old[bound]):
            yield Change(where, f"{bound} lowered to {new[bound]}", breaking=True)
    for bound in _LOWER_BOUNDS:
        if bound in new and (bound not in old or new[bound] > old[bound]):
            yield Change(where, f"{bound} raised to {new[bound]}", breaking=True)
    for rule in _RULES:
        if rule in new and new[rule] != old.get(rule):
            yield Change(where, f"{rule} now {new[rule]!r}", breaking=True)
    if "type" in new or "properties" in new:
        for condition in _CONDITIONS:
            if condition in new and new[condition] != old.get(condition):
                yield Change(where, f"rule {condition!r} added or changed", breaking=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.openapi_compat", description="List what changed since the published document."
    )
    parser.add_argument("--baseline", type=Path, default=BASELINE_PATH)
    parser.add_argument("--current", type=Path, default=REPO_ROOT / "openapi.json")
    arguments = parser.parse_args(argv)
    documents = [json.loads(path.read_text(encoding="utf-8")) for path in (arguments.baseline, arguments.current)]
    changes = compare(*documents)
    for change in changes:
        print(f"{'BREAKING' if change.breaking else 'added   '}  {change}")
    return 1 if any(change.breaking for change in changes) else 0


if __name__ == "__main__":
    sys.exit(main())
