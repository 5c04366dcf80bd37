"""Races: removal during join, leave during refresh, submit during a burst."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask import Flask

from portal.doclog.reading import document_text
from portal.extensions import db
from portal.models import Document, Person, Version
from portal.services import documents

try:
    from collab_helpers import Editor, run, run_patched
except ImportError:
    from tests.realtime.collab_helpers import Editor, run, run_patched

ROUNDS = 25


def test_join_and_refresh_races_on_threads(tmp_path: Path) -> None:
    from tests.realtime.races import run_races

    held = run_races(str(tmp_path / "races.db"), ROUNDS)
    assert held == {"removal_during_join": ROUNDS, "leave_during_refresh": ROUNDS}


def test_join_and_refresh_races_on_gevent(tmp_path: Path) -> None:
    held = run_patched(f"""
        import json
        from tests.realtime.races import run_races
        print(json.dumps(run_races({str(tmp_path / "races.db")!r}, {ROUNDS})))
    """)
    assert held == {"removal_during_join": ROUNDS, "leave_during_refresh": ROUNDS}


@pytest.mark.parametrize("serving", ["gevent", "threads"])
def test_submitting_during_a_burst_freezes_exactly_what_was_acknowledged(
    serving: str, seed, start_server, local_app: Flask
) -> None:
    server = start_server(UPDATES_PER_SECOND="1000", COLLAB_SERVE=serving)
    author = db.session.get(Person, seed.people["professional"])
    assert author is not None

    async def scenario(round_: int) -> None:
        editor = await Editor(server.url, seed.tokens["professional"]).connect()
        await editor.join(seed.advice)
        acked: list[str] = []
        refused: list[str] = []
        submitted = threading.Event()
        failures: list[BaseException] = []

        def submit() -> None:
            with local_app.app_context():
                try:
                    doc = db.session.get(Document, seed.advice)
                    assert doc is not None and author is not None
                    documents.submit_advice(db.session, doc, db.session.merge(author))
                    db.session.commit()
                except BaseException as exc:  # reported below, as the page's 500 was
                    failures.append(exc)
                finally:
                    db.session.remove()
                    submitted.set()

        for i in range(400):
            if i == 20:
                threading.Thread(target=submit).start()
            word = f"r{round_}w{i} "
            reply = await editor.edit(lambda t, w=word: t.insert(len(t), w))
            (acked if reply["ok"] else refused).append(word)
            if submitted.is_set() and len(refused) >= 3:
                break
        await editor.close()
        assert not failures, failures
        assert refused, "edits after submitting must be refused"
        db.session.remove()
        version = db.session.scalars(
            db.select(Version)
            .where(Version.document_id == seed.advice)
            .order_by(Version.id.desc())
        ).first()
        assert version is not None
        missing = [w for w in acked if w not in version.text]
        assert not missing, (missing, len(acked), version.text[-200:])
        assert not any(w in version.text for w in refused)
        assert version.text == document_text(db.session, seed.advice)

    for round_ in range(3):
        run(scenario(round_))
        doc = db.session.get(Document, seed.advice)
        assert doc is not None
        documents.reopen_advice(db.session, doc, db.session.merge(author))
        db.session.commit()
        server.get(f"/_test/access-changed?case_id={seed.case_id}")
