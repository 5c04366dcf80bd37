"""Voice recordings in documents: upload, checks by the bytes, who may hear
them, and how they are served."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from portal.doclog import appending
from portal.models import AuditEvent, Case, DocumentRecording
from portal.services import recordings
from tests.audio import mp4_header, ogg_opus, wav, webm_header
from tests.browserlike import Browser
from tests.factories import Factory
from tests.pages.test_images import family_case

WORDS = "I like trains and my dog Biscuit."


@pytest.fixture
def settings() -> Any:
    from tests.conftest import make_settings

    # A small limit keeps the oversized upload quick.
    return make_settings(MAX_RECORDING_BYTES="200000")


def upload(
    browser: Browser,
    doc_id: int,
    data: bytes,
    transcript: str | None = WORDS,
    filename: str = "recording.webm",
    content_type: str = "audio/webm",
) -> TestResponse:
    form: dict[str, Any] = {"audio": (BytesIO(data), filename, content_type)}
    if transcript is not None:
        form["transcript"] = transcript
    return browser.client.post(
        f"/documents/{doc_id}/recordings",
        data=form,
        content_type="multipart/form-data",
        headers={"X-CSRFToken": browser.csrf_token()},
    )


def stored(dbs: Session) -> int:
    dbs.expire_all()
    return dbs.scalar(select(func.count()).select_from(DocumentRecording)) or 0


def test_a_child_saves_a_recording_with_its_words(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    _, child, about_me = family_case(make)
    browser.sign_in(child.person.email)
    audio = ogg_opus(2)
    response = upload(browser, about_me.id, audio, transcript=f"  {WORDS}\n ")
    assert response.status_code == 201
    recording = dbs.scalars(select(DocumentRecording)).one()
    assert response.get_json() == {
        "src": f"/documents/{about_me.id}/recordings/{recording.id}",
        "transcript": WORDS,
    }
    # The bytes decided the type, not the name or the type the browser claimed.
    assert recording.content_type == "audio/ogg" and recording.byte_size == len(audio)

    served = browser.get(response.get_json()["src"])
    assert served.status_code == 200 and served.mimetype == "audio/ogg"
    assert served.data == audio
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert served.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert served.headers["Cache-Control"] == "no-store"
    assert served.headers["Accept-Ranges"] == "bytes"
    assert served.headers["ETag"] == f'"{recording.sha256}"'

    # Media elements ask for ranges.
    part = browser.get(response.get_json()["src"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.data == audio[:100]
    assert part.headers["Content-Range"] == f"bytes 0-99/{len(audio)}"

    event = dbs.scalars(
        select(AuditEvent).where(AuditEvent.action == "document.recording_added")
    ).one()
    assert event.actor_id == child.person_id and event.document_id == about_me.id
    assert event.detail == {
        "recording_id": recording.id,
        "content_type": "audio/ogg",
        "byte_size": len(audio),
    }
    assert "trains" not in str(event.detail)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(webm_header(), "audio/webm"), (mp4_header(), "audio/mp4")],
)
def test_webm_and_mp4_are_told_apart_by_their_bytes(
    browser: Browser, make: Factory, dbs: Session, data: bytes, content_type: str
) -> None:
    _, child, about_me = family_case(make)
    browser.sign_in(child.person.email)
    response = upload(
        browser, about_me.id, data, filename="a.ogg", content_type="audio/ogg"
    )
    assert response.status_code == 201
    assert browser.get(response.get_json()["src"]).mimetype == content_type


@pytest.mark.parametrize(
    ("data", "transcript", "filename", "message"),
    [
        (wav(), WORDS, "voice.wav", recordings.NOT_A_RECORDING),
        (b"just some text\n", WORDS, "renamed.webm", recordings.NOT_A_RECORDING),
        (b"", WORDS, "empty.webm", recordings.EMPTY_RECORDING),
        (ogg_opus(), None, "a.webm", recordings.NO_TRANSCRIPT),
        (ogg_opus(), " \n ", "a.webm", recordings.NO_TRANSCRIPT),
        (ogg_opus(), "x" * 2001, "a.webm", "in 2,000 characters or fewer"),
        (ogg_opus(), "my\x00dog", "a.webm", "hidden characters"),
        (ogg_opus(), "my\u202edog", "a.webm", "hidden characters"),
    ],
)
def test_unusable_recordings_and_transcripts_get_400(
    browser: Browser,
    make: Factory,
    dbs: Session,
    data: bytes,
    transcript: str | None,
    filename: str,
    message: str,
) -> None:
    _, child, about_me = family_case(make)
    browser.sign_in(child.person.email)
    response = upload(browser, about_me.id, data, transcript, filename=filename)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert stored(dbs) == 0


def test_an_oversized_recording_gets_413_json_and_nothing_is_kept(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    _, child, about_me = family_case(make)
    browser.sign_in(child.person.email)
    over_form_limit = upload(browser, about_me.id, b"OggS" + b"\0" * 900_000)
    assert over_form_limit.status_code == 413
    assert over_form_limit.get_json()["error"].startswith(
        "That recording is too big (0.9 MB). The limit is 0.2 MB."
    )
    just_over = upload(browser, about_me.id, b"OggS" + b"\0" * 210_000)
    assert just_over.status_code == 413
    assert just_over.get_json() == {
        "error": "That recording is too big (0.2 MB). The limit is 0.2 MB. "
        "Record a shorter one."
    }
    assert stored(dbs) == 0


def test_a_document_holds_a_limited_number_of_recordings(
    browser: Browser, make: Factory, dbs: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recordings, "MAX_RECORDINGS_PER_DOCUMENT", 2)
    _, child, about_me = family_case(make)
    browser.sign_in(child.person.email)
    assert upload(browser, about_me.id, ogg_opus()).status_code == 201
    assert upload(browser, about_me.id, ogg_opus()).status_code == 201
    third = upload(browser, about_me.id, ogg_opus())
    assert third.status_code == 400
    assert "already has 2 recordings" in third.get_json()["error"]
    assert stored(dbs) == 2


def test_a_parent_cannot_add_to_the_psychologists_advice(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case = make.case()
    ep = make.member(case, "professional", discipline="educational_psychologist")
    advice = make.advice(case, ep, "educational_psychologist")
    parent = make.member(case, "parent")
    browser.sign_in(parent.person.email)
    response = upload(browser, advice.id, ogg_opus())
    assert response.status_code == 403 and response.get_json()["error"]
    assert stored(dbs) == 0


def test_strangers_get_404_and_csrf_is_checked(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    _, child, about_me = family_case(make)
    browser.sign_in(make.person().email)
    assert upload(browser, about_me.id, ogg_opus()).status_code == 404
    browser.sign_out()
    browser.sign_in(child.person.email)
    no_token = browser.client.post(
        f"/documents/{about_me.id}/recordings",
        data={"audio": (BytesIO(ogg_opus()), "a.ogg"), "transcript": WORDS},
    )
    assert no_token.status_code == 400 and "error" in no_token.get_json()
    assert stored(dbs) == 0


def test_who_may_hear_a_recording(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case, child, about_me = family_case(make)
    caseworker = case.memberships[0].person
    slt = make.member(case, "professional", discipline="speech_language_therapist")
    slt_advice = make.advice(case, slt, "speech_language_therapist")
    browser.sign_in(child.person.email)
    src = upload(browser, about_me.id, ogg_opus()).get_json()["src"]
    recording_id = int(src.rsplit("/", 1)[1])
    browser.sign_out()

    browser.sign_in(caseworker.email)
    assert browser.get(src).status_code == 200
    browser.sign_out()

    browser.sign_in(slt.person.email)
    assert browser.get(src).status_code == 404
    other = f"/documents/{slt_advice.id}/recordings/{recording_id}"
    assert browser.get(other).status_code == 404
    browser.sign_out()

    browser.sign_in(make.person().email)
    assert browser.get(src).status_code == 404

    # Placed in Section A by the caseworker, its readers hear it too.
    section_a = make.section(dbs.get(Case, case.id), "A")
    dbs.get(Case, case.id).draft_shared = True
    appending.set_text(dbs, section_a, f"[Voice note: {WORDS}]({src})\n", caseworker)
    dbs.commit()
    browser.sign_out()
    browser.sign_in(slt.person.email)
    assert browser.get(src).status_code == 200


def test_only_the_childs_page_offers_recording(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case, child, about_me = family_case(make)
    ep = make.member(case, "professional", discipline="educational_psychologist")
    advice = make.advice(case, ep, "educational_psychologist")
    browser.sign_in(child.person.email)
    page = browser.get(f"/documents/{about_me.id}")
    assert f'data-recordings-url="/documents/{about_me.id}/recordings"' in page.text
    assert "media-src 'self'" in page.headers["Content-Security-Policy"]
    assert "microphone=(self)" in page.headers["Permissions-Policy"]
    browser.sign_out()
    browser.sign_in(ep.person.email)
    assert "data-recordings-url" not in browser.text(f"/documents/{advice.id}")


def test_quotes_recording_does_not_match_a_longer_id() -> None:
    assert recordings.quotes_recording("[x](/documents/1/recordings/7)", 1, 7)
    assert not recordings.quotes_recording("[x](/documents/1/recordings/71)", 1, 7)
    assert not recordings.quotes_recording("[x](/documents/1/images/7)", 1, 7)
