"""The stock npm `yjs`, `y-protocols` and `socket.io-client` (through our own
provider module, in Node) edit alongside a Python client, and both converge."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

from tests import services
from tests.realtime.collab_helpers import Editor, eventually, run, stored_text
from tests.realtime.conftest import Seed

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "frontend" / "test-client" / "yclient.mjs"


def _node() -> str:
    node = shutil.which("node")
    if node is None or not (ROOT / "frontend" / "node_modules" / "yjs").is_dir():
        services.missing(
            "install Node.js and run `make frontend` (npm ci) for the Node client"
        )
    assert node is not None
    return node


async def _node_client(node: str, *args: str) -> dict[str, object]:
    proc = await asyncio.create_subprocess_exec(
        node,
        str(CLIENT),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, (out + err).decode(errors="replace")
    return json.loads(out.decode().strip().splitlines()[-1])


def test_node_yjs_client_and_python_client_converge(seed: Seed, start_server) -> None:
    node = _node()
    server = start_server()

    async def scenario() -> None:
        python = await Editor(server.url, token=seed.tokens["caseworker"]).connect()
        assert (await python.join(seed.section_a))["ok"]
        assert (await python.edit(lambda t: t.insert(0, "Python wrote this. ")))["ok"]
        node_task = asyncio.create_task(
            _node_client(
                node,
                "--url",
                server.url,
                "--token",
                seed.tokens["parent"],
                "--doc",
                str(seed.section_a),
                "--insert",
                "Node wrote this. ",
                "--wait-for",
                "Python wrote this.",
                "--timeout",
                "20000",
            )
        )
        await eventually(
            lambda: "Node wrote this." in str(python),
            timeout=20,
            what="the Node edit to reach the Python client",
        )
        result = await node_task
        assert result["acked"] >= 1 and result["refused"] == 0
        assert result["access"] == "edit"
        # Node printed its text after its own ack; Python has both edits too.
        assert (
            "Python wrote this." in result["text"]
            and "Node wrote this." in result["text"]
        )
        await python.close()
        # A fresh client sees the converged, durable document.
        reader = await Editor(server.url, token=seed.tokens["caseworker"]).connect()
        await reader.join(seed.section_a)
        assert str(reader) == str(python)
        await reader.close()

    run(scenario(), timeout=60)


def test_node_client_without_access_is_refused(seed: Seed, start_server) -> None:
    """The professional may not see Section A of an unshared draft: the join fails."""
    node = _node()
    server = start_server()

    async def scenario() -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            node,
            str(CLIENT),
            "--url",
            server.url,
            "--token",
            seed.tokens["professional"],
            "--doc",
            str(seed.section_a),
            "--insert",
            "sneaky",
            "--timeout",
            "10000",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, _ = await asyncio.wait_for(proc.communicate(), 30)
        return int(proc.returncode or 0), out.decode()

    code, out = asyncio.run(scenario())
    assert code == 1 and "error" in out

    async def check() -> None:
        reader = await Editor(server.url, token=seed.tokens["caseworker"]).connect()
        await reader.join(seed.section_a)
        assert "sneaky" not in str(reader)
        await reader.close()

    run(check())


def test_node_clients_edit_the_body_and_the_server_reads_markdown(
    seed: Seed, start_server
) -> None:
    """The families' editor's model, written by stock Yjs as y-prosemirror
    writes it: a parent's paragraph with a bold word reaches another client
    live and is Markdown on the server."""
    node = _node()
    server = start_server()
    common = ["--url", server.url, "--doc", str(seed.section_a), "--model", "body"]

    async def scenario() -> None:
        reader = asyncio.create_task(
            _node_client(
                node,
                *common,
                "--token",
                seed.tokens["caseworker"],
                "--wait-for",
                "Loves horses",
                "--timeout",
                "20000",
            )
        )
        await asyncio.sleep(0.5)
        writer = await _node_client(
            node,
            *common,
            "--token",
            seed.tokens["parent"],
            "--insert",
            "Loves horses and drawing.",
            "--bold",
            "horses",
        )
        assert writer["acked"] >= 1 and writer["refused"] == 0
        seen = await reader
        assert "Loves horses and drawing." in str(seen["text"])

    run(scenario(), timeout=60)
    assert "Loves **horses** and drawing.\n" in stored_text(seed.section_a)
