"""Voice recordings in documents: checked by their bytes, then stored with
the words said, which an adult types.

The browser's MediaRecorder makes WebM (Chromium, Firefox), Ogg (Firefox) or
MP4 (Safari) audio. What a file is comes from its first bytes, never from its
name or the type the browser claims, and the bytes are served back only with
that type, `nosniff` and a sandbox (portal.pages.recordings). The transcript
is the recording's words for everyone who cannot or does not listen, and for
the Markdown the assistant reads; it is never written to the audit log.
"""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import func, select

from portal.errors import RecordingRefused, RecordingTooLarge
from portal.models import Document, DocumentRecording, Person, Session
from portal.services import audit, images

MAX_RECORDING_BYTES = 5_000_000
MAX_RECORDINGS_PER_DOCUMENT = 20
MAX_TRANSCRIPT_CHARS = 2000

NOT_A_RECORDING = (
    "That file is not a voice recording we can use. Record it again on this page."
)
EMPTY_RECORDING = "Nothing was recorded. Press Start recording and speak, then Stop."
NO_TRANSCRIPT = "Type what was said in the recording. A grown-up can type the words."


def too_large_message(size: int, limit: int = MAX_RECORDING_BYTES) -> str:
    """The sentence for a recording of `size` bytes over `limit`."""
    return (
        f"That recording is too big ({size / 1e6:.1f} MB). "
        f"The limit is {limit / 1e6:g} MB. Record a shorter one."
    )


def recording_path(doc_id: int, recording_id: int) -> str:
    """The recording's address in the portal, without any script root."""
    return f"/documents/{doc_id}/recordings/{recording_id}"


def quotes_recording(text: str, doc_id: int, recording_id: int) -> bool:
    """Whether Markdown text refers to the recording (by its address)."""
    pattern = re.escape(recording_path(doc_id, recording_id)) + r"(?!\d)"
    return re.search(pattern, text) is not None


def audio_type(data: bytes) -> str | None:
    """The audio type the bytes begin as (WebM, Ogg or MP4), or None."""
    if data.startswith(b"\x1a\x45\xdf\xa3"):  # EBML, which WebM is
        return "audio/webm"
    if data.startswith(b"OggS"):
        return "audio/ogg"
    if data[4:8] == b"ftyp":  # the first box of an ISO media file
        return "audio/mp4"
    return None


def clean_transcript(transcript: str | None) -> str:
    """The words, trimmed with runs of spaces and lines made one space, or
    RecordingRefused."""
    text = " ".join((transcript or "").split())
    if not text:
        raise RecordingRefused(NO_TRANSCRIPT)
    if len(text) > MAX_TRANSCRIPT_CHARS:
        raise RecordingRefused(
            f"Type what was said in {MAX_TRANSCRIPT_CHARS:,} characters or fewer "
            f"(this has {len(text):,})."
        )
    if images.has_hidden_characters(text):
        raise RecordingRefused(
            "The words typed for the recording have hidden characters in them. "
            "Type them again."
        )
    return text


def add_recording(
    session: Session,
    doc: Document,
    person: Person,
    data: bytes,
    transcript: str | None,
    *,
    max_bytes: int = MAX_RECORDING_BYTES,
) -> DocumentRecording:
    """Check and store a recording for `doc` with its transcript, and audit it.

    The caller has checked that `person` may edit `doc`.
    """
    words = clean_transcript(transcript)
    if len(data) > max_bytes:
        raise RecordingTooLarge(too_large_message(len(data), max_bytes))
    if not data:
        raise RecordingRefused(EMPTY_RECORDING)
    content_type = audio_type(data)
    if content_type is None:
        raise RecordingRefused(NOT_A_RECORDING)
    count = session.scalar(
        select(func.count())
        .select_from(DocumentRecording)
        .where(DocumentRecording.document_id == doc.id)
    )
    if (count or 0) >= MAX_RECORDINGS_PER_DOCUMENT:
        raise RecordingRefused(
            f"This document already has {MAX_RECORDINGS_PER_DOCUMENT} recordings, "
            "the most one document can have."
        )
    recording = DocumentRecording(
        document_id=doc.id,
        uploaded_by_id=person.id,
        content_type=content_type,
        data=data,
        byte_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        transcript=words,
    )
    session.add(recording)
    session.flush()
    audit.record(
        session,
        "document.recording_added",
        actor=person,
        document=doc,
        recording_id=recording.id,
        content_type=content_type,
        byte_size=len(data),
    )
    return recording
