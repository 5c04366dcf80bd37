"""Two processes behind nginx (realtime.cluster's configuration), one
PostgreSQL log and one Redis: editors on either converge, and a client whose
process is killed reconnects through the proxy to the other one, resyncs and
loses nothing it was told was saved; its unacknowledged edits are resent."""

from __future__ import annotations

import asyncio
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from realtime.cluster import free_port, nginx_config, start_nginx, wait_for
from tests import services

try:
    from collab_helpers import Editor, Server, eventually, run, stored_text
except ImportError:
    from tests.realtime.collab_helpers import (
        Editor,
        Server,
        eventually,
        run,
        stored_text,
    )


class Cluster:
    def __init__(self, backends: list[Server], proxy_port: int) -> None:
        self.backends = backends
        self.url = f"http://127.0.0.1:{proxy_port}"

    def holding(self, connections: int) -> Server:
        """The backend that has `connections` open /collab connections."""
        for server in self.backends:
            if server.proc is not None and server.proc.poll() is None:
                metrics = str(server.get("/metrics"))
                found = re.search(r"^ehcp_connections (\S+)$", metrics, re.M)
                if found and float(found.group(1)) == connections:
                    return server
        raise AssertionError(f"no backend holds {connections} connections")


@pytest.fixture
def cluster(
    db_uri: str, start_server: Callable[..., Server], tmp_path: Path
) -> Iterator[Cluster]:
    if not db_uri.startswith("postgresql"):
        services.missing("the cluster tests need DATABASE_URL=postgresql://…")
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        services.missing(
            "the cluster tests need Debian's nginx (apt-get install nginx)"
        )
    redis = services.redis_url()
    # A channel of their own: no other test's servers reach these rooms.
    channel = f"test-{uuid.uuid4().hex}"
    backends = [start_server(REDIS_URL=redis, REDIS_CHANNEL=channel) for _ in range(2)]
    port = free_port()
    prefix = tmp_path / "nginx"
    nginx = start_nginx(
        prefix, nginx_config(prefix, "127.0.0.1", port, [s.port for s in backends])
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", seconds=15)
        yield Cluster(backends, port)
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)


def test_editors_on_both_processes_converge_through_the_proxy(
    seed, cluster: Cluster, local_app: Flask
) -> None:
    async def scenario() -> None:
        alice = await Editor(cluster.url, seed.tokens["caseworker"]).connect()
        first = cluster.holding(1)
        other = next(s for s in cluster.backends if s is not first)
        bob = await Editor(other.url, seed.tokens["parent"]).connect()
        await alice.join(seed.section_a)
        await bob.join(seed.section_a)

        async def burst(editor: Editor, tag: str) -> None:
            for i in range(15):
                ack = await editor.edit(lambda t, w=f"<{tag}{i}>": t.insert(len(t), w))
                assert ack == {"ok": True}

        await asyncio.gather(burst(alice, "a"), burst(bob, "b"))
        await eventually(
            lambda: str(alice) == str(bob) and str(alice).count("<") == 30,
            what="editors on two processes converge",
        )
        assert stored_text(seed.section_a).count("<") == 30
        await alice.close()
        await bob.close()

    run(scenario())


def test_a_killed_process_loses_nothing_acknowledged_and_its_client_resyncs(
    seed, cluster: Cluster, local_app: Flask
) -> None:
    async def scenario() -> None:
        alice = await Editor(cluster.url, seed.tokens["caseworker"]).connect()
        doomed = cluster.holding(1)
        survivor = next(s for s in cluster.backends if s is not doomed)
        bob = await Editor(survivor.url, seed.tokens["parent"]).connect()
        await alice.join(seed.section_a)
        await bob.join(seed.section_a)

        acknowledged: list[str] = []

        async def type_words() -> None:
            for i in range(200):
                word = f"w{i};"
                try:
                    ack = await alice.edit(lambda t, w=word: t.insert(len(t), w))
                except Exception:  # the connection went down mid-call
                    return
                if ack == {"ok": True}:
                    acknowledged.append(word)

        typing = asyncio.create_task(type_words())
        await eventually(lambda: len(acknowledged) >= 20, what="some edits saved")
        doomed.kill()  # SIGKILL mid-typing: no shutdown hooks, no flush
        await typing
        # Typed after the crash: only in Alice's copy, not yet sent.
        alice.edit_offline(lambda t: t.insert(len(t), "after-crash;"))
        await alice.close()

        again = Editor(cluster.url, seed.tokens["caseworker"])
        again.ydoc, again.text = alice.ydoc, alice.text
        await again.connect()  # nginx passes it to the live process
        assert (await again.join(seed.section_a))["ok"]
        await eventually(
            lambda: str(again) == str(bob) and "after-crash;" in str(bob),
            what="the reconnected client resyncs and resends",
        )
        await eventually(
            lambda: "after-crash;" in stored_text(seed.section_a),
            what="the resent edit is stored",
        )
        saved = stored_text(seed.section_a)
        lost = [w for w in acknowledged if w not in saved]
        assert lost == [], f"acknowledged but lost: {lost}"
        assert len(acknowledged) >= 20
        await again.close()
        await bob.close()

    run(scenario(), timeout=60)
