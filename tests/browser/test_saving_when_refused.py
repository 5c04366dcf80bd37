"""Against a server stricter than the page expects (5 changes a second, and no
limits in its join acknowledgement, as today), fast typing is refused now and
then, and still every character is saved: the page resyncs after each
refusal and says "Not saved" until it has."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.config import Settings
from tests.browser.test_saving import (
    DESKTOP,
    RECORD_STATUS,
    _editor_text,
    _go_to_end,
    _open_editor,
    _saved_while_unsaved,
    _section,
    _signed_in_context,
    _stored_text,
    _wait_saved,
)
from tests.conftest import make_settings


@pytest.fixture
def settings() -> Settings:
    return make_settings(UPDATES_PER_SECOND="5")


def test_refused_typing_is_resent_until_all_is_saved(
    live_server: str, chromium: Any, runner, dbs: Session
) -> None:
    runner.invoke(args=["demo"])
    doc_id = _section(dbs, "A")
    context = _signed_in_context(chromium, live_server, DESKTOP)
    page = _open_editor(context, live_server, doc_id)
    page.evaluate(RECORD_STATUS)
    _go_to_end(page)
    page.keyboard.type(" Typed faster than this server takes changes." * 8, delay=10)
    expected = _editor_text(page)
    _wait_saved(page, timeout=60)
    assert _stored_text(dbs, doc_id) == expected
    log = page.evaluate("() => window.statusLog")
    assert any(
        e["text"].startswith("Not saved: You are sending changes too fast") for e in log
    )
    assert _saved_while_unsaved(page) == []
    page.reload()
    page.wait_for_selector('#ehcp-editor[data-state="ready"]', timeout=15_000)
    assert _editor_text(page) == expected
    context.close()
