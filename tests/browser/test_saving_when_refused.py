"""When the server refuses changes while someone types (here: its database
fails inserts for a while, injected by a trigger), every character is still
saved: the page says "Not saved", resyncs after each refusal, and says "All
changes saved" only once the server holds everything."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.orm import Session

from tests import faults
from tests.browser.test_saving import (
    DESKTOP,
    RECORD_STATUS,
    _editor_markdown,
    _editor_text,
    _go_to_end,
    _open_editor,
    _saved_while_unsaved,
    _section,
    _signed_in_context,
    _stored_text,
    _wait_saved,
)


def test_refused_typing_is_resent_until_all_is_saved(
    live_server: str, chromium: Any, runner, dbs: Session
) -> None:
    runner.invoke(args=["demo"])
    faults.install(dbs.get_bind())  # type: ignore[arg-type]
    doc_id = _section(dbs, "A")
    context = _signed_in_context(chromium, live_server, DESKTOP)
    page = _open_editor(context, live_server, doc_id)
    page.evaluate(RECORD_STATUS)
    _go_to_end(page)

    kind = faults.kinds(dbs.get_bind())[-1]  # type: ignore[arg-type]
    faults.plan(dbs, kind, times=1_000)
    page.keyboard.type(" Typed while the database is failing.", delay=10)
    page.wait_for_selector('#ehcp-editor[data-status="unsaved"]', timeout=15_000)
    time.sleep(0.5)
    page.keyboard.type(" And more, still failing.", delay=10)
    faults.plan(dbs, None)

    expected = _editor_text(page)
    _wait_saved(page, timeout=60)
    assert _stored_text(dbs, doc_id) == _editor_markdown(page)
    log = page.evaluate("() => window.statusLog")
    assert any(e["text"].startswith("Not saved: The change could not be") for e in log)
    assert _saved_while_unsaved(page) == []
    page.reload()
    page.wait_for_selector('#ehcp-editor[data-state="ready"]', timeout=15_000)
    assert _editor_text(page) == expected
    context.close()
