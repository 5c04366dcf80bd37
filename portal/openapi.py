"""The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json."""

from __future__ import annotations

from typing import Any

_error = {
    "type": "object",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}
_access = {"type": "string", "enum": ["none", "read", "comment", "edit"]}
_document = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": ["advice", "plan_section"]},
        "section": {
            "type": ["string", "null"],
            "description": "A … K for plan sections",
        },
        "title": {"type": "string"},
        "discipline": {
            "type": ["string", "null"],
            "description": "Adviser id, advice only",
        },
        "status": {"type": "string", "enum": ["draft", "submitted"]},
        "due_date": {"type": ["string", "null"], "format": "date"},
        "access": _access,
    },
    "required": ["id", "kind", "section", "title", "discipline", "status", "access"],
}
_case = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "child_name": {"type": "string"},
        "la_reference": {"type": "string"},
        "status": {"type": "string"},
        "request_date": {"type": "string", "format": "date"},
        "your_role": {"type": "string"},
    },
}


def _responses(ok: dict[str, Any], description: str) -> dict[str, Any]:
    err = {"content": {"application/json": {"schema": _error}}}
    return {
        "200": {
            "description": description,
            "content": {"application/json": {"schema": ok}},
        },
        "401": {"description": "Missing or invalid token", **err},
        "403": {"description": "On the case, but not allowed to see this", **err},
        "404": {"description": "Unknown, or not on this case", **err},
    }


def _id_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "EHCP co-production portal API",
        "version": "1",
        "description": "Read cases and documents you are a member of. Create a token "
        "with `flask --app portal token create EMAIL`.",
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
    "security": [{"bearer": []}],
    "paths": {
        "/api/cases": {
            "get": {
                "summary": "Cases you are on",
                "responses": _responses(
                    {
                        "type": "object",
                        "properties": {"cases": {"type": "array", "items": _case}},
                    },
                    "Your cases",
                ),
            }
        },
        "/api/cases/{case_id}": {
            "get": {
                "summary": "A case with its members and documents",
                "parameters": [_id_param("case_id")],
                "responses": _responses(
                    {
                        "type": "object",
                        "properties": {
                            "case": _case,
                            "members": {"type": "array", "items": {"type": "object"}},
                            "documents": {"type": "array", "items": _document},
                        },
                    },
                    "The case",
                ),
            }
        },
        "/api/documents/{doc_id}": {
            "get": {
                "summary": "A document's Markdown, status and versions",
                "parameters": [_id_param("doc_id")],
                "responses": _responses(
                    {
                        "allOf": [
                            _document,
                            {
                                "type": "object",
                                "properties": {
                                    "text": {"type": "string"},
                                    "versions": {
                                        "type": "array",
                                        "items": {"type": "object"},
                                    },
                                },
                            },
                        ]
                    },
                    "The document",
                ),
            }
        },
    },
}
