"""The EHCP co-production portal: Flask app, models, services and pages.

`portal.app.create_app` is the only place that imports every package and
wires them together. `flask --app portal` finds it here.
"""

from __future__ import annotations

from portal.app import create_app

__all__ = ["create_app"]
