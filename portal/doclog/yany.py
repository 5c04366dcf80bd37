"""lib0 decoding for Yjs updates: a bounds-checked reader, item content, Any, JSON.

Pure standard library. Nothing here recurses on the input: nested Any values
are walked with an explicit stack, and JSON is parsed only by `json.loads`,
whose C scanner stops at Python's recursion limit (RecursionError, caught),
after which the depth is measured without recursion.

Every number is held to what both decoders read the same way: lib0 (browsers)
refuses var uints over 53 bits, and yrs (pycrdt) silently wraps many fields at
32 bits and trusts string bytes to be UTF-8 (`from_utf8_unchecked`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Protocol

MAX_SAFE_INTEGER = 2**53 - 1
MALFORMED = "That change is malformed and was not applied."
NOT_UTF8 = "That change holds text that is not valid UTF-8."

# Any tags (lib0 readAny) whose value is a fixed number of bytes.
_FIXED_ANY = {127: 0, 126: 0, 124: 4, 123: 8, 122: 8, 121: 0, 120: 0}
_ANY_INT, _ANY_STRING, _ANY_OBJECT, _ANY_ARRAY, _ANY_BYTES = 125, 119, 118, 117, 116
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*+"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST_PAIR = re.compile(r"\[\]|\{\}")
# Item content kinds (the low five bits of the info byte), Yjs Item.js contentRefs.
DELETED, JSON, BINARY, STRING, EMBED, FORMAT, TYPE, ANY, DOC = range(1, 10)
XML_ELEMENT = 3
# Array, Map, Text, XmlElement, XmlFragment, XmlText. Not XmlHook (5): Yjs
# reads a hook name after it and yrs does not, so the two would disagree on
# every following byte.
TYPE_REFS = frozenset({0, 1, 2, 3, 4, 6})


class InvalidUpdate(ValueError):
    """The bytes are not an acceptable Yjs update; str() is a short sentence for people."""


def malformed() -> InvalidUpdate:
    """The generic refusal, for anything a correct Yjs or yrs encoder never writes."""
    return InvalidUpdate(MALFORMED)


def too_deep(max_depth: int) -> InvalidUpdate:
    """The refusal for nesting past `max_depth` levels."""
    return InvalidUpdate(
        f"That change is nested too deeply (more than {max_depth} levels)."
    )


def too_long(limit: int) -> InvalidUpdate:
    """The refusal for one string or byte array over `limit` bytes."""
    return InvalidUpdate(
        f"That change holds a text or value longer than {limit} bytes."
    )


class ContentLimits(Protocol):
    """The bounds item content is read with (`portal.doclog.yupdate.Limits`)."""

    @property
    def max_depth(self) -> int: ...
    @property
    def max_string_bytes(self) -> int: ...
    @property
    def allow_subdocuments(self) -> bool: ...


class Reader:
    """A lib0 decoder that checks every length against the bytes left."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def done(self) -> None:
        """Refuse trailing bytes: Yjs ignores them, but a stored update should be exact."""
        if self.pos != len(self.data):
            raise malformed()

    def u8(self) -> int:
        """One byte."""
        pos = self.pos
        if pos >= len(self.data):
            raise malformed()
        self.pos = pos + 1
        return self.data[pos]

    def skip(self, size: int) -> None:
        """Step over `size` bytes that must be present."""
        if size > len(self.data) - self.pos:
            raise malformed()
        self.pos += size

    def var_uint(self) -> int:
        """lib0 readVarUint, refusing values over 2**53 - 1 (lib0 throws there)."""
        data, pos = self.data, self.pos
        if pos + 1 < len(data):  # one- and two-byte numbers inline: most clocks
            first = data[pos]
            if first < 0x80:
                self.pos = pos + 1
                return first
            if data[pos + 1] < 0x80:
                self.pos = pos + 2
                return (first & 0x7F) | data[pos + 1] << 7
        return self._var_uint_long()

    def _var_uint_long(self) -> int:
        data, start = self.data, self.pos
        num = shift = 0
        # 8 bytes carry 56 bits: enough for 2**53 - 1, so a longer number is refused.
        for pos in range(start, min(start + 8, len(data))):
            byte = data[pos]
            num |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                if num > MAX_SAFE_INTEGER:
                    raise malformed()
                self.pos = pos + 1
                return num
        raise malformed()

    def var_int(self) -> int:
        """lib0 readVarInt: sign in bit 6 of the first byte, magnitude up to 2**53 - 1."""
        first = self.u8()
        num, shift = first & 0x3F, 6
        byte = first
        while byte >= 0x80:
            if shift > 48:  # eight bytes carry 55 bits
                raise malformed()
            byte = self.u8()
            num |= (byte & 0x7F) << shift
            shift += 7
        if num > MAX_SAFE_INTEGER:
            raise malformed()
        return -num if first & 0x40 else num

    def count(self, min_size: int) -> int:
        """A var uint count of things at least `min_size` bytes each that must fit."""
        num = self.var_uint()
        # yrs allocates `with_capacity(count)` before reading: an unchecked count
        # aborts the process on a failed allocation.
        if num * min_size > len(self.data) - self.pos:
            raise malformed()
        return num

    def var_bytes(self, limit: int) -> bytes:
        """lib0 readVarUint8Array, at most `limit` bytes."""
        size = self.var_uint()
        if size > limit:
            raise too_long(limit)
        start = self.pos
        self.skip(size)
        return self.data[start : start + size]

    def var_string(self, limit: int) -> str:
        """lib0 readVarString of strict UTF-8 (yrs does not check), at most `limit` bytes."""
        raw = self.var_bytes(limit)
        try:
            return str(raw, "utf-8")
        except UnicodeDecodeError:
            raise InvalidUpdate(NOT_UTF8) from None

    def utf16_string(self, limit: int) -> tuple[int, tuple[int, ...]]:
        """A string's UTF-16 length (as Yjs counts) and where its surrogate pairs start."""
        text = self.var_string(limit)
        if text.isascii():
            return len(text), ()
        units = len(text.encode("utf-16-le")) // 2  # C speed, unlike max(text)
        if units == len(text):
            return units, ()
        # The i-th astral character sits i code units later in UTF-16.
        starts = tuple(m.start() + i for i, m in enumerate(_ASTRAL.finditer(text)))
        return len(text) + len(starts), starts


def _deleted(reader: Reader, limits: ContentLimits) -> int:
    return reader.var_uint()


def _json(reader: Reader, limits: ContentLimits) -> int:
    for _ in range(reader.count(1)):
        text = reader.var_string(limits.max_string_bytes)
        if text != "undefined":  # Yjs's marker for a JavaScript undefined
            check_json(text, limits.max_depth)
    # Yjs reads n strings here, yrs reads n + 1: the two would disagree on every
    # following byte. Neither library has written this kind since Yjs 13.
    raise InvalidUpdate("That change uses an old kind of content the server refuses.")


def _binary(reader: Reader, limits: ContentLimits) -> int:
    reader.var_bytes(limits.max_string_bytes)
    return 1


def _embed(reader: Reader, limits: ContentLimits) -> int:
    check_json(reader.var_string(limits.max_string_bytes), limits.max_depth)
    return 1


def _format(reader: Reader, limits: ContentLimits) -> int:
    reader.var_string(limits.max_string_bytes)
    return _embed(reader, limits)


def _type(reader: Reader, limits: ContentLimits) -> int:
    # One byte: yrs reads a u8 where Yjs reads a var uint, so the overlong
    # 0x80 0x00 would be 0 to Yjs and 128 to yrs.
    ref = reader.u8()
    if ref not in TYPE_REFS:
        raise InvalidUpdate(
            "That change uses a kind of shared type the server refuses."
        )
    if ref == XML_ELEMENT:
        reader.var_string(limits.max_string_bytes)
    return 1


def _any(reader: Reader, limits: ContentLimits) -> int:
    count = reader.count(1)
    for _ in range(count):
        skip_any(reader, limits.max_depth, limits.max_string_bytes)
    return count


def _doc(reader: Reader, limits: ContentLimits) -> int:
    if not limits.allow_subdocuments:
        raise InvalidUpdate(
            "That change embeds a subdocument, which the server refuses."
        )
    reader.var_string(limits.max_string_bytes)
    skip_any(reader, limits.max_depth, limits.max_string_bytes)
    return 1


# Content readers by kind (Yjs src/structs/Item.js contentRefs), but for
# strings (`Reader.utf16_string`); each returns the item's length.
CONTENT: dict[int, Callable[[Reader, ContentLimits], int]] = {
    DELETED: _deleted,
    JSON: _json,
    BINARY: _binary,
    EMBED: _embed,
    FORMAT: _format,
    TYPE: _type,
    ANY: _any,
    DOC: _doc,
}


def skip_any(reader: Reader, max_depth: int, max_string: int) -> None:
    """Read one lib0 Any value without recursion; refuse nesting over `max_depth`."""
    left = [1]  # values still to read in each open array or object
    keyed = [False]  # whether each open level is an object (key before value)
    while left:
        if not left[-1]:
            left.pop()
            keyed.pop()
            continue
        left[-1] -= 1
        if keyed[-1]:
            reader.var_string(max_string)
        tag = reader.u8()
        if tag in _FIXED_ANY:
            reader.skip(_FIXED_ANY[tag])
        elif tag == _ANY_STRING:
            reader.var_string(max_string)
        elif tag == _ANY_INT:
            reader.var_int()
        elif tag == _ANY_ARRAY or tag == _ANY_OBJECT:
            if len(left) > max_depth:
                raise too_deep(max_depth)
            left.append(reader.count(2 if tag == _ANY_OBJECT else 1))
            keyed.append(tag == _ANY_OBJECT)
        elif tag == _ANY_BYTES:
            reader.var_bytes(max_string)
        else:
            raise malformed()


def check_json(text: str, max_depth: int) -> None:
    """Refuse text that JSON.parse and serde_json (yrs) would not both read, or too deep."""
    try:
        value = json.loads(
            text, parse_constant=_refuse, parse_float=_finite, parse_int=_finite
        )
    except RecursionError:
        raise too_deep(max_depth) from None
    except ValueError:
        raise malformed() from None
    if text.count("[") + text.count("{") > max_depth:
        _check_json_depth(text, max_depth)
    if "\\u" in text:
        _check_no_lone_surrogates(value)


def _check_json_depth(text: str, max_depth: int) -> None:
    # `text` is valid JSON here, so the string pattern cannot run away; each
    # pass deletes only the innermost bracket pairs, one nesting level.
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    for _ in range(max_depth):
        brackets = _INNERMOST_PAIR.sub("", brackets)
        if not brackets:
            return
    raise too_deep(max_depth)


def _check_no_lone_surrogates(value: object) -> None:
    # JSON.parse keeps a lone "\ud800"; serde_json refuses it, so yrs would fail.
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidUpdate(NOT_UTF8) from None


def _refuse(_constant: str) -> object:
    raise ValueError("NaN and Infinity are not JSON")


def _finite(number: str) -> float:
    # serde_json refuses numbers beyond f64; Python would give inf or a bigint.
    value = float(number)
    if value in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return value
