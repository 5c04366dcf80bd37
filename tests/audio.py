"""Small real audio files for tests, made without any encoder installed."""

from __future__ import annotations

import struct

# A 20 ms Opus packet of silence: TOC 0xF8 (CELT, full band, 20 ms, mono,
# one frame) and a frame that decodes to nothing.
SILENT_OPUS_FRAME = b"\xf8\xff\xfe"
SAMPLES_PER_FRAME = 960  # 20 ms at 48 kHz, the granule rate of Ogg Opus


def _crc_table() -> list[int]:
    table = []
    for n in range(256):
        crc = n << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return table


_CRC = _crc_table()


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC[(crc >> 24) ^ byte]
    return crc


def _page(packets: list[bytes], *, flags: int, granule: int, seq: int) -> bytes:
    lacing = b""
    for packet in packets:
        lacing += b"\xff" * (len(packet) // 255) + bytes([len(packet) % 255])
    header = struct.pack(
        "<4sBBqIIIB", b"OggS", 0, flags, granule, 0x5EC0DE, seq, 0, len(lacing)
    )
    page = header + lacing + b"".join(packets)
    crc = struct.pack("<I", _ogg_crc(page))
    return page[:22] + crc + page[26:]


def ogg_opus(seconds: int = 1) -> bytes:
    """A valid mono Ogg Opus file of `seconds` of silence (a page a second)."""
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 312, 48000, 0, 0)
    vendor = b"ehcp-tests"
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)
    pages = [
        _page([head], flags=0x02, granule=0, seq=0),
        _page([tags], flags=0, granule=0, seq=1),
    ]
    frames = 50
    for n in range(seconds):
        pages.append(
            _page(
                [SILENT_OPUS_FRAME] * frames,
                flags=0x04 if n == seconds - 1 else 0,
                granule=(n + 1) * frames * SAMPLES_PER_FRAME,
                seq=n + 2,
            )
        )
    return b"".join(pages)


def webm_header() -> bytes:
    """The start of a WebM file: an EBML header naming the `webm` doc type."""
    doc_type = b"\x42\x82\x84webm"
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(doc_type)]) + doc_type


def mp4_header() -> bytes:
    """The first box of an MP4 audio file (`ftyp`, brand M4A)."""
    return struct.pack(">I4s4sI4s", 20, b"ftyp", b"M4A ", 0, b"isom")


def wav(seconds: float = 0.1) -> bytes:
    """A WAV file of silence (8 kHz, 8 bit mono)."""
    data = b"\x80" * int(8000 * seconds)
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 8000, 1, 8)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(data))
        + b"WAVEfmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )
