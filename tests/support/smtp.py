"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.ports import free_port


@dataclass
class SMTPServer:
    """Accepts every message on 127.0.0.1:port, after `delay` seconds each.

    The delay plays a slow provider: a request that waited for the mail server would
    take at least that long.
    """

    port: int
    delay: float = 0.0
    received: list[Any] = field(default_factory=list)  # aiosmtpd envelopes, in order

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        self.received.append(envelope)
        return "250 OK"


@contextlib.contextmanager
def running_smtp_server(delay: float = 0.0) -> Iterator[SMTPServer]:
    """An SMTP server on a free loopback port, stopped on exit."""
    server = SMTPServer(free_port(), delay=delay)
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
