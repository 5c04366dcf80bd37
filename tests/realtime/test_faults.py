"""Faults while storing: only what is committed is acknowledged.

Faults are injected in the database itself (`tests/faults.py`). Each edit
acknowledged ok must be in the database; each refused one must not be,
until the client sends it again; nothing may come out twice.
"""

from __future__ import annotations

import pytest
from flask import Flask

from portal.extensions import db
from tests import faults

try:
    from collab_helpers import Editor, run, stored_text
except ImportError:
    from tests.realtime.collab_helpers import Editor, run, stored_text


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def install_faults() -> None:
    faults.install(db.engine)


def plan_fault(kind: str | None, times: int = 1) -> None:
    db.session.remove()
    faults.plan(db.session, kind, times)


async def resend(editor: Editor) -> dict[str, object]:
    """What the browser does after a refusal: send everything it holds again."""
    reply = await editor.send_update(editor.ydoc.get_update(), step2=True)
    assert isinstance(reply, dict)
    return reply


def fault_kinds() -> list[str]:
    return faults.kinds(db.engine)


def test_a_failed_batch_is_refused_and_nothing_unstored_is_acknowledged(
    seed, start_server, local_app: Flask
) -> None:
    install_faults()
    server = start_server()

    async def scenario(kind: str) -> None:
        editor = await Editor(server.url, seed.tokens["caseworker"]).connect()
        await editor.join(seed.section_a)
        append = lambda word: editor.edit(lambda t: t.insert(len(t), word))  # noqa: E731
        assert (await append(f"before-{kind} ")) == {"ok": True}

        plan_fault(kind)
        refused = await append(f"during-{kind} ")
        assert refused["ok"] is False, kind
        assert "sent again" in refused["error"]
        assert f"during-{kind}" not in stored_text(seed.section_a)

        plan_fault(None)
        # It builds on the refused text, which the server lacks: refused or
        # not, the resend that follows every refusal brings the server level.
        await append(f"after-{kind} ")
        assert (await resend(editor)) == {"ok": True}
        expected = f"before-{kind} during-{kind} after-{kind} "
        assert stored_text(seed.section_a).endswith(expected)
        assert stored_text(seed.section_a) == str(editor)
        await editor.close()

    for kind in fault_kinds():
        run(scenario(kind))
    assert server.proc is not None and server.proc.poll() is None  # still serving


def test_a_unique_key_conflict_is_retried_and_acknowledged_once(
    seed, start_server, local_app: Flask
) -> None:
    if not is_postgres():
        pytest.skip("the unique-key retry on the pipeline is PostgreSQL's")
    install_faults()
    server = start_server()

    async def scenario() -> None:
        editor = await Editor(server.url, seed.tokens["caseworker"]).connect()
        await editor.join(seed.section_a)
        plan_fault("unique_violation", times=2)
        assert (await editor.edit(lambda t: t.insert(0, "kept"))) == {"ok": True}
        assert stored_text(seed.section_a) == "kept"
        await editor.close()

    run(scenario())


def test_every_acknowledged_edit_survives_faults_in_a_stream_of_edits(
    seed, start_server, local_app: Flask
) -> None:
    install_faults()
    server = start_server(UPDATES_PER_SECOND="1000")
    kinds = fault_kinds()

    async def scenario() -> None:
        editor = await Editor(server.url, seed.tokens["caseworker"]).connect()
        await editor.join(seed.section_a)
        acked: list[str] = []
        for i in range(40):
            if i % 8 == 3:
                plan_fault(kinds[(i // 8) % len(kinds)])
            if i % 8 == 5:
                plan_fault(None)
                assert (await resend(editor)) == {"ok": True}
            word = f"w{i} "
            reply = await editor.edit(lambda t, w=word: t.insert(len(t), w))
            if reply["ok"]:
                acked.append(word)
        stored = stored_text(seed.section_a)
        assert all(word in stored for word in acked)  # acknowledged: stored
        plan_fault(None)
        assert (await resend(editor)) == {"ok": True}
        stored = stored_text(seed.section_a)
        assert stored == str(editor)
        for i in range(40):
            assert stored.count(f"w{i} ") == 1  # nothing twice
        await editor.close()

    run(scenario(), timeout=90)
