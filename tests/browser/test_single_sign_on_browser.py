"""Single sign-on in a real Chromium, against a real OpenID provider on
loopback (`oidc-provider-mock`, the test double for a council's provider; see
tests/oidc_provider.py): the portal's own headers (CSP form-action) must let
the browser go to the provider and back."""

from __future__ import annotations

from typing import Any

import pytest

from portal.config import Settings
from tests.browser.test_accessibility import _violations
from tests.factories import Factory
from tests.oidc_provider import (  # noqa: F401 - fixtures
    COUNCIL,
    Provider,
    provider_fixture,
    provider_server_fixture,
    sso_settings,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(provider: Provider) -> Settings:
    return sso_settings(provider)


def _at_provider_sign_in_as(page: Any, sub: str) -> None:
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def test_staff_sign_in_with_their_provider_and_confirm_it_is_them(
    live_server: str, chromium: Any, provider: Provider, make: Factory
) -> None:
    make.person("dana@northshire.example", name="Dana Whitlock", staff=True)
    provider.add_user("dana-1", email="dana@northshire.example", email_verified=True)
    page = chromium.new_page()
    page.goto(f"{live_server}/sign-in")
    assert _violations(page) == ""
    page.get_by_role("button", name=f"Sign in with {COUNCIL}").click()
    _at_provider_sign_in_as(page, "dana-1")
    page.wait_for_url(f"{live_server}/")
    assert "Your cases" in page.inner_text("main")
    # Just signed in: creating a token needs no confirmation yet.
    page.goto(f"{live_server}/account/tokens/new")
    assert "Create an API token" in page.inner_text("main")
    # Confirming it is them goes to the provider and back too.
    page.goto(f"{live_server}/confirm-its-you?next=/account/tokens/new")
    assert _violations(page) == ""
    page.get_by_role("button", name=f"Sign in again with {COUNCIL}").click()
    _at_provider_sign_in_as(page, "dana-1")
    page.wait_for_url(f"{live_server}/account/tokens/new")
    assert "Create an API token" in page.inner_text("main")
