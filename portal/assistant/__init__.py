"""The writing assistant: plain-English suggestions and gap findings for a plan.

Backends: `rules` (default, offline) and `openai` (any OpenAI-compatible
endpoint, with redaction and a guard), chosen with `get_assistant(name, settings)`.
This package imports only the standard library, PyYAML, openai and click/Flask
(for its CLI); never models, services, `auth` or `realtime`. The portal builds
a `CaseMaterial` from its database and passes it in.
"""

from __future__ import annotations

from portal.assistant.base import (
    ADVICE_KINDS,
    CASEWORKER_KINDS,
    AdviceItem,
    Assistant,
    AssistantUnavailable,
    CaseMaterial,
    Finding,
    Report,
    Suggestion,
)
from portal.assistant.readability import ReadingMeasures, reading_measures
from portal.assistant.registry import AssistantSettings, get_assistant


def init_app(app: object) -> None:
    """Register the `flask assistant …` commands."""
    from portal.assistant.cli import init_app as init_cli

    init_cli(app)  # type: ignore[arg-type]


__all__ = [
    "ADVICE_KINDS",
    "CASEWORKER_KINDS",
    "AdviceItem",
    "Assistant",
    "AssistantSettings",
    "AssistantUnavailable",
    "CaseMaterial",
    "Finding",
    "ReadingMeasures",
    "Report",
    "Suggestion",
    "get_assistant",
    "init_app",
    "reading_measures",
]
