"""Headers that keep pages about a child out of caches, frames and script injection."""

from __future__ import annotations

import base64
import hashlib
import re

from tests.browserlike import Browser
from tests.factories import Factory


def test_pages_carry_a_strict_policy_and_are_not_cached(
    browser: Browser, make: Factory
) -> None:
    case = make.case()
    browser.sign_in(case.memberships[0].person.email)
    response = browser.get(f"/cases/{case.id}")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    # Every inline script on the page is allowed by its hash, and only those.
    html = response.get_data(as_text=True)
    for body in re.findall(r"<script>(.*?)</script>", html, re.S):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_the_sign_in_page_may_be_cached_by_the_browser_only_when_signed_out(
    browser: Browser,
) -> None:
    response = browser.get("/sign-in")
    assert "Content-Security-Policy" in response.headers
    assert response.headers.get("Cache-Control") != "no-store"
