"""Settings: where the secret key comes from, and HOST/PORT for `portal.serve`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from portal.config import DEV_SECRET_KEY, SECRET_KEY_FILE, ConfigError, Settings


def secret_key(env: dict[str, str], instance: Path, *, testing: bool = False) -> str:
    """The SECRET_KEY Flask would get outside debug (and tests, unless `testing`)."""
    config = Settings.from_env(env).flask_config(
        str(instance), testing=testing, debug=False
    )
    return str(config["SECRET_KEY"])


def test_secret_key_from_the_environment_wins_over_the_instance_file(
    tmp_path: Path,
) -> None:
    (tmp_path / SECRET_KEY_FILE).write_text("key-from-the-file\n")
    assert secret_key({"SECRET_KEY": "key-from-env"}, tmp_path) == "key-from-env"


def test_instance_file_key_is_used_when_secret_key_is_unset(tmp_path: Path) -> None:
    (tmp_path / SECRET_KEY_FILE).write_text("  key-from-the-file\n\n")
    assert secret_key({}, tmp_path) == "key-from-the-file"
    assert secret_key({"SECRET_KEY": ""}, tmp_path) == "key-from-the-file"


def test_no_key_anywhere_stops_startup_saying_what_to_set(tmp_path: Path) -> None:
    path = tmp_path / SECRET_KEY_FILE
    with pytest.raises(ConfigError) as refused:
        secret_key({}, tmp_path)
    message = str(refused.value)
    assert message.startswith(f"SECRET_KEY is not set and there is no {path}.")
    assert "export SECRET_KEY=" in message


@pytest.mark.parametrize(
    ("write", "problem"),
    [
        (lambda p: p.write_text(""), "is empty"),
        (lambda p: p.write_text(" \n\t\n"), "is empty"),
        (lambda p: p.write_bytes(b"\xff\xfe\x00key"), "is not text"),
        (lambda p: p.mkdir(), "cannot be read (Is a directory)"),
    ],
    ids=["empty", "whitespace", "not-text", "unreadable"],
)
def test_unusable_instance_file_stops_startup_naming_the_file(
    tmp_path: Path, write: Callable[[Path], object], problem: str
) -> None:
    path = tmp_path / SECRET_KEY_FILE
    write(path)
    with pytest.raises(ConfigError) as refused:
        secret_key({}, tmp_path)
    assert str(refused.value).startswith(f"SECRET_KEY is not set and {path} {problem}.")


def test_debug_and_tests_without_any_key_get_the_development_key(
    tmp_path: Path,
) -> None:
    assert secret_key({}, tmp_path, testing=True) == DEV_SECRET_KEY
    debug = Settings.from_env({}).flask_config(str(tmp_path), testing=False, debug=True)
    assert debug["SECRET_KEY"] == DEV_SECRET_KEY


def test_host_and_port_default_to_the_loopback_address_and_5000() -> None:
    settings = Settings.from_env({})
    assert (settings.host, settings.port) == ("127.0.0.1", 5000)
    settings = Settings.from_env({"HOST": "0.0.0.0", "PORT": "8080"})
    assert (settings.host, settings.port) == ("0.0.0.0", 8080)


def test_junk_port_is_refused() -> None:
    with pytest.raises(ConfigError, match="PORT must be a whole number, not 'http'"):
        Settings.from_env({"PORT": "http"})


def test_closed_cases_are_kept_seven_years_unless_retention_days_says() -> None:
    assert Settings.from_env({}).retention_days == 2555
    assert Settings.from_env({"RETENTION_DAYS": "30"}).retention_days == 30


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("seven years", "RETENTION_DAYS must be a whole number, not 'seven years'."),
        ("0", "RETENTION_DAYS must be at least 1 day, not 0."),
    ],
)
def test_junk_retention_is_refused(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({"RETENTION_DAYS": value})
