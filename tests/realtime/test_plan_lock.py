"""Issuing the final plan locks it on the server: a caseworker's editor that
was open before is told it may only read, its next update is refused and
nothing of it is stored; amending opens the plan to edits again."""

from __future__ import annotations

from datetime import date

from flask import Flask

from portal.extensions import db
from portal.models import Case, Person
from portal.services import plan_stages

try:
    from collab_helpers import Editor, eventually, run, stored_text
except ImportError:
    from tests.realtime.collab_helpers import Editor, eventually, run, stored_text


def test_an_issued_plan_refuses_updates_until_it_is_amended(
    seed, start_server, local_app: Flask
) -> None:
    server = start_server()

    def stage(action: str) -> None:
        case = db.session.get(Case, seed.case_id)
        by = db.session.get(Person, seed.people["caseworker"])
        assert case is not None and by is not None
        if action == "issue":
            plan_stages.share_draft(db.session, case, by, date(2026, 11, 1))
            plan_stages.issue_final(db.session, case, by, date(2026, 11, 20))
        else:
            plan_stages.amend(db.session, case, by)
        db.session.commit()
        server.get(f"/_test/access-changed?case_id={seed.case_id}")

    async def scenario() -> None:
        caseworker = await Editor(server.url, seed.tokens["caseworker"]).connect()
        assert (await caseworker.join(seed.section_b))["access"] == "edit"
        assert (await caseworker.edit(lambda t: t.insert(0, "Before issue. ")))["ok"]

        stage("issue")
        await eventually(lambda: caseworker.access, what="access event")
        assert caseworker.access[-1] == {"doc": seed.section_b, "access": "read"}
        ack = await caseworker.edit(lambda t: t.insert(0, "After issue. "))
        assert ack["ok"] is False
        assert "After issue" not in stored_text(seed.section_b)
        # A new connection joins read-only too.
        late = await Editor(server.url, seed.tokens["caseworker"]).connect()
        assert (await late.join(seed.section_b))["access"] == "read"
        assert (await late.edit(lambda t: t.insert(0, "Late. ")))["ok"] is False
        await late.close()

        stage("amend")
        await eventually(
            lambda: caseworker.access[-1]["access"] == "edit", what="edit again"
        )
        rejoined = await Editor(server.url, seed.tokens["caseworker"]).connect()
        assert (await rejoined.join(seed.section_b))["access"] == "edit"
        assert (await rejoined.edit(lambda t: t.insert(0, "Amended. ")))["ok"]
        await eventually(
            lambda: "Amended." in stored_text(seed.section_b), what="amendment stored"
        )
        assert "Before issue." in stored_text(seed.section_b)
        await rejoined.close()
        await caseworker.close()

    run(scenario())
