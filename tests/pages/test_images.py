"""Pictures in documents: upload, cleaning, who sees them, and rendering."""

from __future__ import annotations

import struct
import time
import zlib
from io import BytesIO
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from portal.doclog import appending
from portal.models import AuditEvent, Case, Document, DocumentImage, Membership
from portal.services import images
from portal.services.markdown import render
from tests.browserlike import Browser
from tests.factories import Factory

ORIENTATION, GPS_INFO = 0x0112, 0x8825


def phone_photo() -> bytes:
    """A 'portrait' phone photo: stored landscape, EXIF says rotate (6), with GPS."""
    photo = Image.new("RGB", (400, 200), (200, 40, 40))
    photo.paste((20, 20, 220), (0, 0, 40, 200))  # a blue band on the stored left
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[GPS_INFO] = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 40.0)}
    out = BytesIO()
    photo.save(out, "JPEG", exif=exif.tobytes(), quality=95)
    return out.getvalue()


def drawing() -> bytes:
    """A drawing with a transparent background."""
    picture = Image.new("RGBA", (120, 80), (0, 0, 0, 0))
    picture.paste((0, 120, 0, 255), (10, 10, 60, 60))
    out = BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares a huge picture (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )


def upload(
    browser: Browser,
    doc_id: int,
    data: bytes,
    alt: str | None = "My dog Biscuit",
    filename: str = "photo.jpg",
) -> TestResponse:
    form: dict[str, Any] = {"image": (BytesIO(data), filename)}
    if alt is not None:
        form["alt"] = alt
    return browser.client.post(
        f"/documents/{doc_id}/images",
        data=form,
        content_type="multipart/form-data",
        headers={"X-CSRFToken": browser.csrf_token()},
    )


def stored(dbs: Session) -> int:
    dbs.expire_all()
    return dbs.scalar(select(func.count()).select_from(DocumentImage)) or 0


def family_case(make: Factory) -> tuple[Case, Membership, Document]:
    """A case with a young person and their 'All about me'."""
    case = make.case()
    child = make.member(case, "young_person")
    about_me = make.advice(case, child, "child_young_person")
    return case, child, about_me


def test_phone_photo_loses_its_location_and_stands_upright(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    _, child, about_me = family_case(make)
    browser.sign_in(child.person.email)
    response = upload(browser, about_me.id, phone_photo(), alt="  Me at the park  ")
    assert response.status_code == 201
    body = response.get_json()
    image = dbs.scalars(select(DocumentImage)).one()
    assert body == {
        "src": f"/documents/{about_me.id}/images/{image.id}",
        "alt": "Me at the park",
        "width": 200,
        "height": 400,
    }
    served = browser.get(body["src"])
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    picture = Image.open(BytesIO(served.data))
    assert picture.size == (200, 400)
    assert not picture.getexif() and "exif" not in picture.info
    assert b"Exif" not in served.data and b"GPS" not in served.data
    # The band stored on the left is at the top once turned upright.
    assert picture.convert("RGB").getpixel((100, 5))[2] > 150
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"] == "inline"
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert served.headers["Cache-Control"] == "no-store"
    assert served.headers["ETag"] == f'"{image.sha256}"'
    event = dbs.scalars(
        select(AuditEvent).where(AuditEvent.action == "document.image_added")
    ).one()
    assert event.actor_id == child.person_id and event.document_id == about_me.id
    assert event.detail["image_id"] == image.id
    assert event.detail["byte_size"] == image.byte_size == len(served.data)


def test_a_drawing_keeps_its_transparency(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    _, child, about_me = family_case(make)
    browser.sign_in(child.person.email)
    response = upload(browser, about_me.id, drawing(), filename="drawing.png")
    assert response.status_code == 201
    served = browser.get(response.get_json()["src"])
    assert served.mimetype == "image/png"
    picture = Image.open(BytesIO(served.data))
    assert picture.mode == "RGBA" and picture.getpixel((0, 0))[3] == 0
    assert picture.getpixel((20, 20)) == (0, 120, 0, 255)


@pytest.fixture
def settings() -> Any:
    from tests.conftest import make_settings

    # A small limit keeps the oversized upload quick.
    return make_settings(MAX_IMAGE_BYTES="200000")


def test_an_oversized_picture_gets_413_json_and_nothing_is_kept(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    _, child, about_me = family_case(make)
    browser.sign_in(child.person.email)
    over_form_limit = upload(browser, about_me.id, b"\xff" * 900_000)
    assert over_form_limit.status_code == 413
    assert over_form_limit.get_json()["error"].startswith(
        "That picture is too big (0.9 MB). The limit is 0.2 MB."
    )
    just_over = upload(browser, about_me.id, b"\xff" * 210_000)
    assert just_over.status_code == 413
    assert just_over.get_json() == {
        "error": "That picture is too big (0.2 MB). The limit is 0.2 MB."
    }
    assert stored(dbs) == 0


@pytest.mark.parametrize(
    ("data", "alt", "message"),
    [
        (b"just some text\n", "A note", images.NOT_A_PICTURE),
        (png_claiming(30000, 30000), "A bomb", images.TOO_MANY_PIXELS),
        (drawing(), None, images.NO_ALT),
        (drawing(), "   ", images.NO_ALT),
        (drawing(), "x" * 301, "in 300 characters or fewer"),
        (drawing(), "my\x00dog", "hidden characters"),
    ],
)
def test_unusable_pictures_and_descriptions_get_400(
    browser: Browser,
    make: Factory,
    dbs: Session,
    data: bytes,
    alt: str | None,
    message: str,
) -> None:
    _, child, about_me = family_case(make)
    browser.sign_in(child.person.email)
    started = time.monotonic()
    response = upload(browser, about_me.id, data, alt=alt, filename="renamed.jpg")
    assert time.monotonic() - started < 2
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert stored(dbs) == 0


def test_a_parent_cannot_add_pictures_to_the_psychologists_advice(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case = make.case()
    ep = make.member(case, "professional", discipline="educational_psychologist")
    advice = make.advice(case, ep, "educational_psychologist")
    parent = make.member(case, "parent")
    browser.sign_in(parent.person.email)
    response = upload(browser, advice.id, drawing())
    assert response.status_code == 403 and response.get_json()["error"]
    assert stored(dbs) == 0
    # The caseworker may comment on advice, not add to it.
    browser.sign_out()
    browser.sign_in(case.memberships[0].person.email)
    assert upload(browser, advice.id, drawing()).status_code == 403


def test_strangers_get_404_and_csrf_is_checked(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    _, child, about_me = family_case(make)
    stranger = make.person()
    browser.sign_in(stranger.email)
    assert upload(browser, about_me.id, drawing()).status_code == 404
    assert upload(browser, 999_999, drawing()).status_code == 404
    browser.sign_out()
    browser.sign_in(child.person.email)
    no_token = browser.client.post(
        f"/documents/{about_me.id}/images",
        data={"image": (BytesIO(drawing()), "d.png"), "alt": "A drawing"},
    )
    assert no_token.status_code == 400 and "error" in no_token.get_json()
    assert stored(dbs) == 0


def test_who_may_fetch_a_picture(browser: Browser, make: Factory, dbs: Session) -> None:
    case, child, about_me = family_case(make)
    caseworker = case.memberships[0].person
    slt = make.member(case, "professional", discipline="speech_language_therapist")
    slt_advice = make.advice(case, slt, "speech_language_therapist")
    browser.sign_in(child.person.email)
    src = upload(browser, about_me.id, phone_photo()).get_json()["src"]
    image_id = int(src.rsplit("/", 1)[1])
    assert browser.get(src).status_code == 200
    browser.sign_out()

    browser.sign_in(caseworker.email)
    assert browser.get(src).status_code == 200
    browser.sign_out()

    browser.sign_in(slt.person.email)
    assert browser.get(src).status_code == 404
    # The right picture under a document the professional may read.
    assert (
        browser.get(f"/documents/{slt_advice.id}/images/{image_id}").status_code == 404
    )
    browser.sign_out()

    browser.sign_in(make.person().email)
    assert browser.get(src).status_code == 404


def test_a_picture_placed_in_section_a_is_seen_by_its_readers(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case, child, about_me = family_case(make)
    caseworker = case.memberships[0].person
    slt = make.member(case, "professional", discipline="speech_language_therapist")
    browser.sign_in(child.person.email)
    src = upload(browser, about_me.id, drawing()).get_json()["src"]
    browser.sign_out()
    section_a = make.section(dbs.get(Case, case.id), "A")
    case_row = dbs.get(Case, case.id)
    case_row.draft_shared = True
    dbs.commit()

    browser.sign_in(slt.person.email)
    assert browser.get(src).status_code == 404  # not in Section A yet
    appending.set_text(
        dbs, section_a, f"Ruby drew this:\n\n![A drawing]({src})\n", caseworker
    )
    dbs.commit()
    assert browser.get(src).status_code == 200
    page = browser.text(f"/documents/{section_a.id}")
    assert f'<img src="{src}" alt="A drawing" class="app-image" loading="lazy">' in page


def test_typing_a_professionals_picture_into_section_a_reveals_nothing(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case = make.case()
    ep = make.member(case, "professional", discipline="educational_psychologist")
    advice = make.advice(case, ep, "educational_psychologist")
    parent = make.member(case, "parent")
    browser.sign_in(ep.person.email)
    src = upload(browser, advice.id, drawing()).get_json()["src"]
    browser.sign_out()
    section_a = make.section(dbs.get(Case, case.id), "A")
    appending.set_text(dbs, section_a, f"![guess]({src})", parent.person)
    dbs.commit()
    browser.sign_in(parent.person.email)
    assert browser.get(src).status_code == 404


def test_only_the_portals_own_pictures_are_rendered() -> None:
    html = render(
        "![Me](/documents/3/images/7) ![Tracker](https://example.com/t.gif) "
        "![Mounted](/portal/documents/3/images/8) ![Odd](/documents/3/images/7?x)",
        "/portal",
    )
    assert (
        '<img src="/portal/documents/3/images/7" alt="Me" class="app-image" '
        'loading="lazy">' in html
    )
    assert 'src="/portal/documents/3/images/8"' in html
    assert "example.com" not in html and "Tracker" in html
    assert html.count("<img") == 2 and "Odd" in html


def test_quotes_image_does_not_match_a_longer_id() -> None:
    assert images.quotes_image("![a](/documents/1/images/7)", 1, 7)
    assert not images.quotes_image("![a](/documents/1/images/71)", 1, 7)
    assert not images.quotes_image("![a](/documents/11/images/7)", 1, 7)
