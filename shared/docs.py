"""The API's description of itself: the OpenAPI document shipped beside this module (``make openapi``
writes it, a test keeps it identical to ``openapi.json``), and a plain HTML reference rendered from it
(no script, no stylesheet from elsewhere)."""

from __future__ import annotations

import json
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

DOCUMENT_PATH = Path(__file__).resolve().parent / "openapi.json"
_METHODS = ("get", "post", "put", "patch", "delete")
_STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
    "code{background:#f4f4f4;padding:0 .2em}h2{border-bottom:1px solid #ddd;margin-top:2.5rem}"
    "h3{margin-bottom:.3rem}table{border-collapse:collapse;margin:.5rem 0 1rem}"
    "td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}"
    ".method{font-weight:bold;text-transform:uppercase}"
)


@cache
def openapi_document() -> dict[str, Any]:
    """The document as shipped, read once per process; callers must not modify it."""
    document: dict[str, Any] = json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))
    return document


@cache
def docs_html() -> str:
    """The HTML reference of the shipped document, rendered once per process."""
    return render_html(openapi_document())


def render_html(document: dict[str, Any]) -> str:
    """A self-contained page: every operation with who may call it, its parameters, body and answers,
    then every schema with its fields."""
    info = document["info"]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(info['title'])}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(info['title'])} <small>{escape(info['version'])}</small></h1>",
        f"<p>{escape(info.get('description', ''))}</p>",
        '<p>The machine-readable document: <a href="openapi.json">openapi.json</a>.</p>',
        "<h2>Credentials</h2><ul>",
    ]
    schemes = document.get("components", {}).get("securitySchemes", {})
    parts += [f"<li><b>{escape(name)}</b>: {escape(s.get('description', ''))}</li>" for name, s in schemes.items()]
    parts.append("</ul><h2>Operations</h2>")
    for path, operations in document["paths"].items():
        for method in (m for m in _METHODS if m in operations):
            parts += _operation(document, method, path, operations[method], schemes)
    parts.append("<h2>Schemas</h2>")
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        parts.append(f'<h3 id="{escape(name)}">{escape(name)}</h3>')
        parts += _schema_table(schema)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _operation(
    document: dict[str, Any], method: str, path: str, operation: dict[str, Any], schemes: dict[str, Any]
) -> list[str]:
    security = operation.get("security", [])
    who = " or ".join(escape(name) for requirement in security for name in requirement) or "anyone, no credential"
    parts = [
        f'<h3 id="{escape(operation.get("operationId", ""))}"><span class="method">{method}</span> '
        f"<code>{escape(path)}</code></h3>",
        f"<p>{escape(operation.get('summary', ''))}. Who: {who}.</p>",
    ]
    parameters = operation.get("parameters", [])
    if parameters:
        parts.append("<table><tr><th>parameter</th><th>in</th><th>type</th><th>required</th><th>about</th></tr>")
        for parameter in parameters:
            parts.append(
                f"<tr><td><code>{escape(parameter['name'])}</code></td><td>{escape(parameter['in'])}</td>"
                f"<td>{_type(parameter.get('schema', {}))}</td><td>{'yes' if parameter.get('required') else 'no'}</td>"
                f"<td>{escape(parameter.get('description', ''))}</td></tr>"
            )
        parts.append("</table>")
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body is not None:
        parts.append(f"<p>Body: {_type(body)}</p>")
    parts.append("<table><tr><th>status</th><th>answer</th></tr>")
    for status, response in operation.get("responses", {}).items():
        resolved = _resolve(document, response)
        schema = resolved.get("content", {}).get("application/json", {}).get("schema")
        shape = f" {_type(schema)}" if schema else ""
        parts.append(f"<tr><td>{escape(status)}</td><td>{escape(resolved.get('description', ''))}{shape}</td></tr>")
    parts.append("</table>")
    return parts


def _schema_table(schema: dict[str, Any]) -> list[str]:
    parts = [f"<p>{escape(schema.get('description', ''))}</p>"] if schema.get("description") else []
    properties = schema.get("properties", {})
    if not properties:
        return [*parts, f"<p>{_type(schema)}</p>"]
    required = set(schema.get("required", []))
    parts.append("<table><tr><th>field</th><th>type</th><th>required</th><th>about</th></tr>")
    for name, field in properties.items():
        about = field.get("description") or ""
        if "default" in field:
            about = f"{about} Default: {json.dumps(field['default'])}.".strip()
        parts.append(
            f"<tr><td><code>{escape(name)}</code></td><td>{_type(field)}</td>"
            f"<td>{'yes' if name in required else 'no'}</td><td>{escape(about)}</td></tr>"
        )
    parts.append("</table>")
    return parts


def _type(schema: dict[str, Any]) -> str:
    """A schema as a short HTML phrase: a link for a named schema, ``a | b`` for alternatives."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f'<a href="#{escape(name)}">{escape(name)}</a>'
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            return " | ".join(_type(option) for option in schema[combinator])
    if "enum" in schema:
        return " | ".join(f"<code>{escape(json.dumps(value))}</code>" for value in schema["enum"])
    if "const" in schema:
        return f"<code>{escape(json.dumps(schema['const']))}</code>"
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {_type(schema.get('items', {}))}"
    return escape(str(kind))


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """``node``, or what its local ``$ref`` points at."""
    reference = node.get("$ref")
    if not isinstance(reference, str) or not reference.startswith("#/"):
        return node
    target: Any = document
    for part in reference[2:].split("/"):
        target = target[part]
    resolved: dict[str, Any] = target
    return resolved
