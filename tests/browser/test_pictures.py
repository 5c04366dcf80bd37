"""A young person adds a photo to "All about me" through the real upload, on a
phone and a laptop: a file that is not a picture gets a clear message and
changes nothing, the photo arrives with its description and without its
location, and after a reload it is all still there."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Document
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import _no_horizontal_scroll, _violations
from tests.browser.test_family_pages import DESKTOP, PHONE, _box, _screenshot
from tests.browser.test_saving import _editor_markdown, _stored_text, _wait_saved

ALT = "Me and Pepper at the beach"


def _photo_with_location() -> bytes:
    """A phone photo: taken sideways (orientation 6) with GPS in its EXIF."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    out = BytesIO()
    Image.new("RGB", (320, 200), "#3a7bd5").save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_young_person_adds_a_photo_and_finds_it_after_a_reload(
    live_server: str,
    chromium: Any,
    runner,
    dbs: Session,
    tmp_path: Path,
    viewport: dict[str, int],
) -> None:
    runner.invoke(args=["demo"])
    doc_id = int(
        dbs.scalar(
            select(Document.id).where(Document.discipline == "child_young_person")
        )
    )
    page = chromium.new_page(viewport=viewport)
    sign_in(page, live_server, "young.person@example.org")
    page.goto(f"{live_server}/documents/{doc_id}")
    page.wait_for_selector('#ehcp-editor[data-state="ready"]', timeout=15_000)
    main = page.inner_text("main")
    assert "Reading age" not in main and "Check" not in main
    assert _box(page, "#editor-mount")["top"] < viewport["height"]
    assert _box(page, "#editor-status")["bottom"] < viewport["height"]

    # Write a new line at the end, in bold, with the toolbar.
    page.click("#editor-mount .ProseMirror h2")
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.click("[role=toolbar] [data-command=bold]")
    page.keyboard.type("Pepper is my best friend.")

    page.click(".app-editor__tool--picture")
    assert page.is_visible("#editor-picture-panel")
    assert (
        page.inner_text("#editor-picture-panel").count("What is in your picture?") == 1
    )
    # Not a picture: a clear message, and the document is as it was.
    before = _editor_markdown(page)
    page.set_input_files(
        "#editor-picture-file",
        files=[
            {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": b"not a picture"}
        ],
    )
    page.fill("#editor-picture-alt", ALT)
    page.click(".app-editor__picture-add")
    page.wait_for_selector("#editor-picture-file-error:not([hidden])")
    assert "not a picture we can use" in page.inner_text("#editor-picture-file-error")
    assert _editor_markdown(page) == before

    page.set_input_files(
        "#editor-picture-file",
        files=[
            {
                "name": "beach.jpg",
                "mimeType": "image/jpeg",
                "buffer": _photo_with_location(),
            }
        ],
    )
    page.click(".app-editor__picture-add")
    page.wait_for_selector(f"#editor-mount img[alt='{ALT}']", timeout=10_000)
    assert page.is_hidden("#editor-picture-panel")
    _wait_saved(page)
    _screenshot(page, tmp_path, f"all-about-me-picture-{viewport['width']}")

    stored = _stored_text(dbs, doc_id)
    assert "**Pepper is my best friend.**" in stored
    found = re.search(rf"!\[{ALT}\]\((/documents/{doc_id}/images/\d+)\)", stored)
    assert found is not None, stored

    page.reload()
    page.wait_for_selector('#ehcp-editor[data-state="ready"]', timeout=15_000)
    image = page.wait_for_selector(f"#editor-mount img[alt='{ALT}']")
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", image)
    assert "Pepper is my best friend." in page.inner_text("#editor-mount strong")
    assert _violations(page) == ""
    assert _no_horizontal_scroll(page)

    # What the browser gets back has no location, and is the right way up.
    served = page.request.get(f"{live_server}{found.group(1)}")
    assert served.status == 200
    photo = Image.open(BytesIO(served.body()))
    assert not photo.getexif() and photo.size == (200, 320)
    page.close()
