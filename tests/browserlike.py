"""A test client that behaves like a browser: forms carry their CSRF token."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.factories import PASSWORD

_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


class Browser:
    """Signs in and submits forms through the real pages."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def csrf_token(self) -> str:
        page = self.client.get("/sign-in").get_data(as_text=True)
        match = _TOKEN.search(page)
        assert match, "every page carries a CSRF token"
        return match.group(1)

    def sign_in(self, email: str, password: str = PASSWORD) -> TestResponse:
        return self.post("/sign-in", {"email": email, "password": password})

    def sign_out(self) -> TestResponse:
        return self.post("/sign-out", {})

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict[str, Any], **kwargs: Any) -> TestResponse:
        return self.client.post(
            url, data={**data, "csrf_token": self.csrf_token()}, **kwargs
        )

    def text(self, url: str) -> str:
        return self.get(url).get_data(as_text=True)
