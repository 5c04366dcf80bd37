"""The EHCP co-production portal: Flask app, models, services and pages.

`portal.app.create_app` is the only place that imports every package and
wires them together. `flask --app portal` finds it here.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Loaded on first use, not with the package: `python -m portal.serve`
    # must patch the standard library for gevent before Flask is imported.
    if name == "create_app":
        from portal.app import create_app

        return create_app
    raise AttributeError(f"module 'portal' has no attribute {name!r}")
