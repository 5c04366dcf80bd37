"""Load test of `/collab`, compared with pycrdt-websocket's reference server.

    .venv/bin/python bench/realtime.py [--clients 200] [--rooms 40] [--seconds 60]
        [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

Loopback only, bounded in time. One server process each: ours
(`tests/realtime/serve_collab.py`: Flask-SocketIO on gevent, every update
committed before it is relayed and acknowledged) and pycrdt-websocket 0.16's
`WebsocketServer` behind an aiohttp websocket endpoint (no persistence, no
acknowledgements). Every client makes `--rate` small edits a second.

Prints p50/p99 propagation latency (edit sent by one client to seen by
another), edits per second, lost edits after a final resync (every
acknowledged edit must be in the database and in every client of its room),
server RSS, and the time to join and sync a document with a long history
before and after compaction; then our figures as ratios to the reference.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
import socketio
from pycrdt import (
    Doc,
    Text,
    create_sync_message,
    create_update_message,
    handle_sync_message,
)

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path and its name
# would shadow the `realtime` package: put the project root there instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
NS = "/collab"


# -- shared client-side bookkeeping ---------------------------------------------


@dataclass
class Metrics:
    sent: dict[tuple[int, int], float] = field(
        default_factory=dict
    )  # edit -> send time
    latencies: list[float] = field(default_factory=list)
    acked: int = 0
    refused: int = 0
    markers: dict[int, set[str]] = field(default_factory=dict)  # room -> acked markers


class BenchClient:
    """An editor with its own Doc; subclasses provide the transport."""

    def __init__(self, metrics: Metrics, room: int, index: int) -> None:
        self.m = metrics
        self.room = room
        self.index = index
        self.ydoc: Doc = Doc()
        self.text = self.ydoc.get("content", type=Text)
        self.synced = asyncio.Event()
        self.seen: set[tuple[int, int]] = set()
        self.mine: set[tuple[int, int]] = set()

    def on_frame(self, frame: bytes) -> bytes | None:
        if frame[:1] != b"\x00":
            return None  # awareness
        reply = handle_sync_message(frame[1:], self.ydoc)
        if frame[1] == 1:
            self.synced.set()
        elif frame[1] == 2:
            key = _update_key(frame)
            sent = self.m.sent.get(key)
            # The reference server echoes edits to their sender: not propagation.
            if sent is not None and key not in self.seen and key not in self.mine:
                self.seen.add(key)
                self.m.latencies.append(time.perf_counter() - sent)
        return reply

    def make_edit(self, n: int) -> tuple[bytes, str]:
        marker = f"<{self.index}.{n}>"
        before = self.ydoc.get_state()
        self.text.insert(len(self.text), marker)
        update = self.ydoc.get_update(before)
        key = _edit_key(update)
        self.mine.add(key)
        self.m.sent[key] = time.perf_counter()
        return update, marker


def _varuint(data: bytes, i: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = data[i]
        value |= (byte & 0x7F) << shift
        shift += 7
        i += 1
        if byte < 0x80:
            return value, i


def _edit_key(update: bytes) -> tuple[int, int]:
    """(client id, first clock) of a one-client update: which edit it is.

    Read from the update's own header (number of clients, number of structs,
    client, clock), which is the same however a server relays it. Not
    `get_state(update)`: like Yjs's encodeStateVectorFromUpdate it leaves out
    clients whose structs do not start at clock 0, so every edit after a
    client's first would share one empty key.
    """
    _clients, i = _varuint(update, 0)
    _structs, i = _varuint(update, i)
    client, i = _varuint(update, i)
    clock, _ = _varuint(update, i)
    return client, clock


def _update_key(frame: bytes) -> tuple[int, int]:
    """The edit a relayed sync frame (0, 2, length, update) carries."""
    length, i = _varuint(frame, 2)
    return _edit_key(frame[i : i + length])


class OurClient(BenchClient):
    def __init__(self, url: str, token: str, *args: Any) -> None:
        super().__init__(*args)
        self.url, self.token = url, token
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("sync", self._on_sync, namespace=NS)

    async def _on_sync(self, data: dict[str, Any]) -> None:
        reply = self.on_frame(bytes(data["data"]))
        if reply is not None:
            await self.sio.emit("sync", {"doc": self.room, "data": reply}, namespace=NS)

    async def open(self) -> None:
        await self.sio.connect(
            self.url,
            namespaces=[NS],
            auth={"token": self.token},
            transports=["websocket"],
            wait_timeout=20,
        )
        ack = await self.sio.call("join", {"doc": self.room}, namespace=NS, timeout=20)
        assert ack.get("ok"), ack
        await self.resync()

    async def resync(self) -> None:
        self.synced.clear()
        await self.sio.emit(
            "sync",
            {"doc": self.room, "data": create_sync_message(self.ydoc)},
            namespace=NS,
        )
        await asyncio.wait_for(self.synced.wait(), 20)

    async def edit(self, n: int) -> None:
        update, marker = self.make_edit(n)
        ack = await self.sio.call(
            "sync",
            {"doc": self.room, "data": create_update_message(update)},
            namespace=NS,
            timeout=20,
        )
        if ack.get("ok"):
            self.m.acked += 1
            self.m.markers.setdefault(self.room, set()).add(marker)
        else:
            self.m.refused += 1

    async def close(self) -> None:
        await self.sio.disconnect()


class RefClient(BenchClient):
    def __init__(self, url: str, session: aiohttp.ClientSession, *args: Any) -> None:
        super().__init__(*args)
        self.url, self.session = url, session
        self.reader: asyncio.Task[None] | None = None

    async def open(self) -> None:
        self.ws = await self.session.ws_connect(
            f"{self.url}/room{self.room}", max_msg_size=0
        )
        self.reader = asyncio.create_task(self._read())
        await self.resync()

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type == aiohttp.WSMsgType.BINARY:
                reply = self.on_frame(msg.data)
                if reply is not None:
                    await self.ws.send_bytes(reply)

    async def resync(self) -> None:
        self.synced.clear()
        await self.ws.send_bytes(create_sync_message(self.ydoc))
        await asyncio.wait_for(self.synced.wait(), 20)

    async def edit(self, n: int) -> None:
        update, marker = self.make_edit(n)
        await self.ws.send_bytes(create_update_message(update))
        self.m.acked += 1  # no acknowledgement exists: counted as sent
        self.m.markers.setdefault(self.room, set()).add(marker)

    async def close(self) -> None:
        await self.ws.close()
        if self.reader:
            self.reader.cancel()


# -- the load ---------------------------------------------------------------------


async def drive(
    clients: list[BenchClient], seconds: float, rate: float, server_pid: int
) -> dict[str, Any]:
    m = clients[0].m
    # One client per room first: pycrdt-websocket's WebsocketServer fails when
    # two clients race to create the same room ("YRoom already running").
    rooms = len({c.room for c in clients})
    for c in clients[:rooms]:
        await c.open()
    for chunk in range(rooms, len(clients), 20):
        await asyncio.gather(*(c.open() for c in clients[chunk : chunk + 20]))
    # The load generator's own full collections walk 200 clients' sockets,
    # documents and Socket.IO state: measured 57-134 ms every 4-5 s, which
    # stalled every client at once and showed up as propagation latency.
    # Freeze what setup built, as the server does (portal.serve.settle_heap),
    # and report the generator's pauses beside the figures.
    gc.collect()
    gc.freeze()
    pauses = GcPauses()
    cpu_before = cpu_seconds(server_pid)
    own_before = cpu_seconds(os.getpid())
    start = time.perf_counter()
    stop = start + seconds

    async def loop(client: BenchClient) -> None:
        n = 0
        await asyncio.sleep(random.random() / rate)
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            await client.edit(n)
            n += 1
            await asyncio.sleep(max(0.0, 1 / rate - (time.perf_counter() - t0)))

    lags: list[float] = []

    async def watch_loop() -> None:
        # The clients share this event loop: how late does a 10 ms timer fire?
        # Latency above is measured here too, so this lag is part of it.
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append(time.perf_counter() - t0 - 0.01)

    await asyncio.gather(watch_loop(), *(loop(c) for c in clients))
    elapsed = time.perf_counter() - start
    cpu = cpu_seconds(server_pid) - cpu_before
    own = cpu_seconds(os.getpid()) - own_before
    pauses.stop()
    gc.unfreeze()
    await asyncio.sleep(2)
    missing_before = _missing(clients, m)
    await asyncio.gather(*(c.resync() for c in clients))
    await asyncio.sleep(1)
    missing_after = _missing(clients, m)
    lat = sorted(m.latencies)
    return {
        "samples": len(lat),
        "p50_ms": 1000 * statistics.median(lat) if lat else float("nan"),
        "p99_ms": 1000 * lat[int(0.99 * (len(lat) - 1))] if lat else float("nan"),
        "client_lag_p99_ms": 1000 * sorted(lags)[int(0.99 * (len(lags) - 1))],
        "client_gc_max_ms": pauses.longest_ms,
        "edits_per_s": m.acked / elapsed,
        "server_cpu_pct": 100 * cpu / elapsed,
        "client_cpu_pct": 100 * own / elapsed,
        "refused": m.refused,
        "missed_by_relay": missing_before,
        "lost_in_clients": missing_after,
    }


class GcPauses:
    """The longest garbage-collection pause of this process while measuring."""

    def __init__(self) -> None:
        self.longest_ms = 0.0
        self._began = 0.0
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            pause = 1000 * (time.perf_counter() - self._began)
            self.longest_ms = max(self.longest_ms, pause)

    def stop(self) -> None:
        gc.callbacks.remove(self._on_gc)


def _missing(clients: list[BenchClient], m: Metrics) -> int:
    missing = 0
    for c in clients:
        text = str(c.text)
        missing += sum(1 for marker in m.markers.get(c.room, ()) if marker not in text)
    return missing


# -- servers and data -------------------------------------------------------------


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_port(port: int, proc: subprocess.Popen[bytes]) -> None:
    import socket

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited early")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), 1),
        ):
            return
        time.sleep(0.1)
    raise RuntimeError("server did not start")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def setup_database(uri: str, clients: int, rooms: int, history: int) -> dict[str, Any]:
    from auth.tokens import create_token
    from portal.app import create_app
    from portal.config import Settings
    from portal.extensions import db
    from portal.models import Case, Document, DocUpdate, Membership, Person

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": uri,
            "SETTINGS": Settings.from_env({"SECRET_KEY": "test-secret"}),
        }
    )
    with app.app_context():
        db.create_all()
        s = db.session
        docs, tokens = [], []
        for r in range(rooms + 1):
            case = Case(child_name=f"Child {r}", request_date=date(2025, 1, 6))
            s.add(case)
            s.flush()
            doc = Document(case_id=case.id, kind="plan_section", section="A", title="A")
            s.add(doc)
            s.flush()
            docs.append((case.id, doc.id))
        for i in range(clients + 1):
            person = Person(email=f"p{i}@example.org", name=f"P{i}")
            s.add(person)
            s.flush()
            room = i % rooms if i < clients else rooms
            s.add(
                Membership(
                    case_id=docs[room][0], person_id=person.id, role="caseworker"
                )
            )
            tokens.append(create_token(s, person, "bench"))
        long_doc = docs[rooms][1]
        ydoc: Doc = Doc()
        text = ydoc.get("content", type=Text)
        rows = []
        for n in range(history):
            before = ydoc.get_state()
            text.insert(len(text) if n % 3 else 0, f"w{n} ")
            rows.append(
                {
                    "document_id": long_doc,
                    "seq": n + 1,
                    "data": ydoc.get_update(before),
                    "author_id": None,
                }
            )
        s.execute(DocUpdate.__table__.insert(), rows)
        s.commit()
        ids = [d for _, d in docs[:rooms]]
    return {
        "app": app,
        "docs": ids,
        "tokens": tokens,
        "long_doc": long_doc,
        "long_text": str(text),
    }


async def time_join(url: str, token: str, doc: int, expect: str) -> float:
    client = OurClient(url, token, Metrics(), doc, 0)
    await client.sio.connect(
        url,
        namespaces=[NS],
        auth={"token": token},
        transports=["websocket"],
        wait_timeout=20,
    )
    t0 = time.perf_counter()
    await client.sio.call("join", {"doc": doc}, namespace=NS, timeout=30)
    await client.resync()
    elapsed = time.perf_counter() - t0
    assert str(client.text) == expect, "long document synced wrongly"
    await client.close()
    await asyncio.sleep(0.3)  # the room is released when its last member leaves
    return elapsed


def lost_in_database(app: Any, docs: list[int], m: Metrics) -> int:
    from portal.doclog.reading import document_text
    from portal.extensions import db

    lost = 0
    with app.app_context():
        for doc in docs:
            text = document_text(db.session, doc)
            lost += sum(1 for marker in m.markers.get(doc, ()) if marker not in text)
        db.session.remove()
    return lost


async def run_ours(
    args: argparse.Namespace, data: dict[str, Any], uri: str
) -> dict[str, Any]:
    port = free_port()
    pauses = Path(tempfile.mkdtemp()) / "gc-pauses"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "UPDATES_PER_SECOND": "1000",
        "GC_PAUSES_FILE": str(pauses),
    }
    env.pop("REDIS_URL", None)
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/realtime/serve_collab.py"), str(port), uri],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port, proc)
        url = f"http://127.0.0.1:{port}"
        joins_before = [
            await time_join(
                url, data["tokens"][-1], data["long_doc"], data["long_text"]
            )
            for _ in range(3)
        ]
        from portal.doclog.compaction import compact
        from portal.extensions import db

        with data["app"].app_context():
            compact(db.session, data["long_doc"])
            db.session.remove()
        joins_after = [
            await time_join(
                url, data["tokens"][-1], data["long_doc"], data["long_text"]
            )
            for _ in range(3)
        ]
        m = Metrics()
        clients: list[BenchClient] = [
            OurClient(url, data["tokens"][i], m, data["docs"][i % args.rooms], i)
            for i in range(args.clients)
        ]
        before = _gc_pauses(pauses)
        result = await drive(clients, args.seconds, args.rate, proc.pid)
        during = _gc_pauses(pauses)[len(before) :]
        result["gc_max_ms"] = max((ms for _, ms in during), default=0.0)
        result["gc_full"] = sum(1 for gen, _ in during if gen == 2)
        result["rss_mb"] = rss_mb(proc.pid)
        result["lost_in_db"] = lost_in_database(data["app"], data["docs"], m)
        result["join_before_ms"] = 1000 * statistics.median(joins_before)
        result["join_after_ms"] = 1000 * statistics.median(joins_after)
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
        return result
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(pauses.parent, ignore_errors=True)


def _gc_pauses(path: Path) -> list[tuple[int, float]]:
    """(generation, ms) of every collection the server has made so far."""
    if not path.exists():
        return []
    rows = (line.split() for line in path.read_text().splitlines())
    return [(int(gen), float(ms)) for gen, ms in rows]


async def run_reference(args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve-reference", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port, proc)
        m = Metrics()
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0)
        ) as session:
            clients: list[BenchClient] = [
                RefClient(f"ws://127.0.0.1:{port}", session, m, i % args.rooms, i)
                for i in range(args.clients)
            ]
            result = await drive(clients, args.seconds, args.rate, proc.pid)
            result["rss_mb"] = rss_mb(proc.pid)
            await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
        return result
    finally:
        proc.kill()
        proc.wait()


async def serve_reference(port: int) -> None:
    """pycrdt-websocket's WebsocketServer over aiohttp websockets."""
    from aiohttp import web
    from pycrdt.websocket import WebsocketServer

    class Channel:
        def __init__(self, ws: web.WebSocketResponse, path: str) -> None:
            self.ws, self._path = ws, path

        @property
        def path(self) -> str:
            return self._path

        def __aiter__(self) -> Channel:
            return self

        async def __anext__(self) -> bytes:
            msg = await self.ws.receive()
            if msg.type != aiohttp.WSMsgType.BINARY:
                raise StopAsyncIteration
            return bytes(msg.data)

        async def send(self, message: bytes) -> None:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self.ws.send_bytes(message)

        async def recv(self) -> bytes:
            return await self.__anext__()

    async with WebsocketServer() as server:

        async def handler(request: web.Request) -> web.WebSocketResponse:
            ws = web.WebSocketResponse(max_msg_size=0)
            await ws.prepare(request)
            await server.serve(Channel(ws, request.path))  # type: ignore[arg-type]
            return ws

        app = web.Application()
        app.router.add_get("/{room}", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        await asyncio.Event().wait()


# -- main -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rooms", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--rate", type=float, default=2.0, help="edits per client per second"
    )
    parser.add_argument("--history", type=int, default=10_000)
    parser.add_argument(
        "--database-url",
        default="",
        help="PostgreSQL server URL; a fresh database is created in it",
    )
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--serve-reference", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_reference:
        asyncio.run(serve_reference(args.serve_reference))
        return
    with tempfile.TemporaryDirectory() as tmp:
        uri, cleanup = make_database(args.database_url, tmp)
        try:
            data = setup_database(uri, args.clients, args.rooms, args.history)
            ours = asyncio.run(run_ours(args, data, uri))
            print("ours:", {k: round(v, 1) for k, v in ours.items()}, flush=True)
            ref = None if args.skip_reference else asyncio.run(run_reference(args))
        finally:
            cleanup()
    report(args, ours, ref, uri)


def make_database(url: str, tmp: str) -> tuple[str, Any]:
    if not url:
        return f"sqlite:///{tmp}/bench.db", lambda: None
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    name = f"ehcp_bench_{uuid.uuid4().hex[:8]}"
    kw = {
        "host": u.host or "127.0.0.1",
        "port": u.port or 5432,
        "user": u.username or "postgres",
        "dbname": u.database or "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**kw) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(**kw) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    uri = u.set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False
    )
    return uri, drop


def report(
    args: argparse.Namespace, ours: dict[str, Any], ref: dict[str, Any] | None, uri: str
) -> None:
    backend = uri.split(":", 1)[0]
    print(
        f"\n{args.clients} editors in {args.rooms} rooms, {args.rate}/s each for "
        f"{args.seconds:.0f} s; database {backend}; {os.cpu_count()} cores"
    )
    rows = [
        ("propagation samples (edit x receiver)", "samples", "higher"),
        ("propagation p50 (ms)", "p50_ms", "lower"),
        ("propagation p99 (ms)", "p99_ms", "lower"),
        ("edits/s (ours: acknowledged after commit)", "edits_per_s", "higher"),
        ("edits missed by relay before resync", "missed_by_relay", ""),
        ("edits lost in clients after resync", "lost_in_clients", ""),
        ("client event-loop lag p99 (ms)", "client_lag_p99_ms", "lower"),
        ("client longest GC pause (ms)", "client_gc_max_ms", "lower"),
        ("server CPU during the load (% of one core)", "server_cpu_pct", "lower"),
        ("client process CPU (% of one core)", "client_cpu_pct", "lower"),
        ("server RSS (MB)", "rss_mb", "lower"),
    ]
    print(f"{'':46}{'ours':>10}{'reference':>11}{'ratio':>8}")
    for label, key, _ in rows:
        mine = ours[key]
        theirs = ref[key] if ref else float("nan")
        ratio = mine / theirs if ref and theirs else float("nan")
        print(f"{label:46}{mine:>10.1f}{theirs:>11.1f}{ratio:>8.2f}")
    print(f"{'acknowledged edits lost in the database':46}{ours['lost_in_db']:>10}")
    print(f"{'refused (rate limit etc.)':46}{ours['refused']:>10}")
    print(
        f"{'longest garbage-collection pause (ms)':46}{ours['gc_max_ms']:>10.1f}"
        f"  ({ours['gc_full']} full collections during the load)"
    )
    print(
        f"join+sync {args.history}-update doc before compaction: "
        f"{ours['join_before_ms']:.1f} ms; after: {ours['join_after_ms']:.1f} ms"
    )
    goals = [
        ("p99 propagation < 50 ms", ours["p99_ms"] < 50),
        ("join of the long doc < 50 ms after compaction", ours["join_after_ms"] < 50),
        (
            "no acknowledged edit lost",
            ours["lost_in_db"] == 0 and ours["lost_in_clients"] == 0,
        ),
    ]
    if ref:
        goals.append(
            (
                "throughput >= reference",
                ours["edits_per_s"] >= 0.98 * ref["edits_per_s"],
            )
        )
    for goal, met in goals:
        print(f"  {'met   ' if met else 'MISSED'} {goal}")


if __name__ == "__main__":
    main()
