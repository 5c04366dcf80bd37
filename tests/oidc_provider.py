"""A real OpenID provider on loopback for single sign-on tests (a test double).

`oidc-provider-mock` (PyPI) is a complete OpenID Connect provider built on
Authlib's server: discovery, authorization with a form to choose the
subject, the token endpoint, signed ID tokens and JWKS. Here it runs in a
thread on an unused port of 127.0.0.1, with nonces required. Its issuer is
the URL it was reached at; `wrong_issuer` makes its token endpoint believe
it was reached as `localhost`, so the ID token it signs names another issuer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import requests
import werkzeug.serving

from portal.config import Settings
from tests.conftest import make_settings

COUNCIL = "Northshire Council"


@dataclass
class Provider:
    """The running provider: its issuer URL and switches for bad answers."""

    issuer: str
    wrong_issuer: bool = False

    def add_user(self, sub: str, **claims: Any) -> None:
        """Say who `sub` is: the claims its ID tokens carry (email, name...)."""
        response = requests.put(
            f"{self.issuer}/users/{quote(sub, safe='')}", json=claims, timeout=10
        )
        assert response.status_code == 204, response.text

    def authorize(self, url: str, sub: str) -> str:
        """Sign in at the provider as `sub` (its form), returning where it
        sends the browser back to: our callback, with a code and the state."""
        response = requests.post(
            url, data={"sub": sub}, allow_redirects=False, timeout=10
        )
        assert response.status_code == 302, response.text
        location = response.headers["Location"]
        parts = urlsplit(location)
        return f"{parts.path}?{parts.query}"


class _Rehost:
    """WSGI middleware: when asked, the token endpoint sees another Host."""

    def __init__(self, app: Any, provider: Provider) -> None:
        self.app = app
        self.provider = provider

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.provider.wrong_issuer and environ.get("PATH_INFO") == "/oauth2/token":
            # Still loopback (the provider refuses plain HTTP elsewhere),
            # but not the issuer the portal was configured with.
            environ["HTTP_HOST"] = "localhost:" + self.provider.issuer.rsplit(":", 1)[1]
        return self.app(environ, start_response)


@contextmanager
def running_provider() -> Iterator[Provider]:
    """Start the provider on an unused loopback port; stop it afterwards."""
    import oidc_provider_mock  # imported here: it warns about Authlib's old API

    app = oidc_provider_mock.app(require_nonce=True)
    provider = Provider(issuer="")
    server = werkzeug.serving.make_server(
        "127.0.0.1", 0, _Rehost(app, provider), threaded=True
    )
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@pytest.fixture(scope="module", name="provider_server")
def provider_server_fixture() -> Iterator[Provider]:
    """One provider for a test module (import this fixture to use it)."""
    with running_provider() as provider:
        yield provider


@pytest.fixture(name="provider")
def provider_fixture(provider_server: Provider) -> Provider:
    """The module's provider, answering properly."""
    provider_server.wrong_issuer = False
    return provider_server


def sso_settings(provider: Provider) -> Settings:
    """The portal's settings with the provider configured as "council"."""
    return make_settings(
        OIDC_COUNCIL_ISSUER=provider.issuer,
        OIDC_COUNCIL_CLIENT_ID="ehcp-portal",
        OIDC_COUNCIL_CLIENT_SECRET="not-a-real-secret",
        OIDC_COUNCIL_DISPLAY_NAME=COUNCIL,
    )
