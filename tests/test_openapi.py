"""The OpenAPI description names every JSON endpoint, so none can be forgotten."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def _probe_url(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?\w+>", "1", rule)


def json_endpoints(app: Flask, client: FlaskClient) -> set[tuple[str, str]]:
    """(path, method) for every /api/ route and every state-changing route that
    answers JSON to a stranger (the JSON ones refuse with a JSON error)."""
    found = set()
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
        path = _openapi_path(rule.rule)
        for method in methods:
            if rule.rule.startswith("/api/"):
                found.add((path, method.lower()))
            elif method in STATE_CHANGING:
                answer = client.open(_probe_url(rule.rule), method=method)
                if answer.mimetype == "application/json":
                    found.add((path, method.lower()))
    return found


def test_every_json_endpoint_is_documented(app: Flask, client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    endpoints = json_endpoints(app, client)
    # The probe finds the JSON answers outside /api/ too.
    assert ("/documents/{doc_id}/images", "post") in endpoints
    missing = [e for e in endpoints if e[1] not in spec["paths"].get(e[0], {})]
    assert missing == []
    for path, method in endpoints:
        operation = spec["paths"][path][method]
        codes = set(operation["responses"])
        assert any(c.startswith("2") for c in codes), (path, method)
        if operation.get("security") != []:  # open to all: the description itself
            assert {"401", "404"} <= codes, (path, method)
        if method != "get":
            assert "requestBody" in operation, (path, method)
            assert "400" in codes and "403" in codes, (path, method)


def test_the_picture_upload_is_described_as_multipart(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    upload = spec["paths"]["/documents/{doc_id}/images"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    form = spec["components"]["schemas"][form["$ref"].rsplit("/", 1)[-1]]
    assert form["properties"]["image"]["format"] == "binary"
    assert form["required"] == ["image"]
    assert {"201", "413"} <= set(upload["responses"])


def test_every_schema_reference_resolves(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    text = str(spec)
    for ref in re.findall(r"'\$ref': '#/components/schemas/(\w+)'", text):
        assert ref in spec["components"]["schemas"]


def test_the_probe_leaves_out_html_forms(app: Flask, client: FlaskClient) -> None:
    posts = {path for path, method in json_endpoints(app, client) if method == "post"}
    assert posts == {
        "/api/documents/{doc_id}/assistant",
        "/api/documents/{doc_id}/suggestions/decision",
        "/api/documents/{doc_id}/comments",
        "/api/documents/{doc_id}/comments/{comment_id}/replies",
        "/api/documents/{doc_id}/comments/{comment_id}/status",
        "/api/documents/{doc_id}/proposals",
        "/api/documents/{doc_id}/proposals/{comment_id}/decision",
        "/documents/{doc_id}/images",
        "/documents/{doc_id}/recordings",
        "/cases/{case_id}/excerpts",
        "/cases/{case_id}/draft",
        "/cases/{case_id}/draft/{proposal_id}/accept",
        "/cases/{case_id}/draft/{proposal_id}/reject",
    }
