"""The editor in a real Chromium against frontend/test/harness.mjs.

The harness serves the rendered partial, portal/static, a mock /collab server
and canned assistant and picture endpoints on one origin, so these tests
check the bundle and the partial without the Flask app (the portal's own
browser tests cover that).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
from markupsafe import Markup

from tests.frontend.conftest import FRONTEND, ROOT, missing

pytestmark = pytest.mark.browser

PAGE = """<!DOCTYPE html>
<html lang="en-GB" class="govuk-template"><head><meta charset="utf-8"><title>Editor</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="CSRF123">
<link rel="stylesheet" href="/static/govuk/govuk-frontend.min.css">
<link rel="stylesheet" href="/static/app.css"></head>
<body class="govuk-template__body"><main class="govuk-width-container">{body}</main>
<script type="module" src="/static/govuk-init.js"></script></body></html>"""

PROMPTS = [
    {"heading": "What I like", "starters": ["I like …", "My favourite thing is …"]},
    {"heading": "What I find hard", "starters": ["I find it hard when …"]},
]


class _Request:
    script_root = ""


class _Doc:
    id = 1
    title = "Parent views"


def _render(tmp_path: Path, **extra: Any) -> Path:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(ROOT / "portal" / "templates"), autoescape=True
    )
    body = env.get_template("documents/_editor.html").render(
        doc=_Doc,
        person_id="7",
        access="edit",
        user_name="Sofia <Marchetti>",
        user_role_label="Parent or carer",
        rendered_html=Markup("<h2>Hello</h2>"),
        request=_Request,
        url_for=lambda endpoint, filename: f"/static/{filename}",
        **extra,
    )
    page = tmp_path / "page.html"
    page.write_text(PAGE.format(body=body))
    return page


def _serve(node: str, page: Path) -> Iterator[str]:
    proc = subprocess.Popen(  # noqa: S603 - fixed arguments
        [node, "test/harness.mjs", str(page), "0"],
        cwd=FRONTEND,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


@pytest.fixture
def harness(node: str, tmp_path: Path) -> Iterator[str]:
    """The harness URL, serving the partial rendered for an editor."""
    yield from _serve(node, _render(tmp_path))


@pytest.fixture
def family_harness(node: str, tmp_path: Path) -> Iterator[str]:
    """The partial with pictures and sentence starters, as a family sees it."""
    page = _render(
        tmp_path,
        images_url="/api/documents/1/images",
        prompts=json.loads(json.dumps(PROMPTS)),
    )
    yield from _serve(node, page)


@pytest.fixture
def chromium() -> Iterator[object]:
    """A headless Debian Chromium driven by Playwright."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        missing(
            "install Debian's chromium (apt-get install chromium) for browser tests"
        )
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path)
        yield browser
        browser.close()


def _open(browser, url: str, token: str, width: int = 1200, height: int = 800):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_cookies([{"name": "test_token", "value": token, "url": url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector("#ehcp-editor[data-state=ready]", timeout=10000)
    return page, errors


def test_two_editors_see_edits_presence_and_check(harness: str, chromium) -> None:  # type: ignore[no-untyped-def]
    alice, alice_errors = _open(chromium, harness, "alice")
    phone, phone_errors = _open(chromium, harness, "bob", width=360)
    alice.click(".ProseMirror")
    alice.keyboard.type("We will utilise regular support.")
    phone.wait_for_function("window.ehcpEditor.text().includes('regular support')")
    alice.wait_for_selector("#ehcp-editor[data-status=saved]")
    assert alice.inner_text("#editor-status") == "All changes saved"
    assert phone.locator("#editor-presence li").count() == 2
    assert "Sofia <Marchetti> (you)" in phone.inner_text("#editor-presence")
    phone.wait_for_selector(".app-editor__remote-name:has-text('Sofia <Marchetti>')")
    phone.wait_for_selector("#check-suggestions li[data-rule=plain-words]")
    # No sideways scrolling on a 360px phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.click("#check-suggestions button[data-action=highlight]")
    assert phone.inner_text(".app-check-highlight") == "utilise"
    alice.keyboard.press("Home")
    alice.keyboard.type("Now ")  # a concurrent edit before the suggestion's words
    phone.wait_for_function("window.ehcpEditor.text().startsWith('Now ')")
    phone.click("#check-suggestions button[data-action=accept]")
    alice.wait_for_function(
        "window.ehcpEditor.text() === 'Now We will use regular support.'"
    )
    assert not alice_errors and not phone_errors


def test_reader_cannot_edit(harness: str, chromium) -> None:  # type: ignore[no-untyped-def]
    reader, errors = _open(chromium, harness, "reader")
    assert reader.inner_text("#editor-status") == "You can read this document"
    assert reader.get_attribute(".ProseMirror", "contenteditable") == "false"
    assert reader.get_attribute(".ProseMirror", "tabindex") == "0"
    assert reader.get_attribute("#ehcp-editor", "data-access") == "read"
    assert reader.is_hidden("[role=toolbar]")
    assert not errors


def test_starters_and_pictures(family_harness: str, chromium) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(chromium, family_harness, "alice", width=390, height=844)
    page.click(".ProseMirror")
    page.click("[data-command=heading]")
    page.keyboard.type("What I like")
    page.keyboard.press("Enter")
    placeholder = page.get_attribute(".app-editor__placeholder", "data-placeholder")
    assert placeholder == "I like …"
    assert page.inner_text(".app-editor__starters").startswith("Try starting with:")
    page.click(".app-editor__starter:has-text('My favourite thing is')")
    page.keyboard.type("drums.")
    assert page.evaluate("window.ehcpEditor.text()") == (
        "What I like\nMy favourite thing is drums."
    )
    assert page.evaluate("window.ehcpEditor.markdown()") == (
        "## What I like\n\nMy favourite thing is drums.\n"
    )

    page.click(".app-editor__tool--picture")
    page.set_input_files(
        "#editor-picture-file",
        files=[{"name": "a.png", "mimeType": "image/png", "buffer": b"\x89PNG"}],
    )
    page.fill("#editor-picture-alt", "refuse this one")
    page.click(".app-editor__picture-add")
    page.wait_for_selector("#editor-picture-file-error:has-text('smaller than 10 MB')")
    assert page.is_visible("#editor-picture-panel")
    page.fill("#editor-picture-alt", "A blue square")
    page.click(".app-editor__picture-add")
    page.wait_for_selector("figure.app-editor__figure img[alt='A blue square']")
    assert page.is_hidden("#editor-picture-panel")
    assert page.inner_text(".app-editor__caption") == "A blue square"
    assert "![A blue square](/documents/1/images/1)" in page.evaluate(
        "window.ehcpEditor.markdown()"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click(".app-editor__figure-button:has-text('Remove picture')")
    assert page.query_selector("figure.app-editor__figure") is None
    assert not errors
