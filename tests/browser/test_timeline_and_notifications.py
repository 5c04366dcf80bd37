"""In a real browser: the caseworker's notification list (new, then seen) and
the case's 20-week timeline, axe-core clean on a desktop and a phone."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import (
    DESKTOP,
    PHONE,
    _no_horizontal_scroll,
    _violations,
)


def _states(page: Any) -> dict[str, str]:
    items = page.locator("#timeline li")
    return {
        items.nth(i).get_attribute("data-step"): items.nth(i).get_attribute(
            "data-state"
        )
        for i in range(items.count())
    }


def test_caseworker_sees_notifications_and_the_timeline(
    live_server: str, chromium: Any, runner: Any
) -> None:
    runner.invoke(args=["demo"])
    ep = chromium.new_context(viewport=DESKTOP).new_page()
    sign_in(ep, live_server, "psychologist@example.org")
    ep.get_by_role("link", name="Write it").click()
    ep.locator("#submit-form button").click()
    ep.wait_for_selector("text=You can read this")

    page = chromium.new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server, "caseworker@example.org")
    notes = page.locator("#notifications")
    text = notes.inner_text()
    assert re.search(
        r"Dr Martin Hale, Educational psychologist, submitted Psychological advice "
        r"for Leo Marchetti\. 2 of \d+ pieces of advice are now in\.",
        text,
    )
    assert "Tom Brennan" in text  # the demo's submitted social care advice
    assert notes.locator(".govuk-tag", has_text="New").count() == 2
    assert "overdue" in page.inner_text("#attention-counts")
    assert _violations(page) == ""
    page.reload()
    assert page.locator("#notifications .govuk-tag", has_text="New").count() == 0

    page.get_by_role("link", name="Leo Marchetti").first.click()
    page.wait_for_selector("#timeline")
    assert "week 11 of 20" in page.inner_text("#timeline-today")
    assert _states(page) == {
        "request": "done",
        "decision_to_assess": "done",
        "advice": "due",
        "draft_plan": "due",
        "comment_period": "due",
        "final_plan": "due",
    }
    advice = page.inner_text("#advice-dates")
    assert re.search(r"Overdue\s+Educational advice \(Grace Obi\)", advice)
    assert re.search(r"Submitted\s+Psychological advice \(Dr Martin Hale\)", advice)
    bar = page.locator("svg.app-weeks__bar").bounding_box()
    assert bar is not None and bar["width"] > 600
    assert page.locator("svg .app-weeks__today").count() == 1
    assert page.locator("svg .app-weeks__mark--missed").count() == 1  # the school's
    page.locator(".app-weeks").screenshot(path="/tmp/timeline-desktop.png")
    assert _violations(page) == ""
    page.set_viewport_size(PHONE)
    assert _no_horizontal_scroll(page)
    assert _violations(page) == ""
