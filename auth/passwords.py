"""Argon2id password hashing (argon2-cffi's recommended parameters), and the
rules a new password must meet.

A new password must be 10 to 500 characters and not one of the 19,640 most
common passwords in `portal/data/common-passwords.txt.gz` (Royce Williams's
list as Django 5.2.19 ships it, BSD licence; see portal/data/README.md),
compared in lower case with the spaces at either end removed.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when an email is unknown, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_LENGTH = 10
MAX_LENGTH = 500
COMMON = "common-passwords.txt.gz"


def hash_password(password: str) -> str:
    """An Argon2id hash with a random salt."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; never raises for a wrong one."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and bool(
            stored_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """A sentence saying what is wrong with a new password, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters long."
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer."
    if is_common(password):
        return (
            "That password is one of the most common passwords, so it is easy "
            "to guess. Choose a different one: a few unrelated words work well."
        )
    return None


def is_common(password: str) -> bool:
    """True when the password is on the list of common passwords."""
    return password.strip().lower() in _common_passwords()


@cache
def _common_passwords() -> frozenset[str]:
    data = files("portal").joinpath("data", COMMON).read_bytes()
    return frozenset(gzip.decompress(data).decode().splitlines())
