"""The rules for a new password."""

from __future__ import annotations

import pytest

from auth.passwords import is_common, password_problem


@pytest.mark.parametrize(
    "password", ["password", "Password123", "  QWERTYUIOP ", "1234567890", "iloveyou"]
)
def test_common_passwords_are_known(password: str) -> None:
    assert is_common(password)


def test_the_list_is_the_vendored_one() -> None:
    from auth.passwords import _common_passwords

    assert len(_common_passwords()) > 19_000


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 10 characters"),
        ("x" * 501, "500 characters or fewer"),
        ("superman123", "most common passwords"),
        ("correct horse battery", None),
    ],
)
def test_password_problem(password: str, problem: str | None) -> None:
    found = password_problem(password)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found
