"""PostgreSQL connections for a process served on gevent (`portal.serve`).

Under gevent psycopg waits with the patched `select.poll`: every wait builds
a poll object, a watcher and a timer, and parks the greenlet for a turn of
the loop even when the socket is already ready, which it usually is for
sending. The collaboration committer waits like this several times per
batch, on every keystroke's path, and each turn of the loop queues behind
every connection's frames (bench/realtime.py).

`GeventConnection.wait` asks the socket first, with the unpatched poll and
no timeout, and yields to other greenlets only when it really must wait.
SQLAlchemy makes every psycopg connection of such a process through it
(the engine's documented `do_connect` hook); threaded processes (tests
in-process, the command line) keep psycopg's own connections and waits.
"""

from __future__ import annotations

import functools
import select
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from portal.serve import patched_for_gevent


@event.listens_for(Engine, "do_connect")
def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
    if dialect.driver != "psycopg" or dialect.is_async or not patched_for_gevent():
        return None  # SQLAlchemy connects as usual
    return _connection_class().connect(*cargs, **cparams)


@functools.cache
def _connection_class() -> type[Any]:
    """The connection class, built on first use: only a gevent process
    imports gevent."""
    import psycopg
    from gevent.monkey import get_original
    from gevent.socket import wait_read, wait_readwrite, wait_write

    # psycopg's Wait and Ready flags are the same bits: 1 read, 2 write.
    unpatched_poll = get_original("select", "poll")
    masks = {1: select.POLLIN, 2: select.POLLOUT, 3: select.POLLIN | select.POLLOUT}
    waiters = {1: wait_read, 2: wait_write, 3: wait_readwrite}
    failed = select.POLLERR | select.POLLHUP | select.POLLNVAL

    def ready_now(fileno: int, wanted: int) -> int:
        poller = unpatched_poll()
        poller.register(fileno, masks[wanted])
        ready = 0
        for _fd, events in poller.poll(0):
            if events & select.POLLIN:
                ready |= 1
            if events & select.POLLOUT:
                ready |= 2
            if not ready and events & failed:
                ready = wanted  # let libpq read the error and raise it
        return ready

    class GeventConnection(psycopg.Connection[Any]):
        """A psycopg connection that waits cheaply on gevent's loop."""

        def wait(self, gen: Any, interval: float = 0.1, timeout: Any = None) -> Any:
            if timeout is not None:  # psycopg's cancellation path: rare
                return super().wait(gen, interval, timeout)
            fileno = self.pgconn.socket
            try:
                wanted = next(gen)
                while True:
                    ready = ready_now(fileno, wanted)
                    while not ready:
                        waiters[wanted](fileno)
                        ready = ready_now(fileno, wanted)
                    wanted = gen.send(ready)
            except StopIteration as done:
                return done.value

    return GeventConnection
