"""A young person records their voice in "All about me" on a phone: Chromium
records about two seconds from its fake microphone, a grown-up types the
words, and the voice note is saved, plays, and is still there after a
reload, with its words in the stored Markdown."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Document, DocumentRecording
from tests import services
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import _no_horizontal_scroll, _violations
from tests.browser.test_family_pages import PHONE, _screenshot
from tests.browser.test_saving import _editor_markdown, _stored_text, _wait_saved

WORDS = "I like trains, and my dog Biscuit!"


@pytest.fixture
def chromium_with_microphone() -> Iterator[Any]:
    """Chromium with a fake microphone (a beeping tone) it may use unasked."""
    path = services.chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
            ],
        )
        yield browser
        browser.close()


def _child_page(base: str, browser: Any, dbs: Session, runner: Any) -> tuple[Any, int]:
    runner.invoke(args=["demo"])
    doc_id = int(
        dbs.scalar(
            select(Document.id).where(Document.discipline == "child_young_person")
        )
    )
    page = browser.new_page(viewport=PHONE)
    sign_in(page, base, "young.person@example.org")
    page.goto(f"{base}/documents/{doc_id}")
    page.wait_for_selector('#ehcp-editor[data-state="ready"]', timeout=15_000)
    return page, doc_id


def test_young_person_records_their_voice_and_finds_it_after_a_reload(
    live_server: str,
    chromium_with_microphone: Any,
    runner: Any,
    dbs: Session,
    tmp_path: Path,
) -> None:
    page, doc_id = _child_page(live_server, chromium_with_microphone, dbs, runner)
    page.click("#editor-mount .ProseMirror h2")
    page.keyboard.press("Control+End")

    record = page.locator(".app-editor__tool--record")
    assert record.inner_text() == "Record my voice"
    record.click()
    assert page.is_visible("#editor-recording-panel")
    assert record.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.id") == "editor-recording-start"
    # Saving with nothing recorded says what to do.
    page.click("#editor-recording-save")
    assert "Record your voice first" in page.inner_text("#editor-recording-error")

    page.click("#editor-recording-start")
    page.wait_for_selector("#editor-recording-stop:not([hidden])")
    assert "seconds left" in page.inner_text("#editor-recording-time")
    page.wait_for_timeout(2200)
    page.click("#editor-recording-stop")
    page.wait_for_selector("#editor-recording-audio:not([hidden])")
    assert page.evaluate("document.activeElement.id") == "editor-recording-transcript"
    assert _violations(page) == ""
    page.fill("#editor-recording-transcript", WORDS)
    page.click("#editor-recording-save")
    note = "#editor-mount figure.app-editor__voice-note"
    page.wait_for_selector(f"{note} audio", timeout=10_000)
    assert page.is_hidden("#editor-recording-panel")
    assert page.inner_text(f"{note} figcaption") == WORDS
    _wait_saved(page)
    _screenshot(page, tmp_path, "all-about-me-voice-note-390")

    stored = _stored_text(dbs, doc_id)
    found = re.search(
        rf"\[Voice note: {re.escape(WORDS)}\]\((/documents/{doc_id}/recordings/\d+)\)",
        stored,
    )
    assert found is not None, stored
    assert found.group(0) in _editor_markdown(page)
    recording = dbs.scalars(select(DocumentRecording)).one()
    assert recording.content_type == "audio/webm"
    # About two seconds of Opus: a few kilobytes, far below the limit.
    assert 1_000 < recording.byte_size < 200_000, recording.byte_size
    print(f"two-second recording: {recording.byte_size} bytes")  # noqa: T201

    page.reload()
    page.wait_for_selector('#ehcp-editor[data-state="ready"]', timeout=15_000)
    audio = page.wait_for_selector(f"{note} audio")
    assert audio.get_attribute("preload") == "none"
    assert audio.get_attribute("src") == found.group(1)
    assert page.inner_text(f"{note} figcaption") == WORDS
    # The browser can load what the portal serves (Range, strict headers).
    ready = page.evaluate(
        """(a) => new Promise((done) => {
            a.addEventListener('loadedmetadata', () => done(a.readyState), {once: true})
            a.addEventListener('error', () => done(-1), {once: true})
            a.preload = 'metadata'; a.load()
        })""",
        audio,
    )
    assert ready >= 1
    assert _violations(page) == ""
    assert _no_horizontal_scroll(page)
    page.close()


def test_a_refused_microphone_gets_a_clear_sentence(
    live_server: str,
    chromium_with_microphone: Any,
    runner: Any,
    dbs: Session,
) -> None:
    page, _ = _child_page(live_server, chromium_with_microphone, dbs, runner)
    page.evaluate(
        """() => { navigator.mediaDevices.getUserMedia = () =>
            Promise.reject(new DOMException('denied', 'NotAllowedError')) }"""
    )
    page.click(".app-editor__tool--record")
    page.click("#editor-recording-start")
    page.wait_for_selector("#editor-recording-error:not([hidden])")
    assert "We could not use the microphone. You can type instead." in page.inner_text(
        "#editor-recording-error"
    )
    assert page.is_visible("#editor-recording-panel .govuk-form-group--error")
    page.keyboard.press("Escape")
    assert page.is_hidden("#editor-recording-panel")
    assert page.evaluate("document.activeElement.classList.contains('ProseMirror')")
    page.close()
