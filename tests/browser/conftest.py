"""A live portal on loopback and a real headless Chromium driven by Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests import services


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served over HTTP (and Socket.IO) on an unused loopback port."""
    app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright (no browser download)."""
    path = services.chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def sign_in(
    page: Any, base: str, email: str, password: str = "portal-demo-2026"
) -> None:
    """Sign in through the real form."""
    page.goto(f"{base}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
