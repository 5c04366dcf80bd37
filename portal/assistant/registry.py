"""Backends by name, and the settings the model backend reads."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from portal.assistant.base import Assistant


@dataclass(frozen=True)
class AssistantSettings:
    """Where the model is and how long to wait for it."""

    base_url: str | None = None
    api_key: str | None = None
    model: str = "gpt-4o-mini"
    timeout: float = 20.0
    max_retries: int = 2

    @property
    def is_configured(self) -> bool:
        """A model backend needs a key or a local endpoint."""
        return bool(self.api_key or self.base_url)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AssistantSettings:
        """Read OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL and OPENAI_TIMEOUT."""
        e = os.environ if env is None else env
        return cls(
            base_url=e.get("OPENAI_BASE_URL") or None,
            api_key=e.get("OPENAI_API_KEY") or None,
            model=e.get("OPENAI_MODEL") or "gpt-4o-mini",
            timeout=float(e.get("OPENAI_TIMEOUT") or 20),
            max_retries=int(e.get("OPENAI_MAX_RETRIES") or 2),
        )

    @classmethod
    def coerce(cls, settings: object | None) -> AssistantSettings:
        """Accept these settings, the portal's `Settings` (openai_* fields) or None (env)."""
        if settings is None:
            return cls.from_env()
        if isinstance(settings, cls):
            return settings
        return cls(
            base_url=getattr(settings, "openai_base_url", None),
            api_key=getattr(settings, "openai_api_key", None),
            model=getattr(settings, "openai_model", None) or "gpt-4o-mini",
            timeout=float(getattr(settings, "openai_timeout", 20) or 20),
            max_retries=int(getattr(settings, "openai_max_retries", 2)),
        )


def _rules(settings: object | None) -> Assistant:
    from portal.assistant.rules import RuleBasedAssistant

    return RuleBasedAssistant(settings)


def _openai(settings: object | None) -> Assistant:
    from portal.assistant.openai_backend import OpenAIAssistant

    return OpenAIAssistant(AssistantSettings.coerce(settings))


BACKENDS: dict[str, Callable[[object | None], Assistant]] = {
    "rules": _rules,
    "openai": _openai,
}


def get_assistant(name: str = "rules", settings: object | None = None) -> Assistant:
    """The backend called `name` ('rules' or 'openai')."""
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise ValueError(
            f"Unknown assistant backend {name!r}: use one of {', '.join(sorted(BACKENDS))} "
            "(set ASSISTANT_BACKEND)."
        ) from None
    return factory(settings)
