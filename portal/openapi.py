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


_ERRORS = {
    "400": "The request body is not what the endpoint takes, or (browser) the "
    "CSRF token is missing or stale",
    "401": "Missing or invalid token, or not signed in",
    "403": "On the case, but not allowed to do this",
    "404": "Unknown, or not on this case",
    "413": "The body is too large",
    "503": "The work took too long and was stopped; try again",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _responses(
    ok: dict[str, Any], description: str, *, status: str = "200", errors: str = ""
) -> dict[str, Any]:
    """A success answer plus JSON error answers: 401, 403, 404 and `errors`."""
    err = {"content": {"application/json": {"schema": _ref("Error")}}}
    codes = ["401", "403", "404", *errors.split()]
    return {
        status: {
            "description": description,
            "content": {"application/json": {"schema": ok}},
        },
        **{code: {"description": _ERRORS[code], **err} for code in sorted(codes)},
    }


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _id_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


_CHANGES = (
    "Browsers sign in with the session cookie and send the page's CSRF token in "
    "the `X-CSRFToken` header; token callers send neither."
)
_suggestion = {
    "type": "object",
    "properties": {
        "start": {"type": "integer", "description": "Offset in the sent text"},
        "end": {"type": "integer"},
        "original": {"type": "string"},
        "replacement": {
            "type": ["string", "null"],
            "description": "null means: reword this yourself",
        },
        "reason": {"type": "string"},
        "rule": {"type": "string"},
        "source": {"type": "string", "enum": ["rules", "llm"]},
    },
    "required": ["start", "end", "original", "replacement", "reason", "rule"],
}
_finding = {
    "type": "object",
    "properties": {
        "section": {"type": "string"},
        "kind": {"type": "string"},
        "severity": {"type": "string", "enum": ["high", "medium", "low", "info"]},
        "message": {"type": "string"},
        "quote": {"type": "string", "description": "Exact plan text, or empty"},
        "link": {
            "type": ["object", "null"],
            "properties": {"href": {"type": "string"}, "text": {"type": "string"}},
        },
    },
    "required": ["section", "kind", "severity", "message", "quote", "link"],
}
_report = {
    "type": "object",
    "properties": {
        "suggestions": {"type": "array", "items": _ref("Suggestion"), "maxItems": 200},
        "findings": {"type": "array", "items": _ref("Finding"), "maxItems": 200},
        "notices": {"type": "array", "items": {"type": "string"}},
        "measures": {
            "type": ["object", "null"],
            "description": "Reading measures, for readers who may see them",
            "additionalProperties": {"type": "number"},
        },
    },
    "required": ["suggestions", "findings", "notices", "measures"],
}
_decision = {
    "type": "object",
    "properties": {
        "decision": {"type": "string", "enum": ["accepted", "rejected"]},
        "rule": {"type": "string", "maxLength": 500},
        "original": {"type": "string", "maxLength": 500},
        "replacement": {"type": "string", "maxLength": 500},
        "source": {"type": "string", "maxLength": 500},
    },
    "required": ["decision"],
    "description": "Accepting needs edit access, rejecting read access. Longer "
    "strings are cut to 500 characters.",
}
_picture_form = {
    "type": "object",
    "properties": {
        "image": {
            "type": "string",
            "format": "binary",
            "description": "PNG, JPEG, GIF or WebP, within the size limit",
        },
        "alt": {"type": "string", "description": "What is in the picture"},
    },
    "required": ["image"],
}
_picture = {
    "type": "object",
    "properties": {
        "src": {"type": "string", "description": "The picture's path in the portal"},
        "alt": {"type": "string"},
        "width": {"type": "integer"},
        "height": {"type": "integer"},
    },
    "required": ["src", "alt", "width", "height"],
}
_recording_form = {
    "type": "object",
    "properties": {
        "audio": {
            "type": "string",
            "format": "binary",
            "description": "WebM, Ogg or MP4 audio (decided from its bytes), within "
            "the size limit",
        },
        "transcript": {
            "type": "string",
            "description": "What was said, typed by an adult (up to 2,000 characters)",
        },
    },
    "required": ["audio", "transcript"],
}
_recording = {
    "type": "object",
    "properties": {
        "src": {"type": "string", "description": "The recording's path in the portal"},
        "transcript": {"type": "string"},
    },
    "required": ["src", "transcript"],
}


SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "EHCP co-production portal API",
        "version": "1",
        "description": "Read cases and documents you are a member of. Create a token "
        "with `flask --app portal token create EMAIL`.",
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "session"},
        },
        "schemas": {
            "Error": _error,
            "Suggestion": _suggestion,
            "Finding": _finding,
            "Report": _report,
            "SuggestionDecision": _decision,
            "PictureUpload": _picture_form,
            "Picture": _picture,
            "RecordingUpload": _recording_form,
            "Recording": _recording,
        },
    },
    "security": [{"bearer": []}, {"session": []}],
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
        "/api/documents/{doc_id}/assistant": {
            "post": {
                "summary": "Suggestions and findings for a document's text (read access)",
                "description": "The text is checked as it stands in the editor; it "
                "is not saved. A configured model sees it only with names and other "
                "personal details replaced by placeholders. " + _CHANGES,
                "parameters": [_id_param("doc_id")],
                "requestBody": _json_body(
                    {
                        "type": "object",
                        "properties": {"text": {"type": "string", "maxLength": 200000}},
                        "required": ["text"],
                    }
                ),
                "responses": _responses(
                    _ref("Report"), "The report", errors="400 413 503"
                ),
            }
        },
        "/api/documents/{doc_id}/suggestions/decision": {
            "post": {
                "summary": "Record that a suggestion was accepted or rejected",
                "description": "Audited. The edit itself travels over /collab. "
                + _CHANGES,
                "parameters": [_id_param("doc_id")],
                "requestBody": _json_body(_ref("SuggestionDecision")),
                "responses": _responses(
                    {
                        "type": "object",
                        "properties": {"ok": {"const": True}},
                        "required": ["ok"],
                    },
                    "Recorded",
                    status="201",
                    errors="400",
                ),
            }
        },
        "/documents/{doc_id}/images": {
            "post": {
                "summary": "Add a picture to a document you may edit",
                "description": "Answers JSON, errors included. " + _CHANGES,
                "parameters": [_id_param("doc_id")],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {"schema": _ref("PictureUpload")}
                    },
                },
                "responses": _responses(
                    _ref("Picture"), "Added", status="201", errors="400 413"
                ),
            }
        },
        "/documents/{doc_id}/recordings": {
            "post": {
                "summary": "Add a voice note to a young person's All about me",
                "description": "Answers JSON, errors included. " + _CHANGES,
                "parameters": [_id_param("doc_id")],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {"schema": _ref("RecordingUpload")}
                    },
                },
                "responses": _responses(
                    _ref("Recording"), "Added", status="201", errors="400 413"
                ),
            }
        },
        "/api/openapi.json": {
            "get": {
                "summary": "This description",
                "security": [],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                },
            }
        },
    },
}


# The caseworker's desk (`portal.pages.desk`): browser calls, JSON both ways.
_excerpt = {
    "type": "object",
    "description": "Where a plan passage came from; `quote` and `link` only for "
    "readers of the source",
    "properties": {
        "ref": {"type": "string"},
        "title": {"type": "string"},
        "author": {"type": "string"},
        "organisation": {"type": "string"},
        "date": {"type": "string", "format": "date"},
        "quote": {"type": "string"},
        "link": {"type": "string"},
        "section": {"type": ["string", "null"]},
        "changed": {"type": "boolean"},
    },
    "required": ["ref", "title", "author", "date"],
}
_proposal = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "section": {"type": "string"},
        "area": {"type": "string"},
        "text": {"type": "string"},
        "recommendation": {"type": "string"},
        "backend": {"type": "string", "enum": ["rules", "openai"]},
        "status": {"type": "string", "enum": ["open", "accepted", "rejected"]},
        "source": {"type": "object"},
    },
    "required": ["id", "section", "text", "recommendation", "status"],
}
_proposals = {
    "type": "object",
    "properties": {
        "proposals": {"type": "array", "items": _ref("DraftProposal")},
        "added": {"type": "integer"},
        "notice": {"type": ["string", "null"]},
    },
    "required": ["proposals"],
}
_desk_note = "The caseworker's desk. " + _CHANGES
_case = _id_param("case_id")
_proposal_id = _id_param("proposal_id")
SPEC["components"]["schemas"].update(
    {"Excerpt": _excerpt, "DraftProposal": _proposal, "DraftProposals": _proposals}
)
SPEC["paths"].update(
    {
        "/cases/{case_id}/excerpts": {
            "post": {
                "summary": "Record a passage of advice about to go into a plan section",
                "description": _desk_note,
                "parameters": [_case],
                "requestBody": _json_body(
                    {
                        "type": "object",
                        "properties": {
                            "source": {"type": "integer"},
                            "section": {"type": "string"},
                            "quote": {"type": "string", "maxLength": 20000},
                        },
                        "required": ["source", "section", "quote"],
                    }
                ),
                "responses": _responses(
                    _ref("Excerpt"), "Recorded", status="201", errors="400 413"
                ),
            }
        },
        "/cases/{case_id}/provenance": {
            "get": {
                "summary": "Where the passages of the plan you may read came from "
                "(and, for the caseworker, how much of each contribution is used)",
                "parameters": [_case],
                "responses": _responses(
                    {
                        "type": "object",
                        "properties": {
                            "passages": {"type": "array", "items": _ref("Excerpt")},
                            "contributions": {"type": "array"},
                            "section_k": {
                                "type": "array",
                                "description": "Caseworker only: Section K as "
                                "the portal writes it, K1 first",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "title": {"type": "string"},
                                        "details": {"type": "string"},
                                        "link": {"type": ["string", "null"]},
                                        "outside": {"type": "boolean"},
                                    },
                                },
                            },
                        },
                    },
                    "Passages",
                ),
            }
        },
        "/cases/{case_id}/draft": {
            "get": {
                "summary": "The proposals made for the plan from submitted advice",
                "description": _desk_note,
                "parameters": [_case],
                "responses": _responses(_ref("DraftProposals"), "Proposals"),
            },
            "post": {
                "summary": "Start the draft: propose plan text from submitted advice",
                "description": _desk_note,
                "parameters": [_case],
                "requestBody": _json_body({"type": "object"}),
                "responses": _responses(
                    _ref("DraftProposals"), "Proposed", status="201", errors="400"
                ),
            },
        },
        "/cases/{case_id}/draft/{proposal_id}/accept": {
            "post": {
                "summary": "Accept a proposal, perhaps edited",
                "description": _desk_note,
                "parameters": [_case, _proposal_id],
                "requestBody": _json_body(
                    {"type": "object", "properties": {"text": {"type": "string"}}}
                ),
                "responses": _responses(
                    {
                        "type": "object",
                        "properties": {
                            "proposal": _ref("DraftProposal"),
                            "excerpt": _ref("Excerpt"),
                        },
                    },
                    "Accepted",
                    errors="400",
                ),
            }
        },
        "/cases/{case_id}/draft/{proposal_id}/reject": {
            "post": {
                "summary": "Reject a proposal",
                "description": _desk_note,
                "parameters": [_case, _proposal_id],
                "requestBody": _json_body({"type": "object"}),
                "responses": _responses(
                    {
                        "type": "object",
                        "properties": {"proposal": _ref("DraftProposal")},
                    },
                    "Rejected",
                    errors="400",
                ),
            }
        },
    }
)
