"""A live server counts what operators watch: rooms, connections, stored
updates, commit and acknowledgement times, and refusals by reason."""

from __future__ import annotations

import re

from flask import Flask

from portal.extensions import db
from portal.models import Case

try:
    from collab_helpers import Editor, run
except ImportError:
    from tests.realtime.collab_helpers import Editor, run


def value(metrics: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", metrics, re.MULTILINE)
    assert match, f"{name} missing from /metrics"
    return float(match.group(1))


def test_metrics_follow_edits_and_refusals(
    seed, start_server, local_app: Flask
) -> None:
    db.session.get(Case, seed.case_id).draft_shared = True  # the professional reads B
    db.session.commit()
    server = start_server()

    async def scenario() -> str:
        caseworker = await Editor(server.url, seed.tokens["caseworker"]).connect()
        reader = await Editor(server.url, seed.tokens["professional"]).connect()
        await caseworker.join(seed.section_b)
        await reader.join(seed.section_b)
        for word in ("Needs ", "are ", "listed."):
            ack = await caseworker.edit(lambda t, w=word: t.insert(len(t), w))
            assert ack["ok"]
        refused = await reader.edit(lambda t: t.insert(0, "mine"))
        assert refused["ok"] is False
        metrics = str(server.get("/metrics"))
        await caseworker.close()
        await reader.close()
        return metrics

    metrics = run(scenario())
    assert value(metrics, "ehcp_connections") == 2
    assert value(metrics, "ehcp_rooms") == 1
    assert value(metrics, "ehcp_updates_stored_total") == 3
    assert value(metrics, 'ehcp_refusals_total{reason="read_only"}') == 1
    assert value(metrics, 'ehcp_refusals_total{reason="too_fast"}') == 0
    assert value(metrics, "ehcp_ack_seconds_count") == 3
    assert value(metrics, "ehcp_commit_seconds_count") >= 1
    assert "Needs" not in metrics  # figures only, never a document's words
