"""Real-browser checks: people can sign in and use the pages, and axe-core finds
no WCAG 2.2 A/AA violations, on a desktop and on a 360px-wide phone."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import sign_in

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def _violations(page: Any) -> str:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    if results.violations_count == 0:
        return ""
    return results.generate_report().replace("\n", " | ")[:3000]


def _no_horizontal_scroll(page: Any) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_caseworker_pages_have_no_axe_violations(
    live_server: str, chromium: Any, runner, viewport: dict[str, int]
) -> None:
    runner.invoke(args=["demo"])
    page = chromium.new_page(viewport=viewport)
    sign_in(page, live_server, "caseworker@example.org")
    assert "Leo Marchetti" in page.inner_text("main")
    assert _violations(page) == ""
    page.get_by_role("link", name="Leo Marchetti").click()
    page.wait_for_selector("h1:has-text('Leo Marchetti')")
    assert "Checks on the plan" in page.inner_text("main")
    assert _violations(page) == ""
    assert _no_horizontal_scroll(page)
    page.goto(f"{live_server}/cases/1/invite")
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_selector(".govuk-error-summary")
    assert "Enter an email address." in page.inner_text(".govuk-error-summary")
    assert _violations(page) == ""


def test_parent_on_a_phone_writes_their_views(
    live_server: str, chromium: Any, runner
) -> None:
    runner.invoke(args=["demo"])
    page = chromium.new_page(viewport=PHONE)
    sign_in(page, live_server, "parent@example.org")
    assert "You are asked to write: Parent and carer views" in page.inner_text("main")
    assert _violations(page) == ""
    assert _no_horizontal_scroll(page)
    page.get_by_role("link", name="Write it").click()
    page.wait_for_selector(
        '#ehcp-editor[data-state="ready"]'
    )  # text loaded: scrollable
    assert "You can edit this" in page.inner_text("main")
    assert _violations(page) == ""
    assert _no_horizontal_scroll(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_account_and_password_pages_have_no_axe_violations(
    live_server: str, chromium: Any, runner, viewport: dict[str, int]
) -> None:
    runner.invoke(args=["demo"])
    page = chromium.new_page(viewport=viewport)
    page.goto(f"{live_server}/password/forgotten")
    assert _violations(page) == ""
    page.goto(f"{live_server}/password/reset/not-a-real-link")
    assert "new link" in page.inner_text("main")
    assert _violations(page) == ""
    sign_in(page, live_server, "parent@example.org")
    page.goto(f"{live_server}/account")
    assert _violations(page) == ""
    assert _no_horizontal_scroll(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_whole_plan_and_section_k_have_no_axe_violations_and_print_the_plan(
    live_server: str, chromium: Any, runner, viewport: dict[str, int]
) -> None:
    runner.invoke(args=["demo"])
    page = chromium.new_page(viewport=viewport)
    sign_in(page, live_server, "caseworker@example.org")
    page.goto(f"{live_server}/cases/1")
    page.get_by_role("link", name="Read the whole plan").click()
    page.wait_for_selector("#section-K")
    assert "Gaps to look at" in page.inner_text("main")
    assert _violations(page) == ""
    assert _no_horizontal_scroll(page)

    # Printed: the plan alone, each section from a new page, sources' addresses.
    page.emulate_media(media="print")
    shown = page.evaluate(
        """() => ({
          header: getComputedStyle(document.querySelector('.govuk-header')).display,
          gaps: getComputedStyle(document.querySelector('#plan-gaps')).display,
          breakB: getComputedStyle(document.querySelector('#section-B')).breakBefore,
          link: getComputedStyle(
            document.querySelector('#section-k-list a'), '::after').content,
        })"""
    )
    assert shown["header"] == "none" and shown["gaps"] == "none"
    assert shown["breakB"] == "page"
    assert "/documents/" in shown["link"]
    page.emulate_media(media="screen")

    page.goto(f"{live_server}/cases/1/advice-received")
    page.get_by_role("button", name="Add to Section K").click()
    page.wait_for_selector(".govuk-error-summary")
    assert _violations(page) == ""
    page.get_by_label("Who it is from").fill("Westhaven Children's Services")
    page.get_by_label("What kind of advice it is").select_option("social_worker")
    today = date.today()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Add to Section K").click()
    page.wait_for_selector("#outside-advice")
    assert "Westhaven Children's Services" in page.inner_text("#section-k-list")
    assert _violations(page) == ""
    assert _no_horizontal_scroll(page)
