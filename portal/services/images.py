"""Pictures in documents: checked, re-encoded without metadata, then stored.

Nothing of the uploaded file is kept but its pixels. Every picture is decoded
and saved again, so EXIF (with a phone's GPS location), XMP, ICC profiles,
comments and text chunks are dropped, and a file that only claims to be a
picture, or that would expand into gigabytes of pixels, is refused before it
costs more than a header read.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import warnings
from io import BytesIO

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select

from portal.errors import ImageRefused, ImageTooLarge
from portal.models import Document, DocumentImage, Person, Session
from portal.services import audit

MAX_IMAGE_BYTES = 10_000_000
MAX_PIXELS = 40_000_000
MAX_SIDE = 2000
MAX_IMAGES_PER_DOCUMENT = 50
MAX_ALT_CHARS = 300
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")

# Pillow's own guard, for any code in the process that opens images: it warns
# above this and raises above twice this. `_decode` also checks the declared
# size itself and turns the warning into an error.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

NOT_A_PICTURE = (
    "That file is not a picture we can use. Try a photo or a JPEG or PNG file."
)
TOO_MANY_PIXELS = (
    "That picture has too many pixels for us to use. Try a smaller photo or a "
    "screenshot of it."
)
NO_ALT = "Say in a few words what is in the picture."
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def has_hidden_characters(text: str) -> bool:
    """Control or text-direction characters, which could make words typed
    for a picture or a recording read differently from how they show."""
    return any(unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS for c in text)


def too_large_message(size: int, limit: int = MAX_IMAGE_BYTES) -> str:
    """The sentence for a file of `size` bytes over `limit`."""
    return (
        f"That picture is too big ({size / 1e6:.1f} MB). "
        f"The limit is {limit / 1e6:g} MB."
    )


def image_path(doc_id: int, image_id: int) -> str:
    """The picture's address in the portal, without any script root."""
    return f"/documents/{doc_id}/images/{image_id}"


def quotes_image(text: str, doc_id: int, image_id: int) -> bool:
    """Whether Markdown text refers to the picture (by its address)."""
    # Not followed by a digit: /images/7 must not match /images/71.
    return (
        re.search(re.escape(image_path(doc_id, image_id)) + r"(?!\d)", text) is not None
    )


def clean_alt(alt: str | None) -> str:
    """The description, trimmed with runs of spaces made one, or ImageRefused."""
    text = " ".join((alt or "").split())
    if not text:
        raise ImageRefused(NO_ALT)
    if len(text) > MAX_ALT_CHARS:
        raise ImageRefused(
            f"Say what is in the picture in {MAX_ALT_CHARS} characters or fewer "
            f"(this has {len(text)})."
        )
    if has_hidden_characters(text):
        raise ImageRefused(
            "The description of the picture has hidden characters in it. "
            "Type it again in your own words."
        )
    return text


def add_image(
    session: Session,
    doc: Document,
    person: Person,
    upload_bytes: bytes,
    filename: str,
    alt: str | None,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
) -> DocumentImage:
    """Check, clean and store a picture for `doc`, and audit it.

    The caller has checked that `person` may edit `doc`. `filename` is what
    the browser sent; it is neither trusted nor stored: the bytes decide.
    """
    del filename
    text = clean_alt(alt)
    if len(upload_bytes) > max_bytes:
        raise ImageTooLarge(too_large_message(len(upload_bytes), max_bytes))
    count = session.scalar(
        select(func.count())
        .select_from(DocumentImage)
        .where(DocumentImage.document_id == doc.id)
    )
    if (count or 0) >= MAX_IMAGES_PER_DOCUMENT:
        raise ImageRefused(
            f"This document already has {MAX_IMAGES_PER_DOCUMENT} pictures, "
            "the most one document can have."
        )
    data, content_type, (width, height) = reencode(upload_bytes)
    image = DocumentImage(
        document_id=doc.id,
        uploaded_by_id=person.id,
        content_type=content_type,
        data=data,
        width=width,
        height=height,
        byte_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        alt=text,
    )
    session.add(image)
    session.flush()
    audit.record(
        session,
        "document.image_added",
        actor=person,
        document=doc,
        image_id=image.id,
        content_type=content_type,
        width=width,
        height=height,
        byte_size=len(data),
        uploaded_bytes=len(upload_bytes),
    )
    return image


def reencode(upload: bytes) -> tuple[bytes, str, tuple[int, int]]:
    """The picture as clean JPEG (opaque) or PNG (transparent) bytes, its
    content type and size; ImageRefused when it is not a usable picture."""
    image = _decode(upload)
    try:
        # Phones store "rotate me" in EXIF; apply it before EXIF is dropped.
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGBA" if _may_be_transparent(image) else "RGB")
        has_alpha = image.mode == "RGBA" and _alpha_is_used(image)
        if image.mode == "RGBA" and not has_alpha:
            image = image.convert("RGB")
    except (OSError, ValueError) as error:
        raise ImageRefused(NOT_A_PICTURE) from error
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image from the pixels alone: nothing of `info` (EXIF, XMP, ICC,
    # comments, PNG text chunks) can reach the encoder.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    out = BytesIO()
    if has_alpha:
        clean.save(out, "PNG")
        return out.getvalue(), "image/png", clean.size
    clean.save(out, "JPEG", quality=85, progressive=True, optimize=True)
    return out.getvalue(), "image/jpeg", clean.size


def _decode(upload: bytes) -> Image.Image:
    """Open, verify, reopen and load the first frame, refusing bombs early."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(upload), formats=ACCEPTED_FORMATS) as probe:
                _check_pixels(probe.size)
                probe.verify()
            # verify() leaves the image unusable: open it again to decode.
            image = Image.open(BytesIO(upload), formats=ACCEPTED_FORMATS)
            _check_pixels(image.size)
            image.seek(0)  # the first frame of an animation
            # A JPEG can decode straight to a smaller scale: a 12-megapixel
            # photo then needs a quarter of the memory.
            image.draft(None, (MAX_SIDE, MAX_SIDE))
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ImageRefused(TOO_MANY_PIXELS) from error
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            EOFError,
        ) as error:
            raise ImageRefused(NOT_A_PICTURE) from error
    return image


def _check_pixels(size: tuple[int, int]) -> None:
    if size[0] * size[1] > MAX_PIXELS:
        raise ImageRefused(TOO_MANY_PIXELS)


def _may_be_transparent(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _alpha_is_used(image: Image.Image) -> bool:
    """Whether any pixel is less than opaque (drawings keep their clear parts)."""
    low = image.getchannel("A").getextrema()[0]
    return isinstance(low, int | float) and low < 255
