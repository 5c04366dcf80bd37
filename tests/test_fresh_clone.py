"""The README on a fresh clone: `make run`, then its `flask --app portal` commands.

The clone is of this checkout's committed HEAD (uncommitted changes are not in
it). Nothing of the portal's configuration is in the environment, as for a
newcomer: no SECRET_KEY, and no DATABASE_URL even when CI sets one, so
`make run` uses SQLite and the key it keeps in the clone's instance folder, and
the commands typed after it must find both on their own. `make run` builds the
clone's own .venv: with pip's cache warm (`make test` has just filled it)
that is about 20 s, and the whole test 40-50 s on two busy cores.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from auth.tokens import TOKEN_PREFIX
from tests import services

pytestmark = pytest.mark.fresh_clone

EXAMPLE = services.ROOT.parent / "shared" / "examples" / "example01"
# How a machine is set up, not how the portal is configured: pip's index and
# cache, proxies, the interpreter on PATH (pyenv), the locale.
PASSED_ON = {"PATH", "HOME", "USER", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR"}
PASSED_ON_PREFIXES = ("PIP_", "PYENV_")
PROXIES = {"http_proxy", "https_proxy", "no_proxy"}
STARTUP_SECONDS = 300  # a cold pip cache on a slow machine
PASSWORD = "correct horse battery staple"


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of someone who has only just cloned the repository."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key in PASSED_ON
        or key.startswith(PASSED_ON_PREFIXES)
        or key.lower() in PROXIES
    }
    return {**env, **extra}


def unused_port() -> int:
    """A TCP port nothing listens on just now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clone_head(into: Path) -> Path:
    """A fresh clone of this checkout at its committed HEAD."""
    if shutil.which("git") is None or shutil.which("make") is None:
        services.missing("install git and make to test a fresh clone")
    head = subprocess.run(
        ["git", "-C", str(services.ROOT), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
    )
    if head.returncode != 0:
        services.missing(f"{services.ROOT} is not a git checkout to clone")
    clone = into / "portal"
    subprocess.run(
        ["git", "clone", "--quiet", str(services.ROOT), str(clone)], check=True
    )
    subprocess.run(
        ["git", "-C", str(clone), "checkout", "--quiet", head.stdout.strip()],
        check=True,
    )
    return clone


def get(url: str) -> str | None:
    """The page at `url`, or None while nothing answers there."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
            return str(response.read().decode("utf-8"))
    except OSError:
        return None


def make_run_until_it_answers(clone: Path, port: int, log: Path) -> str:
    """Run `make run` in `clone`, wait for the sign-in page, stop it; the page."""
    with log.open("wb") as out:
        # Its own session, so make and the server it starts stop together.
        make = subprocess.Popen(
            ["make", "run"],
            cwd=clone,
            env=clean_env(PORT=str(port)),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if make.poll() is not None:
                pytest.fail(
                    f"make run exited with {make.returncode}:\n{log.read_text()}"
                )
            page = get(f"http://127.0.0.1:{port}/sign-in")
            if page is not None:
                return page
            time.sleep(0.5)
        pytest.fail(
            f"make run did not answer in {STARTUP_SECONDS} s:\n{log.read_text()}"
        )
    finally:
        stop(make)


def stop(process: subprocess.Popen[bytes]) -> None:
    """End `process` and everything it started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def flask(clone: Path, *args: str, stdin: str | None = None) -> str:
    """Run `flask --app portal ARGS` as the README shows; its output."""
    result = subprocess.run(
        [str(clone / ".venv" / "bin" / "flask"), "--app", "portal", *args],
        cwd=clone,
        env=clean_env(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        # No controlling terminal: the password prompt reads stdin, as in a pipe.
        start_new_session=True,
    )
    assert result.returncode == 0, (
        f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
    )
    return result.stdout


def test_readme_commands_work_after_make_run_in_a_fresh_clone(
    tmp_path: Path,
) -> None:
    if not EXAMPLE.is_dir():
        services.missing(f"the example case folder {EXAMPLE} is missing")
    assert not {"SECRET_KEY", "DATABASE_URL", "FLASK_DEBUG"} & set(clean_env())
    clone = clone_head(tmp_path)

    page = make_run_until_it_answers(clone, unused_port(), tmp_path / "make-run.log")
    assert "Sign in" in page
    key_file = clone / "instance" / "secret_key"
    assert len(key_file.read_text().strip()) == 64
    assert key_file.stat().st_mode & 0o077 == 0
    assert (clone / "instance" / "portal.sqlite3").is_file()

    check_accounts_and_tokens(clone)
    check_import_and_assistant(clone)


def check_accounts_and_tokens(clone: Path) -> None:
    """demo, user create, token create/list/revoke, on the database make run made."""
    demo = flask(clone, "demo")
    assert "Already present: demo case" in demo and "portal-demo-2026" in demo

    created = flask(
        clone,
        *("user", "create", "dana.lead@example.org", "--name", "Dana Lead"),
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert "Created dana.lead@example.org." in created

    token = flask(clone, "token", "create", "dana.lead@example.org").strip()
    assert re.fullmatch(re.escape(TOKEN_PREFIX) + r"[\w-]{43}", token), token
    listed = flask(clone, "token", "list", "dana.lead@example.org")
    token_id, prefix, _, state, _ = listed.strip().split("\t")
    assert (prefix, state) == (token[: len(TOKEN_PREFIX) + 4] + "…", "active")
    assert flask(clone, "token", "revoke", token_id) == f"Token {token_id} revoked.\n"
    assert "\trevoked " in flask(clone, "token", "list", "dana.lead@example.org")


def check_import_and_assistant(clone: Path) -> None:
    """import-case, assistant check and assistant rewrite on the example case."""
    child = json.loads((EXAMPLE / "case.json").read_text())["child"]["name"]
    imported = flask(clone, "import-case", str(EXAMPLE))
    assert re.fullmatch(rf"Imported case \d+ for {child}\.\n", imported), imported

    findings = json.loads(flask(clone, "assistant", "check", str(EXAMPLE), "--json"))
    expected = json.loads((EXAMPLE / "expected.json").read_text())["gaps"]
    found = {(f["section"], f["kind"]) for f in findings}
    assert found & {(g["section"], g["kind"]) for g in expected}, findings

    plan = EXAMPLE / "draft_plan.md"
    suggestions = json.loads(flask(clone, "assistant", "rewrite", str(plan), "--json"))
    text = plan.read_text("utf-8")
    assert suggestions
    assert all(text[s["start"] : s["end"]] == s["original"] for s in suggestions)
