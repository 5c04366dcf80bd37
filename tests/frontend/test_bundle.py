"""The committed bundle in portal/static is exactly what frontend/ builds."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.frontend.conftest import FRONTEND, STATIC

# Everything build.mjs writes; portal/static may hold nothing else of ours.
TOP_LEVEL = ["editor.js", "sign-out.js", "app.css", "govuk-init.js"]


def _files_under(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _built(root: Path) -> dict[str, bytes]:
    files = {name: (root / name).read_bytes() for name in TOP_LEVEL}
    files.update({f"govuk/{k}": v for k, v in _files_under(root / "govuk").items()})
    return files


def test_committed_bundle_matches_sources(node: str, tmp_path: Path) -> None:
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [node, str(FRONTEND / "build.mjs"), str(tmp_path)],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    fresh = _built(tmp_path)
    committed = _built(STATIC)
    assert sorted(committed) == sorted(fresh), (
        "portal/static has missing or extra files"
    )
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, (
        f"portal/static is out of date for {stale}: run `make frontend` and commit"
    )


def test_govuk_css_urls_resolve_under_static(node: str) -> None:
    css = (STATIC / "govuk" / "govuk-frontend.min.css").read_text()
    assert "url(/" not in css
    for ref in ("assets/fonts/", "assets/images/govuk-crest.svg"):
        assert f"url({ref}" in css
    for font in sorted((STATIC / "govuk" / "assets" / "fonts").iterdir()):
        assert f"url(assets/fonts/{font.name})" in css
