"""Invitation email over a real SMTP server (aiosmtpd on loopback, a test double
for the council's mail server)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from portal.config import Settings
from tests.browserlike import Browser
from tests.conftest import make_settings
from tests.factories import Factory
from tests.pages.test_invitations import LINK, _invite


class _Inbox(Sink):
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    """A real SMTP server on loopback (aiosmtpd) standing in for the council's."""
    inbox, port = _Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def settings(smtp: tuple[_Inbox, int]) -> Settings:
    return make_settings(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp[1]),
        PUBLIC_URL="https://ehcp.example.gov.uk",
    )


def test_invitation_is_emailed_when_smtp_is_set(
    browser: Browser, make: Factory, smtp: tuple[_Inbox, int]
) -> None:
    inbox, _ = smtp
    case = make.case()
    browser.sign_in(case.memberships[0].person.email)
    page = _invite(browser, case.id)
    assert "We have emailed the link to ep@example.org" in page
    assert not LINK.search(page)  # not shown when it was sent
    for _ in range(50):
        if inbox.messages:
            break
        time.sleep(0.05)
    recipients, content = inbox.messages[0]
    assert recipients == ["ep@example.org"]
    assert "https://ehcp.example.gov.uk/invitations/" in content
    assert case.la_reference in content
    assert case.child_name not in content  # emails never name the child
