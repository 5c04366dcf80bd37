"""A real SMTP server on loopback (aiosmtpd), standing in for the council's."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_string
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink


class Inbox(Sink):
    """Keeps every message the server accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        """The messages sent to `address`, parsed."""
        return [message_from_string(m) for r, m in self.messages if address in r]

    def bodies(self) -> list[str]:
        """Every message's text, decoded."""
        return [body(message_from_string(m)) for _, m in self.messages]


def body(message: Message) -> str:
    """A plain-text message's body, decoded from its transfer encoding."""
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


@dataclass
class Smtp:
    inbox: Inbox
    port: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    """aiosmtpd on an unused loopback port."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield Smtp(inbox, port)
    controller.stop()
